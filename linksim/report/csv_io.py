"""``results.csv``: the table of a run's points, written and read back.

:func:`csv_table` lays the rows out (columns described there), :func:`write_csv` writes them
atomically, :func:`read_csv` reads a file back. Floats are written in Python's shortest
round-trip form and timings stay out, so the same rows always give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import numbers
import os
import re
from pathlib import Path
from typing import Any, Mapping, Sequence

from linksim.report.atomic import atomic_write_bytes
from linksim.report.rows import (
    BASE_COUNTS,
    axis_names,
    extra_counts,
    is_analysis,
    kinded_predictions,
    metric_entry,
    prediction_entry,
    prediction_names,
    prediction_se,
    predictions_with_se,
    recorded_metrics,
    row_count,
    sorted_rows,
    verdict_metrics,
)

__all__ = ["csv_table", "csv_bytes", "write_csv", "read_csv"]


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
    metrics = recorded_metrics(scenario, rows)
    if is_analysis(scenario):
        return _analysis_csv_table(rows, axes, metrics)
    extras = extra_counts(rows)
    preds = prediction_names(scenario, rows)
    kinded = kinded_predictions(rows)
    with_se = predictions_with_se(rows)
    verdicts = verdict_metrics(rows, metrics)
    confidence = float(scenario.get("confidence", 0.95) or 0.95)

    header = ["point", *axes, *BASE_COUNTS]
    for m in metrics:
        header += [m, f"{m}_ci_lo", f"{m}_ci_hi"]
    header += extras
    for p in preds:
        header.append(f"pred_{p}")
        if p in kinded:
            header.append(f"pred_{p}_kind")
        if p in with_se:
            header.append(f"pred_{p}_se")
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
        cells += [row_count(r, c) for c in BASE_COUNTS]
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
            if p in with_se:
                cells.append(prediction_se(raw))
        for m in verdicts:
            v = (r.get("verdicts") or {}).get(m) or {}
            cells += [v.get("verdict"), v.get("p_value")]
        cells += [(r.get("derived") or {}).get(d) for d in derived]
        cells += [r.get("stopped_by"), r.get("n_batches")]
        table.append([_csv_cell(c) for c in cells])
    return header, table


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


def csv_bytes(scenario: Mapping, rows: Sequence[Mapping]) -> bytes:
    """The bytes of ``results.csv``: :func:`csv_table` as UTF-8 CSV, ``\\n`` line ends."""
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
    return atomic_write_bytes(path, csv_bytes(scenario, rows))


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
