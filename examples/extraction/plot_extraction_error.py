"""
Recover a network from queries, and measure the extraction error
================================================================

A black box answers queries ``f(x)`` of a ReLU network with one hidden layer; we see neither its
weights nor its gradients. :func:`reluscope.extract.extract_network` finds the network's critical
points (the kinks of ``f`` along random lines), turns each kink into a first-layer hyperplane and fits
the output layer: the result is a :class:`reluscope.ReLUNetwork` equal to the black box up to a
permutation and a positive scale of the hidden neurons. We compare it with the true network
(:func:`reluscope.extract.compare_extraction`, :func:`reluscope.extract.align_networks`) and with the
thesis's own convex method (:func:`reluscope.extract.fit_local_linear`, thesis ``000`` section 3.3),
which only approximates the function.
"""

# %%
# The black box: a 10-16-1 ReLU network with He-initialised weights
# ------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

import reluscope
from reluscope.extract import QueryOracle, align_networks, compare_extraction, extract_network, fit_local_linear
from reluscope.plot.extract import recovered_weights

rng = np.random.default_rng(0)
d, h = 10, 16
secret = reluscope.ReLUNetwork(
    [rng.normal(0, np.sqrt(2 / d), (h, d)), rng.normal(0, np.sqrt(2 / h), (1, h))],
    [rng.normal(0, 0.1, h), rng.normal(0, 0.1, 1)],
)
oracle = QueryOracle(secret)  # counts every query; only f(x) is answered

# %%
# Exact extraction by critical points
# -----------------------------------
result = extract_network(oracle, n_hidden_layers=1, box=(-1.0, 1.0), random_state=0)
print(f"recovered widths {result.hidden_sizes}, {result.n_queries} queries (2^{np.log2(result.n_queries):.1f}), "
      f"{result.n_lines} lines, {result.n_kinks} kinks")

# %%
# Compare on 5,000 held-out points of the box. The weights are compared after aligning the recovered
# neurons with the true ones (a permutation and a positive scale per neuron, which no query can see).
X_test = np.random.default_rng(1).uniform(-1, 1, (5000, d))
cmp = compare_extraction(secret, result.network, X_test, n_queries=result.n_queries)
print(f"max |f - f_hat| = {cmp.max_abs_error:.1e}, max relative weight error = {cmp.max_relative_weight_error:.1e}, "
      f"pattern agreement = {cmp.pattern_agreement:.3f}, sign flips = {cmp.n_sign_flips}")
print(f"{cmp.n_joint_regions} joint activation regions met; largest LLM difference there {cmp.max_llm_difference:.1e}")
assert cmp.max_abs_error < 1e-8 and cmp.max_relative_weight_error < 1e-8

alignment = align_networks(secret, result.network)
fig, axes = plt.subplots(1, 2, figsize=(9, 4.3))
recovered_weights(alignment, secret, layer=0, ax=axes[0])
recovered_weights(alignment, secret, layer=1, ax=axes[1])
fig.tight_layout()

# %%
# The thesis's convex method on the same black box
# ------------------------------------------------
# :func:`~reluscope.extract.fit_local_linear` queries values and (finite-difference) gradients at 200
# centres, localises each linear piece to a ball and fits constant weights by least squares on 2,000
# Monte Carlo points. It approximates ``f``; it does not recover the weights.
surrogate = fit_local_linear(QueryOracle(secret), n_points=200, n_mc=2000, random_state=0)
cmp_thesis = compare_extraction(secret, surrogate, X_test, n_queries=surrogate.n_queries)
print(f"thesis surrogate: {surrogate.n_queries} queries, max |f - h| = {cmp_thesis.max_abs_error:.2f}, "
      f"mean |f - h| = {cmp_thesis.mean_abs_error:.3f}, Gershgorin rows satisfied {surrogate.gershgorin_ok.mean():.0%}")

# %%
# The error of both along one line through the box: the exact extraction lies on ``f`` to round-off.
t = np.linspace(-1, 1, 400)
direction = np.random.default_rng(2).normal(size=d)
line = t[:, None] * direction / np.abs(direction).max()
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
axes[0].plot(t, secret.decision_function(line), label="black box f", lw=2)
axes[0].plot(t, result.network.decision_function(line), "--", label="extracted (exact)")
axes[0].plot(t, surrogate.predict(line), ":", label="thesis surrogate h")
axes[0].set(xlabel="t", ylabel="output", title="f along a line")
axes[0].legend(fontsize=8)
axes[1].semilogy(t, np.abs(secret.decision_function(line) - result.network.decision_function(line)) + 1e-18, label="extracted")
axes[1].semilogy(t, np.abs(secret.decision_function(line) - surrogate.predict(line)) + 1e-18, label="thesis surrogate")
axes[1].set(xlabel="t", ylabel="|error| (+1e-18)", title="extraction error along the line")
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()
