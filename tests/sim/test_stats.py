"""Intervals of linksim.sim.stats: Clopper-Pearson for frames, Korn-Graubard for bits in frames.

The coverage tests replicate a clustered error process many times and count how often the
interval holds the true rate. With R replications the count of covering intervals is
Binomial(R, c) for the interval's true coverage c, so a coverage estimate is held to the nominal
level within 3 binomial standard errors, sqrt(0.95 * 0.05 / R) each (about a 1-in-370 chance of
a false failure per check at the exact nominal level). The old method (Clopper-Pearson on bits)
is measured beside it and must be caught under-covering.
"""

import math

import numpy as np
import pytest

from linksim.sim.metrics import METRICS, bit_error_counts, compute_metrics
from linksim.sim.stats import (clopper_pearson, clustered_interval, clustered_variance,
                               effective_counts)


def moments(y):
    """(total, sum of squares) of per-frame error counts y."""
    y = np.asarray(y, dtype=np.int64)
    return int(y.sum()), int((y * y).sum())


def test_variance_is_the_variance_of_the_mean_of_per_frame_rates():
    rng = np.random.default_rng(1)
    m = 16
    y = rng.integers(0, m + 1, size=50) * (rng.random(50) < 0.3)
    total, sq = moments(y)
    expected = np.var(y / m, ddof=1) / y.size
    assert clustered_variance(total, m * y.size, sq, y.size) == pytest.approx(expected, rel=1e-12)


def test_all_or_nothing_frames_give_the_frame_interval():
    """Frames whose bits are all wrong or all right: BER is BLER and the interval is the frames'
    (up to the t/normal degrees-of-freedom factor, which is ~1 for 2000 frames)."""
    m, n, frame_errors = 64, 2000, 37
    y = np.zeros(n, dtype=np.int64)
    y[:frame_errors] = m
    total, sq = moments(y)
    lo, hi = clustered_interval(total, m * n, sq, n, 0.95)
    lo_f, hi_f = clopper_pearson(frame_errors, n, 0.95)
    assert lo == pytest.approx(lo_f, rel=0.01) and hi == pytest.approx(hi_f, rel=0.01)
    # ... and far wider than the binomial interval on bits, which pretends 37*64 independent
    # errors.
    lo_b, hi_b = clopper_pearson(total, m * n, 0.95)
    assert (hi - lo) > 5 * (hi_b - lo_b)


def test_independent_bits_keep_the_binomial_interval():
    """Bits drawn independently: no excess variance, so n* = N (capped) or close to it."""
    rng = np.random.default_rng(2)
    m, n, p = 32, 5000, 0.01
    y = rng.binomial(m, p, size=n)
    total, sq = moments(y)
    x_eff, n_eff = effective_counts(total, m * n, sq, n)
    assert n_eff > 0.9 * m * n
    lo, hi = clustered_interval(total, m * n, sq, n)
    lo_b, hi_b = clopper_pearson(total, m * n)
    assert (hi - lo) == pytest.approx(hi_b - lo_b, rel=0.1)


def test_zero_errors_bound_by_the_frame_count():
    lo, hi = clustered_interval(0, 512 * 300, 0, 300, 0.95)
    assert lo == 0.0
    assert hi == pytest.approx(clopper_pearson(0, 300, 0.95)[1])


def test_edge_cases_and_bad_input():
    assert clustered_interval(3, 8, 9, 1) == (0.0, 1.0)          # one frame: no variance
    assert clustered_interval(16, 16, 128, 2)[1] == 1.0           # every bit wrong
    with pytest.raises(ValueError, match="sum_sq"):
        clustered_interval(10, 100, 5, 10)                         # below (sum y)^2 / n
    with pytest.raises(ValueError, match="sum_sq"):
        clustered_interval(10, 100, 200, 10)                       # above m * sum y
    with pytest.raises(ValueError, match="total <= units"):
        clustered_interval(11, 10, 11, 1)


def test_metrics_pick_the_method_by_unit():
    assert METRICS["ber"].interval_method == "korn-graubard"
    assert METRICS["bler"].interval_method == "clopper-pearson"
    assert METRICS["avg_iterations"].interval_method is None
    wrong = np.zeros((100, 8), dtype=bool)
    wrong[:5] = True
    counts = {"frames": 100, "frame_errors": 5, "bits": 800, **bit_error_counts(wrong)}
    assert counts["bit_errors"] == 40 and counts["bit_errors_sq"] == 5 * 64
    got = compute_metrics(counts, ["ber", "bler"])
    assert got["ber"]["ci"] == pytest.approx(list(clustered_interval(40, 800, 320, 100)))
    # A store written before bit_errors_sq: a value, and no (wrong) interval.
    del counts["bit_errors_sq"]
    assert compute_metrics(counts, ["ber"])["ber"] == {"value": 0.05, "ci": None}


def clustered_replications(rng, reps, n_frames, m, p_frame, a, b):
    """Per-frame bit errors of ``reps`` independent runs: a frame fails with p_frame and then
    has Binomial(m, r) wrong bits with r ~ Beta(a, b) (a decoder failure's bit errors are
    many and vary from frame to frame). Returns (total, sum_sq) arrays and the true BER."""
    fails = rng.random((reps, n_frames)) < p_frame
    r = rng.beta(a, b, size=(reps, n_frames))
    y = np.where(fails, rng.binomial(m, r), 0).astype(np.int64)
    true_ber = p_frame * a / (a + b)
    return y.sum(axis=1), (y * y).sum(axis=1), true_ber


@pytest.mark.parametrize("p_frame", [0.1, 0.02])
def test_coverage_by_replication_clustered_errors(p_frame):
    """2000 replications of a strongly clustered process (design effect ~ 50): the Korn-Graubard
    interval covers at 95 % within 3 binomial SEs; Clopper-Pearson on bits does not come close."""
    rng = np.random.default_rng(20261203)
    reps, n_frames, m = 2000, 1000, 256
    totals, sqs, truth = clustered_replications(rng, reps, n_frames, m, p_frame, 2.0, 18.0)
    kg = cp = 0
    for total, sq in zip(totals, sqs):
        lo, hi = clustered_interval(int(total), n_frames * m, int(sq), n_frames, 0.95)
        kg += lo <= truth <= hi
        lo, hi = clopper_pearson(int(total), n_frames * m, 0.95)
        cp += lo <= truth <= hi
    se = math.sqrt(0.95 * 0.05 / reps)
    assert abs(kg / reps - 0.95) <= 3 * se, kg / reps
    assert cp / reps < 0.6, cp / reps


def coded_link_coverage(params, stop, runs, seed=7):
    """Coverage of the 95 % BER interval over ``runs`` independent runs of one coded-link point
    (run r = point index r), against the leave-one-out pooled BER; also the old method's."""
    from linksim.sim import StopRule, run_point
    from linksim.systems import simulate_batch
    counts = [run_point(lambda rng, n: simulate_batch("coded_link", params, rng, n), seed=seed,
                        point_index=r, stop=StopRule(**stop)).counts for r in range(runs)]
    y = np.array([c["bit_errors"] for c in counts])
    bits = np.array([c["bits"] for c in counts])
    truth = (y.sum() - y) / (bits.sum() - bits)
    kg = cp = 0
    for c, t in zip(counts, truth):
        lo, hi = clustered_interval(c["bit_errors"], c["bits"], c["bit_errors_sq"], c["frames"])
        kg += lo <= t <= hi
        lo, hi = clopper_pearson(c["bit_errors"], c["bits"])
        cp += lo <= t <= hi
    return kg / runs, cp / runs


def test_coverage_by_replication_small_ldpc():
    """150 runs of a short LDPC code in its waterfall (60-90 frame errors a run): the
    clustered interval covers within 3 binomial SEs of 95 %; the old binomial one under-covers
    (measured: 0.97 against 0.40)."""
    params = {"code": "ldpc5g", "k": 64, "n": 128, "ebno_db": 2.0, "num_iter": 10}
    runs = 150
    kg, cp = coded_link_coverage(params, {"max_frame_errors": 60, "max_frames": 20000,
                                          "batch_size": 500}, runs)
    se = math.sqrt(0.95 * 0.05 / runs)
    assert abs(kg - 0.95) <= 3 * se, kg
    assert cp < 0.95 - 3 * se, cp


@pytest.mark.slow
def test_coverage_by_replication_issue_point():
    """The issue's point: k=512, n=1024, QPSK, AWGN, 1.5 dB, 100 frame errors a run, 200 runs
    (tools/ber_interval_coverage.py writes the same study to results/)."""
    params = {"code": "ldpc5g", "k": 512, "n": 1024, "ebno_db": 1.5, "num_iter": 20}
    runs = 200
    kg, cp = coded_link_coverage(params, {"max_frame_errors": 100, "max_frames": 200000,
                                          "batch_size": 1000}, runs, seed=20261203)
    se = math.sqrt(0.95 * 0.05 / runs)
    assert abs(kg - 0.95) <= 3 * se, kg
    assert cp < 0.95 - 3 * se, cp


def test_frame_mean_ci_is_the_normal_interval_of_the_frame_means():
    from scipy.stats import norm

    from linksim.sim.stats import frame_mean_ci
    y = np.array([3.0, 5.0, 4.0, 8.0, 0.0])
    mean, lo, hi = frame_mean_ci(y.sum(), (y * y).sum(), y.size, 10.0, confidence=0.95)
    half = norm.ppf(0.975) * y.std(ddof=1) / np.sqrt(y.size)
    assert mean == pytest.approx(y.mean() / 10)
    assert (lo, hi) == (pytest.approx((y.mean() - half) / 10), pytest.approx((y.mean() + half) / 10))
    assert frame_mean_ci(3.0, 9.0, 1, 10.0) is None
