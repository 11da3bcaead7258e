"""
Degenerate regions and the polar coordinate plot
================================================

Section 4.1 of the unwrapping paper asks of each LLM: is it large or small, unique or duplicate? The
polar coordinate plot answers both (Figure 12): a region's LLM coefficients give the angle (their own
direction for two features, their first two principal components for more), its count the radius.
Single-instance and single-class regions, whose LLMs no data support, are marked; they crowd the
centre. The paper finds them to be 84.9% of the CoCircles regions and 52.9% of the BostonHouse ones;
this example trains both networks by the paper's recipe and recomputes the shares.
"""

# %%
import matplotlib.pyplot as plt
import pandas as pd
from mlxtend.data import boston_housing_data
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import MinMaxScaler

import reluscope
from reluscope.diagnose import degenerate_share, polar_coordinates, region_flags

RECIPE = dict(max_iter=2000, early_stopping=True, validation_fraction=0.2, n_iter_no_change=100, random_state=0)

X, y = make_circles(2000, noise=0.1, random_state=0)
X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
mlp = MLPClassifier(hidden_layer_sizes=[40] * 4, **RECIPE).fit(X_train, y_train)
circles = reluscope.unwrap(reluscope.from_sklearn(mlp), X_train, y_train)

NAMES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT"]
X, y = boston_housing_data()
X = pd.DataFrame(MinMaxScaler().fit_transform(X), columns=NAMES)
y = MinMaxScaler().fit_transform(y.reshape(-1, 1)).ravel()
X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0)
mlp = MLPRegressor(hidden_layer_sizes=[20] * 2, **RECIPE).fit(X_train, y_train)
boston = reluscope.unwrap(reluscope.from_sklearn(mlp), X_train, y_train)

# %%
# Degenerate regions
# ------------------
# :func:`reluscope.diagnose.region_flags` flags each region; :func:`~reluscope.diagnose.degenerate_share`
# gives the share of regions (the paper's number) or, with ``weighted=True``, of training rows.
for name, llms, paper in [("CoCircles", circles, 0.849), ("BostonHouse", boston, 0.529)]:
    print(f"{name}: {llms.n_regions} regions, {degenerate_share(llms):.1%} degenerate (paper {paper:.1%}), "
          f"holding {degenerate_share(llms, weighted=True):.1%} of the rows")
region_flags(circles).tail()

# %%
# The polar coordinate plots
# --------------------------
# For CoCircles the directions scatter round the whole circle: the LLMs follow the ring, each facing
# outwards from its own arc. Points on one ray are LLMs equal up to a scale factor, candidates for
# merging (section 5); for BostonHouse the directions are those of the first two principal components
# of the coefficients. In both, the degenerate regions sit at the centre: they hold a row or a class each.
fig, axes = plt.subplots(1, 2, figsize=(11, 5.5), subplot_kw={"projection": "polar"})
reluscope.plot.polar_coordinates(polar_coordinates(circles), ax=axes[0])
reluscope.plot.polar_coordinates(polar_coordinates(boston, random_state=0), ax=axes[1])
axes[0].set_title("CoCircles")
axes[1].set_title("BostonHouse (PC1, PC2)")
fig.tight_layout()
