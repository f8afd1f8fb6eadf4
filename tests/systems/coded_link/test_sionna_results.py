"""The committed run of both engines (results/sionna_backend: the README code, spa flooding, 20
iterations, no early stop, each point to 400 frame errors or 10^4 frames): at each of the
three Eb/N0 points the Sionna backend's BLER and the Numba engine's agree by the two-sample
rule at 99 % (linksim.validate.check, the Numba rate as the prediction with its own standard
error; the draws are independent). This can fail: a rerun that moved either BLER would."""

import math
from pathlib import Path

from linksim.report.csv_io import read_csv
from linksim.validate import check

ROOT = Path(__file__).resolve().parents[3]


def test_both_engines_agree_at_three_readme_points():
    rows = read_csv(ROOT / "results/sionna_backend/results.csv")
    by = {(r["backend"], r["ebno_db"]): r for r in rows}
    points = sorted({r["ebno_db"] for r in rows})
    assert points == [0.5, 1.0, 1.5]
    for ebno in points:
        s, n = by[("sionna", ebno)], by[("numba", ebno)]
        assert s["frame_errors"] >= 100 and n["frame_errors"] >= 100
        p = n["frame_errors"] / n["frames"]
        verdict = check(s["frame_errors"], s["frames"], p,
                        predicted_se=math.sqrt(p * (1 - p) / n["frames"]))
        assert verdict.verdict == "consistent", (ebno, verdict)
