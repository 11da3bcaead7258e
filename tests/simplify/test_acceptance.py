"""Acceptance of issue 4 on a trained network: a CoCircles Merge-Net is small and nearly as good."""

from __future__ import annotations

import warnings

import pytest
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

import reluscope
from reluscope.datasets import make_cocircles
from reluscope.simplify import MergedModel, flatten
from reluscope.simplify._train import train_relu, uniform_init
from tests.simplify import one_torch_thread


_torch_threads = pytest.fixture(autouse=True)(one_torch_thread)


@pytest.mark.slow
def test_cocircles_merge_net_has_few_clusters_and_close_auc():
    X, y = make_cocircles(1200, random_state=0)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    w, b = uniform_init([2, 30, 30, 1], 0)
    w, b, _ = train_relu(w, b, Xtr, ytr.astype(float), "binary", batch_size=1000, max_epochs=400, patience=400, learning_rate=2e-2, random_state=0)
    net = reluscope.ReLUNetwork(w, b, output="sigmoid", classes=[0, 1])
    auc_net = roc_auc_score(yte, net.forward(Xte))
    assert auc_net > 0.85  # the network learned the circles
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # one-class clusters keep the network mean LLM
        m = MergedModel(net, random_state=0).fit(Xtr, ytr)
    assert m.llms_.n_regions > 50 and m.n_clusters_ <= 20
    auc_merge = roc_auc_score(yte, m.predict_proba(Xte)[:, 1])
    assert auc_merge >= auc_net - 0.05
    f = flatten(m, Xtr, ytr, max_epochs=0)
    assert f.network_init_.hidden_sizes == (m.n_clusters_,)
