"""tqdm progress bars with one rule for the whole library."""

from __future__ import annotations

from tqdm.auto import tqdm

#: Chunks of work above which a bar is shown when ``progress=None``.
AUTO_PROGRESS_MIN_STEPS = 8


def progress_bar(iterable, *, progress: bool | None, desc: str, unit: str = "chunk", total: int | None = None):
    """Wrap ``iterable`` in a tqdm bar.

    ``progress=True`` always shows it, ``False`` never; ``None`` shows it for
    more than ``AUTO_PROGRESS_MIN_STEPS`` steps and only on a terminal (tqdm's
    ``disable=None``), so logs and CI stay clean.
    """
    n = total if total is not None else (len(iterable) if hasattr(iterable, "__len__") else None)
    if progress is None:
        disable = True if (n is not None and n <= AUTO_PROGRESS_MIN_STEPS) else None
    else:
        disable = not progress
    return tqdm(iterable, desc=desc, unit=unit, total=n, disable=disable, leave=False)
