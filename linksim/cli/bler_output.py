"""What ``linksim bler`` prints and saves per point: the live table (header and rows), the JSON
record of a point (``--json``) and its CSV row (``--csv``)."""

from __future__ import annotations

import math

__all__ = ["CSV_RESULT_FIELDS", "csv_row", "point_record", "table_header", "table_row"]


def _fmt_elapsed(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.2f}s"
    s = int(round(seconds))
    h, rem = divmod(s, 3600)
    m, s = divmod(rem, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s"


def _fmt_rate(x) -> str:
    return "nan" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.3e}"


_COLUMNS = [  # (header line 1, header line 2, width)
    ("Eb/N0", "(dB)", 8), ("frames", "", 10), ("bit errors", "", 11),
    ("frame errors", "", 12), ("BER", "", 9), ("BLER", "", 9),
    ("BLER CI", "", 21), ("info Mb/s", "", 9), ("elapsed", "", 9),
]


def table_header(confidence: float) -> list[str]:
    sep = "# " + "-+-".join("-" * w for _, _, w in _COLUMNS)
    names = []
    for name, _, w in _COLUMNS:
        if name == "BLER CI":
            name = f"BLER CI {confidence:.0%}" if confidence * 100 == round(confidence * 100) \
                else f"BLER CI {confidence:g}"
        names.append(name.rjust(w))
    line1 = "# " + " | ".join(names)
    line2 = "# " + " | ".join(unit.rjust(w) for _, unit, w in _COLUMNS)
    return [sep, line1, line2, sep]


def table_row(ebno_db: float, result, info_mbps) -> str:
    lo, hi = result.bler_ci
    cells = [
        f"{ebno_db:.2f}", f"{result.frames}", f"{result.bit_errors}", f"{result.frame_errors}",
        _fmt_rate(result.ber), _fmt_rate(result.bler), f"[{lo:.2e}, {hi:.2e}]",
        "-" if info_mbps is None else f"{info_mbps:.3f}", _fmt_elapsed(result.elapsed_s),
    ]
    return "  " + " | ".join(c.rjust(w) for c, (_, _, w) in zip(cells, _COLUMNS))


def _info_mbps(result):
    return result.bits / result.elapsed_s / 1e6 if result.elapsed_s > 0 else None


def point_record(ebno_db: float, result, config: dict, stop, index: int) -> dict:
    """The JSON / CSV record of one point: results first, then the configuration."""
    d = result.to_dict()
    rec = {
        "ebno_db": ebno_db, "point_index": index,
        "frames": d["frames"], "frame_errors": d["frame_errors"],
        "bits": d["bits"], "bit_errors": d["bit_errors"],
        "bler": d["bler"], "ber": d["ber"], "bler_ci": d["bler_ci"], "ber_ci": d["ber_ci"],
        "info_mbps": _info_mbps(result), "elapsed_s": d["elapsed_s"],
        "n_batches": d["n_batches"], "stopped_by": d["stopped_by"],
        "counts": d["counts"],
    }
    if "iterations" in result.counts and result.frames:
        rec["avg_iterations"] = result.counts["iterations"] / result.frames
    cfg = {key: value for key, value in config.items() if key != "ebno_db"}
    rec.update(cfg)
    rec.update(stop.to_dict())
    rec["confidence"] = result.confidence
    rec["seed"] = result.seed
    return rec


CSV_RESULT_FIELDS = ["ebno_db", "point_index", "frames", "frame_errors", "bits", "bit_errors",
                      "bler", "bler_ci_lo", "bler_ci_hi", "ber", "ber_ci_lo", "ber_ci_hi",
                      "info_mbps", "elapsed_s", "n_batches", "stopped_by"]


def csv_row(rec: dict) -> dict:
    row = {key: value for key, value in rec.items() if key not in ("bler_ci", "ber_ci", "counts")}
    row["bler_ci_lo"], row["bler_ci_hi"] = rec["bler_ci"]
    row["ber_ci_lo"], row["ber_ci_hi"] = rec["ber_ci"]
    for key, value in rec["counts"].items():
        row.setdefault(key, value)
    return row
