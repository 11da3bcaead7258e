"""Shared helpers for the side-by-side benchmarks against peer packages.

A peer (aletheia-dnn: CPython 3.7-3.10 wheels only) runs as a subprocess in
its own virtual environment; both tools read the same saved weights and data
(``.npz``) and the worker writes its numbers back as JSON + ``.npz``.

This module is imported by the reluscope side (Python 3.11) *and* by the peer
workers (Python 3.10): it uses the standard library and NumPy only.

Contents
--------
- finding / making the aletheia interpreter (:func:`find_aletheia_python`,
  :func:`ensure_aletheia_python`), looked up in this order: the environment
  variable ``RELUSCOPE_ALETHEIA_PYTHON``, ``benchmarks/.venvs/aletheia``, the
  machine's shared peers venv ``/work/peers/aletheia``;
- case files: :func:`save_case` / :func:`load_case` (weights in scikit-learn's
  ``coefs_`` layout ``(n_in, n_out)``, data, task);
- :func:`run_worker`: a subprocess with a wall-clock limit and an address-space
  limit (``RLIMIT_AS``) so that a runaway allocation ends in ``MemoryError``
  instead of taking the machine down;
- memory: :func:`peak_rss_mib` (``ru_maxrss``) and :func:`current_rss_mib`;
- :func:`repeat_timed`: median of several runs under a time budget.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
PEERS_DIR = BENCH_DIR / "peers"
RESULTS_DIR = BENCH_DIR / "results"
CACHE_DIR = BENCH_DIR / ".cache"
ALETHEIA_VENV = BENCH_DIR / ".venvs" / "aletheia"
ALETHEIA_ENV_VAR = "RELUSCOPE_ALETHEIA_PYTHON"
SHARED_ALETHEIA = Path("/work/peers/aletheia/bin/python")
PYENV_310 = Path("/root/.pyenv/versions/3.10.13/bin/python")
ALETHEIA_WORKER = PEERS_DIR / "aletheia_worker.py"
RELUSCOPE_WORKER = PEERS_DIR / "reluscope_worker.py"


# ----------------------------------------------------------------- interpreters
def aletheia_candidates() -> list[Path]:
    """Interpreters that may hold aletheia-dnn, in the order they are tried."""
    out = []
    env = os.environ.get(ALETHEIA_ENV_VAR)
    if env:
        out.append(Path(env))
    out += [ALETHEIA_VENV / "bin" / "python", SHARED_ALETHEIA]
    return out


def has_aletheia(python: Path) -> bool:
    """True when ``python`` runs and imports aletheia's unwrappers."""
    if not Path(python).exists():
        return False
    try:
        r = subprocess.run(
            [str(python), "-c", "from aletheia import UnwrapperClassifier, UnwrapperRegressor"],
            capture_output=True, timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return r.returncode == 0


def find_aletheia_python() -> Path | None:
    """The first candidate interpreter that imports aletheia, or None."""
    for p in aletheia_candidates():
        if has_aletheia(p):
            return p
    return None


def _base_python_310() -> tuple[list[str], dict]:
    """A CPython 3.10 to make the venv with, and the environment to run it in."""
    if PYENV_310.exists():
        return [str(PYENV_310)], {}
    if shutil.which("python3.10"):
        return [shutil.which("python3.10")], {}
    if shutil.which("pyenv"):
        return ["python"], {"PYENV_VERSION": "3.10.13"}
    raise RuntimeError(
        "No CPython 3.10 found (aletheia-dnn ships wheels for 3.7-3.10 only). Install it with pyenv "
        f"(pyenv install 3.10.13) or point {ALETHEIA_ENV_VAR} at an interpreter that has aletheia-dnn."
    )


def make_aletheia_venv(venv: Path = ALETHEIA_VENV, log=print) -> Path:
    """Create ``venv`` with CPython 3.10 and ``pip install aletheia-dnn`` into it."""
    base, extra = _base_python_310()
    env = dict(os.environ, **extra)
    log(f"creating {venv} with {base[0]} {extra or ''}...")
    subprocess.run([*base, "-m", "venv", str(venv)], check=True, env=env)
    py = venv / "bin" / "python"
    log("pip install aletheia-dnn ...")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "aletheia-dnn"], check=True)
    if not has_aletheia(py):
        raise RuntimeError(f"{py} was created but cannot import aletheia; see pip's output above.")
    return py


def ensure_aletheia_python(install: bool = True, log=print) -> Path:
    """An interpreter with aletheia-dnn: found (see :func:`aletheia_candidates`) or installed."""
    py = find_aletheia_python()
    if py is not None:
        return py
    if not install:
        raise RuntimeError(
            f"No interpreter with aletheia-dnn found (tried {[str(p) for p in aletheia_candidates()]}). "
            f"Set {ALETHEIA_ENV_VAR}, or run without --no-install to create {ALETHEIA_VENV}."
        )
    return make_aletheia_venv(log=log)


# ------------------------------------------------------------------ case files
def save_case(path: Path, X, y, coefs, intercepts, *, task: str, meta: dict | None = None) -> Path:
    """Save data + weights in scikit-learn layout (``coefs_[l]`` is (n_in, n_out))."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"X": np.asarray(X, np.float64), "y": np.asarray(y)}
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        arrays[f"W{i}"] = np.asarray(W, np.float64)
        arrays[f"b{i}"] = np.asarray(b, np.float64)
    info = {"task": task, "n_layers": len(coefs), **(meta or {}), "digest": case_digest(arrays)}
    arrays["meta"] = np.array(json.dumps(info))
    np.savez(path, **arrays)
    return path


def case_digest(arrays: dict) -> str:
    """SHA-256 of a case's arrays (data and weights), independent of the zip container's timestamps."""
    import hashlib

    h = hashlib.sha256()
    for key in sorted(arrays):
        a = np.ascontiguousarray(arrays[key])
        h.update(f"{key}:{a.dtype.str}:{a.shape}".encode())
        h.update(a.tobytes())
    return h.hexdigest()


def load_case(path: Path) -> dict:
    """Inverse of :func:`save_case`: dict with X, y, coefs, intercepts, task, meta."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        L = meta["n_layers"]
        return {
            "X": z["X"], "y": z["y"], "task": meta["task"], "meta": meta,
            "coefs": [z[f"W{i}"] for i in range(L)], "intercepts": [z[f"b{i}"] for i in range(L)],
        }


def numpy_forward(X: np.ndarray, coefs, intercepts) -> np.ndarray:
    """The floor: one bare float64 forward pass (ReLU hidden layers, pre-link output)."""
    h = X
    for W, b in zip(coefs[:-1], intercepts[:-1]):
        h = h @ W
        h += b
        np.maximum(h, 0.0, out=h)
    out = h @ coefs[-1]
    out += intercepts[-1]
    return out


# ---------------------------------------------------------------------- memory
def peak_rss_mib() -> float:
    """Peak resident set size of this process so far (``ru_maxrss``, KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mib() -> float:
    """Current resident set size (``VmRSS`` of /proc/self/status)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def _limit_address_space(gib: float):
    def apply():
        os.setsid()  # own process group: a timeout kills the worker and its children
        if gib:
            lim = int(gib * 2**30)
            resource.setrlimit(resource.RLIMIT_AS, (lim, lim))

    return apply


# --------------------------------------------------------------------- workers
def run_worker(python, script: Path, args: list[str], *, out: Path, timeout_s: float, mem_gib: float, env=None) -> dict:
    """Run a worker script; return its JSON report (``out`` + '.json') plus 'returncode'/'wall_s'.

    The worker rewrites its JSON after every step, so a step cut by the time
    limit leaves the steps before it; the step in progress is reported as
    ``'failed: timeout after N s'``.
    """
    report_path = Path(str(out) + ".json")
    report_path.unlink(missing_ok=True)
    cmd = [str(python), str(script), *map(str, args), "--out", str(out)]
    full_env = dict(os.environ, **(env or {}))
    full_env.setdefault("MPLBACKEND", "Agg")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_limit_address_space(mem_gib), env=full_env)
    timed_out = False
    try:
        stdout, stderr = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    report["returncode"] = proc.returncode
    report["wall_s"] = wall
    running = report.get("running")
    if timed_out and running:
        report.setdefault("steps", {})[running] = {"status": f"failed: timeout after {timeout_s:.0f} s"}
    elif proc.returncode != 0 and running:
        tail = (stderr or "").strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        report.setdefault("steps", {})[running] = {"status": f"failed: {tail[0][:200]}"}
    if proc.returncode != 0 and not report.get("steps"):
        raise RuntimeError(f"worker {script.name} failed (exit {proc.returncode}):\n{(stderr or '')[-3000:]}")
    report["stderr_tail"] = (stderr or "")[-2000:]
    return report


class StepReport:
    """Worker side: a JSON report rewritten after each step (see :func:`run_worker`)."""

    def __init__(self, out: Path, **info):
        self.path = Path(str(out) + ".json")
        self.data = {"steps": {}, "running": None, "python": sys.version.split()[0], **info}
        self.flush()

    def flush(self):
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.data, indent=1, default=_jsonable))
        tmp.replace(self.path)

    def start(self, step: str):
        self.data["running"] = step
        self.flush()

    def done(self, step: str, **values):
        self.data["steps"][step] = {"status": "ok", **values}
        self.data["running"] = None
        self.flush()

    def failed(self, step: str, exc: BaseException, **values):
        self.data["steps"][step] = {"status": f"failed: {type(exc).__name__}", "error": str(exc)[:300], **values}
        self.data["running"] = None
        self.flush()


def _jsonable(o):
    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def repeat_timed(fn, repeats: int, budget_s: float = 30.0):
    """Run ``fn`` up to ``repeats`` times (at least once, stop when ``budget_s`` is spent).

    Returns (median seconds, list of seconds, last result).
    """
    times, result = [], None
    for _ in range(max(1, repeats)):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
        if sum(times) > budget_s:
            break
    return float(np.median(times)), times, result


# ------------------------------------------------------------------ comparison
def match_partition(labels_a: np.ndarray, labels_b: np.ndarray):
    """Match two labellings of the same rows.

    Returns (identical, perm) where ``identical`` says the two partitions of
    the rows are the same up to renumbering and ``perm[b] = a`` maps region
    ``b`` of the second labelling to region ``a`` of the first (-1 if none).
    """
    labels_a = np.asarray(labels_a, np.int64)
    labels_b = np.asarray(labels_b, np.int64)
    pairs = np.unique(np.stack([labels_a, labels_b], 1), axis=0)
    na, nb = np.unique(labels_a).size, np.unique(labels_b).size
    identical = pairs.shape[0] == na == nb
    perm = np.full(labels_b.max() + 1, -1, np.int64)
    perm[pairs[:, 1]] = pairs[:, 0]
    return bool(identical), perm


def machine() -> str:
    """One line naming the machine the numbers come from."""
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem = float("nan")
    return f"{platform.machine()} CPU, {os.cpu_count()} cores (shared with other jobs), {mem:.0f} GiB RAM, no GPU"
