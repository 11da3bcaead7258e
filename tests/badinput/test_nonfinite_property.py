"""Property: ``verify`` never passes when any network output (or LLM error) is non-finite."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reluscope
from reluscope.errors import InvalidInputError, NotExactError

from ..strategies import networks

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _eta(net, X):
    with np.errstate(all="ignore"):
        return net._forward_raw(np.asarray(X, np.float64))[0]


@SETTINGS
@given(networks(max_depth=3, max_width=16, max_dim=8), st.sampled_from([100, 200, 300, 306, 307, 308]), st.data())
def test_huge_rows_never_certified(net_X, exponent, data):
    net, X = net_X
    rows = data.draw(st.lists(st.integers(0, X.shape[0] - 1), min_size=1, max_size=3))
    Xb = X.copy()
    with np.errstate(over="ignore"):
        Xb[rows] = np.clip(Xb[rows] * 10.0**exponent, -1e308, 1e308)
    eta = _eta(net, Xb)
    try:
        llms = reluscope.unwrap(net, Xb)
    except NotExactError as exc:
        assert "row" in str(exc)
        return
    except InvalidInputError:
        return
    # accepted: then everything certified must be finite and within tolerance
    assert np.isfinite(eta).all(), "verify passed with a non-finite network output"
    assert np.isfinite(llms.max_error_)


@SETTINGS
@given(networks(max_depth=3, max_width=16, max_dim=8), st.sampled_from([150, 300, 306, 307, 308]))
def test_verify_on_new_rows_never_passes_non_finite(net_X, exponent):
    net, X = net_X
    llms = reluscope.unwrap(net, X)
    Xb = np.clip(X * 10.0**exponent, -1e308, 1e308) if exponent else X
    eta = _eta(net, Xb)
    try:
        err = llms.verify(Xb)
    except (NotExactError, InvalidInputError):
        return
    assert np.isfinite(eta).all() and np.isfinite(err)


@SETTINGS
@given(networks(max_depth=2, max_width=8, max_dim=5), st.integers(290, 308))
def test_huge_weights_never_certified(net_X, exponent):
    net, X = net_X
    W = [w.copy() for w in net.weights]
    with np.errstate(over="ignore"):
        W[0] = np.clip(W[0] * 10.0**exponent, -1e308, 1e308)
    big = reluscope.ReLUNetwork(W, net.biases, slopes=net.slopes, output=net.output)
    Xs = X * 1e6
    eta = _eta(big, Xs)
    try:
        llms = reluscope.unwrap(big, Xs)
    except (NotExactError, InvalidInputError):
        return
    assert np.isfinite(eta).all() and np.isfinite(llms.max_error_)


def test_nan_output_is_refused_naming_rows():
    net = reluscope.ReLUNetwork([np.array([[1e308], [-1e308]]), np.array([[1e308, 1e308]])], [np.zeros(2), np.zeros(1)])
    X = np.array([[0.0], [1.0], [2.0], [0.5]])
    with pytest.raises(NotExactError, match=r"row"):
        reluscope.unwrap(net, X)
    llms = reluscope.unwrap(net, X[:1])
    with pytest.raises(NotExactError, match=r"row"):
        llms.verify(X)
