"""``report.html``: one self-contained page per run (inline CSS, figures as base64 PNG data
URIs, no scripts, no external resources).

The style sheet is the package data file ``style.css`` next to this module. Everything shown
is a pure function of the inputs of :func:`render_html`; all text taken from them is
HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import json
import math
import numbers
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping, Sequence

import linksim
from linksim.report.figures import figure_groups
from linksim.report.labels import (
    axis_html,
    format_value,
    interval_methods,
    metric_kind,
    metric_label,
    prediction_kind_prefix,
    stop_label,
)
from linksim.report.rows import (
    axis_names,
    is_analysis,
    metric_entry,
    prediction_entry,
    prediction_names,
    prediction_se,
    recorded_metrics,
    row_count,
    sorted_rows,
    verdict_metrics,
)

__all__ = ["render_html"]

#: Verdicts shown as a good (green) or a bad (red) badge, lower case; others are neutral.
_GOOD = {"pass", "passed", "ok", "consistent", "agree", "agrees", "accept", "accepted",
         "holds", "within"}
_BAD = {"fail", "failed", "reject", "rejected", "inconsistent", "disagree", "disagrees",
        "violated", "violates", "outside"}


@lru_cache(maxsize=1)
def _css() -> str:
    """The style sheet of the page (``style.css``, package data of :mod:`linksim.report`)."""
    return resources.files("linksim.report").joinpath("style.css").read_text(encoding="utf-8")


def _e(value: Any) -> str:
    """HTML-escaped text of any value."""
    return html.escape(str(value), quote=True)


def _num(value: Any) -> str:
    """Counts with thousands separators, other numbers with
    :func:`linksim.report.labels.format_value`."""
    if value is None:
        return '<span class="na">&mdash;</span>'
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    return _e(format_value(value))


def _is_num(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _sci(value: float) -> str:
    return "0" if value == 0 else f"{value:.2e}"


def _metric_text(metric: str, entry: Mapping, scenario: Mapping) -> str | None:
    """``"1.23e-03 [1.01e-03, 1.48e-03]"`` for a rate, ``"5.37"`` for a mean or an analysis
    quantity, ``None`` without a value."""
    value, ci = entry["value"], entry["ci"]
    if value is None:
        return None
    if metric_kind(metric, scenario) in ("mean", "quantity"):
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
    se = prediction_se(raw)
    text = prediction_kind_prefix(kind) + _sci(value)
    return text if se is None else f"{text} ± {_sci(se)} (s.e.)"


def _axis_heading(name: str, system: str | None) -> str:
    label = axis_html(name, system)
    if label is None:
        return _e(name)
    return f'<span title="{_e(name)}">{label}</span>'


def _stop_short(stopped: Any) -> Any:
    """Short label of what stopped a point (:func:`linksim.report.labels.stop_label`); the
    value itself for a criterion without one."""
    short = stop_label(str(stopped))
    return stopped if short is None else short


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
    kv.append(("Metrics", ", ".join(f"{_e(metric_label(m, scenario))} (<code>{_e(m)}</code>)"
                                    for m in metrics) or '<span class="na">none</span>'))
    preds = _prediction_specs(scenario)
    if preds:
        kv.append(("Predictions", '<ul class="plain">' + "".join(f"<li>{p}</li>" for p in preds)
                   + "</ul>"))
    elapsed = sum(float(r.get("elapsed_s") or 0.0) for r in rows)
    if is_analysis(scenario):
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
        methods = interval_methods(metrics, scenario.get("system"))
        if methods:
            kv.append(("Intervals", '<ul class="plain">' + "".join(
                f"<li>{_e(metric_label(m, scenario))}: {_e(text)}</li>"
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
    verdicts = verdict_metrics(rows, metrics)
    confidence = float(scenario.get("confidence", 0.95) or 0.95)
    first = rows[0].get("axes") or {} if rows else {}
    head = ['<th class="l">#</th>'] + [
        f"<th>{_axis_heading(a, scenario.get('system'))}</th>" if _is_num(first.get(a))
        else f'<th class="l">{_axis_heading(a, scenario.get("system"))}</th>' for a in axes]
    analysis = is_analysis(scenario)
    if not analysis:
        head += ["<th>frames</th>", "<th>frame errors</th>", "<th>bit errors</th>"]
    level = f"{confidence:.0%}" if abs(confidence * 100 - round(confidence * 100)) < 1e-9 \
        else f"{confidence:.4g}"
    for m in metrics:
        ci = (f'<span class="u">[{level} CI]</span>'
              if metric_kind(m, scenario) == "rate" else "")
        head.append(f'<th title="{_e(m)}">{_e(metric_label(m, scenario))}{ci}</th>')
    head += [f"<th>pred. <code>{_e(p)}</code></th>" for p in preds]
    for m in verdicts:
        names = sorted({str(((r.get("verdicts") or {}).get(m) or {}).get("prediction", ""))
                        for r in rows} - {""})
        vs = f" vs <code>{_e(', '.join(names))}</code>" if names else ""
        head.append(f'<th class="l">{_e(metric_label(m, scenario))}{vs}</th>')
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
                     f'{_e(_stop_short(stopped))}</td>' if stopped
                     else '<td class="l"><span class="na">&mdash;</span></td>')
        cells.append(f'<td>{_num(r.get("n_batches"))}<span class="sub">{when}</span></td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    used = sorted(k for k in {str(r.get("stopped_by")) for r in rows if r.get("stopped_by")}
                  if stop_label(k) is not None)
    note = ""
    if used:
        note = ('<p class="note">Stopped by: ' + "; ".join(
            f"{_e(stop_label(k))} = <code>{_e(k)}</code> reached" for k in used) + ".</p>")
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
    scenario, rows : see :mod:`linksim.report.rows`.
    figures : mapping figure name -> PNG bytes, drawn in this order (none if omitted); a name
        is a metric or a group of :func:`linksim.report.figures.figure_groups`.
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
    metrics = recorded_metrics(scenario, rows)
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
        f"<style>\n{_css()}</style>",
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
            label = ", ".join(metric_label(m, scenario) for m in shown)
            alt = f"{label} versus {x if x is not None else 'sweep point'}"
            caption = ", ".join(f"{_e(metric_label(m, scenario))} (<code>{_e(m)}</code>)"
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
