"""Region summary table of the unwrapper (section 4 of ``001``, Figures 10-11).

Columns, regions sorted by Count (descending, ties by pattern):

- ``Count``: rows of the data in the region, ``|R_train^P|``.
- ``Response Mean``, ``Response Std``: of the response in the region; the
  standard deviation is the sample one by default (``ddof=1``, NaN for one-row
  regions: what aletheia-dnn 1.3.5's code computes); ``ddof=0`` gives the
  population one (0 for one-row regions), what the paper's Figures 10-11 print.
- regression: ``Local MSE`` (network on the region's rows) and ``Global MSE``
  (the region's LLM applied to *all* rows);
- binary classification: ``Local AUC`` (network score on the region's rows,
  NaN where the region holds one class, as in Figure 10) and ``Global AUC``
  (the region's LLM score on all rows);
- multi-class: ``Majority Class``, ``Majority Share``, ``Local Accuracy``,
  ``Global Accuracy`` (argmax of the LLM logits), an extension of the paper.
- ``Trivial``: a hidden layer is entirely off (Definition 1).

Departures from aletheia-dnn, on purpose: Global AUC is computed on the raw
LLM score ``w~ x + b~`` (the logit), not on its float64 sigmoid, which
saturates to exactly 0 or 1 for large scores and so ties distinct scores
(measured: up to 0.021 AUC apart on CoCircles); AUC is invariant to the
monotone link, so this is the AUC of the LLM's probability without the
saturation artefact.  Global MSE
comes from sufficient statistics (centred ``X^T X``, ``X^T y``, ``y^T y``): no
regions x rows matrix is formed.  Global AUC needs one sort per region, so it
is computed over chunks of regions with bounded memory.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._progress import progress_bar
from .errors import InvalidInputError

__all__ = ["region_summary", "evaluate", "summary_table", "auc_of_columns", "grouped_auc", "global_mse", "global_auc", "binary_response"]

#: Regions x rows evaluated for Global AUC / Accuracy when ``global_metrics='auto'``.
AUTO_GLOBAL_BUDGET = 10_000_000


def binary_response(y: np.ndarray, classes) -> np.ndarray:
    """Map binary labels to 0/1 floats with ``classes[1]`` as the positive class.

    Parameters
    ----------
    y : array-like (n,)
    classes : array-like (2,) or None
        The network's class labels; None requires ``y`` in {0, 1}.

    Returns
    -------
    ndarray of float64, (n,)

    Raises
    ------
    InvalidInputError
        ``y`` holds a label that is not one of ``classes`` (or not 0/1).

    Examples
    --------
    >>> from reluscope.summary import binary_response
    >>> binary_response(["no", "yes", "yes"], ["no", "yes"])
    array([0., 1., 1.])
    >>> binary_response([0, 2], None)
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: A binary network without class labels needs y in {0, 1}; got values [0, 2]. ...
    """
    y = np.asarray(y)
    if classes is not None:
        classes = np.asarray(classes)
        unknown = ~np.isin(y, classes)
        if unknown.any():
            raise InvalidInputError(
                f"y holds labels {np.unique(y[unknown])[:5].tolist()} that are not the network's classes "
                f"{classes.tolist()}."
            )
        return (y == classes[-1]).astype(np.float64)
    values = np.unique(y)
    if not np.isin(values, (0, 1)).all():
        raise InvalidInputError(
            f"A binary network without class labels needs y in {{0, 1}}; got values {values[:5].tolist()}. "
            "Pass classes=... when building the network."
        )
    return y.astype(np.float64)


def grouped_auc(groups: np.ndarray, score: np.ndarray, y: np.ndarray, n_groups: int) -> np.ndarray:
    """ROC AUC of ``score`` against binary ``y`` inside each group, vectorised.

    Mann-Whitney form with average ranks for ties:
    ``AUC = (sum of positive ranks - n1 (n1 + 1) / 2) / (n1 n0)``; NaN for a
    group holding one class.

    Parameters
    ----------
    groups : int array (n,)
        Group of each row, in ``0 .. n_groups - 1``.
    score : float array (n,)
    y : 0/1 float array (n,)
    n_groups : int

    Returns
    -------
    ndarray (n_groups,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import roc_auc_score
    >>> from reluscope.summary import grouped_auc
    >>> rng = np.random.default_rng(0)
    >>> g, s, y = rng.integers(0, 3, 300), rng.normal(size=300), rng.integers(0, 2, 300).astype(float)
    >>> auc = grouped_auc(g, s, y, 3)
    >>> bool(np.allclose(auc, [roc_auc_score(y[g == k], s[g == k]) for k in range(3)]))
    True
    >>> grouped_auc(np.zeros(3, int), np.arange(3.0), np.ones(3), 1)  # one class: NaN
    array([nan])
    """
    groups = np.asarray(groups, np.int64)
    order = np.lexsort((score, groups))
    g, s = groups[order], score[order]
    n = g.size
    # tie blocks: same group and same score
    new_block = np.ones(n, bool)
    new_block[1:] = (g[1:] != g[:-1]) | (s[1:] != s[:-1])
    block_id = np.cumsum(new_block) - 1
    block_start = np.flatnonzero(new_block)
    block_end = np.append(block_start[1:], n)
    group_start = np.zeros(n_groups + 1, np.int64)
    np.add.at(group_start, g + 1, 1)
    group_start = np.cumsum(group_start)
    # average 1-based rank within the group
    avg_rank = (block_start + block_end - 1) / 2.0 + 1.0 - group_start[g[block_start]]
    ranks = avg_rank[block_id]
    yy = y[order]
    n1 = np.bincount(g, weights=yy, minlength=n_groups)
    cnt = np.bincount(g, minlength=n_groups).astype(np.float64)
    n0 = cnt - n1
    rank_pos = np.bincount(g, weights=ranks * yy, minlength=n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        auc = (rank_pos - n1 * (n1 + 1) / 2.0) / (n1 * n0)
    auc[(n1 == 0) | (n0 == 0)] = np.nan
    return auc


def global_mse(X: np.ndarray, y: np.ndarray, coef: np.ndarray, intercept: np.ndarray) -> np.ndarray:
    """Mean squared error of every LLM over all rows, from centred sufficient statistics.

    Parameters
    ----------
    X : (n, d); y : (n,) or (n, k); coef : (R, k, d); intercept : (R, k)

    Returns
    -------
    (R,) MSE averaged over outputs.  ``MSE_r = (S_yy - 2 w.S_xy + w' S_xx w) / n + c_r^2``
    with ``c_r = b_r + w.x_mean - y_mean``: exact algebra, no R x n matrix.

    Examples
    --------
    Against the direct mean of squared residuals:

    >>> import numpy as np
    >>> from reluscope.summary import global_mse
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.normal(size=(100, 3)), rng.normal(size=100)
    >>> coef, intercept = rng.normal(size=(4, 1, 3)), rng.normal(size=(4, 1))
    >>> direct = [np.mean((y - X @ coef[r, 0] - intercept[r, 0]) ** 2) for r in range(4)]
    >>> bool(np.allclose(global_mse(X, y, coef, intercept), direct))
    True
    """
    Y = y.reshape(len(y), -1).astype(np.float64)
    n = X.shape[0]
    xm, ym = X.mean(axis=0), Y.mean(axis=0)
    Xc, Yc = X - xm, Y - ym
    Sxx = Xc.T @ Xc
    out = np.zeros(coef.shape[0])
    for j in range(Y.shape[1]):
        w = coef[:, j, :]
        Sxy = Xc.T @ Yc[:, j]
        Syy = Yc[:, j] @ Yc[:, j]
        quad = np.einsum("rd,de,re->r", w, Sxx, w)
        c = intercept[:, j] + w @ xm - ym[j]
        out += np.maximum((Syy - 2.0 * (w @ Sxy) + quad) / n, 0.0) + c**2
    return out / Y.shape[1]


def _region_chunks(regions: np.ndarray, n_rows: int, memory_limit_mb: float, bytes_per_cell: int = 32):
    per = max(1, int(memory_limit_mb * 2**20 // (bytes_per_cell * max(n_rows, 1))))
    for s in range(0, regions.size, per):
        yield regions[s : s + per]


def auc_of_columns(S: np.ndarray, positive: np.ndarray) -> np.ndarray:
    """ROC AUC of every column of ``S`` (n, c) against the bool labels ``positive``.

    One argsort per column (Mann-Whitney with average ranks for ties; an
    exact value, not an approximation); about 6x faster than
    ``scipy.stats.rankdata`` because ranks are only averaged where ties occur.

    Parameters
    ----------
    S : float array (n, c)
        Scores, one column per scorer.
    positive : bool array (n,)
        Labels; both classes must occur.

    Returns
    -------
    ndarray (c,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import roc_auc_score
    >>> from reluscope.summary import auc_of_columns
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 2, 200).astype(bool)
    >>> S = np.column_stack([y + rng.normal(size=200), rng.integers(0, 3, 200)])  # the second column ties
    >>> auc = auc_of_columns(S, y)
    >>> bool(np.allclose(auc, [roc_auc_score(y, S[:, 0]), roc_auc_score(y, S[:, 1])]))
    True
    """
    n, c = S.shape
    n1 = float(positive.sum())
    n0 = n - n1
    T = np.ascontiguousarray(S.T)
    order = np.argsort(T, axis=1)
    v = np.take_along_axis(T, order, axis=1)
    lab = positive[order]
    del T, order
    tie = v[:, 1:] == v[:, :-1]
    if not tie.any():
        rank_pos = lab @ np.arange(1.0, n + 1.0)
    else:
        new_block = np.ones((c, n), bool)
        new_block[:, 1:] = ~tie
        flat = new_block.ravel()
        block_id = np.cumsum(flat) - 1
        starts = np.flatnonzero(flat)
        ends = np.append(starts[1:], flat.size) - 1
        avg_rank = (starts % n + ends % n) / 2.0 + 1.0
        rank_pos = (avg_rank[block_id].reshape(c, n) * lab).sum(axis=1)
    return (rank_pos - n1 * (n1 + 1) / 2.0) / (n1 * n0)


#: Regions scored together by one worker of :func:`global_auc`: small blocks keep each sort in cache.
AUC_BLOCK = 8


def global_auc(X, y_bin, coef, intercept, regions, *, memory_limit_mb=512.0, progress=None, n_jobs=None, link: bool = False) -> np.ndarray:
    """AUC over all rows of the LLM score ``w~ x + b~`` of each listed region.

    ``link=True`` scores the float64 sigmoid of that score instead (ties where
    it saturates; aletheia-dnn and the paper's Figure 10).

    Regions are scored in blocks of at most ``AUC_BLOCK`` by ``n_jobs``
    threads (NumPy's sort releases the GIL; default: the CPU count); the
    working memory, about 40 bytes per row x region in flight, stays under
    ``memory_limit_mb``.  Each AUC is exact whatever the blocking.

    Parameters
    ----------
    X : (n, d); y_bin : 0/1 (n,); coef : (R, 1, d); intercept : (R, 1)
    regions : int array
        Regions to score; the others get NaN.

    Returns
    -------
    ndarray (R,)

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> llms = reluscope.unwrap(net, X, y)
    >>> from sklearn.metrics import roc_auc_score
    >>> from reluscope.summary import global_auc
    >>> auc = global_auc(X, y.astype(float), llms.coef_3d, llms.intercept_2d, np.array([0, 1]), n_jobs=1)
    >>> bool(np.isclose(auc[0], roc_auc_score(y, X @ llms.coef_[0] + llms.intercept_[0]))), bool(np.isnan(auc[2]))
    (True, True)
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    out = np.full(coef.shape[0], np.nan)
    n1 = y_bin.sum()
    n0 = y_bin.size - n1
    if n1 == 0 or n0 == 0 or regions.size == 0:
        return out
    pos = y_bin.astype(bool)
    n_jobs = max(1, int(n_jobs or os.cpu_count() or 1))
    per_block = max(1, min(AUC_BLOCK, int(memory_limit_mb * 2**20 // (40 * X.shape[0] * n_jobs))))
    blocks = [regions[s : s + per_block] for s in range(0, regions.size, per_block)]

    def score(block):
        S = X @ coef[block, 0, :].T + intercept[block, 0]
        if link:
            from scipy.special import expit

            S = expit(S)
        return auc_of_columns(S, pos)

    with ThreadPoolExecutor(n_jobs) as pool:
        results = pool.map(score, blocks)
        for block, auc in zip(blocks, progress_bar(results, progress=progress, desc="global AUC", unit="block", total=len(blocks))):
            out[block] = auc
    return out


def _global_accuracy(X, y_idx, coef, intercept, regions, memory_limit_mb, progress):
    out = np.full(coef.shape[0], np.nan)
    k = coef.shape[1]
    chunks = list(_region_chunks(regions, X.shape[0], memory_limit_mb, bytes_per_cell=16 * k))
    for chunk in progress_bar(chunks, progress=progress, desc="global accuracy"):
        S = np.einsum("nd,rkd->rnk", X, coef[chunk]) + intercept[chunk][:, None, :]
        out[chunk] = (S.argmax(axis=2) == y_idx[None, :]).mean(axis=1)
    return out


def _which_global(n_rows: int, n_regions: int, global_metrics) -> np.ndarray:
    if global_metrics == "all":
        return np.arange(n_regions)
    if global_metrics in (None, "none", False):
        return np.arange(0)
    if global_metrics == "auto":
        top = max(10, AUTO_GLOBAL_BUDGET // max(n_rows, 1))
        return np.arange(min(n_regions, top))
    if isinstance(global_metrics, (int, np.integer)) and global_metrics >= 0:
        return np.arange(min(n_regions, int(global_metrics)))
    raise InvalidInputError(f"global_metrics={global_metrics!r}: use 'auto', 'all', 'none' or a number of top regions.")


def _check_summary_args(global_metrics, memory_limit_mb):
    from .validation import check_global_metrics, check_positive_number

    return check_global_metrics(global_metrics), check_positive_number(memory_limit_mb, "memory_limit_mb")


def region_summary(
    llms, *, global_metrics="auto", memory_limit_mb: float = 512.0, progress=None, ddof: int = 1, global_auc_on: str = "logit"
) -> pd.DataFrame:
    """The paper's region summary for an unwrap result.

    Parameters
    ----------
    llms : LocalLinearModels
    global_metrics : 'auto', 'all', 'none' or int
        Regions whose Global AUC / Accuracy is computed (Global MSE is always
        computed for all regions, it is cheap).  'auto': all regions when
        ``n_rows * n_regions <= 1e7``, else the largest regions up to that
        budget (the others get NaN, and ``df.attrs['global_regions']`` says
        how many were computed).  An int: that many largest regions.
    memory_limit_mb : float
        Bound on the working memory of the chunked Global AUC.
    progress : bool or None
        tqdm bar over region chunks.
    ddof : {1, 0}, default 1
        Delta degrees of freedom of ``Response Std``: 1 (the sample std, NaN for
        one-row regions; aletheia-dnn 1.3.5's ``summary()`` and its notebooks) or 0
        (the population std, 0 for one-row regions; the paper's Figures 10-11
        and its "Response Std = 0" share of Figure 12).
    global_auc_on : {'logit', 'probability'}, default 'logit'
        Score whose AUC is the ``Global AUC``: the LLM's logit ``w~ x + b~``
        (exact; the default) or its float64 sigmoid, which saturates and ties
        large scores as aletheia-dnn and the paper's Figure 10 do.

    Returns
    -------
    pandas.DataFrame indexed by region id (named 'Region').

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*,
    section 4, Figures 10-11.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> llms = reluscope.unwrap(net, X, y)
    >>> from reluscope.summary import region_summary
    >>> df = region_summary(llms)
    >>> df.round(3).head(3)
            Count  Response Mean  Response Std  Local AUC  Global AUC  Trivial
    Region
    0          64          0.531         0.503      0.593       0.502    False
    1          55          0.436         0.501      0.743       0.501    False
    2          33          0.606         0.496      0.746       0.502    False

    ``Local AUC`` is the network's score on the region's own rows:

    >>> from sklearn.metrics import roc_auc_score
    >>> rows = llms.labels_ == 1
    >>> bool(np.isclose(df.loc[1, "Local AUC"], roc_auc_score(y[rows], net.forward(X[rows]))))
    True
    """
    global_metrics, memory_limit_mb = _check_summary_args(global_metrics, memory_limit_mb)
    return summary_table(
        llms.network, llms.X_, llms.y_, llms.labels_, llms.decision_, llms.coef_3d, llms.intercept_2d, llms.trivial_,
        global_metrics=global_metrics, memory_limit_mb=memory_limit_mb, progress=progress, ddof=ddof, global_auc_on=global_auc_on,
    )


def evaluate(
    llms, X, y, *, global_metrics="auto", memory_limit_mb: float = 512.0, progress=None, ddof: int = 1, global_auc_on: str = "logit"
) -> pd.DataFrame:
    """The region summary of the unwrapped LLMs on *new* data (aletheia's ``evaluate``).

    Every region of ``llms`` gets a row: Count = new rows falling in it (0
    possible, with NaN local metrics), local metrics on those rows, Global
    metrics of its LLM over all new rows.  Rows whose pattern was never seen
    in training are counted in ``df.attrs['unseen_rows']``; they enter the
    global metrics (every LLM is evaluated on every row) but no local one.
    ``ddof`` and ``global_auc_on`` as in :func:`region_summary`.

    Returns
    -------
    pandas.DataFrame indexed by region id (named 'Region').

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> llms = reluscope.unwrap(net, X, y)
    >>> from reluscope.summary import evaluate
    >>> X_test, y_test = make_cocircles(100, random_state=1)
    >>> df = evaluate(llms, X_test, y_test)
    >>> df["Count"].tolist(), df.attrs["unseen_rows"]
    ([32, 27, 14, 9, 5, 5, 8, 0], 0)
    >>> bool(np.isclose(df.loc[0, "Response Mean"], y_test[llms.region_of(X_test) == 0].mean()))
    True
    """
    global_metrics, memory_limit_mb = _check_summary_args(global_metrics, memory_limit_mb)
    X = llms.check_X(X)
    from .validation import check_target

    y = check_target(y, X.shape[0], network=llms.network)
    labels = llms.region_of(X)
    decision, _ = llms.network._forward_raw(X)
    df = summary_table(
        llms.network, X, y, labels, decision, llms.coef_3d, llms.intercept_2d, llms.trivial_,
        global_metrics=global_metrics, memory_limit_mb=memory_limit_mb, progress=progress, ddof=ddof, global_auc_on=global_auc_on,
    )
    df.attrs["unseen_rows"] = int((labels < 0).sum())
    return df


def _check_summary_options(ddof, global_auc_on) -> None:
    if isinstance(ddof, bool) or ddof not in (0, 1):
        raise InvalidInputError(f"ddof must be 1 (sample std, the default) or 0 (population std, the paper's figures), got {ddof!r}.")
    if global_auc_on not in ("logit", "probability"):
        raise InvalidInputError(f"global_auc_on must be 'logit' (the default) or 'probability' (the paper's sigmoid), got {global_auc_on!r}.")


def summary_table(
    network, X, y, labels, decision, coef, intercept, trivial, *, global_metrics="auto", memory_limit_mb=512.0, progress=None,
    ddof: int = 1, global_auc_on: str = "logit",
) -> pd.DataFrame:
    """Region summary from arrays: ``labels`` (n,) region of each row (-1: none), ``decision`` (n, k) network output.

    The engine of :func:`region_summary` and :func:`evaluate`; ``coef`` is
    (R, k, d), ``intercept`` (R, k), ``trivial`` (R,); the keywords as in
    :func:`region_summary`.

    Returns
    -------
    pandas.DataFrame indexed by region id (named 'Region').

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(200, random_state=0)
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 2)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], output="sigmoid")
    >>> llms = reluscope.unwrap(net, X, y)
    >>> from reluscope.summary import region_summary, summary_table
    >>> df = summary_table(net, X, y, llms.labels_, llms.decision_, llms.coef_3d, llms.intercept_2d, llms.trivial_)
    >>> df.equals(region_summary(llms))
    True
    """
    _check_summary_options(ddof, global_auc_on)
    net = network
    R = coef.shape[0]
    keep = labels >= 0
    lab = labels[keep]
    counts = np.bincount(lab, minlength=R)
    df = pd.DataFrame({"Count": counts}, index=pd.Index(np.arange(R), name="Region"))
    task = net.task
    df.attrs["task"] = task
    with np.errstate(invalid="ignore", divide="ignore"):
        if y is not None:
            regions = _which_global(X.shape[0], R, global_metrics)
            df.attrs["global_regions"] = int(regions.size)
            if task in ("regression", "binary"):
                yv = binary_response(y, net.classes) if task == "binary" else np.asarray(y, np.float64)
                Y = yv.reshape(len(yv), -1)
                Yk = Y[keep]
                mean = np.stack([np.bincount(lab, weights=Yk[:, j], minlength=R) for j in range(Y.shape[1])], 1) / counts[:, None]
                sq = np.stack([np.bincount(lab, weights=(Yk[:, j] - mean[lab, j]) ** 2, minlength=R) for j in range(Y.shape[1])], 1)
                std = np.sqrt(sq / (counts[:, None] - ddof))
                # a constant response has std exactly 0 (the bincount mean may be off by round-off)
                lo = np.full((R, Y.shape[1]), np.inf)
                hi = np.full((R, Y.shape[1]), -np.inf)
                np.minimum.at(lo, lab, Yk)
                np.maximum.at(hi, lab, Yk)
                std[lo == hi] = 0.0
                std[counts <= ddof] = np.nan
                df["Response Mean"] = mean.mean(axis=1)
                df["Response Std"] = std.mean(axis=1)
            if task == "regression":
                resid2 = ((Yk - decision[keep]) ** 2).mean(axis=1)
                df["Local MSE"] = np.bincount(lab, weights=resid2, minlength=R) / counts
                df["Global MSE"] = global_mse(X, Y, coef, intercept)
            elif task == "binary":
                df["Local AUC"] = grouped_auc(lab, decision[keep, 0], yv[keep], R)
                df["Global AUC"] = global_auc(
                    X, yv, coef, intercept, regions, memory_limit_mb=memory_limit_mb, progress=progress, link=global_auc_on == "probability"
                )
            elif task == "multiclass":
                classes = net.classes if net.classes is not None else np.arange(net.n_outputs)
                unknown = ~np.isin(y, classes)
                if unknown.any():
                    raise InvalidInputError(f"y holds labels {np.unique(y[unknown])[:5].tolist()} not among the classes {list(classes)}.")
                order = np.argsort(classes)
                y_idx = order[np.searchsorted(np.asarray(classes)[order], y)]
                table = np.zeros((R, len(classes)))
                np.add.at(table, (lab, y_idx[keep]), 1.0)
                df["Majority Class"] = np.asarray(classes)[table.argmax(axis=1)]
                df["Majority Share"] = table.max(axis=1) / counts
                correct = (decision[keep].argmax(axis=1) == y_idx[keep]).astype(np.float64)
                df["Local Accuracy"] = np.bincount(lab, weights=correct, minlength=R) / counts
                df["Global Accuracy"] = _global_accuracy(X, y_idx, coef, intercept, regions, memory_limit_mb, progress)
            else:  # multilabel: mean response per region, averaged over labels
                Y = np.asarray(y, np.float64).reshape(len(y), -1)[keep]
                df["Response Mean"] = np.stack([np.bincount(lab, weights=Y[:, j], minlength=R) for j in range(Y.shape[1])], 1).mean(1) / counts
    df["Trivial"] = trivial
    return df
