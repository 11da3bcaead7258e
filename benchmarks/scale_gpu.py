"""GPU part of the scale benchmark: one short script for a machine with a CUDA GPU (a few minutes).

Measures, on ``--device`` (default cuda):

1. ``reluscope.unwrap(net, X, device=...)`` on ``--rows`` rows x 35 (the
   portfolio-like generator of ``scale.py``, held in host memory and streamed
   to the device in chunks), float64, with verification: wall time, and the
   ratio to one bare torch float64 forward pass over the same chunks on the
   same device (target: <= 4x; unwrap of 100 million rows in <= 2 s of GPU
   time plus streaming);
2. the CPU NumPy path on ``--cpu-rows`` of the same rows, per row, for the
   GPU / CPU ratio;
3. ``summary(global_metrics='all')`` at 200,000 x 35 with one region per row
   (every region's Global AUC as batched sorts on the device; target <= 60 s).

Run:  python benchmarks/scale_gpu.py                      (100 million rows)
      python benchmarks/scale_gpu.py --device cpu --rows 200000 --cpu-rows 100000 --auc-rows 2000   (smoke test)
On a GPU, writes benchmarks/results/scale_gpu.json; always prints a table naming the card.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

import reluscope
from scale import BLOCK, D, make_block, make_net  # benchmarks/scale.py


def sync(dev):
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def torch_forward(net, X, dev, chunk) -> float:
    """The floor on the device: bare float64 forward pass over the same host chunks."""
    layers = [(torch.tensor(np.array(W), device=dev), torch.tensor(np.array(b), device=dev)) for W, b in zip(net.weights, net.biases)]
    sync(dev)
    t = time.perf_counter()
    for s in range(0, X.shape[0], chunk):
        h = torch.from_numpy(X[s : s + chunk]).to(dev, non_blocking=True)
        for W, b in layers[:-1]:
            h = torch.relu(torch.addmm(b, h, W.T))
        torch.addmm(layers[-1][1], h, layers[-1][0].T)
    sync(dev)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--rows", type=int, default=100_000_000)
    ap.add_argument("--cpu-rows", type=int, default=5_000_000)
    ap.add_argument("--auc-rows", type=int, default=200_000)
    ap.add_argument("--chunk", type=int, default=4_000_000)
    ap.add_argument("--prototypes", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    dev = torch.device(args.device)
    card = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu (torch)"
    net = make_net(args.seed)
    X = np.empty((args.rows, D))
    for i, s in enumerate(range(0, args.rows, BLOCK)):
        X[s : s + BLOCK] = make_block(i, min(BLOCK, args.rows - s), args.seed, args.prototypes)[:, :D]
    torch_forward(net, X[: args.chunk], dev, args.chunk)  # warm-up (kernels, allocator)
    t_fwd = torch_forward(net, X, dev, args.chunk)
    sync(dev)
    t = time.perf_counter()
    llms = reluscope.unwrap(net, X, device=dev, chunk_size=args.chunk, progress=False)
    sync(dev)
    t_unwrap = time.perf_counter() - t
    n_cpu = min(args.cpu_rows, args.rows)
    t = time.perf_counter()
    cpu = reluscope.unwrap(net, X[:n_cpu], progress=False)
    t_cpu = time.perf_counter() - t
    same = cpu.n_regions <= llms.n_regions
    Xa = np.random.default_rng(args.seed).standard_normal((args.auc_rows, D))
    ya = (Xa[:, 0] > 0).astype(int)
    net_bin = reluscope.from_arrays(net.weights, net.biases, output="sigmoid")
    t = time.perf_counter()
    one = reluscope.unwrap(net_bin, Xa, ya, device=dev, progress=False)
    summ = one.summary(global_metrics="all")
    sync(dev)
    t_summary = time.perf_counter() - t
    row = {
        "card": card, "rows": args.rows, "regions": llms.n_regions, "max_error": llms.max_error_,
        "unwrap_s": round(t_unwrap, 3), "torch_forward_s": round(t_fwd, 3), "unwrap_over_forward": round(t_unwrap / t_fwd, 2),
        "cpu_rows": n_cpu, "cpu_unwrap_s": round(t_cpu, 2), "gpu_speedup_per_row": round((t_cpu / n_cpu) / (t_unwrap / args.rows), 1),
        "cpu_regions_subset_of_gpu": bool(same), "summary_all_rows": args.auc_rows, "summary_all_regions": one.n_regions,
        "summary_all_s": round(t_summary, 2), "global_auc_computed": int(summ["Global AUC"].notna().sum()),
    }
    print(f"card: {card}")
    print("| rows | regions | unwrap (s) | torch forward (s) | unwrap / forward | CPU unwrap (s, rows) | GPU speed-up per row | summary all at 200k x 35 (s) |")
    print("|---|---|---|---|---|---|---|---|")
    print(f"| {row['rows']:,} | {row['regions']:,} | {row['unwrap_s']} | {row['torch_forward_s']} | {row['unwrap_over_forward']} | {row['cpu_unwrap_s']} ({n_cpu:,}) | {row['gpu_speedup_per_row']}x | {row['summary_all_s']} |")
    if dev.type == "cuda":  # a CPU smoke run writes nothing
        path = Path(__file__).parent / "results" / "scale_gpu.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
