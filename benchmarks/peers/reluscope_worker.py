"""Worker run by reluscope's interpreter: unwrap, summary and the forward-pass floor.

Usage (called by ``benchmarks/_peers.run_worker``)::

    python reluscope_worker.py CASE.npz --n 200000 --summary all,auto --out OUT

A fresh process per case, so that peak RSS (``ru_maxrss``) belongs to this
case alone.  Writes ``OUT.json`` and ``OUT_fit.npz`` / ``OUT_summary_<mode>.npz``
(same layout as the aletheia worker).

Steps
-----
unwrap   ``reluscope.unwrap(net, X, y)`` (``verify=True``: the exactness
         certificate is part of the timed work), median of ``--repeats`` runs.
summary  ``llms.summary(global_metrics=mode)`` for each mode; ``all`` is skipped
         when regions x rows exceeds ``--all-max-cells``.
floor    one bare float64 NumPy forward pass over the same rows (no masks, no
         patterns): the least any exact unwrapper must spend.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _peers import StepReport, current_rss_mib, load_case, numpy_forward, peak_rss_mib, repeat_timed  # noqa: E402

import reluscope  # noqa: E402
import reluscope.summary  # noqa: E402,F401  (its scipy import is not part of the timed summary)


def network_of(case) -> reluscope.ReLUNetwork:
    """The case's weights (scikit-learn layout) as a ReLUNetwork, like ``from_sklearn`` would build it."""
    weights = [np.asarray(W).T for W in case["coefs"]]
    if case["task"] == "classifier":
        return reluscope.from_arrays(weights, case["intercepts"], output="sigmoid", classes=np.asarray(case["meta"]["classes"]))
    return reluscope.from_arrays(weights, case["intercepts"], output="identity")


def _summary(llms, mode: str, args, report: StepReport, out: str) -> None:
    step = f"summary_{mode}"
    cells = llms.n_regions * llms.X_.shape[0]
    if mode == "all" and cells > args.all_max_cells:
        report.data["steps"][step] = {"status": f"skipped: {cells:.1e} region x row cells > --all-max-cells"}
        report.flush()
        return
    report.start(step)
    gm = int(mode) if mode.isdigit() else mode
    med, times, df = repeat_timed(lambda: llms.summary(global_metrics=gm, progress=False), args.repeats, args.budget)
    cols = {c.replace(" ", "_"): df[c].to_numpy(np.float64) for c in df.columns}
    np.savez(f"{out}_{step}.npz", index=df.index.to_numpy(np.int64), **cols)
    report.done(step, seconds=med, runs=times, global_regions=int(df.attrs.get("global_regions", -1)),
                peak_rss_mib=peak_rss_mib())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--n", type=int, default=0)
    ap.add_argument("--summary", default="all", help="comma list of global_metrics modes ('' for none)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--all-max-cells", type=float, default=1e9)
    ap.add_argument("--no-floor", action="store_true")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    case = load_case(Path(args.case))
    X, y = case["X"], case["y"]
    if args.n:
        X, y = X[: args.n], y[: args.n]
    X = np.ascontiguousarray(X, np.float64)
    net = network_of(case)
    report = StepReport(Path(args.out), tool="reluscope", version=reluscope.__version__, n_rows=int(X.shape[0]),
                        n_features=int(X.shape[1]), rss_loaded_mib=current_rss_mib())

    report.start("unwrap")
    med, times, llms = repeat_timed(lambda: reluscope.unwrap(net, X, y, progress=False), args.repeats, args.budget)
    np.savez(f"{args.out}_fit.npz", labels=llms.labels_, coef=llms.coef_3d[:, 0, :], intercept=llms.intercept_2d[:, 0],
             count=llms.count_, centers=llms.centers_)
    report.done("unwrap", seconds=med, runs=times, regions=llms.n_regions, max_error=llms.max_error_,
                peak_rss_mib=peak_rss_mib())

    for mode in filter(None, args.summary.split(",")):
        _summary(llms, mode, args, report, args.out)

    if not args.no_floor:
        report.start("floor")
        med, times, _ = repeat_timed(lambda: numpy_forward(X, case["coefs"], case["intercepts"]), args.repeats, args.budget)
        report.done("floor", seconds=med, runs=times)


if __name__ == "__main__":
    main()
