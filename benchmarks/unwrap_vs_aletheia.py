"""reluscope vs aletheia-dnn: unwrap and summary time, peak memory, agreement.

One run: trains a scikit-learn ``MLPClassifier(hidden_layer_sizes=[40]*4)`` once
on 2,000 rows of each problem (CoCircles: ``make_circles(noise=0.1)``; a
35-feature ``make_classification``), saves weights + data as ``.npz``
(``benchmarks/.cache``), then for every N runs, each in a fresh subprocess,

- aletheia-dnn 1.3.5 (its own CPython 3.10 venv, made if missing, see
  ``benchmarks/_peers.py``): ``UnwrapperClassifier(coefs_, intercepts_).fit(x, y)``
  and ``summary()``, under a wall-clock and an address-space limit so that a
  runaway allocation is reported as ``failed: MemoryError``;
- reluscope: ``unwrap(net, X, y)`` (with the exactness check), ``summary``
  with ``global_metrics='all'`` (what aletheia computes) and ``'auto'``;
- the floor: one bare float64 NumPy forward pass over the same rows,

and checks that both tools find the same regions (identical partition of the
rows up to renumbering) with the same LLMs (max coefficient difference after
matching regions).  Rows ``[:2000]`` are the training rows; larger N add fresh
draws of the same generator.

Run::

    python benchmarks/unwrap_vs_aletheia.py                 # full: N = 2e3, 2e4, 2e5 (about 30 min)
    python benchmarks/unwrap_vs_aletheia.py --quick         # N = 2e3, 2e4, short timeouts
    RELUSCOPE_ALETHEIA_PYTHON=/path/to/py310 python benchmarks/unwrap_vs_aletheia.py --sizes 2000

Prints a markdown table, writes ``benchmarks/results/unwrap.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent / "peers"))
from _peers import (  # noqa: E402
    ALETHEIA_WORKER, CACHE_DIR, RELUSCOPE_WORKER, RESULTS_DIR, ensure_aletheia_python, load_case, machine,
    match_partition, run_worker, save_case,
)

PROBLEMS = ("circles", "classification35")
HIDDEN = [40, 40, 40, 40]
N_TRAIN = 2000


def make_problem(name: str, n_max: int, random_state: int):
    """(X, y) with n_max rows; rows [:2000] are the training rows."""
    from sklearn.datasets import make_circles, make_classification

    n_max = max(n_max, N_TRAIN)
    if name == "circles":
        Xt, yt = make_circles(N_TRAIN, noise=0.1, random_state=random_state)
        if n_max == N_TRAIN:
            return Xt, yt
        Xe, ye = make_circles(n_max - N_TRAIN, noise=0.1, random_state=random_state + 1)
        return np.vstack([Xt, Xe]), np.concatenate([yt, ye])
    if name == "classification35":
        return make_classification(n_max, n_features=35, n_informative=10, random_state=random_state)
    raise SystemExit(f"unknown problem {name!r}; choose from {PROBLEMS}")


def prepare_case(name: str, n_max: int, random_state: int) -> tuple[Path, dict]:
    """Train once on 2,000 rows, save weights + n_max rows; check the worker's network equals from_sklearn."""
    from sklearn.neural_network import MLPClassifier

    import reluscope
    from reluscope_worker import network_of

    X, y = make_problem(name, n_max, random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=HIDDEN, max_iter=500, random_state=random_state).fit(X[:N_TRAIN], y[:N_TRAIN])
    info = {"problem": name, "hidden": HIDDEN, "train_rows": N_TRAIN, "train_accuracy": float(mlp.score(X[:N_TRAIN], y[:N_TRAIN])),
            "n_iter": int(mlp.n_iter_), "classes": mlp.classes_.tolist(), "random_state": random_state}
    path = save_case(CACHE_DIR / f"unwrap_{name}_{n_max}.npz", X, y, mlp.coefs_, mlp.intercepts_, task="classifier", meta=info)
    if network_of(load_case(path)) != reluscope.from_sklearn(mlp):
        raise RuntimeError("the saved weights do not rebuild the network from_sklearn gives")
    return path, info


def compare_fits(a_fit: Path, r_fit: Path) -> dict:
    """Region counts, partition identity and max LLM differences after matching regions by their rows."""
    with np.load(a_fit) as a, np.load(r_fit) as r:
        identical, perm = match_partition(a["labels"], r["labels"])
        out = {"regions_aletheia": int(a["count"].size), "regions_reluscope": int(r["count"].size), "partition_identical": identical}
        if identical:
            out["max_coef_diff"] = float(np.max(np.abs(a["coef"][perm] - r["coef"])))
            out["max_intercept_diff"] = float(np.max(np.abs(a["intercept"][perm] - r["intercept"])))
            out["max_abs_coef"] = float(np.max(np.abs(r["coef"])))
    return out


def _step(report: dict, name: str) -> dict:
    return report.get("steps", {}).get(name, {"status": "not run"})


def _cached_aletheia(case: Path, out: Path) -> dict | None:
    """aletheia's report of an earlier run on the same case (same data and weights digest), or None."""
    path = Path(str(out) + ".json")
    if not path.exists() or not Path(f"{out}_fit.npz").exists():
        return None
    report = json.loads(path.read_text())
    if report.get("case_digest") != load_case(case)["meta"]["digest"] or "summary" not in report.get("steps", {}):
        return None
    print(f"    reusing aletheia's results from {path.name} (same case digest)", flush=True)
    report["reused"] = True
    return report


def run_size(case: Path, n: int, python: Path, args) -> dict:
    """Both workers on the first n rows of a case; one result row."""
    tag = f"{case.stem}_{n}"
    a = _cached_aletheia(case, CACHE_DIR / f"al_{tag}") if args.reuse_aletheia else None
    if a is None:
        a = run_worker(python, ALETHEIA_WORKER, [case, "--n", n, "--steps", "fit,summary", "--repeats", args.repeats],
                       out=CACHE_DIR / f"al_{tag}", timeout_s=args.peer_timeout, mem_gib=args.peer_mem_gib)
    r = run_worker(sys.executable, RELUSCOPE_WORKER,
                   [case, "--n", n, "--summary", "all,auto", "--repeats", args.repeats, "--all-max-cells", args.all_max_cells],
                   out=CACHE_DIR / f"rs_{tag}", timeout_s=args.peer_timeout, mem_gib=0)
    row = {"n_rows": n, "n_features": a.get("n_features"), "aletheia_reused_from_cache": bool(a.get("reused"))}
    af, rf = _step(a, "fit"), _step(r, "unwrap")
    if af["status"] == "ok" and rf["status"] == "ok":
        row.update(compare_fits(Path(f"{CACHE_DIR / f'al_{tag}'}_fit.npz"), Path(f"{CACHE_DIR / f'rs_{tag}'}_fit.npz")))
    asum, rall, rauto, floor = _step(a, "summary"), _step(r, "summary_all"), _step(r, "summary_auto"), _step(r, "floor")
    row.update({
        "aletheia_fit_s": af.get("seconds"), "aletheia_fit_runs": len(af.get("runs", [])), "aletheia_fit_peak_rss_mib": af.get("peak_rss_mib"),
        "aletheia_summary_status": asum["status"], "aletheia_summary_error": asum.get("error"),
        "aletheia_summary_s": asum.get("seconds") if asum["status"] == "ok" else None,
        "aletheia_summary_peak_rss_mib": asum.get("peak_rss_mib"), "aletheia_rss_loaded_mib": a.get("rss_loaded_mib"),
        "reluscope_unwrap_s": rf.get("seconds"), "reluscope_unwrap_runs": len(rf.get("runs", [])), "reluscope_max_error": rf.get("max_error"),
        "reluscope_unwrap_peak_rss_mib": rf.get("peak_rss_mib"), "reluscope_rss_loaded_mib": r.get("rss_loaded_mib"),
        "reluscope_summary_all_status": rall["status"], "reluscope_summary_all_s": rall.get("seconds"),
        "reluscope_summary_all_peak_rss_mib": rall.get("peak_rss_mib"),
        "reluscope_summary_auto_s": rauto.get("seconds"), "reluscope_summary_auto_global_regions": rauto.get("global_regions"),
        "reluscope_summary_auto_peak_rss_mib": rauto.get("peak_rss_mib"), "floor_s": floor.get("seconds"),
    })
    return _ratios(row)


def _div(a, b):
    return None if a is None or b is None or b == 0 else a / b


def _ratios(row: dict) -> dict:
    row["unwrap_speedup"] = _div(row["aletheia_fit_s"], row["reluscope_unwrap_s"])
    row["summary_speedup_all"] = _div(row["aletheia_summary_s"], row["reluscope_summary_all_s"])
    row["reluscope_over_floor"] = _div(row["reluscope_unwrap_s"], row["floor_s"])
    row["aletheia_fit_over_floor"] = _div(row["aletheia_fit_s"], row["floor_s"])
    al_total = None if row["aletheia_summary_s"] is None else row["aletheia_fit_s"] + row["aletheia_summary_s"]
    for mode in ("all", "auto"):
        s = row.get(f"reluscope_summary_{mode}_s")
        row[f"pipeline_speedup_{mode}"] = _div(al_total, None if s is None else row["reluscope_unwrap_s"] + s)
    row["aletheia_pipeline_over_reluscope_unwrap"] = _div(al_total, row["reluscope_unwrap_s"])
    return row


def _f(x, fmt="{:.3g}"):
    return "-" if x is None else fmt.format(x)


def table(rows: list[dict]) -> str:
    head = ("| problem | N | regions (al / rs) | same partition | max coef diff | aletheia fit (s) | reluscope unwrap (s) "
            "| speed-up | floor (s) | rs / floor | aletheia summary (s) | reluscope summary all (s) | speed-up "
            "| reluscope summary auto (s) [regions] | peak RSS MiB al fit / summary | peak RSS MiB rs unwrap / summary all |")
    lines = [head, "|" + "---|" * head.count(" | ") + "---|"]
    for r in rows:
        asum = _f(r["aletheia_summary_s"], "{:.1f}") if r["aletheia_summary_status"] == "ok" else r["aletheia_summary_status"]
        rall = _f(r["reluscope_summary_all_s"], "{:.2f}") if r["reluscope_summary_all_status"] == "ok" else r["reluscope_summary_all_status"].split(":")[0]
        lines.append(
            f"| {r['problem']} | {r['n_rows']:,} | {r.get('regions_aletheia', '-')} / {r.get('regions_reluscope', '-')} "
            f"| {r.get('partition_identical', '-')} | {_f(r.get('max_coef_diff'), '{:.1e}')} | {_f(r['aletheia_fit_s'], '{:.2f}')} "
            f"| {_f(r['reluscope_unwrap_s'], '{:.3f}')} | {_f(r['unwrap_speedup'], '{:.1f}x')} | {_f(r['floor_s'], '{:.3f}')} "
            f"| {_f(r['reluscope_over_floor'], '{:.2f}')} | {asum} | {rall} | {_f(r['summary_speedup_all'], '{:.1f}x')} "
            f"| {_f(r['reluscope_summary_auto_s'], '{:.2f}')} [{r.get('reluscope_summary_auto_global_regions')}] "
            f"| {_f(r['aletheia_fit_peak_rss_mib'], '{:.0f}')} / {_f(r['aletheia_summary_peak_rss_mib'], '{:.0f}')} "
            f"| {_f(r['reluscope_unwrap_peak_rss_mib'], '{:.0f}')} / {_f(r['reluscope_summary_all_peak_rss_mib'], '{:.0f}')} |"
        )
    return "\n".join(lines)


def ratio_table(rows: list[dict]) -> str:
    """Speed-ups (aletheia time / reluscope time) and the distance to the forward-pass floor."""
    lines = ["| problem | N | unwrap: al fit / rs unwrap | summary all | fit + summary (all) | fit + summary (rs auto) "
             "| al fit+summary / rs unwrap | rs unwrap / floor | al fit / floor |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [_f(r[k], "{:.1f}x") for k in ("unwrap_speedup", "summary_speedup_all", "pipeline_speedup_all", "pipeline_speedup_auto",
                                               "aletheia_pipeline_over_reluscope_unwrap")]
        cells += [_f(r["reluscope_over_floor"], "{:.2f}"), _f(r["aletheia_fit_over_floor"], "{:.1f}")]
        lines.append(f"| {r['problem']} | {r['n_rows']:,} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def acceptance(rows: list[dict]) -> dict:
    """The acceptance items, checked at the largest N of each problem (and identity at every N)."""
    out = {"identical_region_counts": all(r.get("regions_aletheia") == r.get("regions_reluscope") for r in rows),
           "identical_partitions": all(r.get("partition_identical") for r in rows),
           "coef_agree_1e-8": all(r.get("max_coef_diff", np.inf) < 1e-8 and r.get("max_intercept_diff", np.inf) < 1e-8 for r in rows)}
    for prob in sorted({r["problem"] for r in rows}):
        big = max((r for r in rows if r["problem"] == prob), key=lambda r: r["n_rows"])
        key = f"{prob}@{big['n_rows']}"
        out[f"{key}: unwrap >= 100x aletheia fit"] = bool((big["unwrap_speedup"] or 0) >= 100)
        out[f"{key}: unwrap+summary(all) >= 100x aletheia fit+summary"] = (
            None if big["pipeline_speedup_all"] is None else bool(big["pipeline_speedup_all"] >= 100))
        out[f"{key}: unwrap <= 4x floor"] = bool((big["reluscope_over_floor"] or np.inf) <= 4)
    return out


def _git_head() -> str:
    import subprocess

    r = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent)
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "../src"], capture_output=True, text=True, cwd=Path(__file__).parent)
    return r.stdout.strip() + (" (+ uncommitted changes in src/)" if dirty.stdout.strip() else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2_000, 20_000, 200_000])
    ap.add_argument("--problems", nargs="+", default=list(PROBLEMS), choices=PROBLEMS)
    ap.add_argument("--quick", action="store_true", help="N = 2,000 and 20,000, 3 repeats, 300 s peer limit")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs (median) when they fit in 30 s")
    ap.add_argument("--peer-timeout", type=float, default=1500.0, help="seconds per aletheia worker (fit + summary)")
    ap.add_argument("--peer-mem-gib", type=float, default=18.0, help="address-space limit of the aletheia worker")
    ap.add_argument("--all-max-cells", type=float, default=1e9, help="skip reluscope summary('all') above regions x rows")
    ap.add_argument("--no-install", action="store_true", help="do not create benchmarks/.venvs/aletheia")
    ap.add_argument("--reuse-aletheia", action="store_true",
                    help="reuse aletheia's cached results for an identical case (to re-time reluscope after a change)")
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--out", type=Path, default=RESULTS_DIR / "unwrap.json")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.peer_timeout = [2_000, 20_000], 3, 300.0
    python = ensure_aletheia_python(install=not args.no_install)
    print(f"aletheia interpreter: {python}\nmachine: {machine()}", flush=True)
    rows, cases, t0 = [], {}, time.perf_counter()
    args.out.parent.mkdir(parents=True, exist_ok=True)

    def write():
        result = {"benchmark": "unwrap_vs_aletheia", "machine": machine(), "aletheia_python": str(python),
                  "reluscope_commit": _git_head(),
                  "command": "python benchmarks/unwrap_vs_aletheia.py " + " ".join(sys.argv[1:]),
                  "timing": "median of up to --repeats runs within 30 s; peak RSS = ru_maxrss of a fresh worker process",
                  "cases": cases, "rows": rows, "acceptance": acceptance(rows), "total_s": time.perf_counter() - t0}
        args.out.write_text(json.dumps(result, indent=2))
        return result

    for prob in args.problems:
        case, info = prepare_case(prob, max(args.sizes), args.random_state)
        cases[prob] = info
        for n in sorted(args.sizes):
            print(f"  {prob} N={n:,} ...", flush=True)
            rows.append({"problem": prob, **run_size(case, n, python, args)})
            print(table(rows[-1:]).splitlines()[-1], flush=True)
            result = write()
    print("\n" + ratio_table(rows))
    print("\n" + table(rows) + "\n")
    for k, v in result["acceptance"].items():
        print(f"  {k}: {v}")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
