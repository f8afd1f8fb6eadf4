"""Outputs of a run: ``results.csv``, one figure per metric (or per ``groups`` entry of the
scenario), and a self-contained ``report.html``.

``linksim run`` calls :func:`write_outputs` after simulating; ``linksim report`` calls it again
with rows recomputed from the results store. Everything written is a pure function of the
arguments (the only time-dependent content is the explicit ``generated`` timestamp), so two
calls with the same input give byte-identical files.

Input format
------------
``scenario`` is ``Scenario.to_dict()``: ``name``, ``description``, ``system``, ``seed``,
``confidence``, ``params`` (the fixed parameters), ``axes`` (``{axis: [values]}``), ``mode``,
``stop`` (``max_frame_errors``, ``max_frames``, ``batch_size``, ``first_batch_size``,
``max_seconds``), ``metrics`` (names of :func:`linksim.systems.metrics_of`), ``x`` (the axis
on the horizontal axis of the figures), ``predictions`` and ``hash``.

``rows`` holds one dict per sweep point::

    {"point": int, "axes": {axis: value}, "params": {...},
     "counts": {"frames", "frame_errors", "bits", "bit_errors", extra counts...},
     "frames", "frame_errors", "bits", "bit_errors",
     "metrics": {name: {"value": float | None, "ci": [lo, hi] | None}},
     "predictions": {name: float | {"value": float, "kind": "estimate" | "upper_bound"
                                                           | "lower_bound"}},      # optional
     "verdicts": {metric: {"prediction": name, "verdict": str, "p_value": float}},  # optional
     "stopped_by": str | None, "n_batches": int, "elapsed_s": float, "confidence": float}

An *analysis* scenario (``scenario["kind"] == "analysis"``; its ``metrics`` are quantities
described by ``scenario["quantities"]``, ``stop`` is None) has rows without counts, intervals,
predictions or stopping information (:func:`linksim.evaluate.analysis_row`)::

    {"point": int, "axes": {axis: value}, "params": {...},
     "metrics": {name: {"value": float | int | None, "ci": None}},
     "values": {every quantity: value}, "elapsed_s": float}

Metric labels, kinds and scales come from :func:`linksim.plots.metric_info` in both cases.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import numbers
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import linksim
from linksim.plots import (
    atomic_write_bytes,
    atomic_write_files,
    axis_names,
    figure_bytes,
    figure_groups,
    format_value,
    metric_entry,
    metric_info,
    plot_metrics,
    prediction_entry,
    prediction_names,
    row_count,
    sorted_rows,
)
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

CSV_NAME = "results.csv"
HTML_NAME = "report.html"
FIGURES_DIR = "figures"

#: The four counts every system reports (their own CSV columns, before the metrics).
_BASE_COUNTS = ("frames", "frame_errors", "bits", "bit_errors")


# ----------------------------------------------------------------------------- columns

def _recorded_metrics(scenario: Mapping, rows: Sequence[Mapping]) -> list[str]:
    """The scenario's metrics in order, then any other metric the rows carry (sorted)."""
    names = [m for m in (scenario.get("metrics") or ()) if isinstance(m, str)]
    extra = sorted({m for r in rows for m in (r.get("metrics") or {}) if m not in names})
    return names + extra


def _extra_counts(rows: Sequence[Mapping]) -> list[str]:
    """Counts beyond the four required ones (sorted), e.g. ``iterations``."""
    return sorted({k for r in rows for k in (r.get("counts") or {}) if k not in _BASE_COUNTS})


def _verdict_metrics(rows: Sequence[Mapping], metrics: Sequence[str]) -> list[str]:
    present = {m for r in rows for m in (r.get("verdicts") or {})}
    return [m for m in metrics if m in present] + sorted(present - set(metrics))


def _kinded_predictions(rows: Sequence[Mapping]) -> set[str]:
    """Prediction names given at least once in the ``{"value", "kind"}`` form."""
    return {name for r in rows for name, raw in (r.get("predictions") or {}).items()
            if isinstance(raw, Mapping)}


def _csv_cell(value: Any) -> str:
    """CSV text of a value: ``""`` for None, shortest round-trip text for floats."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, sort_keys=True)
    return str(value)


def csv_table(scenario: Mapping, rows: Sequence[Mapping]) -> tuple[list[str], list[list[str]]]:
    """The header and the cells of ``results.csv``, one row per point in point order.

    Columns, in this order: ``point``; every sweep axis (scenario order); ``frames``,
    ``frame_errors``, ``bits``, ``bit_errors``; for each recorded metric ``<m>``, ``<m>_ci_lo``,
    ``<m>_ci_hi`` (empty without a value / interval); the extra counts (sorted, e.g.
    ``iterations``, ``undetected_errors``); ``pred_<name>`` for each prediction (plus
    ``pred_<name>_kind`` when a row gives it with a kind); ``verdict_<m>``, ``p_value_<m>`` for
    each metric with verdicts; ``derived_<name>`` for the values a system derives from a
    point's counts (``SystemSpec.derive``, e.g. SNR gaps); ``stopped_by``, ``n_batches``.
    Floats are written in Python's shortest round-trip form. Timings stay out (the HTML report
    shows them), so a rerun that reuses the store reproduces the file byte for byte.

    An analysis scenario has instead: ``point``; the sweep axes; the other parameters of each
    point (system defaults filled in; named ``param_<name>`` where a quantity has the same
    name); one column per recorded quantity (no intervals).
    """
    rows = sorted_rows(rows)
    axes = axis_names(scenario, rows)
    metrics = _recorded_metrics(scenario, rows)
    if _is_analysis(scenario):
        return _analysis_csv_table(rows, axes, metrics)
    extras = _extra_counts(rows)
    preds = prediction_names(scenario, rows)
    kinded = _kinded_predictions(rows)
    verdicts = _verdict_metrics(rows, metrics)
    confidence = float(scenario.get("confidence", 0.95) or 0.95)

    header = ["point", *axes, *_BASE_COUNTS]
    for m in metrics:
        header += [m, f"{m}_ci_lo", f"{m}_ci_hi"]
    header += extras
    for p in preds:
        header.append(f"pred_{p}")
        if p in kinded:
            header.append(f"pred_{p}_kind")
    for m in verdicts:
        header += [f"verdict_{m}", f"p_value_{m}"]
    derived = []
    for r in rows:
        derived += [k for k in (r.get("derived") or {}) if k not in derived]
    header += [f"derived_{d}" for d in derived]
    header += ["stopped_by", "n_batches"]

    table = []
    for i, r in enumerate(rows):
        cells: list[Any] = [r.get("point", i)]
        cells += [(r.get("axes") or {}).get(a) for a in axes]
        cells += [row_count(r, c) for c in _BASE_COUNTS]
        for m in metrics:
            entry = metric_entry(r, m, confidence, scenario)
            ci = entry["ci"] or (None, None)
            cells += [entry["value"], ci[0], ci[1]]
        cells += [(r.get("counts") or {}).get(c) for c in extras]
        for p in preds:
            raw = (r.get("predictions") or {}).get(p)
            value, kind = prediction_entry(raw)
            cells.append(value)
            if p in kinded:
                cells.append(kind if raw is not None else None)
        for m in verdicts:
            v = (r.get("verdicts") or {}).get(m) or {}
            cells += [v.get("verdict"), v.get("p_value")]
        cells += [(r.get("derived") or {}).get(d) for d in derived]
        cells += [r.get("stopped_by"), r.get("n_batches")]
        table.append([_csv_cell(c) for c in cells])
    return header, table


def _is_analysis(scenario: Mapping) -> bool:
    return scenario.get("kind") == "analysis"


def _analysis_csv_table(rows: Sequence[Mapping], axes: Sequence[str],
                        metrics: Sequence[str]) -> tuple[list[str], list[list[str]]]:
    """:func:`csv_table` of an analysis scenario (rows sorted; see there)."""
    params: list[str] = []
    for r in rows:
        params += [k for k in (r.get("params") or {}) if k not in axes and k not in params]
    header = ["point", *axes, *(f"param_{p}" if p in metrics else p for p in params),
              *metrics]
    table = []
    for i, r in enumerate(rows):
        cells: list[Any] = [r.get("point", i)]
        cells += [(r.get("axes") or {}).get(a) for a in axes]
        cells += [(r.get("params") or {}).get(p) for p in params]
        cells += [((r.get("metrics") or {}).get(m) or {}).get("value") for m in metrics]
        table.append([_csv_cell(c) for c in cells])
    return header, table


def _csv_bytes(scenario: Mapping, rows: Sequence[Mapping]) -> bytes:
    header, table = csv_table(scenario, rows)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(table)
    return buf.getvalue().encode("utf-8")


def write_csv(path: str | os.PathLike, scenario: Mapping, rows: Sequence[Mapping]) -> Path:
    """Write the table of :func:`csv_table` to ``path`` (UTF-8, ``\\n`` line ends) atomically.

    Returns the path.
    """
    return atomic_write_bytes(path, _csv_bytes(scenario, rows))


_INT_RE = re.compile(r"^[+-]?\d+$")


def _parse_cell(text: str) -> Any:
    if text == "":
        return None
    if _INT_RE.match(text):
        return int(text)
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text)
    except ValueError:
        return text


def read_csv(path: str | os.PathLike, convert: bool = True) -> list[dict]:
    """Read a ``results.csv`` back: one dict per point, keyed by column name.

    With ``convert`` (default) empty cells become ``None``, integers ``int``, other numbers
    ``float``, ``true``/``false`` ``bool``; anything else stays a string. With
    ``convert=False`` every cell is the raw string.
    """
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if not convert:
            return [dict(row) for row in reader]
        return [{key: _parse_cell(value) for key, value in row.items()} for row in reader]


# ----------------------------------------------------------------------------- HTML

#: Column headings (HTML) of the sweep axes researchers sweep most.
_AXIS_HTML = {
    "ebno_db": "E<sub>b</sub>/N<sub>0</sub> (dB)",
    "esno_db": "E<sub>s</sub>/N<sub>0</sub> (dB)",
    "snr_db": "SNR (dB)",
}

#: Short labels of the stopping criteria in the points table (the raw name is the tooltip).
_STOP_SHORT = {"max_frame_errors": "error target", "max_frames": "frame cap",
               "max_seconds": "time cap"}

_GOOD = {"pass", "passed", "ok", "consistent", "agree", "agrees", "accept", "accepted",
         "holds", "within"}
_BAD = {"fail", "failed", "reject", "rejected", "inconsistent", "disagree", "disagrees",
        "violated", "violates", "outside"}

_CSS = """
:root { --fg:#1d2733; --muted:#5f6b7a; --line:#dde3ea; --soft:#f5f7fa; --accent:#1f5fa8; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: #eef1f5; color: var(--fg);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
        "Noto Sans", "Liberation Sans", sans-serif; }
main { max-width: 1260px; width: calc(100% - 24px); margin: 24px auto; padding: 28px 30px 32px; background: #fff;
  border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 1px 3px rgba(0,0,0,.05); }
header { border-bottom: 2px solid var(--accent); padding-bottom: 12px; margin-bottom: 8px; }
h1 { font-size: 26px; line-height: 1.25; margin: 0 0 6px; word-wrap: break-word; }
h2 { font-size: 19px; margin: 30px 0 12px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
.desc { margin: 6px 0 10px; white-space: pre-line; max-width: 80ch; }
.sub { color: var(--muted); font-size: 13.5px; margin: 0; }
.sub span + span::before { content: "\\00b7"; margin: 0 .55em; color: #a0a9b4; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono",
  "Liberation Mono", monospace; font-size: 0.88em; }
table { border-collapse: collapse; }
table.kv { width: 100%; }
table.kv th { text-align: left; vertical-align: top; white-space: nowrap; width: 170px;
  padding: 7px 16px 7px 0; color: var(--muted); font-weight: 600; font-size: 14px; }
table.kv td { padding: 7px 0; vertical-align: top; }
table.kv tr + tr > * { border-top: 1px solid var(--line); }
.pgrid { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 3px 22px; }
.pgrid div { display: flex; align-items: baseline; gap: 8px; min-width: 0; }
.pn { color: var(--muted); font-size: 14px; }
.pn::after { content: " ="; color: #a0a9b4; }
.pv { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: 13px; font-weight: 600; overflow-wrap: anywhere; }
ul.plain { list-style: none; margin: 0; padding: 0; }
ul.plain li { margin: 1px 0; }
.vals { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: 13px; overflow-wrap: anywhere; }
.figs { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
figure { margin: 0; padding: 10px; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
figure img { display: block; width: 100%; height: auto; }
figcaption { font-size: 13px; color: var(--muted); margin-top: 6px; text-align: center; }
figcaption a { color: var(--accent); }
.tablewrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 8px; }
table.points { width: 100%; font-size: 13.5px; }
table.points th, table.points td { padding: 5px 7px; white-space: nowrap; }
table.points thead th { position: sticky; top: 0; background: var(--soft); text-align: right;
  font-weight: 600; border-bottom: 2px solid var(--line); vertical-align: bottom;
  white-space: normal; line-height: 1.25; }
table.points thead th .u { display: block; font-weight: 400; font-size: 11.5px; color: var(--muted); }
table.points thead th.l, table.points td.l { text-align: left; }
table.points td { text-align: right; border-bottom: 1px solid var(--line);
  font-variant-numeric: tabular-nums; }
table.points tbody tr:nth-child(even) td { background: #fafbfc; }
table.points tbody tr:hover td { background: #eef4fb; }
table.points tbody tr:last-child td { border-bottom: none; }
td.metric { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", monospace;
  font-size: 12.5px; line-height: 1.3; }
td.metric .ci { display: block; font-size: 11px; color: var(--muted); }
.na { color: #9aa4af; }
.badge { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600;
  background: #e8ebef; color: #3d4752; }
.badge.good { background: #dcf3e3; color: #17672f; }
.badge.bad { background: #fbe0df; color: #9b1c1c; }
.p { display: block; color: var(--muted); font-size: 11px; margin-top: 1px; }
td.stop { color: var(--muted); font-size: 12.5px; }
td .sub { display: block; font-size: 11px; color: var(--muted); }
.note { color: var(--muted); font-size: 12.5px; margin: 8px 2px 0; }
footer { margin-top: 28px; color: var(--muted); font-size: 12.5px; text-align: right; }
@media (max-width: 700px) { main { padding: 18px; margin: 0; border-radius: 0; }
  .figs { grid-template-columns: 1fr; } table.kv th { width: auto; } }
@media print { body { background: #fff; } main { box-shadow: none; border: none; margin: 0; }
  table.points thead th { position: static; } figure { break-inside: avoid; } }
"""


def _e(value: Any) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value), quote=True)


def _num(value: Any) -> str:
    """Counts with thousands separators, other numbers with :func:`format_value`."""
    if value is None:
        return '<span class="na">&mdash;</span>'
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    return _e(format_value(value))


def _is_num(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _sci(value: float) -> str:
    return "0" if value == 0 else f"{value:.2e}"


def _metric_kind(metric: str, scenario: Mapping) -> str:
    """The kind of :func:`linksim.plots.metric_info`; "rate" for a name it does not know."""
    try:
        return metric_info(metric, scenario).kind
    except ValueError:
        return "rate"


def _metric_text(metric: str, entry: Mapping, scenario: Mapping) -> str | None:
    """``"1.23e-03 [1.01e-03, 1.48e-03]"`` for a rate, ``"5.37"`` for a mean or an analysis
    quantity, ``None`` without a value."""
    value, ci = entry["value"], entry["ci"]
    if value is None:
        return None
    if _metric_kind(metric, scenario) in ("mean", "quantity"):
        text = f"{value:.4g}"
    else:
        text = _sci(value)
    if ci is not None:
        text += f" [{_sci(ci[0])}, {_sci(ci[1])}]"
    return text


def _metric_cell(metric: str, entry: Mapping, scenario: Mapping) -> str:
    """``<td>`` of a metric: the value, its interval in smaller type below it."""
    text = _metric_text(metric, entry, scenario)
    if text is None:
        return '<td class="metric"><span class="na">&mdash;</span></td>'
    value, sep, ci = text.partition(" ")
    inner = _e(value) + (f' <span class="ci">{_e(ci)}</span>' if sep else "")
    return f'<td class="metric" title="{_e(text)}">{inner}</td>'


def _prediction_text(raw: Any) -> str | None:
    value, kind = prediction_entry(raw)
    if value is None:
        return None
    prefix = {"upper_bound": "\u2264 ", "lower_bound": "\u2265 "}.get(kind, "")
    return prefix + _sci(value)


def _axis_heading(name: str) -> str:
    label = _AXIS_HTML.get(name)
    if label is None:
        return _e(name)
    return f'<span title="{_e(name)}">{label}</span>'


def _metric_label(metric: str, scenario: Mapping) -> str:
    """The label of :func:`linksim.plots.metric_info`; the name itself for a name it does not
    know (a metric only the rows carry)."""
    try:
        return metric_info(metric, scenario).label
    except ValueError:
        return metric


def _param_value(value: Any) -> str:
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, sort_keys=True)
    return format_value(value)


def _stop_text(stop: Mapping) -> str:
    """One sentence describing the stopping rule."""
    if not stop:
        return "not recorded"
    parts = []
    if stop.get("max_frame_errors") is not None:
        parts.append(f"{int(stop['max_frame_errors']):,} frame errors")
    if stop.get("max_frames") is not None:
        parts.append(f"{int(stop['max_frames']):,} frames")
    text = "until " + " or ".join(parts) if parts else "no count limit"
    if stop.get("max_seconds") is not None:
        text += f" or {format_value(stop['max_seconds'])} s per point"
    batch = stop.get("batch_size")
    first = stop.get("first_batch_size")
    if batch is not None:
        text += f"; batches of {int(batch):,} frames"
        if first is not None and int(first) < int(batch):
            text += f" (ramping up from {int(first):,})"
    known = {"max_frame_errors", "max_frames", "max_seconds", "batch_size", "first_batch_size"}
    for key in sorted(k for k in stop if k not in known):
        text += f"; {key} = {_param_value(stop[key])}"
    return text


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    return f"{seconds / 3600:.2f} h"


def _verdict_cell(v: Mapping | None) -> str:
    if not v:
        return '<span class="na">&mdash;</span>'
    verdict = str(v.get("verdict", ""))
    cls = "good" if verdict.lower() in _GOOD else "bad" if verdict.lower() in _BAD else ""
    out = f'<span class="badge {cls}">{_e(verdict)}</span>'
    p = v.get("p_value")
    if isinstance(p, numbers.Real) and not isinstance(p, bool) and math.isfinite(p):
        out += f'<span class="p">p = {float(p):.3g}</span>'
    return out


def _prediction_specs(scenario: Mapping) -> list[str]:
    """HTML list items describing the scenario's prediction entries."""
    items = []
    for entry in scenario.get("predictions") or ():
        if isinstance(entry, Mapping):
            name = entry.get("name", entry.get("prediction", "?"))
            opts = {k: v for k, v in entry.items() if k not in ("name", "prediction")}
            text = f"<code>{_e(name)}</code>"
            if opts:
                text += " " + ", ".join(f"{_e(k)} = <code>{_e(_param_value(v))}</code>"
                                         for k, v in opts.items())
            items.append(text)
        else:
            items.append(f"<code>{_e(entry)}</code>")
    return items


def _interval_methods(metrics: Sequence[str], system: str | None) -> dict[str, str]:
    """``{metric: how its interval is computed}`` for the recorded rates (the report's
    "Intervals" row): frames as independent trials, or frames as clusters for BER."""
    from linksim.sim.metrics import INTERVAL_METHODS
    from linksim.systems import metrics_of
    METRICS = metrics_of(system)
    return {m: INTERVAL_METHODS[METRICS[m].interval_method] for m in metrics
            if m in METRICS and METRICS[m].interval_method is not None}


def _parameter_table(scenario: Mapping, rows: Sequence[Mapping], axes: Sequence[str],
                     metrics: Sequence[str], generated: str | None) -> str:
    kv: list[tuple[str, str]] = []
    kv.append(("System", f"<code>{_e(scenario.get('system', ''))}</code>"))
    params = scenario.get("params") or {}
    if params:
        cells = "".join(f'<div><span class="pn">{_e(k)}</span>'
                        f'<span class="pv">{_e(_param_value(v))}</span></div>'
                        for k, v in params.items())
        kv.append(("Fixed parameters", f'<div class="pgrid">{cells}</div>'))
    else:
        kv.append(("Fixed parameters", '<span class="na">none</span>'))
    ax_spec = scenario.get("axes") or {}
    if axes:
        sizes = " &times; ".join(f"<code>{_e(a)}</code> ({len(ax_spec.get(a, ()))})"
                                 if a in ax_spec else f"<code>{_e(a)}</code>" for a in axes)
        mode = scenario.get("mode")
        head = (f"{_e(mode)}: " if mode else "") + sizes + f" &rarr; {len(rows)} points"
        items = "".join(f'<li><code>{_e(a)}</code>: <span class="vals">'
                        f'{_e(", ".join(format_value(v) for v in ax_spec.get(a, ())))}</span></li>'
                        for a in axes if a in ax_spec)
        kv.append(("Sweep", head + (f'<ul class="plain">{items}</ul>' if items else "")))
    else:
        kv.append(("Sweep", f"single point ({len(rows)} row{'s' if len(rows) != 1 else ''})"))
    if scenario.get("x") is not None:
        kv.append(("Horizontal axis", f"<code>{_e(scenario['x'])}</code>"))
    kv.append(("Metrics", ", ".join(f"{_e(_metric_label(m, scenario))} (<code>{_e(m)}</code>)"
                                    for m in metrics) or '<span class="na">none</span>'))
    preds = _prediction_specs(scenario)
    if preds:
        kv.append(("Predictions", '<ul class="plain">' + "".join(f"<li>{p}</li>" for p in preds)
                   + "</ul>"))
    elapsed = sum(float(r.get("elapsed_s") or 0.0) for r in rows)
    if _is_analysis(scenario):
        kv.append(("Stopping rule", "none: analysis (each point evaluated once, "
                                    "deterministically)"))
        kv.append(("Computed", f"{len(rows)} points in {_e(_duration(elapsed))} of "
                               f"computation time"))
    else:
        kv.append(("Stopping rule", _e(_stop_text(scenario.get("stop") or {}))))
        kv.append(("Seed", f"<code>{_e(scenario.get('seed', ''))}</code>"))
        conf = scenario.get("confidence")
        if isinstance(conf, numbers.Real):
            kv.append(("Confidence", f"{float(conf):.4g}, two-sided"))
        methods = _interval_methods(metrics, scenario.get("system"))
        if methods:
            kv.append(("Intervals", '<ul class="plain">' + "".join(
                f"<li>{_e(_metric_label(m, scenario))}: {_e(text)}</li>"
                for m, text in methods.items()) + "</ul>"))
        frames = sum(int(row_count(r, "frames") or 0) for r in rows)
        kv.append(("Simulated", f"{frames:,} frames in {len(rows)} points, "
                                f"{_e(_duration(elapsed))} of simulation time"))
    kv.append(("Scenario hash", f'<code>{_e(scenario.get("hash", ""))}</code>'))
    kv.append(("linksim version", f"<code>{_e(linksim.__version__)}</code>"))
    kv.append(("Generated", _e(generated) if generated else '<span class="na">not recorded</span>'))
    body = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in kv)
    return f'<table class="kv">{body}</table>'


def _points_table(scenario: Mapping, rows: Sequence[Mapping], axes: Sequence[str],
                  metrics: Sequence[str]) -> str:
    preds = prediction_names(scenario, rows)
    verdicts = _verdict_metrics(rows, metrics)
    confidence = float(scenario.get("confidence", 0.95) or 0.95)
    first = rows[0].get("axes") or {} if rows else {}
    head = ['<th class="l">#</th>'] + [
        f"<th>{_axis_heading(a)}</th>" if _is_num(first.get(a))
        else f'<th class="l">{_axis_heading(a)}</th>' for a in axes]
    analysis = _is_analysis(scenario)
    if not analysis:
        head += ["<th>frames</th>", "<th>frame errors</th>", "<th>bit errors</th>"]
    level = f"{confidence:.0%}" if abs(confidence * 100 - round(confidence * 100)) < 1e-9 \
        else f"{confidence:.4g}"
    for m in metrics:
        ci = (f'<span class="u">[{level} CI]</span>'
              if _metric_kind(m, scenario) == "rate" else "")
        head.append(f'<th title="{_e(m)}">{_e(_metric_label(m, scenario))}{ci}</th>')
    head += [f"<th>pred. <code>{_e(p)}</code></th>" for p in preds]
    for m in verdicts:
        names = sorted({str(((r.get("verdicts") or {}).get(m) or {}).get("prediction", ""))
                        for r in rows} - {""})
        vs = f" vs <code>{_e(', '.join(names))}</code>" if names else ""
        head.append(f'<th class="l">{_e(_metric_label(m, scenario))}{vs}</th>')
    head += (["<th>time</th>"] if analysis else
             ['<th class="l">stopped by</th>', '<th>batches<span class="u">time</span></th>'])

    body = []
    for i, r in enumerate(rows):
        ax_vals = r.get("axes") or {}
        cells = [f'<td class="l">{_e(r.get("point", i))}</td>']
        cells += [f"<td>{_num(ax_vals.get(a))}</td>" if _is_num(ax_vals.get(a))
                  else f'<td class="l">{_num(ax_vals.get(a))}</td>' for a in axes]
        if not analysis:
            cells += [f"<td>{_num(row_count(r, c))}</td>"
                      for c in ("frames", "frame_errors", "bit_errors")]
        cells += [_metric_cell(m, metric_entry(r, m, confidence, scenario), scenario)
                  for m in metrics]
        for p in preds:
            text = _prediction_text((r.get("predictions") or {}).get(p))
            cells.append(f'<td class="metric">{_e(text)}</td>' if text is not None
                         else '<td><span class="na">&mdash;</span></td>')
        for m in verdicts:
            cells.append(f'<td class="l">{_verdict_cell((r.get("verdicts") or {}).get(m))}</td>')
        el = r.get("elapsed_s")
        when = _e(_duration(float(el))) if _is_num(el) else "&mdash;"
        if analysis:
            cells.append(f"<td>{when}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
            continue
        stopped = r.get("stopped_by")
        cells.append(f'<td class="l stop" title="{_e(stopped)}">'
                     f'{_e(_STOP_SHORT.get(str(stopped), stopped))}</td>' if stopped
                     else '<td class="l"><span class="na">&mdash;</span></td>')
        cells.append(f'<td>{_num(r.get("n_batches"))}<span class="sub">{when}</span></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    used = sorted({str(r.get("stopped_by")) for r in rows if r.get("stopped_by")}
                  & set(_STOP_SHORT))
    note = ""
    if used:
        note = ('<p class="note">Stopped by: ' + "; ".join(
            f"{_e(_STOP_SHORT[k])} = <code>{_e(k)}</code> reached" for k in used) + ".</p>")
    return ('<div class="tablewrap"><table class="points"><thead><tr>' + "".join(head)
            + "</tr></thead><tbody>" + "\n".join(body) + "</tbody></table></div>" + note)


def _gaps_table(gaps: Sequence[Mapping]) -> str:
    """HTML table of the horizontal gaps (dB) between measured curves and predictions."""
    head = ("<tr><th class=\"l\">series</th><th class=\"l\">metric</th>"
            "<th class=\"l\">prediction</th><th>at</th><th>gap (dB)</th></tr>")
    body = []
    for g in gaps:
        series = ", ".join(f"{k}={v}" for k, v in (g.get("series") or {}).items()) or "all"
        gap = g.get("gap_db")
        target = f"{g['target']:.0e}"
        gap_text = "-" if gap is None else f"{gap:+.2f}"
        body.append(f'<tr><td class="l">{_e(series)}</td><td class="l">{_e(g.get("metric", ""))}'
                    f'</td><td class="l">{_e(g.get("prediction", ""))}</td>'
                    f'<td>{_e(target)}</td><td>{gap_text}</td></tr>')
    note = ("<p class=\"sub\">Measured Eb/N0 minus predicted Eb/N0 at the target rate, by "
            "log-linear interpolation of each curve; positive: the code needs more SNR than "
            "the prediction.</p>")
    return f'<div class="tablewrap"><table>{head}{"".join(body)}</table></div>{note}'


def render_html(scenario: Mapping, rows: Sequence[Mapping],
                figures: Mapping[str, bytes] | None = None, generated: str | None = None,
                pdf_links: Mapping[str, str] | None = None) -> str:
    """The text of ``report.html``: one self-contained page (inline CSS, figures as base64
    PNG data URIs, no scripts, no external resources).

    Parameters
    ----------
    scenario, rows : see the module docstring.
    figures : mapping figure name -> PNG bytes, drawn in this order (none if omitted); a name
        is a metric or a group of :func:`linksim.plots.figure_groups`.
    generated : str, optional
        Timestamp shown in the parameter table; ``None`` shows "not recorded".
    pdf_links : mapping figure name -> relative href of the figure's PDF, optional.

    The page shows the scenario name as title, its description, a parameter table (system,
    fixed parameters, sweep axes and mode, metrics, predictions, stopping rule, seed,
    confidence, totals, scenario hash, linksim version, generation time), the figures, and a
    table of every point (axis values, frames, frame and bit errors, each metric with its
    interval, predictions, verdicts, what stopped it, batches, time). An analysis scenario's
    page has no stopping rule ("analysis" in its place), seed, confidence, counts or intervals.
    All text taken from the inputs is HTML-escaped.
    """
    rows = sorted_rows(rows)
    axes = axis_names(scenario, rows)
    metrics = _recorded_metrics(scenario, rows)
    name = str(scenario.get("name") or "linksim run")
    desc = scenario.get("description")
    figures = figures or {}
    pdf_links = pdf_links or {}
    x = scenario.get("x")

    sub = [f"<span>system <code>{_e(scenario.get('system', ''))}</code></span>",
           f"<span>{len(rows)} point{'s' if len(rows) != 1 else ''}</span>"]
    if scenario.get("hash"):
        sub.append(f'<span>hash <code>{_e(str(scenario["hash"])[:12])}</code></span>')
    if generated:
        sub.append(f"<span>{_e(generated)}</span>")

    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="linksim {_e(linksim.__version__)}">',
        f"<title>{_e(name)} &mdash; linksim report</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        "<header>",
        f"<h1>{_e(name)}</h1>",
    ]
    if desc:
        parts.append(f'<p class="desc">{_e(str(desc).strip())}</p>')
    parts += [f'<p class="sub">{"".join(sub)}</p>', "</header>",
              "<section>", "<h2>Parameters</h2>",
              _parameter_table(scenario, rows, axes, metrics, generated), "</section>"]
    if figures:
        parts += ["<section>", "<h2>Figures</h2>", '<div class="figs">']
        grouped = dict(figure_groups(scenario))
        for figure, png in figures.items():
            data = base64.b64encode(png).decode("ascii")
            shown = grouped.get(figure, [figure])
            label = ", ".join(_metric_label(m, scenario) for m in shown)
            alt = f"{label} versus {x if x is not None else 'sweep point'}"
            caption = ", ".join(f"{_e(_metric_label(m, scenario))} (<code>{_e(m)}</code>)"
                                for m in shown)
            if figure in pdf_links:
                caption += f' &middot; <a href="{_e(pdf_links[figure])}">PDF</a>'
            parts.append(f'<figure><img alt="{_e(alt)}" src="data:image/png;base64,{data}">'
                         f"<figcaption>{caption}</figcaption></figure>")
        parts += ["</div>", "</section>"]
    if scenario.get("gaps"):
        parts += ["<section>", "<h2>Gap to theory</h2>", _gaps_table(scenario["gaps"]),
                  "</section>"]
    parts += ["<section>", "<h2>Points</h2>", _points_table(scenario, rows, axes, metrics),
              "</section>",
              f"<footer>linksim {_e(linksim.__version__)}"
              + (f" &middot; generated {_e(generated)}" if generated else "") + "</footer>",
              "</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


# ----------------------------------------------------------------------------- all outputs

def write_outputs(out_dir: str | os.PathLike, scenario: Mapping, rows: Sequence[Mapping],
                  generated: str | None = None) -> dict[str, Path | list[Path]]:
    """Write every output of a run into ``out_dir`` (created if missing).

    Parameters
    ----------
    out_dir : path
        The results directory of the run.
    scenario : mapping
        ``Scenario.to_dict()`` (see the module docstring).
    rows : sequence of dict
        One row per sweep point (see the module docstring); sorted by ``point`` here.
    generated : str, optional
        Timestamp to show in the report. The outputs are a pure function of the arguments:
        with the same ``generated`` two calls write byte-identical files.

    Writes
    ------
    ``results.csv``
        The table of :func:`csv_table`.
    ``figures/<name>.png`` and ``figures/<name>.pdf``
        :func:`linksim.plots.plot_metrics` of each figure of
        :func:`linksim.plots.figure_groups` (each metric of ``scenario["metrics"]``, or each
        entry of ``scenario["groups"]``) against ``scenario["x"]`` (default: the first swept
        axis).
    ``report.html``
        :func:`render_html`, with the PNG figures embedded.

    All files are rendered first, then written whole or not at all
    (:func:`linksim.plots.atomic_write_files`): a failure while writing (a full disk) leaves
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
    files: dict[Path, bytes] = {csv_path: _csv_bytes(scenario, rows)}

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
