"""Peer worker of benchmarks/regions.py: counts regions of a saved net with regioncam or relucent.

Runs in the side venv ``benchmarks/.venvs/geometry`` as a subprocess (relucent is AGPL: it is
only ever run here, never imported by reluscope).  Usage::

    python geometry_worker.py CASE.npz TOOL OUT.json [MAX_REGIONS]
"""

import json
import sys
import time

import numpy as np


def load(path):
    z = np.load(path)
    n = int(z["n_layers"])
    return [z[f"W{i}"] for i in range(n)], [z[f"b{i}"] for i in range(n)]


def run_regioncam(W, b):
    import regioncam

    t = time.perf_counter()
    rc = regioncam.Regioncam(1.0)  # the square [-1, 1]^2
    for w, c in zip(W[:-1], b[:-1]):
        rc.linear(np.ascontiguousarray(w.T, dtype=np.float32), c.astype(np.float32))
        rc.relu()
    n = rc.num_faces
    return {"regions": int(n), "seconds": time.perf_counter() - t, "truncated": False}


def run_relucent(W, b, cap):
    from collections import OrderedDict

    import relucent
    from relucent.model.model import LinearLayer, ReLULayer, ReLUNetwork

    layers = OrderedDict()
    for i, (w, c) in enumerate(zip(W, b)):
        layers[f"fc{i}"] = LinearLayer(weight=w.astype(np.float64), bias=c.astype(np.float64))
        if i < len(W) - 1:
            layers[f"relu{i}"] = ReLULayer()
    net = ReLUNetwork(layers, input_shape=(W[0].shape[1],))
    cx = relucent.Complex(net)
    t = time.perf_counter()
    res = cx.bfs(start=np.full(W[0].shape[1], 1e-3), cube_radius=1.0, cube_mode="clipped", nworkers=1, verify=False,
                 max_polys=cap if cap else float("inf"), verbose=0)
    dt = time.perf_counter() - t
    n = len(cx)
    return {"regions": int(n), "seconds": dt, "truncated": bool(cap and n >= cap), "result": str(type(res).__name__)}


if __name__ == "__main__":
    case, tool, out = sys.argv[1:4]
    cap = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    W, b = load(case)
    res = run_regioncam(W, b) if tool == "regioncam" else run_relucent(W, b, cap)
    with open(out, "w") as f:
        json.dump(res, f)
