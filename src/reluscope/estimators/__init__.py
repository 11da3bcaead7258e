"""scikit-learn estimators that train ReLU networks (with PyTorch) straight into reluscope's canonical form.

``ReLUNetClassifier`` and ``ReLUNetRegressor`` are the L1-regularised ReLU
estimators of the PiML/MoDeVa toolboxes (``../shared/seeds/003``, ``004``):
``fit`` trains an MLP, ``network_`` is the trained :class:`reluscope.ReLUNetwork`
and every prediction is computed from it in float64.  Torch is imported only
when an estimator is fitted.
"""

from .classifier import ReLUNetClassifier
from .regressor import ReLUNetRegressor

__all__ = ["ReLUNetClassifier", "ReLUNetRegressor"]
