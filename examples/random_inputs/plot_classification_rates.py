r"""
Error rates of a classifier under class-conditional Gaussian mixtures
=====================================================================

Figure 2 of *ReLU networks as random functions*: fit a Gaussian mixture to
each class of the training data, then compute the probability of each
prediction when inputs come from each class's mixture. For a binary
classifier the off-diagonal entries are the false-positive rate (class 0
predicted 1) and the false-negative rate. In each activation region the
decision "predict class 1" is one more half-space (the logit
:math:`w_\zeta \cdot x + b_\zeta > 0`), so every rate is a sum of polytope
probabilities, exact here because the inputs are two-dimensional.
"""

# %%
# A moons classifier and one mixture per class
# --------------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from sklearn.mixture import GaussianMixture as SklearnGMM
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.datasets import make_moons
from reluscope.probability import GaussianMixture, classification_rates, monte_carlo

X, y = make_moons(1000, noise=0.2, random_state=0)
model = MLPClassifier(hidden_layer_sizes=(4, 4, 4), learning_rate_init=0.01, batch_size=64, max_iter=300, random_state=0)
network = reluscope.from_sklearn(model.fit(X, y))
mixtures = {c: GaussianMixture.from_sklearn(SklearnGMM(3, covariance_type="diag", random_state=0).fit(X[y == c]))
            for c in (0, 1)}

# %%
# Computed rates, against sampling the same mixtures
# --------------------------------------------------
rates = classification_rates(network, mixtures, random_state=0)
rates

# %%
# Monte Carlo on the same mixtures: each sampled rate has a binomial
# standard error; z compares it with the computed rate.
n = 500_000
for c, mixture in mixtures.items():
    mc = monte_carlo(network, mixture, n, random_state=c + 1).predictions
    for _, row in rates[rates.true_class == c].iterrows():
        p_mc = float(mc.loc[mc.predicted_class == row.predicted_class, "probability"].iloc[0])
        se = np.sqrt(row.probability * (1 - row.probability) / n)
        print(f"true {c}, predicted {row.predicted_class}: computed {row.probability:.5f} ({row.method}), "
              f"Monte Carlo {p_mc:.5f}, z = {(p_mc - row.probability) / se:.2f}")

# %%
# The rates on the 1,000 training rows, for comparison. The mixtures only
# approximate the moons, so the two need not agree; with 500 rows a class,
# the data's rates themselves carry a sampling error of about 0.01.
pred = model.predict(X)
print(f"training data: false-positive rate {np.mean(pred[y == 0] == 1):.4f}, "
      f"false-negative rate {np.mean(pred[y == 1] == 0):.4f}")

fig, ax = plt.subplots(figsize=(5.5, 3.5))
table = rates.pivot(index="true_class", columns="predicted_class", values="probability")
im = ax.imshow(table.to_numpy(), cmap="Blues", vmin=0, vmax=1)
for (i, j), v in np.ndenumerate(table.to_numpy()):
    ax.text(j, i, f"{v:.2%}", ha="center", va="center", color="white" if v > 0.5 else "black")
ax.set_xticks(range(table.shape[1]), table.columns)
ax.set_yticks(range(table.shape[0]), table.index)
ax.set_xlabel("predicted class")
ax.set_ylabel("true class (its mixture)")
ax.set_title("Prediction probabilities under the class mixtures")
fig.tight_layout()

# %%
# What the figure shows
# ---------------------
# The diagonal is the probability of a correct prediction under each class's
# mixture, the off-diagonal entries the two error rates; they agree with
# sampling the mixtures within the Monte Carlo error. The computation is exact
# for the input model; how well the rates describe the real inputs depends on
# how well the mixtures describe the data (the paper, and the
# ``random_functions`` benchmark, find differences of about one percentage
# point between the two).
