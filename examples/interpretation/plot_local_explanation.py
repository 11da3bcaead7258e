"""
An exact local explanation of one prediction
============================================

Inside its activation region the network *is* its LLM, so a prediction splits exactly into an
intercept and one contribution ``w_j x_j`` per feature, with no sampling and no approximation (the
"exact local interpretability" of the PiML/MoDeVa slides). Centred on the population mean
(``centered=True``), the contributions become ``w_j (x_j - mean_j)`` and the baseline the LLM's value
at the mean. This example explains one row of a breast-cancer classifier both ways and checks that the
parts add up to the network's logit.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.datasets import load_bundled
from reluscope.interpret import explain_instance

X, y = load_bundled("breast_cancer")  # scikit-learn's bundled copy: 569 tumours x 30 features
X = (X - X.mean()) / X.std()
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
mlp = MLPClassifier(hidden_layer_sizes=[8, 8], alpha=1.0, max_iter=1000, random_state=0).fit(X_train, y_train)
llms = reluscope.unwrap(reluscope.from_sklearn(mlp), X_train, y_train)
print(f"{llms.n_regions} LLMs for {len(X_train)} rows; max |eta - LLM| = {llms.max_error_:.1e}")

# %%
# Explain one test row
# --------------------
# :func:`reluscope.interpret.explain_instance` takes the row's own pattern, so it works for a row
# whose region was never seen in training too (``region == -1``). Here we take the first test row
# that falls in a region seen in training, so that its LLM has training rows behind it.
regions = llms.region_of(X_test)
print(f"{(regions == -1).mean():.0%} of the test rows fall in regions never seen in training")
row = X_test[regions >= 0].iloc[0]
raw = explain_instance(llms, row)
centred = explain_instance(llms, row, centered=True)
print(f"region {raw.region} ({raw.count} training rows); logit {raw.decision:.4f}, P(benign) {raw.prediction:.4f}")
print(f"intercept + sum(contributions) = {raw.intercept + raw.contributions.sum():.4f}")
print(f"baseline + sum(centred contributions) = {centred.baseline + centred.contributions.sum():.4f}")

# %%
# The figure: the 12 largest centred contributions, positive towards ``benign``.
fig, axes = plt.subplots(1, 2, figsize=(12, 5))
reluscope.plot.local_explanation(raw, ax=axes[0], max_features=12)
reluscope.plot.local_explanation(centred, ax=axes[1], max_features=12)
axes[0].set_title("uncentred: w_j x_j")
axes[1].set_title("centred: w_j (x_j - mean_j)")
fig.tight_layout()
