"""Reset between gallery examples (sphinx-gallery ``reset_modules``): a string, so the config pickles."""

import sys
import warnings


def reset(gallery_conf, fname, when=None):
    """pandas options back to their defaults and one torch thread (examples share a process)."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.reset_option("all")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)
