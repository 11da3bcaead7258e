"""
Unwrap, Monte Carlo and region enumeration on Dask: the same numbers as in memory
=================================================================================

:func:`reluscope.unwrap` accepts a ``dask.array.Array`` (or a ``dask.dataframe.DataFrame``) and runs
out of core: each block computes its activation patterns, its exactness check and per-pattern
sufficient statistics, a tree of merges combines them and the local linear models are computed once
per distinct pattern (:func:`reluscope.scale.unwrap_dask`). The result holds the same regions, counts,
coefficients and summary as the in-memory unwrap. The Monte Carlo validator
(:func:`reluscope.scale.monte_carlo_dask`) and the exact region enumeration
(:func:`reluscope.scale.enumerate_regions_dask`) run as Dask tasks too.

This page uses Dask's threaded scheduler on this machine; with ``dask.distributed`` the same calls run
on a ``LocalCluster`` or on a cluster's scheduler (:func:`reluscope.scale.connect`), unchanged.
"""

# %%
import dask
import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.datasets import make_cocircles

X, y = make_cocircles(20_000, noise=0.1, random_state=0)
model = MLPClassifier(hidden_layer_sizes=[8, 8], max_iter=2000, random_state=0).fit(X[:2000], y[:2000])
net = reluscope.from_sklearn(model)

# %%
# Unwrap in memory and on Dask (8 blocks of 2,500 rows)
# -----------------------------------------------------
in_memory = reluscope.unwrap(net, X, y)
with dask.config.set(scheduler="threads"):
    on_dask = reluscope.unwrap(net, da.from_array(X, chunks=(2500, 2)), da.from_array(y, chunks=2500))
print(type(on_dask).__name__, "- regions:", on_dask.n_regions, "in memory:", in_memory.n_regions)
print(f"max |f(x) - LLM(x)| checked on every block: {on_dask.max_error_:.1e}")
same = (np.array_equal(on_dask.count_, in_memory.count_) and np.array_equal(on_dask.pattern_keys_, in_memory.pattern_keys_)
        and np.allclose(on_dask.coef_, in_memory.coef_, rtol=0, atol=1e-12))
print("same regions, counts and coefficients:", same)
assert same

# %%
# The per-row results stay lazy Dask arrays; the per-region numbers are NumPy arrays.
print(type(on_dask.labels_).__name__, on_dask.labels_.chunks[0][:3], "...")
print("region of every row equal:", bool(np.array_equal(on_dask.labels_.compute(), in_memory.labels_)))
with dask.config.set(scheduler="threads"):
    summary_dask = on_dask.summary()
summary_mem = in_memory.summary()
numeric = summary_mem.select_dtypes("number").columns
print("largest difference between the two summaries:",
      float(np.nanmax(np.abs(summary_dask[numeric].to_numpy(float) - summary_mem[numeric].to_numpy(float)))))
summary_dask.head()

# %%
# Distributed Monte Carlo: independent of the number of workers
# -------------------------------------------------------------
# The samples are cut into blocks; block ``j`` draws from its own stream
# ``SeedSequence(random_state).spawn(n_blocks)[j]`` and the integer counts are added in a fixed tree,
# so one thread and four threads give the same numbers, digit for digit.
from reluscope.probability import GaussianMixture
from reluscope.scale import enumerate_regions_dask, monte_carlo_dask

noise = GaussianMixture.normal(mean=[0.5, 0.0], covariance=0.05)
runs = {}
for scheduler in ("synchronous", "threads"):
    with dask.config.set(scheduler=scheduler, num_workers=4):
        runs[scheduler] = monte_carlo_dask(net, noise, 200_000, points=[0.0], block_size=25_000, random_state=0)
mc = runs["threads"]
print(f"P(eta <= 0) = {mc.cdf[0]:.4f} +- {mc.cdf_std_error[0]:.4f}; {len(mc.pmf)} patterns")
print("synchronous == threads:", bool(np.array_equal(runs["synchronous"].pmf["count"], mc.pmf["count"])
                                      and runs["synchronous"].cdf[0] == mc.cdf[0]))

# %%
# Exact region enumeration over sub-boxes
# ---------------------------------------
# The box is cut into 2 x 2 sub-boxes, each enumerated as one task; a region cut by a split line is
# joined from its pieces. The set of regions is that of the single-process search.
#
# Here the sub-boxes run on Dask's threaded scheduler (each thread keeps its own HiGHS model); on a
# ``dask.distributed`` cluster they run on the worker processes.
from reluscope.geometry import enumerate_regions
from reluscope.geometry.polytope import polygon_vertices

box = np.array([[-1.5, 1.5], [-1.5, 1.5]])
with dask.config.set(scheduler="threads"):
    split = enumerate_regions_dask(net, box, splits=2)
single = enumerate_regions(net, box)
same_set = {p.tobytes() for p in split.patterns} == {p.tobytes() for p in single.patterns}
print(f"{split.n_regions} regions from {split.stats['pieces']} pieces in {split.stats['sub_boxes']} sub-boxes; "
      f"single process: {single.n_regions}; same patterns: {same_set}")

fig, ax = plt.subplots(figsize=(5, 5))
colors = plt.get_cmap("tab20")
for i, region in enumerate(split.regions):
    poly = polygon_vertices(region.A, region.b, box, region.center)
    ax.fill(poly[:, 0], poly[:, 1], color=colors(i % 20), alpha=0.7, lw=0.3, ec="k")
ax.axhline(0, color="k", ls="--", lw=1)
ax.axvline(0, color="k", ls="--", lw=1)
ax.set(title=f"{split.n_regions} exact regions (dashed: sub-box boundaries)", xlabel="x1", ylabel="x2", aspect="equal")
plt.show()
