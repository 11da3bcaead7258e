"""The ludax-agents AlphaZero Reversi network, rebuilt in PyTorch from its checkpoint.

ludax-agents ships a dm-haiku (JAX) ResNet: a 3x3 stem conv, 4 pre-activation
residual blocks of 64 channels, a policy head (1x1 conv, batch norm, ReLU, linear
to 65 actions: 64 squares and "pass") and a value head (tanh). Its checkpoint is a
pickle of JAX arrays; it is read here with an unpickler that admits only the
handful of globals such a file needs (NumPy array reconstruction, JAX's array
wrapper mapped to NumPy, the config and optimiser-state containers mapped to inert
holders): no code from the file runs, and JAX is not needed.

Layout: the board enters as ``(batch, 2, 8, 8)`` float (channel 0: the player to
move, channel 1: the opponent, 1 where a piece stands; haiku's NHWC layout is
transposed at the edge). Batch norm is the eval-mode affine map with haiku's
``eps = 1e-5``. Everything but the value head's tanh is piecewise linear.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np

from ..errors import InvalidInputError, UntrustedFileError

__all__ = ["load_reversi_policy", "read_checkpoint"]


class _Holder:
    """Stands in for a pickled container (the pydantic config): keeps its state, runs nothing."""

    def __setstate__(self, state):
        self.state = state


class _TupleHolder(tuple):
    def __new__(cls, *args):
        return tuple.__new__(cls, args)


def _numpy_array(fun, args, arr_state, aval_state):
    """JAX's ``_reconstruct_array`` without JAX: the NumPy value it wraps."""
    value = fun(*args)
    value.__setstate__(arr_state)
    return value


class _CheckpointReader(pickle.Unpickler):
    def find_class(self, module, name):
        import numpy.core.multiarray as multiarray

        allowed = {
            ("jax._src.array", "_reconstruct_array"): _numpy_array,
            ("numpy.core.multiarray", "_reconstruct"): multiarray._reconstruct,
            ("numpy._core.multiarray", "_reconstruct"): multiarray._reconstruct,
            ("numpy", "ndarray"): np.ndarray,
            ("numpy", "dtype"): np.dtype,
        }
        if (module, name) in allowed:
            return allowed[(module, name)]
        if module == "__main__" and name == "Config":
            return _Holder
        if module.startswith("optax.") and name in ("ScaleByAdamState", "EmptyState"):
            return _TupleHolder
        raise UntrustedFileError(f"The checkpoint asks for {module}.{name}, which the Reversi reader does not admit.")


def read_checkpoint(path: Path) -> dict:
    """``{"params": ..., "state": ..., "config": dict}`` of a ludax-agents checkpoint, as NumPy arrays."""
    with open(path, "rb") as f:
        data = _CheckpointReader(f).load()
    params, state = data["model"]
    return {"params": params, "state": state, "config": data["config"].state["__dict__"]}


def _build(params: dict, state: dict, n_blocks: int):
    import torch
    from torch import nn

    def conv(key):
        w = np.asarray(params[key]["w"])
        m = nn.Conv2d(w.shape[2], w.shape[3], w.shape[0], padding=w.shape[0] // 2)
        m.weight.data = torch.from_numpy(w.transpose(3, 2, 0, 1).copy()).float()
        m.bias.data = torch.from_numpy(np.asarray(params[key]["b"]).copy()).float()
        return m

    def bn(key):
        scale = np.asarray(params[key]["scale"]).ravel()
        m = nn.BatchNorm2d(scale.size, eps=1e-5)
        m.weight.data = torch.from_numpy(scale.copy()).float()
        m.bias.data = torch.from_numpy(np.asarray(params[key]["offset"]).ravel().copy()).float()
        m.running_mean.data = torch.from_numpy(np.asarray(state[f"{key}/~/mean_ema"]["average"]).ravel().copy()).float()
        m.running_var.data = torch.from_numpy(np.asarray(state[f"{key}/~/var_ema"]["average"]).ravel().copy()).float()
        return m

    def linear(key):
        w = np.asarray(params[key]["w"])
        m = nn.Linear(*w.shape)
        m.weight.data = torch.from_numpy(w.T.copy()).float()
        m.bias.data = torch.from_numpy(np.asarray(params[key]["b"]).copy()).float()
        return m

    class Block(nn.Module):
        def __init__(self, p):
            super().__init__()
            self.bn1, self.conv1 = bn(f"{p}/batch_norm"), conv(f"{p}/conv2_d")
            self.bn2, self.conv2 = bn(f"{p}/batch_norm_1"), conv(f"{p}/conv2_d_1")

        def forward(self, x):
            y = self.conv1(torch.relu(self.bn1(x)))
            return x + self.conv2(torch.relu(self.bn2(y)))

    class ReversiNet(nn.Module):
        """AlphaZero policy/value ResNet; ``forward`` returns the 65 policy logits, ``value`` the tanh value."""

        def __init__(self):
            super().__init__()
            self.stem = conv("az_net/conv2_d")
            self.blocks = nn.Sequential(*[Block(f"az_net/block_{i}") for i in range(n_blocks)])
            self.bn = bn("az_net/batch_norm")
            self.policy_conv, self.policy_bn = conv("az_net/conv2_d_1"), bn("az_net/batch_norm_1")
            self.policy = linear("az_net/linear")
            self.value_conv, self.value_bn = conv("az_net/conv2_d_2"), bn("az_net/batch_norm_2")
            self.value_hidden, self.value_out = linear("az_net/linear_1"), linear("az_net/linear_2")

        def trunk(self, x):
            return torch.relu(self.bn(self.blocks(self.stem(x))))

        def forward(self, x):
            h = torch.relu(self.policy_bn(self.policy_conv(self.trunk(x))))
            return self.policy(h.permute(0, 2, 3, 1).flatten(1))

        def value(self, x):
            h = torch.relu(self.value_bn(self.value_conv(self.trunk(x))))
            return torch.tanh(self.value_out(torch.relu(self.value_hidden(h.permute(0, 2, 3, 1).flatten(1)))))[:, 0]

    return ReversiNet().eval()


def load_reversi_policy(path: Path):
    """The Reversi network of the checkpoint at ``path`` as a PyTorch module in eval mode."""
    ck = read_checkpoint(path)
    if not ck["config"].get("resnet_v2", True):
        raise InvalidInputError("Only the pre-activation (resnet_v2) AlphaZero network is rebuilt.")
    return _build(ck["params"], ck["state"], int(ck["config"]["num_layers"]))
