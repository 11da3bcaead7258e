"""Building blocks of the HTML report: sections, tables, embedded figures.

A report is a list of :class:`Section`; each holds content blocks (figures,
tables, text) and one sentence saying how to read them.  Nothing here builds
HTML by string concatenation: the blocks are plain data, the jinja2 template
draws them with autoescaping on, so user text (feature names, class labels,
titles) is always escaped.
"""

from __future__ import annotations

import base64
import io
import re
import struct
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..errors import InvalidInputError

__all__ = ["Section", "Table", "EmbeddedFigure", "Text", "Download", "embed_figure", "frame_table", "format_value", "render_blocks"]

#: Resolution of the embedded PNGs; they are shown at 96 / FIGURE_DPI of their pixel size (sharp on HiDPI screens).
FIGURE_DPI = 120
_CSS_DPI = 96.0
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class EmbeddedFigure:
    """A PNG image held in the page itself (``data:`` URI), with its display size in CSS pixels.

    Made by :func:`embed_figure`; a :class:`Section` holding a matplotlib
    Figure makes one when the report is written.

    Attributes
    ----------
    data_uri : str
        ``data:image/png;base64,...``
    alt : str
        Text alternative of the image.
    width, height : int
        Display size in CSS pixels.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from reluscope.report import EmbeddedFigure, embed_figure
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("Joint importance")
    >>> image = embed_figure(fig)
    >>> isinstance(image, EmbeddedFigure), image.alt, image.data_uri[:22]
    (True, 'Joint importance', 'data:image/png;base64,')
    """

    data_uri: str
    alt: str
    width: int
    height: int


@dataclass
class Text:
    """A paragraph of plain text (escaped when rendered); ``muted`` draws it smaller and grey.

    Attributes
    ----------
    text : str
    muted : bool, default False

    Examples
    --------
    A plain ``str`` in a section's content becomes a ``Text``; make one
    yourself for a muted note:

    >>> from reluscope.report import Section, Text
    >>> section = Section("Data", ["Rows with missing income were dropped.", Text("Source: bank records.", muted=True)])
    >>> section.content[1]
    Text(text='Source: bank records.', muted=True)
    """

    text: str
    muted: bool = False


@dataclass
class Download:
    """A link that saves embedded data (a ``data:`` URI) as a file: no request leaves the page.

    Attributes
    ----------
    data_uri : str
    filename : str
        Name the browser saves the file under.
    label : str
        Text of the link.

    Examples
    --------
    >>> import base64
    >>> import pandas as pd
    >>> from reluscope.report import Download
    >>> df = pd.DataFrame({"Count": [64, 55], "AUC": [0.75, 0.5]})
    >>> link = Download.csv(df, "summary.csv", "Download the full table (CSV)")
    >>> link.data_uri[:21]
    'data:text/csv;base64,'
    >>> print(base64.b64decode(link.data_uri[21:]).decode())
    ,Count,AUC
    0,64,0.75
    1,55,0.5
    <BLANKLINE>
    """

    data_uri: str
    filename: str
    label: str

    @classmethod
    def csv(cls, df: pd.DataFrame, filename: str, label: str) -> "Download":
        """The whole DataFrame as a CSV file, full float precision."""
        data = df.to_csv(float_format="%.17g").encode("utf-8")
        return cls("data:text/csv;base64," + base64.b64encode(data).decode("ascii"), filename, label)


@dataclass
class Table:
    """A formatted table: every cell is already a string, escaped by the template.

    Attributes
    ----------
    columns : list of str
        Column headers (after the index column).
    rows : list of list of str
        Cells, one list per row, as long as ``columns``.
    index : list of str, optional
        Row labels (first column, in bold), e.g. region ids.
    index_name : str
        Header of the index column.
    numeric : list of bool, optional
        Right-align these columns (numbers); default: guessed from the cells.
    ellipsis_after : int, optional
        Draw a row of "..." after this many rows (top rows + bottom rows, as in
        Figure 10 of the unwrapping paper).
    footer : str
        A line under the table, e.g. "530 rows x 6 columns".
    html_id : str, optional
        ``id`` attribute of the ``<table>``.
    header : bool
        Draw the header row (False for key-value tables).

    Raises
    ------
    InvalidInputError
        A row without one cell per column, or an index of another length.

    Examples
    --------
    >>> from reluscope.report import Table
    >>> table = Table(columns=["Feature", "Importance"], rows=[["age", "0.61"], ["income", "0.39"]])
    >>> table.numeric  # right-aligned columns, guessed from the cells
    [False, True]
    >>> Table(columns=["a", "b"], rows=[["1"]])
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: Every row of a report Table needs one cell per column.
    """

    columns: list
    rows: list
    index: list | None = None
    index_name: str = ""
    numeric: list | None = None
    ellipsis_after: int | None = None
    footer: str = ""
    html_id: str | None = None
    header: bool = True

    def __post_init__(self) -> None:
        if any(len(r) != len(self.columns) for r in self.rows):
            raise InvalidInputError("Every row of a report Table needs one cell per column.")
        if self.index is not None and len(self.index) != len(self.rows):
            raise InvalidInputError("A report Table needs one index label per row.")
        if self.numeric is None:
            self.numeric = [all(_looks_numeric(r[j]) for r in self.rows) and bool(self.rows) for j in range(len(self.columns))]

    @property
    def index_numeric(self) -> bool:
        """Row labels are numbers (region ids): right-aligned."""
        return self.index is not None and bool(self.index) and all(_looks_numeric(i) and i.strip() for i in self.index)


@dataclass
class Section:
    """One section of the report.

    Parameters
    ----------
    title : str
        The heading (escaped).
    content : Figure, Table, DataFrame, Text, str, Markup, or a sequence of those
        A matplotlib Figure is embedded as a PNG and *closed* when the report
        is written; a DataFrame becomes a :class:`Table` (first 50 rows); a
        ``str`` is a paragraph of escaped text; a ``markupsafe.Markup``
        is trusted HTML inserted as is.
    caption : str
        One sentence under the content saying how to read it.
    group : str
        The part of the report it belongs to ("Interpretation",
        "Diagnostics", ...), shown above the heading and in the contents.
    anchor : str, optional
        The ``id`` of the section (default: from the title).

    Notes
    -----
    ``Markup`` content is inserted unescaped: it must not load anything from
    outside the file (the report stays self-contained).

    Examples
    --------
    A later tool appends its own section, passed to
    :func:`~reluscope.report.write_report` as ``extra_sections=[section]``:

    >>> import matplotlib.pyplot as plt
    >>> from reluscope.report import Section
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([0, 1], [1, 0])
    >>> section = Section("Merged model", [fig, "Regions 3 and 5 were merged."],
    ...                   caption="Each colour is one merged region.", group="Simplification")
    >>> section.anchor
    'merged-model'
    >>> Section("  ")
    Traceback (most recent call last):
    ...
    reluscope.errors.InvalidInputError: A report Section needs a non-empty title (str).
    """

    title: str
    content: Any = None
    caption: str = ""
    group: str = ""
    anchor: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise InvalidInputError("A report Section needs a non-empty title (str).")
        if self.anchor is None:
            self.anchor = slug(self.title)


def slug(text: str) -> str:
    """An HTML id made of lower-case letters, digits and dashes."""
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return s or "section"


def _looks_numeric(cell: str) -> bool:
    c = cell.replace(",", "").replace("%", "").replace("\u2013", "").replace("\u2212", "-").strip()
    if c in ("", "NaN"):
        return True
    try:
        float(c)
    except ValueError:
        return False
    return True


def _png_size(png: bytes) -> tuple[int, int]:
    if png[:8] != _PNG_MAGIC:
        raise RuntimeError("matplotlib did not write a PNG.")
    return struct.unpack(">II", png[16:24])


def embed_figure(fig, *, alt: str = "", dpi: int = FIGURE_DPI) -> EmbeddedFigure:
    """Render a matplotlib Figure to an embedded PNG and close it (no figure is left open).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    alt : str
        Text alternative of the image; default the figure's first axes title.
    dpi : int
        PNG resolution; the image is displayed at ``96 / dpi`` of its pixel size.

    Returns
    -------
    EmbeddedFigure

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from reluscope.report import embed_figure
    >>> fig, ax = plt.subplots()
    >>> _ = ax.set_title("Local linear profile")
    >>> image = embed_figure(fig, dpi=120)
    >>> image.alt, plt.fignum_exists(fig.number)  # the figure is closed
    ('Local linear profile', False)
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    if not isinstance(fig, Figure):
        raise InvalidInputError(f"embed_figure takes a matplotlib Figure, got {type(fig).__name__}.")
    try:
        if not alt:
            titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
            alt = titles[0].replace("\n", " ") if titles else "figure"
        buf = io.BytesIO()
        # tight: a long title or legend outside the axes is kept, not clipped at the figure's edge
        fig.savefig(buf, format="png", dpi=dpi, facecolor="white", bbox_inches="tight", pad_inches=0.1)
    finally:
        plt.close(fig)
    png = buf.getvalue()
    w, h = _png_size(png)
    scale = _CSS_DPI / dpi
    return EmbeddedFigure(
        data_uri="data:image/png;base64," + base64.b64encode(png).decode("ascii"),
        alt=alt,
        width=int(round(w * scale)),
        height=int(round(h * scale)),
    )


# ------------------------------------------------------------ formatting
def format_value(v, digits: int = 4) -> str:
    """A cell: integers as is, floats with ``digits`` decimals (scientific when tiny or huge), NaN as an en dash.

    Examples
    --------
    >>> import numpy as np
    >>> from reluscope.report import format_value
    >>> [format_value(v) for v in (3, 0.123456, 1e-7, 2.5e7, np.nan, True)]
    ['3', '0.1235', '1.000e-07', '2.500e+07', '–', 'yes']
    """
    if v is None:
        return "\u2013"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if np.isnan(v):
            return "\u2013"
        if np.isinf(v):
            return "inf" if v > 0 else "-inf"
        if v == 0 or 10 ** (-digits + 1) <= abs(v) < 1e6:
            return f"{v:.{digits}f}"
        return f"{v:.{max(digits - 1, 1)}e}"
    return str(v)


def frame_table(
    df: pd.DataFrame,
    *,
    head: int | None = None,
    tail: int = 0,
    digits: int = 4,
    index: bool = True,
    html_id: str | None = None,
    footer: str | None = None,
) -> Table:
    """A :class:`Table` from a DataFrame: the first ``head`` and last ``tail`` rows, cells formatted.

    With ``head=None`` every row is shown.  The default footer says how many
    rows and columns the full frame has when rows are left out.

    Returns
    -------
    Table

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from reluscope.report import frame_table
    >>> df = pd.DataFrame({"Count": [5, 4, 3, 2, 1], "AUC": [0.9, 0.81234, np.nan, 0.5, 0.25]},
    ...                   index=pd.Index(range(5), name="Region"))
    >>> table = frame_table(df, head=2, tail=1)
    >>> table.index, table.rows
    (['0', '1', '4'], [['5', '0.9000'], ['4', '0.8123'], ['1', '0.2500']])
    >>> table.ellipsis_after, table.footer
    (2, '5 rows × 2 columns')
    """
    n = len(df)
    if head is None or head + tail >= n:
        parts, ellipsis = [df], None
    else:
        parts, ellipsis = [df.iloc[:head], df.iloc[n - tail :] if tail else df.iloc[:0]], head
    shown = pd.concat(parts)
    rows = [[format_value(v, digits) for v in row] for row in shown.itertuples(index=False, name=None)]
    if footer is None:
        footer = f"{n} rows \u00d7 {df.shape[1]} columns" if ellipsis is not None else ""
    return Table(
        columns=[str(c) for c in df.columns],
        rows=rows,
        index=[str(i) for i in shown.index] if index else None,
        index_name=str(df.index.name or "") if index else "",
        ellipsis_after=ellipsis,
        footer=footer,
        html_id=html_id,
    )


def key_value_table(pairs: Sequence[tuple[str, Any]], *, html_id: str | None = None) -> Table:
    """A two-column table of labels and values (no header)."""
    return Table(
        columns=["Value"],
        rows=[[v if isinstance(v, str) else format_value(v)] for _, v in pairs],
        index=[k for k, _ in pairs],
        numeric=[False],
        html_id=html_id,
        header=False,
    )


@dataclass
class RenderedSection:
    """A section ready for the template: its content converted to blocks."""

    title: str
    anchor: str
    group: str
    caption: str
    blocks: list = field(default_factory=list)


def _blocks(content, alt: str) -> list:
    from matplotlib.figure import Figure

    if content is None:
        return []
    if isinstance(content, (EmbeddedFigure, Table, Text, Download)):
        return [content]
    if isinstance(content, Markup):
        return [content]
    if isinstance(content, str):
        return [Text(content)]
    if isinstance(content, Figure):
        return [embed_figure(content, alt=alt)]
    if isinstance(content, pd.DataFrame):
        return [frame_table(content, head=50)]
    if isinstance(content, (list, tuple)):
        return [b for item in content for b in _blocks(item, alt)]
    raise InvalidInputError(
        f"A report Section cannot show a {type(content).__name__}; use a matplotlib Figure, a DataFrame, "
        "reluscope.report.Table / Text, a str, markupsafe.Markup, or a list of those."
    )


def render_blocks(section: Section) -> RenderedSection:
    """Convert a section's content to blocks (figures are embedded and closed here)."""
    if not isinstance(section, Section):
        raise InvalidInputError(f"Report sections must be reluscope.report.Section objects, got {type(section).__name__}.")
    return RenderedSection(
        title=section.title,
        anchor=section.anchor,
        group=section.group,
        caption=section.caption,
        blocks=_blocks(section.content, section.title),
    )
