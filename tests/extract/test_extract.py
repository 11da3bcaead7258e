"""reluscope.extract: oracle budget, exact extraction, alignment, tanh detection, thesis surrogate."""

import warnings

import numpy as np
import pytest
from scipy.spatial import cKDTree

import reluscope
from reluscope import ReLUNetwork
from reluscope.errors import ExtractionError, NotPiecewiseLinearError, QueryBudgetExceededError, ShapeMismatchError
from reluscope.extract import (
    QueryOracle, align_networks, extract_network, fit_local_linear, gershgorin_rows, l1_path,
)
from tests.strategies import random_network


def test_oracle_counts_and_enforces_budget():
    net = random_network(np.random.default_rng(0), [3, 4, 1])
    o = QueryOracle(net, budget=10)
    o(np.zeros((6, 3)))
    assert o.n_queries == 6
    with pytest.raises(QueryBudgetExceededError):
        o(np.zeros((5, 3)))
    assert o.n_queries == 6  # the refused batch is not charged


def test_oracle_degrades_outputs():
    net = random_network(np.random.default_rng(1), [3, 4, 1])
    X = np.random.default_rng(2).normal(size=(50, 3))
    y = net.decision_function(X)
    assert np.array_equal(QueryOracle(net, float32=True)(X), y.astype(np.float32).astype(float))
    assert np.array_equal(QueryOracle(net, hard_label=True)(X), (y > 0).astype(float))
    G = QueryOracle(net, gradient=True).gradient(X)
    h = 1e-6
    fd = (net.decision_function(X + h * np.eye(3)[0]) - y) / h
    assert np.allclose(G[:, 0], fd, atol=1e-6)


def test_extracts_random_10_32_1_to_1e_9():
    net = random_network(np.random.default_rng(0), [10, 32, 1])
    oracle = QueryOracle(net)
    res = extract_network(oracle, 1, hidden_sizes=(32,), random_state=1)
    al = align_networks(net, res.network)
    print(f"10-32-1: {res.n_queries} queries, max relative weight error {al.max_relative_error:.2e}")
    assert al.n_sign_flips == 0
    assert al.max_relative_error <= 1e-9
    # 32 neurons over 10 inputs: the signs are a subset sum, solved by LLL (no search over 2^32)
    assert res.sign_recovery == {"layer 1": "lattice (LLL)"}
    X = np.random.default_rng(5).uniform(-1, 1, (1000, 10))
    assert np.abs(net.decision_function(X) - res.network.decision_function(X)).max() <= 1e-9


def test_extraction_respects_budget():
    net = random_network(np.random.default_rng(0), [10, 32, 1])
    with pytest.raises(QueryBudgetExceededError):
        extract_network(QueryOracle(net, budget=500), 1, hidden_sizes=(32,), random_state=1)


def test_tanh_black_box_is_detected():
    rng = np.random.default_rng(0)
    W, b, a = rng.normal(size=(8, 5)), rng.normal(size=8), rng.normal(size=8)
    oracle = QueryOracle(lambda X: np.tanh(X @ W.T + b) @ a, n_features=5)
    with pytest.raises(NotPiecewiseLinearError):
        extract_network(oracle, 1, random_state=0)


def test_hard_label_oracle_is_refused():
    net = random_network(np.random.default_rng(0), [4, 4, 1])
    with pytest.raises(ExtractionError):
        extract_network(QueryOracle(net, hard_label=True), 1)


def test_alignment_undoes_permutation_and_scaling():
    rng = np.random.default_rng(3)
    net = random_network(rng, [5, 6, 4, 1])
    p1, p2 = rng.permutation(6), rng.permutation(4)
    s1, s2 = rng.uniform(0.5, 2, 6), rng.uniform(0.5, 2, 4)
    W, b = [np.array(w) for w in net.weights], [np.array(v) for v in net.biases]
    W0, b0 = W[0][p1] * s1[:, None], b[0][p1] * s1
    W1 = W[1][:, p1] / s1[None, :]
    W1, b1 = W1[p2] * s2[:, None], b[1][p2] * s2
    W2 = W[2][:, p2] / s2[None, :]
    other = ReLUNetwork([W0, W1, W2], [b0, b1, b[2]])
    al = align_networks(net, other)
    assert al.max_relative_error < 1e-12 and al.n_sign_flips == 0
    X = rng.normal(size=(100, 5))
    assert np.allclose(other.decision_function(X), net.decision_function(X))


def test_gershgorin_holds_on_disjoint_and_fails_on_overlapping():
    H_diag = np.diag([1.0, 2.0, 3.0]) + np.array([[0, 0.5, 0.4], [0.5, 0, 0.1], [0.4, 0.1, 0]])
    assert gershgorin_rows(H_diag).all()
    H_bad = np.ones((3, 3)) + 0.1 * np.eye(3)
    assert not gershgorin_rows(H_bad).any()
    # surrogate: tiny disjoint balls give a diagonal Hessian (holds); one huge ball each overlaps all (fails)
    net = random_network(np.random.default_rng(0), [2, 8, 1])
    small = fit_local_linear(QueryOracle(net), 30, n_mc=600, radius_factor=0.4, random_state=0)
    assert small.gershgorin_ok.all()
    big = fit_local_linear(QueryOracle(net), 30, n_mc=600, radius_factor=50.0, random_state=0)
    assert not big.gershgorin_ok.all()


def test_thesis_surrogate_beats_nearest_neighbour():
    rng = np.random.default_rng(0)
    net = random_network(rng, [2, 16, 1])
    model = fit_local_linear(QueryOracle(net), 200, n_mc=2000, random_state=0)
    X = rng.uniform(-1, 1, (2000, 2))
    y = net.decision_function(X)
    err = np.sqrt(np.mean((model.predict(X) - y) ** 2))
    nn = np.sqrt(np.mean((net.decision_function(model.centers)[cKDTree(model.centers).query(X)[1]] - y) ** 2))
    print(f"surrogate RMSE {err:.3g} vs nearest-neighbour {nn:.3g} ({model.n_queries} queries)")
    assert err < nn
    alphas, counts = l1_path(model, alphas=np.geomspace(1e-1, 1e-4, 8))
    assert counts[0] <= counts[-1]


def test_extracts_expansive_10_16_16_1_function_to_1e_8():
    """Depth 2 with a first layer wider than the input: signs of layer 1 by one linear solve, not the wiggle."""
    net = random_network(np.random.default_rng(0), [10, 16, 16, 1])
    oracle = QueryOracle(net)
    res = extract_network(oracle, 2, hidden_sizes=(16, 16), random_state=1)
    X = np.random.default_rng(5).uniform(-1, 1, (5000, 10))
    err = np.abs(net.decision_function(X) - res.network.decision_function(X)).max()
    al = align_networks(net, res.network)
    print(f"10-16-16-1: {res.n_queries} queries, max |f - f_hat| {err:.2e}, layer-1 max rel error {al.neuron_errors[0].max():.2e}")
    assert err <= 1e-8
    assert res.n_queries == oracle.n_queries <= 150_000  # Carlini et al.'s code: 159,144 for 10-15-15-1
    assert res.n_gradient_queries == 0
    # layer 1 is weight-exact with the right signs (a flipped unit would be off by ~2)
    assert al.neuron_errors[0].max() <= 1e-9
    assert res.sign_recovery == {"layer 1": "linear solve", "layer 2": "linear solve"}


def test_neurons_with_tiny_output_weights_are_refined_to_1e_9():
    """Two neurons with output weights 1e-4 of the others: their small kinks are re-measured far from every plane."""
    net = random_network(np.random.default_rng(0), [50, 16, 1])
    W = [w.copy() for w in net.weights]
    W[1][0, :2] *= 1e-4
    net = reluscope.from_arrays(W, net.biases)
    errs = {}
    for refine in (False, True):
        res = extract_network(QueryOracle(net), 1, hidden_sizes=(16,), random_state=1, refine=refine)
        errs[refine] = align_networks(net, res.network).neuron_errors[0]
    print(f"weak neurons: {errs[False][:2]} without the second pass, {errs[True][:2]} with it")
    assert errs[False][:2].max() > 1e-9  # the first pass alone misses the target on these two
    assert errs[True].max() <= 1e-9


def test_wrong_network_is_never_returned():
    """A depth-2 black box extracted as depth 1 cannot be reproduced: the held-out check raises."""
    net = random_network(np.random.default_rng(0), [5, 8, 8, 1])
    with pytest.raises(ExtractionError, match="does not reproduce"):
        extract_network(QueryOracle(net), 1, random_state=0)


def test_recovered_weights_figure():
    import matplotlib
    matplotlib.use("Agg")
    from reluscope.plot import recovered_weights

    net = random_network(np.random.default_rng(0), [4, 6, 1])
    res = extract_network(QueryOracle(net), 1, hidden_sizes=(6,), random_state=0)
    al = align_networks(net, res.network)
    fig = recovered_weights(al, net)
    pts = fig.axes[0].collections[0].get_offsets()
    assert np.allclose(pts[:, 0], pts[:, 1], atol=1e-8)


def test_compare_extraction_checks_llms_per_joint_region():
    from reluscope.extract import compare_extraction

    net = random_network(np.random.default_rng(0), [3, 6, 1])
    res = extract_network(QueryOracle(net), 1, hidden_sizes=(6,), random_state=0)
    X = np.random.default_rng(1).uniform(-1, 1, (20000, 3))
    cmp = compare_extraction(net, res.network, X, n_queries=res.n_queries)
    assert cmp.max_llm_difference < 1e-9 and cmp.pattern_agreement == 1.0 and cmp.n_joint_regions > 1
    other = random_network(np.random.default_rng(7), [3, 6, 1])
    assert compare_extraction(net, other, X).max_llm_difference > 1e-3


def test_certify_equal_after_extraction_and_against_a_perturbed_copy():
    """After an exact extraction, f - f_hat is zero on every region of the box (enumerated, not sampled)."""
    from reluscope.extract import certify_equal, difference_network

    rng = np.random.default_rng(3)
    net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))], [0.5 * rng.normal(size=8), np.zeros(1)])
    box = np.array([[-1.0, 1.0], [-1.0, 1.0]])  # extract_network's query box
    with pytest.warns(UserWarning, match="not found"):  # one unit never switches in the box: a stand-in, said so
        res = extract_network(QueryOracle(net), hidden_sizes=[8], random_state=0)
    assert res.n_stand_ins == 1
    cert = certify_equal(net, res.network, box)
    assert cert.equal and not cert.truncated and cert.n_regions > 8
    assert cert.max_coef_difference < 1e-8 and cert.max_abs_difference < 1e-8
    # outside the query box a unit whose hyperplane missed it was not recovered: never certified equal there
    X = np.random.default_rng(0).uniform(-2, 2, size=(20_000, 2))
    assert np.abs(net.decision_function(X) - res.network.decision_function(X)).max() > 1e-3
    assert not certify_equal(net, res.network, 2 * box).equal
    W = [w.copy() for w in net.weights]
    W[1][0, 3] += 1e-5  # one output weight off: f - f_hat is non-zero where unit 3 is on
    cert = certify_equal(net, reluscope.from_arrays(W, net.biases), box)
    assert not cert.equal and cert.max_coef_difference == pytest.approx(1e-5 * np.abs(net.weights[0][3]).max(), rel=1e-6)
    assert cert.n_regions >= certify_equal(net, net, box).n_regions
    X = rng.uniform(-2, 2, size=(500, 2))
    diff = difference_network(net, res.network)
    np.testing.assert_allclose(diff.decision_function(X), net.decision_function(X) - res.network.decision_function(X), atol=1e-12)
    with pytest.raises(ShapeMismatchError):
        difference_network(net, reluscope.from_arrays([np.eye(2), np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(2), np.zeros(1)]))


def _tiny_neuron_copy():
    """10-16-16-1 (seed 4) and a copy whose second-layer neuron 14, active on ~2e-4 of the box, is dropped."""
    net = random_network(np.random.default_rng(4), [10, 16, 16, 1])
    W = [w.copy() for w in net.weights]
    W[2][0, 14] = 0.0
    return net, reluscope.from_arrays(W, net.biases)


def test_check_points_find_a_difference_on_a_sliver_of_the_box():
    """The seed-4 failure: a copy wrong only where a rarely active neuron acts. Uniform points rarely see it; the check does."""
    from reluscope.extract._verify import check_points

    net, wrong = _tiny_neuron_copy()
    X = np.random.default_rng(0).uniform(-1, 1, (200_000, 10))
    frac = float((np.abs(net.decision_function(X) - wrong.decision_function(X)) > 1e-8).mean())
    assert 0 < frac < 1e-3  # P(4,000 uniform points all miss it) = (1 - frac)^4000 >= 0.4
    for seed in range(3):
        P = check_points(wrong, -1.0, 1.0, np.random.default_rng(seed), n_uniform=0)
        assert P.shape[0] < 6000 and ((P >= -1) & (P <= 1)).all()
        assert np.abs(net.decision_function(P) - wrong.decision_function(P)).max() > 1e-3


def test_unexplained_kinks_flag_a_neuron_the_network_lacks():
    from reluscope.extract._verify import unexplained_kinks

    net, wrong = _tiny_neuron_copy()
    W = [w.copy() for w in net.weights]
    W[1], W[2] = np.delete(W[1], 14, axis=0), np.delete(W[2], 14, axis=1)
    smaller = reluscope.from_arrays(W, [net.biases[0], np.delete(net.biases[1], 14), net.biases[2]])
    rng = np.random.default_rng(0)
    # kinks of neuron 14 (on its zero set) and of first-layer unit 3, inside the box
    starts = rng.uniform(-1, 1, (1, 10))
    z = lambda P: net.preactivations(P)[1][:, 14]
    V = np.array(np.meshgrid(*[[-1.0, 1.0]] * 10)).reshape(10, -1).T  # neuron 14 is active at a few vertices
    lo, hi = V[z(V) > 0][:1], np.zeros((1, 10))
    assert z(lo)[0] > 0 > z(hi)[0]
    for _ in range(80):  # bisection on z2_14 (its zero set is a bent hyperplane)
        mid = 0.5 * (lo + hi)
        left = np.sign(z(mid)) == np.sign(z(lo))
        lo, hi = np.where(left[:, None], mid, lo), np.where(left[:, None], hi, mid)
    x14 = 0.5 * (lo + hi)
    w, b = net.weights[0][3], net.biases[0][3]
    x3 = starts[:1] - ((starts[:1] @ w + b) / (w @ w))[:, None] * w
    K = np.vstack([x14, x3, 3.0 + x3])  # the last one is outside the box: ignored
    assert unexplained_kinks(net, K, -1.0, 1.0).tolist() == [False, False, False]
    assert unexplained_kinks(smaller, K, -1.0, 1.0).tolist() == [True, False, False]


@pytest.mark.slow
@pytest.mark.parametrize("sizes, seeds, min_exact", [([6, 8, 8, 1], range(8), 4), ([10, 16, 16, 1], range(5), 4)])
def test_depth2_seeds_are_exact_or_refused(sizes, seeds, min_exact):
    """Over seeded nets: each extraction is exact on 20,000 fresh points, or raises, or says it used a stand-in.

    10-16-16-1 seeds 0 and 4 used to come back wrong on 2.5e-5 and 2e-4 of the box (a neuron active on a
    sliver of it), past a 4,000-point check.
    """
    X = np.random.default_rng(99).uniform(-1, 1, (20_000, sizes[0]))
    outcome = {}
    for seed in seeds:
        net = random_network(np.random.default_rng(seed), sizes)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                res = extract_network(QueryOracle(net), 2, hidden_sizes=tuple(sizes[1:3]), random_state=1, progress=False)
        except ExtractionError:
            outcome[seed] = "raised"
            continue
        err = np.abs(net.decision_function(X) - res.network.decision_function(X)).max()
        warned = any("not found" in str(w.message) for w in caught)
        assert warned == (res.n_stand_ins > 0)
        outcome[seed] = "exact" if err <= 1e-8 else "warned"
        assert err <= 1e-8 or warned, f"seed {seed}: a wrong network ({err:.1e}) returned without a warning"
    print("-".join(map(str, sizes)), "seeds:", outcome)
    assert sum(v == "exact" for v in outcome.values()) >= min_exact


def test_always_active_second_layer_neuron_is_folded_and_exact():
    """A second-layer neuron active on the whole box has no kink there: it is affine on the box, so an
    always-on stand-in carries it; the function stays exact on the box, and the stand-in is reported."""
    net = random_network(np.random.default_rng(0), [6, 8, 6, 1])
    B = [b.copy() for b in net.biases]
    B[1][0] = 10.0
    net = reluscope.from_arrays(net.weights, B)
    X = np.random.default_rng(1).uniform(-1, 1, (20_000, 6))
    assert (net.preactivations(X)[1][:, 0] > 0).all()
    with pytest.warns(UserWarning, match="not found"):
        res = extract_network(QueryOracle(net), 2, hidden_sizes=(8, 6), random_state=1, progress=False)
    assert res.n_stand_ins == 1 and res.network.hidden_sizes == (8, 6)
    assert np.abs(net.decision_function(X) - res.network.decision_function(X)).max() <= 1e-8
    # every query is charged to one stage of queries_by_stage
    assert sum(res.queries_by_stage.values()) == res.n_queries


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_layer_neuron_on_a_sliver_keeps_its_output_weight_and_sign(seed):
    """A neuron on in 0.1% of the box (as in trained nets) is on at no uniform fit point: points on both
    sides of every plane keep its output weight, so the signs stay a linear solve (this raised before)."""
    net = random_network(np.random.default_rng(seed), [10, 8, 1])
    W, b = [w.copy() for w in net.weights], [x.copy() for x in net.biases]
    X = np.random.default_rng(1).uniform(-1, 1, (200_000, 10))
    b[0][4] = -np.quantile(X @ W[0][4], 0.999)
    net = ReLUNetwork(W, b)
    assert 0 < (X @ W[0][4] + b[0][4] > 0).mean() <= 0.0011
    res = extract_network(QueryOracle(net), 1, hidden_sizes=(8,), random_state=1, progress=False)
    assert res.sign_recovery == {"layer 1": "linear solve"} and res.n_stand_ins == 0
    al = align_networks(net, res.network)
    assert al.n_sign_flips == 0 and al.max_relative_error <= 1e-9


def test_too_dense_sign_problem_keeps_the_function_and_warns():
    """128 neurons over 10 inputs: LLL misses the signs (density 0.36), so the network stays function-exact
    with an always-on 129th neuron, says so in ``sign_recovery`` and warns -- never a wrong network."""
    net = random_network(np.random.default_rng(0), [10, 128, 1])
    with pytest.warns(UserWarning, match="signs of layer 1 were not identified"):
        res = extract_network(QueryOracle(net), 1, hidden_sizes=(128,), random_state=1, progress=False)
    assert res.network.hidden_sizes == (129,) and res.n_stand_ins == 0
    assert res.sign_recovery["layer 1"].startswith("not identifiable")
    X = np.random.default_rng(5).uniform(-1, 1, (5000, 10))
    assert np.abs(net.decision_function(X) - res.network.decision_function(X)).max() <= 1e-9
