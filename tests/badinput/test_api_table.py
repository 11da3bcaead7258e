"""Every public entry point that takes a feature matrix x the catalogue of bad values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import reluscope
from reluscope.diagnose import pattern_overlap

from ._catalogue import X0, Y0, catalogue
from ._support import NAMES, brute_forward, brute_regions, make_net, run_case

NET = make_net()
NET_NAMED = make_net(feature_names=NAMES)
X_TRAIN = np.random.default_rng(1).normal(size=(80, 3))
Y_TRAIN = X_TRAIN.sum(axis=1)
LLMS = reluscope.unwrap(NET, pd.DataFrame(X_TRAIN, columns=list(NAMES)), Y_TRAIN)  # names seen at fit
LLMS_NP = reluscope.unwrap(NET, X_TRAIN, Y_TRAIN)  # no names seen


def _eta(net, X):
    return brute_forward(net, X)[0]


def _llm_ref(llms, X):
    eta = _eta(llms.network, X)[:, 0]
    return np.where(brute_regions(llms, X) >= 0, eta, np.nan)


def _count_ref(llms, X):
    reg = brute_regions(llms, X)
    return np.bincount(reg[reg >= 0], minlength=llms.n_regions)


def _y(n=7):
    return Y0[:n]


# (id, named?, words, call(X), reference(X_ref))
ENTRIES = [
    ("LocalLinearModels.region_of", True, ("X",), lambda X: LLMS.region_of(X), lambda R: brute_regions(LLMS, R)),
    ("LocalLinearModels.llm_decision", True, ("X",), lambda X: LLMS.llm_decision(X), lambda R: _llm_ref(LLMS, R)),
    ("LocalLinearModels.verify", True, ("X",), lambda X: LLMS.verify(X), lambda R: 0.0),
    ("LocalLinearModels.evaluate", True, ("X",), lambda X: LLMS.evaluate(X, _y())["Count"].to_numpy(), lambda R: _count_ref(LLMS, R)),
    ("diagnose.pattern_overlap", True, ("X_test",), lambda X: pattern_overlap(LLMS, X).test_region, lambda R: brute_regions(LLMS, R)),
    ("ReLUNetwork(named).forward", True, ("X",), lambda X: NET_NAMED.forward(X), lambda R: _eta(NET_NAMED, R)[:, 0]),
    ("unwrap(named network)", True, ("X",), lambda X: reluscope.unwrap(NET_NAMED, X).decision_, lambda R: _eta(NET_NAMED, R)),
    ("ReLUNetwork.forward", False, ("X",), lambda X: NET.forward(X), lambda R: _eta(NET, R)[:, 0]),
    ("ReLUNetwork.patterns", False, ("X",), lambda X: NET.patterns(X), lambda R: brute_forward(NET, R)[1]),
    ("ReLUNetwork.preactivations", False, ("X",), lambda X: NET.preactivations(X)[0], lambda R: R @ NET.weights[0].T + NET.biases[0]),
    ("unwrap", False, ("X",), lambda X: reluscope.unwrap(NET, X).decision_, lambda R: _eta(NET, R)),
    ("Unwrapper.fit", False, ("X",), lambda X: reluscope.Unwrapper(NET).fit(X).llms_.X_, lambda R: R),
    ("LocalLinearModels(no names).region_of", False, ("X",), lambda X: LLMS_NP.region_of(X), lambda R: brute_regions(LLMS_NP, R)),
]

CASES = [
    pytest.param(entry, item, id=f"{entry[0]}-{item[0]}")
    for entry in ENTRIES
    for item in catalogue()
]


@pytest.mark.parametrize("entry,item", CASES)
def test_feature_matrix(entry, item):
    _, named, words, call, ref = entry
    _, value, ref_named, ref_pos, must_accept = item
    R = ref_named if named else ref_pos
    if entry[0].endswith(".verify") and item[0] == "none":
        R = X_TRAIN  # verify(None) is documented: the unwrapped data
    out = run_case(lambda: call(value), None if R is None else (lambda: ref(R)), words)
    if must_accept:
        assert out is not None, "valid data was refused"


# --------------------------------------------------------------- explain_instance: one row
X1 = X0[:1]
EXPLAIN = [
    ("row_1d", X0[0], X1, True),
    ("row_list", list(X0[0]), X1, True),
    ("one_row_frame", pd.DataFrame(X1, columns=list(NAMES)), X1, True),
    ("series_reordered", pd.Series(X0[0, [2, 0, 1]], index=list("cab")), X1, True),
    ("frame_reordered", pd.DataFrame(X0[:1, [1, 2, 0]], columns=list("bca")), X1, True),
    ("series_missing_name", pd.Series(X0[0, :2], index=list("ab")), None, False),
    ("series_renamed", pd.Series(X0[0], index=list("abz")), None, False),
    ("two_rows", X0[:2], None, False),
    ("nan", np.array([np.nan, 1.0, 2.0]), None, False),
    ("inf", np.array([np.inf, 1.0, 2.0]), None, False),
    ("short", X0[0, :2], None, False),
    ("string", np.array(["1", "2", "x"]), None, False),
    ("none", None, None, False),
    ("sparse_row", sp.csr_matrix(X1), X1, True),
]


@pytest.mark.parametrize("case", EXPLAIN, ids=[c[0] for c in EXPLAIN])
def test_explain_instance(case):
    from reluscope.interpret import explain_instance

    _, x, R, must_accept = case
    ref = None if R is None else (lambda: {"region": int(brute_regions(LLMS, R)[0]), "decision": float(_eta(NET, R)[0, 0])})
    out = run_case(lambda: explain_instance(LLMS, x), ref, ("x",))
    if must_accept:
        assert out is not None


@pytest.mark.parametrize("output", [-1, 1, 0.5, "0", True, None, np.nan])
def test_explain_instance_output(output):
    from reluscope.interpret import explain_instance

    run_case(lambda: explain_instance(LLMS, X0[0], output=output), None, ("output",))


def test_one_feature_name_rule_everywhere():
    """The same reordered rows land in the same region whichever entry point is asked."""
    from reluscope.interpret import explain_instance

    df = pd.DataFrame(X0[:, [2, 0, 1]], columns=list("cab"))
    ref = brute_regions(LLMS, X0)
    assert np.array_equal(LLMS.region_of(df), ref)
    assert np.array_equal(pattern_overlap(LLMS, df).test_region, ref)
    assert [explain_instance(LLMS, df.iloc[i]).region for i in range(7)] == ref.tolist()
    assert np.allclose(LLMS.llm_decision(df), _llm_ref(LLMS, X0), equal_nan=True)
    assert np.array_equal(LLMS.evaluate(df, Y0)["Count"].to_numpy(), _count_ref(LLMS, X0))


def test_report_and_simplify_follow_the_name_rule():
    from reluscope.report._write import _check_test

    df = pd.DataFrame(X0[:, [2, 0, 1]], columns=list("cab"))
    X, _ = _check_test(LLMS, df, None)
    assert np.array_equal(X, X0)


REPORT_BAD = [
    ("nan", pd.DataFrame(np.where(np.eye(7, 3) > 0, np.nan, X0), columns=list(NAMES)), Y0, ("X_test",)),
    ("missing_name", pd.DataFrame(X0[:, :2], columns=list("ab")), Y0, ("X_test",)),
    ("renamed", pd.DataFrame(X0, columns=list("abz")), Y0, ("X_test",)),
    ("y_short", pd.DataFrame(X0, columns=list(NAMES)), Y0[:5], ("y_test",)),
    ("y_strings", pd.DataFrame(X0, columns=list(NAMES)), np.array(list("abcdefg")), ("y_test",)),
    ("y_two_columns", pd.DataFrame(X0, columns=list(NAMES)), np.c_[Y0, Y0], ("y_test",)),
]


@pytest.mark.parametrize("case", REPORT_BAD, ids=[c[0] for c in REPORT_BAD])
def test_report_bad_test_data(tmp_path, case):
    _, X, y, words = case
    run_case(lambda: LLMS.report(tmp_path / "r.html", X_test=X, y_test=y), None, words)
    assert not (tmp_path / "r.html").exists()
