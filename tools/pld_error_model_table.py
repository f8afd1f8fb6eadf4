"""The code-aware error model's fit, as a table: per calibrated layer, the shifted NA's fitted gap
and its error in dB, and the calibrated model at the held-out SINRs (issue 15).

    python tools/pld_error_model_table.py

Reads ``results/pld_calibration`` and ``results/pld_calibration_holdout`` and writes
``results/pld_calibration/error_model.md`` (and prints it).
"""

from __future__ import annotations

from pathlib import Path

from linksim.systems.pld.error_model import (CalibratedLayer, fit_gap, held_out_check,
                                             load_calibration, table_for)

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    tables = load_calibration(ROOT / "results/pld_calibration")
    lines = ["# Code-aware error model of the PLD layers (issue 15)", "",
             "Shifted NA: eq. (12) for k = d + L bits, moved right by the fitted gap. "
             "`rms`, `max`: its error in dB at the calibration's nodes (0 < BLER < 1, "
             ">= 10 failures).", "",
             "| decoder | modulation | n | d | CRC | k | nodes | gap (dB) | s.e. | rms error (dB) | max error (dB) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for t in sorted(tables, key=lambda t: (t.config["decoder"], t.config["modulation"],
                                           t.config["n"], t.k_bits)):
        f = fit_gap(t)
        c = t.config
        lines.append(f"| {c['decoder']}-{c['num_iter']} | {c['modulation']} | {c['n']} | {c['d']} "
                     f"| {c['crc']} | {t.k_bits} | {f.sinr_db.size} | {f.gap_db:.3f} | "
                     f"{f.gap_se_db:.3f} | {f.rms_db:.3f} | {f.max_abs_db:.3f} |")
    held = load_calibration(ROOT / "results/pld_calibration_holdout")
    lines += ["", "Calibrated model (PCHIP in logit BLER over SINR dB) at held-out SINRs, against "
              "each held-out point's 99 % Clopper-Pearson interval.", "",
              "| layer | SINR (dB) | failures / frames | BLER [99 %] | calibrated | inside |",
              "|---|---|---|---|---|---|"]
    inside = total = 0
    for h in held:
        fit = table_for(tables, **h.config)
        for c in held_out_check(fit, h):
            total += 1
            inside += c.inside
            cfg = h.config
            lines.append(f"| {cfg['decoder']} {cfg['modulation']} n={cfg['n']} d={cfg['d']} "
                         f"{cfg['crc']} | {c.sinr_db:g} | {c.failures} / {c.frames} | "
                         f"{c.rate:.4g} [{c.lo:.4g}, {c.hi:.4g}] | {c.predicted:.4g} | "
                         f"{'yes' if c.inside else 'NO'} |")
    lines += ["", f"{inside} of {total} held-out points inside their 99 % interval."]
    text = "\n".join(lines) + "\n"
    (ROOT / "results/pld_calibration/error_model.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
