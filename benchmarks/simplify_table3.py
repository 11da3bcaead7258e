"""Table 3 of the unwrapping paper (``001``): ReLU-Net vs Merge-Net vs FL-Net vs SLFN.

For each data set and each of R replicates: a random 80/20 train/test split,
a deep ReLU network trained with Adam and early stopping (section 3 of
``001``), a Merge-Net (Algorithm 1, ``K`` by hold-out over 1..10, 15, 20,
``tau = 30``), its flattened network (Algorithm 2) and an SLFN of the same
width (random initialisation, same training), all scored on the test rows.

Data sets: ChirpWave (MSE), CoCircles (AUC), BostonHouse (MSE, X and y scaled
to [0, 1] as the paper's MSE scale implies; ``mlxtend.data.boston_housing_data``)
and, as the stand-in for FICO HELOC (not redistributable), ISLP's ``Default``
credit-card default data (10,000 x 3: student, balance, income; AUC).

Run::

    .venv/bin/python benchmarks/simplify_table3.py            # R = 20
    .venv/bin/python benchmarks/simplify_table3.py --quick    # R = 2
    .venv/bin/python benchmarks/simplify_table3.py --reps 5 --datasets CoCircles

Prints a markdown table (ours beside the paper's) and writes
``benchmarks/results/simplify_table3.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sklearn.metrics import mean_squared_error, roc_auc_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

import reluscope  # noqa: E402
from reluscope.simplify import MergedModel, flatten, slfn_baseline  # noqa: E402
from reluscope.simplify._train import train_relu, uniform_init  # noqa: E402

#: Table 3 of ``001``: mean (std) over 100 replicates.
PAPER = {
    "ChirpWave": {"metric": "MSE", "ReLU-Net": (0.0486, 0.0356), "Merge-Net": (0.0721, 0.0540), "FL-Net": (0.0839, 0.0323), "SLFN": (0.3351, 0.1021), "n_cluster": (10.28, 2.4498)},
    "CoCircles": {"metric": "AUC", "ReLU-Net": (0.9174, 0.0157), "Merge-Net": (0.8720, 0.0288), "FL-Net": (0.8845, 0.0296), "SLFN": (0.8280, 0.1387), "n_cluster": (9.38, 2.9691)},
    "BostonHouse": {"metric": "MSE", "ReLU-Net": (0.0074, 0.0027), "Merge-Net": (0.0079, 0.0021), "FL-Net": (0.0087, 0.0031), "SLFN": (0.0132, 0.0087), "n_cluster": (3.95, 1.2913)},
    "Default (FICO stand-in)": {"paper_row": "FicoHeloc", "metric": "AUC", "ReLU-Net": (0.8002, 0.0091), "Merge-Net": (0.8050, 0.0088), "FL-Net": (0.7962, 0.0107), "SLFN": (0.7545, 0.1102), "n_cluster": (1.55, 1.0897)},
}
METHODS = ("ReLU-Net", "Merge-Net", "FL-Net", "SLFN")


def load(name: str, seed: int):
    """(X, y, task, hidden sizes, refit, alpha, scale_y)."""
    from reluscope import datasets

    if name == "ChirpWave":
        X, y = datasets.make_chirpwave(2000, noise=0.1, design="random", random_state=seed)
        return X, y, "regression", [40] * 4, "glm", 1.0, False
    if name == "CoCircles":
        X, y = datasets.make_cocircles(2000, noise=0.1, random_state=seed)
        return X, y, "binary", [40] * 4, "glm", 1.0, False
    if name == "BostonHouse":
        from mlxtend.data import boston_housing_data

        X, y = boston_housing_data()
        return X.astype(float), y.astype(float), "regression", [20] * 2, "l2", 0.01, True
    if name.startswith("Default"):
        import importlib.util

        path = Path(importlib.util.find_spec("ISLP").submodule_search_locations[0]) / "data" / "Default.csv"
        df = pd.read_csv(path)
        X = np.column_stack([(df["student"] == "Yes").astype(float), df["balance"], df["income"]])
        y = (df["default"] == "Yes").astype(int).to_numpy()
        return X, y, "binary", [40] * 4, "glm", 1.0, False
    raise SystemExit(f"unknown data set {name}")


def score(task, y, pred):
    return float(mean_squared_error(y, pred)) if task == "regression" else float(roc_auc_score(y, pred))


def one_replicate(name: str, rep: int, train_kw: dict):
    X, y, task, hidden, refit, alpha, scale_y = load(name, rep)
    strat = y if task == "binary" else None
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=rep, stratify=strat)
    xs = (MinMaxScaler() if scale_y else StandardScaler()).fit(Xtr)
    Xtr, Xte = xs.transform(Xtr), xs.transform(Xte)
    if scale_y:
        ys = MinMaxScaler().fit(ytr[:, None])
        ytr, yte = ys.transform(ytr[:, None])[:, 0], ys.transform(yte[:, None])[:, 0]
    kw = dict(train_kw, batch_size=train_kw["batch_size"] if len(ytr) < 5000 else 4 * train_kw["batch_size"])
    t0 = time.perf_counter()
    w, b = uniform_init([X.shape[1], *hidden, 1], rep)
    w, b, _ = train_relu(w, b, Xtr, np.asarray(ytr, float), task, random_state=rep, **kw)
    out = "identity" if task == "regression" else "sigmoid"
    net = reluscope.ReLUNetwork(w, b, output=out, classes=[0, 1] if task == "binary" else None)
    t1 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one-class clusters fall back (documented)
        merged = MergedModel(net, refit=refit, alpha=alpha, random_state=rep, progress=False).fit(Xtr, ytr)
    t2 = time.perf_counter()
    fl = flatten(merged, Xtr, ytr, random_state=rep, **kw)
    t3 = time.perf_counter()
    slfn = slfn_baseline(merged, Xtr, ytr, random_state=rep, **kw)
    t4 = time.perf_counter()
    pred = (lambda m: m.decision_function(Xte)) if task == "binary" else (lambda m: m.predict(Xte))
    return {
        "ReLU-Net": score(task, yte, net.decision_function(Xte)),
        "Merge-Net": score(task, yte, pred(merged)),
        "FL-Net": score(task, yte, pred(fl)),
        "FL-Net init": score(task, yte, fl.network_init_.decision_function(Xte)),
        "SLFN": score(task, yte, pred(slfn)),
        "n_cluster": merged.n_clusters_,
        "K": merged.best_n_clusters_,
        "n_llms": merged.llms_.n_regions,
        "init_agreement": fl.init_agreement_,
        "seconds": {"relu": t1 - t0, "merge": t2 - t1, "flatten": t3 - t2, "slfn": t4 - t3},
    }


def fmt(mean, std):
    return f"{mean:.4f} ({std:.4f})"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="R = 2")
    ap.add_argument("--datasets", nargs="+", default=list(PAPER))
    ap.add_argument("--max-epochs", type=int, default=2000)
    ap.add_argument("--patience", type=int, default=100)
    ap.add_argument("--batch-size", type=int, default=200)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "simplify_table3.json"))
    args = ap.parse_args(argv)
    R = 2 if args.quick else args.reps
    torch.set_num_threads(1)
    train_kw = dict(learning_rate=1e-3, batch_size=args.batch_size, max_epochs=args.max_epochs, val_ratio=0.2, patience=args.patience, progress=False)
    results, rows = {}, []
    for name in args.datasets:
        name = next((k for k in PAPER if k.startswith(name)), name)
        t = time.perf_counter()
        reps = [one_replicate(name, r, train_kw) for r in range(R)]
        summary = {}
        for key in (*METHODS, "FL-Net init", "n_cluster", "K", "n_llms"):
            v = np.array([r[key] for r in reps], float)
            summary[key] = {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if R > 1 else 0.0, "values": v.tolist()}
        paper = PAPER[name]
        metric = paper["metric"]
        if metric == "AUC":
            gap = [r["ReLU-Net"] - r["Merge-Net"] for r in reps]
            summary["acceptance"] = {"max_clusters": int(max(r["n_cluster"] for r in reps)), "max_auc_drop": float(max(gap))}
        results[name] = {"metric": metric, "reps": R, "summary": summary, "paper": paper, "replicates": reps, "seconds": time.perf_counter() - t}
        ours = " | ".join(fmt(summary[m]["mean"], summary[m]["std"]) for m in (*METHODS, "n_cluster"))
        theirs = " | ".join(fmt(*paper[m]) for m in (*METHODS, "n_cluster"))
        rows.append(f"| {name} ({metric}) | ours, R={R} | {ours} |")
        rows.append(f"| {paper.get('paper_row', name)} ({metric}) | paper, R=100 | {theirs} |")
        print(rows[-2], flush=True)
    header = "| Data | Source | " + " | ".join(METHODS) + " | n_cluster |\n|---|---|" + "---|" * (len(METHODS) + 1)
    table = header + "\n" + "\n".join(rows)
    print("\n" + table)
    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, CPU only (torch threads 1)",
        "python": platform.python_version(),
        "torch": torch.__version__,
        "reluscope": reluscope.__version__,
        "training": train_kw,
        "command": "benchmarks/simplify_table3.py " + ("--quick" if args.quick else f"--reps {R}"),
        "markdown": table,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, "results": results}, indent=1))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
