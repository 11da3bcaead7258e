"""Independent brute force for the certificate tests: every pattern of a small net, one LP each (SciPy HiGHS)."""

from __future__ import annotations

import itertools

import numpy as np
from scipy.optimize import linprog


def all_patterns(net):
    return [np.array(b, bool) for b in itertools.product([0, 1], repeat=net.n_hidden_units)]


def interior_radius(A, c, box):
    """Largest inscribed ball of {A y <= c} & box (an LP written here, not the library's)."""
    d = A.shape[1]
    G = np.vstack([A, np.eye(d), -np.eye(d)])
    h = np.concatenate([c, box[:, 1], -box[:, 0]])
    nrm = np.linalg.norm(G, axis=1)
    res = linprog(np.r_[np.zeros(d), -1.0], A_ub=np.column_stack([G, nrm]), b_ub=h,
                  bounds=[(None, None)] * d + [(0, None)], method="highs")
    return (res.x[:d], res.x[-1]) if res.status == 0 else (None, 0.0)


def min_l1_linf(G, h, x, norm, lo, hi):
    """min ||y - x||_1 or _inf over {G y <= h, lo <= y <= hi}: an LP in (y, t)."""
    d = x.size
    if norm == 1:
        cost = np.r_[np.zeros(d), np.ones(d)]
        T = -np.eye(d)
    else:
        cost = np.r_[np.zeros(d), 1.0]
        T = -np.ones((d, 1))
    nt = T.shape[1]
    A = np.vstack([np.hstack([G, np.zeros((G.shape[0], nt))]), np.hstack([np.eye(d), T]), np.hstack([-np.eye(d), T])])
    b = np.concatenate([h, x, -x])
    res = linprog(cost, A_ub=A, b_ub=b, bounds=[(l, u) for l, u in zip(lo, hi)] + [(0, None)] * nt, method="highs")
    return res.fun if res.status == 0 else np.inf
