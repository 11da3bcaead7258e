"""Figures draw what the results hold; the CNN report section is self-contained."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from reluscope.plot import practical as figures  # noqa: E402
from reluscope.practical import cnn, record_attention  # noqa: E402
from reluscope.practical.attention import AttentionRollout  # noqa: E402
from reluscope.practical.exact_cnn import cnn_local_linear_model  # noqa: E402


def _cnn():
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(),
                         nn.Flatten(), nn.Linear(4 * 6 * 6, 3)).eval()


def test_attention_figures_show_the_recorded_weights():
    import matplotlib.pyplot as plt

    torch.manual_seed(0)
    mha = nn.MultiheadAttention(8, 2, batch_first=True).eval()

    class Wrap(nn.Module):
        def __init__(self):
            super().__init__()
            self.att = mha

        def forward(self, x):
            return self.att(x, x, x)[0]

    rec = record_attention(Wrap().eval(), torch.randn(1, 5, 8))
    fig = figures.attention_heads(rec, layer=0, tokens=list("abcde"))
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), rec.weights[0][0, 1])
    rng = np.random.default_rng(0)
    W = np.tril(rng.random((1, 2, 6, 6)))
    roll = AttentionRollout(W / W.sum(-1, keepdims=True), rng.standard_normal((1, 6, 2, 4)), np.arange(6))
    fig2 = figures.attention_memory(roll, 0, 1, window=3)
    np.testing.assert_allclose(np.ma.filled(fig2.axes[0].images[0].get_array(), np.nan), roll.memory_heatmap(0, 1, 3))
    fig3 = figures.attention_zscores(np.ones((6, 4)))
    plt.close("all")
    assert fig3.axes


def test_cnn_figures_and_report(tmp_path):
    import matplotlib.pyplot as plt

    from reluscope.report import Section, cnn_sections, write_cnn_report

    net = _cnn()
    X = np.random.default_rng(0).standard_normal((3, 1, 12, 12)).astype(np.float32)
    llm = cnn_local_linear_model(net, X)
    fig = figures.exact_saliency(llm, X, [0, 1, 2])
    np.testing.assert_allclose(fig.axes[1].images[0].get_array(), llm.coefficients[0, 0, 0])
    heat = cnn.topk_receptive_field_heatmap(net, "3", X[:1], k=5)[0]
    np.testing.assert_allclose(figures.receptive_field_heatmap(heat, X[0]).axes[0].images[1].get_array(), heat)
    vis = [cnn.activation_maximisation(net, "3", c, (1, 12, 12), steps=3, random_state=0) for c in range(2)]
    assert len(figures.feature_visualisations(vis).axes) == 2
    pca = cnn.feature_map_pca_rgb(net, "1", X[0])
    np.testing.assert_allclose(figures.feature_pca(pca, X[0]).axes[1].images[0].get_array(), pca.rgb)
    assert len(figures.filter_overlay(cnn.filter_overlays(net, "1", X[0], top=3)).axes) >= 3
    plt.close("all")
    sections = cnn_sections(net, X, n_images=2, channels=range(2), steps=3)
    assert all(isinstance(s, Section) for s in sections) and [s.title for s in sections][0] == "Exact saliency"
    plt.close("all")
    html = write_cnn_report(net, X, tmp_path / "cnn.html", n_images=2, channels=range(2), steps=3).read_text()
    for title in ("Exact saliency", "Receptive fields", "Feature visualisation"):
        assert title in html
    assert "http://" not in html.replace("http://www.w3.org", "") and "<script src" not in html
