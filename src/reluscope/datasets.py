"""Data sets of the seed papers, generated or bundled: nothing downloads.

- CoCircles: ``sklearn.datasets.make_circles(noise=0.1)`` (section 3 of ``001``).
- ChirpWave: ``y = sin(2 pi / (x + 0.2)) + N(0, 0.1^2)``, ``x`` evenly spaced on
  ``[0, 1]`` (the paper's generator) or ``x ~ U[0, 1]`` (``design='random'``).
- Moons: ``sklearn.datasets.make_moons``.
- scikit-learn's bundled sets (diabetes, breast cancer, wine, iris, digits)
  via :func:`load_bundled`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from .errors import InvalidInputError

__all__ = ["make_cocircles", "make_chirpwave", "make_moons", "load_bundled", "train_test_split_frame"]


def _frame(X: np.ndarray, y: np.ndarray, names, target: str, as_frame: bool):
    if not as_frame:
        return X, y
    return pd.DataFrame(X, columns=list(names)), pd.Series(y, name=target)


def _check_n(n_samples: int) -> int:
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise InvalidInputError(f"n_samples must be a positive integer, got {n_samples!r}.")
    return int(n_samples)


def make_cocircles(n_samples: int = 2000, *, noise: float = 0.1, factor: float = 0.8, random_state=None, as_frame: bool = False):
    """Two concentric noisy circles, binary labels (CoCircles of ``001``, Table 1).

    The paper calls ``make_circles(n_samples=2000, noise=0.1)``, so the circle
    radius ratio is scikit-learn's default ``factor=0.8``.

    Parameters
    ----------
    n_samples : int, default 2000
    noise : float, default 0.1
        Standard deviation of the Gaussian noise added to the points.
    factor : float, default 0.8
        Radius of the inner circle relative to the outer one.
    random_state : int, RandomState or None
    as_frame : bool, default False
        Return a DataFrame (columns ``x1, x2``) and a Series ``y``.

    Returns
    -------
    X : ndarray (n, 2) or DataFrame
    y : ndarray (n,) or Series, in {0, 1} (1: the inner circle)

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.datasets import make_cocircles
    >>> X, y = make_cocircles(random_state=0)
    >>> X.shape, np.bincount(y)
    ((2000, 2), array([1000, 1000]))
    >>> r = np.hypot(X[:, 0], X[:, 1])
    >>> round(float(r[y == 0].mean()), 1), round(float(r[y == 1].mean()), 1)
    (1.0, 0.8)
    """
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples=_check_n(n_samples), noise=noise, factor=factor, random_state=random_state)
    return _frame(X, y, ["x1", "x2"], "y", as_frame)


def make_chirpwave(n_samples: int = 2000, *, noise: float = 0.1, design: str = "linspace", random_state=None, as_frame: bool = False):
    """ChirpWave regression of ``001``: ``y = sin(2 pi / (x + 0.2)) + eps``, ``eps ~ N(0, noise^2)``.

    Parameters
    ----------
    n_samples : int, default 2000
    noise : float, default 0.1
        Standard deviation of ``eps``.
    design : {'linspace', 'random'}, default 'linspace'
        ``'linspace'``: ``x = linspace(0, 1, n_samples)``, the generator of the
        paper's code (the authors' ``doppler(2000, 0.1)`` with
        ``np.random.seed(1)``: ``random_state=1`` draws the very same noise);
        ``'random'``: ``x ~ U[0, 1]`` drawn first, then the noise (the design
        of reluscope <= 0.1's default, kept for its recorded benchmarks).
    random_state : int, RandomState or None
        Seed of the noise (and of ``x`` for ``design='random'``).

    as_frame : bool, default False
        Return a DataFrame (column ``x``) and a Series ``y``.

    Returns
    -------
    X : ndarray (n, 1) or DataFrame
    y : ndarray (n,) or Series

    References
    ----------
    Sudjianto et al., section 3 (ChirpWave: ``x_i in [0, 1]``, ``i = 1..2000``, ``N(0, 0.1^2)`` noise).

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.datasets import make_chirpwave
    >>> X, y = make_chirpwave(5, noise=0.0)
    >>> X[:, 0]
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    >>> bool(np.allclose(y, np.sin(2 * np.pi / (X[:, 0] + 0.2))))
    True
    """
    rng = check_random_state(random_state)
    n = _check_n(n_samples)
    if design == "linspace":
        x = np.linspace(0.0, 1.0, n)
    elif design == "random":
        x = rng.uniform(0.0, 1.0, size=n)
    else:
        raise InvalidInputError(f"design must be 'linspace' (the paper's) or 'random', got {design!r}.")
    y = np.sin(2 * np.pi / (x + 0.2)) + rng.normal(0.0, noise, size=n)
    return _frame(x[:, None], y, ["x"], "y", as_frame)


def make_moons(n_samples: int = 2000, *, noise: float = 0.1, random_state=None, as_frame: bool = False):
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    The moons classification of the random-functions paper (``002``).

    Parameters
    ----------
    n_samples : int, default 2000
    noise : float, default 0.1
    random_state : int, RandomState or None
    as_frame : bool, default False
        Return a DataFrame (columns ``x1, x2``) and a Series ``y``.

    Returns
    -------
    X : ndarray (n, 2) or DataFrame
    y : ndarray (n,) or Series, in {0, 1}

    Examples
    --------
    >>> from reluscope.datasets import make_moons
    >>> X, y = make_moons(200, random_state=0, as_frame=True)
    >>> list(X.columns), y.name, int(y.sum())
    (['x1', 'x2'], 'y', 100)
    """
    from sklearn.datasets import make_moons as _moons

    X, y = _moons(n_samples=_check_n(n_samples), noise=noise, random_state=random_state)
    return _frame(X, y, ["x1", "x2"], "y", as_frame)


_BUNDLED = {
    "diabetes": "load_diabetes",
    "breast_cancer": "load_breast_cancer",
    "wine": "load_wine",
    "iris": "load_iris",
    "digits": "load_digits",
}


def load_bundled(name: str, *, as_frame: bool = True):
    """One of scikit-learn's bundled (offline) data sets as ``(X, y)``.

    Parameters
    ----------
    name : {'diabetes', 'breast_cancer', 'wine', 'iris', 'digits'}
    as_frame : bool, default True
        A DataFrame and a Series (scikit-learn's column names), else arrays.

    Returns
    -------
    X : DataFrame or ndarray
    y : Series or ndarray

    Raises
    ------
    InvalidInputError
        Unknown ``name``.

    Examples
    --------
    >>> from reluscope.datasets import load_bundled
    >>> X, y = load_bundled("diabetes")
    >>> X.shape, list(X.columns[:3])
    ((442, 10), ['age', 'sex', 'bmi'])
    >>> load_bundled("boston")
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: Unknown bundled data set 'boston'; choose one of [...].
    """
    import sklearn.datasets as skd

    if name not in _BUNDLED:
        raise InvalidInputError(f"Unknown bundled data set {name!r}; choose one of {sorted(_BUNDLED)}.")
    bunch = getattr(skd, _BUNDLED[name])(as_frame=as_frame)
    return bunch.data, bunch.target


def train_test_split_frame(X, y, *, test_size: float = 0.2, random_state=None, stratify: bool = False):
    """80/20 split as in the paper (section 3), optionally stratified by ``y``.

    Parameters
    ----------
    X, y : arrays or DataFrame / Series
    test_size : float, default 0.2
    random_state : int, RandomState or None
    stratify : bool, default False
        Keep the class shares of ``y`` in both parts.

    Returns
    -------
    X_train, X_test, y_train, y_test

    Examples
    --------
    >>> from reluscope.datasets import make_cocircles, train_test_split_frame
    >>> X, y = make_cocircles(500, random_state=0, as_frame=True)
    >>> X_train, X_test, y_train, y_test = train_test_split_frame(X, y, random_state=0, stratify=True)
    >>> len(X_train), len(X_test), float(y_test.mean())
    (400, 100, 0.5)
    """
    from sklearn.model_selection import train_test_split

    return train_test_split(X, y, test_size=test_size, random_state=random_state, stratify=y if stratify else None)
