"""
Fewer regions by L1 regularisation: the ReLU-Net estimator
==========================================================

The PiML/MoDeVa toolboxes simplify a ReLU network *while training it*: an L1 penalty on the weights,
``mean loss + lambda * sum_l sum |W^(l)|`` (biases unpenalised), drives weights to zero, so fewer hidden
units switch state over the data and the network has fewer activation regions, fewer LLMs to read.
:class:`reluscope.ReLUNetClassifier` is that estimator, trained with PyTorch and kept as an exact
float64 :class:`reluscope.ReLUNetwork`. This example trains it on CoCircles at four penalties and
counts the regions and the test AUC.
Too large a penalty kills the fit: the last one shows what that looks like.
"""

# %%
import matplotlib.pyplot as plt
from sklearn.datasets import make_circles
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

import reluscope
from reluscope import ReLUNetClassifier
# sphinx_gallery_start_ignore
# Tiny networks train fastest on one thread (on a busy machine, several threads mostly wait for each
# other); the previous setting is restored at the end of the example.
import torch

_torch_threads = torch.get_num_threads()
torch.set_num_threads(1)
# sphinx_gallery_end_ignore

X, y = make_circles(2000, noise=0.1, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)

# %%
# Four penalties
# ---------------
# Each fit is an ordinary scikit-learn estimator; ``network_`` is the trained network, and the
# estimator predicts from it, so unwrapping ``network_`` explains exactly the model that predicts.
results = {}
for l1 in [0.0, 3e-4, 1e-3, 3e-3]:
    clf = ReLUNetClassifier((20, 20), l1_reg=l1, learning_rate=0.01, max_epochs=100, patience=10, random_state=0)
    clf.fit(X_train, y_train)
    llms = reluscope.unwrap(clf.network_, X_train, y_train)
    auc = roc_auc_score(y_test, clf.predict_proba(X_test)[:, 1])
    results[l1] = llms
    print(f"l1_reg={l1:g}: {llms.n_regions:4d} regions, test AUC {auc:.4f}, {clf.n_iter_} epochs, "
          f"max |eta - LLM| = {llms.max_error_:.1e}")

# %%
# The LLMs of the unpenalised and the penalised network
# -----------------------------------------------------
# Up to ``1e-3`` the penalty removes more than half of the regions at the same test AUC; at ``3e-3``
# the weights are pushed to zero faster than the data pull them back and the fit is lost (early
# stopping ends it after a few epochs). Each short line below is one region's LLM decision line at its
# region centre (Figure 5 left of the unwrapping paper).
fig, axes = plt.subplots(1, 2, figsize=(11, 5))
for ax, l1 in zip(axes, [0.0, 1e-3]):
    reluscope.plot.llm_field(reluscope.interpret.llm_field_2d(results[l1]), ax=ax)
    ax.set_title(f"l1_reg = {l1:g}: {results[l1].n_regions} regions")
fig.tight_layout()

# sphinx_gallery_start_ignore
torch.set_num_threads(_torch_threads)
# sphinx_gallery_end_ignore
