"""The self-contained HTML report of an unwrapped ReLU network.

:func:`write_report` (also ``LocalLinearModels.report``) writes one HTML file
with the model card, the region summary and every view of sections 3-4 of the
unwrapping paper; CSS is inline, figures are embedded PNGs, nothing is loaded
from the network.  The report is a list of :class:`Section`; later tools add
their own with ``extra_sections=[Section(title, figure_or_table, caption)]``.
"""

from ._blocks import Download, EmbeddedFigure, Section, Table, Text, embed_figure, format_value, frame_table
from ._card import network_metrics
from ._write import write_report
from ._cnn import cnn_sections, write_cnn_report

__all__ = [
    "write_report",
    "cnn_sections",
    "write_cnn_report",
    "Section",
    "Table",
    "Text",
    "Download",
    "EmbeddedFigure",
    "embed_figure",
    "frame_table",
    "format_value",
    "network_metrics",
]
