"""Out-of-core unwrap on Dask: partitions -> sufficient statistics -> tree reduction -> LLMs once.

Each partition (a block of a ``dask.array.Array`` or a partition of a
``dask.dataframe.DataFrame``) runs the in-memory unwrap kernel: one forward
pass, packed pattern keys, the LLMs of its own distinct patterns and the
exactness certificate ``max |eta - LLM(x)|`` (verified per partition), and the
per-pattern sufficient statistics of :mod:`._stats`.  A tree of merges (fan-in
8) combines them; the client computes the LLM of every distinct pattern once
(:meth:`ReLUNetwork.affine_maps`, the same code as in memory), numbers the
regions as in memory (count descending, ties by pattern bytes) and returns a
:class:`DaskLocalLinearModels`, a :class:`~reluscope.LocalLinearModels`
whose ``X_``, ``y_``, ``labels_`` and ``decision_`` are lazy Dask collections.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import FeatureMismatchError, InvalidInputError, NotExactError
from ..patterns import PatternIndex, compute_patterns
from .._kernels import _affine_maps_chunked, _trivial
from ..unwrap import VERIFY_RTOL, LocalLinearModels
from ..validation import check_features
from ._stats import finalize_stats, merge_stats, partition_stats

__all__ = ["unwrap_dask", "DaskLocalLinearModels", "FAN_IN"]

#: Partial results merged by one task of the reduction tree.
FAN_IN = 8
_Y = "__reluscope_y__"


def _is_frame(X) -> bool:
    import dask.dataframe as dd

    return isinstance(X, dd.DataFrame)


def _features(network, X) -> list:
    """Feature columns of a Dask frame, by name; raises FeatureMismatchError naming what is missing."""
    columns = [str(c) for c in X.columns]
    if network.feature_names is None:
        if len(columns) != network.n_features:
            raise FeatureMismatchError(
                f"X has {len(columns)} columns but the network takes {network.n_features} features and has no "
                "feature names; select the feature columns (X[[...]]) or build the network with feature_names."
            )
        return list(X.columns)
    missing = [f for f in network.feature_names if f not in columns]
    if missing:
        raise FeatureMismatchError(
            f"The Dask frame lacks the network's feature column(s) {missing[:10]}; its columns are {columns[:20]}. "
            "Pass a frame holding every feature the network was trained on."
        )
    return [X.columns[columns.index(f)] for f in network.feature_names]


def _prepare(network, X, y):
    """(delayed blocks, block loader arguments, lazy features collection, lazy y)."""
    import dask.array as da

    if _is_frame(X):
        feats = _features(network, X)
        frame = X[feats]
        if y is not None:
            if not hasattr(y, "to_frame") or type(y).__module__.split(".")[0] != "dask":
                raise InvalidInputError("With a Dask DataFrame X, y must be a Dask Series (e.g. ddf['target']).")
            frame = frame.assign(**{_Y: y})
        return list(frame.to_delayed()), ("frame", [str(f) for f in feats], y is not None), X[feats], y
    if not isinstance(X, da.Array) or X.ndim != 2:
        raise InvalidInputError(f"A Dask X must be a 2-D dask.array.Array or a dask.dataframe.DataFrame; got {type(X).__name__}.")
    if X.shape[1] != network.n_features:
        raise FeatureMismatchError(f"X has {X.shape[1]} features but the network takes {network.n_features}.")
    if any(np.isnan(c) for c in X.chunks[0]):
        X = X.compute_chunk_sizes()
    X = X.rechunk({1: -1})
    # unoptimised graphs, so that X's and y's blocks keep the keys of the tasks they share: optimised
    # separately, each fuses its own copy of the source task (a block read or made twice; measured: the
    # benchmark's generator ran twice per block)
    blocks = list(X.to_delayed(optimize_graph=False).ravel())
    if y is None:
        return [(b, None) for b in blocks], ("array", None, False), X, None
    y = y if isinstance(y, da.Array) else None
    if y is None or y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
        raise InvalidInputError("With a dask.array X, y must be a dask.array with one entry per row of X.")
    y = y.rechunk({0: X.chunks[0]} if y.ndim == 1 else {0: X.chunks[0], 1: -1})
    return list(zip(blocks, y.to_delayed(optimize_graph=False).ravel())), ("array", None, True), X, y


def _load(block, how, index: int):
    """A partition as validated float64 X (n, d) and y (or None); names the partition in errors."""
    kind, feats, has_y = how
    if kind == "frame":
        y = block[_Y].to_numpy() if has_y else None
        Xb = block[feats] if has_y else block
    else:
        Xb, y = block
    if len(Xb) == 0:
        return np.zeros((0, Xb.shape[1])), (None if y is None else np.asarray(y)[:0])
    try:
        X = check_features(Xb, name=f"partition {index} of X")
    except InvalidInputError as exc:
        raise type(exc)(f"{exc} (rows of partition {index} are numbered from 0)") from None
    if y is not None and np.issubdtype(np.asarray(y).dtype, np.floating) and not np.isfinite(y).all():
        raise InvalidInputError(f"y has NaN or infinite values in partition {index}; drop or impute those rows.")
    return X, y


def _stats_task(network, block, how, index, chunk_size):
    X, y = _load(block, how, index)
    return partition_stats(network, X, y, chunk_size)


def tree_reduce(parts: list, merge) -> object:
    """Reduce delayed partial results with ``merge`` in a tree of fan-in :data:`FAN_IN`."""
    import dask

    while len(parts) > 1:
        parts = [dask.delayed(merge, pure=True)(parts[i : i + FAN_IN]) for i in range(0, len(parts), FAN_IN)]
    return parts[0]


def compute(obj, progress: bool | None):
    """Compute with the active scheduler; Dask's progress bar (distributed or local) when asked."""
    import dask

    client = _client()
    if client is not None:
        future = client.compute(obj)
        if progress:
            from distributed import progress as dprogress

            dprogress(future)
        return future.result()
    if progress:
        from dask.diagnostics import ProgressBar

        with ProgressBar():
            return dask.compute(obj)[0]
    return dask.compute(obj)[0]


def _client():
    try:
        from distributed import get_client

        return get_client()
    except (ImportError, ValueError):
        return None


def unwrap_dask(network, X, y=None, *, verify: bool = True, chunk_size: int = 65_536, progress: bool | None = None) -> "DaskLocalLinearModels":
    """Unwrap on a Dask collection; see :func:`reluscope.unwrap` (the result has the same numbers)."""
    import dask

    blocks, how, Xf, yd = _prepare(network, X, y)
    net = dask.delayed(network, pure=True)
    parts = [dask.delayed(_stats_task, pure=True)(net, b, how, i, chunk_size) for i, b in enumerate(blocks)]
    stats = finalize_stats(compute(tree_reduce(parts, merge_stats), progress))
    if stats["count"].size == 0:
        raise InvalidInputError("X is empty (every partition has 0 rows); pass at least one row.")
    keys = stats["keys"]
    coef, intercept = _affine_maps_chunked(network, keys, chunk_size)
    k = network.n_outputs
    feature_names = tuple(str(f) for f in how[1]) if how[1] is not None else (network.feature_names or tuple(f"x{j + 1}" for j in range(network.n_features)))
    result = DaskLocalLinearModels(
        network=network,
        coef_=coef[:, 0, :] if k == 1 else np.moveaxis(coef, 1, 2).copy(),
        intercept_=intercept[:, 0] if k == 1 else intercept,
        count_=stats["count"],
        centers_=stats["sum_x"] / stats["count"][:, None],
        pattern_keys_=keys,
        trivial_=_trivial(network, keys),
        labels_=None,
        X_=Xf,
        y_=yd,
        decision_=None,
        feature_names_=feature_names,
        stats_=stats,
        how_=how,
    )
    result.labels_ = result.region_of(Xf)
    result.decision_ = _lazy_map(Xf, how, lambda X: network._forward_raw(X)[0], k)
    if verify:
        err, scale = stats["err"], stats["scale"]
        result.max_error_ = err
        if not err <= VERIFY_RTOL * scale:
            raise NotExactError(
                f"LLMs reproduce the network only to {err:.3e} (tolerance {VERIFY_RTOL * scale:.3e}), checked on every "
                "partition. Check the weights for huge values, or pass verify=False to inspect the LLMs anyway."
            )
    return result


def _lazy_map(X, how, fn, width: int | None):
    """Apply ``fn`` (validated float64 block -> array) lazily to every partition / block of ``X``."""
    if how[0] == "frame":
        names = [str(f) for f in X.columns]

        def part(df):
            out = fn(check_features(df, name="partition of X")) if len(df) else np.zeros((0,) if width is None else (0, width))
            if width is None:
                return pd.Series(np.asarray(out, np.int64), index=df.index, name="region")
            return pd.DataFrame(out, index=df.index, columns=[f"eta{j}" for j in range(width)])

        index = X._meta.index[:0]  # the partitions' index (name and dtype) goes into the meta
        meta = pd.Series(np.zeros(0, np.int64), name="region", index=index) if width is None else pd.DataFrame({f"eta{j}": np.zeros(0) for j in range(width)}, index=index)
        return X[[X.columns[i] for i in range(len(names))]].map_partitions(part, meta=meta)
    X = X.rechunk({1: -1})

    def block(b):
        return fn(check_features(b, name="block of X")) if b.shape[0] else np.zeros((0,) if width is None else (0, width))

    if width is None:
        return X.map_blocks(block, drop_axis=1, dtype=np.int64)
    return X.map_blocks(block, chunks=(X.chunks[0], (width,)), dtype=np.float64)


@dataclass(eq=False)
class DaskLocalLinearModels(LocalLinearModels):
    """:class:`~reluscope.LocalLinearModels` of a Dask collection: the same numbers, lazy per-row arrays.

    Made by :func:`reluscope.unwrap` (or :func:`reluscope.scale.unwrap_dask`) on
    Dask input.  ``X_``, ``y_``, ``labels_`` (region of every row) and
    ``decision_`` are Dask collections; the per-region numbers (``coef_``,
    ``count_``, ``centers_``, ...) are NumPy arrays as in memory.
    :meth:`summary` reads the merged per-pattern sufficient statistics (counts,
    sums, response moments) instead of passing over the rows again.

    Examples
    --------
    >>> import dask
    >>> import dask.array as da
    >>> import reluscope
    >>> from reluscope.scale import DaskLocalLinearModels
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))], [rng.normal(size=6), rng.normal(size=1)])
    >>> X, y = rng.normal(size=(1000, 2)), rng.normal(size=1000)
    >>> with dask.config.set(scheduler="synchronous"):
    ...     llms = reluscope.unwrap(net, da.from_array(X, chunks=(250, 2)), da.from_array(y, chunks=250))
    ...     summary = llms.summary()
    >>> isinstance(llms, DaskLocalLinearModels), type(llms.labels_).__name__, llms.verify() < 1e-12
    (True, 'Array', True)
    >>> in_memory = reluscope.unwrap(net, X, y).summary()
    >>> list(summary.columns) == list(in_memory.columns)
    True
    >>> np.allclose(summary["Count"], in_memory["Count"])
    True
    """

    stats_: dict = field(default=None, repr=False)
    how_: tuple = field(default=None, repr=False)

    def region_of(self, X):
        """Region id of each row (-1 for unseen patterns); lazy for a Dask collection, NumPy otherwise."""
        if type(X).__module__.split(".")[0] != "dask":
            return super().region_of(X)
        if self._lookup is None:
            self._lookup = PatternIndex(self.pattern_keys_)
        lookup, network = self._lookup, self.network
        how = ("frame", None, False) if _is_frame(X) else ("array", None, False)
        if how[0] == "frame":
            X = X[_features(network, X)]
        return _lazy_map(X, how, lambda Xb: lookup.lookup(compute_patterns(network, Xb, progress=False)[0]), None)

    def verify(self, X=None) -> float:
        """The certificate: with ``X=None`` the maximum over every partition, checked during the unwrap."""
        if X is None:
            return float(self.stats_["err"])
        if type(X).__module__.split(".")[0] == "dask":
            raise InvalidInputError("verify takes in-memory data; the Dask rows were verified partition by partition (max_error_).")
        return super().verify(X)

    def summary(self, *, global_metrics="auto", memory_limit_mb: float = 512.0, progress=None) -> pd.DataFrame:
        """The region summary, same columns as in memory.

        Count, response mean and standard deviation, local and global MSE, majority
        class and local accuracy come from the merged sufficient statistics (no new
        pass); Local AUC, Global AUC and Global Accuracy take one more pass over
        the partitions.  Only round-off of float sums can differ from the in-memory table.
        """
        from ._summary import dask_summary

        return dask_summary(self, global_metrics=global_metrics, progress=progress)

    def evaluate(self, X, y, **kwargs):
        """Not supported on Dask data yet: raises :class:`~reluscope.errors.InvalidInputError`."""
        raise InvalidInputError("evaluate on Dask data is not supported yet; unwrap the new data with reluscope.unwrap instead.")
