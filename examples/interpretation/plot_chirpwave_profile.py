"""
Local linear profile of a one-feature network (ChirpWave)
=========================================================

For one feature the activation regions are intervals and the network is a chain of line segments.
The *local linear profile* (Definition 2 of the unwrapping paper) draws each region's LLM centred on
its own rows, ``w x - mean_{x_i in R} w x_i``, over the region's range, with the region's kernel
density of ``x`` below (Figure 4). This example fits a ReLU network to the paper's ChirpWave
``y = sin(2 pi / (x + 0.2)) + noise`` and draws the predicted curve and the profile of its 30 largest
regions.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.neural_network import MLPRegressor

import reluscope
from reluscope.datasets import make_chirpwave

X, y = make_chirpwave(2000, random_state=1)  # x = linspace(0, 1, 2000), noise N(0, 0.1^2)
mlp = MLPRegressor(hidden_layer_sizes=[40] * 4, max_iter=300, random_state=0).fit(X, y)
llms = reluscope.unwrap(reluscope.from_sklearn(mlp), X, y)
print(f"{llms.n_regions} LLMs, max |eta - LLM| = {llms.max_error_:.1e}")

# %%
# The profile
# -----------
# :func:`reluscope.interpret.local_profile` computes the segments and densities;
# :func:`reluscope.plot.llm_curve` draws the network with the LLMs of the shown regions (left, Figure 4
# left), :func:`reluscope.plot.local_profile` the centred segments (right). The slopes grow in
# magnitude towards ``x = 0``, where the chirp oscillates fastest.
profile = reluscope.interpret.local_profile(llms, "x1", top_k=30)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
reluscope.plot.llm_curve(profile, ax=axes[0])
reluscope.plot.local_profile(profile, ax=axes[1])
fig.tight_layout()

# %%
# The numbers behind the figure are plain arrays: the region, its count and the LLM slope.
import pandas as pd

pd.DataFrame({"region": profile.regions, "count": profile.counts, "slope": profile.slope,
              "x_min": profile.x_min, "x_max": profile.x_max}).head(8)
