import numpy as np
import pytest

from reluscope.datasets import load_bundled, make_chirpwave, make_cocircles, make_moons
from reluscope.errors import InvalidInputError


def test_chirpwave_follows_its_formula():
    X, y = make_chirpwave(5000, noise=0.1, random_state=0)
    resid = y - np.sin(2 * np.pi / (X[:, 0] + 0.2))
    assert X.shape == (5000, 1) and 0 <= X.min() and X.max() <= 1
    assert abs(resid.std() - 0.1) < 0.005 and abs(resid.mean()) < 0.005
    X2, y2 = make_chirpwave(5000, noise=0.1, random_state=0)
    assert np.array_equal(y, y2)


def test_cocircles_and_moons_are_seeded_frames():
    X, y = make_cocircles(100, random_state=3, as_frame=True)
    assert list(X.columns) == ["x1", "x2"] and set(y) == {0, 1}
    r = np.hypot(X["x1"], X["x2"])
    assert r[y == 1].mean() < r[y == 0].mean()  # inner circle is class 1
    a, _ = make_moons(50, random_state=1)
    b, _ = make_moons(50, random_state=1)
    assert np.array_equal(a, b)
    with pytest.raises(InvalidInputError):
        make_cocircles(0)


def test_bundled_sets_load_offline():
    X, y = load_bundled("diabetes")
    assert X.shape == (442, 10)
    with pytest.raises(InvalidInputError, match="Unknown bundled"):
        load_bundled("boston")


def test_chirpwave_designs():
    X, y = make_chirpwave(11, noise=0.0)
    np.testing.assert_array_equal(X[:, 0], np.linspace(0, 1, 11))  # the paper's design is the default
    np.testing.assert_allclose(y, np.sin(2 * np.pi / (X[:, 0] + 0.2)))
    Xr, _ = make_chirpwave(500, design="random", random_state=3)
    x = np.random.RandomState(3).uniform(0.0, 1.0, size=500)
    np.testing.assert_array_equal(Xr[:, 0], x)
    with pytest.raises(InvalidInputError, match="design"):
        make_chirpwave(10, design="grid")
