"""Outputs of a run: ``results.csv``, one figure per metric (or per ``groups`` entry of the
scenario) and a self-contained ``report.html``, all written by :func:`write_outputs`.

Modules, one concern each:

``rows``
    the point rows of a run (their format) and what the outputs read from them;
``labels``
    labels, kinds, scales of metrics, quantities, axes, predictions and stopping criteria:
    every lookup table of the report, reached through functions;
``csv_io``
    ``results.csv``: the table (:func:`csv_table`), writing and reading it back;
``figures``
    matplotlib figures (Agg, no pyplot) and their reproducible PNG / PDF bytes;
``html``
    the HTML page (:func:`render_html`), styled by the package data file ``style.css``;
``atomic``
    writing files whole or not at all;
``outputs``
    :func:`write_outputs`, every output of a run at once.
"""

from linksim.report.csv_io import csv_table, read_csv, write_csv
from linksim.report.html import render_html
from linksim.report.outputs import CSV_NAME, FIGURES_DIR, HTML_NAME, write_outputs

__all__ = [
    "CSV_NAME",
    "HTML_NAME",
    "FIGURES_DIR",
    "csv_table",
    "write_csv",
    "read_csv",
    "render_html",
    "write_outputs",
]
