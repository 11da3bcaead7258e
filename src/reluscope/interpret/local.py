"""One prediction as its exact local linear model (``004``, local interpretation).

:func:`explain_instance` writes a prediction as ``intercept + sum_j w_j x_j``,
optionally centred on the population mean.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import check_llms, output_name, resolve_output
from ..errors import InvalidInputError
from ..unwrap import LocalLinearModels

__all__ = ["LocalExplanation", "explain_instance"]


@dataclass
class LocalExplanation:
    """One prediction written as its exact local linear model.

    ``decision = intercept + sum(contributions)`` with
    ``contributions = coef * x`` (``centered=False``), or
    ``decision = baseline + sum(contributions)`` with
    ``contributions = coef * (x - reference)`` and
    ``baseline = coef . reference + intercept`` (``centered=True``); equal up
    to float round-off, as ``coef``, ``intercept`` are exact (Theorem 1).

    Attributes
    ----------
    region : int
        Training region of ``x``; -1 when its pattern was never seen (the LLM
        then comes from the network's own affine map of that pattern).
    count : int
        Training rows in that region (0 when unseen).
    feature_names : tuple of str
    x, coef, contributions : (d,)
    intercept, baseline : float
    centered : bool
    reference : (d,) or None
        The population mean used for centring.
    decision : float
        Network pre-link output of ``output`` at ``x`` (forward pass).
    prediction : float
        Network output after the link (probability for classifiers).
    output, output_name, task

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import explain_instance
    >>> e = explain_instance(llms, X[0])
    >>> e.region, e.count, e.seen
    (1, 36, True)
    >>> e.to_frame().round(3)
      Feature  Value  Coefficient  Contribution
    0    debt  0.541        0.529         0.286
    1  income -0.159       -0.804         0.128
    2     age -0.209       -0.096         0.020
    """

    region: int
    count: int
    feature_names: tuple
    x: np.ndarray
    coef: np.ndarray
    intercept: float
    contributions: np.ndarray
    baseline: float
    centered: bool
    reference: np.ndarray | None
    decision: float
    prediction: float
    output: int
    output_name: str
    task: str

    @property
    def seen(self) -> bool:
        """Whether ``x`` falls in a region of the unwrapped data."""
        return self.region >= 0

    def to_frame(self) -> pd.DataFrame:
        """Feature, value, coefficient and contribution, by decreasing absolute contribution."""
        df = pd.DataFrame(
            {"Feature": list(self.feature_names), "Value": self.x, "Coefficient": self.coef, "Contribution": self.contributions}
        )
        if self.centered:
            df.insert(2, "Reference", self.reference)
        return df.iloc[np.argsort(-np.abs(self.contributions), kind="stable")].reset_index(drop=True)


def _one_row(llms: LocalLinearModels, x) -> np.ndarray:
    if isinstance(x, pd.Series):
        x = pd.DataFrame([x.to_numpy()], columns=[str(c) for c in x.index]).infer_objects()
    elif not isinstance(x, pd.DataFrame) and x is not None and not hasattr(x, "tocsr"):  # sparse rows pass as they are
        arr = np.asarray(x)
        x = arr.reshape(1, -1) if arr.ndim == 1 else arr
    X = llms.check_X(x, name="x")  # the feature-name rule of LocalLinearModels.check_X
    if X.shape[0] != 1:
        raise InvalidInputError(f"x has {X.shape[0]} rows but explain_instance explains one row. Pass X.iloc[i] or X[i].")
    return X


def explain_instance(llms: LocalLinearModels, x, *, centered: bool = False, output: int = 0, reference=None) -> LocalExplanation:
    """Exact local explanation of one prediction (``004``, local interpretation).

    Parameters
    ----------
    llms : LocalLinearModels
    x : 1-D array, pandas Series (a row of a DataFrame) or one-row DataFrame
    centered : bool, default False
        False: contributions ``w_j x_j`` and the intercept.  True: compare to
        the population, contributions ``w_j (x_j - mean_j)`` and baseline
        ``w . mean + b`` (the LLM at the mean).
    output : int, default 0
    reference : array-like (d,), optional
        Centring point for ``centered=True``; default the mean of ``llms.X_``.

    Returns
    -------
    LocalExplanation

    Examples
    --------
    The intercept plus the contributions is the network's output, exactly
    (Theorem 1), centred or not:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(0)
    >>> net = reluscope.from_arrays([rng.normal(size=(6, 3)), rng.normal(size=(1, 6))],
    ...                             [rng.normal(size=6), rng.normal(size=1)], feature_names=["age", "income", "debt"])
    >>> X = rng.normal(size=(300, 3))
    >>> llms = reluscope.unwrap(net, X, net.forward(X) + 0.1 * rng.normal(size=300))
    >>> from reluscope.interpret import explain_instance
    >>> e = explain_instance(llms, X[0])
    >>> round(e.intercept, 4), e.contributions.round(4)
    (-0.4623, array([0.0201, 0.128 , 0.2863]))
    >>> bool(np.isclose(e.intercept + e.contributions.sum(), net.forward(X[:1])[0]))
    True
    >>> c = explain_instance(llms, X[0], centered=True)
    >>> bool(np.isclose(c.baseline + c.contributions.sum(), e.decision)), bool(np.allclose(c.reference, X.mean(axis=0)))
    (True, True)
    """
    llms = check_llms(llms)
    output = resolve_output(llms, output)
    X = _one_row(llms, x)
    net = llms.network
    region = int(llms.region_of(X)[0])
    if region >= 0:
        coef, intercept = llms.coef_3d[region, output], float(llms.intercept_2d[region, output])
    else:
        c, b = net.affine_map(net.patterns(X)[0])
        coef, intercept = c[output], float(b[output])
    xv = X[0]
    ref = None
    if centered:
        ref = llms.X_.mean(axis=0) if reference is None else np.asarray(reference, np.float64).reshape(-1)
        if ref.shape != xv.shape or not np.isfinite(ref).all():
            raise InvalidInputError(f"reference must be {xv.size} finite numbers, one per feature.")
        contributions, baseline = coef * (xv - ref), float(coef @ ref + intercept)
    else:
        contributions, baseline = coef * xv, intercept
    eta = net.decision_function(X).reshape(1, -1)
    return LocalExplanation(
        region=region,
        count=int(llms.count_[region]) if region >= 0 else 0,
        feature_names=tuple(llms.feature_names_),
        x=xv.copy(),
        coef=np.array(coef),
        intercept=intercept,
        contributions=contributions,
        baseline=baseline,
        centered=bool(centered),
        reference=ref,
        decision=float(eta[0, output]),
        prediction=float(np.atleast_2d(net.link(eta))[0, output]),
        output=output,
        output_name=output_name(llms, output),
        task=net.task,
    )
