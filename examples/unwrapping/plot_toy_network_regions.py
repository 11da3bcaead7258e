"""
Theorem 1 and Lemma 1 by hand on the paper's toy network
=========================================================

The unwrapping paper illustrates activation regions with a toy network of two inputs and hidden
layers of 2 and 4 units whose weights are given in its eq. (7) (Figures 1-2). This example builds that
network with :func:`reluscope.from_arrays`, writes one region's local linear model out as the matrix
product of Theorem 1 and checks it against reluscope's, checks the region's half-spaces of Lemma 1
against the activation pattern of a grid of points, and draws the 22 regions of the box
``[-1, 1]^2`` with the one region's polygon.
"""

# %%
# The toy network of eq. (7)
# --------------------------
# The paper gives the hidden layers only; we add the output layer ``w^(2) = (1, -2, 3, -4)``,
# ``b^(2) = 0`` so that the LLMs differ between regions.
import matplotlib.pyplot as plt
import numpy as np

import reluscope
from reluscope import geometry

W0 = np.array([[-1.0, 1.0], [1.0, 1.0]]) / np.sqrt(2)
b0 = np.zeros(2)
W1 = np.array([[1, 1 / 4], [1 / 2, 1 / 3], [1 / 3, 1 / 2], [1 / 4, 1]])
b1 = -0.3 * np.ones(4)
W2 = np.array([[1.0, -2.0, 3.0, -4.0]])
b2 = np.zeros(1)
net = reluscope.from_arrays([W0, W1, W2], [b0, b1, b2])

# %%
# Theorem 1 written out
# ---------------------
# A point ``x`` fixes the activation pattern ``P = [P^(1); P^(2)]``; with ``D^(l) = diag(P^(l))`` the
# network on the region of ``P`` is ``eta(x) = w x + b`` with ``w = W^(2) D^(2) W^(1) D^(1) W^(0)`` and
# ``b = W^(2) D^(2) W^(1) D^(1) b^(0) + W^(2) D^(2) b^(1) + b^(2)`` (eq. 13).
x = np.array([[0.1, 0.9]])
P = net.patterns(x)[0]
D1, D2 = np.diag(P[:2].astype(float)), np.diag(P[2:].astype(float))
w_hand = W2 @ D2 @ W1 @ D1 @ W0
b_hand = W2 @ D2 @ W1 @ D1 @ b0 + W2 @ D2 @ b1 + b2
coef, intercept = net.affine_map(P)
print("pattern", P.astype(int), "| w by hand", w_hand.ravel().round(4), "| reluscope", coef.ravel().round(4))
print(f"largest difference: {max(np.abs(w_hand - coef).max(), np.abs(b_hand - intercept).max()):.1e}")

# %%
# Lemma 1: the region is an intersection of half-spaces
# -----------------------------------------------------
# Row ``i`` of ``A x <= c`` is ``(-1)^{P_i} z_i(x) <= 0`` with ``z_i`` the unit's pre-activation, an
# affine function of ``x`` inside the region (eq. 8). Every grid point with pattern ``P`` satisfies all
# rows; every other point violates at least one. Points where a pre-activation is exactly 0 lie on
# the boundary: the closed inequalities hold there while the unit counts as "off" (on iff ``z > 0``).
A, c = net.region_inequalities(P)
s = np.linspace(-1, 1, 401)
grid = np.stack(np.meshgrid(s, s), -1).reshape(-1, 2)
same = (net.patterns(grid) == P).all(axis=1)
inside = (grid @ A.T <= c + 1e-12).all(axis=1)
differ = same != inside
slack = np.abs(grid[differ] @ A.T - c).min(axis=1).max() if differ.any() else 0.0
print(f"{same.sum()} grid points have the pattern; the inequalities disagree on {differ.sum()} points, "
      f"each within {slack:.0e} of a boundary")

# %%
# The exact regions of the box
# ----------------------------
# :func:`reluscope.geometry.slice_2d` splits the box layer by layer into the exact polygons (the
# construction of Figure 2); the paper counts 22 regions: 11 in the top quadrant, 5 in the left and
# right ones and 1 in the bottom (trivial) one.
slc = geometry.slice_2d(net, np.zeros(2), np.array([1.0, 0.0]), np.array([0.0, 1.0]))
print(f"{len(slc.area)} regions, areas summing to {slc.area.sum():.6f} (the box has area 4)")

# %%
# On the left, the 22 regions; on the right, the region of ``x = (0.1, 0.9)`` as the polygon of its
# non-redundant half-spaces (:func:`reluscope.diagnose.region_polygon_2d` after unwrapping on the grid).
llms = reluscope.unwrap(net, grid)
region = int(llms.region_of(x)[0])
polygon = reluscope.diagnose.region_polygon_2d(llms, region, box=[[-1, 1], [-1, 1]])
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
reluscope.plot.region_slice(slc, ax=axes[0])
reluscope.plot.region_polygon(polygon, ax=axes[1], show_data=False)
fig.tight_layout()
print(f"region {region}: {len(polygon.boundaries.c)} non-redundant half-spaces of {len(c)}, area {polygon.area:.4f}")
