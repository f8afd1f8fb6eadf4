"""Figures of a run: one metric (or a group of metrics) against the swept axis, in the style of
coding / PHY papers, rendered reproducibly as PNG and PDF.

Every figure is a plain :class:`matplotlib.figure.Figure` on an Agg canvas: nothing touches
``pyplot``, no window opens, and no global matplotlib state (backend, rcParams) is changed, so
the module is safe in headless runs, worker processes and notebooks alike.

Input rows are the point rows of a run (see :mod:`linksim.report.rows` for the exact format):
each has ``axes`` (the swept values), ``counts``, ``metrics`` (``{name: {"value", "ci"}}``)
and optionally ``predictions`` (``{name: float}`` or ``{name: {"value", "kind"}}``). Labels,
kinds and scales come from :mod:`linksim.report.labels`.

A figure is a pure function of its inputs: the same rows and scenario give the same pixels.
"""

from __future__ import annotations

import io
import math
import numbers
import os
import textwrap
from pathlib import Path
from typing import Mapping, Sequence

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from linksim.report.atomic import atomic_write_bytes
from linksim.report.labels import axis_label, format_value, metric_info, prediction_kind_suffix
from linksim.report.rows import (
    axis_names,
    metric_entry,
    prediction_entry,
    prediction_metric,
    prediction_names,
    sorted_rows,
)
from linksim.series import series_axes

__all__ = [
    "UPPER_LIMIT_GID",
    "figure_groups",
    "plot_metric",
    "plot_metrics",
    "figure_bytes",
    "save_figure",
]

#: Marker shapes of the series, in order (the downward triangle is reserved for upper limits).
SERIES_MARKERS = ("o", "s", "D", "P", "X", "h", "p", "*", "d", "H")
#: Line styles of the prediction curves, one per prediction name, in order.
PREDICTION_STYLES = ("--", ":", "-.", (0, (6, 2, 1, 2, 1, 2)), (0, (1, 1)))
#: Marker of a point without errors, drawn at the upper limit of its confidence interval.
UPPER_LIMIT_MARKER = "v"
#: ``gid`` of the artists that mark zero-error points (for tests and post-processing).
UPPER_LIMIT_GID = "upper_limit"

#: Style applied while a figure is built and saved (local to the figure: rc_context).
_STYLE = {
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 9.5,
    "legend.framealpha": 0.92,
    "axes.linewidth": 0.9,
    "lines.linewidth": 1.5,
    "lines.markersize": 6.5,
    "errorbar.capsize": 3,
    "svg.hashsalt": "linksim",
    "savefig.dpi": 150,
}
_FIGSIZE = (6.6, 4.6)


# ----------------------------------------------------------------------------- figures

def figure_groups(scenario: Mapping) -> list[tuple[str, list[str]]]:
    """The figures of a run, ``[(name, metrics)]``: one per ``groups`` entry of the scenario
    (named by its metrics joined with ``+``, e.g. ``"eps_lf+eps_bob_m"``), or else one per
    recorded metric (named by the metric)."""
    groups = scenario.get("groups")
    if groups:
        return [("+".join(group), list(group)) for group in groups]
    return [(metric, [metric]) for metric in scenario.get("metrics") or ()]


def _series_labels(names: Sequence[str], keys: Sequence[tuple],
                   variants: bool = False) -> dict[tuple, str]:
    """Legend label of each series key (values of the axes ``names``).

    Axes with one value across all series are left out. With ``variants`` (a zip sweep of
    variants around a reference), an axis whose most common value is shared by several series
    has that value as its reference, and a series is labelled by the axes where it leaves the
    reference, plus every axis without one (so two series, or series with no common values,
    are labelled alike by all their varying axes); a series that differs nowhere is labelled
    by its first varying axis.
    """
    from collections import Counter
    varying = [i for i, _ in enumerate(names) if len({k[i] for k in keys}) > 1]
    if len(varying) <= 1 or not variants:
        return {k: ", ".join(f"{names[i]}={k[i]}" for i in varying) for k in keys}
    reference = {}
    for i in varying:
        value, count = Counter(k[i] for k in keys).most_common(1)[0]
        if count > 1:
            reference[i] = value
    out = {}
    for k in keys:
        diff = [i for i in varying if i not in reference or k[i] != reference[i]] or varying[:1]
        out[k] = ", ".join(f"{names[i]}={k[i]}" for i in diff)
    return out


def _x_value(row: Mapping, x: str | None):
    if x is None:
        return row.get("point", 0)
    axes = row.get("axes") or {}
    if x in axes:
        return axes[x]
    return (row.get("params") or {}).get(x)


def _is_number(v) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


# ----------------------------------------------------------------------------- plotting

def plot_metric(rows: Sequence[Mapping], metric: str, x: str | None, scenario: Mapping,
                ax=None) -> Figure:
    """Draw ``metric`` against sweep axis ``x``, one series per combination of the other axes.

    Parameters
    ----------
    rows : sequence of point rows
        Each with ``axes``, ``counts``, ``metrics`` and optionally ``predictions`` and
        ``verdicts`` (format in :mod:`linksim.report.rows`).
    metric : str
        A metric of the system (``"bler"``, ``"ber"``, ...; :func:`linksim.systems.metrics_of`),
        or one of the system's quantities for an analysis scenario
        (:func:`linksim.report.labels.metric_info`).
    x : str or None
        The swept axis on the horizontal axis; ``None`` plots against the point index.
    scenario : mapping
        ``Scenario.to_dict()``; uses ``name``, ``axes``, ``metrics``, ``predictions`` (and
        ``kind``, ``quantities`` of an analysis scenario).
    ax : matplotlib Axes, optional
        Draw into this Axes (its figure is returned, its layout left alone). By default a new
        Agg-backed figure is made and laid out tightly.

    Returns
    -------
    matplotlib.figure.Figure

    What it draws
    -------------
    *Rate* metrics (BLER, BER, ...): log-scale y, each measured point a marker with its
    asymmetric interval (:func:`linksim.sim.metrics.rate_interval`) as an error bar (one
    ``errorbar`` container per series, measured points joined by a thin line). A point with
    zero errors, whose estimate 0 a log axis cannot show, is drawn as an open downward
    triangle at the upper limit of its interval (artists tagged ``gid="upper_limit"``). Points
    whose value is ``None`` are left out. Predictions associated with the metric
    (:func:`linksim.report.rows.prediction_metric`) are drawn as lines in the series' colour,
    one line style per prediction. *Mean* metrics (average iterations) and analysis
    *quantities*: markers joined by lines, no error bars, y scale from
    :func:`linksim.report.labels.metric_info` (a "log" quantity falls back to linear when a
    value is not positive).
    Series are labelled ``"axis=value, ..."`` in the legend, which also keys the line styles;
    the curves are those of :func:`linksim.series.series_axes` (``output.series`` when given;
    for a zip sweep, the axes that keep two points of one curve from sharing an x). Grid on
    both axes (minor grid on the log axis).
    """
    return plot_metrics(rows, [metric], x, scenario, ax=ax)


def plot_metrics(rows: Sequence[Mapping], metrics: Sequence[str], x: str | None,
                 scenario: Mapping, ax=None) -> Figure:
    """Draw several metrics in one figure (an ``output.groups`` entry): one curve per metric and
    per combination of the other sweep axes, as :func:`plot_metric` draws one.

    The y axis is logarithmic only if every metric's scale is "log" (and no plotted value of a
    non-rate metric is <= 0). With more than one metric, curves are labelled
    ``"<metric label>, axis=value, ..."`` and the y label joins the metric labels.
    ``plot_metrics(rows, [m], ...)`` is ``plot_metric(rows, m, ...)``.
    """
    if isinstance(metrics, str) or not metrics:
        raise ValueError(f"metrics: got {metrics!r}; allowed: a non-empty list of metric names")
    infos = [metric_info(m, scenario) for m in metrics]
    rows = sorted_rows(rows)
    names = axis_names(scenario, rows)
    if x is not None and x not in names and not any(x in (r.get("params") or {}) for r in rows):
        raise ValueError(f"x: got {x!r}; allowed: one of the swept axes "
                         f"{', '.join(names) or '(none)'}")
    confidence = float(scenario.get("confidence", 0.95) or 0.95)
    others = series_axes(scenario, rows, x)          # the axes that tell the curves apart
    single = len(infos) == 1
    labels_y = [i.label if i.label[:1].isupper() else i.label[:1].upper() + i.label[1:]
                for i in infos]
    ylabel = labels_y[0] if single else ", ".join(i.label for i in infos)
    if not single and len(ylabel) > 48:
        ylabel = "value"
    # log y only if every metric asks for it and no plotted (non-rate) value is <= 0
    plotted = [metric_entry(r, i.name, confidence, scenario)["value"]
               for i in infos if i.kind != "rate" for r in rows]
    log_y = all(i.scale == "log" for i in infos) and all(v > 0 for v in plotted
                                                          if v is not None)

    with matplotlib.rc_context(_STYLE):
        if ax is None:
            fig = Figure(figsize=_FIGSIZE)
            FigureCanvasAgg(fig)
            ax = fig.add_subplot()
            own = True
        else:
            fig = ax.figure
            own = False

        # x positions: numeric axes as numbers, anything else as categories in order of appearance.
        xs_raw = [_x_value(r, x) for r in rows]
        numeric_x = all(_is_number(v) for v in xs_raw)
        categories: list = []
        if not numeric_x:
            for v in xs_raw:
                if format_value(v) not in categories:
                    categories.append(format_value(v))

        def xpos(v):
            return float(v) if numeric_x else float(categories.index(format_value(v)))

        # series: combinations of the other axes, in order of first appearance.
        series: dict[tuple, list[Mapping]] = {}
        for r in rows:
            key = tuple(format_value((r.get("axes") or {}).get(name)) for name in others)
            series.setdefault(key, []).append(r)

        preds_of = {i.name: [p for p in prediction_names(scenario, rows)
                             if prediction_metric(p, scenario, rows) == i.name] for i in infos}
        preds = [p for i in infos for p in preds_of[i.name]]
        pred_style = {p: PREDICTION_STYLES[k % len(PREDICTION_STYLES)] for k, p in enumerate(preds)}
        pred_kind: dict[str, str] = {}

        handles: list = []
        labels: list[str] = []
        any_upper = False
        any_data = False
        curve = 0
        series_labels = _series_labels(others, list(series),
                                       variants=scenario.get("mode") == "zip")
        for key, srows in series.items():
            slabel = series_labels[key]
            pts = sorted(((xpos(_x_value(r, x)), r) for r in srows), key=lambda t: t[0])
            for info in infos:
                is_rate = info.kind == "rate"
                color = f"C{curve % 10}"
                marker = SERIES_MARKERS[curve % len(SERIES_MARKERS)]
                curve += 1
                if single:
                    default = "simulation" if info.kind != "quantity" else info.label
                    label = slabel or default
                else:
                    label = info.label + (f", {slabel}" if slabel else "")

                # theory curves first, so that the measured markers sit on top
                for p in preds_of[info.name]:
                    px, py = [], []
                    for xv, r in pts:
                        value, kind = prediction_entry((r.get("predictions") or {}).get(p))
                        pred_kind.setdefault(p, kind)
                        if value is not None and (value > 0 or not log_y):
                            px.append(xv)
                            py.append(value)
                        elif px:                       # a gap: break the line there
                            px.append(xv)
                            py.append(float("nan"))
                    if any(not math.isnan(v) for v in py):
                        ax.plot(px, py, linestyle=pred_style[p], color=color, linewidth=1.6,
                                zorder=2, label=f"_{p}")

                ex, ey, elo, ehi = [], [], [], []
                ux, uy = [], []
                for xv, r in pts:
                    entry = metric_entry(r, info.name, confidence, scenario)
                    v, ci = entry["value"], entry["ci"]
                    if v is None:
                        continue
                    if is_rate and v <= 0 and log_y:
                        if ci is not None and ci[1] > 0:
                            ux.append(xv)
                            uy.append(ci[1])
                        continue
                    ex.append(xv)
                    ey.append(v)
                    if ci is not None:
                        elo.append(max(v - ci[0], 0.0))
                        ehi.append(max(ci[1] - v, 0.0))
                    else:
                        elo.append(0.0)
                        ehi.append(0.0)
                any_data = any_data or bool(ex) or bool(ux)

                if is_rate:
                    ax.errorbar(ex, ey, yerr=[elo, ehi], color=color, marker=marker,
                                linestyle="-", linewidth=1.0, elinewidth=1.1,
                                markeredgecolor="white", markeredgewidth=0.6, zorder=3,
                                label=label)
                    if ux:
                        any_upper = True
                        up = ax.plot(ux, uy, linestyle="none", marker=UPPER_LIMIT_MARKER,
                                     markersize=8, markerfacecolor="white",
                                     markeredgecolor=color, markeredgewidth=1.5, zorder=4,
                                     label=f"_{label} (0 errors)")
                        up[0].set_gid(UPPER_LIMIT_GID)
                else:
                    ax.plot(ex, ey, color=color, marker=marker, linestyle="-", linewidth=1.2,
                            markeredgecolor="white", markeredgewidth=0.6, zorder=3, label=label)
                handles.append(Line2D([], [], color=color, marker=marker, linestyle="-",
                                      linewidth=1.0, markeredgecolor="white",
                                      markeredgewidth=0.6))
                labels.append(label)

        # legend: the curves by colour, then the keys of line styles and of upper limits
        key_color = "0.25"
        for p in preds:
            handles.append(Line2D([], [], color=key_color, linestyle=pred_style[p], linewidth=1.6))
            labels.append(p + prediction_kind_suffix(pred_kind.get(p, "estimate")))
        if any_upper:
            handles.append(Line2D([], [], color=key_color, marker=UPPER_LIMIT_MARKER,
                                  linestyle="none", markersize=8, markerfacecolor="white",
                                  markeredgewidth=1.5))
            labels.append(f"no errors: {confidence:.0%} upper limit")

        if log_y:
            ax.set_yscale("log")
            ax.grid(True, which="major", axis="both", color="0.78", linewidth=0.8)
            ax.grid(True, which="minor", axis="y", color="0.9", linewidth=0.5, linestyle=":")
        else:
            ax.grid(True, which="major", axis="both", color="0.82", linewidth=0.8)
        ax.set_axisbelow(True)
        if not numeric_x:
            ax.set_xticks(range(len(categories)))
            ax.set_xticklabels(categories)
        ax.set_xlabel(axis_label(x, scenario.get("system")))
        ax.set_ylabel(ylabel)
        title = str(scenario.get("name") or "")
        if title:
            ax.set_title("\n".join(textwrap.wrap(title, 60, max_lines=2, placeholder=" ...")))
        ax.tick_params(which="both", direction="in", top=True, right=True)
        if not any_data:
            what = infos[0].label if single else ", ".join(i.label for i in infos)
            ax.text(0.5, 0.5, f"no data: {what} not reported", transform=ax.transAxes,
                    ha="center", va="center", color="0.45", fontsize=12)
            if log_y:
                ax.set_ylim(1e-6, 1.0)
            xp = [xpos(v) for v in xs_raw if v is not None]
            if xp and max(xp) > min(xp):
                pad = 0.04 * (max(xp) - min(xp))
                ax.set_xlim(min(xp) - pad, max(xp) + pad)
        show_legend = any_data and (len(series) > 1 or not single or preds or any_upper)
        if show_legend and handles:
            outside = len(labels) > 8
            if outside:
                ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                          borderaxespad=0.0)
            else:
                ax.legend(handles, labels, loc="best")
        if own:
            if show_legend and len(labels) > 8:
                fig.set_size_inches(_FIGSIZE[0] + 2.6, _FIGSIZE[1])
            fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- saving

def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """The figure rendered as ``fmt`` (``"png"`` at 150 dpi or ``"pdf"``), reproducibly.

    No creation date or other run-dependent metadata is written, so the same figure always
    gives the same bytes.
    """
    if fmt not in ("png", "pdf"):
        raise ValueError(f"fmt: got {fmt!r}; allowed: 'png' or 'pdf'")
    meta = {"Software": None} if fmt == "png" else {"CreationDate": None, "ModDate": None}
    buf = io.BytesIO()
    with matplotlib.rc_context(_STYLE):
        fig.savefig(buf, format=fmt, dpi=_STYLE["savefig.dpi"], metadata=meta,
                    facecolor="white")
    return buf.getvalue()


def save_figure(fig: Figure, path_stem: str | os.PathLike) -> list[Path]:
    """Save ``fig`` as ``<path_stem>.png`` (150 dpi) and ``<path_stem>.pdf`` (vector).

    Each file is written atomically; folders are created. Returns ``[png_path, pdf_path]``.
    """
    stem = Path(path_stem)
    out = []
    for fmt in ("png", "pdf"):
        target = stem.with_name(stem.name + "." + fmt)
        out.append(atomic_write_bytes(target, figure_bytes(fig, fmt)))
    return out
