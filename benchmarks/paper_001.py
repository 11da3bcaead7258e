"""The unwrapping paper (``001``, Sudjianto et al. 2020), number for number, through reluscope's public API.

The paper's recipe (its section 3 and the authors' notebooks in
github.com/SelfExplainML/Aletheia, ``examples/{ChirpWave,CoCircles,BostonHouse}.ipynb``):

- networks: scikit-learn ``MLPClassifier`` / ``MLPRegressor(hidden_layer_sizes=[40]*4)``
  (``[20]*2`` for BostonHouse), ``max_iter=2000, early_stopping=True,
  validation_fraction=0.2, n_iter_no_change=100, random_state=0`` (Adam, lr 1e-3);
- split: ``train_test_split(X, y, test_size=0.2, random_state=0)``;
- ChirpWave: ``x = linspace(0, 1, 2000)``, ``np.random.seed(1)``,
  ``y = sin(2 pi / (x + 0.2)) + 0.1 N(0, 1)`` (the authors' ``doppler(2000, 0.1)``:
  ``reluscope.datasets.make_chirpwave(2000, random_state=1)``);
- CoCircles: ``make_circles(n_samples=2000, noise=0.1, random_state=0)``;
- BostonHouse: ``mlxtend.data.boston_housing_data()`` (the original 506 x 13),
  X and y each ``MinMaxScaler`` -ed on all 506 rows before the split;
- merging (Table 2, Figures 16/19): ``K`` by one 80/20 hold-out
  (``PredefinedSplit`` from ``train_test_split(range(n_train), test_size=0.2,
  random_state=0)``) over ``[2, 4, 6, 8, 10, 15, 20]`` (CoCircles) or
  ``[1..10, 15, 20]`` (Boston), ``tau = 30``, ``T = round(1% of the LLMs)``,
  refit ``LogisticRegression()`` (CoCircles) / ``LassoCV()`` (Boston),
  small clusters to the nearest cluster centroid; reluscope options:
  ``refit='logistic'`` / ``'lasso_cv'``, ``absorb='centroid'``,
  ``wald_inference(penalised='allow')``, ``summary(ddof=0, global_auc_on='probability')``.

Run::

    python benchmarks/paper_001.py            # about 1 minute (ChirpWave's MLP runs its 2000 epochs)

Prints each item with the paper's number beside ours and the difference, and
writes ``benchmarks/results/paper_001.json``.
"""

from __future__ import annotations

import json
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import reluscope
from reluscope.datasets import make_chirpwave
from reluscope.simplify import merge_llms

OUT = Path(__file__).parent / "results" / "paper_001.json"
FIG10_COLS = ["Count", "Response Mean", "Response Std", "Local AUC", "Global AUC"]
FIG11_COLS = ["Count", "Response Mean", "Response Std", "Local MSE", "Global MSE"]

#: The paper's printed numbers (seed 001: Table 1, Figures 10-12, Table 2, sections 4.2 and 5).
PAPER = {
    "table1": {
        "ChirpWave": {"n_llms": 64, "train": 0.0113, "test": 0.0117},
        "CoCircles": {"n_llms": 530, "train": 0.9215, "test": 0.9320},
        "BostonHouse": {"n_llms": 155, "train": 0.0022, "test": 0.0094},
    },
    "figure10_head": [
        [62, 0.532258, 0.498958, 0.736677, 0.497650],
        [60, 0.600000, 0.489898, 0.915509, 0.496326],
        [52, 0.480769, 0.499630, 0.828148, 0.502093],
        [31, 0.516129, 0.499740, 0.800000, 0.496405],
        [29, 0.655172, 0.475312, 0.810526, 0.504409],
    ],
    "figure10_tail": [[1, 1.0, 0.0, None, g] for g in (0.503377, 0.500440, 0.499471, 0.497962, 0.497462)],
    "figure11_head": [
        [20, 0.216667, 0.056409, 0.002481, 0.036408],
        [17, 0.465359, 0.102063, 0.003447, 0.098258],
        [14, 0.137778, 0.061061, 0.002398, 0.111933],
        [12, 0.331111, 0.052266, 0.000367, 0.026821],
        [12, 0.167593, 0.056426, 0.001435, 0.031279],
    ],
    "figure11_tail": [
        [1, 0.131111, 0.0, 0.000039, 0.075982],
        [1, 0.393333, 0.0, 0.000116, 0.047147],
        [1, 0.428889, 0.0, 0.002297, 0.044442],
        [1, 0.424444, 0.0, 0.000005, 0.127390],
        [1, 0.364444, 0.0, 0.000654, 0.067349],
    ],
    "figure12_share": {"CoCircles": 0.849, "BostonHouse": 0.529},
    "figure13": "almost all top-10 LLMs of CoCircles and BostonHouse: good locally, poor globally",
    "table2": {
        0: [[5.3201, 0.9076, 5.8616, 0.0, 3.5412, 7.0990], [4.3638, 0.7963, 5.4802, 0.0, 2.8031, 5.9245], [4.1135, 0.8906, 4.6188, 0.0, 2.3679, 5.8590]],
        1: [[5.5461, 0.8524, 6.5064, 0.0, 3.8754, 7.2168], [4.4345, 0.9225, 4.8069, 0.0, 2.6264, 6.2426], [-3.4950, 0.9619, -3.6335, 0.0003, -5.3802, -1.6098]],
    },
    "figure16_n_clusters": 6,
    "figure19": "x6 significantly positive (100 bootstrap replicates, LassoCV refit)",
}
#: Not in the paper: the authors' BostonHouse notebook's merged summary (K = 15 chosen by its hold-out).
NOTEBOOK_BOSTON_CLUSTER_COUNTS = [88, 81, 68, 64, 56, 47]

MLP_KW = dict(max_iter=2000, early_stopping=True, validation_fraction=0.2, n_iter_no_change=100, random_state=0)


def load(name: str):
    """(X_train, X_test, y_train, y_test, task) by the paper's recipe."""
    from sklearn.model_selection import train_test_split

    if name == "ChirpWave":
        X, y = make_chirpwave(2000, noise=0.1, random_state=1)
    elif name == "CoCircles":
        from sklearn.datasets import make_circles

        X, y = make_circles(n_samples=2000, noise=0.1, random_state=0)
    else:
        from mlxtend.data import boston_housing_data
        from sklearn.preprocessing import MinMaxScaler

        X, y = boston_housing_data()
        X = MinMaxScaler().fit_transform(X)
        y = MinMaxScaler().fit_transform(y.reshape(-1, 1)).ravel()
    return train_test_split(X, y, test_size=0.2, random_state=0)


def train(name: str):
    """The paper's MLP on ``name`` and its data: (mlp, Xtr, Xte, ytr, yte)."""
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    Xtr, Xte, ytr, yte = load(name)
    if name == "CoCircles":
        mlp = MLPClassifier(hidden_layer_sizes=[40] * 4, **MLP_KW)
    else:
        mlp = MLPRegressor(hidden_layer_sizes=[20] * 2 if name == "BostonHouse" else [40] * 4, **MLP_KW)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ChirpWave reaches max_iter, as in the paper's run
        mlp.fit(Xtr, ytr)
    return mlp, Xtr, Xte, ytr, yte


def score(mlp, X, y) -> float:
    from sklearn.metrics import mean_squared_error, roc_auc_score

    if hasattr(mlp, "predict_proba"):
        return float(roc_auc_score(y, mlp.predict_proba(X)[:, 1]))
    return float(mean_squared_error(y, mlp.predict(X)))


def holdout(n_train: int):
    """The paper's code's ``PredefinedSplit``: the last 20% of a ``train_test_split`` of the rows validate."""
    from sklearn.model_selection import PredefinedSplit, train_test_split

    idx1, _ = train_test_split(np.arange(n_train), test_size=0.2, random_state=0)
    fold = np.ones(n_train)
    fold[idx1] = -1
    return PredefinedSplit(fold)


def item(name, paper, ours, digits=None):
    """One comparison: paper, ours, difference, and equality at the paper's printed digits."""
    row = {"item": name, "paper": paper, "ours": ours}
    if isinstance(paper, (int, float)) and isinstance(ours, (int, float, np.floating, np.integer)) and ours == ours:
        ours = float(ours)
        row["ours"] = ours
        row["diff"] = ours - paper
        row["equal_at_printed_digits"] = bool(round(ours, digits) == round(paper, digits)) if digits is not None else ours == paper
    return row


def match_rows(table: pd.DataFrame, paper_rows, cols, digits=6, first=None):
    """For each printed row, the row of ``table`` (same Count) closest to it, and its largest difference.

    Rows of equal Count are ordered by their pattern in reluscope and by hash in
    aletheia, so a printed row is matched within its Count, not by position.
    """
    pool = table if first is None else table.iloc[:first]
    out = []
    for prow in paper_rows:
        cand = pool[pool["Count"] == prow[0]]
        vals = cand[cols].to_numpy(float)
        p = np.array([np.nan if v is None else v for v in prow], float)
        both_nan = np.isnan(vals) & np.isnan(p)
        diff = np.where(both_nan, 0.0, np.abs(vals - p))
        worst = np.where(np.isnan(diff), np.inf, diff).max(axis=1) if len(cand) else np.array([np.inf])
        j = int(np.argmin(worst))
        ours = [None if np.isnan(v) else float(v) for v in vals[j]] if len(cand) else None
        out.append({"paper": prow, "ours_region": int(cand.index[j]) if len(cand) else None, "ours": ours, "max_abs_diff": float(worst[j]), "equal_at_printed_digits": bool(worst[j] <= 0.5 * 10.0**-digits + 1e-12)})
    return out


def table1_and_figures():
    res, items, models = {}, [], {}
    for name in ("ChirpWave", "CoCircles", "BostonHouse"):
        t = time.perf_counter()
        mlp, Xtr, Xte, ytr, yte = train(name)
        llms = reluscope.unwrap(reluscope.from_sklearn(mlp), Xtr, ytr)
        models[name] = (mlp, llms, Xtr, ytr)
        p = PAPER["table1"][name]
        n_llms, tr, te = llms.n_regions, score(mlp, Xtr, ytr), score(mlp, Xte, yte)
        items += [item(f"Table 1 {name} LLMs", p["n_llms"], n_llms), item(f"Table 1 {name} train", p["train"], tr, 4), item(f"Table 1 {name} test", p["test"], te, 4)]
        if name == "ChirpWave":
            items[-3]["within_10pct"] = abs(n_llms - p["n_llms"]) <= 0.1 * p["n_llms"]
            items[-2]["within_10pct"] = abs(tr - p["train"]) <= 0.1 * p["train"]
            items[-1]["within_10pct"] = abs(te - p["test"]) <= 0.1 * p["test"]
        res[name] = {"seconds": time.perf_counter() - t, "n_iter": int(mlp.n_iter_)}
    return res, items, models


def figures_10_to_13(models):
    out = {}
    for name, fig, cols in (("CoCircles", "figure10", FIG10_COLS), ("BostonHouse", "figure11", FIG11_COLS)):
        llms = models[name][1]
        table = llms.summary(ddof=0, global_auc_on="probability", global_metrics="all")
        table_default = llms.summary()
        out[fig] = {
            "head": match_rows(table, PAPER[f"{fig}_head"], cols, first=10),
            "tail": match_rows(table, PAPER[f"{fig}_tail"], cols),
            "n_rows": int(len(table)),
            "default_head": table_default.head().reset_index().to_dict(orient="records"),
        }
        share = float((table["Response Std"] == 0).mean())
        out[f"figure12_{name}"] = item(f"Figure 12 {name} share of Response Std = 0", PAPER["figure12_share"][name], share, 3)
        top = table.head(10)
        metric = "AUC" if name == "CoCircles" else "MSE"
        local, glob = top[f"Local {metric}"], top[f"Global {metric}"]
        better = (local > glob) if metric == "AUC" else (local < glob)
        out[f"figure13_{name}"] = {
            "paper": PAPER["figure13"],
            "ours_local_better_than_global_of_top10": int(better.sum()),
            "local": local.round(6).tolist(),
            "global": glob.round(6).tolist(),
        }
    return out


def table2(models):
    mlp, llms, Xtr, ytr = models["CoCircles"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        merged = merge_llms(
            llms, n_clusters="auto", grid=[2, 4, 6, 8, 10, 15, 20], min_samples=30, n_neighbors=int(round(0.01 * llms.n_regions)),
            refit="logistic", absorb="centroid", cv=holdout(len(ytr)),
        )
        wald = merged.inference(penalised="allow")
    rows = []
    cols = ["coef", "std_err", "z", "p_value", "ci_lower", "ci_upper"]
    for k, printed in PAPER["table2"].items():
        for term, prow in zip(["intercept", "x1", "x2"], printed):
            ours = wald.loc[(k, term), cols].to_numpy(float)
            rows.append({"region": k + 1, "term": term, "paper": prow, "ours": ours.round(6).tolist(), "max_abs_diff": float(np.abs(ours - prow).max()),
                         "equal_at_printed_digits": bool(np.all(np.round(ours, 4) == np.round(prow, 4)))})
    return {
        "K": merged.best_n_clusters_, "n_clusters": merged.n_clusters_, "cluster_counts": np.bincount(merged.labels_).tolist(),
        "warning": wald.attrs["warning"], "rows": rows,
    }


def figures_16_19(models):
    mlp, llms, Xtr, ytr = models["BostonHouse"]
    kw = dict(min_samples=30, n_neighbors=int(round(0.01 * llms.n_regions)), refit="lasso_cv", absorb="centroid")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        auto = merge_llms(llms, n_clusters="auto", grid=[*range(1, 11), 15, 20], cv=holdout(len(ytr)), **kw)
        k15 = merge_llms(llms, n_clusters=15, **kw)
        t = time.perf_counter()
        boot = k15.bootstrap(100, random_state=0)
        boot_s = time.perf_counter() - t
    s = boot.summary().loc[0]
    names = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT"]
    positive = (boot.samples[0] > 0).mean(axis=0)
    signs = {
        term: {"name": ("intercept" if term == "intercept" else names[int(term[1:]) - 1]), "estimate": float(s.loc[term, "estimate"]),
               "ci": [float(s.loc[term, "ci_lower"]), float(s.loc[term, "ci_upper"])], "p_zero": float(s.loc[term, "p_zero"]), "share_positive": float(p)}
        for term, p in zip(boot.terms, positive)
    }
    return {
        "figure16": {
            "paper_n_clusters": PAPER["figure16_n_clusters"],
            "auto": {"K": auto.best_n_clusters_, "n_clusters": auto.n_clusters_, "cluster_counts": np.bincount(auto.labels_).tolist(),
                     "cv": auto.cv_results_[["n_clusters", "mean_score", "mean_final_clusters"]].to_dict(orient="list")},
            "K15": {"n_clusters": k15.n_clusters_, "cluster_counts": np.bincount(k15.labels_).tolist(), "notebook_counts": NOTEBOOK_BOSTON_CLUSTER_COUNTS},
        },
        "figure19": {"paper": PAPER["figure19"], "cluster": 0, "rows": int(boot.counts[0]), "n_bootstrap": boot.n_bootstrap, "seconds": boot_s,
                     "alpha_retuned": bool(boot.attrs["alpha_retuned"]), "terms": signs},
    }


def fmt(v, d=6):
    if v is None:
        return "NaN"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(fmt(x, d) for x in v) + "]"
    if isinstance(v, float):
        return f"{v:.{d}f}"
    return str(v)


def report(items, figs, t2, f1619):
    print("## Table 1 (paper's recipe)\n\n| item | paper | ours | diff | equal at printed digits |\n|---|---|---|---|---|")
    for it in items:
        eq = it.get("equal_at_printed_digits")
        note = f" (within 10%: {it['within_10pct']})" if "within_10pct" in it else ""
        print(f"| {it['item']} | {it['paper']} | {fmt(it['ours'], 4) if isinstance(it['ours'], float) else it['ours']} | {fmt(it.get('diff'), 4) if isinstance(it.get('diff'), float) else it.get('diff')} | {eq}{note} |")
    for fig in ("figure10", "figure11"):
        print(f"\n## {fig.title()} (summary(ddof=0, global_auc_on='probability')), rows matched within equal Count\n")
        print("| part | paper | ours (region) | max abs diff | equal at 6 digits |\n|---|---|---|---|---|")
        for part in ("head", "tail"):
            for r in figs[fig][part]:
                print(f"| {part} | {fmt(r['paper'])} | {fmt(r['ours'])} ({r['ours_region']}) | {r['max_abs_diff']:.1e} | {r['equal_at_printed_digits']} |")
    print("\n## Figure 12 / 13\n")
    for name in ("CoCircles", "BostonHouse"):
        it = figs[f"figure12_{name}"]
        print(f"- {it['item']}: paper {it['paper']:.3f}, ours {it['ours']:.4f} (diff {it['diff']:+.4f}, equal at 3 digits: {it['equal_at_printed_digits']})")
        f13 = figs[f"figure13_{name}"]
        print(f"- Figure 13 {name}: {f13['ours_local_better_than_global_of_top10']} of the top 10 LLMs do better locally than globally (paper: {f13['paper']})")
    print(f"\n## Table 2 (CoCircles; K = {t2['K']} by the paper's hold-out, {t2['n_clusters']} clusters {t2['cluster_counts']})\n")
    print("| region | term | paper coef, std_err, z, p, ci | ours | max abs diff | equal at 4 digits |\n|---|---|---|---|---|---|")
    for r in t2["rows"]:
        print(f"| {r['region']} | {r['term']} | {fmt(r['paper'], 4)} | {fmt(r['ours'], 4)} | {r['max_abs_diff']:.1e} | {r['equal_at_printed_digits']} |")
    f16, f19 = f1619["figure16"], f1619["figure19"]
    print("\n## Figure 16 (BostonHouse merged, LassoCV refit)\n")
    print(f"- paper: {f16['paper_n_clusters']} clusters")
    print(f"- ours, K by the paper's hold-out: K = {f16['auto']['K']}, {f16['auto']['n_clusters']} clusters {f16['auto']['cluster_counts']}")
    print(f"- ours, K = 15 (the K the authors' notebook's hold-out picks): {f16['K15']['n_clusters']} clusters {f16['K15']['cluster_counts']} (notebook: {f16['K15']['notebook_counts']})")
    print(f"\n## Figure 19 (bootstrap of cluster 0, {f19['rows']} rows, B = {f19['n_bootstrap']}, alpha re-tuned: {f19['alpha_retuned']})\n")
    print(f"paper: {f19['paper']}\n\n| term | feature | estimate | 95% percentile CI | P(coef = 0) | share > 0 |\n|---|---|---|---|---|---|")
    for term, v in f19["terms"].items():
        print(f"| {term} | {v['name']} | {v['estimate']:.4f} | [{v['ci'][0]:.4f}, {v['ci'][1]:.4f}] | {v['p_zero']:.2f} | {v['share_positive']:.2f} |")


def main():
    t0 = time.perf_counter()
    res, items, models = table1_and_figures()
    figs = figures_10_to_13(models)
    t2 = table2(models)
    f1619 = figures_16_19(models)
    report(items, figs, t2, f1619)
    import sklearn

    meta = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores (shared), CPU only",
        "python": platform.python_version(), "sklearn": sklearn.__version__, "reluscope": reluscope.__version__,
        "command": "python benchmarks/paper_001.py", "seconds": time.perf_counter() - t0, "training": res,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"meta": meta, "paper": {k: v for k, v in PAPER.items() if k != "table2"}, "table1": items, "figures_10_13": figs,
                               "table2": t2, "figures_16_19": f1619}, indent=1, default=float))
    print(f"\nwrote {OUT} in {meta['seconds']:.0f} s")


if __name__ == "__main__":
    main()
