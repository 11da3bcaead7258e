"""ONNX adapter: an MLP graph -> :class:`~reluscope.ReLUNetwork`.

The graph's nodes (stored in topological order) are read into a chain of
affine maps and activations (:mod:`reluscope.adapters._chain`) and composed
exactly into the canonical form.  Weights come from the graph initializers and
``Constant`` nodes via :mod:`onnx.numpy_helper`; a model file is read with
:func:`onnx.load` (protobuf, never pickle).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import InvalidInputError, InvalidModelFileError, UnsupportedActivationError, UnsupportedLayerError
from ..network import ReLUNetwork
from ._chain import Activation, Affine, Link, Width, chain_to_network, extend

__all__ = ["from_onnx"]

_SMOOTH = {
    "Tanh", "Elu", "Selu", "Celu", "Gelu", "Softplus", "Softsign", "HardSigmoid", "HardSwish", "Mish",
    "ThresholdedRelu", "Clip", "PRelu", "Exp", "Erf", "Sin", "Cos", "Shrink",
}
_NO_OPS = {"Identity", "Dropout", "Cast"}


def _import_onnx():
    try:
        import onnx
        from onnx import numpy_helper  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            "from_onnx needs the 'onnx' package: pip install reluscope[onnx] (or pip install onnx)."
        ) from exc
    return onnx


def _load(onnx, model_or_path):
    if isinstance(model_or_path, onnx.ModelProto):
        return model_or_path
    if isinstance(model_or_path, (bytes, bytearray)):
        try:
            return onnx.load_model_from_string(bytes(model_or_path))
        except Exception as exc:  # protobuf DecodeError and the like
            raise InvalidModelFileError(f"These bytes are not an ONNX model ({type(exc).__name__}: {exc}).") from exc
    if isinstance(model_or_path, (str, os.PathLike)):
        path = os.fspath(model_or_path)
        if not os.path.exists(path):
            raise InvalidModelFileError(f"ONNX file {path!r} does not exist.")
        if not os.path.isfile(path) or os.path.getsize(path) == 0:
            raise InvalidModelFileError(f"ONNX file {path!r} is {'empty' if os.path.isfile(path) else 'not a file'}; pass the exported .onnx file.")
        try:
            return onnx.load(path)
        except Exception as exc:  # protobuf DecodeError, external-data errors, ...
            raise InvalidModelFileError(
                f"{path!r} is not a readable ONNX model ({type(exc).__name__}: {str(exc)[:160]}); export it again "
                "with torch.onnx.export or skl2onnx."
            ) from exc
    raise InvalidInputError(
        f"from_onnx takes an onnx.ModelProto, a path to a .onnx file or its bytes; got {type(model_or_path).__name__}."
    )


def _attrs(onnx, node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _row_vector(c: np.ndarray, label: str) -> np.ndarray:
    """A constant that broadcasts along the features only: scalar, (n,) or (1, n)."""
    c = np.asarray(c, dtype=np.float64)
    if c.ndim > 2 or (c.ndim == 2 and c.shape[0] != 1):
        raise UnsupportedLayerError(f"'{label}' broadcasts a constant of shape {c.shape} over the batch; not an MLP layer.")
    return c.reshape(-1)


def _gemm(label, a, data, const):
    if data != 0 or a.get("transA", 0):
        raise UnsupportedLayerError(f"'{label}' multiplies the weights from the left or transposes the data; "
                                    "only Gemm(X, W, C) with X the layer input is supported.")
    B = np.asarray(const[1], dtype=np.float64)
    W = a.get("alpha", 1.0) * (B if a.get("transB", 0) else B.T)
    b = 0.0 if const.get(2) is None else a.get("beta", 1.0) * _row_vector(const[2], label)
    return [Affine(label, W, b)]


def _elementwise(label, op, data, c):
    c = _row_vector(c, label)
    if op == "Add":
        return [Affine(label, None, c)]
    if op == "Sub":
        return [Affine(label, None, -c)] if data == 0 else [Affine(label, None, c, -1.0)]
    if op == "Mul":
        return [Affine(label, None, 0.0, c)]
    if data == 0:  # Div by a constant
        return [Affine(label, None, 0.0, 1.0 / c)]
    raise UnsupportedLayerError(f"'{label}' divides a constant by the data; not piecewise affine.")


def _batchnorm(label, a, const):
    if a.get("training_mode", 0):
        raise InvalidInputError(f"'{label}' is in training mode (batch statistics); export the model in eval mode.")
    scale, bias, mean, var = (np.asarray(const[i], dtype=np.float64) for i in (1, 2, 3, 4))
    s = scale / np.sqrt(var + a.get("epsilon", 1e-5))
    return [Affine(label, None, bias - mean * s, s)]


def _reshape(label, shape):
    shape = [int(v) for v in np.asarray(shape).reshape(-1)]
    if shape == [0, -1]:
        return []
    if len(shape) == 2 and shape[0] == -1 and shape[1] > 0:
        return [Width(label, shape[1])]
    raise UnsupportedLayerError(f"'{label}' reshapes to {shape}; only [0, -1] or [-1, n_features] are supported.")


def _node_steps(label, op, a, data, const, opset):
    """Chain steps of one node; ``data`` is the input slot of the layer input, ``const`` the constant slots."""
    if op == "Gemm":
        return _gemm(label, a, data, const)
    if op == "MatMul":
        if data != 0 or np.ndim(const[1]) != 2:
            raise UnsupportedLayerError(f"'{label}' must be MatMul(X, W) with a 2-D weight W.")
        return [Affine(label, np.asarray(const[1], dtype=np.float64).T, 0.0)]
    if op in ("Add", "Sub", "Mul", "Div"):
        return _elementwise(label, op, data, const[1 - data])
    if op == "Relu":
        return [Activation(label, 0.0)]
    if op == "LeakyRelu":
        return [Activation(label, float(a.get("alpha", 0.01)))]
    if op == "PRelu" and np.size(const[1]) == 1:
        return [Activation(label, float(np.asarray(const[1]).reshape(-1)[0]))]
    if op == "BatchNormalization":
        return _batchnorm(label, a, const)
    if op == "Flatten":
        if a.get("axis", 1) != 1:
            raise UnsupportedLayerError(f"'{label}' flattens with axis={a['axis']}; only axis=1 is supported.")
        return []
    if op == "Reshape":
        return _reshape(label, const[1])
    if op in _NO_OPS:
        return []
    if op == "Sigmoid":
        return [Link(label, "sigmoid")]
    if op in ("Softmax", "LogSoftmax"):
        axis = a.get("axis", 1 if opset < 13 else -1)
        if axis not in (1, -1):
            raise UnsupportedLayerError(f"'{label}' applies {op} over axis {axis}; only axis 1 / -1 is an output link.")
        return [Link(label, "softmax" if op == "Softmax" else "log_softmax")]
    return None


def _unsupported(label: str, op: str) -> UnsupportedLayerError:
    if op in _SMOOTH:
        return UnsupportedActivationError(
            f"Node '{label}' is not supported: {op} is not piecewise affine with a single kink at 0, so the network "
            "has no exact local linear models. Hidden activations must be Relu or LeakyRelu (Sigmoid / Softmax "
            "only as the last node)."
        )
    return UnsupportedLayerError(
        f"Node '{label}' is not supported: reluscope reads MLP graphs of Gemm, MatMul, Add/Sub/Mul/Div by "
        "constants, Relu, LeakyRelu, BatchNormalization, Flatten, Reshape, Dropout and Identity, with a final "
        "Sigmoid or Softmax. Convolutions, recurrent and attention ops cannot be converted."
    )


def _input_width(graph_input) -> int | None:
    dims = graph_input.type.tensor_type.shape.dim
    if len(dims) == 2 and dims[1].HasField("dim_value") and dims[1].dim_value > 0:
        return int(dims[1].dim_value)
    return None


def _graph_steps(onnx, model) -> tuple[list, int | None]:
    from onnx import numpy_helper

    graph = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in consts]
    if len(inputs) != 1:
        raise UnsupportedLayerError(f"The ONNX graph has {len(inputs)} data inputs; reluscope converts one-input MLPs.")
    opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
    head, steps = inputs[0].name, []
    for i, node in enumerate(graph.node):
        label = f"{node.name or f'node {i}'} ({node.op_type})"
        a = _attrs(onnx, node)
        if node.op_type == "Constant" and len(a) == 1:
            value = next(iter(a.values()))
            consts[node.output[0]] = numpy_helper.to_array(value) if isinstance(value, onnx.TensorProto) else np.asarray(value)
            continue
        slots = [j for j, name in enumerate(node.input) if name == head]
        unknown = [n for n in node.input if n and n != head and n not in consts]
        if len(slots) != 1 or unknown or node.domain not in ("", "ai.onnx"):
            if not slots and not unknown:
                continue  # computes on constants only; refused below if its result meets the data
            raise UnsupportedLayerError(
                f"Node '{label}' does not continue a single chain from the input (it uses {list(node.input)}, "
                f"the current layer output is {head!r}): branches, skip connections and computed weights are not supported."
            )
        const = {j: consts[n] for j, n in enumerate(node.input) if n in consts}
        const.update({j: None for j, n in enumerate(node.input) if not n})
        try:
            new = _node_steps(label, node.op_type, a, slots[0], const, opset)
        except KeyError as exc:
            raise UnsupportedLayerError(f"Node '{label}' lacks the constant input {exc}; not an MLP layer.") from None
        if new is None:
            raise _unsupported(label, node.op_type)
        extend(steps, new)
        head = node.output[0]
    outputs = [o.name for o in graph.output]
    if outputs != [head]:
        raise UnsupportedLayerError(
            f"The ONNX graph's outputs {outputs} are not the single output of its last layer ({head!r})."
        )
    return steps, _input_width(inputs[0])


def from_onnx(model_or_path, *, output: str | None = None, feature_names=None, classes=None) -> ReLUNetwork:
    """Convert an ONNX multi-layer perceptron to the canonical :class:`ReLUNetwork`.

    Parameters
    ----------
    model_or_path : onnx.ModelProto, path-like or bytes
        A path is read with :func:`onnx.load` (protobuf, no pickle).
    output : {'identity', 'sigmoid', 'softmax'}, optional
        Output link; overrides a final Sigmoid/Softmax node (which is always
        removed: ``output='identity'`` gives the logits).
    feature_names, classes : optional
        Passed to :class:`ReLUNetwork`.

    Returns
    -------
    ReLUNetwork
        Float64 weights.  ``Gemm`` is ``Y = alpha * A' B' + beta * C``
        (``A' = A``; ``B' = B^T`` if ``transB``), so ``W = alpha * B'^T`` and
        ``b = beta * C``; ``MatMul(X, B)`` gives ``W = B^T``; constant
        ``Add``/``Sub``/``Mul``/``Div`` and an inference ``BatchNormalization``
        (``s = scale / sqrt(var + eps)``, ``t = B - mean * s``) are composed into
        the neighbouring affine layers exactly, as in :func:`from_torch`.

    Raises
    ------
    UnsupportedActivationError
        A hidden Tanh, Sigmoid, Elu, ...; the message names the node.
    UnsupportedLayerError
        Any other node (Conv, LSTM, Attention, ...) or a graph that is not a chain.
    ImportError
        ``onnx`` is not installed (``pip install reluscope[onnx]``).
    """
    onnx = _import_onnx()
    model = _load(onnx, model_or_path)
    steps, n_features = _graph_steps(onnx, model)
    return chain_to_network(steps, output=output, n_features=n_features, feature_names=feature_names, classes=classes)
