"""Hooks by module path: records what the modules return, and leave no handle behind."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from reluscope.errors import InvalidInputError  # noqa: E402
from reluscope.practical import Hooks, count_hooks  # noqa: E402


def _net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(3 * 4 * 4, 2)).eval()


def test_records_equal_a_manual_forward_and_hooks_are_removed():
    net, x = _net(), torch.randn(4, 1, 6, 6)
    with Hooks(net) as hooks:
        hooks.record("1")
        hooks.record("3", what="input")
        assert count_hooks(net) == 2
        out = net(x)
    assert count_hooks(net) == 0 and hooks.n_handles == 0
    relu = torch.relu(net[0](x))
    np.testing.assert_array_equal(hooks.records["1"][0].numpy(), relu.detach().numpy())
    np.testing.assert_array_equal(hooks.records["3:input"][0].numpy(), relu.flatten(1).detach().numpy())
    np.testing.assert_allclose(out.detach().numpy(), net(x).detach().numpy())


def test_hooks_are_removed_when_the_block_raises():
    net = _net()

    def boom(m, args, out):
        raise RuntimeError("inside the forward")

    with pytest.raises(RuntimeError, match="inside the forward"):
        with Hooks(net) as hooks:
            hooks.record("0")
            hooks.add_forward_hook("1", boom)
            net(torch.randn(1, 1, 6, 6))
    assert count_hooks(net) == 0


def test_unknown_path_and_hooks_outside_the_block_are_refused():
    net = _net()
    with Hooks(net) as hooks:
        with pytest.raises(InvalidInputError, match="no module at path"):
            hooks.record("features.9")
    with pytest.raises(InvalidInputError, match="inside the 'with"):
        hooks.record("0")
    assert count_hooks(net) == 0


def test_multihead_attention_weights_per_head_and_head_ablation():
    from reluscope.practical import find_attention_sites, head_ablation_effect, record_attention

    torch.manual_seed(1)

    class Wrap(nn.Module):
        def __init__(self):
            super().__init__()
            self.att = nn.MultiheadAttention(8, 2, batch_first=True)

        def forward(self, x):
            return self.att(x, x, x, need_weights=False)[0]

    net, x = Wrap().eval(), torch.randn(3, 5, 8)
    rec = record_attention(net, x)
    with torch.no_grad():
        out, w = net.att(x, x, x, average_attn_weights=False)
    np.testing.assert_allclose(rec.weights[0], w.double().numpy(), atol=1e-7)
    # the head outputs, concatenated and projected, give the module output
    ctx = torch.tensor(rec.head_outputs[0]).flatten(2).float()
    np.testing.assert_allclose((ctx @ net.att.out_proj.weight.T + net.att.out_proj.bias).detach().numpy(), out.numpy(), atol=1e-5)
    site = find_attention_sites(net)[0]
    assert head_ablation_effect(net, {"x": x}, site, []).max_abs_change == 0.0
    eff = head_ablation_effect(net, {"x": x}, site, [1])
    # independent: zero head 1's context by hand
    ctx2 = torch.tensor(rec.head_outputs[0]).clone()
    ctx2[:, :, 1] = 0
    manual = ctx2.flatten(2).float() @ net.att.out_proj.weight.T + net.att.out_proj.bias
    np.testing.assert_allclose(eff.logits_ablated, manual.reshape(-1, 8).double().detach().numpy(), atol=1e-5)
    assert count_hooks(net) == 0


def test_every_public_name_of_the_package_resolves():
    import reluscope
    from reluscope import practical

    assert reluscope.practical is practical
    for name in practical.__all__:
        assert getattr(practical, name) is not None, name
