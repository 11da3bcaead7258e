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
