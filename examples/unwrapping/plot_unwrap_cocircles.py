"""
Unwrap a ReLU network on CoCircles
==================================

Train a small ReLU network, unwrap it into its exact local linear models and check exactness.
"""

# %%
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.datasets import make_cocircles

X, y = make_cocircles(1000, noise=0.1, random_state=0)
model = MLPClassifier(hidden_layer_sizes=[8, 8], max_iter=500, random_state=0).fit(X, y)
llms = reluscope.unwrap(reluscope.from_sklearn(model), X, y)
print(llms.n_regions, llms.max_error_)
llms.summary().head()
