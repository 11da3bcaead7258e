"""
Local versus global performance and unseen test patterns
========================================================

Is an LLM strong or weak? Section 4.2 of the unwrapping paper compares each large region's *local*
performance (the network on the region's own rows) with its *global* one (the region's LLM applied to
every training row), its extrapolation strength: good locally but poor globally is "poor"
extrapolation, good on both "good", poor locally but good globally "extraordinary" (Figure 13). Figure 3
adds the test data: how many test rows fall in activation patterns never seen in training, where no
LLM was unwrapped. This example answers both for the paper's CoCircles network.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.diagnose import local_vs_global, pattern_overlap

X, y = make_circles(2000, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
mlp = MLPClassifier(hidden_layer_sizes=[40] * 4, max_iter=2000, early_stopping=True, validation_fraction=0.2,
                    n_iter_no_change=100, random_state=0).fit(X_train, y_train)
llms = reluscope.unwrap(reluscope.from_sklearn(mlp), X_train, y_train)

# %%
# The extrapolation table
# -----------------------
# An AUC counts as good from 0.7 (``auc_threshold``). Each of the 10 largest CoCircles LLMs is one
# straight cut of a ring: good on its own arc, near chance on the whole ring, "almost all" poor, as the
# paper says.
table = local_vs_global(llms, top_k=10)
print(table["Extrapolation"].value_counts().to_dict())
table

# %%
# Training versus test patterns
# -----------------------------
# :func:`reluscope.diagnose.pattern_overlap` counts the patterns of ``P_train`` and ``P_test`` and their
# intersection, and the network's test AUC on rows in seen and in unseen regions.
overlap = pattern_overlap(llms, X_test, y_test)
print(f"|P_train| = {overlap.n_train_patterns}, |P_test| = {overlap.n_test_patterns}, shared {overlap.n_shared}; "
      f"{overlap.unseen_row_share:.1%} of the test rows are unseen")
print(f"test AUC on seen rows {overlap.metric_seen:.4f}, on unseen rows {overlap.metric_unseen:.4f}")

# %%
# The figures: Figure 13 (left) and Figure 3 (right).
fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [2, 1]})
reluscope.plot.local_vs_global(table, ax=axes[0])
reluscope.plot.pattern_overlap(overlap, ax=axes[1])
fig.tight_layout()
