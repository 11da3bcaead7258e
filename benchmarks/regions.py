"""Exact linear regions: reluscope.geometry against dense grids, regioncam and relucent, side by side.

Nets: He-initialised (weights N(0, 2/n_in), biases N(0, 0.1^2), seed 0) 2-16-16-1, 2-32-32-1,
2-64-64-64-1, 3-16-16-1, 4-16-16-1, 8-16-16-1 on [-1, 1]^d, plus 3-8-8-1 and 4-8-8-1 enumerated
in full by both reluscope and relucent (count equality).  Per net:

- ``slice_2d`` (d = 2): exact polygons, regions/s; regioncam (float32, Rust) on the same square;
- ``enumerate_regions``: exact box enumeration, full or capped at ``--cap`` regions (regions/s), in
  this process and on ``--jobs`` worker processes (started once before the timings; same regions);
- a dense grid (2-D: 1001^2 points, 3-D: 81^3, 4-D: 31^4, 8-D: 300,000 uniform points): the
  number of sampled patterns, and whether every sample's pattern was enumerated (complete runs);
- relucent (AGPL, run as a subprocess in benchmarks/.venvs/geometry, never imported): box BFS with
  ``cube_mode='clipped'``, one worker, full on the small nets and capped at ``--peer-cap`` otherwise.

Usage: python benchmarks/regions.py [--cap 2000] [--peer-cap 150] [--no-peers] [--nets ...] [--out regions.json]
(``--cap 0 --peer-cap 0`` enumerates every region with both tools.)
Writes benchmarks/results/regions.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from reluscope.geometry import enumerate_regions, slice_2d
from reluscope.geometry.layers import he_network
from reluscope.patterns import PatternIndex, compute_patterns, pack_patterns

BENCH = Path(__file__).resolve().parent
PEER_PY = BENCH / ".venvs" / "geometry" / "bin" / "python"
NETS = [(2, [16, 16]), (2, [32, 32]), (2, [64, 64, 64]), (3, [8, 8]), (3, [16, 16]), (4, [8, 8]), (4, [16, 16]), (8, [16, 16])]


def grid(d: int, rng) -> np.ndarray:
    n = {2: 1001, 3: 81, 4: 31}.get(d)
    if n is None:
        return rng.uniform(-1, 1, size=(300_000, d))
    g = np.linspace(-1, 1, n)
    return np.array(np.meshgrid(*([g] * d))).reshape(d, -1).T


def peer(tool: str, net, cap: int, timeout: float) -> dict:
    if not PEER_PY.exists():
        return {"error": "side venv benchmarks/.venvs/geometry missing"}
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp) / "case.npz"
        arrays = {f"W{i}": w for i, w in enumerate(net.weights)} | {f"b{i}": b for i, b in enumerate(net.biases)}
        np.savez(case, n_layers=len(net.weights), **arrays)
        out = Path(tmp) / "out.json"
        try:
            subprocess.run([str(PEER_PY), str(BENCH / "peers" / "geometry_worker.py"), str(case), tool, str(out), str(cap)],
                           check=True, timeout=timeout, capture_output=True)
        except subprocess.TimeoutExpired:
            return {"error": f"timeout {timeout:.0f}s"}
        except subprocess.CalledProcessError as exc:
            return {"error": exc.stderr.decode()[-300:]}
        return json.loads(out.read_text())


def run_net(d: int, widths: list, args) -> dict:
    net = he_network(d, widths, bias_std=0.1, random_state=0)
    name = "-".join(map(str, [d, *widths, 1]))
    box = np.column_stack([-np.ones(d), np.ones(d)])
    row: dict = {"net": name}
    small = max(widths) <= 8
    if d == 2:
        best = min(_timed(lambda: slice_2d(net, [0, 0], [1, 0], [0, 1])) for _ in range(3))
        s = slice_2d(net, [0, 0], [1, 0], [0, 1])
        row.update(slice_regions=s.n_regions, slice_seconds=best, slice_rate=s.n_regions / best, slice_area=float(s.area.sum()))
    cap = None if (small or (d == 2 and max(widths) <= 32)) else (args.cap or None)
    e = enumerate_regions(net, box, max_regions=cap)
    row.update(enum_regions=e.n_regions, enum_truncated=e.truncated, enum_seconds=e.seconds, enum_rate=e.n_regions / e.seconds,
               enum_lps=e.n_lp, enum_volume=float(np.nansum(e.volumes)) if d <= 3 else None)
    if args.jobs > 1:  # the same search on worker processes (warmed up once in main): same regions, in the same order
        ej = enumerate_regions(net, box, max_regions=cap, n_jobs=args.jobs)
        row.update(enum_jobs=args.jobs, enum_jobs_seconds=ej.seconds, enum_jobs_rate=ej.n_regions / ej.seconds,
                   enum_jobs_same=ej.pattern_strings() == e.pattern_strings())
    X = grid(d, np.random.default_rng(1))
    packed, _ = compute_patterns(net, X)
    row["grid_points"] = X.shape[0]
    row["grid_patterns"] = int(np.unique(packed, axis=0).shape[0])
    if not e.truncated:
        row["grid_all_found"] = bool((PatternIndex(pack_patterns(e.patterns)).lookup(packed) >= 0).all())
    if args.peers and d == 2:
        row["regioncam"] = peer("regioncam", net, 0, 120)
    if args.peers and d >= 3:
        row["relucent"] = peer("relucent", net, 0 if small else args.peer_cap, args.peer_timeout)
    return row


def _timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def table(rows: list) -> str:
    head = ("| net | slice_2d regions (regions/s) | regioncam regions (regions/s) | enumerate_regions regions (regions/s, LPs) "
            "| enumerate_regions, n_jobs workers (regions/s, same regions) | relucent regions (regions/s) | grid patterns / all found |")
    out = [head, "|" + "---|" * 7]
    for r in rows:
        sl = f"{r['slice_regions']:,} ({r['slice_rate']:,.0f})" if "slice_regions" in r else "-"
        rc = r.get("regioncam")
        rc = "-" if rc is None else (rc.get("error") or f"{rc['regions']:,} ({rc['regions'] / rc['seconds']:,.0f})")
        en = f"{r['enum_regions']:,}{' (cap)' if r['enum_truncated'] else ''} ({r['enum_rate']:,.0f}, {r['enum_lps']:,})"
        rl = r.get("relucent")
        rl = "-" if rl is None else (rl.get("error", "")[:40] or f"{rl['regions']:,}{' (cap)' if rl['truncated'] else ''} ({rl['regions'] / rl['seconds']:,.1f})")
        gr = f"{r['grid_patterns']:,} / {r.get('grid_all_found', 'n/a (capped)')}"
        jb = f"{r['enum_jobs']}: {r['enum_jobs_rate']:,.0f}, {r['enum_jobs_same']}" if "enum_jobs" in r else "-"
        out.append(f"| {r['net']} | {sl} | {rc} | {en} | {jb} | {rl} | {gr} |")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cap", type=int, default=2000, help="0: enumerate every region")
    ap.add_argument("--peer-cap", type=int, default=150, help="0: relucent enumerates every region")
    ap.add_argument("--peer-timeout", type=float, default=240)
    ap.add_argument("--no-peers", dest="peers", action="store_false")
    ap.add_argument("--nets", default="all", help="comma-separated names, e.g. 2-16-16-1,3-8-8-1")
    ap.add_argument("--out", default="regions.json", help="file name under benchmarks/results/")
    ap.add_argument("--machine", default="2-core x86_64 developer machine, shared with other jobs")
    ap.add_argument("--jobs", type=int, default=2, help="also run enumerate_regions with this many worker processes (1: skip)")
    args = ap.parse_args()
    if args.jobs > 1:  # start the worker processes once, outside the timings
        t = time.perf_counter()
        enumerate_regions(he_network(4, [8, 8], random_state=1), np.column_stack([-np.ones(4), np.ones(4)]), max_regions=60, n_jobs=args.jobs)
        print(f"worker start-up (n_jobs={args.jobs}): {time.perf_counter() - t:.1f} s", file=sys.stderr)
    rows = []
    for d, widths in NETS:
        name = "-".join(map(str, [d, *widths, 1]))
        if args.nets != "all" and name not in args.nets.split(","):
            continue
        rows.append(run_net(d, widths, args))
        print(rows[-1], file=sys.stderr, flush=True)
    print(table(rows))
    res = BENCH / "results" / args.out
    res.write_text(json.dumps({"machine": args.machine, "command": " ".join(sys.argv), "rows": rows}, indent=1, default=str))


if __name__ == "__main__":
    main()
