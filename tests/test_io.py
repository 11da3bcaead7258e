import pickle

import numpy as np
import pytest
import torch
from sklearn.neural_network import MLPClassifier

import reluscope
from reluscope.errors import InvalidInputError, UntrustedFileError
from reluscope.io import load_model


@pytest.fixture(scope="module")
def mlp():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = (X[:, 0] > 0).astype(int)
    return MLPClassifier(hidden_layer_sizes=(6, 6), max_iter=50, random_state=0).fit(X, y), X


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_pickles_need_explicit_trust(tmp_path, mlp):
    model, X = mlp
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model))
    with pytest.raises(UntrustedFileError, match="trust_pickle=True"):
        load_model(path)
    net = load_model(path, trust_pickle=True)
    assert np.max(np.abs(net.forward(X) - model.predict_proba(X)[:, 1])) < 1e-12


def test_npz_roundtrip_and_output_override(tmp_path):
    net = reluscope.from_arrays([np.ones((2, 2)), np.ones((1, 2))], [np.zeros(2), np.zeros(1)])
    p = net.save(tmp_path / "n.npz")
    assert load_model(p) == net
    assert load_model(p, output="sigmoid").output == "sigmoid"


def test_torch_state_dict_loads_with_weights_only(tmp_path):
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 1)).double()
    path = tmp_path / "m.pt"
    torch.save(module.state_dict(), path)
    net = load_model(path)
    X = np.random.default_rng(0).normal(size=(30, 3))
    with torch.no_grad():
        ref = module(torch.from_numpy(X)).numpy()[:, 0]
    assert np.max(np.abs(net.forward(X) - ref)) < 1e-12
    # a whole pickled module is refused without trust
    torch.save(module, tmp_path / "full.pt")
    with pytest.raises(UntrustedFileError, match="trust"):
        load_model(tmp_path / "full.pt")


def test_state_dict_with_other_tensors_is_refused(tmp_path):
    module = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(), torch.nn.Linear(5, 1))
    torch.save(module.state_dict(), tmp_path / "bn.pt")
    with pytest.raises(InvalidInputError, match="not Linear"):
        load_model(tmp_path / "bn.pt")


def test_unknown_and_missing_files(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        load_model(tmp_path / "nope.npz")
    (tmp_path / "m.h5").write_bytes(b"x")
    with pytest.raises(InvalidInputError, match="Unknown model file type"):
        load_model(tmp_path / "m.h5")
