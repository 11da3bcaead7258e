"""The full region summary at scale: every region's Global AUC, in bounded memory.

aletheia-dnn's summary builds a regions x rows matrix (298 GiB at 200,000 rows
x 35 features, one region per row). reluscope computes Global AUC over chunks
of regions, each chunk's working memory under ``--memory-limit-mb``.
Run: ``python benchmarks/summary_scale.py --rows 200000`` (about 45 min for
200,000 regions on 2 cores: one sort of all rows per region). Uses the
35-feature case saved by ``unwrap_vs_aletheia.py`` (``benchmarks/.cache``);
prints a table and writes ``benchmarks/results/summary_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import numpy as np

import reluscope

HERE = Path(__file__).parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--memory-limit-mb", type=float, default=512.0)
    ap.add_argument("--max-regions", type=int, default=None, help="compute Global AUC for this many regions only (a timing sample)")
    args = ap.parse_args()
    case = HERE / ".cache" / f"unwrap_classification35_{args.rows}.npz"
    if not case.exists():
        raise SystemExit(f"{case} is missing: run benchmarks/unwrap_vs_aletheia.py --problems classification35 --sizes {args.rows} first")
    d = np.load(case, allow_pickle=False)
    W = [d[f"W{i}"].T for i in range(5)]
    B = [d[f"b{i}"] for i in range(5)]
    net = reluscope.from_arrays(W, B, output="sigmoid", classes=[0, 1])
    X, y = d["X"], d["y"]
    t = time.perf_counter()
    llms = reluscope.unwrap(net, X, y)
    t_unwrap = time.perf_counter() - t
    which = "all" if args.max_regions is None else args.max_regions
    t = time.perf_counter()
    summary = llms.summary(global_metrics=which, memory_limit_mb=args.memory_limit_mb, progress=True)
    t_summary = time.perf_counter() - t
    row = {
        "rows": int(X.shape[0]),
        "features": int(X.shape[1]),
        "regions": llms.n_regions,
        "global_auc_regions": int(summary["Global AUC"].notna().sum()),
        "unwrap_s": round(t_unwrap, 2),
        "summary_s": round(t_summary, 1),
        "memory_limit_mb": args.memory_limit_mb,
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "machine": "x86_64 CPU, 2 cores (shared), 24 GiB, no GPU",
    }
    print("| rows | features | regions | Global AUC computed | unwrap (s) | summary (s) | memory limit (MB) | peak RSS (GiB) |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {row['rows']:,} | {row['features']} | {row['regions']:,} | {row['global_auc_regions']:,} | {row['unwrap_s']} | {row['summary_s']} | {row['memory_limit_mb']:.0f} | {row['peak_rss_gib']} |")
    out = HERE / "results" / "summary_scale.json"
    out.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
