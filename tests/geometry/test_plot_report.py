import numpy as np
import pytest

import reluscope
from reluscope import diagnose, plot
from reluscope.diagnose.boundaries import resolve_box
from reluscope.geometry import bent_hyperplanes_2d, layer_metrics, slice_2d
from reluscope.patterns import PatternIndex, compute_patterns, pack_patterns

from .conftest import grid, he_net, toy_net


@pytest.fixture(scope="module")
def toy_llms():
    X = grid(2, 41)
    return reluscope.unwrap(toy_net(), X, X.sum(axis=1))


def test_region_map_2d_carries_the_exact_polygons(toy_llms):
    rm = diagnose.region_map_2d(toy_llms, resolution=60)
    (x0, x1), (y0, y1) = rm.bounds
    assert rm.exact is not None
    assert abs(rm.exact.area.sum() - (x1 - x0) * (y1 - y0)) < 1e-9
    XX, YY = np.meshgrid(rm.x_grid, rm.y_grid)
    packed, _ = compute_patterns(toy_llms.network, np.column_stack([XX.ravel(), YY.ravel()]))
    assert (PatternIndex(pack_patterns(rm.exact.patterns)).lookup(packed) >= 0).all()
    fig = plot.region_map(rm, toy_llms)
    assert len(fig.axes[0].collections) >= 1


def test_geometry_figures():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    net = he_net([2, 8, 8, 1], 0)
    s = slice_2d(net, [0, 0], [1, 0], [0, 1])
    m = layer_metrics(net, grid(2, 30))
    figs = [
        plot.region_slice(s, bent=bent_hyperplanes_2d(net, s)),
        plot.activity_histograms(m),
        plot.layer_metric_curves(m),
        plot.layer_pca(m),
        plot.activation_heatmap(m),
    ]
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    with pytest.raises(Exception):
        plot.region_slice(m)
    for f in figs:
        plt.close(f)


def test_report_has_the_geometry_section_with_the_exact_count(toy_llms, tmp_path):
    path = reluscope.report.write_report(toy_llms, tmp_path / "r.html")
    html = path.read_text()
    assert ">Geometry<" in html
    n = slice_2d(toy_llms.network, [0, 0], [1, 0], [0, 1], bounds=resolve_box(toy_llms, "data")).n_regions
    assert f'Regions in the data box (exact)</th><td>{n:,}</td>' in html
    assert f'Regions visited by the training data</th><td>{toy_llms.n_regions:,}</td>' in html
