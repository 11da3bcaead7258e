"""Numeric parameters, region ids, targets and activations x bad values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import reluscope

from ._catalogue import X0, Y0
from ._support import brute_forward, brute_regions, make_net, run_case

NET = make_net()
NET2 = make_net(sizes=(3, 6, 2), seed=3)
NETB = make_net(sizes=(3, 5, 1), seed=4, output="sigmoid", classes=["no", "yes"])
X_TRAIN = np.random.default_rng(1).normal(size=(80, 3))
LLMS = reluscope.unwrap(NET, X_TRAIN, X_TRAIN.sum(axis=1))
R = LLMS.n_regions
BAD_INTS = [0, -1, 2.5, np.nan, True, "8", None, np.inf]


# ------------------------------------------------------------------ chunk_size
@pytest.mark.parametrize("value", BAD_INTS, ids=repr)
def test_unwrap_chunk_size_bad(value):
    run_case(lambda: reluscope.unwrap(NET, X0, chunk_size=value), None, ("chunk_size",))


@pytest.mark.parametrize("value", BAD_INTS, ids=repr)
def test_unwrapper_chunk_size_bad(value):
    run_case(lambda: reluscope.Unwrapper(NET, chunk_size=value).fit(X0), None, ("chunk_size",))


@pytest.mark.parametrize("value", [1, 2, 5, np.int64(3), 10**9])
def test_unwrap_chunk_size_good(value):
    llms = run_case(lambda: reluscope.unwrap(NET, X_TRAIN, chunk_size=value), lambda: {"decision_": brute_forward(NET, X_TRAIN)[0]}, ("chunk_size",))
    assert llms is not None and llms.max_error_ < 1e-12


# ------------------------------------------------------------- memory_limit_mb
BAD_MB = [0, -1, np.nan, np.inf, "10", None, True]


@pytest.mark.parametrize("value", BAD_MB, ids=repr)
def test_summary_memory_limit_bad(value):
    run_case(lambda: LLMS.summary(memory_limit_mb=value), None, ("memory_limit_mb",))


@pytest.mark.parametrize("value", BAD_MB, ids=repr)
def test_evaluate_memory_limit_bad(value):
    run_case(lambda: LLMS.evaluate(X0, Y0, memory_limit_mb=value), None, ("memory_limit_mb",))


@pytest.mark.parametrize("value", [1e-6, 1, np.float32(4.0)], ids=repr)
def test_summary_memory_limit_good(value):
    run_case(lambda: LLMS.summary(memory_limit_mb=value), lambda: LLMS.summary(), ("memory_limit_mb",))


@pytest.mark.parametrize("value", [-1, 2.5, "foo", np.nan, True, "ALL", [3]], ids=repr)
def test_summary_global_metrics_bad(value):
    run_case(lambda: LLMS.summary(global_metrics=value), None, ("global_metrics",))


# ------------------------------------------------------------------ region ids
BAD_IDS = [-1, R, R + 7, 1.5, "0", [0, -1], [[0]], np.array([0.5]), True]


@pytest.mark.parametrize("ids", BAD_IDS, ids=repr)
def test_coefficients_bad_ids(ids):
    run_case(lambda: LLMS.coefficients(ids), None, ("regions",))


@pytest.mark.parametrize("ids", BAD_IDS, ids=repr)
def test_patterns_bad_ids(ids):
    run_case(lambda: LLMS.patterns(ids), None, ("regions",))


@pytest.mark.parametrize("ids", BAD_IDS, ids=repr)
def test_pattern_strings_bad_ids(ids):
    run_case(lambda: LLMS.pattern_strings(ids), None, ("regions",))


@pytest.mark.parametrize("region", [-1, R, R + 1, 1.5, "0", None, True], ids=repr)
def test_region_inequalities_bad_id(region):
    run_case(lambda: LLMS.region_inequalities(region), None, ("region",))


@pytest.mark.parametrize("ids", [[R] * 7, [0] * 6, [0.5] * 7, [-2] * 7, np.zeros((7, 1), int)], ids=repr)
def test_llm_decision_bad_regions(ids):
    run_case(lambda: LLMS.llm_decision(X0, regions=ids), None, ("regions",))


def _brute_patterns():
    _, pat = brute_forward(NET, X_TRAIN)
    return pat


def test_good_ids_agree_with_brute_force():
    pat = _brute_patterns()
    reg = brute_regions(LLMS, X_TRAIN)
    first = int(np.flatnonzero(reg == R - 1)[0])
    assert np.array_equal(LLMS.patterns([R - 1])[0], pat[first])
    coef = LLMS.coefficients([0, R - 1])
    assert list(coef.index) == [0, R - 1]
    A, c = LLMS.region_inequalities(R - 1)
    assert np.all(A @ X_TRAIN[first] <= c + 1e-9)
    # -1 in llm_decision is documented: "unseen", NaN
    out = LLMS.llm_decision(X0[:2], regions=[-1, 0])
    assert np.isnan(out[0]) and np.isfinite(out[1])


# ---------------------------------------------------------------------- targets
def _local_mse(net, X, y):
    eta = brute_forward(net, X)[0]
    llms = reluscope.unwrap(net, X, verify=False)
    reg = brute_regions(llms, X)
    Y = np.asarray(y, float).reshape(len(y), -1)
    per = ((Y - eta) ** 2).mean(axis=1)
    return np.array([per[reg == r].mean() for r in range(llms.n_regions)])


Y_BAD_1OUT = [
    ("none_object", np.array([1.0, None, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=object)),
    ("strings", np.array(list("abcdefg"))),
    ("numeric_strings_object", np.array(["1"] * 7, dtype=object)),
    ("short", Y0[:6]),
    ("long", np.r_[Y0, 1.0]),
    ("two_columns", np.c_[Y0, Y0]),
    ("three_d", Y0.reshape(7, 1, 1)),
    ("nan", np.r_[Y0[:6], np.nan]),
    ("inf", np.r_[np.inf, Y0[1:]]),
    ("nullable_na", pd.Series(pd.array([1, 2, None, 4, 5, 6, 7], dtype="Int64"))),
    ("scalar", 3.0),
    ("complex", Y0 + 1j),
]
Y_GOOD_1OUT = [
    ("column", Y0.reshape(7, 1)),
    ("list", Y0.tolist()),
    ("series", pd.Series(Y0)),
    ("nullable_int", pd.Series(pd.array([1, 2, 3, 4, 5, 6, 7], dtype="Int64"))),
    ("frame_one_column", pd.DataFrame({"y": Y0})),
]


@pytest.mark.parametrize("case", Y_BAD_1OUT, ids=[c[0] for c in Y_BAD_1OUT])
@pytest.mark.parametrize("entry", ["unwrap", "evaluate", "pattern_overlap"])
def test_bad_target(entry, case):
    y = case[1]
    if entry == "unwrap":
        run_case(lambda: reluscope.unwrap(NET, X0, y).summary(), None, ("y",))
    elif entry == "evaluate":
        run_case(lambda: LLMS.evaluate(X0, y), None, ("y",))
    else:
        from reluscope.diagnose import pattern_overlap

        run_case(lambda: pattern_overlap(LLMS, X0, y).metric, None, ("y_test",))


@pytest.mark.parametrize("case", Y_GOOD_1OUT, ids=[c[0] for c in Y_GOOD_1OUT])
def test_good_target(case):
    y = case[1]
    yv = np.asarray(pd.Series(np.ravel(np.asarray(y, dtype=float))))
    run_case(lambda: reluscope.unwrap(NET, X0, y).summary()["Local MSE"].to_numpy(), lambda: _local_mse(NET, X0, yv), ("y",))


@pytest.mark.parametrize("y", [Y0, np.c_[Y0, Y0, Y0], Y0.reshape(7, 1)], ids=["1d", "three_columns", "one_column"])
def test_target_width_must_match_outputs(y):
    run_case(lambda: reluscope.unwrap(NET2, X0, y).summary(), None, ("y",))


def test_two_output_target_accepted():
    Y = np.c_[Y0, -Y0]
    run_case(lambda: reluscope.unwrap(NET2, X0, Y).summary()["Local MSE"].to_numpy(), lambda: _local_mse(NET2, X0, Y), ("y",))


@pytest.mark.parametrize(
    "y",
    [np.array(["no", "yes", "maybe", "no", "yes", "no", "no"]), np.array(["no", None, "yes", "no", "yes", "no", "no"], dtype=object), np.r_[0, 1, 0, 1, 0, 1, 0]],
    ids=["unknown_label", "none_label", "integers_for_string_classes"],
)
def test_binary_bad_labels(y):
    run_case(lambda: reluscope.unwrap(NETB, X0, y).summary(), None, ("y",))


# ------------------------------------------------------------------ activations
def _leaky_net(act):
    rng = np.random.default_rng(5)
    return reluscope.from_arrays([rng.normal(size=(4, 3)), rng.normal(size=(1, 4))], [rng.normal(size=4), np.zeros(1)], activation=act)


@pytest.mark.parametrize("act", ["leaky_relu:0.1", "leaky_relu(0.1)", "LeakyReLU:0.1", ("leaky_relu", 0.1), 0.1, "0.1"], ids=repr)
def test_leaky_spellings_accepted(act):
    net = run_case(lambda: _leaky_net(act), lambda: {"slopes": (0.1,)}, ("activation",))
    assert net is not None


@pytest.mark.parametrize("act", ["tanh", "leaky_relu:x", "leaky_relu:", np.nan, np.inf, "nan", None, ("leaky_relu", "a")], ids=repr)
def test_bad_activation(act):
    run_case(lambda: _leaky_net(act), None, ("activation",))


@pytest.mark.parametrize("y", [np.array(list("abcdefg")), np.array([1.0, None, 2, 3, 4, 5, 6], dtype=object)], ids=["strings", "none"])
def test_bad_target_refused_at_unwrap_not_later(y):
    with pytest.raises(reluscope.InvalidInputError, match=r"\by\b"):
        reluscope.unwrap(NET, X0, y)
