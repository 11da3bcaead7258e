"""Distributed Monte Carlo: :func:`reluscope.probability.monte_carlo` as Dask tasks.

The ``n_samples`` draws are cut into ``ceil(n_samples / block_size)`` blocks of
``block_size`` samples (the last one shorter); block ``j`` draws from its own
stream ``numpy.random.SeedSequence(random_state).spawn(n_blocks)[j]``.  Each
block is one task returning integer partial results
(:func:`reluscope.probability.monte_carlo.block_counts`: pattern counts, CDF
counts, decision counts); a fixed binary tree of tasks adds them.  The blocks,
their seeds and the merge tree depend only on ``n_samples``, ``block_size`` and
``random_state`` -- never on the number of workers -- and integer addition is
exact, so the result is the same on one worker or a thousand.  The stream is
not the in-memory function's (one generator for all chunks), so the two agree
statistically (within their binomial standard errors), not digit for digit.
This is the "Monte Carlo trials" validator of section 5 of seed ``002`` at
cluster scale (issue 20, item 3).
"""

from __future__ import annotations

import numpy as np

from .._progress import progress_bar
from ..errors import InvalidInputError
from ..probability.distributions import GaussianMixture
from ..probability.monte_carlo import MonteCarloResult, assemble_result, block_counts
from ..probability.pmf import check_inputs

__all__ = ["monte_carlo_dask", "DEFAULT_BLOCK"]

#: Samples per task (about 2**20: tens of MB of work memory per task for moderate nets).
DEFAULT_BLOCK = 2**20


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidInputError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _block(network, distribution, n: int, seed, t: np.ndarray, output: int):
    X = distribution.sample(n, np.random.default_rng(seed))
    return block_counts(network, X, t, output)


def _merge(a, b):
    """Sum of two partial results; pattern keys united and sorted (deterministic)."""
    keys = np.concatenate([a[0], b[0]])
    counts = np.concatenate([a[1], b[1]])
    if keys.shape[0]:
        keys, inverse = np.unique(keys, axis=0, return_inverse=True)
        summed = np.zeros(keys.shape[0], np.int64)
        np.add.at(summed, inverse.ravel(), counts)
        counts = summed
    return keys, counts.astype(np.int64), a[2] + b[2], a[3] + b[3]


def _tree(parts: list, merge):
    """Pairwise reduction in a fixed order (the tree depends on len(parts) only)."""
    while len(parts) > 1:
        parts = [merge(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i] for i in range(0, len(parts), 2)]
    return parts[0]


def _run_on_client(client, parts: list, progress: bool | None):
    """Blocks as futures, the same merge tree submitted at once; a bar counts the finished blocks."""
    from distributed import as_completed

    futures = client.compute(parts)
    total = _tree(list(futures), lambda a, b: client.submit(_merge, a, b, pure=False))
    for _ in progress_bar(as_completed(futures), progress=progress, desc="Monte Carlo", unit="block", total=len(futures)):
        pass
    return total.result()


def monte_carlo_dask(
    network,
    distribution: GaussianMixture,
    n_samples: int = 1_000_000,
    *,
    points=(),
    output: int = 0,
    client=None,
    block_size: int = DEFAULT_BLOCK,
    random_state=None,
    progress: bool | None = None,
) -> MonteCarloResult:
    """Pattern PMF, output CDF and decision rates by sampling, as Dask tasks (see the module docstring).

    Parameters
    ----------
    network : ReLUNetwork
    distribution : GaussianMixture
    n_samples : int
    points : array-like (T,)
        Where to evaluate the CDF of output ``output`` (pre-link ``eta``).
    output : int
    client : distributed.Client, optional
        Where the tasks run; ``None`` uses Dask's current default scheduler
        (the active Client if there is one, else local threads).
    block_size : int
        Samples per task.
    random_state : int, sequence of int, SeedSequence or None
        Root of the per-block streams; ``None`` draws fresh entropy (the
        result is then reproducible only through ``result``'s numbers).
    progress : bool or None
        tqdm bar over finished blocks (with a ``client``).

    Returns
    -------
    MonteCarloResult
        The class of :func:`reluscope.probability.monte_carlo`, binomial
        standard errors ``sqrt(p (1 - p) / n)``.

    Raises
    ------
    InvalidInputError
        A non-positive ``n_samples`` or ``block_size``, a ``random_state``
        that is a ``Generator`` (blocks need a seed to spawn from).
    """
    import dask

    check_inputs(network, distribution)
    n_samples = _positive_int(n_samples, "n_samples")
    block_size = _positive_int(block_size, "block_size")
    if isinstance(random_state, np.random.Generator):
        raise InvalidInputError("random_state must be an int, a sequence of ints, a SeedSequence or None for monte_carlo_dask (a Generator cannot be spawned into independent per-block streams).")
    t = np.atleast_1d(np.asarray(points, dtype=np.float64))
    root = np.random.SeedSequence(random_state) if not isinstance(random_state, np.random.SeedSequence) else (
        # a copy: spawning from the caller's object would advance it and change the next call's streams
        np.random.SeedSequence(random_state.entropy, spawn_key=random_state.spawn_key, pool_size=random_state.pool_size)
    )
    n_blocks = -(-n_samples // block_size)
    seeds = root.spawn(n_blocks)
    sizes = [min(block_size, n_samples - j * block_size) for j in range(n_blocks)]
    block = dask.delayed(_block)
    net_d, dist_d = dask.delayed(network), dask.delayed(distribution)
    parts = [block(net_d, dist_d, n, s, t, int(output)) for n, s in zip(sizes, seeds)]
    if client is None:
        keys, counts, cdf_counts, pred_counts = dask.compute(_tree(parts, dask.delayed(_merge)))[0]
    else:
        keys, counts, cdf_counts, pred_counts = _run_on_client(client, parts, progress)
    return assemble_result(network, keys, counts, cdf_counts, pred_counts, t, n_samples, int(output))
