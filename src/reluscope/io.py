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
from pathlib import Path

import numpy as np

from .adapters.arrays import from_arrays
from .errors import InvalidInputError, UntrustedFileError
from .network import ReLUNetwork

__all__ = ["load_model", "save_network", "load_network", "network_from_state_dict", "as_network"]


def save_network(network: ReLUNetwork, path) -> Path:
    """Save a network to ``.npz``: arrays plus JSON metadata, no pickle."""
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


def load_network(path) -> ReLUNetwork:
    """Load a network written by :func:`save_network` (``allow_pickle=False``)."""
    with np.load(Path(path), allow_pickle=False) as data:
        if "meta" not in data:
            raise InvalidInputError(f"{path} is not a reluscope network file (no metadata).")
        meta = json.loads(bytes(data["meta"]).decode())
        if meta.get("format") != "reluscope.ReLUNetwork":
            raise InvalidInputError(f"{path} is not a reluscope network file.")
        n = meta["n_layers"]
        weights = [data[f"W{i}"] for i in range(n)]
        biases = [data[f"b{i}"] for i in range(n)]
    return ReLUNetwork(weights, biases, meta["slopes"], meta["output"], meta["feature_names"], meta["classes"])


def as_network(model, *, output: str | None = None) -> ReLUNetwork:
    """Convert a supported in-memory model (ReLUNetwork, sklearn MLP, torch module) to a ReLUNetwork."""
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


def network_from_state_dict(state: dict, *, activation="relu", output: str = "identity") -> ReLUNetwork:
    """Build an MLP from a PyTorch state dict of Linear layers, in key order.

    The state dict holds ``<name>.weight`` (n_out, n_in) and optionally
    ``<name>.bias`` for each Linear layer; the hidden activation is not stored
    in a state dict, so it is given by ``activation`` (default ReLU) and the
    output link by ``output``.
    """
    weights, biases = [], []
    names = [k[: -len(".weight")] for k in state if k.endswith(".weight")]
    others = [k for k in state if not re.search(r"\.(weight|bias)$", k)]
    if others:
        raise InvalidInputError(
            f"The state dict holds tensors that are not Linear weights/biases ({others[:5]}); save the whole "
            "module with torch.save(model) and load it with trust_pickle=True, or export it to ONNX."
        )
    for name in names:
        W = np.asarray(state[name + ".weight"].detach().cpu().double().numpy() if hasattr(state[name + ".weight"], "detach") else state[name + ".weight"], dtype=np.float64)
        if W.ndim != 2:
            raise InvalidInputError(
                f"Tensor {name}.weight has shape {tuple(W.shape)}; only Linear layers (2-D weights) can be read "
                "from a state dict. Export convolutional or normalisation layers' models to ONNX instead."
            )
        b = state.get(name + ".bias")
        b = np.zeros(W.shape[0]) if b is None else np.asarray(b.detach().cpu().double().numpy() if hasattr(b, "detach") else b)
        weights.append(W)
        biases.append(b)
    if not weights:
        raise InvalidInputError("The state dict holds no Linear layer weights.")
    return from_arrays(weights, biases, activation=activation, output=output)


def load_model(path, *, trust_pickle: bool = False, activation="relu", output: str | None = None) -> ReLUNetwork:
    """Load a model file as a :class:`ReLUNetwork`.

    Parameters
    ----------
    path : str or Path
        ``.npz`` (ReLUNetwork.save), ``.onnx``, ``.pt``/``.pth`` (state dict,
        or a full module with ``trust_pickle``), ``.pkl``/``.pickle``/``.joblib``
        (scikit-learn MLP or torch module, with ``trust_pickle``).
    trust_pickle : bool, default False
        Allow unpickling. Only for files you made or trust: unpickling runs code.
    activation : hidden activation for a state dict (default 'relu').
    output : output link override ('identity', 'sigmoid', 'softmax').

    Raises
    ------
    UntrustedFileError
        The file needs unpickling and ``trust_pickle`` is False.
    """
    path = Path(path)
    if not path.exists():
        raise InvalidInputError(f"Model file {path} does not exist.")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        net = ReLUNetwork.load(path)
        return net if output is None else ReLUNetwork(net.weights, net.biases, net.slopes, output, net.feature_names, None if output != net.output else net.classes)
    if suffix == ".onnx":
        from .adapters import from_onnx

        return from_onnx(path, output=output)
    if suffix in (".pt", ".pth"):
        import torch

        try:
            obj = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as exc:
            if not trust_pickle:
                raise UntrustedFileError(
                    f"{path} is not a plain state dict (torch.load with weights_only=True refused it: "
                    f"{str(exc).splitlines()[0][:200]}). If you made this file, pass trust_pickle=True "
                    "(CLI: --trust-pickle) to unpickle it; unpickling runs arbitrary code."
                ) from exc
            obj = torch.load(path, map_location="cpu", weights_only=False)  # trusted by the caller
        if isinstance(obj, dict):
            return network_from_state_dict(obj, activation=activation, output=output or "identity")
        return as_network(obj, output=output)
    if suffix in (".pkl", ".pickle", ".joblib"):
        if not trust_pickle:
            raise UntrustedFileError(
                f"{path} is a pickle: loading it runs arbitrary code. Pass trust_pickle=True (CLI: --trust-pickle) "
                "only for files you made or trust, or save the network with ReLUNetwork.save (.npz) or ONNX."
            )
        if suffix == ".joblib":
            import joblib

            obj = joblib.load(path)  # trusted by the caller (trust_pickle=True)
        else:
            with open(path, "rb") as fh:
                obj = pickle.load(fh)  # trusted by the caller (trust_pickle=True)
        return as_network(obj, output=output)
    raise InvalidInputError(
        f"Unknown model file type {suffix!r}; use .npz (reluscope), .onnx, .pt/.pth, or .pkl/.joblib with trust_pickle."
    )
