"""Parity harness: aletheia-dnn vs reluscope on the same saved weights and data.

For each case (trained here, saved as ``.npz``, aletheia run as a subprocess in
its own CPython 3.10 venv, see ``benchmarks/_peers.py``):

- the partition of the rows into regions (identical up to renumbering);
- LLM coefficients, intercepts and region centres after matching regions;
- the summary columns Count, Response Mean, Response Std (ddof=1), Local AUC
  / Local MSE, Global MSE; Global AUC, which differs on purpose (reluscope:
  AUC of the raw LLM score; aletheia: of ``round(sigmoid(score), 6)``), is
  compared with both recomputed independently (scikit-learn ``roc_auc_score``);
- region ids (both sort by Count; ties: pattern bytes vs aletheia's hash
  order, checked with two ``PYTHONHASHSEED`` values);
- aletheia's ``local_inference_wald`` (report only) against an OLS /
  unpenalised logistic refit on the region's rows.

Cases: a classifier on CoCircles (``make_circles(2000, noise=0.1)``, [40]*4)
and two regressors on a 35-feature ``make_regression`` (2,000 rows, y scaled
to unit variance): [40]*4, where every row is its own region, and [6, 6],
whose regions hold 50-170 rows so that Response Std, Local MSE and the Wald
tables are exercised.

Run:  python benchmarks/peers/parity.py  (about 1 minute) -> benchmarks/results/peers.json
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _peers import (  # noqa: E402
    ALETHEIA_WORKER, CACHE_DIR, RESULTS_DIR, ensure_aletheia_python, load_case, machine, match_partition, run_worker,
    save_case,
)
from reluscope_worker import network_of  # noqa: E402

import reluscope  # noqa: E402

CASES = {
    "classifier_cocircles_40x4": ("classifier", "circles", [40] * 4),
    "regressor_35f_40x4": ("regressor", "regression35", [40] * 4),
    "regressor_35f_6x2": ("regressor", "regression35", [6, 6]),
}


def build_case(name: str, n: int = 2000, random_state: int = 0) -> Path:
    """Train the case's MLP on n rows and save weights + the same rows."""
    from sklearn.datasets import make_circles, make_regression
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    task, data, hidden = CASES[name]
    if data == "circles":
        X, y = make_circles(n, noise=0.1, random_state=random_state)
    else:
        X, y = make_regression(n, n_features=35, n_informative=10, noise=10.0, random_state=random_state)
        y = y / y.std()
    est = (MLPClassifier if task == "classifier" else MLPRegressor)(hidden_layer_sizes=hidden, max_iter=1000, random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    meta = {"case": name, "hidden": hidden, "score": float(est.score(X, y)), "random_state": random_state}
    if task == "classifier":
        meta["classes"] = est.classes_.tolist()
    path = save_case(CACHE_DIR / f"parity_{name}_{n}.npz", X, y, est.coefs_, est.intercepts_, task=task, meta=meta)
    assert network_of(load_case(path)) == reluscope.from_sklearn(est)
    return path


def _load_summary(path: Path) -> dict:
    with np.load(path) as z:
        return {k: z[k] for k in z.files}


def _column_diff(a: np.ndarray, r: np.ndarray, relative: bool = False) -> dict:
    """NaN pattern equality and max |a - r| (relative to max(1, |a|) if asked) over non-NaN entries."""
    na, nr = np.isnan(a), np.isnan(r)
    ok = ~na & ~nr
    d = np.abs(a[ok] - r[ok])
    if relative:
        d = d / np.maximum(1.0, np.abs(a[ok]))
    return {"nan_pattern_equal": bool(np.array_equal(na, nr)), "n_nan": int(nr.sum()), "max_diff": float(d.max()) if d.size else 0.0}


def _independent_aucs(X, y, coef, intercept) -> dict:
    """Global AUCs recomputed with scikit-learn's ``roc_auc_score`` for every LLM, three ways.

    raw: the LLM score ``w x + b``; sigmoid: ``1 / (1 + exp(-score))`` in
    float64 (ties at 1.0 for scores above ~36.7); rounded6: that sigmoid
    rounded to 6 decimals.  Also the share of (region, row) scores whose
    float64 sigmoid is exactly 0 or 1.
    """
    from sklearn.metrics import roc_auc_score

    R = coef.shape[0]
    out = {k: np.empty(R) for k in ("raw", "sigmoid", "rounded6")}
    saturated = 0
    for r in range(R):
        s = X @ coef[r] + intercept[r]
        with np.errstate(over="ignore"):
            p = 1.0 / (1.0 + np.exp(-s))
        saturated += int(((p == 1.0) | (p == 0.0)).sum())
        out["raw"][r], out["sigmoid"][r] = roc_auc_score(y, s), roc_auc_score(y, p)
        out["rounded6"][r] = roc_auc_score(y, np.round(p, 6))
    out["saturated_share"] = saturated / (R * X.shape[0])
    return out


def compare_summaries(case: dict, a_fit: dict, a_sum: dict, llms, r_sum, perm: np.ndarray) -> dict:
    """Column by column, reluscope region r against aletheia region perm[r]."""
    pos = np.empty(a_sum["index"].max() + 1, np.int64)
    pos[a_sum["index"]] = np.arange(a_sum["index"].size)
    rows = pos[perm]  # aletheia summary row of each reluscope region
    out = {}
    for col in ("Count", "Response Mean", "Response Std", "Local AUC", "Local MSE", "Global MSE"):
        key = col.replace(" ", "_")
        if key in a_sum and col in r_sum:
            out[col] = _column_diff(a_sum[key][rows], r_sum[col].to_numpy(np.float64), relative=col == "Global MSE")
    if "Global_AUC" in a_sum:
        X, y = case["X"], (case["y"] == case["meta"]["classes"][-1]).astype(float)
        ind = _independent_aucs(X, y, llms.coef_, llms.intercept_)
        a_auc, r_auc = a_sum["Global_AUC"][rows], r_sum["Global AUC"].to_numpy(np.float64)
        diff = np.abs(a_auc - r_auc)
        out["Global AUC (on purpose)"] = {
            "max_diff_aletheia_vs_reluscope": float(diff.max()), "mean_diff": float(diff.mean()),
            "regions_diff_over_1e-6": int((diff > 1e-6).sum()), "regions": int(diff.size),
            "reluscope_vs_sklearn_raw_score": float(np.abs(r_auc - ind["raw"]).max()),
            "aletheia_vs_sklearn_float64_sigmoid": float(np.abs(a_auc - ind["sigmoid"]).max()),
            "aletheia_vs_sklearn_sigmoid_rounded_6": float(np.abs(a_auc - ind["rounded6"]).max()),
            "saturated_sigmoid_share": ind["saturated_share"],
        }
    return out


def region_ids(a_fit: dict, perm: np.ndarray, counts: np.ndarray, a_fit_other: dict) -> dict:
    """How region numbering differs: same id share, ties, hash-seed dependence of aletheia."""
    same = perm == np.arange(perm.size)
    tied = np.isin(counts, np.unique(counts)[np.unique(counts, return_counts=True)[1] > 1])
    return {"same_id_share": float(same.mean()), "regions_in_count_ties": int(tied.sum()),
            "different_ids_outside_ties": int((~same & ~tied).sum()),
            "aletheia_labels_same_across_hash_seeds": bool(np.array_equal(a_fit["labels"], a_fit_other["labels"]))}


def _logit_se(Z: np.ndarray, beta: np.ndarray) -> np.ndarray:
    """Wald standard errors from the logistic information ``(Z' diag(p(1-p)) Z)^-1`` at ``beta``."""
    p = 1.0 / (1.0 + np.exp(-(Z @ beta)))
    return np.sqrt(np.diag(np.linalg.inv(Z.T @ (Z * (p * (1 - p))[:, None]))))


def wald_report(case: dict, a_fit: dict, wald: dict) -> dict:
    """aletheia's Wald tables vs statsmodels refits on the region's rows (OLS / unpenalised logit) and the LLM.

    For classifiers the standard errors are also recomputed from the logistic
    information at the region's LLM (the network's own probabilities).
    """
    import statsmodels.api as sm

    X, y = case["X"], case["y"]
    out = {k: wald.get(k) for k in ("shipped_class", "is_regressor", "is_classifier")}
    out["tables"] = {}
    for rid, table in wald.get("tables", {}).items():
        if not isinstance(table, dict):
            out["tables"][rid] = table
            continue
        i = int(rid)
        rows = a_fit["labels"] == i
        Z = sm.add_constant(X[rows], has_constant="add")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if case["task"] == "regressor":
                fit = sm.OLS(y[rows], Z).fit()
            else:
                fit = sm.Logit(y[rows], Z).fit(disp=0, method="newton", maxiter=200)
        v = np.asarray(table["values"])
        llm = np.r_[a_fit["intercept"][i], a_fit["coef"][i]]
        t = {"rows": int(rows.sum()), "coef_vs_refit": float(np.abs(v[:, 0] - fit.params).max()),
             "std_err_vs_refit": float(np.abs(v[:, 1] - fit.bse).max()),
             "p_value_vs_refit": float(np.abs(v[:, 3] - fit.pvalues).max()),
             "coef_vs_llm": float(np.abs(v[:, 0] - llm).max())}
        if case["task"] == "classifier":
            t["std_err_vs_information_at_llm"] = float(np.abs(v[:, 1] - _logit_se(Z, llm)).max())
        out["tables"][rid] = t
    return out


def run_case(name: str, python: Path, n: int, random_state: int) -> dict:
    path = build_case(name, n, random_state)
    case = load_case(path)
    out_a = CACHE_DIR / f"parity_al_{name}"
    a = run_worker(python, ALETHEIA_WORKER, [path, "--steps", "fit,summary,wald", "--repeats", 1], out=out_a,
                   timeout_s=600, mem_gib=18, env={"PYTHONHASHSEED": "1"})
    b = run_worker(python, ALETHEIA_WORKER, [path, "--steps", "fit", "--repeats", 1], out=CACHE_DIR / f"parity_al2_{name}",
                   timeout_s=600, mem_gib=18, env={"PYTHONHASHSEED": "2"})
    a_fit, a_fit2 = _load_summary(Path(f"{out_a}_fit.npz")), _load_summary(Path(f"{CACHE_DIR / f'parity_al2_{name}'}_fit.npz"))
    a_sum = _load_summary(Path(f"{out_a}_summary.npz"))
    llms = reluscope.unwrap(network_of(case), case["X"], case["y"], progress=False)
    r_sum = llms.summary(global_metrics="all", progress=False)
    identical, perm = match_partition(a_fit["labels"], llms.labels_)
    res = {"case": name, "task": case["task"], "n_rows": int(case["X"].shape[0]), "n_features": int(case["X"].shape[1]),
           "hidden": case["meta"]["hidden"], "train_score": case["meta"]["score"],
           "regions_aletheia": int(a_fit["count"].size), "regions_reluscope": llms.n_regions, "partition_identical": identical}
    if not identical:
        return res
    res.update({
        "coef_max_abs_diff": float(np.abs(a_fit["coef"][perm] - llms.coef_).max()),
        "intercept_max_abs_diff": float(np.abs(a_fit["intercept"][perm] - llms.intercept_).max()),
        "coef_max_abs": float(np.abs(llms.coef_).max()),
        "centers_max_abs_diff": float(np.abs(a_fit["centers"][perm] - llms.centers_).max()),
        "columns": compare_summaries(case, a_fit, a_sum, llms, r_sum, perm),
        "region_ids": region_ids(a_fit, perm, llms.count_, a_fit2),
        "wald": wald_report(case, a_fit, a["steps"].get("wald", {})),
        "aletheia_seconds": {"fit": a["steps"]["fit"].get("seconds"), "summary": a["steps"].get("summary", {}).get("seconds")},
    })
    return res


def table(results: list[dict]) -> str:
    """Markdown: one row per compared quantity, one column per case (max |difference|)."""
    names = [r["case"] for r in results]
    lines = ["| quantity | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]

    def row(label, get):
        cells = []
        for r in results:
            try:
                v = get(r)
            except (KeyError, TypeError):
                v = "-"
            cells.append(v if isinstance(v, str) else (f"{v:.1e}" if isinstance(v, float) else str(v)))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    row("regions (aletheia / reluscope)", lambda r: f"{r['regions_aletheia']} / {r['regions_reluscope']}")
    row("same partition of rows", lambda r: str(r["partition_identical"]))
    row("max abs coef diff", lambda r: r["coef_max_abs_diff"])
    row("max abs intercept diff", lambda r: r["intercept_max_abs_diff"])
    row("max abs centre diff", lambda r: r["centers_max_abs_diff"])
    for col in ("Count", "Response Mean", "Response Std", "Local AUC", "Local MSE", "Global MSE"):
        suffix = " (relative)" if col == "Global MSE" else ""
        row(f"{col}{suffix}: max diff [NaN pattern equal]",
            lambda r, c=col: f"{r['columns'][c]['max_diff']:.1e} [{r['columns'][c]['nan_pattern_equal']}]")
    g = "Global AUC (on purpose)"
    row("Global AUC: max / mean diff, regions > 1e-6", lambda r: f"{r['columns'][g]['max_diff_aletheia_vs_reluscope']:.3f} / "
        f"{r['columns'][g]['mean_diff']:.1e}, {r['columns'][g]['regions_diff_over_1e-6']} of {r['columns'][g]['regions']}")
    row("aletheia Global AUC vs sklearn AUC of float64 sigmoid", lambda r: r["columns"][g]["aletheia_vs_sklearn_float64_sigmoid"])
    row("aletheia Global AUC vs sklearn AUC of round(sigmoid, 6)", lambda r: r["columns"][g]["aletheia_vs_sklearn_sigmoid_rounded_6"])
    row("share of LLM scores with float64 sigmoid exactly 0 or 1", lambda r: f"{r['columns'][g]['saturated_sigmoid_share']:.3f}")
    row("reluscope Global AUC vs sklearn AUC of raw score", lambda r: r["columns"][g]["reluscope_vs_sklearn_raw_score"])
    row("region ids equal (share)", lambda r: f"{r['region_ids']['same_id_share']:.3f}")
    row("ids differing outside count ties", lambda r: r["region_ids"]["different_ids_outside_ties"])
    row("aletheia ids same for PYTHONHASHSEED 1 vs 2", lambda r: str(r["region_ids"]["aletheia_labels_same_across_hash_seeds"]))
    row("aletheia Wald, shipped class", lambda r: r["wald"]["shipped_class"].split(":")[0] + (
        ": " + r["wald"]["shipped_class"].split(":")[1].strip() if ":" in r["wald"]["shipped_class"] else ""))
    row("aletheia Wald (type tags fixed) vs statsmodels refit: coef / std err", lambda r: "; ".join(
        f"r{k}: {v['coef_vs_refit']:.0e} / {v['std_err_vs_refit']:.0e}" if isinstance(v, dict) else f"r{k}: {v}"
        for k, v in r["wald"]["tables"].items()) or "no region with > d + 1 rows")
    row("aletheia Wald std err vs information at the LLM", lambda r: "; ".join(
        f"r{k}: {v['std_err_vs_information_at_llm']:.0e}" for k, v in r["wald"]["tables"].items()
        if isinstance(v, dict) and "std_err_vs_information_at_llm" in v) or "-")
    row("aletheia Wald coef vs the region's LLM", lambda r: "; ".join(
        f"r{k}: {v['coef_vs_llm']:.2g}" for k, v in r["wald"]["tables"].items() if isinstance(v, dict)) or "-")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--random-state", type=int, default=0)
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--out", type=Path, default=RESULTS_DIR / "peers.json")
    args = ap.parse_args()
    python = ensure_aletheia_python(install=not args.no_install)
    results = [run_case(name, python, args.n, args.random_state) for name in args.cases]
    md = table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"benchmark": "peers_parity", "machine": machine(), "aletheia_python": str(python),
                                    "command": "python benchmarks/peers/parity.py " + " ".join(sys.argv[1:]),
                                    "results": results, "table_markdown": md}, indent=2))
    print(md)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
