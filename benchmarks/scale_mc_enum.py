"""Distributed Monte Carlo and parallel exact enumeration on a Dask LocalCluster (issue 20, items 3 and 4).

1. **Monte Carlo**: ``--samples`` draws from a two-component Gaussian mixture
   through a 3-16-16-1 ReLU net; :func:`reluscope.scale.monte_carlo_dask` on a
   fresh ``LocalCluster`` of 1 and of 2 single-threaded worker processes (same
   ``random_state``: the numbers must be identical), beside the in-memory
   :func:`reluscope.probability.monte_carlo` in this process.
2. **Enumeration**: every region of a 3-16-16-1 net in the box [-2, 2]^3,
   :func:`reluscope.geometry.enumerate_regions` in this process vs
   :func:`reluscope.scale.enumerate_regions_dask` with ``--splits`` per axis on
   the 2-worker cluster; the pattern sets must be equal.

Wall times include the cluster's task overhead, not its start-up (each worker is warmed up:
imports and one tiny enumeration before timing).

Run:  python benchmarks/scale_mc_enum.py --samples 10000000 --splits 2
      python benchmarks/scale_mc_enum.py --skip-mc --splits 2 1 1 [--hidden 24 24]
Each run is appended to ``benchmarks/results/scale_mc_enum.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
from distributed import Client, LocalCluster

import reluscope
from reluscope.geometry import enumerate_regions
from reluscope.probability.distributions import GaussianMixture
from reluscope.probability.monte_carlo import monte_carlo
from reluscope.scale import enumerate_regions_dask, monte_carlo_dask


def make_net(sizes, seed=0):
    rng = np.random.default_rng(seed)
    W = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(size=o) * 0.3 for o in sizes[1:]]
    return reluscope.from_arrays(W, B)


def cluster(n):
    """A fresh LocalCluster, warmed up: every worker has imported reluscope, SciPy's LP and networkx."""
    c = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit="2GiB", dashboard_address=":0")
    client = Client(c)
    client.wait_for_workers(n)
    client.run(_warm_up)
    return c, client


def _warm_up():
    tiny = make_net([2, 3, 1])
    enumerate_regions(tiny, np.array([[-1.0, 1.0], [-1.0, 1.0]]), progress=False)
    monte_carlo(tiny, GaussianMixture.normal([0.0, 0.0]), 10, progress=False, random_state=0)


def bench_mc(net, gm, n, block):
    rows, results = [], {}
    for workers in (1, 2):
        c, client = cluster(workers)
        try:
            t = time.perf_counter()
            results[workers] = monte_carlo_dask(net, gm, n, points=[0.0], client=client, block_size=block, random_state=7)
            rows.append({"path": f"Dask, {workers} worker(s)", "seconds": time.perf_counter() - t})
        finally:
            client.close()
            c.close()
    t = time.perf_counter()
    mem = monte_carlo(net, gm, n, points=[0.0], random_state=7, progress=False)
    rows.append({"path": "in memory", "seconds": time.perf_counter() - t})
    a, b = results[1], results[2]
    identical = bool(a.pmf.equals(b.pmf) and np.array_equal(a.cdf, b.cdf) and a.predictions.equals(b.predictions))
    for r, res in zip(rows, (a, b, mem)):
        r.update(samples=n, patterns=len(res.pmf), cdf0=float(res.cdf[0]), cdf0_se=float(res.cdf_std_error[0]))
    return rows, identical


def bench_enum(net, box, splits):
    t = time.perf_counter()
    single = enumerate_regions(net, box, progress=False)
    t_single = time.perf_counter() - t
    c, client = cluster(2)
    try:
        t = time.perf_counter()
        split = enumerate_regions_dask(net, box, splits=splits, client=client)
        t_split = time.perf_counter() - t
    finally:
        client.close()
        c.close()
    same = set(single.pattern_strings()) == set(split.pattern_strings())
    vol = {r.pattern.tobytes(): r.volume for r in single.regions}
    dv = max(abs(r.volume - vol[r.pattern.tobytes()]) for r in split.regions) if same else float("nan")
    return [
        {"path": "single process", "regions": single.n_regions, "pieces": single.n_regions, "seconds": t_single},
        {"path": f"Dask, 2 workers, sub-boxes {'x'.join(map(str, splits if len(splits) == 3 else splits * 3))}", "regions": split.n_regions, "pieces": split.stats["pieces"], "seconds": t_split},
    ], same, dv


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samples", type=int, default=10_000_000)
    ap.add_argument("--block", type=int, default=2**20)
    ap.add_argument("--splits", type=int, nargs="+", default=[2], help="slabs per axis: one int or one per feature")
    ap.add_argument("--skip-mc", action="store_true")
    ap.add_argument("--hidden", type=int, nargs="+", default=[16, 16])
    args = ap.parse_args()
    net = make_net([3, *args.hidden, 1], seed=3)
    gm = GaussianMixture([0.5, 0.5], [[0.0, 0.0, 0.0], [1.0, -1.0, 0.5]], [np.eye(3), np.diag([0.5, 2.0, 1.0])])
    mc_rows, identical = ([], None) if args.skip_mc else bench_mc(net, gm, args.samples, args.block)
    print("| Monte Carlo | samples | patterns | P(eta <= 0) | s.e. | wall (s) |\n|---|---|---|---|---|---|")
    for r in mc_rows:
        print(f"| {r['path']} | {r['samples']:,} | {r['patterns']} | {r['cdf0']:.6f} | {r['cdf0_se']:.1e} | {r['seconds']:.2f} |")
    print(f"1 and 2 workers identical: {identical}")
    box = np.array([[-2.0, 2.0]] * 3)
    en_rows, same, dv = bench_enum(net, box, args.splits)
    print(f"\n| enumeration 3-{'-'.join(map(str, args.hidden))}-1, [-2, 2]^3 | regions | pieces | wall (s) |\n|---|---|---|---|")
    for r in en_rows:
        print(f"| {r['path']} | {r['regions']} | {r['pieces']} | {r['seconds']:.2f} |")
    print(f"same pattern set: {same}; max |volume difference|: {dv:.1e}")
    out = Path(__file__).parent / "results" / "scale_mc_enum.json"
    out.parent.mkdir(exist_ok=True)
    meta = {"machine": platform.machine(), "cpus": os.cpu_count(), "load_average": os.getloadavg(), "args": vars(args)}
    runs = json.loads(out.read_text()) if out.exists() else []
    runs.append({"meta": meta, "monte_carlo": mc_rows, "mc_identical_1_vs_2_workers": identical,
                 "enumeration": en_rows, "same_pattern_set": same, "max_volume_difference": dv})
    out.write_text(json.dumps(runs, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
