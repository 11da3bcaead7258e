"""Unwrap past one machine: Dask collections (out of core, any cluster) and torch devices (GPU).

``reluscope.unwrap(network, X, y)`` hands a ``dask.array.Array`` or a
``dask.dataframe.DataFrame`` to :func:`unwrap_dask`, and ``device=...`` to
:func:`unwrap_torch`; both return the in-memory result class with the same
numbers.  Dask and pyarrow are imported only here, when first needed (the
``scale`` extra: ``pip install reluscope[scale]``).
"""

from __future__ import annotations

__all__ = ["unwrap_dask", "unwrap_torch", "DaskLocalLinearModels", "is_dask_collection", "connect", "local_cluster", "monte_carlo_dask", "enumerate_regions_dask"]


def is_dask_collection(obj) -> bool:
    """True for a Dask collection, decided from the type's module (imports nothing)."""
    return type(obj).__module__.split(".")[0] in ("dask", "dask_expr")


def _require_dask():
    try:
        import dask  # noqa: F401
        import dask.dataframe  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the installation
        from ..errors import InvalidInputError

        raise InvalidInputError(
            f"Dask input needs the scale extra ({exc}); install it with pip install 'reluscope[scale]'."
        ) from exc


def unwrap_dask(network, X, y=None, **kwargs):
    """Out-of-core unwrap of a Dask collection; see :mod:`reluscope.scale._dask`."""
    _require_dask()
    from ._dask import unwrap_dask as run

    return run(network, X, y, **kwargs)


def unwrap_torch(network, X, y=None, **kwargs):
    """Unwrap with the forward pass, packing and de-duplication in torch; see :mod:`reluscope.scale._torch`."""
    from ._torch import unwrap_torch as run

    return run(network, X, y, **kwargs)


def monte_carlo_dask(network, distribution, n_samples=1_000_000, **kwargs):
    """Monte Carlo validator as Dask tasks with per-block seeded streams; see :mod:`reluscope.scale.monte_carlo`."""
    _require_dask()
    from .monte_carlo import monte_carlo_dask as run

    return run(network, distribution, n_samples, **kwargs)


def enumerate_regions_dask(network, box, **kwargs):
    """Exact region enumeration over sub-boxes as Dask tasks; see :mod:`reluscope.scale.enumerate`."""
    _require_dask()
    from .enumerate import enumerate_regions_dask as run

    return run(network, box, **kwargs)


def __getattr__(name):
    if name == "DaskLocalLinearModels":
        from ._dask import DaskLocalLinearModels

        return DaskLocalLinearModels
    if name in ("connect", "local_cluster"):
        from . import _cluster

        return getattr(_cluster, name)
    raise AttributeError(f"module 'reluscope.scale' has no attribute {name!r}")
