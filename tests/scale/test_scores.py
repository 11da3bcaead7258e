"""Exact AUC score tables: merged per-partition tables give the in-memory grouped AUC."""

import numpy as np

from reluscope.scale._scores import auc_from_table, merge_tables, score_table
from reluscope.summary import grouped_auc


def test_merged_tables_equal_grouped_auc_with_ties():
    rng = np.random.default_rng(0)
    n, G = 5000, 7
    g = rng.integers(0, G, n)
    s = np.round(rng.normal(size=n), 1)  # many tied scores
    y = (rng.random(n) < 0.3 + 0.05 * g).astype(float)
    y[g == 3] = 1.0  # a one-class group -> NaN
    expected = grouped_auc(g, s, y, G)
    cuts = [0, 100, 100, 2500, 4999, n]  # uneven, one empty piece
    tables = [score_table(g[a:b], s[a:b], y[a:b]) for a, b in zip(cuts[:-1], cuts[1:])]
    merged = merge_tables([merge_tables(tables[:2]), merge_tables(tables[2:])])
    got = auc_from_table(merged, G)
    assert np.isnan(got[3]) and np.isnan(expected[3])
    np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)
    # the table holds one entry per distinct (group, score)
    assert merged["group"].size == len({(a, b) for a, b in zip(g, s)})
