"""Input checks shared by :mod:`reluscope.interpret` and :mod:`reluscope.diagnose`.

Private to the package (the module name starts with an underscore); the
functions carry plain names so that both subpackages can import them.
"""

from __future__ import annotations

import numpy as np

from .errors import InvalidInputError
from .unwrap import LocalLinearModels

__all__ = ["check_llms", "resolve_output", "output_name", "require_n_features"]


def check_llms(llms) -> LocalLinearModels:
    """Raise a clear error unless ``llms`` is an unwrap result."""
    if not isinstance(llms, LocalLinearModels):
        raise InvalidInputError(
            f"Expected the result of reluscope.unwrap (LocalLinearModels), got {type(llms).__name__}; "
            "call reluscope.unwrap(network, X, y) first."
        )
    return llms


def resolve_output(llms: LocalLinearModels, output) -> int:
    """Validate the index of the network output (logit / response) to explain."""
    k = llms.n_outputs
    if isinstance(output, (bool, np.bool_)) or not isinstance(output, (int, np.integer)):
        raise InvalidInputError(f"output must be an integer index of a network output, got {output!r}.")
    if not 0 <= int(output) < k:
        raise InvalidInputError(f"output={output} is out of range: the network has {k} output(s), use 0..{k - 1}.")
    return int(output)


def output_name(llms: LocalLinearModels, output: int) -> str:
    """A readable name of an output: the class label for multi-class nets."""
    net = llms.network
    if net.task == "multiclass" and net.classes is not None:
        return f"class {net.classes[output]}"
    if net.task == "binary":
        return f"logit of class {net.classes[-1]}" if net.classes is not None else "logit"
    return "output" if llms.n_outputs == 1 else f"output {output}"


def require_n_features(llms: LocalLinearModels, d: int, view: str) -> None:
    """Views drawn in the input plane (or on the line) need ``d`` features."""
    if llms.n_features != d:
        raise InvalidInputError(
            f"{view} needs a network with exactly {d} input feature{'s' if d > 1 else ''}; this one has "
            f"{llms.n_features}. Use a view that works in any dimension (local_profile, parallel_coordinates, "
            "polar_coordinates) instead."
        )
