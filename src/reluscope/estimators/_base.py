"""Shared parameters, validation and fitting of the ReLU network estimators."""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..errors import InvalidInputError
from ..network import ReLUNetwork

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _sk_validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    _sk_validate_data = None

__all__ = ["BaseReLUNet"]


def validate_data(estimator, *args, **kwargs):
    """``sklearn.utils.validation.validate_data`` (>= 1.6) or the older ``BaseEstimator._validate_data``."""
    if _sk_validate_data is not None:
        return _sk_validate_data(estimator, *args, **kwargs)
    return estimator._validate_data(*args, **kwargs)  # pragma: no cover


def _positive_int(name: str, value) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < 1:
        raise InvalidInputError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _real(name: str, value, *, low: float, high: float = np.inf, low_open: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)) and np.isfinite(value)
    if ok:
        ok = (value > low if low_open else value >= low) and value < high
    if not ok:
        bounds = f"{'(' if low_open else '['}{low:g}, {high:g})"
        raise InvalidInputError(f"{name} must be a finite number in {bounds}, got {value!r}.")
    return float(value)


class BaseReLUNet(BaseEstimator):
    """Parameters and the fit of a fully connected ReLU network trained with PyTorch.

    Subclasses define ``_task(y)`` (encodes the target and names the loss) and
    the output link; predictions go through ``network_`` in float64.
    """

    def __init__(
        self,
        hidden_layer_sizes=(40, 40),
        *,
        l1_reg: float = 1e-5,
        learning_rate: float = 1e-3,
        batch_size: int = 500,
        max_epochs: int = 1000,
        val_ratio: float = 0.2,
        patience: int = 20,
        random_state=None,
        device: str = "cpu",
        verbose: bool = False,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.l1_reg = l1_reg
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.val_ratio = val_ratio
        self.patience = patience
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ----------------------------------------------------------- parameters
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, (bool, np.bool_)):
            sizes = (sizes,)
        try:
            sizes = list(sizes)
        except TypeError:
            raise InvalidInputError(
                f"hidden_layer_sizes must be a sequence of positive integers such as (40, 40), got {self.hidden_layer_sizes!r}."
            ) from None
        return [_positive_int("each entry of hidden_layer_sizes", s) for s in sizes]

    def _check_params(self) -> dict:
        """Validate every parameter (in fit, never in __init__); return them normalised."""
        import torch

        device = str(self.device)
        try:
            dev = torch.device(device)
        except (RuntimeError, TypeError) as exc:
            raise InvalidInputError(f"device={self.device!r} is not a torch device: {exc}. Use 'cpu' or 'cuda'.") from None
        if dev.type == "cuda" and not torch.cuda.is_available():
            raise InvalidInputError(f"device={self.device!r} but CUDA is not available here; use device='cpu'.")
        return {
            "hidden": self._hidden_sizes(),
            "l1_reg": _real("l1_reg", self.l1_reg, low=0.0),
            "learning_rate": _real("learning_rate", self.learning_rate, low=0.0, low_open=True),
            "batch_size": _positive_int("batch_size", self.batch_size),
            "max_epochs": _positive_int("max_epochs", self.max_epochs),
            "val_ratio": _real("val_ratio", self.val_ratio, low=0.0, high=1.0),
            "patience": _positive_int("patience", self.patience),
            "device": device,
        }

    # ------------------------------------------------------------------ fit
    def _split(self, X, Y, val_ratio: float, seed: int, stratify):
        """Hold out ``val_ratio`` of the rows (stratified when every class can be split)."""
        if val_ratio == 0:
            return X, Y, None, None
        n = X.shape[0]
        if n < 2:
            raise InvalidInputError(
                f"val_ratio={val_ratio:g} holds out a validation set, which needs at least 2 samples; got "
                f"{n} sample. Pass more data or val_ratio=0 (no early stopping)."
            )
        if stratify is not None:
            n_val = int(np.ceil(val_ratio * n))
            _, counts = np.unique(stratify, return_counts=True)
            if counts.min() < 2 or n_val < counts.size or n - n_val < counts.size:
                stratify = None
        X_tr, X_val, Y_tr, Y_val = train_test_split(X, Y, test_size=val_ratio, random_state=seed, stratify=stratify)
        return X_tr, Y_tr, X_val, Y_val

    def _fit_network(self, X, Y, *, task: str, n_outputs: int, output: str, classes=None, stratify=None):
        """Train on validated float64 ``X`` and encoded ``Y``; set the fitted attributes."""
        from ._train import train_relu_net

        p = self._check_params()
        rng = check_random_state(self.random_state)
        split_seed, torch_seed = (int(s) for s in rng.randint(np.iinfo(np.int32).max, size=2))
        X_tr, Y_tr, X_val, Y_val = self._split(X, Y, p["val_ratio"], split_seed, stratify)
        result = train_relu_net(
            X_tr,
            Y_tr,
            X_val,
            Y_val,
            sizes=[X.shape[1], *p["hidden"], n_outputs],
            task=task,
            l1_reg=p["l1_reg"],
            learning_rate=p["learning_rate"],
            batch_size=p["batch_size"],
            max_epochs=p["max_epochs"],
            patience=p["patience"],
            seed=torch_seed,
            device=p["device"],
            verbose=bool(self.verbose),
        )
        names = getattr(self, "feature_names_in_", None)
        self.network_ = ReLUNetwork(
            result.weights,
            result.biases,
            slopes=0.0,
            output=output,
            feature_names=None if names is None else [str(n) for n in names],
            classes=classes,
        )
        self.history_ = result.history
        self.n_iter_ = result.n_iter
        self.best_epoch_ = result.best_epoch
        return self

    # -------------------------------------------------------------- predict
    def _validated_X(self, X) -> np.ndarray:
        check_is_fitted(self, "network_")
        return validate_data(self, X, reset=False, dtype=np.float64)

    @property
    def coefs_(self) -> list[np.ndarray]:
        """Weight matrices in scikit-learn's layout ``(n_in, n_out)`` (copies), as ``MLPClassifier.coefs_``."""
        check_is_fitted(self, "network_")
        return [np.array(W.T) for W in self.network_.weights]

    @property
    def intercepts_(self) -> list[np.ndarray]:
        """Bias vectors (copies), as ``MLPClassifier.intercepts_``."""
        check_is_fitted(self, "network_")
        return [np.array(b) for b in self.network_.biases]
