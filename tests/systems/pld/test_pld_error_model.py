"""The code-aware error model of the PLD system (issue 15): the calibration link, the calibrated
and shifted-NA layer models, the gap fit, and loading a calibration from the runner's store."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from linksim.systems.pld.analysis import layer_error
from linksim.systems.pld.error_model import (CalibratedLayer, CalibrationTable, GapModel,
                                             ShiftedNA, calibrated_prediction, crc_length,
                                             fit_gap, held_out_check, load_calibration,
                                             table_for)
from linksim.systems.pld.layer import PLDLayerLink

ROOT = Path(__file__).resolve().parents[3]


def _synthetic(k_bits=27, n=64, gap_db=1.2, crc="CRC11", frames=200_000, seed=0,
               sinr=np.arange(-6.0, 1.01, 0.5), drawn=True):
    """A calibration table drawn from a known shifted NA (Binomial counts, or expected counts
    rounded when ``drawn`` is False)."""
    L = crc_length(crc)
    truth = ShiftedNA(k_bits, n, gap_db, L)
    p = truth.eps(sinr)
    rng = np.random.default_rng(seed)
    fails = rng.binomial(frames, p) if drawn else np.round(p * frames).astype(np.int64)
    config = dict(code="ldpc5g", d=k_bits - L, crc=crc, decoder="nms", num_iter=20,
                  modulation="qpsk", n=n)
    return truth, CalibrationTable(config, np.asarray(sinr, float),
                                   np.full(sinr.size, frames, np.int64),
                                   np.asarray(fails, np.int64),
                                   np.asarray(fails // 2048, np.int64))


# --------------------------------------------------------------------------- calibration link
def test_layer_link_counts_and_seed():
    link = PLDLayerLink(sinr_db=-3.6, d=16, crc="CRC11")
    a = link.simulate_batch(np.random.default_rng(5), 3000)
    b = link.simulate_batch(np.random.default_rng(5), 3000)
    assert a == b
    assert a["frame_errors"] == a["erasures"] + a["undetected"]
    assert a["bits"] == 3000 * 16 and 0 < a["frame_errors"] < 3000
    # Near the NA's 50 % point for 27 bits plus a ~1.4 dB gap (-3.6 dB): neither 0 nor 1.
    assert 0.3 < a["frame_errors"] / 3000 < 0.7


def test_layer_link_extremes_and_errors():
    hi = PLDLayerLink(sinr_db=8.0, d=16, crc="CRC6").simulate_batch(np.random.default_rng(1), 500)
    lo = PLDLayerLink(sinr_db=-20.0, d=16, crc="CRC6").simulate_batch(np.random.default_rng(1), 500)
    assert hi["frame_errors"] == 0 and lo["frame_errors"] == 500
    # Without a CRC an LDPC layer never erases: every failure is undetected.
    none = PLDLayerLink(sinr_db=-8.0, d=16, crc=None).simulate_batch(np.random.default_rng(2), 500)
    assert none["erasures"] == 0 and none["undetected"] == none["frame_errors"] > 0
    with pytest.raises(ValueError, match="sinr_db"):
        PLDLayerLink(sinr_db=100.0)
    with pytest.raises(ValueError, match="code"):
        PLDLayerLink(sinr_db=0.0, d=2, crc="CRC6")         # k = 8 < 12: no 5G LDPC code
    assert PLDLayerLink(sinr_db=0.0).simulate_batch(np.random.default_rng(0), 0)["frames"] == 0


def test_sic_stage_counts_and_draws():
    """The SIC stage adds no draw: the layer's own counts are those of the same seed without
    it; it decodes the interfering layer on exactly the frames whose layer was decoded."""
    kw = dict(sinr_db=-1.5066, d=16, crc="CRC11", interference=0.431, interference_d=40,
              interference_crc="CRC11")
    plain = PLDLayerLink(**kw).simulate_batch(np.random.default_rng(8), 3000)
    sic = PLDLayerLink(**kw, sic=True).simulate_batch(np.random.default_rng(8), 3000)
    assert {k: v for k, v in sic.items() if not k.startswith("sic_")} == \
        {k: v for k, v in plain.items() if not k.startswith("sic_")}
    assert plain["sic_trials"] == plain["sic_failures"] == 0
    assert sic["sic_trials"] == sic["successes"] > 0
    assert 0 < sic["sic_failures"] < sic["sic_trials"]
    assert 0 <= sic["sic_undetected"] <= sic["sic_failures"]
    # A strong key layer (f = 0.9: 9.5 dB after cancellation) is decoded on every frame.
    strong = PLDLayerLink(**{**kw, "interference": 0.9, "sinr_db": 8.0}, sic=True)
    c = strong.simulate_batch(np.random.default_rng(1), 400)
    assert c["sic_trials"] == 400 and c["sic_failures"] == 0
    with pytest.raises(ValueError, match="sic: got true"):
        PLDLayerLink(sinr_db=0.0, sic=True)
    with pytest.raises(ValueError, match="sic: got true"):
        PLDLayerLink(sinr_db=0.0, interference=0.3, sic=True)      # random symbols


def test_sic_rates_in_tables_and_merges():
    config = dict(code="ldpc5g", d=16, crc="CRC11", decoder="nms", num_iter=20,
                  modulation="qpsk", n=64)
    sinr = np.array([-2.0, -1.5066])
    ones = lambda *v: np.array(v, np.int64)
    with_sic = CalibrationTable(config, sinr, ones(1000, 1000), ones(300, 100), ones(0, 0),
                                sic_trials=ones(0, 900), sic_failures=ones(0, 700))
    assert with_sic.sic_at(-1.5066) == (700, 900)
    assert with_sic.sic_at(-1.5068) == (700, 900)      # within 5e-4 dB: the same node
    assert with_sic.sic_at(-1.51) is None               # no node there
    assert with_sic.sic_at(-2.0) is None               # a node without the SIC stage
    plain = CalibrationTable(config, sinr[1:], ones(500), ones(50), ones(0))
    assert plain.sic_at(-1.5066) is None
    from linksim.systems.pld.error_model import _merge
    (merged,) = _merge([with_sic, plain])
    assert list(merged.frames) == [1000, 1500] and merged.sic_at(-1.5066) == (700, 900)
    assert with_sic.without([-2.0]).sic_at(-1.5066) == (700, 900)


def test_propagated_se_is_the_delta_method():
    """For f linear in independent inputs, se = sqrt(sum (a_j se_j)^2) exactly; the calibrated
    layer's shift moves its logit by exactly k standard errors."""
    from linksim.systems.pld.error_model import propagated_se
    a, se = {"x": 2.0, "y": -0.5, "z": 0.0}, {"x": 0.1, "y": 0.4, "z": 3.0}
    f = lambda shifts: 1.0 + sum(a[j] * se[j] * shifts.get(j, 0.0) for j in a)
    assert propagated_se(f, a) == pytest.approx(math.hypot(0.2, 0.2), rel=1e-12)
    assert propagated_se(f, []) == 0.0
    _, table = _synthetic()
    model = CalibratedLayer(table)
    s = np.array([-4.2, -2.0, 0.3])
    logit = lambda p: np.log(p / (1 - p))
    moved = logit(model.shifted(1.5).eps(s)) - logit(model.eps(s))
    np.testing.assert_allclose(moved, 1.5 * model.se_logit(s), rtol=1e-9)


def test_interfering_layer_of_the_same_code_hurts_more_than_noise():
    """At one SINR (n = 128, 16 + CRC6 bits, -5.1 dB), 30000 frames each: random QPSK symbols
    as 6.5 % of the impairment decode like pure noise (the decoder treats them as Gaussian),
    within 3.3 standard errors of the difference (99.9 %); a codeword of the same 5G LDPC code
    as interference is far worse (measured 0.048 against 0.030, more than 8 standard errors),
    because its destructive positions form a codeword of the code itself."""
    kw = dict(sinr_db=-5.1, d=16, crc="CRC6", n=128)
    frames = 30000
    rate = {}
    for name, extra in (("noise", {}), ("random", dict(interference=0.065)),
                        ("same", dict(interference=0.065, interference_d=16,
                                      interference_crc="CRC6"))):
        c = PLDLayerLink(**kw, **extra).simulate_batch(np.random.default_rng(11), frames)
        rate[name] = c["frame_errors"] / frames
    se = lambda a, b: math.sqrt((a * (1 - a) + b * (1 - b)) / frames)
    assert abs(rate["random"] - rate["noise"]) < 3.3 * se(rate["random"], rate["noise"])
    assert rate["same"] - rate["noise"] > 8 * se(rate["same"], rate["noise"])


# --------------------------------------------------------------------------- shifted NA, gap
def test_shifted_na_is_eq12_moved_by_the_gap():
    na = ShiftedNA(27, 64, 1.5, 11)
    s = np.array([-5.0, -2.0, 1.0])
    np.testing.assert_allclose(na.eps(s), layer_error(10 ** ((s - 1.5) / 10), 27, 64), rtol=1e-14)
    np.testing.assert_allclose(na.undetected(s), na.eps(s) / 2048, rtol=1e-14)
    assert ShiftedNA(27, 64, 0.0, 0).undetected(-3.0) == ShiftedNA(27, 64, 0.0, 0).eps(-3.0)


def test_fit_gap_recovers_a_known_gap():
    # Expected counts: the fit is exact to rounding; drawn counts: within 4 standard errors.
    truth, table = _synthetic(drawn=False)
    fit = fit_gap(table)
    assert abs(fit.gap_db - 1.2) < 1e-3 and fit.max_abs_db < 5e-3
    for seed in range(3):
        _, table = _synthetic(seed=seed)
        fit = fit_gap(table)
        assert abs(fit.gap_db - 1.2) < 4 * fit.gap_se_db
    with pytest.raises(ValueError, match="calibration"):
        fit_gap(CalibrationTable(table.config, np.array([0.0]), np.array([10]), np.array([0]),
                                 np.array([0])))


def test_gap_model_interpolates_in_k():
    _, a = _synthetic(k_bits=27, gap_db=1.0, drawn=False)
    _, b = _synthetic(k_bits=43, gap_db=2.0, crc="CRC11", drawn=False,
                      sinr=np.arange(-4.0, 3.01, 0.5))
    model = GapModel([a, b])
    np.testing.assert_allclose(model([27, 35, 43, 10, 90]), [1.0, 1.5, 2.0, 1.0, 2.0], atol=2e-3)
    layer = model.layer(24, "CRC11")
    assert layer.k_bits == 35 and abs(layer.gap_db - 1.5) < 2e-3 and layer.crc_bits == 11


# --------------------------------------------------------------------------- calibrated model
def test_calibrated_model_through_its_nodes_and_monotone():
    _, table = _synthetic()
    model = CalibratedLayer(table)
    np.testing.assert_allclose(model.eps(table.sinr_db), table.rate, rtol=1e-12)
    fine = np.linspace(table.sinr_db[0], table.sinr_db[-1], 400)
    assert np.all(np.diff(model.eps(fine)) <= 0)
    lo, hi = model.interval(fine)
    assert np.all(lo <= model.eps(fine)) and np.all(model.eps(fine) <= hi)
    # Beyond the nodes: the logit continues along the end secant, and no interval is given.
    logit = lambda p: np.log(p / (1 - p))
    x, r = table.sinr_db, table.rate
    below = logit(r[0]) + (logit(r[1]) - logit(r[0])) / (x[1] - x[0]) * -3.0
    above = logit(r[-1]) + (logit(r[-1]) - logit(r[-2])) / (x[-1] - x[-2]) * 2.0
    out = np.array([x[0] - 3, x[-1] + 2])
    np.testing.assert_allclose(logit(model.eps(out)), [below, above], rtol=1e-10)
    assert model.eps(x[0] - 30) > model.eps(x[0]) and model.eps(x[-1] + 5) < model.eps(x[-1])
    assert np.all(np.isnan(model.interval(out)[0]))
    np.testing.assert_allclose(model.undetected(-2.0), model.eps(-2.0) * model.undetected_share)


def test_held_out_coverage_on_a_known_curve():
    """Interpolating every other node of a curve known in closed form, the held-out Binomial
    measurements' 99 % intervals hold the interpolated value at their nominal rate.

    Fit nodes 0.7 dB apart (the spacing of the committed calibration), 10^6 frames a node;
    held-out nodes with 2 * 10^4 frames. The interpolation's bias is then a small fraction of
    the held-out intervals (PCHIP in log-BLER at 1 dB spacing was not: 0.16 % high near BLER
    0.9, 0.8 of a 20k-frame standard error, and that node's misses rose to 4 %; the logit
    used now follows the top of the curve).
    400 intervals (10 held-out nodes in each of 40 tables): at most 10 misses (expected 4;
    P[Binomial(400, 0.01) > 10] is about 0.3 %)."""
    sinr = np.round(np.arange(-6.0, 1.01, 0.35), 3)
    truth = ShiftedNA(27, 64, 1.2, 11)
    misses = total = 0
    for seed in range(40):
        _, table = _synthetic(frames=1_000_000, seed=seed, sinr=sinr)
        fit = table.without(table.sinr_db[1::2])
        s = table.sinr_db[1::2]
        held = CalibrationTable(table.config, s, np.full(s.size, 20_000, np.int64),
                                np.random.default_rng(100 + seed).binomial(20_000, truth.eps(s)),
                                np.zeros(s.size, np.int64))
        checks = held_out_check(fit, held)
        misses += sum(not c.inside for c in checks)
        total += len(checks)
    assert total == 400 and misses <= 10


def test_calibrated_model_needs_two_waterfall_nodes():
    _, table = _synthetic()
    flat = CalibrationTable(table.config, table.sinr_db[:2], table.frames[:2],
                            table.frames[:2], table.undetected[:2])
    with pytest.raises(ValueError, match="calibration"):
        CalibratedLayer(flat)


# --------------------------------------------------------------------------- from the store
def test_load_calibration_from_a_run(tmp_path):
    from linksim.scenario.load import load_scenario
    from linksim.sim.executors import InlineExecutor
    from linksim.study import run_scenario
    path = tmp_path / "cal.toml"
    path.write_text("""name = "cal"
system = "pld_layer"
seed = 3
[params]
d = 16
crc = "CRC11"
[sweep]
mode = "cartesian"
[sweep.axes]
sinr_db = [-4.0, -3.0, -2.0]
[stop]
max_frame_errors = 60
max_frames = 2000
batch_size = 500
""")
    from linksim.report.csv_io import write_csv
    scenario = load_scenario(path)
    rows = run_scenario(scenario, tmp_path / "out", InlineExecutor(), progress=False)
    write_csv(tmp_path / "out" / "results.csv", scenario.to_dict(), rows)
    tables = load_calibration(tmp_path / "out")
    assert len(tables) == 1
    t = tables[0]
    assert t.k_bits == 27 and list(t.sinr_db) == [-4.0, -3.0, -2.0]
    assert np.all(t.failures >= 60) and np.all(np.diff(t.rate) < 0)
    assert table_for(tables, d=16, crc="crc11", n=64) is t
    with pytest.raises(ValueError, match="calibration: no table"):
        table_for(tables, d=17)
    with pytest.raises(ValueError, match="calibration: got"):
        load_calibration(tmp_path / "missing")
    # A second run, at one SINR already there and one new: merged, counts pooled.
    path.write_text(path.read_text().replace("seed = 3", "seed = 4")
                    .replace("[-4.0, -3.0, -2.0]", "[-2.0, -1.0]"))
    scenario2 = load_scenario(path)
    rows2 = run_scenario(scenario2, tmp_path / "out2", InlineExecutor(), progress=False)
    write_csv(tmp_path / "out2" / "results.csv", scenario2.to_dict(), rows2)
    merged = load_calibration(f"{tmp_path / 'out'},{tmp_path / 'out2'}")
    assert len(merged) == 1 and list(merged[0].sinr_db) == [-4.0, -3.0, -2.0, -1.0]
    second = load_calibration(tmp_path / "out2")[0]
    assert merged[0].frames[2] == t.frames[2] + second.frames[0]
    assert merged[0].failures[3] == second.failures[1]
    # Not a calibration: a results.csv without the layer's columns.
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "results.csv").write_text("point,ebno_db,frames\n0,1.0,10\n")
    with pytest.raises(ValueError, match="calibration: got"):
        load_calibration(tmp_path / "other")


def test_committed_calibration_predicts_its_held_out_points():
    """The committed held-out run (results/pld_calibration_holdout): the calibrated model of
    results/pld_calibration lies inside each held-out point's 99 % Clopper-Pearson interval.
    45 intervals: about 0.45 misses are expected by chance; 2 or more would be unlikely
    (P about 8 %), 3 or more (P < 1 %) a failure of the model."""
    fitted = load_calibration(ROOT / "results/pld_calibration")
    checks = [c for held in load_calibration(ROOT / "results/pld_calibration_holdout")
              for c in held_out_check(table_for(fitted, **held.config), held)]
    assert len(checks) == 45 and sum(not c.inside for c in checks) <= 2
    # The runner's prediction is the same model.
    c = checks[0]
    params = dict(sinr_db=c.sinr_db, d=16, crc="CRC11", code="ldpc5g", decoder="nms",
                  num_iter=20, modulation="qpsk", n=64)
    pred = calibrated_prediction(params, calibration=str(ROOT / "results/pld_calibration"))
    assert pred["value"] == pytest.approx(c.predicted, rel=1e-12)
    # Its standard error: the interpolated logit's, on the rate scale (d expit = p (1 - p)).
    model = CalibratedLayer(table_for(fitted, **{k: v for k, v in params.items()
                                                 if k != "sinr_db"}))
    p = pred["value"]
    assert pred["se"] == pytest.approx(p * (1 - p) * float(model.se_logit(c.sinr_db)),
                                       rel=1e-12)
    assert 0 < pred["se"] < (c.hi - c.lo)


def test_twin_receiver_counts_and_joint_table():
    """A twin at the same gain sees the same frames with its own noise: its failure rate
    equals the first receiver's within 3.3 standard errors of the difference (99.9 %), and
    both fail together more often than independent receivers would (the shared interfering
    codeword), by more than 4 standard errors."""
    from linksim.systems.pld.error_model import JointTable
    kw = dict(d=16, crc="CRC11", interference=0.58, interference_d=64, interference_crc="CRC11",
              twin=True, twin_gain_db=0.0)
    frames = 20000
    c = PLDLayerLink(sinr_db=-2.4, **kw).simulate_batch(np.random.default_rng(4), frames)
    a, b, both = (c[k] / frames for k in ("frame_errors", "twin_failures", "both_failures"))
    assert both <= min(a, b)
    assert abs(a - b) < 3.3 * math.sqrt((a * (1 - a) + b * (1 - b)) / frames)
    assert both - a * b > 4 * math.sqrt(both * (1 - both) / frames)
    assert PLDLayerLink(sinr_db=-2.4, d=16).simulate_batch(
        np.random.default_rng(4), 100)["both_failures"] == 0
    # JointTable through the nodes of a synthetic twin table.
    sinr = np.array([-4.0, -3.0, -2.0, -1.0])
    f1, f2, fb = np.array([900, 600, 300, 100]), np.array([950, 700, 400, 150]), np.array([870, 500, 200, 40])
    config = dict(code="ldpc5g", d=16, crc="CRC11", decoder="nms", num_iter=20, modulation="qpsk",
                  n=64, interference=0.58, interference_d=64, interference_crc="CRC11",
                  twin=True, twin_gain_db=-3.0)
    table = CalibrationTable(config, sinr, np.full(4, 1000), f1, np.zeros(4, np.int64), f2, fb)
    joint = JointTable(table)
    np.testing.assert_allclose(joint(-3.0), (0.6, 0.7, 0.5), rtol=1e-12)
    assert joint.inside(-2.5) and not joint.inside(0.0)
    with pytest.raises(ValueError, match="twin"):
        JointTable(CalibrationTable({**config, "twin": False}, sinr, np.full(4, 1000), f1, f1))
