"""Coded link against finite-blocklength theory: predictions at a point, verdicts in the runner.

The measured BLER of a real code must never be significantly below the metaconverse (a lower
bound on the BLER of *any* code of that size); a test that feeds the verdict machinery a
simulator which under-reports its errors shows that this check does catch a violation.
"""

import numpy as np
import pytest

from linksim.scenario import parse_scenario
from linksim.sim.executors import make_executor
from linksim.study import run_scenario
from linksim.systems import SYSTEMS, SystemSpec
from linksim.theory.fbl import error_probability
from linksim.systems.coded_link.analysis import link_channel, metaconverse_bler, normal_approximation

POINT = {"code": "ldpc5g", "k": 128, "n": 256, "modulation": "qpsk", "channel": "awgn",
         "ebno_db": 2.0}


def test_link_channel_mapping():
    k, n_uses, snr, channel = link_channel(POINT)
    es_no = 10 ** 0.2 * 0.5 * 2
    assert (k, n_uses, channel) == (128, 128, "qpsk") and snr == pytest.approx(es_no)
    k, n_uses, snr, channel = link_channel({**POINT, "modulation": "bpsk"})
    assert (n_uses, channel) == (256, "biawgn") and snr == pytest.approx(2 * 10 ** 0.2 * 0.5)
    with pytest.raises(ValueError, match="channel"):
        link_channel({**POINT, "channel": "rayleigh"})


def test_qpsk_prediction_equals_biawgn_with_twice_the_uses():
    """QPSK = two BPSK rails: without the log term the two normal approximations coincide."""
    k, n_uses, snr, _ = link_channel(POINT)
    qpsk = error_probability(n_uses, k, snr, "qpsk", log_term=False)
    biawgn = error_probability(2 * n_uses, k, snr, "biawgn", log_term=False)
    assert qpsk == pytest.approx(biawgn, rel=1e-6)


def test_metaconverse_is_below_the_normal_approximation():
    for ebno in (1.0, 2.0, 3.0):
        point = {**POINT, "ebno_db": ebno}
        mc = metaconverse_bler(point)
        na = normal_approximation(point)
        assert mc["kind"] == "lower_bound" and na["kind"] == "estimate"
        assert 0 < mc["value"] < na["value"] < 1


def scenario(frames=3000, errors=60, system="coded_link"):
    return parse_scenario({
        "name": "fbl_check", "system": system, "seed": 11,
        "params": {"code": "ldpc5g", "modulation": "qpsk", "k": 128, "n": 256, "num_iter": 20},
        "sweep": {"axes": {"ebno_db": [1.5, 2.5]}},
        "stop": {"max_frame_errors": errors, "max_frames": frames, "batch_size": 500},
        "output": {"metrics": ["bler"], "predictions": [
            {"name": "normal_approximation", "metric": "bler"},
            {"name": "metaconverse", "metric": "bler"}]}})


def test_real_code_never_beats_the_metaconverse(tmp_path):
    with make_executor("local", workers=1) as ex:
        rows = run_scenario(scenario(), tmp_path, ex, progress=False)
    for row in rows:
        verdict = row["verdicts"]["metaconverse"]
        assert verdict["verdict"] != "violates bound", row
        mc = row["predictions"]["metaconverse"]["value"]
        assert row["bler"] >= mc or verdict["verdict"] == "consistent"
        # a real code sits above the normal approximation (it is not an optimal code)
        assert row["bler"] > row["predictions"]["normal_approximation"]["value"]


class _Cheat:
    """Wraps the real link but reports only one in fifty of its errors: at 1.5 dB that puts the
    reported BLER far below the metaconverse (5.2e-3 for k=128, n=256)."""

    def __init__(self, **params):
        from linksim.systems.coded_link import CodedLink
        self.link = CodedLink(**params)

    def simulate_batch(self, rng, n_frames):
        counts = self.link.simulate_batch(rng, n_frames)
        counts["frame_errors"] //= 50
        counts["bit_errors"] //= 50
        del counts["bit_errors_sq"]        # no per-frame moments of a made-up count
        return counts


def test_a_simulator_beating_the_metaconverse_is_caught(tmp_path, monkeypatch):
    real = SYSTEMS["coded_link"]
    cheat = SystemSpec(name="cheat", description="under-reports errors", params=real.params,
                       builder=_Cheat, counts=real.counts, predictions=real.predictions,
                       prediction_checks=real.prediction_checks)
    from linksim import systems
    monkeypatch.setitem(systems._registry(), "cheat", cheat)
    with make_executor("local", workers=1) as ex:
        rows = run_scenario(scenario(frames=20000, errors=40, system="cheat"), tmp_path, ex,
                            progress=False)
    verdicts = [row["verdicts"]["metaconverse"]["verdict"] for row in rows]
    assert "violates bound" in verdicts, verdicts
