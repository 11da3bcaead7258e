"""Unwrap past one machine: Dask collections (out of core, any cluster) and torch devices (GPU).

``reluscope.unwrap(network, X, y)`` hands a ``dask.array.Array`` or a
``dask.dataframe.DataFrame`` to :func:`unwrap_dask`, and ``device=...`` to
:func:`unwrap_torch`; both return the in-memory result class
(:class:`~reluscope.LocalLinearModels`) with the same numbers.
:func:`monte_carlo_dask` and :func:`enumerate_regions_dask` run the Monte Carlo
validator and the exact region enumeration as Dask tasks; :func:`connect` and
:func:`local_cluster` give a ``distributed.Client``.  Dask and pyarrow are
imported only here, when first needed (the ``scale`` extra:
``pip install reluscope[scale]``).  User guide: :doc:`/user_guide/scale`.
"""

from __future__ import annotations

__all__ = ["unwrap_dask", "unwrap_torch", "DaskLocalLinearModels", "is_dask_collection", "connect", "local_cluster", "WORKER_CONFIG", "monte_carlo_dask", "enumerate_regions_dask"]


def is_dask_collection(obj) -> bool:
    """True for a Dask collection, decided from the type's module (imports nothing).

    Examples
    --------
    >>> import dask.array as da
    >>> from reluscope.scale import is_dask_collection
    >>> is_dask_collection(da.zeros((4, 2), chunks=2)), is_dask_collection(np.zeros((4, 2)))
    (True, False)
    """
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
    """Out-of-core unwrap of a Dask collection: the same regions and numbers as :func:`reluscope.unwrap` in memory.

    Each partition (a block of a ``dask.array.Array``, a partition of a
    ``dask.dataframe.DataFrame``) computes its activation patterns, the
    exactness check ``max |eta - LLM(x)|`` and per-pattern sufficient
    statistics; a tree of merges (fan-in 8) combines them and the client
    computes the LLM of every distinct pattern once (Theorem 1 of ``001``, the
    in-memory code), numbering the regions as in memory (count descending, ties
    by pattern bytes).  ``reluscope.unwrap`` calls it for Dask input.

    Parameters
    ----------
    network : ReLUNetwork
    X : dask.array.Array of shape (n, d) or dask.dataframe.DataFrame
        A frame's feature columns are taken by the network's feature names.
    y : dask.array.Array or dask.dataframe.Series, optional
    verify : bool, default True
        Raise :class:`~reluscope.errors.NotExactError` when the check fails on any partition.
    chunk_size : int, default 65536
        Rows per in-memory step inside a partition.
    progress : bool, optional
        Dask's progress bar (distributed or local).

    Returns
    -------
    DaskLocalLinearModels
        Per-region arrays in NumPy; ``X_``, ``y_``, ``labels_`` and ``decision_`` lazy Dask collections.

    Raises
    ------
    FeatureMismatchError
        A frame without the network's feature columns, or the wrong number of columns.
    InvalidInputError
        Anything that is not a 2-D Dask array or frame, an empty ``X``, bad values in a partition (named).

    Examples
    --------
    >>> import dask
    >>> import dask.array as da
    >>> import reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))], [rng.normal(size=6), rng.normal(size=1)])
    >>> X = rng.normal(size=(1000, 2))
    >>> from reluscope.scale import unwrap_dask
    >>> with dask.config.set(scheduler="synchronous"):
    ...     lazy = unwrap_dask(net, da.from_array(X, chunks=(250, 2)))
    >>> eager = reluscope.unwrap(net, X)
    >>> lazy.n_regions == eager.n_regions, np.array_equal(lazy.count_, eager.count_)
    (True, True)
    >>> np.allclose(lazy.coef_, eager.coef_, rtol=0, atol=1e-12), lazy.max_error_ < 1e-12
    (True, True)
    >>> np.array_equal(lazy.labels_.compute(scheduler="synchronous"), eager.labels_)
    True
    """
    _require_dask()
    from ._dask import unwrap_dask as run

    return run(network, X, y, **kwargs)


def unwrap_torch(network, X, y=None, **kwargs):
    """:func:`reluscope.unwrap` with the forward pass, packing, de-duplication and LLMs in torch on ``device``.

    Rows stream from host memory in chunks; on the device each chunk gets its
    forward pass, its activation bits packed into bytes (the layout of
    :func:`numpy.packbits`, so keys equal the NumPy path's) and its output.
    The distinct patterns are found with stable sorts, numbered by count
    descending then key bytes, and their LLMs come from the backward product of
    Theorem 1 (``001``, eq. 13) batched in float64: the same regions, counts and
    numbering as the NumPy path, coefficients equal up to round-off.
    ``reluscope.unwrap(..., device="cuda")`` calls it.  Not yet measured on a GPU
    (none was available; ``benchmarks/scale_gpu.py`` does it).

    Parameters
    ----------
    network : ReLUNetwork
    X : array-like of shape (n, d)
    y : array-like, optional
    verify : bool, default True
    chunk_size : int, default 65536
        Rows sent to the device at a time.
    progress : bool, optional
    device : str or torch.device, default "cpu"
        ``"cpu"``, ``"cuda"`` or ``"cuda:N"``.
    dtype : {"float64", "float32"}, default "float64"
        ``"float32"`` computes the forward pass (hence the patterns) in float32; the
        LLMs and the check stay float64, with relative tolerance 1e-5 instead of
        the float64 one.

    Returns
    -------
    LocalLinearModels
        A subclass whose ``summary`` sorts the Global AUC scores on the device; ``device_`` names it.

    Raises
    ------
    DeviceError
        ``device`` names no usable torch device (for example ``"cuda"`` without a GPU).

    Examples
    --------
    >>> import reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))], [rng.normal(size=6), rng.normal(size=1)])
    >>> X = rng.normal(size=(1000, 2))
    >>> from reluscope.scale import unwrap_torch
    >>> on_torch = unwrap_torch(net, X, device="cpu")
    >>> in_numpy = reluscope.unwrap(net, X)
    >>> on_torch.device_, on_torch.n_regions == in_numpy.n_regions, np.array_equal(on_torch.labels_, in_numpy.labels_)
    ('cpu', True, True)
    >>> np.allclose(on_torch.coef_, in_numpy.coef_, rtol=0, atol=1e-12)
    True
    """
    from ._torch import unwrap_torch as run

    return run(network, X, y, **kwargs)


def monte_carlo_dask(network, distribution, n_samples=1_000_000, **kwargs):
    """Pattern PMF, output CDF and decision rates by sampling, as Dask tasks (:func:`reluscope.probability.monte_carlo` at cluster scale).

    The ``n_samples`` draws are cut into ``ceil(n_samples / block_size)``
    blocks; block ``j`` draws from its own stream
    ``numpy.random.SeedSequence(random_state).spawn(n_blocks)[j]`` and returns
    integer counts, added in a fixed binary tree.  The blocks, their seeds and
    the tree depend only on ``n_samples``, ``block_size`` and ``random_state``,
    never on the number of workers, so the result is the same on one worker or
    many.  Its stream is not the in-memory function's: the two agree within
    their binomial standard errors, not digit for digit.  The "Monte Carlo
    trials" validator of seed ``002`` section 5.

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    n_samples : int, default 1,000,000
    points : array-like of shape (T,), optional
        Where to evaluate the CDF of output ``output`` (pre-link ``eta``).
    output : int, default 0
    client : distributed.Client, optional
        Where the tasks run; ``None`` uses Dask's current default scheduler.
    block_size : int, default 2**20
        Samples per task.
    random_state : int, sequence of int, SeedSequence or None
        Root of the per-block streams (a ``Generator`` is refused: it cannot be spawned).
    progress : bool, optional
        A bar over finished blocks (with a ``client``).

    Returns
    -------
    MonteCarloResult
        The class of :func:`reluscope.probability.monte_carlo`, with binomial
        standard errors ``sqrt(p (1 - p) / n)``.

    Examples
    --------
    One hidden unit ``relu(x)`` and output ``relu(x) - 0.5`` under ``x ~ N(0, 1)``: the unit is on with
    probability 1/2 and ``P(eta <= 0) = Phi(0.5)``:

    >>> import dask
    >>> import reluscope
    >>> from scipy.stats import norm
    >>> from reluscope.probability import GaussianMixture
    >>> from reluscope.scale import monte_carlo_dask
    >>> net = reluscope.from_arrays([np.ones((1, 1)), np.ones((1, 1))], [np.zeros(1), np.array([-0.5])])
    >>> noise = GaussianMixture.normal(mean=[0.0], covariance=1.0)
    >>> with dask.config.set(scheduler="threads"):
    ...     mc = monte_carlo_dask(net, noise, 100_000, points=[0.0], block_size=25_000, random_state=0)
    >>> bool(abs(mc.cdf[0] - norm.cdf(0.5)) < 4 * mc.cdf_std_error[0])
    True
    >>> bool(np.all(np.abs(mc.pmf["probability"] - 0.5) < 4 * mc.pmf["std_error"]))
    True
    >>> with dask.config.set(scheduler="synchronous"):  # one worker: the same counts
    ...     again = monte_carlo_dask(net, noise, 100_000, points=[0.0], block_size=25_000, random_state=0)
    >>> bool(again.cdf[0] == mc.cdf[0]) and again.pmf["count"].tolist() == mc.pmf["count"].tolist()
    True
    """
    _require_dask()
    from .monte_carlo import monte_carlo_dask as run

    return run(network, distribution, n_samples, **kwargs)


def enumerate_regions_dask(network, box, **kwargs):
    """Every activation region of ``network`` in ``box``, the sub-boxes enumerated as Dask tasks.

    The box is cut into ``prod(splits)`` sub-boxes; each is enumerated by
    :func:`reluscope.geometry.enumerate_regions` as one task (a sub-box is
    convex, so the search is exact there, thesis ``000`` ch. 2), and the pieces
    of a region cut by a split plane are joined: its rows are the hidden-unit
    rows of its pieces and the sides of the original box, its volume (d <= 3)
    the sum of the pieces', its Chebyshev centre one LP, its adjacency the
    union of the pieces'.  Limits: a region whose every piece is thinner than
    the LP tolerance (a sliver cut by a split plane) is not resolved, as in the
    single-process search.  The enumeration is at present not safe on Dask's
    threaded scheduler (the default one without a client): the LP helper keeps
    one HiGHS solver per process, shared by threads. Run it with a
    ``distributed`` client (worker processes) or the synchronous scheduler.

    Parameters
    ----------
    network : ReLUNetwork
    box : array of shape (d, 2)
        ``(min, max)`` per feature; a polytope domain needs the single-process function.
    splits : int or sequence of d ints, default 2
        Slabs per feature; ``prod(splits)`` tasks.
    client : distributed.Client, optional
        Where the tasks run; ``None`` uses Dask's current default scheduler.
    max_regions : int, optional
        Per-task cap; the joined result is cut to ``max_regions`` and marked ``truncated``.
    random_state : int, default 0
        Starting points of each task's search.

    Returns
    -------
    RegionEnumeration
        The same set of patterns as :func:`reluscope.geometry.enumerate_regions`;
        ``stats`` adds ``sub_boxes`` and ``pieces``.

    Examples
    --------
    Two hidden units cut ``[-1, 1]^2`` along ``x1 = 0.3`` and ``x1 = x2`` into 4 regions; the split
    planes ``x1 = 0`` and ``x2 = 0`` cut them into 4 + 1 + 2 + 2 = 9 pieces, one sub-box at a time:

    >>> import dask
    >>> import reluscope
    >>> from reluscope.geometry import enumerate_regions
    >>> from reluscope.scale import enumerate_regions_dask
    >>> net = reluscope.from_arrays([np.array([[1.0, 0.0], [1.0, -1.0]]), np.ones((1, 2))], [np.array([-0.3, 0.0]), np.zeros(1)])
    >>> box = np.array([[-1.0, 1.0], [-1.0, 1.0]])
    >>> with dask.config.set(scheduler="synchronous"):
    ...     split = enumerate_regions_dask(net, box, splits=2)
    >>> single = enumerate_regions(net, box)
    >>> split.n_regions, split.stats["pieces"], sorted(map(bytes, split.patterns)) == sorted(map(bytes, single.patterns))
    (4, 9, True)
    >>> float(split.volumes.sum())
    4.0
    """
    _require_dask()
    from .enumerate import enumerate_regions_dask as run

    return run(network, box, **kwargs)


def __getattr__(name):
    if name == "DaskLocalLinearModels":
        from ._dask import DaskLocalLinearModels

        return DaskLocalLinearModels
    if name in ("connect", "local_cluster", "WORKER_CONFIG"):
        from . import _cluster

        return getattr(_cluster, name)
    raise AttributeError(f"module 'reluscope.scale' has no attribute {name!r}")
