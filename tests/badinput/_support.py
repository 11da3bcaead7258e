"""Shared pieces of the bad-input suite: small networks, a brute-force reference, the case checker.

Every case either returns a value that must equal an independent computation
(a plain NumPy forward pass written here, not reluscope's) or raises a
:class:`reluscope.ReluscopeError` whose message names the offending argument.
Anything else -- a raw NumPy / pandas / zip / protobuf exception, or an
accepted call that disagrees with the reference -- fails the case.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import reluscope
from reluscope.errors import ReluscopeError

NAMES = ("a", "b", "c")


def make_net(sizes=(3, 6, 5, 1), seed=0, slopes=0.0, output="identity", feature_names=None, classes=None):
    rng = np.random.default_rng(seed)
    W = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    b = [rng.normal(size=o) * 0.5 for o in sizes[1:]]
    return reluscope.ReLUNetwork(W, b, slopes=slopes, output=output, feature_names=feature_names, classes=classes)


def brute_forward(net, X):
    """eta and the on/off pattern of every hidden unit, by a plain loop over layers."""
    h = np.asarray(X, dtype=np.float64)
    bits = []
    Ws, bs = net.weights, net.biases
    for W, b, s in zip(Ws[:-1], bs[:-1], net.slopes):
        z = h @ np.asarray(W).T + b
        bits.append(z > 0)
        h = np.where(z > 0, z, s * z)
    eta = h @ np.asarray(Ws[-1]).T + bs[-1]
    pat = np.concatenate(bits, axis=1) if bits else np.zeros((h.shape[0], 0), bool)
    return eta, pat


def brute_regions(llms, X):
    """Region id of each row by dictionary look-up of its brute-force pattern (-1: unseen)."""
    _, pat = brute_forward(llms.network, X)
    table = {tuple(p): r for r, p in enumerate(llms.patterns())}
    return np.array([table.get(tuple(p), -1) for p in pat], dtype=np.int64)


def names_argument(message: str, words) -> bool:
    """Does ``message`` name one of ``words`` (as a whole word / option)?"""
    for w in words:
        if re.search(r"(?<![A-Za-z0-9_])" + re.escape(w) + r"(?![A-Za-z0-9_])", message):
            return True
    return False


def run_case(call, expected, words):
    """Run one table case.

    expected : callable returning the independent value, or None when the call
        must be refused.  ``words``: the argument names an error must mention.
    """
    try:
        result = call()
    except ReluscopeError as exc:
        msg = str(exc)
        assert names_argument(msg, words), f"{type(exc).__name__} does not name {words}: {msg}"
        assert "Traceback" not in msg
        return None
    except Exception as exc:  # noqa: BLE001 - the point of the suite
        pytest.fail(f"raw {type(exc).__module__}.{type(exc).__name__} instead of a reluscope error: {exc}")
    if expected is None:
        pytest.fail(f"accepted a bad value (returned {type(result).__name__}); it must be refused naming {words}")
    ref = expected()
    compare(result, ref)
    return result


def compare(result, ref):
    if isinstance(ref, dict):
        for k, v in ref.items():
            compare(result[k] if isinstance(result, dict) else getattr(result, k), v)
        return
    if isinstance(ref, pd.DataFrame):
        pd.testing.assert_frame_equal(result, ref, check_exact=False, rtol=1e-9, atol=1e-9)
        return
    r, e = np.asarray(result), np.asarray(ref)
    assert r.shape == e.shape, f"shape {r.shape} != reference {e.shape}"
    if np.issubdtype(e.dtype, np.floating):
        scale = max(1.0, float(np.nanmax(np.abs(e))) if np.isfinite(e).any() else 1.0)
        np.testing.assert_allclose(r, e, rtol=1e-9, atol=1e-9 * scale, equal_nan=True)
    else:
        np.testing.assert_array_equal(r, e)
