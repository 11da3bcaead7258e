r"""
Layer metrics of a deep random ReLU network, and a corrected closed form
========================================================================

Chapter 4 of the thesis follows a point cloud through the layers of deep
He-initialised ReLU networks and watches it collapse: units become stably on
or off, the stable rank and the spherical mean width shrink, the cloud
loses dimensions. :func:`~reluscope.geometry.depth_experiment` reproduces
that set-up (section 4.4) and :func:`~reluscope.geometry.layer_metrics`
computes the metrics of section 4.5.2, drawn here as in Figures 4.1-4.6 and
4.12.

The second part checks one closed form of section 4.3 by simulation, where
the implementation departs from the thesis (see
``reluscope.geometry.theory``): for a He-initialised layer, the mean
squared *distance* between two points on the sphere is not halved (Remark
4.3.18) but multiplied by :math:`1 - 2 n m_n^2`.
"""

# %%
# Thirty layers of width 20 on points of the circle
# -------------------------------------------------
# Two-dimensional inputs uniform on the unit circle, hidden layers of 20
# units, He initialisation (weights :math:`N(0, 2/n_{in})`), no biases.
import numpy as np

from reluscope import geometry, plot
from reluscope.geometry import theory

metrics = geometry.depth_experiment(2, 20, 30, distribution="sphere", n_samples=2000, random_state=0)
for layer in (0, 1, 5, 10, 20, 30):
    print(f"layer {layer:2d}: stable rank {metrics.stable_rank[layer]:.3f}, "
          f"spherical mean width {metrics.spherical_mean_width[layer]:.3f}, "
          f"non-zero covariance eigenvalues {metrics.n_nonzero_eigenvalues[layer]}")
print("stably off units by layer:", metrics.stably_off.tolist())

# %%
# Neuron activity, layer by layer (Figures 4.1-4.6)
# -------------------------------------------------
# The share of the inputs on which each unit is on. Deeper layers polarise:
# more units are on for every input (activity 1) or for none (activity 0).
fig = plot.activity_histograms(metrics, layers=[1, 2, 5, 10, 15, 20, 25, 30])

# %%
# The metric curves (Figure 4.12)
# -------------------------------
# Mean distance from the origin, stable rank :math:`\|X\|_F^2 / \|X\|_2^2`,
# spherical mean width :math:`E_d[\max_i d \cdot x_i - \min_i d \cdot x_i]`
# (256 random directions), non-zero covariance eigenvalues, mean number of
# active units per sample (the bound of Proposition 4.5.4 on the dimension of a
# cell's image) and stably on / off units.
fig = plot.layer_metric_curves(metrics)

# %%
# Proposition 4.5.4 holds sample by sample: the exact dimension of the image
# of each sample's cell (the rank of the Jacobian, computed for 200 samples)
# never exceeds the bound.
bound = metrics.dimension_bound[: metrics.image_dimension.shape[0]]
print(f"image dimension <= bound for every sample and layer: {(metrics.image_dimension <= bound).all()}")

# %%
# Checking the corrected distance ratio by simulation
# ---------------------------------------------------
# Draw 400 matrices :math:`M` with entries :math:`N(0, 2/n)` and, for each,
# 500 pairs :math:`x, y` uniform on :math:`S^{n-1}`. The magnitude ratio
# :math:`E|\mathrm{Relu}(Mx)|^2` should be 1 (Proposition 4.3.16 with He's
# variance: holds in the thesis). The distance ratio
# :math:`E|\mathrm{Relu}(Mx) - \mathrm{Relu}(My)|^2 / E|x - y|^2` is 1/2 in the thesis
# (Proposition 4.3.17, Remark 4.3.18) and :math:`1 - 2 n m_n^2` after the
# correction (the cross term :math:`E[\mathrm{Relu}\,x] \cdot E[\mathrm{Relu}\,y]`
# does not vanish).
rng = np.random.default_rng(0)
for n in (2, 20):
    M = rng.normal(scale=np.sqrt(2 / n), size=(400, n, n))
    x, z = (rng.normal(size=(2, 400, 500, n)))
    x /= np.linalg.norm(x, axis=-1, keepdims=True)
    z /= np.linalg.norm(z, axis=-1, keepdims=True)
    rx = np.maximum(np.einsum("kij,knj->kni", M, x), 0)
    rz = np.maximum(np.einsum("kij,knj->kni", M, z), 0)
    magnitude = (rx**2).sum(-1).mean(axis=1)  # one value per matrix
    distance = ((rx - rz) ** 2).sum(-1).mean(axis=1) / 2.0  # E|x - y|^2 = 2 on the sphere
    se = lambda v: v.std(ddof=1) / np.sqrt(v.size)
    print(f"n = {n:2d}: magnitude {magnitude.mean():.4f} +- {se(magnitude):.4f} (theory 1); "
          f"distance ratio {distance.mean():.4f} +- {se(distance):.4f} "
          f"(corrected {theory.expected_relu_distance_ratio(n, 2 / n):.4f}, thesis 0.5)")

# %%
# What the figures show
# ---------------------
# The first layer maps the circle to a curve in :math:`\mathbb{R}^{20}`: a curved
# image spans many directions, so the number of non-zero covariance
# eigenvalues jumps from 2 to 20, then falls again (to 8 at layer 30 in the
# run above) as units switch off for good. The stable rank falls towards 1:
# deep in the network most of the cloud's spread lies along one direction.
# The counts of stably-off units (never used for any point of the cloud) and
# of stably-on units (linear for the whole cloud) both grow with depth. In the simulation the magnitude is preserved as the thesis
# says, while the distance ratio agrees with the corrected value and not with
# 1/2 (for n = 20 the gap to 1/2 is dozens of standard errors). The metrics are
# computed from a sample of the cloud (exact per sample; the spherical mean
# width uses random directions), so they describe the data pushed through the
# network, not all of the input space.
