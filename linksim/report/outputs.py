"""All outputs of a run at once: ``results.csv``, one figure per metric (or per ``groups``
entry of the scenario) as PNG and PDF, and a self-contained ``report.html``.

``linksim run`` calls :func:`write_outputs` after simulating; ``linksim report`` calls it again
with rows recomputed from the results store. Everything written is a pure function of the
arguments (the only time-dependent content is the explicit ``generated`` timestamp), so two
calls with the same input give byte-identical files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping, Sequence

from linksim.report.atomic import atomic_write_files
from linksim.report.csv_io import csv_bytes
from linksim.report.figures import figure_bytes, figure_groups, plot_metrics
from linksim.report.html import render_html
from linksim.report.rows import axis_names, sorted_rows

__all__ = ["CSV_NAME", "HTML_NAME", "FIGURES_DIR", "write_outputs"]

CSV_NAME = "results.csv"
HTML_NAME = "report.html"
FIGURES_DIR = "figures"


def write_outputs(out_dir: str | os.PathLike, scenario: Mapping, rows: Sequence[Mapping],
                  generated: str | None = None) -> dict[str, Path | list[Path]]:
    """Write every output of a run into ``out_dir`` (created if missing).

    Parameters
    ----------
    out_dir : path
        The results directory of the run.
    scenario : mapping
        ``Scenario.to_dict()`` (see :mod:`linksim.report.rows`).
    rows : sequence of dict
        One row per sweep point (see :mod:`linksim.report.rows`); sorted by ``point``
        here.
    generated : str, optional
        Timestamp to show in the report. The outputs are a pure function of the arguments:
        with the same ``generated`` two calls write byte-identical files.

    Writes
    ------
    ``results.csv``
        The table of :func:`linksim.report.csv_io.csv_table`.
    ``figures/<name>.png`` and ``figures/<name>.pdf``
        :func:`linksim.report.figures.plot_metrics` of each figure of
        :func:`linksim.report.figures.figure_groups` (each metric of ``scenario["metrics"]``, or each
        entry of ``scenario["groups"]``) against ``scenario["x"]`` (default: the first swept
        axis).
    ``report.html``
        :func:`linksim.report.html.render_html`, with the PNG figures embedded.

    All files are rendered first, then written whole or not at all
    (:func:`linksim.report.atomic.atomic_write_files`): a failure while writing (a full disk) leaves
    the previous outputs as they were and no temporary file behind.

    Returns
    -------
    dict
        ``{"csv": Path, "html": Path, "figures": [png, pdf, png, pdf, ...]}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = sorted_rows(rows)
    axes = axis_names(scenario, rows)
    x = scenario.get("x")
    if x is None and axes:
        x = axes[0]

    csv_path = out / CSV_NAME
    files: dict[Path, bytes] = {csv_path: csv_bytes(scenario, rows)}

    fig_dir = out / FIGURES_DIR
    pngs: dict[str, bytes] = {}
    pdf_links: dict[str, str] = {}
    fig_paths: list[Path] = []
    for name, metrics in figure_groups(scenario):
        fig = plot_metrics(rows, metrics, x, scenario)
        png = figure_bytes(fig, "png")
        pdf = figure_bytes(fig, "pdf")
        for suffix, data in (("png", png), ("pdf", pdf)):
            fig_paths.append(fig_dir / f"{name}.{suffix}")
            files[fig_paths[-1]] = data
        pngs[name] = png
        pdf_links[name] = f"{FIGURES_DIR}/{name}.pdf"

    page = render_html(scenario, rows, pngs, generated, pdf_links)
    html_path = out / HTML_NAME
    files[html_path] = page.encode("utf-8")
    atomic_write_files(files)
    return {"csv": csv_path, "html": html_path, "figures": fig_paths}
