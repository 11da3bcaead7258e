import numpy as np
import pytest

from reluscope.patterns import PatternIndex, pack_patterns, pattern_strings, unique_patterns, unpack_patterns


@pytest.mark.parametrize("width", [1, 7, 8, 9, 64, 65, 160])
def test_pack_unique_roundtrip_against_python_sets(width):
    rng = np.random.default_rng(width)
    P = rng.random((3000, width)) < 0.5
    P[::3] = P[0]  # a frequent pattern
    packed = pack_patterns(P)
    assert packed.shape == (3000, (width + 7) // 8)
    assert np.array_equal(unpack_patterns(packed, width), P)
    u = unique_patterns(packed)
    rows = [tuple(r) for r in P]
    expected = {}
    for r in rows:
        expected[r] = expected.get(r, 0) + 1
    assert u.keys.shape[0] == len(expected)
    got = {tuple(unpack_patterns(u.keys[i : i + 1], width)[0]): c for i, c in enumerate(u.counts)}
    assert got == expected
    assert np.array_equal(unpack_patterns(u.keys[u.inverse], width), P)
    assert np.all(np.diff(u.counts) <= 0)


def test_pattern_index_lookup():
    rng = np.random.default_rng(0)
    keys = np.unique(pack_patterns(rng.random((200, 30)) < 0.5), axis=0)
    idx = PatternIndex(keys)
    q = np.vstack([keys[::-1], pack_patterns(np.ones((1, 30), bool))])
    ids = idx.lookup(q)
    assert np.array_equal(ids[:-1], np.arange(len(keys))[::-1])
    known = {k.tobytes() for k in keys}
    assert (ids[-1] == -1) == (q[-1].tobytes() not in known)


def test_pattern_strings_layers():
    assert pattern_strings(np.array([[1, 0, 0, 0, 1, 1]], bool), [2, 4]) == ["1,0;0,0,1,1"]


@pytest.mark.parametrize("width", [1, 8, 63, 64, 65, 160])
def test_hashed_grouping_numbers_regions_exactly_as_the_sort(width):
    """The hash path (default) and the sort path (order given) give the same keys, ids and counts."""
    from reluscope.patterns import key_order

    rng = np.random.default_rng(width + 1)
    base = rng.random((400, width)) < 0.5
    P = base[rng.integers(0, 400, 5000)]  # many duplicates and many count ties
    packed = pack_patterns(P)
    hashed = unique_patterns(packed)
    sorted_ = unique_patterns(packed, key_order(packed))
    assert np.array_equal(hashed.keys, sorted_.keys)
    assert np.array_equal(hashed.inverse, sorted_.inverse)
    assert np.array_equal(hashed.counts, sorted_.counts)


def test_hash_collision_falls_back_to_the_sort(monkeypatch):
    """A forced collision (every key hashed alike) is detected by the word check and sorted instead."""
    import pandas as pd

    from reluscope import patterns

    rng = np.random.default_rng(3)
    packed = pack_patterns(rng.random((200, 70)) < 0.5)
    expected = unique_patterns(packed, patterns.key_order(packed))
    monkeypatch.setattr(pd, "factorize", lambda h, sort=False: (np.zeros(len(h), np.int64), h[:1]))
    assert patterns._unique_by_hash(packed) is None
    got = unique_patterns(packed)
    assert np.array_equal(got.keys, expected.keys) and np.array_equal(got.inverse, expected.inverse)


def test_region_sums_equal_bincount_to_the_last_bit():
    from reluscope._kernels import _region_sums

    rng = np.random.default_rng(4)
    X = rng.normal(size=(3000, 5)) * 10.0 ** rng.integers(-8, 8, size=(3000, 1))
    labels = rng.integers(0, 40, 3000)
    labels[:7] = 40  # one more region, and regions of one row
    labels[7] = 41
    expected = np.stack([np.bincount(labels, weights=X[:, j], minlength=42) for j in range(5)], axis=1)
    assert np.array_equal(_region_sums(X, labels, 42), expected)
