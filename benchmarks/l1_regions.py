"""L1 regularisation simplifies a ReLU network: fewer activation regions (local linear models).

The claim of the PiML/MoDeVa slides (``shared/seeds/003``, "Simplification by
L1-Regularization"): training with a larger ``l1_reg`` gives a network with
fewer regions over the data, at little cost in performance for an appropriate
value.  For each data set, ``l1_reg`` and seed we fit
``reluscope.estimators.ReLUNetClassifier((40, 40), l1_reg=...)`` with PiML's
other defaults (Adam 1e-3, batch 500, <= 1000 epochs, 20% validation,
patience 20) on an 80/20 stratified split and report

- regions: ``reluscope.unwrap(est.network_, X_train).n_regions``,
- switching units: hidden units whose on/off state varies over X_train (a unit
  that never switches cannot split a region),
- test AUC, epochs run, ``sum |W|`` and fit time,

as mean (std) over seeds.  Data: CoCircles (``make_circles(2000, noise=0.1)``)
and a 35-feature ``make_classification`` problem (2,000 rows, 8 informative,
4 redundant features).

Run:  python benchmarks/l1_regions.py            (6 values of l1_reg x 3 seeds x 2 data sets)
      python benchmarks/l1_regions.py --quick    (2 values, 1 seed, 1,000 rows: a smoke run)
Prints a markdown table and writes benchmarks/results/l1_regions.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import sklearn
import torch
from sklearn.datasets import make_circles, make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

import reluscope
from reluscope.estimators import ReLUNetClassifier

L1_GRID = (0.0, 1e-5, 1e-4, 1e-3, 3e-3, 1e-2)


def make_data(name: str, n_rows: int, seed: int):
    if name == "CoCircles":
        X, y = make_circles(n_rows, noise=0.1, random_state=seed)
    else:
        X, y = make_classification(n_rows, n_features=35, n_informative=8, n_redundant=4, random_state=seed)
    return train_test_split(X, y, test_size=0.2, random_state=seed, stratify=y)


def run_one(data: str, l1: float, seed: int, n_rows: int, hidden: tuple[int, ...]) -> dict:
    X_tr, X_te, y_tr, y_te = make_data(data, n_rows, seed)
    t = time.perf_counter()
    est = ReLUNetClassifier(hidden, l1_reg=l1, random_state=seed).fit(X_tr, y_tr)
    fit_s = time.perf_counter() - t
    llms = reluscope.unwrap(est.network_, X_tr)
    P = est.network_.patterns(X_tr)
    return {
        "data": data,
        "l1_reg": l1,
        "seed": seed,
        "regions": llms.n_regions,
        "single_row_regions": int((llms.count_ == 1).sum()),
        "switching_units": int((P.any(axis=0) & ~P.all(axis=0)).sum()),
        "hidden_units": est.network_.n_hidden_units,
        "test_auc": float(roc_auc_score(y_te, est.predict_proba(X_te)[:, 1])),
        "epochs": est.n_iter_,
        "sum_abs_w": float(sum(np.abs(W).sum() for W in est.network_.weights)),
        "fit_s": fit_s,
    }


def aggregate(rows: list[dict]) -> list[dict]:
    out = []
    keys = sorted({(r["data"], r["l1_reg"]) for r in rows}, key=lambda k: (k[0] != "CoCircles", k[1]))
    for data, l1 in keys:
        sel = [r for r in rows if r["data"] == data and r["l1_reg"] == l1]
        agg = {"data": data, "l1_reg": l1, "n_seeds": len(sel)}
        for m in ("regions", "switching_units", "test_auc", "epochs", "sum_abs_w", "fit_s"):
            v = np.array([r[m] for r in sel], float)
            agg[m] = float(v.mean())
            agg[m + "_std"] = float(v.std(ddof=1)) if len(v) > 1 else 0.0
        agg["hidden_units"] = sel[0]["hidden_units"]
        out.append(agg)
    return out


def table(aggs: list[dict]) -> str:
    def ms(a, m, fmt):
        return f"{a[m]:{fmt}} ({a[m + '_std']:{fmt}})" if a["n_seeds"] > 1 else f"{a[m]:{fmt}}"

    lines = [
        "| data | l1_reg | regions on X_train | switching units | test AUC | epochs | sum abs(W) | fit (s) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for a in aggs:
        lines.append(
            f"| {a['data']} | {a['l1_reg']:g} | {ms(a, 'regions', '.0f')} | {ms(a, 'switching_units', '.0f')} / {a['hidden_units']} "
            f"| {ms(a, 'test_auc', '.3f')} | {ms(a, 'epochs', '.0f')} | {ms(a, 'sum_abs_w', '.0f')} | {a['fit_s']:.1f} |"
        )
    return "\n".join(lines)


def machine() -> str:
    model = platform.processor() or "cpu"
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(line.split(":", 1)[1].strip() for line in fh if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.machine()}, {model}, {os.cpu_count()} cores (shared), CPU only"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="l1_reg in {0, 1e-3}, one seed, 1,000 rows")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--hidden", type=int, nargs="+", default=[40, 40])
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    grid, seeds, n_rows = (L1_GRID, range(args.seeds), args.rows)
    if args.quick:
        grid, seeds, n_rows = (0.0, 1e-3), range(1), 1000
    rows = []
    t0 = time.perf_counter()
    for data in ("CoCircles", "make_classification-35"):
        for l1 in grid:
            for seed in seeds:
                rows.append(run_one(data, l1, seed, n_rows, tuple(args.hidden)))
                r = rows[-1]
                print(f"  {data} l1_reg={l1:g} seed={seed}: {r['regions']} regions, AUC {r['test_auc']:.3f}, {r['epochs']} epochs", flush=True)
    aggs = aggregate(rows)
    print(table(aggs))
    result = {
        "command": "python benchmarks/l1_regions.py" + (" --quick" if args.quick else ""),
        "settings": {
            "hidden_layer_sizes": args.hidden,
            "rows": n_rows,
            "test_size": 0.2,
            "seeds": list(seeds),
            "l1_grid": list(grid),
            "estimator": "ReLUNetClassifier defaults: learning_rate=1e-3, batch_size=500, max_epochs=1000, val_ratio=0.2, patience=20",
            "torch_threads": args.threads,
        },
        "summary": aggs,
        "runs": rows,
        "total_s": round(time.perf_counter() - t0, 1),
        "machine": machine(),
        "versions": {"reluscope": reluscope.__version__, "torch": torch.__version__, "sklearn": sklearn.__version__, "python": platform.python_version()},
    }
    out = Path(__file__).parent / "results" / "l1_regions.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
