import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

import reluscope
from reluscope.errors import InvalidInputError, UnsupportedActivationError


def _data(n=300, d=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    return rng, X


def test_regressor_matches_predict():
    rng, X = _data()
    y = np.sin(X[:, 0]) + X[:, 1] ** 2
    m = MLPRegressor(hidden_layer_sizes=(16, 8, 8), max_iter=200, random_state=0).fit(X, y)
    net = reluscope.from_sklearn(m)
    assert net.output == "identity" and net.hidden_sizes == (16, 8, 8)
    assert np.max(np.abs(net.forward(X) - m.predict(X))) < 1e-10


def test_multioutput_regressor_matches_predict():
    rng, X = _data()
    Y = np.c_[X[:, 0], X[:, 1] - X[:, 2]]
    m = MLPRegressor(hidden_layer_sizes=(10,), max_iter=200, random_state=0).fit(X, Y)
    net = reluscope.from_sklearn(m)
    assert np.max(np.abs(net.forward(X) - m.predict(X))) < 1e-10


def test_binary_classifier_matches_predict_proba_and_classes():
    rng, X = _data()
    y = np.where(X[:, 0] * X[:, 1] > 0, "yes", "no")
    m = MLPClassifier(hidden_layer_sizes=(12, 12), max_iter=300, random_state=0).fit(X, y)
    net = reluscope.from_sklearn(m)
    assert net.output == "sigmoid" and list(net.classes) == ["no", "yes"]
    assert np.max(np.abs(net.forward(X) - m.predict_proba(X)[:, 1])) < 1e-10
    llms = reluscope.unwrap(net, X, y)
    assert llms.max_error_ < 1e-12
    assert 0 <= llms.summary()["Response Mean"].max() <= 1


def test_multiclass_classifier_matches_predict_proba():
    rng, X = _data()
    y = np.digitize(X[:, 0] + X[:, 1], [-0.5, 0.5])
    m = MLPClassifier(hidden_layer_sizes=(12,), max_iter=300, random_state=0).fit(X, y)
    net = reluscope.from_sklearn(m)
    assert net.output == "softmax"
    assert np.max(np.abs(net.forward(X) - m.predict_proba(X))) < 1e-10


def test_feature_names_are_taken_from_dataframes():
    rng, X = _data()
    df = pd.DataFrame(X, columns=["age", "income", "debt", "score"])
    m = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(df, X[:, 0])
    net = reluscope.from_sklearn(m)
    assert net.feature_names == ("age", "income", "debt", "score")
    llms = reluscope.unwrap(net, df)
    assert list(llms.coefficients().columns) == ["Count", "Intercept", "age", "income", "debt", "score"]
    with pytest.raises(InvalidInputError, match="unknown"):
        net.forward(df.rename(columns={"age": "AGE"}))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_non_relu_and_unfitted_models_are_refused():
    rng, X = _data()
    m = MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=5, random_state=0).fit(X, X[:, 0])
    with pytest.raises(UnsupportedActivationError, match="activation='relu'"):
        reluscope.from_sklearn(m)
    with pytest.raises(InvalidInputError, match="not fitted"):
        reluscope.from_sklearn(MLPRegressor())
    with pytest.raises(InvalidInputError, match="MLPRegressor or MLPClassifier"):
        reluscope.from_sklearn(object())
    p = MLPRegressor(hidden_layer_sizes=(5,), loss="poisson", max_iter=5, random_state=0).fit(X, np.abs(X[:, 0]))
    with pytest.raises(UnsupportedActivationError, match="exp"):
        reluscope.from_sklearn(p)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_identity_hidden_activation_is_an_affine_net():
    rng, X = _data()
    m = MLPRegressor(hidden_layer_sizes=(5, 5), activation="identity", max_iter=20, random_state=0).fit(X, X[:, 0])
    net = reluscope.from_sklearn(m)
    assert np.max(np.abs(net.forward(X) - m.predict(X))) < 1e-10
    assert reluscope.unwrap(net, X).n_regions == 1
