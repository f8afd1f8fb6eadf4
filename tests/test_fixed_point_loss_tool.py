"""tools/fixed_point_loss.py: the loss read off BLER curves, and its interval."""

import csv
import importlib.util
from pathlib import Path

import numpy as np
import pytest

from linksim.validate import snr_at

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("fixed_point_loss",
                                                  ROOT / "tools" / "fixed_point_loss.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write(path, curves):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["precision", "ebno_db", "frames", "frame_errors"])
        for precision, (ebno, frames, errors) in curves.items():
            for e, n, k in zip(ebno, frames, errors):
                w.writerow([precision, e, n, k])


def test_snr_at_interpolates_log_linearly():
    assert snr_at([1, 2, 3], [0.1, 0.01, 0.001], 1e-2) == pytest.approx(2.0)
    assert snr_at([1, 2, 3], [0.1, 0.01, 0.001], 10 ** -2.5) == pytest.approx(2.5)
    with pytest.raises(ValueError, match="^target"):
        snr_at([1, 2], [0.1, 0.01], 1e-4)
    with pytest.raises(ValueError, match="^target"):
        snr_at([1, 2], [0.1, 0.01], 0.0)


def test_the_loss_of_a_shifted_curve_is_the_shift(tmp_path):
    """A fixed-point curve that is the float curve moved 0.1 dB to the right, with 10^6
    frames a point: the loss is 0.1 dB and the bootstrap interval holds it and is narrow."""
    tool = _tool()
    ebno = np.arange(1.0, 2.51, 0.25)
    frames = np.full(ebno.size, 10 ** 6)

    def bler(e):
        return 10 ** (-1 - 2.5 * (e - 1.0))          # straight in log: 0.1 at 1 dB

    ref = np.rint(frames * bler(ebno)).astype(int)
    shifted = np.rint(frames * bler(ebno - 0.1)).astype(int)
    _write(tmp_path / "results.csv", {"float32": (ebno, frames, ref),
                                      "int8": (ebno, frames, shifted)})
    result = tool.losses(tool.read_curves(tmp_path / "results.csv"), 1e-3, replicates=300)
    assert result["int8"]["loss_db"] == pytest.approx(0.1, abs=1e-3)
    assert result["int8"]["ci_lo"] < 0.1 < result["int8"]["ci_hi"]
    assert result["int8"]["ci_hi"] - result["int8"]["ci_lo"] < 0.05
    assert result["float32"]["ebno_at_target_db"] == pytest.approx(1.8, abs=1e-3)


def test_committed_fixed_point_loss_matches_its_curves_and_is_within_005_db():
    """results/decoder_fixed_point: loss.json is what the tool computes from the committed
    results.csv, and at BLER 1e-3 both fixed-point decoders' 95 % intervals lie within
    +-0.05 dB of float32 (the claim of issue 17's closing note)."""
    import json

    tool = _tool()
    folder = ROOT / "results" / "decoder_fixed_point"
    committed = json.loads((folder / "loss.json").read_text())
    curves = tool.read_curves(folder / "results.csv")
    for target, result in committed.items():
        again = tool.losses(curves, float(target))
        for precision, r in result.items():
            for key, value in r.items():
                assert again[precision][key] == pytest.approx(value, abs=1e-12), (target,
                                                                                  precision, key)
    for precision in ("int16", "int8"):
        r = committed["0.001"][precision]
        assert -0.05 < r["ci_lo"] <= r["loss_db"] <= r["ci_hi"] < 0.05, (precision, r)
