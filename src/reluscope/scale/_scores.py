"""Exact AUCs from score histograms that are merged across partitions (NumPy only).

Local and Global AUC do not decompose into sums, but the Mann-Whitney
statistic of a group depends only on the histogram of its scores *on the
distinct score values*: ``(group, score) -> (positives, negatives)``.  Each
partition emits that table, tables merge by adding counts of equal
``(group, score)`` pairs, and the AUC of every group is read off the merged
table: ``AUC = sum_b p_b (N_b + q_b / 2) / (n1 n0)`` over the distinct scores
``b`` in increasing order, with ``N_b`` the negatives below ``b`` (ties count a
half, as average ranks do).  The result is exact, not approximate; its price is
memory on the client proportional to the number of distinct scores of the
groups asked for (one entry per row and group in the worst case), which is why
only mixed-class regions enter the Local AUC table and the Global AUC follows
the ``global_metrics`` budget of the in-memory summary.
"""

from __future__ import annotations

import numpy as np

__all__ = ["score_table", "merge_tables", "auc_from_table"]


def score_table(groups: np.ndarray, scores: np.ndarray, positive: np.ndarray) -> dict:
    """Compress rows to distinct ``(group, score)`` pairs with positive / negative counts."""
    groups = np.asarray(groups, np.int64)
    pos = np.asarray(positive, np.int64)
    return _compress(groups, np.asarray(scores, np.float64), pos, 1 - pos)


def _compress(g, s, pos, neg) -> dict:
    if g.size == 0:
        return {"group": g, "score": s, "pos": pos, "neg": neg}
    order = np.lexsort((s, g))
    g, s = g[order], s[order]
    new = np.ones(g.size, bool)
    new[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1])
    starts = np.flatnonzero(new)
    return {"group": g[starts], "score": s[starts], "pos": np.add.reduceat(pos[order], starts), "neg": np.add.reduceat(neg[order], starts)}


def merge_tables(tables: list[dict]) -> dict:
    """Merge score tables: counts of equal ``(group, score)`` pairs add up (integers: exact)."""
    if len(tables) == 1:
        return tables[0]
    cat = {k: np.concatenate([t[k] for t in tables]) for k in ("group", "score", "pos", "neg")}
    return _compress(cat["group"], cat["score"], cat["pos"], cat["neg"])


def auc_from_table(table: dict, n_groups: int) -> np.ndarray:
    """ROC AUC of every group from its merged table (NaN for a group holding one class or none)."""
    g, p, q = table["group"], table["pos"].astype(np.float64), table["neg"].astype(np.float64)
    n1 = np.bincount(g, weights=p, minlength=n_groups)
    n0 = np.bincount(g, weights=q, minlength=n_groups)
    if g.size:
        # negatives strictly below each entry, within its group (the table is sorted by group, score)
        cum = np.cumsum(q) - q
        first = np.r_[True, g[1:] != g[:-1]]
        offset = cum[first][np.cumsum(first) - 1]
        below = cum - offset
        num = np.bincount(g, weights=p * (below + q / 2.0), minlength=n_groups)
    else:
        num = np.zeros(n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = num / (n1 * n0)
    auc[(n1 == 0) | (n0 == 0)] = np.nan
    return auc
