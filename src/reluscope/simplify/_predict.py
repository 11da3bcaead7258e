"""Predictions shared by the simplified models (Merge-Net, FL-Net): binary or regression."""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from ..errors import InvalidInputError


class BinaryOrRegressionPredictor:
    """``predict_proba`` / ``predict`` / ``score`` from ``decision_function``, ``task_`` and ``classes_``.

    The pre-link output ``eta`` is the logit for binary classifiers, the value for regression.
    """

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities ``[1 - p, p]`` with ``p = sigmoid(eta)`` (binary classifiers), (n, 2)."""
        eta = self.decision_function(X)
        if self.task_ != "binary":
            raise InvalidInputError(f"predict_proba is for classifiers; this {type(self).__name__} is a regression.")
        p = expit(eta)
        return np.column_stack([1.0 - p, p])

    def predict(self, X) -> np.ndarray:
        """Regression: the value; classification: ``classes_[eta > 0]`` (probability above 0.5)."""
        eta = self.decision_function(X)
        if self.task_ == "regression":
            return eta
        return self.classes_[(eta > 0).astype(np.int64)]

    def score(self, X, y) -> float:
        """R^2 (regression) or accuracy (classification), the scikit-learn conventions."""
        from sklearn.metrics import accuracy_score, r2_score

        if self.task_ == "regression":
            return float(r2_score(y, self.predict(X)))
        return float(accuracy_score(y, self.predict(X)))
