"""Tests of linksim.validate: verdicts, p-values, calibration, gap_db."""

import json
import math

import numpy as np
import pytest
from scipy import special, stats

from linksim.sim.stats import clopper_pearson
from linksim.validate import KINDS, VERDICTS, Verdict, check, gap_db


# ----------------------------------------------------------------------------- estimates

def test_estimate_verdicts_on_constructed_counts():
    v = check(50, 1000, 0.05)
    assert v.verdict == "consistent" and v.kind == "estimate" and v.confidence == 0.99
    assert v.measured == 0.05 and v.predicted == 0.05
    assert check(80, 1000, 0.05).verdict == "significantly above"
    assert check(20, 1000, 0.05).verdict == "significantly below"
    # borderline: 63/1000 vs 0.05 is inside the 99 % interval, outside the 80 % one
    assert check(63, 1000, 0.05).verdict == "consistent"
    assert check(63, 1000, 0.05, confidence=0.8).verdict == "significantly above"


@pytest.mark.parametrize("k, n, p0", [(50, 1000, 0.05), (80, 1000, 0.05), (20, 1000, 0.05),
                                      (0, 30, 0.01), (7, 7, 0.9), (3, 10, 0.5)])
def test_estimate_p_value_and_interval_match_scipy(k, n, p0):
    v = check(k, n, p0, confidence=0.95)
    assert v.p_value == pytest.approx(stats.binomtest(k, n, p0).pvalue, rel=1e-12)
    assert v.interval == pytest.approx(clopper_pearson(k, n, 0.95))
    ci = stats.binomtest(k, n, p0).proportion_ci(0.95, method="exact")
    assert v.interval == pytest.approx((ci.low, ci.high), rel=1e-9, abs=1e-12)
    lo, hi = v.interval
    expected = ("consistent" if lo <= p0 <= hi else
                "significantly above" if p0 < lo else "significantly below")
    assert v.verdict == expected


def test_estimate_edge_predictions_zero_and_one():
    assert check(0, 100, 0.0).verdict == "consistent"
    assert check(0, 100, 0.0).p_value == 1.0
    v = check(1, 100, 0.0)
    assert v.verdict == "significantly above" and v.p_value == 0.0
    assert check(100, 100, 1.0).verdict == "consistent"
    v = check(99, 100, 1.0)
    assert v.verdict == "significantly below" and v.p_value == 0.0


# ----------------------------------------------------------------------------- bounds

def test_lower_bound_verdicts_and_one_sided_p_value():
    # truth >= 0.05: 20/1000 is far below -> violation; 80/1000 above is fine
    v = check(20, 1000, 0.05, kind="lower_bound")
    assert v.verdict == "violates bound"
    assert v.p_value == pytest.approx(stats.binom.cdf(20, 1000, 0.05))
    assert v.p_value == pytest.approx(stats.binomtest(20, 1000, 0.05, alternative="less").pvalue)
    assert check(80, 1000, 0.05, kind="lower_bound").verdict == "consistent"
    assert check(50, 1000, 0.05, kind="lower_bound").verdict == "consistent"
    # interval is (0, one-sided upper CP limit at `confidence`)
    assert v.interval[0] == 0.0
    assert v.interval[1] == pytest.approx(stats.beta.ppf(0.99, 21, 980))
    assert v.interval[1] == pytest.approx(clopper_pearson(20, 1000, 0.98)[1])


def test_upper_bound_verdicts_and_one_sided_p_value():
    v = check(80, 1000, 0.05, kind="upper_bound")
    assert v.verdict == "violates bound"
    assert v.p_value == pytest.approx(stats.binom.sf(79, 1000, 0.05))
    assert v.p_value == pytest.approx(
        stats.binomtest(80, 1000, 0.05, alternative="greater").pvalue)
    assert check(20, 1000, 0.05, kind="upper_bound").verdict == "consistent"
    assert v.interval[1] == 1.0
    assert v.interval[0] == pytest.approx(stats.beta.ppf(0.01, 80, 921))


@pytest.mark.parametrize("kind", ["lower_bound", "upper_bound"])
@pytest.mark.parametrize("confidence", [0.3, 0.9, 0.99])
def test_bound_verdict_equals_one_sided_interval_reading(kind, confidence):
    # violation <=> p0 outside the one-sided exact interval, for every k
    n, p0 = 200, 0.1
    for k in range(0, n + 1, 3):
        v = check(k, n, p0, kind=kind, confidence=confidence)
        lo, hi = v.interval
        assert (v.verdict == "violates bound") == (not lo <= p0 <= hi), (k, v)


def test_bound_edges():
    assert check(0, 50, 0.0, kind="lower_bound").verdict == "consistent"
    assert check(49, 50, 1.0, kind="lower_bound").verdict == "violates bound"
    assert check(50, 50, 1.0, kind="lower_bound").verdict == "consistent"
    assert check(1, 50, 0.0, kind="upper_bound").verdict == "violates bound"
    assert check(0, 50, 0.0, kind="upper_bound").verdict == "consistent"
    assert check(50, 50, 1.0, kind="upper_bound").verdict == "consistent"


# ----------------------------------------------------------------------------- calibration

def _verdict_table(n, p0, kind, confidence):
    return np.array([check(k, n, p0, kind=kind, confidence=confidence).verdict
                     for k in range(n + 1)])


@pytest.mark.parametrize("n, p, confidence", [(200, 0.05, 0.9), (1000, 0.3, 0.95)])
def test_calibration_estimate(n, p, confidence):
    # Draw 20 000 binomial counts at the true p and count "consistent" verdicts. Clopper-Pearson
    # is exact, so the true coverage C = sum_k pmf(k) [consistent(k)] is >= confidence (and, for
    # these n p, within 0.05 of it). The MC fraction must match C within 4.5 binomial standard
    # errors (sd <= 0.0035 here).
    table = _verdict_table(n, p, "estimate", confidence)
    consistent = table == "consistent"
    coverage = float(stats.binom.pmf(np.arange(n + 1), n, p)[consistent].sum())
    assert confidence <= coverage <= confidence + 0.05
    draws = np.random.default_rng(11).binomial(n, p, size=20_000)
    frac = consistent[draws].mean()
    sd = math.sqrt(coverage * (1 - coverage) / draws.size)
    assert abs(frac - coverage) <= 4.5 * sd
    assert frac >= confidence - 4.5 * sd


@pytest.mark.parametrize("kind", ["lower_bound", "upper_bound"])
def test_calibration_bounds_false_violation_rate(kind):
    # At a true p equal to the bound, "violates bound" must occur with probability <= alpha.
    n, p, confidence = 300, 0.1, 0.95
    violates = _verdict_table(n, p, kind, confidence) == "violates bound"
    size = float(stats.binom.pmf(np.arange(n + 1), n, p)[violates].sum())
    assert size <= 1 - confidence
    draws = np.random.default_rng(5).binomial(n, p, size=20_000)
    frac = violates[draws].mean()
    assert frac <= (1 - confidence) + 4.5 * math.sqrt(size * (1 - size) / draws.size)


# ----------------------------------------------------------------------------- predicted_se

def test_prediction_with_se_is_the_combined_rule():
    # se = 0 leaves the exact rule as it was.
    for k in (30, 50, 72):
        a, b = check(k, 1000, 0.05), check(k, 1000, 0.05, predicted_se=0.0)
        assert (a.verdict, a.p_value, a.interval) == (b.verdict, b.p_value, b.interval)
    # With se > 0: consistent iff |k/n - p0| <= hypot(h_m, z se), h_m on the side facing p0.
    k, n, se = 865, 10_000, 0.002
    lo, hi = clopper_pearson(k, n, 0.99)
    z = stats.norm.ppf(0.995)
    for p0 in np.linspace(0.06, 0.12, 61):
        h_m = (k / n - lo) if p0 < k / n else (hi - k / n)
        inside = abs(k / n - p0) <= math.hypot(h_m, z * se)
        v = check(k, n, float(p0), predicted_se=se)
        assert (v.verdict == "consistent") == inside
        # The p-value is that of the same combined test: below alpha exactly when outside.
        assert v.predicted_se == se and (v.p_value >= 0.01) == inside
    # A prediction just outside the measured interval is consistent once its own error counts.
    assert check(k, n, hi + 1e-4).verdict == "significantly below"
    assert check(k, n, hi + 1e-4, predicted_se=se).verdict == "consistent"
    for bad in (-0.1, float("nan"), float("inf"), True):
        with pytest.raises(ValueError, match="predicted_se"):
            check(k, n, 0.08, predicted_se=bad)
    with pytest.raises(ValueError, match="predicted_se"):
        check(k, n, 0.08, kind="lower_bound", predicted_se=0.01)


def test_prediction_with_se_covers_at_its_level():
    """A prediction estimated from an independent binomial run (N_p frames) against a measured
    run (N_m frames) of the same truth: with the prediction's se the verdict is "consistent"
    at the nominal 99 % (4000 trials: binomial sd 0.0016, tolerance 4.5 sd); taking the
    prediction as exact, two equal runs would be rejected about 7 % of the time
    (|Z| > 2.576 / sqrt 2), which the test also checks (< 96 %)."""
    rng = np.random.default_rng(21)
    p, n_p, n_m, trials = 0.13, 20_000, 20_000, 4000
    k_p = rng.binomial(n_p, p, trials)
    k_m = rng.binomial(n_m, p, trials)
    with_se = without = 0
    for a, b in zip(k_p, k_m):
        pred = a / n_p
        se = math.sqrt(pred * (1 - pred) / n_p)
        with_se += check(int(b), n_m, pred, predicted_se=se).verdict == "consistent"
        without += check(int(b), n_m, pred).verdict == "consistent"
    sd = math.sqrt(0.99 * 0.01 / trials)
    assert with_se / trials >= 0.99 - 4.5 * sd
    assert without / trials < 0.96


# ----------------------------------------------------------------------------- Verdict

def test_verdict_dataclass_and_to_dict():
    v = check(np.int64(5), np.int64(100), 0.05)
    assert isinstance(v, Verdict) and v.verdict in VERDICTS
    d = v.to_dict()
    assert set(d) == {"verdict", "measured", "interval", "predicted", "p_value", "confidence",
                      "kind", "predicted_se"}
    assert d["predicted_se"] == 0.0
    json.dumps(d)
    with pytest.raises(Exception):
        v.verdict = "x"  # frozen
    assert KINDS == ("estimate", "lower_bound", "upper_bound")


# ----------------------------------------------------------------------------- gap_db

def _waterfall(snr_db, offset):
    return 0.5 * special.erfc((snr_db - offset) / 0.8)


@pytest.mark.parametrize("target", [1e-1, 1e-2, 1e-3, 3e-5])
def test_gap_db_recovers_known_shift(target):
    pred_snr = np.arange(-2.0, 6.01, 0.25)
    pred = _waterfall(pred_snr, 1.0)
    meas_snr = pred_snr + 1.3                 # the same curve, 1.3 dB to the right
    assert gap_db(meas_snr, pred, pred_snr, pred, target) == pytest.approx(1.3, abs=1e-6)
    assert gap_db(pred_snr, pred, meas_snr, pred, target) == pytest.approx(-1.3, abs=1e-6)


def test_gap_db_different_grids_on_log_linear_curves():
    # log10 BLER linear in dB: interpolation is exact on any grid
    pred_snr = np.linspace(0, 10, 11)
    meas_snr = np.array([2.0, 3.7, 5.1, 8.9, 12.0])[::-1]     # unsorted on purpose
    pred = 10 ** (-0.6 * pred_snr)
    meas = 10 ** (-0.6 * (meas_snr - 1.3))
    assert gap_db(meas_snr, meas, pred_snr, pred, 1e-3) == pytest.approx(1.3, abs=1e-6)


def test_gap_db_ignores_zero_error_points():
    snr = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    meas = np.array([0.5, 0.1, 0.01, 0.0, 0.0])
    pred = np.array([0.2, 0.02, 0.002, 2e-4, 2e-5])
    assert gap_db(snr, meas, snr, pred, 0.02) == pytest.approx(1.0 + math.log10(5) - 1.0)


def test_gap_db_errors():
    snr = np.array([0.0, 1.0, 2.0])
    curve = np.array([0.1, 0.01, 0.001])
    with pytest.raises(ValueError, match="target"):
        gap_db(snr, curve, snr, curve, 1e-5)          # below both curves
    with pytest.raises(ValueError, match="target"):
        gap_db(snr, curve, snr, curve * 0.01, 1e-2)   # outside the predicted curve's range
    with pytest.raises(ValueError, match="target"):
        gap_db(snr, curve, snr, curve, 0.0)
    with pytest.raises(ValueError, match="measured"):
        gap_db(snr, curve[:2], snr, curve, 1e-2)
    with pytest.raises(ValueError, match="predicted"):
        gap_db(snr, curve, snr, np.array([0.1, 0.0, 0.0]), 1e-2)
    with pytest.raises(ValueError, match="measured"):
        gap_db(snr, np.array([0.1, 2.0, 0.01]), snr, curve, 1e-2)
    with pytest.raises(TypeError, match="target"):
        gap_db(snr, curve, snr, curve, "0.01")


# ----------------------------------------------------------------------------- check errors

@pytest.mark.parametrize("args, kwargs, exc, name", [
    ((-1, 10, 0.1), {}, ValueError, "errors"),
    ((11, 10, 0.1), {}, ValueError, "errors"),
    ((0, 0, 0.1), {}, ValueError, "trials"),
    ((1.5, 10, 0.1), {}, TypeError, "errors"),
    ((1, "10", 0.1), {}, TypeError, "trials"),
    ((1, 10, 1.2), {}, ValueError, "predicted"),
    ((1, 10, -0.1), {}, ValueError, "predicted"),
    ((1, 10, float("nan")), {}, ValueError, "predicted"),
    ((1, 10, "0.1"), {}, TypeError, "predicted"),
    ((1, 10, 0.1), {"kind": "bound"}, ValueError, "kind"),
    ((1, 10, 0.1), {"kind": None}, TypeError, "kind"),
    ((1, 10, 0.1), {"confidence": 1.0}, ValueError, "confidence"),
    ((1, 10, 0.1), {"confidence": 0.0}, ValueError, "confidence"),
    ((1, 10, 0.1), {"confidence": "high"}, TypeError, "confidence"),
])
def test_check_errors_name_parameter(args, kwargs, exc, name):
    with pytest.raises(exc, match=rf"^{name}: got"):
        check(*args, **kwargs)


# ------------------------------------------------------------------ clustered rates (BER)

def test_check_clustered_agrees_with_its_interval():
    """The verdict of check_clustered is read from the Korn-Graubard interval and its p-value
    crosses alpha exactly where the prediction crosses the interval's ends."""
    from linksim.sim.stats import clustered_interval
    from linksim.validate import check_clustered
    total, units, sq, frames = 400, 64 * 2000, 400 * 20, 2000   # 20 errors in each of 20 frames
    lo, hi = clustered_interval(total, units, sq, frames, 0.99)
    for p0, expected in ((lo * 0.9, "significantly above"), (lo * 1.1, "consistent"),
                         (hi * 0.9, "consistent"), (hi * 1.1, "significantly below")):
        v = check_clustered(total, units, sq, frames, p0, confidence=0.99)
        assert v.verdict == expected
        assert (v.p_value < 0.01) == (expected != "consistent")
    # At the interval's ends the two-sided p-value is alpha (the same inversion).
    assert check_clustered(total, units, sq, frames, hi, confidence=0.99).p_value == \
        pytest.approx(0.01, rel=1e-6)


def test_check_clustered_is_not_fooled_by_bits_of_one_frame():
    """20 frames with 20 bit errors each, of 2000 frames of 64 bits: the binomial test on bits
    calls a prediction 1.6x the measured BER significantly below; with frames as clusters it is
    consistent (the frame-level evidence is 20 events, not 400)."""
    from linksim.validate import check_clustered
    total, units, sq, frames = 400, 64 * 2000, 400 * 20, 2000
    p0 = 1.6 * total / units
    assert check(total, units, p0, confidence=0.99).verdict == "significantly below"
    assert check_clustered(total, units, sq, frames, p0, confidence=0.99).verdict == \
        "consistent"
    bound = check_clustered(total, units, sq, frames, 3 * total / units, kind="lower_bound",
                            confidence=0.99)
    assert bound.verdict == "violates bound" and bound.interval[0] == 0.0


def test_runner_verdicts_pass_the_prediction_se():
    """The runner's verdicts (linksim.evaluate) hold a prediction given with ``se`` by the
    combined rule, and one without it by the exact rule."""
    from linksim.evaluate import _verdicts
    counts = {"frames": 10_000, "on_frames": 10_000, "effective_deceptions": 865}
    lo, hi = clopper_pearson(865, 10_000, 0.99)
    preds = {"exact": {"value": hi + 1e-4, "kind": "estimate", "metric": "r_d"},
             "with_se": {"value": hi + 1e-4, "kind": "estimate", "se": 0.002, "metric": "r_d"}}
    out = _verdicts(preds, counts, 0.99, "pld")
    assert out["exact"]["verdict"] == "significantly below"
    assert out["with_se"]["verdict"] == "consistent" and out["with_se"]["predicted_se"] == 0.002
