"""Scale-out unwrap: Dask LocalCluster vs the bare forward pass, the in-memory path, and item 5's ratio.

Three measurements, each printed as a markdown table and written to
``benchmarks/results/scale.json``:

1. **Dask**: ``--rows`` rows x 35 features made block by block from a seeded
   generator inside the workers (never held whole, anywhere), a [40]*4 ReLU
   net, unwrapped with verification on a fresh ``LocalCluster`` of
   ``--workers`` single-threaded processes; beside it, one bare float64
   forward pass over the same blocks on the same cluster (the floor).  Wall
   time, rows/s, regions, and the peak RSS of every worker process.
2. **In memory**: ``reluscope.unwrap`` on ``--mem-rows`` rows of the same
   generator in this process, beside a chunked forward pass.
3. **Item 5**: one region per row (200,000 x 35 standard normal rows, the
   same net): ``unwrap`` with its verification / a chunked float64 forward
   pass; interleaved repeats, the ratio of the medians and of the minima.

The generator is portfolio-like: each row is one of ``--prototypes`` seeded
prototype customers plus noise of scale 1e-4, so rows share activation
regions (standard normal rows in 35 dimensions give one region per row, and a
per-row result larger than the data: that case is measured in part 3).

Full run (the issue's target):  python benchmarks/scale.py --rows 100000000 --mem-rows 10000000
Reduced run (this session):     python benchmarks/scale.py --rows 5000000 --mem-rows 2000000
GPU part:                       python benchmarks/scale_gpu.py
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

import reluscope

D, HIDDEN, BLOCK = 35, [40, 40, 40, 40], 500_000
#: Rows per chunk of the fast floor (cache-sized; the same size as the unwrap's pattern sub-chunks).
FAST_CHUNK = 8192


def make_net(seed: int = 0):
    rng = np.random.default_rng(seed)
    sizes = [D, *HIDDEN, 1]
    W = [rng.normal(size=(o, i)) * np.sqrt(2.0 / i) for i, o in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(size=o) * 0.1 for o in sizes[1:]]
    return reluscope.from_arrays(W, B)


def make_block(index: int, rows: int, seed: int, prototypes: int) -> np.ndarray:
    """Rows of block ``index``: (rows, D + 1), the last column the response. Seeded by (seed, index)."""
    protos = np.random.default_rng([seed, 10**9]).standard_normal((prototypes, D))
    rng = np.random.default_rng([seed, index])
    X = protos[rng.integers(0, prototypes, rows)] + 1e-4 * rng.standard_normal((rows, D))
    y = X[:, 0] - 0.5 * X[:, 1] + 0.1 * rng.standard_normal(rows)
    return np.column_stack([X, y])


def row_chunks(rows: int) -> tuple[int, ...]:
    return tuple(min(BLOCK, rows - s) for s in range(0, rows, BLOCK))


def forward_chunks(net, X, chunk=65_536) -> float:
    """The floor: a bare float64 forward pass in chunks; returns a checksum."""
    total = 0.0
    for s in range(0, X.shape[0], chunk):
        total += float(net._forward_raw(X[s : s + chunk])[0].sum())
    return total


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def worker_peak_gib() -> float:
    """The process's own high-water RSS (``VmHWM``), in GiB.

    Not ``ru_maxrss``: after fork + exec that also counts the parent's resident set at the
    fork (Linux keeps the larger of the old and new address spaces' high-water marks), so a
    worker spawned by a client holding 3 GiB reported 3.96 GiB without using it.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def dask_part(args, net) -> dict:
    import dask.array as da
    from distributed import Client, LocalCluster

    chunks = row_chunks(args.rows)

    def gen(block_id=None):
        i = block_id[0]
        return make_block(i, chunks[i], args.seed, args.prototypes)

    Z = da.map_blocks(gen, chunks=(chunks, (D + 1,)), dtype=np.float64, meta=np.empty((0, D + 1)))
    X, y = Z[:, :D], Z[:, D]
    import dask

    from reluscope.scale import WORKER_CONFIG

    # Dask's default MALLOC_TRIM_THRESHOLD_ in the workers makes every NumPy temporary a fresh mmap;
    # --dask-malloc-default keeps it (the run before this option), otherwise it is unset (WORKER_CONFIG)
    config = {} if args.dask_malloc_default else WORKER_CONFIG
    with dask.config.set(config), LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, memory_limit="4GiB", dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("reluscope.scale._stats"))  # warm imports outside the timings
        # two floors: the net's own forward pass on each whole block, and the same pass in cache-sized
        # 8,192-row chunks (the fastest bare pass measured here; the unwrap's pattern pass uses that size)
        floor_block = X.map_blocks(lambda b: net._forward_raw(b)[0].sum(keepdims=True)[None], chunks=((1,) * len(chunks), (1,)), dtype=float).sum()
        floor_chunked = X.map_blocks(lambda b: np.array([[forward_chunks(net, b, FAST_CHUNK)]]), chunks=((1,) * len(chunks), (1,)), dtype=float).sum()

        def timed(fn):
            t = time.perf_counter()
            out = fn()
            return time.perf_counter() - t, out

        t_block, _ = timed(floor_block.compute)
        t_floor, _ = timed(floor_chunked.compute)
        t_unwrap, llms = timed(lambda: reluscope.unwrap(net, X, y, progress=False))
        t_floor_after, _ = timed(floor_chunked.compute)  # again after the unwrap: the load may change in a long run
        peaks = client.run(worker_peak_gib)
    mean_floor = (t_floor + t_floor_after) / 2
    return {
        "worker_config": {k: v for k, v in config.items()} or "Dask's default", "rows": args.rows, "blocks": len(chunks), "workers": args.workers, "regions": llms.n_regions,
        "max_error": llms.max_error_, "unwrap_s": round(t_unwrap, 2), "floor_block_s": round(t_block, 2),
        "floor_s": round(t_floor, 2), "floor_after_s": round(t_floor_after, 2), "floor_chunk_rows": FAST_CHUNK,
        "unwrap_over_floor": round(t_unwrap / t_floor, 2), "unwrap_over_mean_floor": round(t_unwrap / mean_floor, 2),
        "unwrap_over_block_floor": round(t_unwrap / t_block, 2), "rows_per_s": round(args.rows / t_unwrap),
        "peak_rss_gib_per_worker": sorted(round(v, 2) for v in peaks.values()),
    }


def memory_part(args, net) -> dict:
    X = np.empty((args.mem_rows, D))
    for i, s in enumerate(range(0, args.mem_rows, BLOCK)):
        X[s : s + BLOCK] = make_block(i, min(BLOCK, args.mem_rows - s), args.seed, args.prototypes)[:, :D]
    t = time.perf_counter()
    forward_chunks(net, X)
    t_floor = time.perf_counter() - t
    t = time.perf_counter()
    forward_chunks(net, X, FAST_CHUNK)
    t_fast = time.perf_counter() - t
    t = time.perf_counter()
    llms = reluscope.unwrap(net, X, progress=False)
    t_unwrap = time.perf_counter() - t
    return {"rows": args.mem_rows, "regions": llms.n_regions, "unwrap_s": round(t_unwrap, 2), "floor_s": round(t_floor, 2),
            "unwrap_over_floor": round(t_unwrap / t_floor, 2), "fast_floor_s": round(t_fast, 2), "unwrap_over_fast_floor": round(t_unwrap / t_fast, 2),
            "rows_per_s": round(args.mem_rows / t_unwrap), "peak_rss_gib": round(peak_rss_gib(), 2)}


def item5_part(args, net) -> dict:
    X = np.random.default_rng(args.seed).standard_normal((200_000, D))
    tf, tc, tu = [], [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        forward_chunks(net, X)
        tf.append(time.perf_counter() - t)
        t = time.perf_counter()
        forward_chunks(net, X, FAST_CHUNK)
        tc.append(time.perf_counter() - t)
        t = time.perf_counter()
        llms = reluscope.unwrap(net, X, progress=False)
        tu.append(time.perf_counter() - t)
    return {"rows": 200_000, "regions": llms.n_regions, "repeats": args.repeats, "floor_min_s": round(min(tf), 4), "unwrap_min_s": round(min(tu), 4),
            "ratio_of_minima": round(min(tu) / min(tf), 2), "ratio_of_medians": round(float(np.median(tu) / np.median(tf)), 2),
            "fast_floor_min_s": round(min(tc), 4), "ratio_of_minima_fast_floor": round(min(tu) / min(tc), 2),
            "ratio_of_medians_fast_floor": round(float(np.median(tu) / np.median(tc)), 2)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=100_000_000, help="rows of the Dask run (default: the full 100 million)")
    ap.add_argument("--mem-rows", type=int, default=10_000_000, help="rows of the in-memory run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--prototypes", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dask-malloc-default", action="store_true", help="keep Dask's MALLOC_TRIM_THRESHOLD_=65536 in the workers")
    ap.add_argument("--skip", nargs="*", default=[], choices=["dask", "memory", "item5"])
    ap.add_argument("--machine-note", default="shared with other jobs during this session", help="how loaded the machine was")
    args = ap.parse_args()
    net = make_net(args.seed)
    out = {"machine": f"{platform.machine()}, 2 cores ({args.machine_note}), 24 GiB, no GPU",
           "command": "python benchmarks/scale.py " + " ".join(sys.argv[1:]),
           "net": f"{D} -> {HIDDEN} -> 1, ReLU, He-initialised (seed {args.seed})"}
    if "item5" not in args.skip:
        out["item5"] = r = item5_part(args, net)
        print("| one region per row | regions | unwrap+verify (s, min) | forward, 65,536-row chunks (s, min) | ratio of minima | ratio of medians | forward, 8,192-row chunks (s, min) | ratio of minima | ratio of medians |\n|---|---|---|---|---|---|---|---|---|")
        print(f"| 200,000 x 35 | {r['regions']:,} | {r['unwrap_min_s']} | {r['floor_min_s']} | {r['ratio_of_minima']} | {r['ratio_of_medians']} | {r['fast_floor_min_s']} | {r['ratio_of_minima_fast_floor']} | {r['ratio_of_medians_fast_floor']} |\n")
    if "memory" not in args.skip:
        out["memory"] = r = memory_part(args, net)
        print("| in memory | regions | unwrap (s) | forward, 65,536-row chunks (s) | unwrap / that | forward, 8,192-row chunks (s) | unwrap / that | rows/s | peak RSS (GiB) |\n|---|---|---|---|---|---|---|---|---|")
        print(f"| {r['rows']:,} x 35 | {r['regions']:,} | {r['unwrap_s']} | {r['floor_s']} | {r['unwrap_over_floor']} | {r['fast_floor_s']} | {r['unwrap_over_fast_floor']} | {r['rows_per_s']:,} | {r['peak_rss_gib']} |\n")
    if "dask" not in args.skip:
        out["dask"] = r = dask_part(args, net)
        print("| Dask LocalCluster | blocks | regions | unwrap (s) | forward, whole blocks (s) | unwrap / that | forward, 8,192-row chunks, before / after (s) | unwrap / their mean | rows/s | peak RSS per worker (GiB, VmHWM) | max error |\n|---|---|---|---|---|---|---|---|---|---|---|")
        print(f"| {r['rows']:,} x 35, {r['workers']} workers | {r['blocks']} | {r['regions']:,} | {r['unwrap_s']} | {r['floor_block_s']} | {r['unwrap_over_block_floor']} | {r['floor_s']} / {r['floor_after_s']} | {r['unwrap_over_mean_floor']} | {r['rows_per_s']:,} | {r['peak_rss_gib_per_worker']} | {r['max_error']:.1e} |")
    path = Path(__file__).parent / "results" / "scale.json"
    path.parent.mkdir(exist_ok=True)
    previous = json.loads(path.read_text()) if path.exists() else {}
    previous.update(out)  # parts skipped with --skip keep their last results
    path.write_text(json.dumps(previous, indent=2))


if __name__ == "__main__":
    main()
