"""Worker run by aletheia-dnn's own interpreter (CPython 3.10): fit, summary, Wald.

Usage (called by ``benchmarks/_peers.run_worker``, not by hand)::

    python aletheia_worker.py CASE.npz --n 2000 --steps fit,summary,wald --out OUT

Writes ``OUT.json`` (status, seconds and peak RSS of each step, rewritten
after each step), ``OUT_fit.npz`` (row labels, LLM coefficients, intercepts,
counts, centres) and ``OUT_summary.npz`` (the summary columns).

Steps
-----
fit      ``UnwrapperClassifier/Regressor(coefs_, intercepts_).fit(x, y)``,
         repeated up to ``--repeats`` times within ``--budget`` seconds.
summary  ``summary()`` on the fitted unwrapper (once, or repeated when cheap).
wald     ``local_inference_wald(i)`` for the ``--wald-top`` largest regions with
         more rows than features + 1.  With scikit-learn >= 1.6 aletheia's
         classes fail ``sklearn.base.is_regressor/is_classifier`` (their mixin
         sits right of ``BaseEstimator``), and ``local_inference_wald`` then
         raises ``UnboundLocalError``; the worker reports that and retries on a
         subclass whose ``__sklearn_tags__`` names the estimator type.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import warnings
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _peers import StepReport, current_rss_mib, load_case, peak_rss_mib, repeat_timed  # noqa: E402


def _classes():
    from aletheia import UnwrapperClassifier, UnwrapperRegressor

    class TaggedClassifier(UnwrapperClassifier):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.estimator_type = "classifier"
            return tags

    class TaggedRegressor(UnwrapperRegressor):
        def __sklearn_tags__(self):
            tags = super().__sklearn_tags__()
            tags.estimator_type = "regressor"
            return tags

    return {"classifier": (UnwrapperClassifier, TaggedClassifier), "regressor": (UnwrapperRegressor, TaggedRegressor)}


def _fit(cls, case, X, y):
    u = cls(list(case["coefs"]), list(case["intercepts"]))
    u.fit(X, y)
    return u


def _wald(u, tagged_cls, case, X, y, top: int):
    from sklearn.base import is_classifier, is_regressor

    d = X.shape[1]
    big = [int(i) for i in np.flatnonzero(np.asarray(u.count_llms) > d + 1)[:top]]
    out = {"regions": big, "tables": {}, "is_regressor": bool(is_regressor(u)), "is_classifier": bool(is_classifier(u))}
    buf = io.StringIO()
    try:
        with redirect_stdout(buf):
            table = u.local_inference_wald(big[0] if big else 0)
        printed = buf.getvalue().strip().splitlines()
        out["shipped_class"] = "ok" if table is not None else f"returned None: {printed[-1] if printed else ''}"
    except Exception as exc:  # the shipped class, reported as is
        out["shipped_class"] = f"failed: {type(exc).__name__}: {exc}"
    v = _fit(tagged_cls, case, X, y)
    out["same_labels_as_shipped"] = bool(np.array_equal(np.asarray(v.data_conf_idx), np.asarray(u.data_conf_idx)))
    for i in big:
        buf = io.StringIO()
        try:
            with redirect_stdout(buf):
                table = v.local_inference_wald(i)
            out["tables"][str(i)] = None if table is None else {
                "index": [str(s) for s in table.index], "columns": [str(c) for c in table.columns],
                "values": np.asarray(table, dtype=np.float64).tolist(),
            }
        except Exception as exc:
            out["tables"][str(i)] = f"failed: {type(exc).__name__}: {exc}"
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--n", type=int, default=0, help="first n rows (0: all)")
    ap.add_argument("--steps", default="fit,summary")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--budget", type=float, default=30.0)
    ap.add_argument("--wald-top", type=int, default=3)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    import aletheia

    case = load_case(Path(args.case))
    X, y = case["X"], case["y"]
    if args.n:
        X, y = X[: args.n], y[: args.n]
    shipped, tagged = _classes()[case["task"]]
    steps = args.steps.split(",")
    report = StepReport(Path(args.out), tool="aletheia-dnn", version=getattr(aletheia, "__version__", "1.3.5"),
                        n_rows=int(X.shape[0]), n_features=int(X.shape[1]), rss_loaded_mib=current_rss_mib(),
                        case_digest=case["meta"].get("digest"), steps_requested=steps)

    report.start("fit")
    med, times, u = repeat_timed(lambda: _fit(shipped, case, X, y), args.repeats, args.budget)
    np.savez(str(args.out) + "_fit.npz", labels=np.asarray(u.data_conf_idx, np.int64),
             coef=np.asarray(u.all_weights, np.float64), intercept=np.asarray(u.all_biases, np.float64).ravel(),
             count=np.asarray(u.count_llms, np.int64), centers=np.asarray(u.center_llms, np.float64),
             ymean=np.asarray(u.ymean_llms, np.float64), ystd=np.asarray(u.ystd_llms, np.float64))
    report.done("fit", seconds=med, runs=times, regions=int(len(u.count_llms)), peak_rss_mib=peak_rss_mib())

    if "summary" in steps:
        report.start("summary")
        t0 = time.perf_counter()
        try:
            df = u.summary()
            first = time.perf_counter() - t0
            times = [first]
            if args.repeats > 1 and first * args.repeats < args.budget:
                med, times, df = repeat_timed(u.summary, args.repeats, args.budget)
            cols = {c.replace(" ", "_"): df[c].to_numpy(np.float64) for c in df.columns}
            np.savez(str(args.out) + "_summary.npz", index=df.index.to_numpy(np.int64), **cols)
            report.done("summary", seconds=float(np.median(times)), runs=times, columns=list(df.columns),
                        peak_rss_mib=peak_rss_mib())
        except MemoryError as exc:
            report.failed("summary", exc, seconds=time.perf_counter() - t0, peak_rss_mib=peak_rss_mib())

    if "wald" in steps:
        report.start("wald")
        report.done("wald", **_wald(u, tagged, case, X, y, args.wald_top))


if __name__ == "__main__":
    main()
