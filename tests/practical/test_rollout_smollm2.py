"""Step-by-step attention of the causal SmolLM2-135M (GGUF, de-quantised) equals the full-sequence attention."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reluscope.practical import attention_output_zscores, causal_attention_rollout, count_hooks, record_attention  # noqa: E402

pytestmark = pytest.mark.slow


def test_rollout_with_a_kv_cache_equals_the_causal_attention_of_the_full_sequence(smollm2):
    model, tok = smollm2
    ids = tok("The quick brown fox jumps over the lazy dog.", return_tensors="pt").input_ids[:, :10]
    n0 = count_hooks(model)
    roll = causal_attention_rollout(model, ids)
    full = record_attention(model, input_ids=ids)
    assert count_hooks(model) == n0
    T = ids.shape[1]
    assert roll.weights.shape == (30, 9, T, T)
    for layer in (0, 15, 29):
        np.testing.assert_allclose(roll.weights[layer], full.weights[layer][0], atol=2e-5)
        np.testing.assert_allclose(roll.head_outputs[layer], full.head_outputs[layer][0], atol=2e-4)
    assert np.all(np.triu(roll.weights[5, 3], 1) == 0)
    np.testing.assert_allclose(roll.weights.sum(axis=-1), 1.0, atol=1e-5)
    heat = roll.memory_heatmap(2, 4, window=4)
    assert heat[0, 7] == roll.weights[2, 4, 7, 7] and heat[3, 7] == roll.weights[2, 4, 7, 4] and np.isnan(heat[3, 2])
    z = attention_output_zscores(roll, 3, 0)
    np.testing.assert_allclose(z.mean(axis=0), 0, atol=1e-9)
