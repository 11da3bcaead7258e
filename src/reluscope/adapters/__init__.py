"""Converters from framework models to the canonical :class:`~reluscope.ReLUNetwork`.

Each adapter converts once, at the edge; every algorithm of reluscope then
consumes the ``ReLUNetwork``.
"""

from .arrays import from_arrays
from .sklearn import from_sklearn


def from_torch(module, *args, **kwargs):
    """Convert a PyTorch multi-layer perceptron to the canonical :class:`~reluscope.ReLUNetwork`.

    Torch is imported only when this is called.

    Parameters
    ----------
    module : torch.nn.Module
        An ``nn.Sequential`` (nested ones are flattened) or a module whose
        forward is one chain of ``Linear``, ``ReLU``, ``LeakyReLU``,
        ``BatchNorm1d`` (eval mode), ``Dropout`` (ignored, as at inference),
        ``Flatten``, ``Identity`` and the functional ``F.relu``,
        ``F.leaky_relu``, ``torch.flatten``; a final ``Sigmoid`` or
        ``Softmax(dim=-1)`` becomes the output link.
    output : {'identity', 'sigmoid', 'softmax'}, optional
        Output link, overriding a final Sigmoid/Softmax; pass ``'sigmoid'``
        for a net trained on logits with ``BCEWithLogitsLoss`` (``'softmax'``
        for ``CrossEntropyLoss``).
    feature_names, classes : optional
        Passed to :class:`~reluscope.ReLUNetwork`.
    check_X : array-like (n, n_features), optional
        Your data; only used when :mod:`torch.fx` cannot trace the forward, to
        check the children-in-order reading against the module's own output.

    Returns
    -------
    ReLUNetwork
        Float64 weights; consecutive affine layers (Linear, folded batch
        norm) are multiplied into one, exactly up to round-off.

    Raises
    ------
    UnsupportedActivationError
        A hidden Tanh, Sigmoid, GELU, ...; the message names the layer path.
    UnsupportedLayerError
        Convolutions, recurrent or attention layers, branches, skip connections.
    InvalidInputError
        Batch norm in training mode (call ``model.eval()``).

    Examples
    --------
    >>> import numpy as np, torch, reluscope
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1), torch.nn.Sigmoid())
    >>> net = reluscope.from_torch(model)
    >>> net
    ReLUNetwork(sizes=[3, 8, 1], activations=['relu'], output='sigmoid')
    >>> X = np.random.default_rng(0).normal(size=(5, 3))
    >>> with torch.no_grad():
    ...     p = model(torch.tensor(X, dtype=torch.float32)).numpy()[:, 0]
    >>> bool(np.allclose(net.forward(X), p, atol=1e-6))
    True
    >>> reluscope.from_torch(torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1)))
    Traceback (most recent call last):
    ...
    reluscope.errors.UnsupportedActivationError: ...Tanh...
    """
    from .torch import from_torch as _from_torch

    return _from_torch(module, *args, **kwargs)


def from_onnx(model, *args, **kwargs):
    """Convert an ONNX multi-layer perceptron to the canonical :class:`~reluscope.ReLUNetwork`.

    Needs the optional ``onnx`` package (``pip install reluscope[onnx]``),
    imported only when this is called.

    Parameters
    ----------
    model_or_path : onnx.ModelProto, path-like or bytes
        A path is read with ``onnx.load`` (protobuf, no pickle).
    output : {'identity', 'sigmoid', 'softmax'}, optional
        Output link; overrides a final Sigmoid/Softmax node (which is always
        removed: ``output='identity'`` gives the logits).
    feature_names, classes : optional
        Passed to :class:`~reluscope.ReLUNetwork`.

    Returns
    -------
    ReLUNetwork
        Float64 weights.  ``Gemm`` is ``Y = alpha * A' B' + beta * C``, so
        ``W = alpha * B'^T`` and ``b = beta * C``; ``MatMul(X, B)`` gives
        ``W = B^T``; constant ``Add``/``Sub``/``Mul``/``Div`` and an inference
        ``BatchNormalization`` are composed into the neighbouring affine layers.

    Raises
    ------
    UnsupportedActivationError
        A hidden Tanh, Sigmoid, Elu, ...; the message names the node.
    UnsupportedLayerError
        Any other node (Conv, LSTM, Attention, ...) or a graph that is not a chain.
    ImportError
        ``onnx`` is not installed.

    Examples
    --------
    A two-layer MLP written with ``onnx.helper`` (``Gemm`` with ``transB=1``
    stores ``W`` as (n_out, n_in), like PyTorch):

    >>> import numpy as np, reluscope
    >>> from onnx import TensorProto, helper, numpy_helper
    >>> rng = np.random.default_rng(0)
    >>> W1, b1, W2, b2 = (rng.normal(size=s).astype(np.float32) for s in [(4, 2), 4, (1, 4), 1])
    >>> inits = [numpy_helper.from_array(a, n) for a, n in zip([W1, b1, W2, b2], ["W1", "b1", "W2", "b2"])]
    >>> nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["h"], transB=1),
    ...          helper.make_node("Relu", ["h"], ["r"]),
    ...          helper.make_node("Gemm", ["r", "W2", "b2"], ["y"], transB=1)]
    >>> x, y = (helper.make_tensor_value_info(n, TensorProto.FLOAT, [None, k]) for n, k in [("x", 2), ("y", 1)])
    >>> model = helper.make_model(helper.make_graph(nodes, "mlp", [x], [y], inits))
    >>> net = reluscope.from_onnx(model)
    >>> net
    ReLUNetwork(sizes=[2, 4, 1], activations=['relu'], output='identity')
    >>> bool(np.array_equal(net.weights[0], W1)), bool(np.array_equal(net.biases[1], b2))
    (True, True)
    """
    from .onnx import from_onnx as _from_onnx

    return _from_onnx(model, *args, **kwargs)


__all__ = ["from_arrays", "from_sklearn", "from_torch", "from_onnx"]
