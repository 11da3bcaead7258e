"""
Parallel coordinates and the spread of LLM coefficients (BostonHouse)
=====================================================================

Each LLM is a vector of coefficients; the parallel coordinate plot draws every LLM as one line across
the feature axes (Figures 8-9 of the unwrapping paper), leaving out the single-instance and
single-class regions whose LLMs no data support. A feature whose lines stay on one side of zero has a
monotone effect; lines crossing zero mean a non-linear effect or an interaction. The violin plot
(PiML's ``llm_violin``) shows the same coefficients as distributions, each region weighted by its rows.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from mlxtend.data import boston_housing_data
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import MinMaxScaler

import reluscope
from reluscope.interpret import coefficient_violin, parallel_coordinates

NAMES = ["CRIM", "ZN", "INDUS", "CHAS", "NOX", "RM", "AGE", "DIS", "RAD", "TAX", "PTRATIO", "B", "LSTAT"]
X, y = boston_housing_data()
X = pd.DataFrame(MinMaxScaler().fit_transform(X), columns=NAMES)
y = MinMaxScaler().fit_transform(y.reshape(-1, 1)).ravel()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
mlp = MLPRegressor(hidden_layer_sizes=[20] * 2, max_iter=2000, early_stopping=True, validation_fraction=0.2,
                   n_iter_no_change=100, random_state=0).fit(X_train, y_train)
llms = reluscope.unwrap(reluscope.from_sklearn(mlp), X_train, y_train)

# %%
# The data of the plot
# --------------------
# :func:`reluscope.interpret.parallel_coordinates` keeps the 10 most important features (eq. 18) and
# drops degenerate regions (``exclude_degenerate=True``, as the paper does).
pc = parallel_coordinates(llms, top_features=10, include_intercept=True)
print(f"{len(pc.coefficients)} of {pc.n_regions_total} LLMs drawn, {len(pc.excluded_regions)} degenerate ones left out")
signs = pd.DataFrame({"positive": (pc.coefficients > 0).mean(), "negative": (pc.coefficients < 0).mean()})
signs.round(2).T

# %%
# The shares above count each drawn LLM once. RM (rooms) raises the price in most regions and LSTAT
# (lower-status population) lowers it in most, but neither sign is the same everywhere: the effects
# are not monotone over the whole data, which a validator would check against business sense.
for f in ["RM", "LSTAT"]:
    c = pc.coefficients[f]
    print(f"{f}: negative in {(c < 0).sum()} of {len(c)} LLMs, coefficients in [{c.min():.3f}, {c.max():.3f}]")

# %%
# The figures
# -----------
fig, axes = plt.subplots(2, 1, figsize=(11, 8.5))
reluscope.plot.parallel_coordinates(pc, ax=axes[0])
reluscope.plot.coefficient_violin(coefficient_violin(llms, top_features=10), ax=axes[1])
fig.tight_layout()
