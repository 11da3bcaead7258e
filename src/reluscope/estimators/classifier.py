"""``ReLUNetClassifier``: an L1-regularised ReLU network classifier whose fitted form is a :class:`ReLUNetwork`."""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from ..errors import InvalidInputError
from ._base import BaseReLUNet, validate_data

__all__ = ["ReLUNetClassifier"]


class ReLUNetClassifier(ClassifierMixin, BaseReLUNet):
    """Fully connected ReLU network classifier with an L1 penalty on the weights.

    The estimator of the PiML/MoDeVa toolboxes (``ReluDNNClassifier``,
    ``../shared/seeds/003`` and ``004``, "Simplification by L1-Regularization"):
    raising ``l1_reg`` drives weights towards zero, so fewer hidden units change
    state over the data and the network has fewer activation regions (local
    linear models) to read.  Trained with PyTorch (float32, Adam); the fitted
    network is kept as a float64 :class:`reluscope.ReLUNetwork` in ``network_``
    and every prediction is computed from it, so ``reluscope.unwrap(est.network_,
    X)`` explains exactly the model that predicts.

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default (40, 40)
        Width of each hidden ReLU layer; ``()`` gives a logistic / softmax regression.
    l1_reg : float, default 1e-5
        ``lambda`` of the objective ``mean_i loss_i + lambda * sum_l sum |W^(l)|``;
        all weight matrices (output layer included) are penalised, biases are not.
    learning_rate : float, default 1e-3
        Adam step size.
    batch_size : int, default 500
        Rows per mini-batch (reshuffled every epoch).
    max_epochs : int, default 1000
        Passes over the training rows.
    val_ratio : float in [0, 1), default 0.2
        Share of rows held out (stratified by class when possible) for early
        stopping; 0 trains on every row for ``max_epochs`` epochs and keeps the
        last weights.
    patience : int, default 20
        Epochs without a strictly lower validation loss before training stops;
        the weights of the best epoch are restored (PiML's ``n_epoch_no_change``).
    random_state : int, RandomState instance or None, default None
        Seeds the validation split and a local ``torch.Generator`` (weight
        initialisation, batch order); the global torch RNG is not touched.
    device : str, default 'cpu'
        Torch device to train on, e.g. 'cuda'.
    verbose : bool, default False
        Show a tqdm bar over epochs with the train and validation losses.

    Attributes
    ----------
    network_ : ReLUNetwork
        The trained network in float64: 'sigmoid' output with one logit for two
        classes, 'softmax' with one logit per class otherwise; ``classes`` and
        ``feature_names`` set.
    classes_ : ndarray (n_classes,)
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.
    history_ : pandas.DataFrame
        One row per epoch: ``epoch``, ``train_loss`` (mean data loss over the
        epoch's mini-batches, penalty excluded), ``val_loss`` (NaN when
        ``val_ratio=0``).
    n_iter_ : int
        Epochs run.
    best_epoch_ : int
        Epoch whose weights ``network_`` holds (the last one when ``val_ratio=0``).

    Notes
    -----
    Inputs are used as given: nothing is standardised.  Scale features yourself
    (e.g. ``make_pipeline(StandardScaler(), ReLUNetClassifier())``, then unwrap
    ``pipe[-1].network_`` on ``pipe[:-1].transform(X)``); unscaled inputs train
    slowly.

    Pressing Ctrl-C (``KeyboardInterrupt``) during ``fit`` stops training cleanly:
    a ``UserWarning`` is issued and the estimator is fitted with the best weights
    so far (lowest validation loss; the latest weights when ``val_ratio=0``).

    scikit-learn's ``check_estimator`` passes with no exemption (``tests/test_estimators.py``
    runs it with ``hidden_layer_sizes=(8,), max_epochs=10, learning_rate=0.05``; its
    accuracy check needs a network trained long enough to fit blobs).

    Examples
    --------
    >>> from sklearn.datasets import make_circles
    >>> import reluscope
    >>> from reluscope.estimators import ReLUNetClassifier
    >>> X, y = make_circles(500, noise=0.1, random_state=0)
    >>> clf = ReLUNetClassifier((8,), max_epochs=3, random_state=0).fit(X, y)
    >>> clf.predict_proba(X).shape
    (500, 2)

    The fitted network is unwrapped exactly: each row's LLM gives the logit
    behind ``predict_proba``.

    >>> import numpy as np
    >>> llms = reluscope.unwrap(clf.network_, X)
    >>> r = llms.labels_
    >>> logit = np.einsum("nd,nd->n", X, llms.coef_[r]) + llms.intercept_[r]
    >>> bool(np.allclose(clf.predict_proba(X)[:, 1], 1 / (1 + np.exp(-logit))))
    True
    """

    def fit(self, X, y):
        """Train on ``X`` (n_samples, n_features) and class labels ``y``; returns self."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        classes, y_enc = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise InvalidInputError(
                f"{type(self).__name__} needs samples of at least 2 classes; y has 1 class ({classes[0]!r})."
            )
        self.classes_ = classes
        binary = classes.size == 2
        return self._fit_network(
            X,
            y_enc.astype(np.float64) if binary else y_enc.astype(np.int64),
            task="binary" if binary else "multiclass",
            n_outputs=1 if binary else classes.size,
            output="sigmoid" if binary else "softmax",
            classes=classes,
            stratify=y_enc,
        )

    def decision_function(self, X) -> np.ndarray:
        """Logits ``eta(x)`` of ``network_``: (n,) for two classes (positive class ``classes_[1]``), else (n, n_classes)."""
        X = self._validated_X(X)
        return self.network_.decision_function(X)

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities from ``network_`` (sigmoid or softmax of the logits), (n, n_classes)."""
        X = self._validated_X(X)
        return self.network_.predict_proba(X)

    def predict(self, X) -> np.ndarray:
        """Class labels: ``classes_[1]`` where the logit is > 0 (binary), else the arg-max logit."""
        X = self._validated_X(X)
        return self.network_.predict(X)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        tags.classifier_tags.multi_label = False
        return tags
