"""Query oracles: the only door through which extraction sees a black-box model.

An oracle answers batches of inputs with outputs, counts every input it is asked
about (a *query* is one input row), can expose gradients (counted apart), can
degrade its answers (Gaussian output noise, float32 rounding, hard labels) and
enforces a budget: asking beyond it raises :class:`QueryBudgetExceededError`
before the model is called, so a budget is never overdrawn.

The extraction methods of thesis ``000`` chapter 3 (section 3.3: "we query the
black-box model to obtain corresponding output values and gradients") and of
the critical-point literature both consume this class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import InvalidInputError, QueryBudgetExceededError
from ..network import ReLUNetwork

__all__ = ["QueryOracle", "OracleStats"]


@dataclass(frozen=True)
class OracleStats:
    """Counts of an oracle: output queries, gradient queries and the budget (None = unlimited).

    Examples
    --------
    >>> from reluscope.extract import QueryOracle
    >>> oracle = QueryOracle(lambda X: X.sum(axis=1), n_features=2, budget=10)
    >>> _ = oracle(np.zeros((3, 2)))
    >>> oracle.stats
    OracleStats(n_queries=3, n_gradient_queries=0, budget=10)
    """

    n_queries: int
    n_gradient_queries: int
    budget: int | None


class QueryOracle:
    """Count, degrade and budget the queries to a black-box scalar function.

    Parameters
    ----------
    model : callable or ReLUNetwork
        ``model(X) -> (n,)`` outputs for ``X`` of shape ``(n, d)``.  A
        :class:`~reluscope.ReLUNetwork` with one output is queried through its
        pre-link output ``decision_function`` (the logit for a classifier).
    n_features : int, optional
        Input dimension; read from the network when ``model`` is one.
    gradient : bool or callable, default False
        ``False``: no gradient access.  ``True``: exact gradients (only for a
        ``ReLUNetwork``, through the LLM of each input's activation region).
        A callable ``grad(X) -> (n, d)`` (e.g. PyTorch autograd) is used as is.
    noise : float, default 0.0
        Standard deviation of Gaussian noise added to every output.
    float32 : bool, default False
        Round every output to float32 (what a served model in single precision returns).
    hard_label : bool, default False
        Return only the label ``1.0 * (output > 0)`` (a classifier's decision).
    budget : int, optional
        Maximum number of output queries plus gradient queries.
    random_state : int or Generator, optional
        Seed of the output noise.

    Examples
    --------
    The oracle of ``eta = 2 relu(x1 - x2) + 0.5`` with exact gradients and a budget of 5 queries:
    each row is one query, and the sixth query is refused before the model is called.

    >>> import reluscope
    >>> from reluscope.extract import QueryOracle
    >>> net = reluscope.from_arrays([np.array([[1.0, -1.0]]), np.array([[2.0]])], [np.zeros(1), np.array([0.5])])
    >>> oracle = QueryOracle(net, gradient=True, budget=5)
    >>> oracle(np.array([[1.0, 0.0], [0.0, 1.0]])), oracle.gradient(np.array([[1.0, 0.0]]))
    (array([2.5, 0.5]), array([[ 2., -2.]]))
    >>> oracle.total_queries, oracle.remaining
    (3, 2)
    >>> oracle(np.zeros((3, 2)))
    Traceback (most recent call last):
        ...
    reluscope.errors.QueryBudgetExceededError: Asking 3 more output queries would exceed the budget of 5 (3 used). ...

    Degraded answers: Gaussian output noise (here of standard deviation 0.1, seeded), or
    hard labels ``1 * (output > 0)``.

    >>> noisy = QueryOracle(lambda X: X.sum(axis=1), n_features=3, noise=0.1, random_state=0)
    >>> round(float(noisy(np.zeros((2000, 3))).std()), 2)
    0.1
    >>> QueryOracle(lambda X: X.sum(axis=1), n_features=3, hard_label=True)(np.array([[1.0, 0, 0], [-1.0, 0, 0]]))
    array([1., 0.])
    """

    def __init__(
        self,
        model: Callable | ReLUNetwork,
        n_features: int | None = None,
        *,
        gradient: bool | Callable = False,
        noise: float = 0.0,
        float32: bool = False,
        hard_label: bool = False,
        budget: int | None = None,
        random_state=None,
    ) -> None:
        if isinstance(model, ReLUNetwork):
            if model.n_outputs != 1:
                raise InvalidInputError(
                    f"The oracle answers one output; the network has {model.n_outputs}. "
                    "Wrap a one-output network (or a callable returning one column)."
                )
            n_features = model.n_features if n_features is None else n_features
            self._fn = lambda X, net=model: net.decision_function(X)
        elif callable(model):
            if n_features is None:
                raise InvalidInputError("Pass n_features for a callable model (the oracle cannot guess its input size).")
            self._fn = model
        else:
            raise InvalidInputError(f"model must be a callable or a ReLUNetwork, got {type(model).__name__}.")
        if gradient is True and not isinstance(model, ReLUNetwork):
            raise InvalidInputError("gradient=True needs a ReLUNetwork; pass gradient=callable (e.g. torch autograd) instead.")
        if noise < 0 or not np.isfinite(noise):
            raise InvalidInputError(f"noise must be a finite number >= 0, got {noise}.")
        if budget is not None and int(budget) < 1:
            raise InvalidInputError(f"budget must be a positive number of queries, got {budget}.")
        self.model = model
        self.n_features = int(n_features)
        self._gradient = gradient
        self.noise = float(noise)
        self.float32 = bool(float32)
        self.hard_label = bool(hard_label)
        self.budget = None if budget is None else int(budget)
        self._rng = np.random.default_rng(random_state)
        self.n_queries = 0
        self.n_gradient_queries = 0

    @classmethod
    def from_network(cls, network: ReLUNetwork, **kwargs) -> "QueryOracle":
        """Oracle of a :class:`~reluscope.ReLUNetwork` (same keywords as the constructor).

        Examples
        --------
        >>> import reluscope
        >>> from reluscope.extract import QueryOracle
        >>> net = reluscope.from_arrays([np.eye(2), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
        >>> oracle = QueryOracle.from_network(net, float32=True)
        >>> oracle.n_features, oracle(np.array([[0.1, -3.0]]))  # 0.1 rounded to float32
        (2, array([0.1]))
        """
        return cls(network, **kwargs)

    # ------------------------------------------------------------ accounting
    @property
    def has_gradient(self) -> bool:
        """Whether the oracle answers gradient queries."""
        return self._gradient is not False

    @property
    def stats(self) -> OracleStats:
        """The counts so far, as an :class:`OracleStats`."""
        return OracleStats(self.n_queries, self.n_gradient_queries, self.budget)

    @property
    def total_queries(self) -> int:
        """Output queries plus gradient queries so far."""
        return self.n_queries + self.n_gradient_queries

    @property
    def remaining(self) -> int | None:
        """Queries left in the budget (None when unlimited)."""
        return None if self.budget is None else self.budget - self.total_queries

    def _charge(self, n: int, kind: str) -> None:
        if self.budget is not None and self.total_queries + n > self.budget:
            raise QueryBudgetExceededError(
                f"Asking {n} more {kind} queries would exceed the budget of {self.budget} "
                f"({self.total_queries} used). Raise `budget` or ask for fewer queries."
            )

    def _check(self, X) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        if X.ndim == 1:
            X = X[None, :]
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise InvalidInputError(f"Queries must have shape (n, {self.n_features}); got {X.shape}.")
        return X

    # --------------------------------------------------------------- queries
    def __call__(self, X) -> np.ndarray:
        """Outputs for the rows of ``X`` (one query per row), degraded as configured."""
        X = self._check(X)
        self._charge(X.shape[0], "output")
        y = np.asarray(self._fn(X), dtype=np.float64).reshape(X.shape[0], -1)
        if y.shape[1] != 1:
            raise InvalidInputError(f"The model returned {y.shape[1]} outputs per row; the oracle needs one.")
        y = y[:, 0].copy()
        self.n_queries += X.shape[0]
        if self.noise:
            y += self.noise * self._rng.standard_normal(y.shape)
        if self.float32:
            y = y.astype(np.float32).astype(np.float64)
        if self.hard_label:
            y = (y > 0).astype(np.float64)
        return y

    def gradient(self, X) -> np.ndarray:
        """Gradients ``(n, d)`` of the raw output (one gradient query per row)."""
        if not self.has_gradient:
            raise InvalidInputError("This oracle has no gradient access; build it with gradient=True or a callable.")
        X = self._check(X)
        self._charge(X.shape[0], "gradient")
        if self._gradient is True:
            net = self.model
            coef, _ = net.affine_maps(net.patterns(X))
            G = coef[:, 0, :]
        else:
            G = np.asarray(self._gradient(X), dtype=np.float64).reshape(X.shape[0], self.n_features)
        self.n_gradient_queries += X.shape[0]
        if self.float32:
            G = G.astype(np.float32).astype(np.float64)
        return G
