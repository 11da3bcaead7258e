"""Loading models from files, safely.

Never unpickles by default: ``.npz`` (reluscope's own format) and ``.onnx``
(protobuf) are safe; PyTorch files load with ``torch.load(weights_only=True)``
(a state dict of Linear layers); ``.pkl`` / ``.joblib`` files and full
pickled torch modules need ``trust_pickle=True``, because unpickling runs
arbitrary code.
"""

from __future__ import annotations

import json
import pickle
import re
import warnings
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from .adapters.arrays import from_arrays
from .errors import InvalidInputError, InvalidModelFileError, ReluscopeError, ShapeMismatchError, UntrustedFileError
from .network import ReLUNetwork

__all__ = ["load_model", "save_network", "load_network", "network_from_state_dict", "as_network", "save_state_dict"]


def save_network(network: ReLUNetwork, path) -> Path:
    """Save a network to ``.npz``: arrays plus JSON metadata, no pickle.

    Parameters
    ----------
    network : ReLUNetwork
    path : str or Path
        The file to write (``.npz`` by convention; the name is used as given).

    Returns
    -------
    Path

    Examples
    --------
    >>> import numpy as np, reluscope, tempfile, pathlib
    >>> net = reluscope.from_arrays([np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, -2.0]])],
    ...                             [np.zeros(2), np.array([0.5])], feature_names=["age", "income"])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from reluscope.io import load_network, save_network
    >>> path = save_network(net, folder / "net.npz")
    >>> load_network(path) == net
    True
    """
    path = Path(path)
    meta = {
        "format": "reluscope.ReLUNetwork",
        "version": 1,
        "n_layers": len(network.weights),
        "slopes": list(network.slopes),
        "output": network.output,
        "feature_names": list(network.feature_names) if network.feature_names else None,
        "classes": network.classes.tolist() if network.classes is not None else None,
    }
    arrays = {f"W{i}": w for i, w in enumerate(network.weights)}
    arrays.update({f"b{i}": b for i, b in enumerate(network.biases)})
    with open(path, "wb") as fh:
        np.savez(fh, meta=np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8), **arrays)
    return path


def _check_file(path: Path) -> None:
    """The path names an existing, non-empty regular file."""
    if not path.exists():
        raise InvalidModelFileError(f"Model file {path} does not exist; check the path.")
    if path.is_dir():
        raise InvalidModelFileError(f"Model file {path} is a directory; pass the model file inside it.")
    if path.stat().st_size == 0:
        raise InvalidModelFileError(f"Model file {path} is empty (0 bytes); it was not written completely. Save the model again.")


@contextmanager
def _reading(path: Path, what: str, fix: str):
    """Turn every failure while reading ``path`` into a reluscope error that names the file.

    reluscope's own errors get the file name prefixed when they lack it; any
    other exception (zip, JSON, protobuf, pickle, NumPy, torch) becomes an
    :class:`InvalidModelFileError` saying what the file should be and what to do.
    """
    try:
        yield
    except ReluscopeError as exc:
        if path.name in str(exc):
            raise
        raise type(exc)(f"{path}: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - third-party readers raise anything on a corrupt file
        reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        if "allow_pickle" in reason or "pickled" in reason:  # never pass on NumPy's hint to unpickle
            reason = "it holds pickled (object) data, which reluscope never loads"
        raise InvalidModelFileError(f"{path} is not a readable {what} ({type(exc).__name__}: {reason}). {fix}") from exc


_NPZ_FIX = "Save the network again with ReLUNetwork.save(path) (or reluscope.io.save_network)."


def _meta_of(data, path: Path) -> dict:
    if "meta" not in data.files:
        raise InvalidModelFileError(f"{path} is not a reluscope network file (no metadata). {_NPZ_FIX}")
    meta = json.loads(bytes(data["meta"]).decode())
    if not isinstance(meta, dict) or meta.get("format") != "reluscope.ReLUNetwork":
        raise InvalidModelFileError(f"{path} is not a reluscope network file (unknown metadata). {_NPZ_FIX}")
    missing = [k for k in ("n_layers", "slopes", "output") if k not in meta]
    n = meta.get("n_layers")
    if missing or isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidModelFileError(f"{path} has inconsistent metadata (missing {missing} or a bad n_layers {n!r}). {_NPZ_FIX}")
    absent = [f"{a}{i}" for i in range(n) for a in "Wb" if f"{a}{i}" not in data.files]
    if absent:
        raise InvalidModelFileError(f"{path} declares {n} layers but lacks the arrays {absent[:6]}. {_NPZ_FIX}")
    return meta


def load_network(path) -> ReLUNetwork:
    """Load a network written by :func:`save_network` (``allow_pickle=False``).

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    ReLUNetwork

    Raises
    ------
    InvalidModelFileError
        Missing, empty, truncated or non-zip file, missing or inconsistent
        metadata, object (pickled) arrays, layers that do not chain; the
        message names the file.

    Examples
    --------
    >>> import numpy as np, reluscope, tempfile, pathlib
    >>> net = reluscope.from_arrays([np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, -2.0]])],
    ...                             [np.zeros(2), np.array([0.5])], feature_names=["age", "income"])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from reluscope.io import load_network
    >>> loaded = load_network(net.save(folder / "net.npz"))
    >>> loaded.feature_names, bool(np.array_equal(loaded.forward(np.eye(2)), net.forward(np.eye(2))))
    (('age', 'income'), True)
    >>> _ = (folder / "empty.npz").write_bytes(b"")
    >>> load_network(folder / "empty.npz")
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidModelFileError: Model file ...empty.npz is empty (0 bytes); ...
    """
    path = Path(path)
    _check_file(path)
    with _reading(path, "reluscope network file (.npz)", _NPZ_FIX):
        obj = np.load(path, allow_pickle=False)
        if not hasattr(obj, "files"):
            raise InvalidModelFileError(f"{path} holds a single array, not a reluscope network archive. {_NPZ_FIX}")
        with obj as data:
            meta = _meta_of(data, path)
            n = meta["n_layers"]
            weights = [data[f"W{i}"] for i in range(n)]
            biases = [data[f"b{i}"] for i in range(n)]
        return ReLUNetwork(weights, biases, meta["slopes"], meta["output"], meta.get("feature_names"), meta.get("classes"))


def as_network(model, *, output: str | None = None) -> ReLUNetwork:
    """Convert a supported in-memory model (ReLUNetwork, sklearn MLP, torch module) to a ReLUNetwork.

    Parameters
    ----------
    model : ReLUNetwork, torch.nn.Module, or fitted MLPRegressor / MLPClassifier
    output : {'identity', 'sigmoid', 'softmax'}, optional
        Output link of a torch module (see :func:`reluscope.from_torch`).

    Returns
    -------
    ReLUNetwork
        A ReLUNetwork is returned as it is.

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> from reluscope.io import as_network
    >>> from sklearn.neural_network import MLPRegressor
    >>> X = np.random.default_rng(0).normal(size=(50, 3))
    >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=200, random_state=0).fit(X, X[:, 0])
    >>> net = as_network(mlp)
    >>> net.hidden_sizes, as_network(net) is net
    ((4,), True)
    """
    if isinstance(model, ReLUNetwork):
        return model
    try:
        import torch

        if isinstance(model, torch.nn.Module):
            from .adapters import from_torch

            return from_torch(model, output=output)
    except ImportError:  # pragma: no cover - torch is a core dependency
        pass
    from .adapters import from_sklearn

    return from_sklearn(model)


def _tensor(t) -> np.ndarray:
    return np.asarray(t.detach().cpu().double().numpy() if hasattr(t, "detach") else t, dtype=np.float64)


def _check_chain(names: list[str], weights: list[np.ndarray]) -> None:
    """Refuse a layer order whose shapes do not chain (each layer takes the previous one's outputs)."""
    for i in range(1, len(weights)):
        if weights[i].shape[1] != weights[i - 1].shape[0]:
            raise ShapeMismatchError(
                f"The state dict's Linear layers do not chain in the order read ({names}): {names[i - 1]}.weight "
                f"has {weights[i - 1].shape[0]} outputs but {names[i]}.weight takes {weights[i].shape[1]} inputs. "
                "reluscope reads the layers in stored order; save model.state_dict() of the model itself, or "
                "give the order as 'layers' in the JSON sidecar (reluscope.io.save_state_dict)."
            )


def network_from_state_dict(
    state: dict, *, activation="relu", output: str = "identity", feature_names=None, classes=None, layers=None
) -> ReLUNetwork:
    """Build an MLP from a PyTorch state dict of Linear layers, in key order.

    The state dict holds ``<name>.weight`` (n_out, n_in) and optionally
    ``<name>.bias`` for each Linear layer; the hidden activation is not stored
    in a state dict, so it is given by ``activation`` (default ReLU; a
    LeakyReLU as ``'leaky_relu:0.1'``) and the output link by ``output``.
    ``layers`` (the layer names in forward order) overrides the key order; an
    order whose shapes do not chain is refused (:class:`~reluscope.ShapeMismatchError`).

    Parameters
    ----------
    state : dict of str to tensor or array
        ``model.state_dict()``.
    activation : str or float, default 'relu'
        Hidden activation (see :func:`reluscope.from_arrays`).
    output : {'identity', 'sigmoid', 'softmax'}, default 'identity'
    feature_names, classes : optional
    layers : sequence of str, optional
        The Linear layers' names in forward order.

    Returns
    -------
    ReLUNetwork

    Raises
    ------
    InvalidInputError
        Tensors that are not Linear weights or biases; ``layers`` that do not
        name each Linear layer once.
    ShapeMismatchError
        The layers do not chain in the order read.

    Examples
    --------
    A state dict of ``nn.Sequential(Linear(2, 3), ReLU(), Linear(3, 1))``
    (NumPy arrays stand in for tensors here):

    >>> import numpy as np
    >>> from reluscope.io import network_from_state_dict
    >>> rng = np.random.default_rng(0)
    >>> state = {"0.weight": rng.normal(size=(3, 2)), "0.bias": rng.normal(size=3),
    ...          "2.weight": rng.normal(size=(1, 3)), "2.bias": rng.normal(size=1)}
    >>> net = network_from_state_dict(state, activation="leaky_relu:0.1")
    >>> net
    ReLUNetwork(sizes=[2, 3, 1], activations=['leaky(0.1)'], output='identity')
    >>> x = np.array([0.5, -1.0])
    >>> z = state["0.weight"] @ x + state["0.bias"]
    >>> manual = state["2.weight"] @ np.where(z > 0, z, 0.1 * z) + state["2.bias"]
    >>> bool(np.allclose(net.forward(x[None]), manual))
    True
    >>> network_from_state_dict(state, layers=["2", "0"])
    Traceback (most recent call last):
    ...
    reluscope.errors.ShapeMismatchError: The state dict's Linear layers do not chain in the order read (['2', '0']): ...
    """
    names = [k[: -len(".weight")] for k in state if k.endswith(".weight")]
    others = [k for k in state if not re.search(r"\.(weight|bias)$", k)]
    if others:
        raise InvalidInputError(
            f"The state dict holds tensors that are not Linear weights/biases ({others[:5]}); save the whole "
            "module with torch.save(model) and load it with trust_pickle=True, or export it to ONNX."
        )
    if layers is not None:
        unknown = [str(n) for n in layers if str(n) not in names]
        if unknown or len(layers) != len(names):
            raise InvalidInputError(f"layers={list(layers)} must name each Linear layer of the state dict once: {names}.")
        names = [str(n) for n in layers]
    weights, biases = [], []
    for name in names:
        W = _tensor(state[name + ".weight"])
        if W.ndim != 2:
            raise InvalidInputError(
                f"Tensor {name}.weight has shape {tuple(W.shape)}; only Linear layers (2-D weights) can be read "
                "from a state dict. Export convolutional or normalisation layers' models to ONNX instead."
            )
        b = state.get(name + ".bias")
        weights.append(W)
        biases.append(np.zeros(W.shape[0]) if b is None else _tensor(b))
    if not weights:
        raise InvalidInputError("The state dict holds no Linear layer weights.")
    _check_chain(names, weights)
    return from_arrays(weights, biases, activation=activation, output=output, feature_names=feature_names, classes=classes)


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def save_state_dict(state: dict, path, *, activation="relu", output: str = "identity", feature_names=None, classes=None) -> Path:
    """Save a PyTorch state dict with its architecture in a JSON sidecar ``<path>.json``.

    A state dict stores weights only; the sidecar stores what it lacks (the
    hidden activation, e.g. ``'leaky_relu:0.1'``, the output link, the layer
    order, feature names and classes), so :func:`load_model` needs no guess.

    Parameters
    ----------
    state : dict
        ``model.state_dict()`` of Linear layers.
    path : str or Path
        The ``.pt`` file to write; the sidecar is ``<path>.json``.
    activation, output, feature_names, classes
        As for :func:`network_from_state_dict`.

    Returns
    -------
    Path

    Examples
    --------
    >>> import pathlib, tempfile, torch, reluscope
    >>> from reluscope.io import load_model, save_state_dict
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.LeakyReLU(0.1), torch.nn.Linear(4, 1))
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "model.pt"
    >>> _ = save_state_dict(model.state_dict(), path, activation="leaky_relu:0.1", output="sigmoid")
    >>> sorted(p.name for p in path.parent.iterdir())
    ['model.pt', 'model.pt.json']
    >>> load_model(path) == reluscope.from_torch(model, output="sigmoid")
    True
    """
    import torch

    from .adapters.arrays import activation_slope

    path = Path(path)
    slopes = [activation_slope(a) for a in activation] if isinstance(activation, list) else activation_slope(activation)
    torch.save(state, path)
    meta = {
        "format": "reluscope.state_dict",
        "version": 1,
        "activation": slopes,
        "output": output,
        "layers": [k[: -len(".weight")] for k in state if k.endswith(".weight")],
        "feature_names": None if feature_names is None else [str(f) for f in feature_names],
        "classes": None if classes is None else np.asarray(classes).tolist(),
    }
    _sidecar(path).write_text(json.dumps(meta, indent=2))
    return path


def _read_sidecar(path: Path) -> dict | None:
    side = _sidecar(path)
    if not side.is_file():
        return None
    with _reading(side, "reluscope state-dict sidecar (JSON)", "Write it with reluscope.io.save_state_dict."):
        meta = json.loads(side.read_text())
        if not isinstance(meta, dict) or meta.get("format") != "reluscope.state_dict":
            raise InvalidModelFileError(f"{side} is not a reluscope state-dict sidecar (no 'format': 'reluscope.state_dict').")
    return meta


def _state_dict_network(obj: dict, path: Path, activation, output) -> ReLUNetwork:
    meta = _read_sidecar(path)
    if meta is None:
        if activation is None:
            warnings.warn(
                f"{path.name} is a state dict, which does not store the hidden activation; assuming ReLU. Pass "
                "activation='relu' or e.g. 'leaky_relu:0.1' (CLI: --activation), or save it with "
                "reluscope.io.save_state_dict to store the architecture beside it.",
                UserWarning,
                stacklevel=3,
            )
        return network_from_state_dict(obj, activation=activation or "relu", output=output or "identity")
    stored = meta.get("activation", "relu")
    if activation is not None:
        from .adapters.arrays import activation_slope

        given = [activation_slope(a) for a in activation] if isinstance(activation, list) else activation_slope(activation)
        if np.atleast_1d(given).tolist() != np.atleast_1d([activation_slope(a) for a in np.atleast_1d(stored).tolist()]).tolist():
            raise InvalidInputError(
                f"activation={activation!r} disagrees with {_sidecar(path).name}, which stores {stored!r}; drop the "
                "activation argument or fix the sidecar."
            )
    return network_from_state_dict(
        obj,
        activation=stored,
        output=output or meta.get("output", "identity"),
        feature_names=meta.get("feature_names"),
        classes=meta.get("classes"),
        layers=meta.get("layers"),
    )


def _torch_file(path: Path, trust_pickle: bool, activation, output) -> ReLUNetwork:
    import torch

    with open(path, "rb") as fh:
        head = fh.read(2)
    if not (zipfile.is_zipfile(path) or head[:1] == b"\x80"):
        raise InvalidModelFileError(
            f"{path} is not a PyTorch file (neither a zip archive nor a pickle); save the state dict with "
            "torch.save(model.state_dict(), path) or reluscope.io.save_state_dict."
        )
    fix = "Save the state dict again with torch.save(model.state_dict(), path)."
    with _reading(path, "PyTorch file", fix):
        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            if "weights only" not in str(exc).lower():
                raise
            if not trust_pickle:
                raise UntrustedFileError(
                    f"{path} is not a plain state dict (torch.load with weights_only=True refused it: "
                    f"{str(exc).splitlines()[0][:200]}). If you made this file, pass trust_pickle=True "
                    "(CLI: --trust-pickle) to unpickle it; unpickling runs arbitrary code."
                ) from exc
            obj = torch.load(path, map_location="cpu", weights_only=False)  # trusted by the caller
        if isinstance(obj, dict):
            return _state_dict_network(obj, path, activation, output)
        return as_network(obj, output=output)


def load_model(path, *, trust_pickle: bool = False, activation=None, output: str | None = None) -> ReLUNetwork:
    """Load a model file as a :class:`~reluscope.ReLUNetwork`.

    Parameters
    ----------
    path : str or Path
        ``.npz`` (ReLUNetwork.save), ``.onnx``, ``.pt``/``.pth`` (state dict,
        or a full module with ``trust_pickle``), ``.pkl``/``.pickle``/``.joblib``
        (scikit-learn MLP or torch module, with ``trust_pickle``).
    trust_pickle : bool, default False
        Allow unpickling. Only for files you made or trust: unpickling runs code.
    activation : hidden activation of a state dict: 'relu', 'identity',
        'leaky_relu:0.1' (or a slope).  Read from the JSON sidecar
        ``<path>.json`` when there is one (:func:`save_state_dict`); without
        either, ReLU is assumed with a warning.
    output : output link override ('identity', 'sigmoid', 'softmax').

    Raises
    ------
    UntrustedFileError
        The file needs unpickling and ``trust_pickle`` is False.
    InvalidModelFileError
        Missing, empty, truncated, corrupt or inconsistent file (the message
        names it and says what to do).

    Examples
    --------
    >>> import numpy as np, reluscope, tempfile, pathlib
    >>> net = reluscope.from_arrays([np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([[1.0, -2.0]])],
    ...                             [np.zeros(2), np.array([0.5])], feature_names=["age", "income"])
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> from reluscope.io import load_model
    >>> path = net.save(folder / "net.npz")
    >>> load_model(path) == net
    True
    >>> load_model(path, output="sigmoid").output
    'sigmoid'
    >>> load_model(folder / "missing.pkl")
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidModelFileError: Model file ...missing.pkl does not exist; check the path.
    """
    path = Path(path)
    _check_file(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        net = ReLUNetwork.load(path)
        return net if output is None else ReLUNetwork(net.weights, net.biases, net.slopes, output, net.feature_names, None if output != net.output else net.classes)
    if suffix == ".onnx":
        from .adapters import from_onnx

        with _reading(path, "ONNX model", "Export the model again with torch.onnx.export or skl2onnx."):
            return from_onnx(path, output=output)
    if suffix in (".pt", ".pth"):
        return _torch_file(path, trust_pickle, activation, output)
    if suffix in (".pkl", ".pickle", ".joblib"):
        if not trust_pickle:
            raise UntrustedFileError(
                f"{path} is a pickle: loading it runs arbitrary code. Pass trust_pickle=True (CLI: --trust-pickle) "
                "only for files you made or trust, or save the network with ReLUNetwork.save (.npz) or ONNX."
            )
        with _reading(path, "pickled model", "Pickle the fitted model again, or save it as .npz / ONNX."):
            if suffix == ".joblib":
                import joblib

                obj = joblib.load(path)  # trusted by the caller (trust_pickle=True)
            else:
                with open(path, "rb") as fh:
                    obj = pickle.load(fh)  # trusted by the caller (trust_pickle=True)
            return as_network(obj, output=output)
    raise InvalidModelFileError(
        f"Unknown model file type {suffix or '(no suffix)'!r} of {path}; use .npz (reluscope), .onnx, .pt/.pth, or "
        ".pkl/.joblib with trust_pickle."
    )
