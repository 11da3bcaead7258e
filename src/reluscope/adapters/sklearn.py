"""scikit-learn adapter: ``MLPRegressor`` / ``MLPClassifier`` -> ReLUNetwork."""

from __future__ import annotations

import numpy as np

from ..errors import InvalidInputError, UnsupportedActivationError
from ..network import ReLUNetwork
from .arrays import activation_slope

__all__ = ["from_sklearn"]


def from_sklearn(model) -> ReLUNetwork:
    """Convert a fitted scikit-learn multi-layer perceptron.

    Parameters
    ----------
    model : MLPRegressor or MLPClassifier (fitted), or a Pipeline ending in one
        whose other steps are ignored only if there are none (a pipeline with a
        scaler is refused: unwrap the scaled data, or fold the scaler yourself).

    Returns
    -------
    ReLUNetwork
        Binary classifiers get a 'sigmoid' output with ``classes=model.classes_``;
        multi-class ones 'softmax'; multi-label ones 'sigmoid' with one unit
        per label; regressors 'identity'.

    Raises
    ------
    UnsupportedActivationError
        Hidden activation other than 'relu' or 'identity'.
    InvalidInputError
        The model is not a fitted MLP.

    Notes
    -----
    scikit-learn stores ``coefs_[l]`` as (n_in, n_out); they are transposed
    into reluscope's (n_out, n_in) convention.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from sklearn.neural_network import MLPRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(100, 2))
    >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=500, random_state=0)
    >>> mlp = mlp.fit(X, np.abs(X[:, 0]) - X[:, 1])
    >>> net = reluscope.from_sklearn(mlp)
    >>> net
    ReLUNetwork(sizes=[2, 8, 1], activations=['relu'], output='identity')
    >>> bool(np.allclose(net.predict(X), mlp.predict(X)))
    True
    >>> reluscope.from_sklearn(MLPRegressor())
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: The MLP is not fitted; call model.fit(X, y) first.
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline):
        if len(model.steps) != 1:
            raise InvalidInputError(
                "from_sklearn got a Pipeline with preprocessing steps; the network's inputs are the transformed "
                "features. Convert model[-1] and unwrap model[:-1].transform(X)."
            )
        model = model.steps[-1][1]
    if not isinstance(model, (MLPClassifier, MLPRegressor)):
        raise InvalidInputError(
            f"from_sklearn takes MLPRegressor or MLPClassifier, got {type(model).__name__}."
        )
    if not hasattr(model, "coefs_"):
        raise InvalidInputError("The MLP is not fitted; call model.fit(X, y) first.")
    if model.activation not in ("relu", "identity"):
        raise UnsupportedActivationError(
            f"The MLP uses activation={model.activation!r}; reluscope unwraps piecewise-affine networks only. "
            "Retrain with MLP*(activation='relu')."
        )
    slope = activation_slope(model.activation)
    weights = [np.asarray(W).T for W in model.coefs_]
    biases = [np.asarray(b) for b in model.intercepts_]
    out = model.out_activation_
    classes = None
    if out == "identity":
        output = "identity"
    elif out == "logistic":
        output = "sigmoid"
        if getattr(model, "_label_binarizer", None) is not None and getattr(model._label_binarizer, "y_type_", "") == "multilabel-indicator":
            classes = None
        else:
            classes = model.classes_
    elif out == "softmax":
        output = "softmax"
        classes = model.classes_
    else:
        raise UnsupportedActivationError(
            f"The MLP's output activation is {out!r} (e.g. loss='poisson' uses exp); reluscope supports "
            "identity, logistic and softmax outputs. Use loss='squared_error'."
        )
    names = getattr(model, "feature_names_in_", None)
    return ReLUNetwork(
        weights,
        biases,
        slopes=[slope] * (len(weights) - 1),
        output=output,
        feature_names=None if names is None else [str(n) for n in names],
        classes=classes,
    )
