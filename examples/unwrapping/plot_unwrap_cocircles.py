"""
Unwrap a ReLU network on CoCircles
==================================

A ReLU network is piecewise affine: every input falls in an *activation region* where the network is
one affine map, its local linear model (LLM, Theorem 1 of the unwrapping paper). This example trains
the paper's CoCircles network (scikit-learn ``MLPClassifier`` with four hidden layers of 40 units, the
authors' recipe of section 3), unwraps it on the training data, checks that the LLMs reproduce the
network to round-off, and draws the LLMs and their regions in the input plane (Figure 5 of the paper).
"""

# %%
# Train the network
# -----------------
# ``make_circles(2000, noise=0.1)`` split 80/20, the recipe of the paper's Table 1.
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import reluscope

X, y = make_circles(2000, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
mlp = MLPClassifier(
    hidden_layer_sizes=[40] * 4, max_iter=2000, early_stopping=True, validation_fraction=0.2,
    n_iter_no_change=100, random_state=0,
).fit(X_train, y_train)

# %%
# Unwrap it
# ---------
# :func:`reluscope.from_sklearn` converts the fitted MLP into the canonical
# :class:`reluscope.ReLUNetwork`; :func:`reluscope.unwrap` finds the activation pattern of every
# training row and the exact LLM ``eta(x) = w x + b`` of each distinct pattern. With the default
# ``verify=True`` it raises unless every row's LLM reproduces the network's logit.
network = reluscope.from_sklearn(mlp)
llms = reluscope.unwrap(network, X_train, y_train)
print(f"{llms.n_regions} regions (the paper's Table 1: 530)")
print(f"exactness certificate on the training rows: max |eta - LLM| = {llms.max_error_:.1e}")

# %%
# The certificate holds on new rows too: :meth:`~reluscope.LocalLinearModels.verify` builds each test
# row's LLM from that row's own pattern, seen in training or not.
print(f"on the test rows: max |eta - LLM| = {llms.verify(X_test):.1e}")
print(f"test rows whose region was never seen in training: {(llms.region_of(X_test) == -1).sum()} of {len(X_test)}")

# %%
# The region summary
# ------------------
# One row per region, largest first (the paper's Figure 10): Local AUC is the network's on the
# region's own rows, Global AUC the region's LLM applied to every training row.
summary = llms.summary()
summary.head()

# %%
# The LLMs and their regions in the input plane
# ---------------------------------------------
# Left: each region's LLM decision line ``w x + b = 0`` drawn at its region centre (Figure 5 left);
# together they trace the circular decision boundary piece by piece. Right: the activation region of
# every grid point; grey areas hold no training row, so no LLM was unwrapped there (Figure 5 middle).
field = reluscope.interpret.llm_field_2d(llms)
region_map = reluscope.diagnose.region_map_2d(llms, resolution=200)
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
reluscope.plot.llm_field(field, ax=axes[0])
reluscope.plot.region_map(region_map, llms, ax=axes[1])
fig.tight_layout()
print(f"{region_map.n_unseen_patterns} activation patterns on the grid were never seen in training")
