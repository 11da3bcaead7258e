"""Counterfactuals of many rows, one row per worker process (the cores of the machine each prove a row)."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError
from .counterfactual import CounterfactualResult, counterfactual

__all__ = ["counterfactuals"]


def counterfactuals(network, X, target=None, norm=1, *, n_jobs: int = 1, **options) -> list[CounterfactualResult]:
    """:func:`counterfactual` for every row of ``X``, ``n_jobs`` rows at a time.

    Each row is solved by :func:`counterfactual` with the same ``target``, ``norm`` and
    keyword ``options`` (``box``, ``immutable``, ``time_limit``, ...); with ``n_jobs > 1`` the
    rows are spread over that many worker processes (joblib's loky executor, started on the
    first call and reused), one row per task, so ``time_limit`` stays a limit *per row* and
    ``n_jobs`` rows are solved at once.  The results are exactly those of the row-by-row
    calls (same proofs, same ``optimal`` flags); only the wall time changes: about
    ``len(X) / n_jobs`` times the per-row time on an otherwise idle machine with ``n_jobs`` cores.

    Parameters
    ----------
    network : ReLUNetwork
    X : array (n, d)
    target, norm : as in :func:`counterfactual`
    n_jobs : int, default 1 -- worker processes (``-1``: one per CPU)
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
    from ..geometry.enumerate import _check_n_jobs

    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise InvalidInputError(f"X must be a 2-D array of rows (n, d), got shape {X.shape}; pass one row as [x].")
    n_jobs = _check_n_jobs(n_jobs)
    if n_jobs == 1 or len(X) < 2:
        return [counterfactual(network, x, target, norm, **options) for x in X]
    from joblib import Parallel, delayed

    return Parallel(n_jobs=n_jobs, backend="loky", batch_size=1)(
        delayed(counterfactual)(network, x, target, norm, **options) for x in X)
