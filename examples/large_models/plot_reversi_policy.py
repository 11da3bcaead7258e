"""
Input manipulation of a game-playing agent: move a piece, see the policy change
===============================================================================

Thesis ``000`` chapter 5 edits the input stream of the VPT agent (a villager placed under a tree) to
see how its actions change. Here the agent is the AlphaZero Reversi network of the offline package
``ludax-agents`` (a ResNet of 4 residual blocks, rebuilt in PyTorch from its checkpoint without JAX,
``reluscope.practical.zoo.load_reversi_policy``). We play the policy's greedy moves to a mid-game
position, move pieces to empty squares (a seeded sample of 240 such edits) and measure how the move probabilities and
the value change; the exact local linear model of the chosen move's logit
(:func:`reluscope.practical.cnn_local_linear_model`: the trunk and the policy head are piecewise
linear, eval-mode batch norm is affine; only the value head's tanh is not) shows which squares push it up or down.
"""

# %%
# Board helpers: +1 is the player to move, -1 the opponent, 0 an empty square.
import matplotlib.pyplot as plt
import numpy as np
import torch

from reluscope.practical import cnn_local_linear_model
from reluscope.practical.zoo import load_reversi_policy

DIRS = [(dr, dc) for dr in (-1, 0, 1) for dc in (-1, 0, 1) if dr or dc]


def flips(board: np.ndarray, r: int, c: int) -> list:
    """Opponent pieces flipped if the player to move (+1) plays at (r, c)."""
    out = []
    for dr, dc in DIRS:
        rr, cc, line = r + dr, c + dc, []
        while 0 <= rr < 8 and 0 <= cc < 8 and board[rr, cc] == -1:
            line.append((rr, cc))
            rr, cc = rr + dr, cc + dc
        if line and 0 <= rr < 8 and 0 <= cc < 8 and board[rr, cc] == 1:
            out += line
    return out


def legal_moves(board: np.ndarray) -> np.ndarray:
    return np.array([r * 8 + c for r in range(8) for c in range(8) if board[r, c] == 0 and flips(board, r, c)], dtype=int)


def play(board: np.ndarray, move: int) -> np.ndarray:
    """Board after the player to move plays ``move``, from the next player's view (+1 = to move)."""
    b = board.copy()
    if move < 64:
        r, c = divmod(move, 8)
        for rr, cc in flips(b, r, c):
            b[rr, cc] = 1
        b[r, c] = 1
    return -b


def encode(boards: np.ndarray, mover_first: bool = True) -> torch.Tensor:
    planes = [boards == 1, boards == -1] if mover_first else [boards == -1, boards == 1]
    return torch.tensor(np.stack(planes, axis=1).astype(np.float32))


def policy(net, boards: np.ndarray, mover_first: bool = True):
    with torch.no_grad():
        x = encode(boards, mover_first)
        return torch.log_softmax(net(x), dim=1).double().numpy(), net.value(x).double().numpy()


# %%
# Greedy self-play to a mid-game position, then every single-piece edit
# ---------------------------------------------------------------------
plies = 20
net = load_reversi_policy()
board = np.zeros((8, 8), int)
board[3, 3] = board[4, 4] = -1
board[3, 4] = board[4, 3] = 1
history = [board]
for _ in range(plies):  # greedy self-play on the legal moves
    logp, _ = policy(net, board[None])
    legal = legal_moves(board)
    board = play(board, int(legal[np.argmax(logp[0, legal])]) if legal.size else 64)
    history.append(board)
# which plane is the player to move? the policy must put its mass on that player's legal moves
for first in (True, False):
    mass = [np.exp(policy(net, b[None], first)[0][0, legal_moves(b)]).sum() for b in history if legal_moves(b).size]
    print(f"channel 0 = {'player to move' if first else 'opponent'}: mean policy mass on legal moves {np.mean(mass):.3f}")

logp0, v0 = policy(net, board[None])
legal = legal_moves(board)
best = int(legal[np.argmax(logp0[0, legal])])
print(f"after {plies} plies: {int((board == 1).sum())} vs {int((board == -1).sum())} pieces, value {v0[0]:+.3f}, "
      f"best move {divmod(best, 8)} with p = {np.exp(logp0[0, best]):.3f}")
# single-piece moves: take the piece at src, put it on the empty square dst
src = np.argwhere(board != 0)
dst = np.argwhere(board == 0)
edits, names = [], []
for s in src:
    for d in dst:
        b = board.copy()
        b[tuple(d)], b[tuple(s)] = b[tuple(s)], 0
        edits.append(b)
        names.append((tuple(map(int, s)), tuple(map(int, d)), "own" if board[tuple(s)] == 1 else "opponent"))
# a seeded sample of 240 of them keeps the example fast (the full set is one batch of about 1,000 boards)
keep = np.sort(np.random.default_rng(0).choice(len(edits), size=min(240, len(edits)), replace=False))
edits, names = [edits[j] for j in keep], [names[j] for j in keep]
logp, v = policy(net, np.array(edits))
kl = np.sum(np.exp(logp0) * (logp0 - logp), axis=1)
order = np.argsort(-kl)
off_best = np.array([n[1] != divmod(best, 8) for n in names])
print(f"edits that leave the best square free: {off_best.sum()}, of which the best move changes in "
      f"{np.mean(np.argmax(logp[off_best], axis=1) != best):.1%}")
print(f"{len(edits)} single-piece moves (sampled); KL(before || after) median {np.median(kl):.3f}, max {kl.max():.3f} nats")
print("largest changes: piece (from -> to), KL, best move before -> after, value before -> after")
for i in order[:6]:
    new_best = int(np.argmax(logp[i]))
    print(f"  {names[i][2]:>8} {names[i][0]} -> {names[i][1]}: KL {kl[i]:.3f}, {divmod(best, 8)} -> {divmod(new_best, 8)}, "
          f"{v0[0]:+.3f} -> {v[i]:+.3f}")
i = int(order[0])
fig, axes = plt.subplots(1, 4, figsize=(13, 3.4))
for ax, b, lp, title in ((axes[0], board, logp0[0], "before"), (axes[1], edits[i], logp[i], f"after moving {names[i][0]}->{names[i][1]}")):
    ax.imshow(np.exp(lp[:64]).reshape(8, 8), cmap="Greens", vmin=0)
    yy, xx = np.nonzero(b)
    ax.scatter(xx, yy, c=["black" if b[r, c] == 1 else "white" for r, c in zip(yy, xx)], edgecolors="grey", s=120)
    ax.set_title(f"policy {title}", fontsize=9)
d = np.exp(logp[i, :64]) - np.exp(logp0[0, :64])
lim = np.abs(d).max()
axes[2].imshow(d.reshape(8, 8), cmap="RdBu_r", vmin=-lim, vmax=lim)
axes[2].set_title("change of move probability", fontsize=9)
llm = cnn_local_linear_model(net, encode(board[None]).numpy())
W = llm.coefficients[0, best]
lim = np.abs(W).max()
axes[3].imshow(W[0] - W[1], cmap="RdBu_r", vmin=-lim, vmax=lim)
axes[3].set_title(f"exact W of logit {divmod(best, 8)}: own - opponent plane", fontsize=9)
for ax in axes:
    ax.set_xticks(range(8)), ax.set_yticks(range(8))
fig.tight_layout()
print(f"exact LLM of the 65 policy logits: max |W x + b - logits| = {llm.max_error:.1e} "
      f"({llm.n_relu_on[0]} of {llm.n_relu} ReLUs on)")
plt.show()
