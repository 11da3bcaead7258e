"""Per-partition sufficient statistics of an unwrap and their exact merge (NumPy only).

One partition gives, per distinct pattern: the count, ``sum x`` (region
centres), the response's count/mean/centred sum of squares/min/max per output
(Chan et al.'s pairwise update, so the merged standard deviation does not
suffer the cancellation of ``sum y^2 - n ybar^2``), the sum of the squared
residuals of the network (Local MSE), and for classifiers the class counts;
plus the joint mean and centred scatter matrix of ``[x, y]`` over all rows
(Global MSE, as in :func:`reluscope.summary.global_mse`) and the exactness
certificate ``max |eta - LLM(x)|`` with its scale.  Merging is a group-by on the
packed key; any number of partial results merge at once, in any tree.

Reference: T. F. Chan, G. H. Golub, R. J. LeVeque, *Updating formulae and a
pairwise algorithm for computing sample variances* (1979), eq. 2.1.
"""

from __future__ import annotations

import numpy as np

from ..patterns import compute_patterns, group_keys, key_order, unique_patterns
from ..summary import binary_response
from .._kernels import _AFFINE_CHUNK, _affine_maps_chunked, _llm_error_and_scale, _region_sums

__all__ = ["partition_stats", "merge_stats", "finalize_stats", "response_matrix"]


def response_matrix(network, y) -> np.ndarray | None:
    """The response as floats (n, k): 0/1 for binary, class index for multiclass, values otherwise."""
    if y is None:
        return None
    y = np.asarray(y)
    if network.task == "binary":
        return binary_response(y, network.classes)[:, None] if y.size else np.zeros((0, 1))
    if network.task == "multiclass":
        from ..errors import InvalidInputError

        classes = np.asarray(network.classes if network.classes is not None else np.arange(network.n_outputs))
        unknown = ~np.isin(y, classes)
        if unknown.any():
            raise InvalidInputError(f"y holds labels {np.unique(y[unknown])[:5].tolist()} not among the classes {classes.tolist()}.")
        order = np.argsort(classes)
        return order[np.searchsorted(classes[order], y)].astype(np.float64)[:, None]
    y = np.asarray(y, np.float64)
    return y.reshape(len(y), -1 if y.ndim == 2 else 1)


def _gsum(gid: np.ndarray, n_groups: int, A: np.ndarray) -> np.ndarray:
    """Group sums of the rows of ``A`` (n,) or (n, c) in row order (one flat bincount)."""
    if A.ndim == 1:
        return np.bincount(gid, weights=A, minlength=n_groups)
    c = A.shape[1]
    flat = (gid[:, None] * c + np.arange(c)).ravel()
    return np.bincount(flat, weights=A.ravel(), minlength=n_groups * c).reshape(n_groups, c)


def _moments(gid, G, counts, A):
    """Per-group mean and centred sum of squares of the columns of ``A``."""
    mean = _gsum(gid, G, A) / np.maximum(counts, 1)[:, None]
    m2 = _gsum(gid, G, (A - mean[gid]) ** 2)
    return mean, m2


def _joint_moments(X: np.ndarray, Y: np.ndarray | None, chunk: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Mean and centred scatter matrix of ``[x, y]`` over the rows (the Global MSE's statistics).

    The rows are centred a cache-sized chunk at a time and their scatter summed
    chunk by chunk (no centred (n, d) temporary); the same numbers as centring
    the whole block, up to round-off.
    """
    mean = X.mean(axis=0) if Y is None else np.concatenate([X.mean(axis=0), Y.mean(axis=0)])
    m2 = np.zeros((mean.size, mean.size))
    for s in range(0, X.shape[0], chunk):
        Zc = X[s : s + chunk] if Y is None else np.hstack([X[s : s + chunk], Y[s : s + chunk]])
        Zc = Zc - mean
        m2 += Zc.T @ Zc
    return mean, m2


def _group_extremes(gid: np.ndarray, n_groups: int, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-group minimum and maximum of each column of ``Y`` (n, k)."""
    lo = np.full((n_groups, Y.shape[1]), np.inf)
    hi = np.full((n_groups, Y.shape[1]), -np.inf)
    for j in range(Y.shape[1]):  # 1-D ufunc.at takes NumPy's fast path
        np.minimum.at(lo[:, j], gid, Y[:, j])
        np.maximum.at(hi[:, j], gid, Y[:, j])
    return lo, hi


def partition_stats(network, X: np.ndarray, y, chunk_size: int) -> dict:
    """Sufficient statistics of one validated partition (float64 ``X``, raw ``y`` or None)."""
    d, H = X.shape[1], network.n_hidden_units
    Y = response_matrix(network, y)
    if X.shape[0] == 0:
        return _empty(network, d, H, Y)
    packed, eta = compute_patterns(network, X, chunk_size=chunk_size, progress=False)
    uniq = unique_patterns(packed)
    coef, intercept = _affine_maps_chunked(network, uniq.keys, chunk_size)
    err, scale = _llm_error_and_scale(X, eta, coef, intercept, uniq.inverse, min(chunk_size, _AFFINE_CHUNK))
    inv, R, counts = uniq.inverse, uniq.counts.size, uniq.counts
    st = {"keys": uniq.keys, "count": counts, "sum_x": _region_sums(X, inv, R), "err": err, "scale": scale}
    st["n"] = X.shape[0]
    st["z_mean"], st["z_m2"] = _joint_moments(X, Y)
    if Y is not None:
        st["y_mean"], st["y_m2"] = _moments(inv, R, counts, Y)
        st["y_min"], st["y_max"] = _group_extremes(inv, R, Y)
        if network.task == "regression":
            st["sse"] = _gsum(inv, R, ((Y - eta) ** 2).mean(axis=1))
        elif network.task == "multiclass":
            y_idx = Y[:, 0].astype(np.int64)
            st["table"] = _gsum(inv, R, np.eye(network.n_outputs)[y_idx])
            st["correct"] = _gsum(inv, R, (eta.argmax(axis=1) == y_idx).astype(np.float64))
    return st


def _empty(network, d, H, Y) -> dict:
    k = 0 if Y is None else Y.shape[1]
    st = {"keys": np.zeros((0, (H + 7) // 8), np.uint8), "count": np.zeros(0, np.int64), "sum_x": np.zeros((0, d)),
          "err": 0.0, "scale": 1.0, "n": 0, "z_mean": np.zeros(d + k), "z_m2": np.zeros((d + k, d + k))}
    if Y is not None:
        st.update(y_mean=np.zeros((0, k)), y_m2=np.zeros((0, k)), y_min=np.zeros((0, k)), y_max=np.zeros((0, k)))
        if network.task == "regression":
            st["sse"] = np.zeros(0)
        elif network.task == "multiclass":
            st["table"], st["correct"] = np.zeros((0, network.n_outputs)), np.zeros(0)
    return st


def _group(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group of each key row, the distinct keys): hashed, or sorted after a hash collision."""
    grouped = group_keys(keys)
    if grouped is not None:
        return grouped[0], keys[grouped[1]]
    order = key_order(keys)
    sk = keys[order]
    new = np.ones(keys.shape[0], bool)
    new[1:] = (sk[1:] != sk[:-1]).any(axis=1)
    gid = np.empty(keys.shape[0], np.int64)
    gid[order] = np.cumsum(new) - 1
    return gid, sk[new]


def merge_stats(parts: list[dict]) -> dict:
    """Merge partial statistics (a group-by on the packed keys); exact up to round-off of the sums."""
    parts = [p for p in parts if p is not None]
    if len(parts) == 1:
        return parts[0]
    keys = np.concatenate([p["keys"] for p in parts])
    out = {"err": max(p["err"] for p in parts), "scale": max(p["scale"] for p in parts)}
    # joint moments of [x, y] over all rows (Chan's pairwise update, many at once)
    ns = np.array([p["n"] for p in parts], np.float64)
    n = ns.sum()
    out["n"] = int(n)
    means = np.stack([p["z_mean"] for p in parts])
    out["z_mean"] = (ns[:, None] * means).sum(axis=0) / max(n, 1.0)
    dev = means - out["z_mean"]
    out["z_m2"] = sum(p["z_m2"] for p in parts) + (ns[:, None] * dev).T @ dev
    if keys.shape[0] == 0:
        out.update({k: np.concatenate([p[k] for p in parts]) for k in parts[0] if k not in out})
        return out
    gid, out["keys"] = _group(keys)
    G = out["keys"].shape[0]
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0] if k not in out}
    counts = np.bincount(gid, weights=cat["count"], minlength=G).astype(np.int64)
    out["count"] = counts
    out["sum_x"] = _gsum(gid, G, cat["sum_x"])
    if "y_mean" in cat:
        c = cat["count"].astype(np.float64)[:, None]
        mean = _gsum(gid, G, c * cat["y_mean"]) / counts[:, None]
        out["y_mean"] = mean
        out["y_m2"] = _gsum(gid, G, cat["y_m2"] + c * (cat["y_mean"] - mean[gid]) ** 2)
        lo = np.full((G, mean.shape[1]), np.inf)
        hi = np.full((G, mean.shape[1]), -np.inf)
        np.minimum.at(lo, gid, cat["y_min"])
        np.maximum.at(hi, gid, cat["y_max"])
        out["y_min"], out["y_max"] = lo, hi
    for k in ("sse", "table", "correct"):
        if k in cat:
            out[k] = _gsum(gid, G, cat[k])
    return out


def finalize_stats(st: dict) -> dict:
    """Regions numbered as in-memory (count descending, ties by key bytes): every per-region array re-ordered."""
    # merged keys come in hash-group order, a single partition's by count: sort by key bytes, then by count
    order = key_order(st["keys"])
    by_count = order[np.argsort(-st["count"][order], kind="stable")]
    return {k: (v[by_count] if isinstance(v, np.ndarray) and v.ndim >= 1 and k not in ("z_mean", "z_m2") else v) for k, v in st.items()}
