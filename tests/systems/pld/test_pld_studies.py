"""The PLD analysis systems (figures of seed 003) and the PLD simulation system through the runner.

Reference numbers are the notes' reproduction tables (003.md §6: Fig. 6, Fig. 8) and Table III
(§7). Tolerances: the notes print 3-4 significant digits, so values are compared at half a unit
of the last printed digit.
"""

from __future__ import annotations

import csv

import pytest

from linksim.scenario import parse_scenario
from linksim.sim.executors import make_executor
from linksim.sim.montecarlo import StopRule
from linksim.study import run_scenario
from linksim.systems import SYSTEMS, get_system, prediction_function
from linksim.systems.pld.analysis import link_prediction, pld_metrics


def _eval(system, **params):
    return get_system(system).build(params).evaluate()


def test_table3_paper_points_and_global_optimum():
    """003.md §7: forced d_K = 40/23/11 reproduce the paper's PLD pairs; the global optimum's
    d_K is 44/27/14 and beats them; baselines to 1e-4."""
    paper = {-3.0: (40, 0.7989, 0.1886, 0.3708, 0.3840, 44),
             -5.0: (23, 0.8800, 0.0964, 0.1611, 0.1732, 27),
             -7.0: (11, 0.8163, 0.1003, 0.0492, 0.0557, 14)}
    for z, (dk, r_d, lf, b1, b2, dk_opt) in paper.items():
        v = _eval("pld_optimum", p_total=2.0, z_eve_db=z, d_k_forced=dk)
        assert v["forced_r_d"] == pytest.approx(r_d, abs=1e-4)
        assert v["forced_eps_lf"] == pytest.approx(lf, abs=5e-4)
        assert v["baseline_power_eps_lf"] == pytest.approx(b1, abs=1e-4)
        assert v["baseline_rate_eps_lf"] == pytest.approx(b2, abs=1e-4)
        assert v["d_k"] == dk_opt
        assert v["r_d"] >= v["forced_r_d"]
        assert v["feasible"] == 1
        # Fig. 7 (003.md §6): at 2 mW the PLD optimum beats both baselines at -3 and -5 dB,
        # but not at -7 dB (that needs 2.5 mW).
        assert v["pld_beats_baselines"] == (1 if z > -7 else 0)


@pytest.mark.parametrize("p_total, d_k, r_d, lf", [(1.0, 9, 0.535, 0.2663), (4.0, 58, 0.986, 0.0104)])
def test_fig6_points(p_total, d_k, r_d, lf):
    """003.md §6 Fig. 6 table (z_Eve = -5 dB). The notes' values come from a plain grid search;
    at 1 mW ours is 0.53446 / 0.26614 against the printed 0.535 / 0.2663, so the comparison
    allows 1e-3 / 5e-4, and the optimum itself is checked as a maximum along the budget line."""
    v = _eval("pld_optimum", p_total=p_total, z_eve_db=-5.0)
    assert v["d_k"] == d_k
    assert v["r_d"] == pytest.approx(r_d, abs=1e-3)
    assert v["eps_lf"] == pytest.approx(lf, abs=5e-4)
    for dp in (-2e-3, 2e-3):
        m = pld_metrics(v["p_m"] + dp, p_total - v["p_m"] - dp, 16, d_k, 1.0, 10 ** -0.5)
        assert m.r_d < v["r_d"]
    assert v["baseline_power_eps_lf"] == pytest.approx(0.1611, abs=5e-5)   # flat in P_Sigma


def test_fig6_infeasible_budget_reports_none():
    v = _eval("pld_optimum", p_total=0.5, z_eve_db=-5.0)
    assert v["feasible"] == 0 and v["r_d"] is None and v["eps_bob_m"] is None
    assert v["baseline_power_eps_lf"] == pytest.approx(0.1611, abs=5e-5)


@pytest.mark.parametrize("z, p_total, expected, half_unit", [
    (-3.0, 1.0, 0.264, 5e-4), (-3.0, 2.0, 0.143, 5e-4), (-3.0, 3.0, 0.106, 5e-4),
    (-5.0, 2.0, 0.029, 5e-4), (-7.0, 2.0, 0.0059, 5e-5)])
def test_fig8_min_feasible_threshold(z, p_total, expected, half_unit):
    """003.md §6 Fig. 8 table, to half a unit of the printed digit; at -3 dB, 2 mW it exceeds
    0.1: Table III's '*' (no feasible region at eps_LF^th = 0.1)."""
    v = _eval("pld_feasibility", p_total=p_total, z_eve_db=z)
    assert v["min_eps_lf_th"] == pytest.approx(expected, abs=half_unit)


def test_fig8_infeasible_everywhere():
    assert _eval("pld_feasibility", p_total=1.0, z_eve_db=-10.0)["min_eps_lf_th"] is None


def test_fig2_theorem1_on_budget_line():
    v = _eval("pld_theorem1", p_total=10.0, z_eve_db=-10.0, d_k=30, grid=201)
    assert v["on_line"] == 1 and v["gap"] <= v["step"]
    assert v["line_p_m"] == pytest.approx(8.86, abs=5e-3)
    assert v["line_r_d"] == pytest.approx(0.99988, abs=5e-6)


def test_pld_point_budget_line_and_errors():
    v = _eval("pld_point", p_m=1.2424, p_total=2.0, d_k=40, z_eve_db=-3.0)
    m = pld_metrics(1.2424, 0.7576, 16, 40, 1.0, 10 ** -0.3)
    assert v["r_d"] == pytest.approx(m.r_d, rel=1e-12)
    assert v["eve_deceived"] == pytest.approx((1 - m.eps["eve_m"]) * m.eps["eve_k"], rel=1e-12)
    assert v["feasible"] == 1
    with pytest.raises(ValueError, match="^p_k"):
        _eval("pld_point", p_m=1.0, p_k=1.0, p_total=2.0, d_k=4, z_eve_db=-3.0)
    with pytest.raises(ValueError, match="^p_m"):
        _eval("pld_point", p_m=3.0, p_total=2.0, d_k=4, z_eve_db=-3.0)
    with pytest.raises(ValueError, match="^solver"):
        _eval("pld_optimum", p_total=2.0, z_eve_db=-3.0, solver="newton")
    with pytest.raises(ValueError, match="^start_d_k"):
        _eval("pld_mm_bcd", p_total=2.0, z_eve_db=-3.0, start_d_k=3.0)


def test_predictions_belong_to_their_system():
    f = prediction_function("pld", "na_r_d")
    params = dict(p_m=1.2424, p_k=0.7576, d_k=40, z_eve_db=-3.0)
    assert f(params) == pytest.approx(link_prediction(params, "r_d"))
    assert prediction_function("coded_link", "na_r_d") is None
    assert prediction_function("coded_link", "normal_approximation") is not None
    assert prediction_function("pld", "normal_approximation") is None
    assert prediction_function(None, "normal_approximation") is None
    assert SYSTEMS["pld"].derive is not None


def test_stop_rule_error_count():
    rule = StopRule(max_frame_errors=5, max_frames=1000, error_count="lf_events")
    assert rule.reached({"frames": 10, "frame_errors": 9, "lf_events": 4}) is None
    assert rule.reached({"frames": 10, "frame_errors": 0, "lf_events": 5}) == "max_frame_errors"
    assert "error_count" not in StopRule().to_dict()      # old scenario hashes unchanged
    assert rule.to_dict()["error_count"] == "lf_events"
    with pytest.raises(ValueError, match="^error_count"):
        StopRule(error_count="not a name")


def _pld_scenario(**stop):
    return parse_scenario({
        "name": "pld_small", "system": "pld", "seed": 7, "confidence": 0.99,
        "params": {"receiver": "abstract", "z_eve_db": -5.0, "d_k": 23, "p_m": 1.5111,
                   "p_k": 0.4889},
        "sweep": {"axes": {"p_cipher_on": [1.0, 0.5]}},
        "stop": {"max_frame_errors": 300, "max_frames": 20000, "batch_size": 2000,
                 "error_count": "lf_events", **stop},
        "output": {"metrics": ["r_d", "eps_lf", "eve_litter_erasure_rate"],
                   "predictions": [{"name": "na_r_d", "metric": "r_d"},
                                   {"name": "na_eps_lf", "metric": "eps_lf"}]}})


def test_pld_scenario_through_runner_stops_on_error_count(tmp_path):
    """The abstract PLD system through the runner: it stops on lf_events, carries the na_* and
    plugin_* verdicts and the derived columns into results.csv."""
    sc = _pld_scenario()
    rows = run_scenario(sc, tmp_path, make_executor("local", workers=1), progress=False)
    from linksim.report import write_outputs
    write_outputs(tmp_path, sc.to_dict(), rows)
    for row in rows:
        counts = row["counts"]
        assert row["stopped_by"] == "max_frame_errors"
        assert counts["lf_events"] >= 300
        assert set(row["verdicts"]) >= {"na_r_d", "na_eps_lf", "plugin_r_d", "plugin_eps_lf"}
        # Abstract decoders follow eqs. (10)/(11) exactly: every verdict at 99 % is consistent
        # (fixed seed; a correct implementation fails this 2-4 % of seeds).
        assert all(v["verdict"] == "consistent" for v in row["verdicts"].values())
        assert 0 <= row["derived"]["independence_p_value"] <= 1
    # Cipher off on half the frames: litter is always erased by the abstract decoders.
    assert rows[1]["counts"]["eve_off_k_erasures"] == rows[1]["counts"]["eve_off_k_trials"] > 0
    with open(tmp_path / "results.csv") as fh:
        header = next(csv.reader(fh))
    assert {"pred_na_r_d", "pred_plugin_r_d", "derived_gap_db_bob_k",
            "derived_independence_p_value"} <= set(header)


def test_pld_scenario_rejects_unknown_prediction_and_count():
    from linksim.scenario import ScenarioError
    with pytest.raises(ScenarioError, match="error_count"):
        _pld_scenario(error_count="no_such_count")
    sc = _pld_scenario().to_dict()
    assert sc["predictions"][0]["name"] == "na_r_d"


def test_activation_mixture_metrics():
    """Notes §9 A14: off frames leak p whenever Eve decodes M, nobody is deceived; the mixture
    is linear in the activation probability."""
    from linksim.systems.pld.analysis import activation_metrics
    m = pld_metrics(1.5111, 0.4889, 16, 23, 1.0, 10 ** -0.5)
    on = activation_metrics(m, 1.0)
    assert on["eps_lf_mix"] == pytest.approx(m.eps_lf) and on["r_d_mix"] == pytest.approx(m.r_d)
    off = activation_metrics(m, 0.0)
    assert off["r_d_mix"] == 0.0
    assert off["eps_lf_mix"] == pytest.approx(1 - (1 - m.eps["bob_m"]) * m.eps["eve_m"])
    half = activation_metrics(m, 0.5)
    assert half["eve_perceived_mix"] == pytest.approx(
        0.5 * (1 - m.eps["eve_m"]) * (1 - m.eps["eve_k"]) + 0.5 * (1 - m.eps["eve_m"]))
    v = _eval("pld_point", p_m=1.5111, p_total=2.0, d_k=23, z_eve_db=-5.0, p_cipher_on=0.5)
    assert v["eve_perceived_mix"] == pytest.approx(half["eve_perceived_mix"])
    # The bit-true link's prediction of the same mixture agrees with the closed form.
    params = dict(p_m=1.5111, p_total=2.0, d_k=23, z_eve_db=-5.0, p_cipher_on=0.5)
    assert link_prediction(params, "eve_perceived_all_rate") == pytest.approx(
        half["eve_perceived_mix"], rel=1e-9)
    with pytest.raises(ValueError, match="^p_cipher_on"):
        activation_metrics(m, 1.5)
