"""Layer-by-layer geometry of a ReLU network on data (thesis ``000`` sections 4.4-4.5).

:func:`layer_metrics` pushes a point cloud through the layers and records,
per layer, the metrics of section 4.5.2: neuron activity and its histogram
(stably on / off units), mean distance from the origin, stable rank,
spherical mean width (seeded Monte Carlo over directions), the number of
non-zero covariance eigenvalues, the activation heatmap, the cell dimension
per sample with the bound of Proposition 4.5.4, and a PCA of the cloud.
:func:`he_network` and :func:`depth_experiment` are the drivers of section
4.4 (He-initialised random nets on normal, uniform and sphere inputs).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InvalidInputError
from ..network import ReLUNetwork

__all__ = ["LayerMetrics", "layer_metrics", "he_network", "sample_inputs", "depth_experiment", "EIG_RTOL"]

#: A covariance eigenvalue counts as non-zero above this fraction of the largest one.
EIG_RTOL = 1e-10


@dataclass
class LayerMetrics:
    """Metrics of the point cloud at the input (layer 0) and after each hidden layer (1..L).

    Attributes
    ----------
    hidden_sizes : tuple of int
    activity : list of (n_l,) arrays
        Share of the samples on which each unit is on (``z > 0``).
    activity_hist : (L, n_bins) ; bin_edges : (n_bins + 1,)
        Histogram of the activities per layer, as a share of the layer's units.
    stably_on, stably_off : int (L,)
        Units on for every sample / off for every sample (empirical, section 4.4).
    mean_distance, stable_rank, spherical_mean_width : (L + 1,)
        ``mean ||x_i||``; ``||X||_F^2 / ||X||_2^2``; ``E_d [max d.x_i - min d.x_i]`` over unit ``d``.
    n_nonzero_eigenvalues : int (L + 1,)
        Covariance eigenvalues above ``EIG_RTOL`` times the largest.
    active : bool (n_samples, n_hidden_units)
        The activation heatmap (samples x units).
    cell_dimension : int (n_samples, L)
        Active units per sample and layer (the thesis' "cell dimensions").
    image_dimension : int (n_rank, L)
        ``dim G_(k)(C)`` of the cell of the first ``n_rank`` samples: the rank
        of the layer map's Jacobian on the cell (exact, the map is affine there).
    dimension_bound : int (n_samples, L)
        Proposition 4.5.4: ``min(d, min_{l <= k} active_l)``.
    pca_scores : list of (n_samples, 2) ; pca_explained : (L + 1, 2)

    Examples
    --------
    The 2-4 layer ``(relu(x), relu(-x), relu(y), relu(-y))`` keeps every norm
    (``||h|| = ||x||``), so the mean distance is the same at both layers, close to
    ``E||x|| = sqrt(pi / 2) = 1.2533`` for ``x ~ N(0, I_2)`` (standard error 0.015 with 2000 samples).
    Each sample has exactly two active units, so each cell maps to a 2-D piece, while the
    cloud of images spans 4 dimensions.

    >>> import reluscope
    >>> from reluscope.geometry import layer_metrics, sample_inputs
    >>> W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    >>> net = reluscope.from_arrays([W, np.ones((1, 4))], [np.zeros(4), np.zeros(1)])
    >>> m = layer_metrics(net, sample_inputs("normal", 2000, 2, random_state=0))
    >>> bool(np.isclose(m.mean_distance[0], m.mean_distance[1]))
    True
    >>> bool(abs(m.mean_distance[0] - np.sqrt(np.pi / 2)) < 3 * 0.015)
    True
    >>> np.unique(m.cell_dimension), np.unique(m.image_dimension), m.n_nonzero_eigenvalues
    (array([2]), array([2]), array([2, 4]))
    """

    hidden_sizes: tuple
    activity: list
    activity_hist: np.ndarray
    bin_edges: np.ndarray
    stably_on: np.ndarray
    stably_off: np.ndarray
    mean_distance: np.ndarray
    stable_rank: np.ndarray
    spherical_mean_width: np.ndarray
    n_nonzero_eigenvalues: np.ndarray
    active: np.ndarray
    cell_dimension: np.ndarray
    image_dimension: np.ndarray
    dimension_bound: np.ndarray
    pca_scores: list
    pca_explained: np.ndarray


def _cloud_metrics(H: np.ndarray, dirs: np.ndarray):
    """(mean distance, stable rank, spherical mean width, non-zero eigenvalues, PCA scores, explained) of one cloud."""
    mean_dist = float(np.linalg.norm(H, axis=1).mean())
    s = np.linalg.svd(H, compute_uv=False)
    stable = float((s**2).sum() / s[0] ** 2) if s[0] > 0 else 0.0
    U = dirs[:, : H.shape[1]]
    U = U / np.linalg.norm(U, axis=1, keepdims=True)
    P = H @ U.T
    width = float((P.max(axis=0) - P.min(axis=0)).mean())
    C = H - H.mean(axis=0)
    cov = C.T @ C / H.shape[0]
    ev = np.linalg.eigvalsh(cov)[::-1]
    n_nz = int((ev > EIG_RTOL * max(ev[0], np.finfo(float).tiny)).sum()) if ev[0] > 0 else 0
    _, sv, Vt = np.linalg.svd(C, full_matrices=False)
    scores = np.zeros((H.shape[0], 2))
    k = min(2, Vt.shape[0])
    scores[:, :k] = C @ Vt[:k].T
    tot = (sv**2).sum()
    expl = np.zeros(2)
    expl[:k] = (sv[:k] ** 2) / tot if tot > 0 else 0.0
    return mean_dist, stable, width, n_nz, scores, expl


def layer_metrics(network: ReLUNetwork, X, *, n_directions: int = 256, n_rank: int = 200, n_bins: int = 10, random_state=0) -> LayerMetrics:
    """Metrics of section 4.5.2 of thesis ``000`` for every hidden layer of ``network`` on the samples ``X``.

    Parameters
    ----------
    network : ReLUNetwork
    X : array (n_samples, d)
    n_directions : int, default 256
        Random unit directions of the spherical mean width (Monte Carlo, seeded by ``random_state``).
    n_rank : int, default 200
        Samples whose exact cell image dimension (Jacobian rank) is computed.
    n_bins : int, default 10
        Bins of the activity histograms on [0, 1].
    random_state : int or Generator

    Returns
    -------
    LayerMetrics

    Examples
    --------
    Under ``x ~ N(0, I_2)`` each unit ``relu(+-x_j)`` is on half of the time; with 2000
    samples the activities lie within 3 standard errors (``3 * sqrt(0.25 / 2000) = 0.034``)
    of 1/2, and no unit is stably on or off.

    >>> import reluscope
    >>> from reluscope.geometry import layer_metrics
    >>> W = np.array([[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0], [0.0, -1.0]])
    >>> net = reluscope.from_arrays([W, np.ones((1, 4))], [np.zeros(4), np.zeros(1)])
    >>> X = np.random.default_rng(0).normal(size=(2000, 2))
    >>> m = layer_metrics(net, X, random_state=0)
    >>> bool(np.all(np.abs(m.activity[0] - 0.5) < 0.034)), m.stably_on, m.stably_off
    (True, array([0]), array([0]))
    >>> m.active.shape, m.activity_hist.shape, len(m.pca_scores)
    ((2000, 4), (1, 10), 2)
    """
    X = network.check_X(X)
    if not (isinstance(n_directions, (int, np.integer)) and n_directions >= 1):
        raise InvalidInputError(f"n_directions must be a positive integer, got {n_directions!r}.")
    rng = np.random.default_rng(random_state)
    width_max = max([X.shape[1], *network.hidden_sizes])
    dirs = rng.normal(size=(int(n_directions), width_max))
    clouds, actives = [X], []
    H = X
    for l in range(network.n_hidden_layers):
        Z = H @ network.weights[l].T + network.biases[l]
        on = Z > 0
        slope = network.slopes[l]
        H = np.where(on, Z, slope * Z) if slope != 0.0 else np.maximum(Z, 0.0)
        clouds.append(H)
        actives.append(on)
    per = [_cloud_metrics(C, dirs) for C in clouds]
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    activity = [a.mean(axis=0) for a in actives]
    hist = np.array([np.histogram(a, bins=edges)[0] / max(a.size, 1) for a in activity]).reshape(len(activity), n_bins)
    cell = np.column_stack([a.sum(axis=1) for a in actives]) if actives else np.zeros((X.shape[0], 0), int)
    bound = np.minimum(np.minimum.accumulate(cell, axis=1), X.shape[1]) if actives else cell
    return LayerMetrics(
        hidden_sizes=network.hidden_sizes,
        activity=activity,
        activity_hist=hist,
        bin_edges=edges,
        stably_on=np.array([int((a == 1.0).sum()) for a in activity]),
        stably_off=np.array([int((a == 0.0).sum()) for a in activity]),
        mean_distance=np.array([p[0] for p in per]),
        stable_rank=np.array([p[1] for p in per]),
        spherical_mean_width=np.array([p[2] for p in per]),
        n_nonzero_eigenvalues=np.array([p[3] for p in per]),
        active=np.concatenate(actives, axis=1) if actives else np.zeros((X.shape[0], 0), bool),
        cell_dimension=cell,
        image_dimension=_image_dimensions(network, actives, n_rank),
        dimension_bound=bound,
        pca_scores=[p[4] for p in per],
        pca_explained=np.array([p[5] for p in per]),
    )


def _image_dimensions(network: ReLUNetwork, actives: list, n_rank: int) -> np.ndarray:
    """Rank of the Jacobian of ``G_(k)`` on each sample's cell, for the first ``n_rank`` samples."""
    if not actives:
        return np.zeros((0, 0), int)
    n = min(int(n_rank), actives[0].shape[0])
    out = np.zeros((n, len(actives)), int)
    J = np.broadcast_to(np.eye(network.n_features), (n, network.n_features, network.n_features))
    for l, on in enumerate(actives):
        slope = network.slopes[l]
        D = on[:n].astype(float) if slope == 0.0 else np.where(on[:n], 1.0, slope)
        J = D[:, :, None] * np.einsum("ij,njk->nik", network.weights[l], J)
        out[:, l] = np.linalg.matrix_rank(J, tol=None)
    return out


def he_network(n_inputs: int, widths, *, n_outputs: int = 1, bias_std: float = 0.0, random_state=0) -> ReLUNetwork:
    """A He-initialised ReLU network: weights ``N(0, 2 / n_in)``, biases ``N(0, bias_std^2)`` (section 4.4).

    Parameters
    ----------
    n_inputs : int
    widths : sequence of int
        Hidden layer widths.
    n_outputs : int, default 1
    bias_std : float, default 0.0
        Standard deviation of the biases (0: zero biases).
    random_state : int or Generator

    Returns
    -------
    ReLUNetwork

    Examples
    --------
    The first layer of a 100-200 net: 20 000 weights whose standard deviation is close to
    ``sqrt(2 / 100) = 0.141``.

    >>> from reluscope.geometry import he_network
    >>> net = he_network(100, [200], random_state=0)
    >>> net.hidden_sizes, net.weights[0].shape
    ((200,), (200, 100))
    >>> round(float(net.weights[0].std()), 2), float(np.abs(net.biases[0]).max())
    (0.14, 0.0)
    """
    rng = np.random.default_rng(random_state)
    sizes = [int(n_inputs), *map(int, widths), int(n_outputs)]
    if min(sizes) < 1:
        raise InvalidInputError(f"Layer sizes must be positive, got {sizes}.")
    W = [rng.normal(0.0, np.sqrt(2.0 / a), (b, a)) for a, b in zip(sizes[:-1], sizes[1:])]
    B = [rng.normal(0.0, bias_std, b) if bias_std > 0 else np.zeros(b) for b in sizes[1:]]
    return ReLUNetwork(W, B)


def sample_inputs(distribution: str, n_samples: int, n_features: int, *, scale: float = 1.0, random_state=0) -> np.ndarray:
    """Inputs of section 4.4: 'normal' (N(0, scale^2)), 'uniform' ([-scale, scale]) or 'sphere' (radius scale).

    Parameters
    ----------
    distribution : {'normal', 'uniform', 'sphere'}
    n_samples, n_features : int
    scale : float, default 1.0
    random_state : int or Generator

    Returns
    -------
    ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> from reluscope.geometry import sample_inputs
    >>> S = sample_inputs("sphere", 5, 3, scale=2.0, random_state=0)
    >>> S.shape, np.linalg.norm(S, axis=1)
    ((5, 3), array([2., 2., 2., 2., 2.]))
    >>> U = sample_inputs("uniform", 1000, 2, random_state=0)
    >>> bool(U.min() >= -1.0 and U.max() <= 1.0)
    True
    """
    rng = np.random.default_rng(random_state)
    if distribution == "normal":
        return scale * rng.normal(size=(n_samples, n_features))
    if distribution == "uniform":
        return rng.uniform(-scale, scale, size=(n_samples, n_features))
    if distribution == "sphere":
        Z = rng.normal(size=(n_samples, n_features))
        return scale * Z / np.linalg.norm(Z, axis=1, keepdims=True)
    raise InvalidInputError(f"distribution must be 'normal', 'uniform' or 'sphere', got {distribution!r}.")


def depth_experiment(n_inputs: int, width: int, depth: int, *, distribution: str = "normal", n_samples: int = 2000,
                     scale: float = 1.0, bias_std: float = 0.0, random_state=0) -> LayerMetrics:
    """Section 4.4: layer metrics of a He-initialised net of constant ``width`` and ``depth`` hidden layers.

    Parameters
    ----------
    n_inputs, width, depth : int
        Input dimension, hidden width and number of hidden layers.
    distribution : {'normal', 'uniform', 'sphere'}, default 'normal'
    n_samples : int, default 2000
    scale : float, default 1.0
    bias_std : float, default 0.0
    random_state : int or Generator

    Returns
    -------
    LayerMetrics

    Examples
    --------
    A 3-input, 3-layer, width-8 He net: the input cloud spans 3 dimensions, the layer images
    span all 8 (the layer maps bend the cloud), but the image of each cell has at most
    ``d = 3`` dimensions, the bound of Proposition 4.5.4.

    >>> from reluscope.geometry import depth_experiment
    >>> m = depth_experiment(3, 8, 3, n_samples=500, random_state=0)
    >>> m.n_nonzero_eigenvalues
    array([3, 8, 8, 8])
    >>> bool(np.all(m.image_dimension <= m.dimension_bound[: len(m.image_dimension)]))
    True
    >>> m.image_dimension.max(axis=0)
    array([3, 3, 3])
    """
    net = he_network(n_inputs, [width] * depth, bias_std=bias_std, random_state=random_state)
    X = sample_inputs(distribution, n_samples, n_inputs, scale=scale, random_state=np.random.default_rng(random_state).integers(2**32))
    return layer_metrics(net, X, random_state=random_state)
