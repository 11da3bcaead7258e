"""Report sections for a ReLU CNN: exact saliency, receptive fields, feature visualisation (thesis ``000`` ch. 5).

:func:`cnn_sections` returns :class:`Section` objects (usable as ``extra_sections`` of
:func:`write_report`); :func:`write_cnn_report` writes them alone as one self-contained page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from ..errors import InvalidInputError
from ._blocks import Section, render_blocks

__all__ = ["cnn_sections", "write_cnn_report"]

_GROUP = "CNN (practical interpretability)"


def _last_conv(model) -> str:
    convs = [p for p, m in model.named_modules() if type(m).__name__ == "Conv2d"]
    if not convs:
        raise InvalidInputError("The model has no Conv2d layer; cnn_sections is for convolutional networks.")
    return convs[-1]


def cnn_sections(model, X, *, layer: str | None = None, n_images: int = 5, channels: Sequence[int] = range(8),
                 top_k: int = 100, steps: int = 100, value_range=None, random_state=0) -> list:
    """Sections: exact local linear saliency, receptive fields, top-k receptive-field maps, feature visualisation.

    ``layer`` (default the last Conv2d) is the layer whose receptive fields, PCA and
    filters are shown; ``X`` is a batch of inputs ``(n, C, H, W)`` of which the first
    ``n_images`` are explained.

    Parameters
    ----------
    model : torch.nn.Module
        A ReLU CNN (Conv2d, ReLU, max-pool, Flatten, Linear) in eval mode.
    X : array-like (n, C, H, W)
    layer : str, optional
        Module path of the layer shown (default the last ``Conv2d``).
    n_images : int, default 5
        Inputs explained (the first rows of ``X``).
    channels : sequence of int, default range(8)
        Channels of ``layer`` visualised by activation maximisation.
    top_k : int, default 100
        Largest activations counted by the receptive-field heat map.
    steps : int, default 100
        Optimisation steps of the feature visualisation.
    value_range : (float, float), optional
        Range of input values (default that of ``X``).
    random_state : int, default 0

    Returns
    -------
    list of Section
        "Exact saliency", "Receptive fields", "Feature visualisation".

    Raises
    ------
    InvalidInputError
        The model has no ``Conv2d`` layer.

    References
    ----------
    Thesis ``000``, chapter 5 (practical interpretability of CNNs).

    Examples
    --------
    >>> import numpy as np, torch
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(),
    ...                             torch.nn.Linear(2 * 4 * 4, 3)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 6, 6)).astype(np.float32)
    >>> from reluscope.report import cnn_sections
    >>> sections = cnn_sections(model, X, n_images=1, channels=[0], steps=2, top_k=5)
    >>> [s.title for s in sections]
    ['Exact saliency', 'Receptive fields', 'Feature visualisation']
    """
    import pandas as pd

    from ..plot import practical as figures
    from ..practical import cnn, exact_cnn

    X = np.asarray(X, dtype=np.float32)[:n_images]
    layer = layer or _last_conv(model)
    value_range = value_range or (float(X.min()), float(X.max()))
    llm = exact_cnn.cnn_local_linear_model(model, X)
    pred = llm.outputs.argmax(axis=1)
    sal = figures.exact_saliency(llm, X, list(pred), [f"input {i}: predicted {p}" for i, p in enumerate(pred)])
    exact = pd.DataFrame({"input": range(len(X)), "predicted": pred, "active ReLUs": llm.n_relu_on,
                          "max |W x + b - f(x)|": np.abs(llm.predict(X) - llm.outputs).max(axis=1)})
    rf = cnn.receptive_fields(model)
    heat = cnn.topk_receptive_field_heatmap(model, layer, X[:1], k=top_k)[0]
    rf_fig = figures.receptive_field_heatmap(heat, X[0], f"top-{top_k} activations of {layer}")
    vis = [cnn.activation_maximisation(model, layer, int(c), X.shape[1:], steps=steps, value_range=value_range,
                                       random_state=random_state) for c in channels]
    pca = figures.feature_pca(cnn.feature_map_pca_rgb(model, layer, X[0]), X[0])
    over = figures.filter_overlay(cnn.filter_overlays(model, layer, X[0]))
    return [
        Section("Exact saliency", [sal, exact], "Each map is the exact coefficient vector W of the predicted class in the "
                "input's activation region (ReLU and max-pool pattern fixed): f(x') = W x' + b there, not an approximation.", _GROUP),
        Section("Receptive fields", [rf, rf_fig], "R_L = R_{L-1} + (K'_L - 1) J_{L-1}; the heat map counts how many of the "
                "layer's largest activations see each pixel.", _GROUP),
        Section("Feature visualisation", [figures.feature_visualisations(vis), pca, over],
                f"Inputs optimised to excite channels of {layer} (jitter and blur), its feature maps as PCA colours, "
                "and the most active channels laid over the input.", _GROUP),
    ]


def write_cnn_report(model, X, path, *, title: str = "CNN report", **kwargs) -> Path:
    """Write :func:`cnn_sections` as one self-contained HTML page (inline CSS, embedded PNGs).

    Parameters
    ----------
    model, X
        As for :func:`cnn_sections`.
    path : str or Path
        The HTML file to write (parent folders are created).
    title : str, default "CNN report"
    **kwargs
        Passed to :func:`cnn_sections`.

    Returns
    -------
    pathlib.Path of the written file.

    Examples
    --------
    >>> import numpy as np, torch
    >>> _ = torch.manual_seed(0)
    >>> model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.ReLU(), torch.nn.Flatten(),
    ...                             torch.nn.Linear(2 * 4 * 4, 3)).eval()
    >>> X = np.random.default_rng(0).normal(size=(2, 1, 6, 6)).astype(np.float32)
    >>> import pathlib, tempfile
    >>> from reluscope.report import write_cnn_report
    >>> path = write_cnn_report(model, X, pathlib.Path(tempfile.mkdtemp()) / "cnn.html",
    ...                         n_images=1, channels=[0], steps=2, top_k=5)
    >>> html = path.read_text()
    >>> "Exact saliency" in html, html.count("data:image/png") > 0
    (True, True)
    """
    import matplotlib
    from jinja2 import Environment, PackageLoader, StrictUndefined

    from ._write import _RC, _close_figures

    with matplotlib.rc_context(_RC):
        sections = cnn_sections(model, X, **kwargs)
        try:
            rendered = [render_blocks(s) for s in sections]
        finally:
            _close_figures(sections)
    env = Environment(loader=PackageLoader("reluscope.report", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.tests["table"] = lambda b: type(b).__name__ == "Table"
    env.tests["text"] = lambda b: type(b).__name__ == "Text"
    env.tests["download"] = lambda b: type(b).__name__ == "Download"
    env.tests["embedded_figure"] = lambda b: type(b).__name__ == "EmbeddedFigure"
    html = env.get_template("report.html").render(title=title, subtitle=type(model).__name__, tiles=[], sections=rendered)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path
