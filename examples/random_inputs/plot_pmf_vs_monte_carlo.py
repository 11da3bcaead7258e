"""
Pattern PMF and output CDF under input noise, against Monte Carlo
=================================================================

Under a random input a ReLU network is a random *affine* function: the input
lands in one activation region, and the network is that region's affine map.
This example reproduces Figure 1 of *ReLU networks as random functions*
(Chaudhari & Moura): a 2-4-4-4-1 network trained on the moons data, two test
points perturbed by isotropic Gaussian noise :math:`N(x_i, 0.5 I)`, and

* the probability mass function of the activation pattern (Proposition 1),
  computed exactly region by region, beside a Monte Carlo estimate;
* the CDF of the output logit (Proposition 3), computed beside Monte Carlo.

See :doc:`/user_guide/random_inputs` for the equations.
"""

# %%
# Train the network of the paper's section 5.1
# --------------------------------------------
# Appendix B of the paper: 1,000 moons points with noise 0.2, three hidden
# layers of 4 ReLU units, Adam with learning rate 0.01 and batches of 64.
import numpy as np
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope import plot
from reluscope.datasets import make_moons
from reluscope.probability import GaussianMixture, frame_patterns, monte_carlo, output_cdf, pattern_pmf

X, y = make_moons(1000, noise=0.2, random_state=0)
model = MLPClassifier(hidden_layer_sizes=(4, 4, 4), learning_rate_init=0.01, batch_size=64, max_iter=300, random_state=0)
model.fit(X, y)
network = reluscope.from_sklearn(model)
print(f"training accuracy {model.score(X, y):.3f}; {network.n_hidden_units} hidden units")

# %%
# The PMF of the activation pattern at one noisy test point
# ---------------------------------------------------------
# With two inputs every region is a polygon, and its Gaussian mass is exact
# (triangles from the mean and Owen's T function); ``method`` says so and
# ``std_error`` is then a round-off bound. ``pattern_pmf`` enumerates every
# region the noise can reach: the masses add up to 1.
x1, x2 = X[3], X[10]
noise_1 = GaussianMixture.normal(x1, 0.5)
pmf = pattern_pmf(network, noise_1, random_state=0)
print(f"{len(pmf)} patterns, total mass {pmf.attrs['mass']:.15f}, complete: {pmf.attrs['complete']}")
pmf.head(8)

# %%
# Monte Carlo with the same noise
# -------------------------------
# :func:`~reluscope.probability.monte_carlo` samples the input, runs the
# network and counts patterns and output values. If the computed PMF is right,
# each sampled frequency differs from it by a binomial error with standard
# deviation :math:`\sqrt{p(1-p)/n}`, so the z-scores below should look like
# standard normal draws (about 5% beyond 2 in absolute value).
n = 200_000
t = np.linspace(-30, 25, 56)
mc_1 = monte_carlo(network, noise_1, n, points=t, random_state=1)
p_mc, _ = mc_1.pmf_lookup(frame_patterns(pmf))
p = pmf["probability"].to_numpy()
seen = p > 0
z = (p_mc[seen] - p[seen]) / np.sqrt(p[seen] * (1 - p[seen]) / n)
print(f"largest |computed - Monte Carlo| = {np.abs(p - p_mc).max():.2e}")
print(f"z-scores: max |z| = {np.abs(z).max():.2f}, {(np.abs(z) > 2).sum()} of {z.size} beyond 2")

fig = plot.pattern_pmf(pmf, mc_1, top=20)
fig.tight_layout()

# %%
# The output CDF at both test points
# ----------------------------------
# On each region the logit :math:`\eta = w_\zeta \cdot x + b_\zeta` is affine, so
# :math:`P(\eta \le t)` is a sum over regions of the mass of the region cut by one
# more half-space (the proof of Proposition 3). The band is two standard errors
# of the computation (round-off here), the dashed line the Monte Carlo CDF.
# The printed z-scores compare them at 56 points with the binomial standard
# error of the sampled CDF; the largest of 56 such (correlated) scores is
# typically between 2 and 3 when the computation is right.
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(11, 4))
for ax, x in zip(axes, (x1, x2)):
    noise = GaussianMixture.normal(x, 0.5)
    cdf = output_cdf(network, noise, t, random_state=0)
    mc = mc_1 if x is x1 else monte_carlo(network, noise, n, points=t, random_state=2)
    plot.output_cdf(cdf, mc, ax=ax)
    F = np.clip(cdf.cdf, 1e-12, 1 - 1e-12)
    z_cdf = (mc.cdf - cdf.cdf) / np.sqrt(F * (1 - F) / n)
    print(f"x = {np.round(x, 2)}: max |CDF - MC| = {np.abs(cdf.cdf - mc.cdf).max():.1e}, max |z| = {np.abs(z_cdf).max():.2f}")
    ax.set_title(f"output CDF at x = ({x[0]:.2f}, {x[1]:.2f})")
fig.tight_layout()

# %%
# What the figures show
# ---------------------
# A few affine pieces carry most of the probability: the noisy input is
# handled by a handful of local linear models, whose probabilities are now
# known without sampling. The CDF is that of a mixture of truncated Gaussians
# (Proposition 2): flat stretches and kinks appear where the output of one
# region stops and another starts. The Monte Carlo curves agree within their
# sampling error; the computation takes a fraction of the time of the 200,000
# samples (see the ``random_functions`` benchmark for timings at 10^6 samples).
