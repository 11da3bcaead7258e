"""Region summary of a Dask unwrap: the in-memory columns from merged statistics.

Count, Response Mean / Std, Local MSE, Global MSE, Majority Class / Share and
Local Accuracy come from the sums merged by :func:`unwrap_dask` (no new pass).
Local AUC, Global AUC and Global Accuracy take one more pass over the
partitions: Local AUC from the exact score tables (:mod:`._scores`) of the
mixed-class regions only (a region holding one class has no AUC), Global AUC
from the exact score tables of every listed region's LLM score on all rows,
Global Accuracy from per-partition counts of correct argmax.  The regions with
a Global metric follow the in-memory ``global_metrics`` rule
(:func:`reluscope.summary._which_global`).  Every number is exact (sums of
integers or the same algebra as in memory); only round-off of the float sums
can differ from the in-memory table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..patterns import PatternIndex, compute_patterns
from ..summary import _which_global
from ._scores import auc_from_table, merge_tables, score_table
from ._stats import response_matrix

__all__ = ["dask_summary"]


def _global_mse(st: dict, d: int, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """:func:`reluscope.summary.global_mse` from the merged moments of ``[x, y]``."""
    n, zm, M = st["n"], st["z_mean"], st["z_m2"]
    k = zm.size - d
    Sxx, xm = M[:d, :d], zm[:d]
    out = np.zeros(coef.shape[0])
    for j in range(k):
        w = coef[:, j, :]
        quad = np.einsum("rd,de,re->r", w, Sxx, w)
        c = intercept[:, j] + w @ xm - zm[d + j]
        out += np.maximum((M[d + j, d + j] - 2.0 * (w @ M[:d, d + j]) + quad) / n, 0.0) + c**2
    return out / k


def _pass_task(network, block, how, index, keys, mixed, coef, intercept, regions, task):
    """Per partition: the Local AUC table (mixed regions), the Global AUC tables or correct counts."""
    from ._dask import _load

    X, y = _load(block, how, index)
    R = keys.shape[0]
    out = {"local": score_table(np.zeros(0), np.zeros(0), np.zeros(0)), "global": None}
    Y = response_matrix(network, y)
    if X.shape[0] == 0:
        out["global"] = np.zeros(regions.size) if task == "multiclass" else out["local"]
        return out
    if task == "binary":
        packed, eta = compute_patterns(network, X, progress=False)
        lab = PatternIndex(keys).lookup(packed)
        take = lab >= 0
        take[take] = mixed[lab[take]]
        out["local"] = score_table(lab[take], eta[take, 0], Y[take, 0])
        S = X @ coef[regions, 0, :].T + intercept[regions, 0]
        g = np.broadcast_to(np.arange(regions.size), S.shape)
        out["global"] = score_table(g.ravel(), S.ravel(), np.repeat(Y[:, 0], regions.size))
    else:
        S = np.einsum("nd,rkd->rnk", X, coef[regions]) + intercept[regions][:, None, :]
        out["global"] = (S.argmax(axis=2) == Y[None, :, 0].astype(np.int64)).sum(axis=1).astype(np.float64)
    return out


def _merge_pass(parts):
    glob = [p["global"] for p in parts]
    merged = glob[0] + sum(glob[1:]) if isinstance(glob[0], np.ndarray) else merge_tables(glob)
    return {"local": merge_tables([p["local"] for p in parts]), "global": merged}


def dask_summary(llms, *, global_metrics="auto", progress=None) -> pd.DataFrame:
    """Region summary of a :class:`DaskLocalLinearModels`, the columns of :func:`reluscope.summary.summary_table`."""
    st, net = llms.stats_, llms.network
    R, counts = llms.n_regions, llms.count_
    df = pd.DataFrame({"Count": counts}, index=pd.Index(np.arange(R), name="Region"))
    df.attrs["task"] = task = net.task
    if "y_mean" in st:
        regions = _which_global(st["n"], R, global_metrics)
        df.attrs["global_regions"] = int(regions.size)
        with np.errstate(invalid="ignore", divide="ignore"):
            _local_columns(df, st, task, net, counts)
        if task == "regression":
            df["Global MSE"] = _global_mse(st, net.n_features, llms.coef_3d, llms.intercept_2d)
        elif task in ("binary", "multiclass"):
            _second_pass(df, llms, regions, progress)
    df["Trivial"] = llms.trivial_
    return df


def _local_columns(df, st, task, net, counts):
    mean = st["y_mean"]
    if task in ("regression", "binary", "multilabel"):
        df["Response Mean"] = mean.mean(axis=1)
    if task in ("regression", "binary"):
        std = np.sqrt(st["y_m2"] / (counts[:, None] - 1))
        std[st["y_min"] == st["y_max"]] = 0.0
        std[counts <= 1] = np.nan
        df["Response Std"] = std.mean(axis=1)
    if task == "regression":
        df["Local MSE"] = st["sse"] / counts
    if task == "multiclass":
        classes = net.classes if net.classes is not None else np.arange(net.n_outputs)
        table = st["table"]
        df["Majority Class"] = np.asarray(classes)[table.argmax(axis=1)]
        df["Majority Share"] = table.max(axis=1) / counts
        df["Local Accuracy"] = st["correct"] / counts


def _second_pass(df, llms, regions, progress):
    import dask

    from ._dask import _prepare, compute, tree_reduce

    st, net, R = llms.stats_, llms.network, llms.n_regions
    n1 = st["y_mean"][:, 0] * llms.count_
    mixed = (np.rint(n1) > 0) & (np.rint(n1) < llms.count_)
    blocks, how, _, _ = _prepare(net, llms.X_, llms.y_)
    args = [dask.delayed(a, pure=True) for a in (net, llms.pattern_keys_, mixed, llms.coef_3d, llms.intercept_2d, regions)]
    parts = [dask.delayed(_pass_task, pure=True)(args[0], b, how, i, *args[1:], net.task) for i, b in enumerate(blocks)]
    res = compute(tree_reduce(parts, _merge_pass), progress)
    if net.task == "binary":
        df["Local AUC"] = auc_from_table(res["local"], R)
        glob = np.full(R, np.nan)
        glob[regions] = auc_from_table(res["global"], regions.size)
        df["Global AUC"] = glob
    else:
        glob = np.full(R, np.nan)
        glob[regions] = res["global"] / st["n"]
        df["Global Accuracy"] = glob
