r"""
Stability radius and the exact counterfactual, against grid search
==================================================================

Two questions a validator asks about one decision:

* **How far can the input move before its explanation changes?** Inside its
  activation region the network *is* one local linear model, so the answer is
  the distance from :math:`x` to the nearest facet of the region: the stability
  radius.
* **What is the smallest change that flips the decision?** The exact minimal
  counterfactual: the closest input of the other class, found region by region
  with one convex programme each, and proved optimal.

This example computes both for a two-feature network (so everything can be
drawn) and checks them against brute force on a dense grid.
"""

# %%
# A small classifier on the moons data
# ------------------------------------
import numpy as np
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope import certify, plot
from reluscope.datasets import make_moons

X, y = make_moons(600, noise=0.2, random_state=0)
model = MLPClassifier(hidden_layer_sizes=(12, 12), learning_rate_init=0.01, max_iter=500, random_state=0).fit(X, y)
network = reluscope.from_sklearn(model)
print(f"training accuracy {model.score(X, y):.3f}")

# %%
# The certificate figure
# ----------------------
# :func:`~reluscope.certify.region_view` gathers what
# :func:`reluscope.plot.certificate` draws: the region of ``x`` (outlined), the
# ball of the stability radius (dashed) touching the nearest facet (thick), and
# the arrow to the minimal L2 counterfactual, over the decision map. The point
# is a training row between the two moons whose region is large enough to see.
x = X[277]
box = np.array([[-2.0, 3.0], [-1.5, 2.0]])
view = certify.region_view(network, x, box, norm=2)
fig = plot.certificate(view)
st, cf = view.stability, view.counterfactual
print(f"stability radius {st.radius[0]:.4f} (unit {st.unit_in_layer[0]} of hidden layer {st.layer[0]})")
print(f"counterfactual at distance {cf.distance:.4f}, optimal: {cf.optimal}, "
      f"{cf.regions_visited} regions searched with {cf.programmes} convex programmes")

# %%
# The radius varies a lot from row to row: many rows sit within a hair of a
# facet, so "the" local explanation of such a row holds only in a tiny ball.
radii = certify.stability_radius(network, X).radius
print("stability radius over the training rows: 10%, 50%, 90% quantiles", np.round(np.quantile(radii, [0.1, 0.5, 0.9]), 4))

# %%
# Check the stability radius
# --------------------------
# Every point of the circle of radius :math:`0.999\,r` around ``x`` must keep
# the pattern of ``x``; the closest facet point, pushed out by a hair, must
# not.
r = st.radius[0]
angles = np.linspace(0, 2 * np.pi, 3600, endpoint=False)
circle = x + 0.999 * r * np.column_stack([np.cos(angles), np.sin(angles)])
same = (network.patterns(circle) == st.patterns[0]).all(axis=1)
beyond = x + (r + 1e-6) * st.direction[0]
print(f"{same.mean():.0%} of 3,600 points at 0.999 r keep the pattern; "
      f"just past the facet the pattern changes: {not (network.patterns(beyond[None]) == st.patterns[0]).all()}")

# %%
# Check the counterfactual against grid search
# --------------------------------------------
# The brute-force answer: evaluate the network on a 1001 x 1001 grid over the
# box and take the nearest grid point of the other class. It can never beat the
# exact minimum, and can miss it by at most half a grid diagonal.
g0, g1 = np.linspace(*box[0], 1001), np.linspace(*box[1], 1001)
grid = np.stack(np.meshgrid(g0, g1), axis=-1).reshape(-1, 2)
other = model.predict(grid) != model.predict(x[None])[0]
dist = np.linalg.norm(grid[other] - x, axis=1)
half_diag = 0.5 * np.hypot(g0[1] - g0[0], g1[1] - g1[0])
print(f"exact {cf.distance:.5f}; grid search {dist.min():.5f} "
      f"(difference {dist.min() - cf.distance:.1e}, half grid diagonal {half_diag:.1e})")
cf.changes(["x1", "x2"])

# %%
# What the figure shows
# ---------------------
# The stability radius is a property of the *explanation*: within it, the local
# linear model of ``x`` holds unchanged. The counterfactual is a property of the
# *decision*. They are different numbers: for this row the decision boundary
# crosses the region of ``x`` itself, so the counterfactual lies inside the
# region, closer than its nearest facet; for a row far from the boundary it
# lies several regions away and the search visits each of them. Grid search
# needs a million forward passes in two dimensions and does not scale with
# the dimension; the region search solves a few quadratic programmes and
# returns a proof of optimality (:func:`~reluscope.certify.counterfactual`).
