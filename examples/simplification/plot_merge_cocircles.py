"""
Merged regions and Wald inference on CoCircles
==============================================

The paper's CoCircles network has 530 regions, 85% of them single-class. Merging them (Algorithm 1 of
the unwrapping paper) leaves a handful of clusters, each with one logistic regression refitted on its
rows; with an unpenalised refit each coefficient has a Wald test: ``Sigma = (X^T W X)^{-1}`` with
``W = diag(p_i (1 - p_i))``, ``z_j = beta_j / sqrt(Sigma_jj)`` against ``N(0, 1)`` (section 5.2, Table 2).
This example merges the network, draws the merged regions over the plane (Figure 15) and the two largest
clusters with their training rows (Figure 18), and prints their Wald tables.
"""

# %%
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import make_circles
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.simplify import MergedModel, merged_regions, wald_inference

X, y = make_circles(2000, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
mlp = MLPClassifier(hidden_layer_sizes=[40] * 4, max_iter=2000, early_stopping=True, validation_fraction=0.2,
                    n_iter_no_change=100, random_state=0).fit(X_train, y_train)
network = reluscope.from_sklearn(mlp)

# %%
# Merge
# -----
# Defaults: ``K`` chosen on the grid ``{1..10, 15, 20}`` by hold-out AUC, ``tau = 30``, Ward linkage,
# ``refit='glm'`` (an unpenalised logistic regression, so that the Wald tests below are valid).
# Clusters holding one class cannot be refitted; they keep the row-weighted mean of their exact LLMs,
# and a warning says so.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    merged = MergedModel(network, random_state=0).fit(X_train, y_train)
for w in caught:
    print("warning:", w.message)
print("refit status:", merged.refit_status_)
print(f"{merged.llms_.n_regions} LLMs -> {merged.n_clusters_} clusters (K = {merged.best_n_clusters_})")
print(f"test AUC: network {roc_auc_score(y_test, network.decision_function(X_test)):.4f}, "
      f"Merge-Net {roc_auc_score(y_test, merged.decision_function(X_test)):.4f}")
merged.cluster_summary().round(3)

# %%
# Wald tables of the two largest clusters (Table 2)
# -------------------------------------------------
# :func:`reluscope.simplify.wald_inference` refits each cluster with statsmodels and returns one
# row per (cluster, term). Each cluster's model is one straight cut of the ring: the intercept and the
# slope across the cluster's arc are significant, while cluster 1's ``x2`` coefficient is not (its
# interval covers 0): on that arc the ring is cut along ``x1`` alone.
wald = wald_inference(merged)
print("clusters without a refit (one class or too few rows):", wald.attrs["skipped"])
wald.loc[[0, 1]].round(4)

# %%
# The figures
# -----------
# Left: the cluster of every point of the plane (a point in a pattern never seen in training takes
# the cluster of the nearest region centre), the data over it (Figure 15). Right: the two largest
# clusters, their rows and decision lines (Figure 18).
grid = merged_regions(merged, resolution=200)
fig, axes = plt.subplots(1, 2, figsize=(12, 5.5))
reluscope.plot.merged_regions(grid, ax=axes[0])
reluscope.plot.merged_cluster(grid, clusters=(0, 1), ax=axes[1])
fig.tight_layout()
