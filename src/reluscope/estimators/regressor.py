"""``ReLUNetRegressor``: an L1-regularised ReLU network regressor whose fitted form is a :class:`ReLUNetwork`."""

from __future__ import annotations

import numpy as np
from sklearn.base import RegressorMixin

from ._base import BaseReLUNet, validate_data

__all__ = ["ReLUNetRegressor"]


class ReLUNetRegressor(RegressorMixin, BaseReLUNet):
    """Fully connected ReLU network regressor with an L1 penalty on the weights.

    PiML/MoDeVa's ``ReluDNNRegressor`` (``../shared/seeds/003``, "Simplification
    by L1-Regularization"), trained with PyTorch (float32, Adam) on the mean
    squared error plus ``l1_reg * sum_l sum |W^(l)|``; the fitted network is the
    float64 :class:`reluscope.ReLUNetwork` ``network_`` (identity output) and
    :meth:`predict` is ``network_.forward``.

    Parameters
    ----------
    hidden_layer_sizes, l1_reg, learning_rate, batch_size, max_epochs, val_ratio, patience, random_state, device, verbose
        As for :class:`ReLUNetClassifier` (the validation split is not stratified).

    Attributes
    ----------
    network_ : ReLUNetwork
        One identity output per target column.
    n_outputs_ : int
        Number of targets (columns of a 2-D ``y``).
    n_features_in_, feature_names_in_, history_, n_iter_, best_epoch_
        As for :class:`ReLUNetClassifier`.

    Notes
    -----
    Neither inputs nor targets are standardised; scale them yourself (e.g.
    ``TransformedTargetRegressor(make_pipeline(StandardScaler(), ReLUNetRegressor()),
    transformer=StandardScaler())``).  A 1-D ``y`` or a 2-D ``y`` with one column
    gives 1-D predictions; ``k > 1`` columns give (n, k).  ``KeyboardInterrupt``
    during ``fit`` keeps the best weights so far, as for the classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.estimators import ReLUNetRegressor
    >>> X = np.linspace(-1, 1, 200)[:, None]
    >>> reg = ReLUNetRegressor((8,), max_epochs=3, random_state=0).fit(X, np.abs(X[:, 0]))
    >>> reg.predict(X).shape
    (200,)
    >>> bool(np.array_equal(reg.predict(X), reg.network_.forward(X)))
    True
    """

    def fit(self, X, y):
        """Train on ``X`` (n_samples, n_features) and targets ``y`` (n_samples,) or (n_samples, n_targets)."""
        X, y = validate_data(self, X, y, dtype=np.float64, multi_output=True, y_numeric=True)
        Y = np.asarray(y, dtype=np.float64).reshape(y.shape[0], -1)
        self.n_outputs_ = Y.shape[1]
        return self._fit_network(X, Y, task="regression", n_outputs=Y.shape[1], output="identity")

    def predict(self, X) -> np.ndarray:
        """``network_.forward(X)`` in float64: ``(n,)`` for one target, ``(n, n_outputs_)`` otherwise."""
        X = self._validated_X(X)
        return self.network_.forward(X)

    def _more_tags(self):  # scikit-learn < 1.6
        return {"multioutput": True}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.target_tags.single_output = True
        return tags
