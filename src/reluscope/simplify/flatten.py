"""Flattening of merged LLMs: Algorithm 2 of the unwrapping paper (``001``, section 5.3).

The ``K`` merged cluster models ``(w_k, b_k)`` become the ``K`` hidden units of
a one-hidden-layer ReLU network, ``h_k(x) = relu(w_k . x + b_k)`` (steps 1-2);
the output layer is a GLM of the hidden outputs, fitted on the training data
(step 3: least squares, or unpenalised logistic regression); the whole network
is then fine-tuned with Adam (step 4).  The SLFN baseline of Table 3 is the
same network with the same width, randomly initialised and trained the same way.

When is the flattened network equal to the Merge-Net before fine-tuning?
If the merged regions are *separable*, i.e. on every training row of cluster
``k`` the unit ``h_k`` is the only positive one, the hidden features are
``h_k = (w_k x + b_k) 1[x in cluster k]``, and output weights ``v = 1``,
``c = 0`` reproduce the Merge-Net.  With per-cluster OLS (or logistic) refits
this is also the output GLM's optimum: the cluster residuals are orthogonal to
each cluster's ``[1, x]`` (the score equations vanish), hence to every ``h_k``
and to the global intercept.  ``FlattenedNet.init_agreement_`` reports the
share of training rows where this holds.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, clone

from ..errors import InvalidInputError
from ..network import ReLUNetwork
from ..summary import binary_response
from ..validation import check_features
from ._refit import make_estimator
from ._train import check_training_params, train_relu, uniform_init
from ._predict import BinaryOrRegressionPredictor

__all__ = ["FlattenedNet", "flatten", "slfn_baseline"]

_INITS = ("merged", "random")


class FlattenedNet(BinaryOrRegressionPredictor, BaseEstimator):
    """FL-Net (Algorithm 2 of ``001``) or, with ``init='random'``, the SLFN baseline of Table 3.

    Parameters
    ----------
    merged : MergedModel, optional
        The Merge-Net whose cluster models initialise the hidden layer.  Used as
        is when fitted; fitted on ``(X, y)`` (a clone) when not.
    init : {'merged', 'random'}, default 'merged'
        'merged': Algorithm 2; 'random': PyTorch's default uniform initialisation
        of both layers (the SLFN baseline).
    n_hidden : int, optional
        Width for ``init='random'``; default the Merge-Net's number of clusters.
    task : {'auto', 'regression', 'binary'}, default 'auto'
        'auto' takes the Merge-Net's task; needed for ``init='random'`` without ``merged``.
    learning_rate, batch_size, max_epochs, val_ratio, patience :
        Adam fine-tuning; ``max_epochs=0`` keeps the initial network.  Early
        stopping on a ``val_ratio`` share of the rows restores the best weights.
    random_state : int, RandomState or None
        Validation split, batches, random initialisation.
    progress : bool or None
        tqdm bar over the epochs.

    Attributes
    ----------
    network_init_ : ReLUNetwork
        The network after steps 1-3 (before fine-tuning).
    network_ : ReLUNetwork
        The fine-tuned network.
    merged_ : MergedModel or None
    init_agreement_ : float or None
        Share of training rows whose only positive hidden unit is their own
        cluster's (``1.0``: the merged regions are separable and the initial
        network equals the Merge-Net on the training rows).
    history_ : dict
        ``train_loss``, ``val_loss`` per epoch, ``best_epoch``.
    classes_ : ndarray (binary only)

    References
    ----------
    Sudjianto et al., *Unwrapping the black box of deep ReLU networks*, section 5.3, Algorithm 2, Table 3.

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> flat = simplify.FlattenedNet(merged, max_epochs=5, random_state=0).fit(X, y)
    >>> flat.network_.hidden_sizes, len(flat.history_["train_loss"])
    ((3,), 5)

    The hidden units start as the three cluster models (steps 1-2):

    >>> np.allclose(flat.network_init_.weights[0], merged.coef_)
    True
    >>> np.allclose(flat.network_init_.biases[0], merged.intercept_)
    True
    """

    def __init__(
        self,
        merged=None,
        *,
        init: str = "merged",
        n_hidden: int | None = None,
        task: str = "auto",
        learning_rate: float = 1e-3,
        batch_size: int = 64,
        max_epochs: int = 200,
        val_ratio: float = 0.2,
        patience: int = 20,
        random_state=None,
        progress: bool | None = None,
    ):
        self.merged = merged
        self.init = init
        self.n_hidden = n_hidden
        self.task = task
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.val_ratio = val_ratio
        self.patience = patience
        self.random_state = random_state
        self.progress = progress

    # ----------------------------------------------------------------- fit
    def _merged(self, X, y):
        from .merge import MergedModel

        if self.merged is None:
            return None
        if not isinstance(self.merged, MergedModel):
            raise InvalidInputError(f"merged must be a reluscope.simplify.MergedModel, got {type(self.merged).__name__}.")
        if hasattr(self.merged, "llms_"):
            return self.merged
        return clone(self.merged).fit(X, y)

    def _task(self, merged) -> str:
        if merged is not None:
            if self.task not in ("auto", merged.task_):
                raise InvalidInputError(f"task={self.task!r} disagrees with the Merge-Net's task {merged.task_!r}.")
            return merged.task_
        if self.task not in ("regression", "binary"):
            raise InvalidInputError("Without a Merge-Net pass task='regression' or 'binary' (and n_hidden).")
        return self.task

    def fit(self, X, y) -> "FlattenedNet":
        """Build the flattened (or random) one-hidden-layer network and fine-tune it.

        Parameters
        ----------
        X : array-like or DataFrame (n_samples, n_features)
        y : array-like (n_samples,)
            Responses (regression) or class labels (binary).

        Returns
        -------
        FlattenedNet
            The fitted estimator (``self``).
        """
        if self.init not in _INITS:
            raise InvalidInputError(f"init={self.init!r} is not one of {_INITS}.")
        if self.init == "merged" and self.merged is None:
            raise InvalidInputError("init='merged' needs a MergedModel: FlattenedNet(merged=MergedModel(network)).")
        check_training_params(self.learning_rate, self.batch_size, self.max_epochs, self.val_ratio, self.patience)
        merged = self._merged(X, y)
        task = self._task(merged)
        names = merged.llms_.network.feature_names if merged is not None else None
        Xa = check_features(X, merged.n_features_in_ if merged is not None else None, names)
        if task == "binary":
            classes = merged.classes_ if merged is not None else np.unique(np.asarray(y))
            if classes.size != 2:
                raise InvalidInputError(f"A binary FlattenedNet needs two classes in y, got {classes.tolist()}.")
            yy = binary_response(np.asarray(y), classes)
            self.classes_ = np.asarray(classes)
        else:
            yy = np.asarray(y, dtype=np.float64)
        if yy.shape != (Xa.shape[0],):
            raise InvalidInputError(f"y must be 1-D with one value per row of X; got shape {np.shape(y)}.")
        self.merged_, self.task_, self.n_features_in_ = merged, task, Xa.shape[1]
        if self.init == "merged":
            weights, biases = self._flattened_init(Xa, yy)
        else:
            width = self.n_hidden if self.n_hidden is not None else (merged.n_clusters_ if merged is not None else None)
            if not isinstance(width, (int, np.integer)) or width < 1:
                raise InvalidInputError(f"n_hidden must be a positive integer for init='random', got {width!r}.")
            weights, biases = uniform_init([Xa.shape[1], int(width), 1], self.random_state)
            self.init_agreement_ = None
        self.network_init_ = self._network(weights, biases, names)
        w, b, self.history_ = train_relu(
            weights, biases, Xa, yy, task,
            learning_rate=self.learning_rate, batch_size=self.batch_size, max_epochs=self.max_epochs,
            val_ratio=self.val_ratio, patience=self.patience, random_state=self.random_state, progress=self.progress,
        )
        self.network_ = self._network(w, b, names)
        return self

    def _flattened_init(self, X: np.ndarray, y: np.ndarray):
        """Steps 1-3 of Algorithm 2: hidden units from the cluster models, output layer by GLM."""
        W0, b0 = np.asarray(self.merged_.coef_, float), np.asarray(self.merged_.intercept_, float)
        Z = X @ W0.T + b0
        H = np.maximum(Z, 0.0)
        glm = make_estimator(self.task_, "glm", 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # separated hidden features: large but finite output weights
            glm.fit(H, y)
        v = np.asarray(glm.coef_, float).reshape(1, -1)
        c = np.asarray(glm.intercept_, float).reshape(1)
        own = self.merged_.cluster_of(X)
        active = Z > 0
        self.init_agreement_ = float(np.mean((active.sum(axis=1) == 1) & active[np.arange(X.shape[0]), own]))
        return [W0, v], [b0, c]

    def _network(self, weights, biases, names) -> ReLUNetwork:
        if self.task_ == "regression":
            return ReLUNetwork(weights, biases, output="identity", feature_names=names)
        return ReLUNetwork(weights, biases, output="sigmoid", feature_names=names, classes=self.classes_)

    # ------------------------------------------------------------ predict
    def _net(self) -> ReLUNetwork:
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self, "network_")
        return self.network_

    def decision_function(self, X) -> np.ndarray:
        """Pre-link output (logit for classifiers), (n,)."""
        return self._net().decision_function(X)


def flatten(merged, X, y, **params) -> FlattenedNet:
    """Flatten a Merge-Net into a fine-tuned one-hidden-layer ReLU network (Algorithm 2); returns the fitted estimator.

    Parameters
    ----------
    merged : MergedModel
        Fitted, or fitted on ``(X, y)`` first (a clone).
    X : array-like or DataFrame (n_samples, n_features)
    y : array-like (n_samples,)
    **params
        Further parameters of :class:`FlattenedNet` (``max_epochs``, ``random_state``, ...).

    Returns
    -------
    FlattenedNet

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> flat = simplify.flatten(merged, X, y, max_epochs=0)  # steps 1-3, no fine-tuning
    >>> flat.network_.hidden_sizes
    (3,)

    The output layer (step 3) is the least-squares fit on the hidden units:

    >>> H = np.maximum(X @ merged.coef_.T + merged.intercept_, 0)
    >>> A = np.column_stack([np.ones(len(X)), H])
    >>> beta = np.linalg.lstsq(A, y, rcond=None)[0]
    >>> np.allclose(flat.predict(X), A @ beta)
    True
    """
    return FlattenedNet(merged, init="merged", **params).fit(X, y)


def slfn_baseline(merged, X, y, **params) -> FlattenedNet:
    """The SLFN of Table 3: as wide as the Merge-Net has clusters, randomly initialised, trained like FL-Net.

    Parameters
    ----------
    merged : MergedModel
        Gives the width (its number of clusters) and the task.
    X : array-like or DataFrame (n_samples, n_features)
    y : array-like (n_samples,)
    **params
        Further parameters of :class:`FlattenedNet`.

    Returns
    -------
    FlattenedNet

    Examples
    --------
    >>> import numpy as np
    >>> import reluscope
    >>> from reluscope import simplify
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(8, 2)), rng.normal(size=(1, 8))],
    ...                             [rng.normal(size=8), rng.normal(size=1)])
    >>> X = rng.uniform(-2, 2, size=(300, 2))
    >>> y = net.forward(X) + rng.normal(scale=0.1, size=300)
    >>> merged = simplify.MergedModel(net, n_clusters=6).fit(X, y)
    >>> slfn = simplify.slfn_baseline(merged, X, y, max_epochs=5, random_state=0)
    >>> slfn.network_.hidden_sizes, slfn.init_agreement_
    ((3,), None)
    >>> slfn.network_init_.weights[0].shape
    (3, 2)
    """
    return FlattenedNet(merged, init="random", **params).fit(X, y)
