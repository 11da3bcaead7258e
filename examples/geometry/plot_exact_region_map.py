r"""
The exact region map of a network, and every region in a box
============================================================

A ReLU network cuts its input space into convex activation regions, the cells
of a polyhedral complex (thesis ch. 2); on each it is one affine map. The
zero set of one hidden unit is a *bent hyperplane*: a hyperplane of the
first layer, bent wherever an earlier unit switches. This example draws the
exact regions of a two-feature network (the figure type of Figure 2 of the
unwrapping paper, without sampling a grid) and counts them in two
independent ways:

* :func:`~reluscope.geometry.slice_2d` splits the polygons of a plane unit by
  unit, layer by layer (no linear programme);
* :func:`~reluscope.geometry.enumerate_regions` walks from region to region
  across facets, one linear programme per region and candidate facet.
"""

# %%
# A 2-16-16-1 classifier on the moons data
# ----------------------------------------
import numpy as np
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope import geometry, plot
from reluscope.datasets import make_moons
from reluscope.patterns import pack_patterns

X, y = make_moons(1000, noise=0.2, random_state=0)
model = MLPClassifier(hidden_layer_sizes=(16, 16), learning_rate_init=0.01, max_iter=500, random_state=0).fit(X, y)
network = reluscope.from_sklearn(model)
print(f"training accuracy {model.score(X, y):.3f}")

# %%
# The exact slice: every region in the box, with the decision boundary
# --------------------------------------------------------------------
# The input plane itself is the slice (origin 0, directions :math:`e_1, e_2`),
# so slice coordinates are the features. The black line is the decision
# boundary :math:`\eta = 0`, straight inside each region
# (:func:`~reluscope.geometry.bent_hyperplanes_2d`).
bounds = ((-2.0, 3.0), (-1.5, 2.0))
slc = geometry.slice_2d(network, [0.0, 0.0], [1.0, 0.0], [0.0, 1.0], bounds)
bent = geometry.bent_hyperplanes_2d(network, slc)
fig = plot.region_slice(slc, bent=bent, X=X, y=y)
box_area = (bounds[0][1] - bounds[0][0]) * (bounds[1][1] - bounds[1][0])
print(f"{slc.n_regions} regions; their areas add up to {slc.area.sum():.12f} (box area {box_area})")

# %%
# The same regions by enumeration
# -------------------------------
# The breadth-first search over facets works in any dimension (here d = 2 to
# compare). Both methods must find the same set of patterns.
enum = geometry.enumerate_regions(network, np.array(bounds))
same = set(map(bytes, pack_patterns(slc.patterns))) == set(map(bytes, pack_patterns(enum.patterns)))
print(f"enumeration: {enum.n_regions} regions, {enum.n_lp} linear programmes, total area {np.nansum(enum.volumes):.12f}; "
      f"same patterns as the slice: {same}")

# %%
# What sampling would see
# -----------------------
# A 501 x 501 grid over the box meets only part of the regions (thin ones slip
# between grid points), and the 1,000 training rows visit fewer still: the
# local linear models of :func:`reluscope.unwrap` describe the regions that
# the data visit, while the network is defined, and may behave differently,
# on every region of the box.
g = np.stack(np.meshgrid(np.linspace(*bounds[0], 501), np.linspace(*bounds[1], 501)), axis=-1).reshape(-1, 2)
grid_patterns = set(map(bytes, pack_patterns(network.patterns(g))))
exact_patterns = set(map(bytes, pack_patterns(slc.patterns)))
data_patterns = set(map(bytes, pack_patterns(network.patterns(X))))
print(f"grid: {len(grid_patterns)} regions, all among the exact ones: {grid_patterns <= exact_patterns}")
print(f"training rows: {len(data_patterns)} regions")

# %%
# What the figure shows
# ---------------------
# Each polygon is one activation region, i.e. one local linear model; the
# regions are small where the bent hyperplanes crowd (near the data and the
# decision boundary) and large far from the data. The slice is the fast path
# for figures (the ``regions`` benchmark measures about 10^5 regions per
# second on a 2-64-64-64-1 network); box enumeration is the general tool and
# scales with the number of regions times the number of linear programmes per
# region: hundreds of regions per second for d <= 4, tens in d = 8.
