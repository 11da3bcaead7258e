"""Counterfactuals of many rows, one row per worker process (the cores of the machine each prove a row)."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from .counterfactual import CounterfactualResult, counterfactual

__all__ = ["counterfactuals"]

PASS_GROWTH = 1.5  # a further pass only when it gives each open row at least this many times the last limit
PASS_SHARE = 0.95  # of the time left, for a pass (the rest: dispatch, set-up and tightening past the limit)


def counterfactuals(network, X, target=None, norm=1, *, n_jobs: int = 1, total_time: float | None = None,
                    **options) -> list[CounterfactualResult]:
    """:func:`counterfactual` for every row of ``X``, ``n_jobs`` rows at a time.

    Each row is solved by :func:`counterfactual` with the same ``target``, ``norm`` and
    keyword ``options`` (``box``, ``immutable``, ``time_limit``, ...); with ``n_jobs > 1`` the
    rows are spread over that many worker processes (joblib's loky executor, started on the
    first call and reused), one row per task, so ``time_limit`` stays a limit *per row* and
    ``n_jobs`` rows are solved at once.  The results are those of the row-by-row calls (same
    proofs, same ``optimal`` flags); only the wall time changes: about ``len(X) / n_jobs``
    times the per-row time on an otherwise idle machine with ``n_jobs`` cores.

    ``total_time`` (seconds of wall time for all rows, optional): the time the first pass
    leaves is shared by the rows it did not prove, which are solved again from the start with
    ``time_limit`` = that time / the number of rounds of ``n_jobs`` rows; passes repeat while each
    row solved again gets at least 1.5 times the last limit, and when the time left does not
    allow that for all open rows, the rows with the smallest relative gap
    ``(distance - lower_bound) / distance`` go first.  A row's result is replaced only by a proof or a
    closer point, never by a worse one, its ``lower_bound`` is the largest of the passes' (all
    are proofs), and its ``seconds`` count every pass.

    Parameters
    ----------
    network : ReLUNetwork
    X : array (n, d)
    target, norm : as in :func:`counterfactual`
    n_jobs : int, default 1 -- worker processes (``-1``: one per CPU)
    total_time : float, optional -- wall-time budget of the whole call (needs ``time_limit``)
    **options : keyword arguments of :func:`counterfactual`

    Returns
    -------
    list of CounterfactualResult
        One per row, in the order of ``X``.

    Examples
    --------
    ``eta = relu(x1) + relu(x2) - 1``: the closest approval of ``(0, 0)`` is at L1 distance 1,
    that of ``(0.5, 0)`` at 0.5 (plus the margin ``1e-6``):

    >>> import reluscope
    >>> from reluscope.certify import counterfactuals
    >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.array([-1.0])], output="sigmoid")
    >>> [round(r.distance, 4) for r in counterfactuals(net, [[0.0, 0.0], [0.5, 0.0]])]
    [1.0, 0.5]
    """
    import time

    from ..geometry.enumerate import _check_n_jobs

    t0 = time.perf_counter()
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise InvalidInputError(f"X must be a 2-D array of rows (n, d), got shape {X.shape}; pass one row as [x].")
    n_jobs = _check_n_jobs(n_jobs)
    if total_time is not None and (options.get("time_limit") is None or not total_time > 0):
        raise InvalidInputError("total_time needs a positive value and a time_limit per row for the first pass.")
    results = _solve_rows(network, X, target, norm, n_jobs, options)
    limit = options.get("time_limit")
    while total_time is not None:  # passes with more time each for the rows still open
        left = total_time - (time.perf_counter() - t0)
        todo = [i for i, r in enumerate(results) if not r.optimal]
        rounds = int(left // (PASS_GROWTH * limit)) if left > 0.0 else 0  # rounds of n_jobs rows that fit
        if not todo or rounds < 1:
            break
        if len(todo) > rounds * n_jobs:  # not time for all: the rows closest to a proof (smallest relative gap)
            gap = [(results[i].distance - results[i].lower_bound) / max(results[i].distance, 1e-12) for i in todo]
            todo = sorted(todo[k] for k in np.argsort(gap, kind="stable")[: rounds * n_jobs])
        per_row = PASS_SHARE * left / -(-len(todo) // n_jobs)  # the pass ends within the budget
        limit = per_row
        again = _solve_rows(network, X[todo], target, norm, n_jobs, {**options, "time_limit": per_row})
        for i, r in zip(todo, again):
            first = results[i]
            best = r if (r.optimal or r.distance < first.distance) else first
            best.seconds = r.seconds + first.seconds
            if not best.optimal:  # both lower bounds are proofs about the same row: keep the larger
                best.lower_bound = min(max(first.lower_bound, r.lower_bound), best.distance)
            results[i] = best
    return results


def _solve_rows(network, X, target, norm, n_jobs, options):
    if n_jobs == 1 or len(X) < 2:
        return [counterfactual(network, x, target, norm, **options) for x in X]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs, backend="loky", batch_size=1)(
        delayed(counterfactual)(network, x, target, norm, **options) for x in X)
