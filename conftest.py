"""Root pytest configuration: doctests of ``src/reluscope`` (``pytest --doctest-modules src/reluscope``).

Figures use the Agg backend; ``np`` is in every doctest's namespace, so examples may use it
without importing (they still import everything else they use, as a user would).
"""

import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace["np"] = np
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
