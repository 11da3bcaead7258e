"""Signs of an expansive last layer: a low-density subset sum solved by lattice reduction (extract._signs)."""

import itertools

import numpy as np
import pytest

from reluscope.errors import ExtractionError
from reluscope.extract._signs import LATTICE, LINEAR_SOLVE, binary_solve, lattice_flips


def _instance(m, h, seed, noise=1e-11):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(m, h)) * rng.normal(size=h) / np.sqrt(m)  # columns p_k W_k: output weights of any size
    xi = (rng.random(h) < 0.5).astype(float)
    return A, A @ xi + noise * rng.normal(size=m), xi


def test_lattice_matches_brute_force_over_every_assignment():
    """m = 2, h = 14: all 16,384 assignments enumerated; the lattice returns the one that solves the system."""
    for seed in range(3):
        A, b, xi = _instance(2, 14, seed)
        grid = np.array(list(itertools.product((0.0, 1.0), repeat=14)))
        err = np.abs(grid @ A.T - b).max(axis=1)
        brute = grid[err <= 1e-9]
        assert brute.shape[0] == 1 and np.array_equal(brute[0], xi)
        assert np.array_equal(lattice_flips(A, b, 1e-9), brute[0])


@pytest.mark.parametrize("m,h", [(4, 16), (10, 32), (10, 64), (20, 64)])
def test_lattice_recovers_signs_of_wide_layers(m, h):
    for seed in range(3):
        A, b, xi = _instance(m, h, seed)
        got, method = binary_solve(A, b)
        assert method == LATTICE
        assert np.array_equal(got, xi)


def test_lattice_never_returns_a_wrong_vector_on_dense_instances():
    """2-64 is too dense for LLL: it may miss, but whatever it returns solves the system."""
    for seed in range(3):
        A, b, xi = _instance(2, 64, seed)
        got = lattice_flips(A, b, 1e-9)
        assert got is None or np.abs(A @ got - b).max() <= 1e-9
    with pytest.raises(ExtractionError, match="too wide for its input"):
        binary_solve(*_instance(2, 64, 0)[:2])


def test_full_rank_is_a_linear_solve_and_inconsistent_systems_raise():
    A, b, xi = _instance(12, 8, 0)
    got, method = binary_solve(A, b)
    assert method == LINEAR_SOLVE and np.array_equal(got, xi)
    with pytest.raises(ExtractionError, match="non-binary"):
        binary_solve(A, b + 0.3)
    A, b, xi = _instance(10, 32, 1)
    with pytest.raises(ExtractionError, match="no 0/1 sign assignment"):
        binary_solve(A, b + 1e-3)  # no 0/1 vector solves it: a missed neuron, never a guess


def test_pure_python_lll_finds_the_same_signs():
    """Without FLINT, SymPy's own LLL (exact integers) gives the same flips; the speed hint is a warning."""
    import os
    import subprocess
    import sys

    code = ("import numpy as np, warnings\n"
            "from reluscope.extract._signs import lattice_flips\n"
            "from sympy.external.gmpy import GROUND_TYPES\n"
            "rng = np.random.default_rng(0)\n"
            "A = rng.normal(size=(4, 16)) * rng.normal(size=16); xi = (rng.random(16) < 0.5).astype(float)\n"
            "got = lattice_flips(A, A @ xi, 1e-9)\n"
            "print(GROUND_TYPES, bool(np.array_equal(got, xi)))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "SYMPY_GROUND_TYPES": "python"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["python", "True"]
