"""Peer worker for benchmarks/certify.py, run in benchmarks/.venvs/certify (dice-ml, maraboupy, onnxruntime).

Usage: python certify_worker.py dice|marabou case.npz out.json
Reads the same weights and rows as the reluscope side; writes the peer's answers and times as JSON.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np


def forward(X, Ws, bs):
    h = np.asarray(X, float)
    for W, b in zip(Ws[:-1], bs[:-1]):
        h = np.maximum(h @ W.T + b, 0.0)
    return h @ Ws[-1].T + bs[-1]


def load(path):
    z = np.load(path, allow_pickle=False)
    n = int(z["n_layers"])
    return z, [z[f"W{i}"] for i in range(n)], [z[f"b{i}"] for i in range(n)]


class NumpyLogit:
    """A scikit-learn-like binary classifier over the saved weights (one logit)."""

    def __init__(self, Ws, bs, names):
        self.Ws, self.bs, self.names = Ws, bs, names

    def predict_proba(self, X):
        X = X[self.names].to_numpy(float) if hasattr(X, "columns") else np.asarray(X, float)
        p = 1.0 / (1.0 + np.exp(-forward(X, self.Ws, self.bs)[:, 0]))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] > 0.5).astype(int)


def run_dice(z, Ws, bs):
    import dice_ml
    import pandas as pd

    names = [str(s) for s in z["names"]]
    vary = [str(s) for s in z["vary"]]
    X, rows, box = z["X"], z["rows"], z["box"]
    df = pd.DataFrame(X, columns=names)
    df["y"] = (forward(X, Ws, bs)[:, 0] > 0).astype(int)
    data = dice_ml.Data(dataframe=df, continuous_features=names, outcome_name="y")
    model = dice_ml.Model(model=NumpyLogit(Ws, bs, names), backend="sklearn")
    explainer = dice_ml.Dice(data, model, method="random")
    out = []
    for i in range(rows.shape[0]):
        q = pd.DataFrame(rows[i : i + 1], columns=names)
        t0 = time.perf_counter()
        try:
            res = explainer.generate_counterfactuals(
                q, total_CFs=1, desired_class="opposite", features_to_vary=vary,
                permitted_range={f: [float(box[names.index(f), 0]), float(box[names.index(f), 1])] for f in vary},
                random_seed=i, verbose=False)
            cf = res.cf_examples_list[0].final_cfs_df
            point = None if cf is None or len(cf) == 0 else cf[names].to_numpy(float)[0].tolist()
        except Exception as exc:  # DiCE raises when it finds nothing
            point = None
            print(f"dice row {i}: {type(exc).__name__}: {str(exc)[:120]}", file=sys.stderr)
        out.append({"point": point, "seconds": time.perf_counter() - t0})
    return out


def run_marabou(z, path_onnx):
    from maraboupy import Marabou

    X, eps_list, box = z["X"], z["eps"], z["box"]
    classes = z["classes"]
    out = []
    opts = Marabou.createOptions(verbosity=0, timeoutInSeconds=int(z["timeout"]))
    for i in range(X.shape[0]):
        for eps in eps_list:
            lo = np.maximum(X[i] - eps, box[:, 0])
            hi = np.minimum(X[i] + eps, box[:, 1])
            c = int(classes[i])
            t0 = time.perf_counter()
            verdict = "verified"
            for j in range(int(z["n_outputs"])):
                if j == c:
                    continue
                net = Marabou.read_onnx(path_onnx)
                inp, outv = net.inputVars[0].flatten(), net.outputVars[0].flatten()
                for k, v in enumerate(inp):
                    net.setLowerBound(v, float(lo[k]))
                    net.setUpperBound(v, float(hi[k]))
                net.addInequality([outv[c], outv[j]], [1.0, -1.0], 0.0)  # eta_c - eta_j <= 0
                code, _, _ = net.solve(options=opts, verbose=False)
                if code == "sat":
                    verdict = "counterexample"
                    break
                if code != "unsat":
                    verdict = "unknown"
            out.append({"row": i, "eps": float(eps), "verdict": verdict, "seconds": time.perf_counter() - t0})
    return out


def main():
    kind, case, dest = sys.argv[1:4]
    z, Ws, bs = load(case)
    if kind == "dice":
        result = run_dice(z, Ws, bs)
    else:
        result = run_marabou(z, case.replace(".npz", ".onnx"))
    with open(dest, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
