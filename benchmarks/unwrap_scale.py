"""Unwrap at scale: time and peak memory of reluscope.unwrap on N rows x d features.

Checks the foundation's claim that patterns are computed in chunks, so that
10 million rows x 50 features fit in 8 GB (the data itself, float64, is 4 GB).
Run:  python benchmarks/unwrap_scale.py --rows 10000000 --features 50
Prints a table and writes benchmarks/results/unwrap_scale.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import numpy as np

import reluscope


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--features", type=int, default=50)
    ap.add_argument("--hidden", type=int, nargs="+", default=[40, 40, 40, 40])
    ap.add_argument("--random-state", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.random_state)
    sizes = [args.features, *args.hidden, 1]
    weights = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=o) * 0.1 for o in sizes[1:]]
    net = reluscope.from_arrays(weights, biases, output="sigmoid")
    X = np.empty((args.rows, args.features))
    for s in range(0, args.rows, 1_000_000):  # fill in blocks: no second copy of X
        X[s : s + 1_000_000] = rng.standard_normal(X[s : s + 1_000_000].shape)
    rss_data = peak_rss_gib()
    t = time.perf_counter()
    llms = reluscope.unwrap(net, X, progress=True)
    elapsed = time.perf_counter() - t
    row = {
        "rows": args.rows,
        "features": args.features,
        "hidden": args.hidden,
        "regions": llms.n_regions,
        "max_error": llms.max_error_,
        "unwrap_s": round(elapsed, 2),
        "data_gib": round(X.nbytes / 2**30, 2),
        "peak_rss_gib": round(peak_rss_gib(), 2),
        "peak_rss_before_unwrap_gib": round(rss_data, 2),
        "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, 2 cores, 24 GiB",
    }
    print("| rows | features | hidden | regions | unwrap (s) | data (GiB) | peak RSS (GiB) | max error |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {row['rows']:,} | {row['features']} | {row['hidden']} | {row['regions']:,} | {row['unwrap_s']} | {row['data_gib']} | {row['peak_rss_gib']} | {row['max_error']:.1e} |")
    out = Path(__file__).parent / "results" / "unwrap_scale.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
