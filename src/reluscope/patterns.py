"""Activation patterns: computing, bit-packing and de-duplicating them.

A pattern (Definition 1 of ``001``) is the on/off state of every hidden unit,
on iff the pre-activation is ``> 0`` (see :mod:`reluscope.network`).  Patterns
are stored bit-packed, ``ceil(n_hidden_units / 8)`` bytes a row (a [40]*4 net:
20 bytes instead of 160 booleans), computed chunk by chunk from one forward
pass, so 10 million rows fit in memory with room to spare.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._progress import progress_bar
from .network import ReLUNetwork

__all__ = [
    "pack_patterns",
    "unpack_patterns",
    "pattern_strings",
    "UniquePatterns",
    "unique_patterns",
    "compute_patterns",
    "DEFAULT_CHUNK_SIZE",
    "PatternIndex",
    "key_order",
    "group_keys",
]

#: Rows per chunk of the forward pass in :func:`compute_patterns` and :func:`reluscope.unwrap` (a memory bound).
DEFAULT_CHUNK_SIZE = 65_536
#: Rows per sub-chunk of :func:`compute_patterns` (cache-sized work arrays).
_FORWARD_SUBCHUNK = 8192


def pack_patterns(patterns: np.ndarray) -> np.ndarray:
    """Bit-pack bool patterns (n, H) into uint8 keys (n, ceil(H/8)), big-endian bits.

    Parameters
    ----------
    patterns : bool array-like (n, n_hidden_units)

    Returns
    -------
    ndarray of uint8, (n, ceil(n_hidden_units / 8))

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.patterns import pack_patterns, unpack_patterns
    >>> P = np.array([[1, 0, 1, 1, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0, 0, 0]], bool)
    >>> keys = pack_patterns(P)
    >>> keys  # 0b10110000 = 176, then the ninth bit as 0b10000000 = 128
    array([[176, 128],
           [  0,   0]], dtype=uint8)
    >>> bool(np.array_equal(unpack_patterns(keys, 9), P))
    True
    """
    patterns = np.asarray(patterns, dtype=bool)
    return np.packbits(patterns, axis=1)


def unpack_patterns(packed: np.ndarray, n_hidden_units: int) -> np.ndarray:
    """Inverse of :func:`pack_patterns`: bool (n, n_hidden_units).

    Parameters
    ----------
    packed : uint8 array-like (n, n_bytes)
    n_hidden_units : int
        Pattern length (the padding bits of the last byte are dropped).

    Returns
    -------
    ndarray of bool, (n, n_hidden_units)

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.patterns import unpack_patterns
    >>> unpack_patterns(np.array([[176, 128]], np.uint8), 9).astype(int)
    array([[1, 0, 1, 1, 0, 0, 0, 0, 1]])
    """
    return np.unpackbits(np.asarray(packed, dtype=np.uint8), axis=1, count=n_hidden_units).astype(bool)


def pattern_strings(patterns: np.ndarray, layer_sizes) -> list[str]:
    """Readable patterns in the paper's notation, layers separated by ';' (e.g. '1,0;0,0,1,1').

    Parameters
    ----------
    patterns : bool array-like (n, n_hidden_units)
    layer_sizes : sequence of int
        Width of each hidden layer (``network.hidden_sizes``).

    Returns
    -------
    list of str, one per row

    Examples
    --------
    >>> from reluscope.patterns import pattern_strings
    >>> pattern_strings([[True, False, False, False, True, True]], (2, 4))
    ['1,0;0,0,1,1']
    """
    patterns = np.asarray(patterns, dtype=bool)
    out = []
    bounds = np.cumsum([0, *layer_sizes])
    for row in patterns.astype(np.uint8):
        out.append(";".join(",".join(map(str, row[a:b])) for a, b in zip(bounds[:-1], bounds[1:])))
    return out


def _as_void(packed: np.ndarray) -> np.ndarray:
    packed = np.ascontiguousarray(packed)
    return packed.view(np.dtype((np.void, packed.shape[1]))).ravel()


@dataclass(frozen=True)
class UniquePatterns:
    """Distinct patterns of a data set.

    Attributes
    ----------
    keys : uint8 (n_regions, n_bytes)
        Bit-packed distinct patterns, ordered by count (descending), then by
        key (ascending bytes): region ids are deterministic across processes.
    inverse : int64 (n_samples,)
        Region id of every row.
    counts : int64 (n_regions,)
        Rows per region.

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.patterns import pack_patterns, unique_patterns
    >>> u = unique_patterns(pack_patterns(np.array([[1, 0], [0, 1], [0, 1]], bool)))
    >>> u.counts, u.inverse
    (array([2, 1]), array([1, 0, 0]))
    """

    keys: np.ndarray
    inverse: np.ndarray
    counts: np.ndarray


def _key_words(packed: np.ndarray) -> np.ndarray:
    """Packed keys as native uint64 words (n, ceil(n_bytes / 8)), zero-padded: word order = byte order."""
    n, nb = packed.shape
    nw = (nb + 7) // 8
    padded = np.zeros((n, nw * 8), np.uint8)
    padded[:, :nb] = packed
    return padded.view(">u8").astype(np.uint64)


def key_order(packed: np.ndarray) -> np.ndarray:
    """Stable argsort of packed keys in ascending byte order (rows with equal keys keep row order).

    Sorts on the first 64-bit word, then re-sorts only the runs that tie on it
    by all words (``np.lexsort``): with many distinct patterns this is one
    integer sort instead of a sort of byte strings.

    Parameters
    ----------
    packed : uint8 array-like (n, n_bytes)

    Returns
    -------
    ndarray of int, (n,)

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.patterns import key_order
    >>> keys = np.array([[1, 9], [0, 5], [1, 2], [0, 5]], np.uint8)
    >>> key_order(keys)  # equal keys (rows 1 and 3) keep their row order
    array([1, 3, 2, 0])
    """
    if packed.shape[1] == 0:  # no hidden units: every key is empty
        return np.arange(packed.shape[0])
    words = _key_words(np.ascontiguousarray(packed, dtype=np.uint8))
    order = np.argsort(words[:, 0], kind="stable")
    if words.shape[1] > 1 and order.size > 1:
        first = words[order, 0]
        tie = first[1:] == first[:-1]
        if tie.any():
            in_run = np.zeros(order.size, bool)
            in_run[1:] |= tie
            in_run[:-1] |= tie
            pos = np.flatnonzero(in_run)
            sub = order[pos]
            order[pos] = sub[np.lexsort(tuple(words[sub, j] for j in range(words.shape[1] - 1, -1, -1)))]
    return order


def unique_patterns(packed: np.ndarray, order: np.ndarray | None = None) -> UniquePatterns:
    """De-duplicate packed patterns with counts and inverse index.

    Regions are numbered by decreasing count, ties broken by the pattern's
    bytes, so the numbering does not depend on row order or hash seeds.
    ``order``: the rows' :func:`key_order`, when already computed.

    Parameters
    ----------
    packed : uint8 array-like (n, n_bytes)
    order : int ndarray (n,), optional

    Returns
    -------
    UniquePatterns

    Examples
    --------
    The regions of a small net on 50 points, largest first:

    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(2)
    >>> net = reluscope.from_arrays([rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))],
    ...                             [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)])
    >>> X = rng.normal(size=(50, 2))
    >>> from reluscope.patterns import pack_patterns, unique_patterns
    >>> u = unique_patterns(pack_patterns(net.patterns(X)))
    >>> u.counts
    array([10, 10, 10,  6,  6,  3,  2,  1,  1,  1])
    >>> int(u.counts.sum()), u.inverse.shape
    (50, (50,))
    """
    packed = np.ascontiguousarray(packed, dtype=np.uint8)
    n = packed.shape[0]
    if packed.shape[1] == 0:  # no hidden units: one region
        return UniquePatterns(packed[:1].copy(), np.zeros(n, np.int64), np.array([n], np.int64))
    if order is None:
        hashed = _unique_by_hash(packed)
        if hashed is not None:
            return hashed
        order = key_order(packed)
    sorted_keys = packed[order]
    new = np.ones(n, bool)
    new[1:] = (sorted_keys[1:] != sorted_keys[:-1]).any(axis=1)
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    group = np.cumsum(new) - 1  # key-sorted group of each sorted row
    # groups are in ascending key order; stable sort by -count keeps key order for ties.
    by_count = np.argsort(-counts, kind="stable")
    rank = np.empty_like(by_count)
    rank[by_count] = np.arange(by_count.size)
    inverse = np.empty(n, np.int64)
    inverse[order] = rank[group]
    return UniquePatterns(sorted_keys[starts[by_count]], inverse, counts[by_count].astype(np.int64))


def group_keys(packed: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Group equal packed keys in O(n) by hashing: (group of each row, first row of each group).

    Each key's 64-bit words are mixed into one 64-bit hash (exact for keys of
    at most 64 bits) and grouped with :func:`pandas.factorize` (a hash table);
    groups are numbered in order of first appearance.  Every row is then
    compared word by word with its group's first row, so a hash collision is
    detected, never trusted: ``None`` is returned and the caller sorts instead
    (:func:`key_order`).

    Parameters
    ----------
    packed : uint8 array (n, n_bytes), n >= 1

    Returns
    -------
    (codes, first) : int arrays (n,) and (n_groups,), or None on a hash collision.
    """
    import pandas as pd

    words = _key_words(np.ascontiguousarray(packed, dtype=np.uint8))
    n = words.shape[0]
    h = words[:, 0].copy()
    for j in range(1, words.shape[1]):  # a multiply-xorshift mix of the words (splitmix64's constant)
        h *= np.uint64(0x9E3779B97F4A7C15)
        h ^= h >> np.uint64(31)
        h += words[:, j]
    codes, _ = pd.factorize(h, sort=False)
    first = np.empty(int(codes.max()) + 1, np.int64)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)  # the first row of each group
    if words.shape[1] > 1 and not (words == words[first[codes]]).all():
        return None  # a collision: two distinct keys share a hash
    return codes.astype(np.int64, copy=False), first


def _unique_by_hash(packed: np.ndarray) -> UniquePatterns | None:
    """:func:`unique_patterns` by :func:`group_keys`: the rows grouped in O(n), only the distinct keys sorted.

    The regions are numbered exactly as the sort numbers them (count
    descending, ties by key bytes); ``None`` on a hash collision.
    """
    if packed.shape[0] == 0:
        return None
    grouped = group_keys(packed)
    if grouped is None:
        return None
    codes, first = grouped
    counts = np.bincount(codes, minlength=first.size)
    by_key = key_order(packed[first])
    by_count = by_key[np.argsort(-counts[by_key], kind="stable")]
    rank = np.empty(first.size, np.int64)
    rank[by_count] = np.arange(first.size)
    return UniquePatterns(packed[first[by_count]], rank[codes], counts[by_count].astype(np.int64))


class PatternIndex:
    """Vectorised look-up of packed patterns among known keys (binary search).

    Parameters
    ----------
    keys : uint8 (n_regions, n_bytes)
        Known packed patterns; row ``i`` is region ``i``.

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.patterns import PatternIndex
    >>> index = PatternIndex(np.array([[7], [3], [12]], np.uint8))
    >>> index.lookup(np.array([[12], [5], [7]], np.uint8))  # 5 is unknown
    array([ 2, -1,  0])
    """

    def __init__(self, keys: np.ndarray) -> None:
        keys = np.ascontiguousarray(keys, dtype=np.uint8)
        self._n_bytes = keys.shape[1]
        self._void = _as_void(keys)
        self._order = np.argsort(self._void, kind="stable")
        self._sorted = self._void[self._order]

    def lookup(self, packed: np.ndarray) -> np.ndarray:
        """Region id of each packed row, -1 where the pattern is unknown."""
        packed = np.ascontiguousarray(packed, dtype=np.uint8)
        if packed.shape[1] != self._n_bytes:
            raise ValueError("packed patterns have a different width than the index keys")
        if self._sorted.size == 0:
            return np.full(packed.shape[0], -1, np.int64)
        q = _as_void(packed)
        pos = np.searchsorted(self._sorted, q)
        pos = np.minimum(pos, self._sorted.size - 1)
        hit = self._sorted[pos] == q
        return np.where(hit, self._order[pos], -1).astype(np.int64)


def compute_patterns(
    network: ReLUNetwork,
    X: np.ndarray,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One forward pass in chunks: packed patterns and the pre-link output.

    Parameters
    ----------
    network : ReLUNetwork
    X : float64 array (n_samples, n_features), already validated.
    chunk_size : int
        Rows per chunk; peak extra memory is about ``chunk_size * sum(n_l) * 9`` bytes.
    progress : bool or None
        Show a tqdm bar; None shows it on a terminal when there are more than 8 chunks.

    Returns
    -------
    packed : uint8 (n_samples, ceil(n_hidden_units / 8))
    eta : float64 (n_samples, n_outputs)

    Examples
    --------
    >>> import numpy as np, reluscope
    >>> rng = np.random.default_rng(2)
    >>> net = reluscope.from_arrays([rng.normal(size=(3, 2)), rng.normal(size=(3, 3)), rng.normal(size=(1, 3))],
    ...                             [rng.normal(size=3), rng.normal(size=3), rng.normal(size=1)])
    >>> X = rng.normal(size=(50, 2))
    >>> from reluscope.patterns import compute_patterns, pack_patterns
    >>> packed, eta = compute_patterns(net, X, chunk_size=16)
    >>> packed.shape, eta.shape
    ((50, 1), (50, 1))
    >>> bool(np.array_equal(packed, pack_patterns(net.patterns(X)))), bool(np.allclose(eta[:, 0], net.forward(X)))
    (True, True)
    """
    n = X.shape[0]
    H = network.n_hidden_units
    packed = np.empty((n, (H + 7) // 8), np.uint8)
    eta = np.empty((n, network.n_outputs), np.float64)
    starts = range(0, n, chunk_size)
    bar = progress_bar(starts, progress=progress, desc="patterns")
    W, B, S = network.weights, network.biases, network.slopes
    # each progress chunk runs as cache-sized sub-chunks: about 25% faster at 35-[40]*4, the same bits
    # (every row's GEMM products do not depend on how many rows share the call)
    sub = min(chunk_size, _FORWARD_SUBCHUNK)
    steps = ((t, min(t + sub, c + chunk_size, n)) for c in bar for t in range(c, min(c + chunk_size, n), sub))
    for s, stop in steps:
        h = X[s:stop]
        bits = np.empty((h.shape[0], H), bool)
        off = 0
        for l in range(network.n_hidden_layers):
            z = h @ W[l].T
            z += B[l]
            slope = S[l]
            on = z > 0 if slope != 1.0 else np.ones(z.shape, bool)
            bits[:, off : off + z.shape[1]] = on
            off += z.shape[1]
            if slope == 0.0:
                h = np.maximum(z, 0.0, out=z)
            elif slope != 1.0:
                h = np.where(on, z, slope * z)
            else:
                h = z
        e = h @ W[-1].T
        e += B[-1]
        eta[s:stop] = e
        packed[s:stop] = np.packbits(bits, axis=1)
    return packed, eta
