"""The ludax-agents Reversi network rebuilt in PyTorch: it plays legal openings and is exactly piecewise linear."""

import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from reluscope.errors import UntrustedFileError  # noqa: E402
from reluscope.practical.exact_cnn import cnn_local_linear_model  # noqa: E402


def _opening(mover_first: bool):
    board = np.zeros((8, 8), int)
    board[3, 3] = board[4, 4] = -1
    board[3, 4] = board[4, 3] = 1
    planes = [board == 1, board == -1] if mover_first else [board == -1, board == 1]
    return np.stack(planes)[None].astype(np.float32)


def test_opening_policy_prefers_the_four_legal_moves(reversi):
    with torch.no_grad():
        logits = reversi(torch.tensor(_opening(True)))[0].numpy()
    # black (+1 on d5/e4) may play d3, c4, f5, e6 only: squares 19, 26, 37, 44 in row-major order
    assert set(np.argsort(-logits)[:4]) == {19, 26, 37, 44}
    assert logits.shape == (65,)


def test_exact_local_linear_model_of_the_residual_policy(reversi):
    x = np.concatenate([_opening(True), _opening(False)])
    llm = cnn_local_linear_model(reversi, x)
    with torch.no_grad():
        np.testing.assert_allclose(llm.predict(x), reversi(torch.tensor(x)).numpy(), atol=1e-4)
    xg = torch.tensor(x, requires_grad=True)
    grad = torch.autograd.grad(reversi(xg)[:, 19].sum(), xg)[0].numpy()
    np.testing.assert_allclose(llm.coefficients[:, 19], grad, atol=1e-4)


def test_checkpoint_reader_admits_no_other_globals(tmp_path):
    import os

    from reluscope.practical._reversi import read_checkpoint

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    path = tmp_path / "evil.ckpt"
    path.write_bytes(pickle.dumps({"model": Evil()}))
    with pytest.raises(UntrustedFileError, match="does not admit"):
        read_checkpoint(path)
