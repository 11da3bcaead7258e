"""ReLUNetClassifier / ReLUNetRegressor: scikit-learn contract, exact predictions from network_, training facts."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.base import clone
from sklearn.datasets import load_iris, make_circles
from sklearn.metrics import r2_score, roc_auc_score
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

import reluscope
from reluscope.errors import InvalidInputError
from reluscope.estimators import ReLUNetClassifier, ReLUNetRegressor
from reluscope.estimators import _train

torch.set_num_threads(1)

#: Small, fast configurations that still train long enough for check_estimator's accuracy checks.
CHECK_KW = dict(hidden_layer_sizes=(8,), max_epochs=10, learning_rate=0.05)


@parametrize_with_checks([ReLUNetClassifier(**CHECK_KW), ReLUNetRegressor(**CHECK_KW)])
def test_sklearn_estimator_checks(estimator, check):
    """scikit-learn's full check_estimator suite, with no exemption."""
    check(estimator)


@pytest.fixture(scope="module")
def circles():
    X, y = make_circles(1000, noise=0.1, random_state=0)
    return train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)


@pytest.fixture(scope="module")
def circles_clf(circles):
    X_tr, _, y_tr, _ = circles
    return ReLUNetClassifier((16, 16), learning_rate=1e-2, batch_size=100, max_epochs=200, random_state=0).fit(X_tr, y_tr)


def numpy_logits(net, X):
    """Independent float64 forward pass of the fitted weights (no reluscope code)."""
    h = X
    for W, b in zip(net.weights[:-1], net.biases[:-1]):
        h = np.maximum(h @ W.T + b, 0.0)
    return h @ net.weights[-1].T + net.biases[-1]


def test_cocircles_learned_to_test_auc_above_0_9(circles, circles_clf):
    _, X_te, _, y_te = circles
    auc = roc_auc_score(y_te, circles_clf.predict_proba(X_te)[:, 1])
    assert auc > 0.9
    assert circles_clf.score(X_te, y_te) > 0.8
    assert circles_clf.n_iter_ < 200  # early stopping ended it


def test_binary_predictions_equal_network_forward_exactly(circles, circles_clf):
    X = circles[1]
    net = circles_clf.network_
    assert net.output == "sigmoid" and net.n_outputs == 1 and list(net.classes) == [0, 1]
    proba = circles_clf.predict_proba(X)
    assert np.array_equal(proba[:, 1], net.forward(X))
    assert np.array_equal(circles_clf.decision_function(X), net.decision_function(X))
    assert np.array_equal(circles_clf.predict(X), net.predict(X))
    eta = numpy_logits(net, X)[:, 0]
    np.testing.assert_allclose(circles_clf.decision_function(X), eta, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(circles_clf.predict(X), (eta > 0).astype(int))
    # the unwrapped LLMs reproduce the estimator's logits
    llms = reluscope.unwrap(net, X)
    np.testing.assert_allclose(llms.decision_[:, 0], circles_clf.decision_function(X), rtol=1e-12, atol=1e-12)


def test_multiclass_softmax_predictions_and_rows_sum_to_one():
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    clf = ReLUNetClassifier((16,), learning_rate=1e-2, batch_size=50, max_epochs=100, random_state=0).fit(X, labels)
    net = clf.network_
    assert net.output == "softmax" and net.n_outputs == 3 and list(net.classes) == list(clf.classes_)
    proba = clf.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert np.array_equal(proba, net.forward(X))
    eta = numpy_logits(net, X)
    np.testing.assert_allclose(clf.decision_function(X), eta, rtol=1e-12, atol=1e-12)
    assert np.array_equal(clf.predict(X), clf.classes_[eta.argmax(axis=1)])
    assert clf.score(X, labels) > 0.9


def test_binary_predict_proba_rows_sum_to_one(circles, circles_clf):
    proba = circles_clf.predict_proba(circles[1])
    assert ((proba >= 0) & (proba <= 1)).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=0, atol=1e-15)


def test_same_random_state_gives_identical_weights(circles):
    X_tr, _, y_tr, _ = circles
    kw = dict(hidden_layer_sizes=(8, 8), max_epochs=5, learning_rate=1e-2)
    a = ReLUNetClassifier(random_state=7, **kw).fit(X_tr, y_tr)
    b = ReLUNetClassifier(random_state=7, **kw).fit(X_tr, y_tr)
    c = ReLUNetClassifier(random_state=8, **kw).fit(X_tr, y_tr)
    assert a.network_ == b.network_  # exact equality of every weight and bias
    pd.testing.assert_frame_equal(a.history_, b.history_)
    assert not np.array_equal(a.network_.weights[0], c.network_.weights[0])


def test_larger_l1_reg_gives_smaller_weight_l1_norm():
    X, y = make_circles(300, noise=0.1, random_state=1)
    norms = []
    for l1 in (0.0, 1e-4, 1e-3, 1e-2):
        clf = ReLUNetClassifier((16, 16), l1_reg=l1, learning_rate=1e-2, batch_size=100, max_epochs=60, val_ratio=0, random_state=0)
        clf.fit(X, y)
        norms.append(sum(np.abs(W).sum() for W in clf.network_.weights))
    assert all(a > b for a, b in zip(norms, norms[1:])), norms
    assert norms[-1] < 0.05 * norms[0]


def test_huge_l1_reg_leaves_the_unpenalised_bias_at_the_class_prior():
    """Biases are not penalised: with every weight pushed to ~0 the output bias still fits log-odds of the prior."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 3))
    y = (rng.uniform(size=400) < 0.25).astype(int)
    clf = ReLUNetClassifier((8,), l1_reg=1.0, learning_rate=1e-2, batch_size=400, max_epochs=400, val_ratio=0, random_state=0).fit(X, y)
    assert sum(np.abs(W).sum() for W in clf.network_.weights) < 0.5
    assert abs(clf.predict_proba(X)[:, 1].mean() - y.mean()) < 0.03  # a penalised bias would pull it to 0.5


OVERFIT_KW = dict(hidden_layer_sizes=(64, 64), learning_rate=1e-2, batch_size=50, patience=10, random_state=3)


@pytest.fixture(scope="module")
def random_labels():
    """Random labels: the validation loss rises as a big net memorises them."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 5))
    y = rng.integers(0, 2, size=100)
    return X, y, ReLUNetClassifier(max_epochs=500, **OVERFIT_KW).fit(X, y)


def test_early_stopping_stops_before_max_epochs_and_restores_best_weights(random_labels):
    X, y, clf = random_labels
    hist = clf.history_
    assert clf.n_iter_ < 500 and len(hist) == clf.n_iter_
    assert list(hist.columns) == ["epoch", "train_loss", "val_loss"]
    assert clf.best_epoch_ == int(hist.epoch[hist.val_loss.idxmin()])
    assert clf.n_iter_ == clf.best_epoch_ + 10
    assert hist.train_loss.iloc[-1] < hist.train_loss.iloc[clf.best_epoch_ - 1]  # it kept memorising
    # the weights kept are those after epoch best_epoch_: a run that ends there has the same network
    short = ReLUNetClassifier(max_epochs=clf.best_epoch_, **OVERFIT_KW).fit(X, y)
    assert short.network_ == clf.network_


def test_val_ratio_zero_trains_every_epoch_without_validation(circles):
    X_tr, _, y_tr, _ = circles
    clf = ReLUNetClassifier((4,), max_epochs=7, val_ratio=0, random_state=0).fit(X_tr, y_tr)
    assert clf.n_iter_ == 7 and clf.best_epoch_ == 7
    assert clf.history_.val_loss.isna().all() and list(clf.history_.epoch) == list(range(1, 8))


def test_keyboard_interrupt_keeps_best_weights_so_far(random_labels, monkeypatch):
    """Ctrl-C five epochs after the best one: fit returns with the best epoch's weights, not the latest."""
    X, y, reference = random_labels
    stop_after = reference.best_epoch_ + 5
    real_epoch, calls = _train._epoch, []

    def interrupted_epoch(*args):
        calls.append(1)
        if len(calls) > stop_after:
            raise KeyboardInterrupt
        return real_epoch(*args)

    monkeypatch.setattr(_train, "_epoch", interrupted_epoch)
    with pytest.warns(UserWarning, match=f"interrupted after {stop_after} complete epoch"):
        clf = ReLUNetClassifier(max_epochs=500, **OVERFIT_KW).fit(X, y)
    assert clf.n_iter_ == stop_after and len(clf.history_) == stop_after
    assert clf.best_epoch_ == reference.best_epoch_
    assert clf.network_ == reference.network_


def test_verbose_shows_a_progress_bar_over_epochs(circles, capsys):
    X_tr, _, y_tr, _ = circles
    ReLUNetClassifier((4,), max_epochs=3, val_ratio=0, random_state=0, verbose=True).fit(X_tr, y_tr)
    err = capsys.readouterr().err
    assert "ReLU net" in err and "/3 " in err and "train_loss=" in err
    ReLUNetClassifier((4,), max_epochs=3, val_ratio=0, random_state=0).fit(X_tr, y_tr)
    assert capsys.readouterr().err == ""


def test_no_hidden_layer_is_a_logistic_regression(circles):
    X_tr, _, y_tr, _ = circles
    clf = ReLUNetClassifier((), max_epochs=5, random_state=0).fit(X_tr, y_tr)
    assert clf.network_.n_hidden_layers == 0 and clf.network_.weights[0].shape == (1, 2)
    assert reluscope.unwrap(clf.network_, X_tr).n_regions == 1


def test_regressor_fits_a_smooth_function_and_predicts_with_network_forward():
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(1000, 2))
    y = np.sin(X[:, 0]) + 0.5 * X[:, 1] ** 2
    reg = ReLUNetRegressor((16, 16), learning_rate=2e-2, batch_size=200, max_epochs=150, random_state=0)
    reg.fit(X[:800], y[:800])
    pred = reg.predict(X[800:])
    assert r2_score(y[800:], pred) > 0.8
    assert reg.network_.output == "identity" and pred.shape == (200,)
    assert np.array_equal(pred, reg.network_.forward(X[800:]))
    np.testing.assert_allclose(pred, numpy_logits(reg.network_, X[800:])[:, 0], rtol=1e-12, atol=1e-12)


def test_regressor_two_dimensional_target_gives_one_output_per_column():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(200, 3))
    Y = np.column_stack([X[:, 0], -X[:, 1], X[:, 2] * 2])
    reg = ReLUNetRegressor((8,), learning_rate=2e-2, max_epochs=300, val_ratio=0, random_state=0).fit(X, Y)
    assert reg.n_outputs_ == 3 and reg.network_.n_outputs == 3
    pred = reg.predict(X)
    assert pred.shape == (200, 3) and np.array_equal(pred, reg.network_.forward(X))
    assert reg.score(X, Y) > 0.9


def test_dataframe_feature_names_reach_the_network_and_unwrap(circles):
    X_tr, _, y_tr, _ = circles
    df = pd.DataFrame(X_tr, columns=["radius_x", "radius_y"])
    clf = ReLUNetClassifier((8,), max_epochs=3, random_state=0).fit(df, y_tr)
    assert list(clf.feature_names_in_) == ["radius_x", "radius_y"]
    assert clf.network_.feature_names == ("radius_x", "radius_y")
    llms = reluscope.unwrap(clf.network_, df)
    assert llms.feature_names_ == ("radius_x", "radius_y")
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        as_array = clf.predict_proba(X_tr)
    assert np.array_equal(clf.predict_proba(df), as_array)


def test_nan_in_X_raises_a_clear_error(circles):
    X_tr, _, y_tr, _ = circles
    X = X_tr.copy()
    X[5, 1] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        ReLUNetClassifier(max_epochs=1).fit(X, y_tr)
    clf = ReLUNetClassifier((4,), max_epochs=1, random_state=0).fit(X_tr, y_tr)
    with pytest.raises(ValueError, match="NaN"):
        clf.predict(X)


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(l1_reg=-1.0), "l1_reg"),
        (dict(learning_rate=0.0), "learning_rate"),
        (dict(val_ratio=1.0), "val_ratio"),
        (dict(hidden_layer_sizes=(8, 0)), "hidden_layer_sizes"),
        (dict(batch_size=2.5), "batch_size"),
        (dict(patience=0), "patience"),
        (dict(device="tpu9"), "device"),
    ],
)
def test_bad_parameters_raise_in_fit_not_in_init(params, match):
    clf = ReLUNetClassifier(**params)  # no error: __init__ only stores
    assert clf.get_params()[next(iter(params))] == next(iter(params.values()))
    with pytest.raises(InvalidInputError, match=match):
        clf.fit(np.zeros((10, 2)), np.arange(10) % 2)


def test_pickle_and_clone_round_trip(circles, circles_clf):
    X = circles[1]
    restored = pickle.loads(pickle.dumps(circles_clf))
    assert restored.network_ == circles_clf.network_
    assert np.array_equal(restored.predict_proba(X), circles_clf.predict_proba(X))
    fresh = clone(circles_clf)
    assert fresh.get_params() == circles_clf.get_params() and not hasattr(fresh, "network_")


def test_pipeline_and_grid_search_pick_the_network_that_can_bend():
    """A 1-unit network cannot separate circles (its logit is monotone along one direction); 16x16 can."""
    X, y = make_circles(400, noise=0.1, random_state=2)
    pipe = make_pipeline(StandardScaler(), ReLUNetClassifier(learning_rate=2e-2, batch_size=100, max_epochs=60, random_state=0))
    grid = GridSearchCV(pipe, {"relunetclassifier__hidden_layer_sizes": [(1,), (16, 16)]}, cv=3, scoring="roc_auc")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning from fitting inside the grid search
        grid.fit(X, y)
    assert grid.best_params_ == {"relunetclassifier__hidden_layer_sizes": (16, 16)}
    scores = grid.cv_results_["mean_test_score"]
    assert scores[1] > 0.9 and scores[0] < 0.8
    net = grid.best_estimator_[-1].network_
    Z = grid.best_estimator_[:-1].transform(X)
    assert np.array_equal(grid.predict_proba(X)[:, 1], net.forward(Z))
