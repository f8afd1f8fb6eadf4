"""Tests of linksim.sim.montecarlo: stopping rule, determinism, order independence, CIs."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linksim.random import batch_rng
from linksim.sim import PointResult, PointTally, StopRule, run_batch, run_point


def binomial_system(p_frame=0.2, bits_per_frame=8):
    """A toy system: each frame is in error with probability p_frame, then 1..bits bits wrong."""
    def simulate_batch(rng, n):
        fe = rng.random(n) < p_frame
        be = np.where(fe, rng.integers(1, bits_per_frame + 1, size=n), 0)
        return {"frames": n, "frame_errors": int(fe.sum()), "bits": n * bits_per_frame,
                "bit_errors": int(be.sum()), "bit_errors_sq": int((be * be).sum()),
                "iterations": 3 * n}
    return simulate_batch


def constant_system(errors_per_batch):
    """Deterministic: every batch has min(n, errors_per_batch) frame errors; records sizes."""
    sizes = []

    def simulate_batch(rng, n):
        sizes.append(n)
        e = min(n, errors_per_batch)
        return {"frames": n, "frame_errors": e, "bits": 2 * n, "bit_errors": e}
    simulate_batch.sizes = sizes
    return simulate_batch


# ----------------------------------------------------------------------------- StopRule

def test_stoprule_defaults_and_float_max_frames():
    s = StopRule()
    assert (s.max_frame_errors, s.max_frames, s.max_seconds) == (100, 1_000_000, None)
    s = StopRule(max_frames=1e6, batch_size=300, first_batch_size=300)   # no ramp
    assert s.max_frames == 1_000_000 and isinstance(s.max_frames, int)
    assert s.max_batches == 3334
    assert s.frames_in_batch(0) == 300
    assert s.frames_in_batch(3333) == 1_000_000 - 3333 * 300 == 100


@pytest.mark.parametrize("max_frames,batch_size,first", [(1_000_000, 1000, 64), (150, 1000, 64),
                                                         (192, 1000, 64), (1, 1000, 64),
                                                         (5000, 100, 7), (999, 1000, 2000)])
def test_stoprule_ramp_sizes(max_frames, batch_size, first):
    """Batch b has min(batch_size, first * 2**b) frames; the batches tile max_frames exactly."""
    s = StopRule(max_frames=max_frames, batch_size=batch_size, first_batch_size=first)
    sizes = [s.frames_in_batch(b) for b in range(s.max_batches)]
    assert sum(sizes) == max_frames and min(sizes) > 0
    nominal = [min(batch_size, min(first, batch_size) * 2 ** b) for b in range(len(sizes))]
    assert sizes[:-1] == nominal[:-1] and sizes[-1] <= nominal[-1]
    assert all(s.batch_start(b) == sum(sizes[:b]) for b in range(len(sizes)))
    with pytest.raises(ValueError, match="batch_index"):
        s.frames_in_batch(s.max_batches)


def test_ramp_limits_overshoot_at_high_error_rates():
    """Every frame in error: the point stops after 64 + 128 frames, not a whole 1000-frame batch."""
    def all_wrong(rng, n):
        return {"frames": n, "frame_errors": n, "bits": n, "bit_errors": n}
    r = run_point(all_wrong, seed=1, stop=StopRule(max_frame_errors=100, batch_size=1000))
    assert r.frames == 192 and r.n_batches == 2 and r.stopped_by == "max_frame_errors"


@pytest.mark.parametrize("kwargs, exc, name", [
    ({"max_frame_errors": 0}, ValueError, "max_frame_errors"),
    ({"max_frame_errors": -3}, ValueError, "max_frame_errors"),
    ({"max_frames": 1.5e3 + 0.5}, ValueError, "max_frames"),
    ({"max_frames": float("inf")}, ValueError, "max_frames"),
    ({"max_frames": "100"}, TypeError, "max_frames"),
    ({"batch_size": True}, TypeError, "batch_size"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"max_seconds": 0}, ValueError, "max_seconds"),
    ({"max_seconds": "1"}, TypeError, "max_seconds"),
])
def test_stoprule_validation(kwargs, exc, name):
    with pytest.raises(exc, match=name):
        StopRule(**kwargs)


def test_frames_in_batch_range():
    s = StopRule(max_frames=25, batch_size=10)
    assert [s.frames_in_batch(b) for b in range(s.max_batches)] == [10, 10, 5]
    with pytest.raises(ValueError, match="batch_index"):
        s.frames_in_batch(3)


# ----------------------------------------------------------------------------- stop semantics

def test_stops_after_first_batch_reaching_error_target():
    sim = constant_system(errors_per_batch=10)
    r = run_point(sim, seed=1, stop=StopRule(max_frame_errors=25, max_frames=10_000, batch_size=10))
    # cumulative errors 10, 20, 30 -> stop after batch 2 (overshoot allowed, never undershoot)
    assert r.n_batches == 3 and r.frames == 30 and r.frame_errors == 30
    assert r.stopped_by == "max_frame_errors"
    assert sim.sizes == [10, 10, 10]


def test_stops_at_max_frames_with_short_last_batch():
    sim = constant_system(errors_per_batch=0)
    r = run_point(sim, seed=1, stop=StopRule(max_frame_errors=5, max_frames=25, batch_size=10))
    assert sim.sizes == [10, 10, 5]
    assert r.frames == 25 and r.frame_errors == 0 and r.n_batches == 3
    assert r.stopped_by == "max_frames"
    assert r.bler == 0.0 and r.bler_ci[0] == 0.0 and 0 < r.bler_ci[1] < 1


def test_error_target_checked_before_frame_cap():
    sim = constant_system(errors_per_batch=5)
    r = run_point(sim, seed=1, stop=StopRule(max_frame_errors=10, max_frames=20, batch_size=10))
    assert r.frames == 20 and r.frame_errors == 10 and r.stopped_by == "max_frame_errors"


def test_max_seconds_stops_early():
    sim = constant_system(errors_per_batch=0)
    r = run_point(sim, seed=1, stop=StopRule(max_frames=1000, batch_size=10, max_seconds=1e-12))
    assert r.n_batches == 1 and r.frames == 10 and r.stopped_by == "max_seconds"


@settings(max_examples=60, deadline=None)
@given(max_frame_errors=st.integers(1, 40), max_frames=st.integers(1, 300),
       batch_size=st.integers(1, 64), p=st.floats(0.0, 1.0), seed=st.integers(0, 2**32))
def test_stop_rule_property(max_frame_errors, max_frames, batch_size, p, seed):
    """n_batches is the first prefix of the (independently computed) batches meeting the rule."""
    stop = StopRule(max_frame_errors, max_frames, batch_size)
    sim = binomial_system(p)
    r = run_point(sim, seed=seed, point_index=2, stop=stop)
    frames = errors = 0
    for b in range(stop.max_batches):
        c = sim(batch_rng(seed, 2, b), stop.frames_in_batch(b))
        frames += c["frames"]
        errors += c["frame_errors"]
        if errors >= max_frame_errors or frames >= max_frames:
            break
    assert (r.n_batches, r.frames, r.frame_errors) == (b + 1, frames, errors)
    assert r.frames <= max_frames
    assert r.frame_errors >= max_frame_errors or r.frames == max_frames


# ----------------------------------------------------------------------------- determinism

def test_each_batch_gets_its_own_stream():
    seen = []

    def sim(rng, n):
        seen.append(rng.random())
        return {"frames": n, "frame_errors": 0, "bits": n, "bit_errors": 0}
    run_point(sim, seed=7, point_index=3, stop=StopRule(max_frames=40, batch_size=10))
    assert seen == [batch_rng(7, 3, b).random() for b in range(4)]


def test_same_seed_same_counts_other_seed_other_counts():
    stop = StopRule(max_frame_errors=50, max_frames=5000, batch_size=37)
    a = run_point(binomial_system(), seed=11, point_index=1, stop=stop)
    b = run_point(binomial_system(), seed=11, point_index=1, stop=stop)
    c = run_point(binomial_system(), seed=12, point_index=1, stop=stop)
    d = run_point(binomial_system(), seed=11, point_index=2, stop=stop)
    assert a.counts == b.counts and a.n_batches == b.n_batches
    assert a.counts != c.counts
    assert a.counts != d.counts


def test_counts_independent_of_batch_execution_order():
    """Run batches in a scrambled order (as a parallel executor would), add them in index order."""
    stop = StopRule(max_frame_errors=60, max_frames=2000, batch_size=25)
    sim = binomial_system(0.1)
    serial = run_point(sim, seed=5, point_index=4, stop=stop)
    order = np.random.default_rng(0).permutation(stop.max_batches)
    done = {int(b): run_batch(sim, seed=5, point_index=4, batch_index=int(b), stop=stop)
            for b in order}
    tally = PointTally(stop)
    for b in range(stop.max_batches):
        if tally.add(b, done[b]):
            break
    assert tally.n_batches == serial.n_batches
    assert tally.counts == serial.counts
    assert tally.result(seed=5, point_index=4).counts == serial.counts
    with pytest.raises(RuntimeError):
        tally.add(tally.n_batches, done[tally.n_batches])


def test_tally_requires_index_order():
    tally = PointTally(StopRule(max_frames=100, batch_size=10))
    with pytest.raises(ValueError, match="batch_index"):
        tally.add(1, {"frames": 10, "frame_errors": 0, "bits": 10, "bit_errors": 0})


# ----------------------------------------------------------------------------- results

def test_extra_counts_summed_and_rates():
    stop = StopRule(max_frame_errors=30, max_frames=3000, batch_size=50)
    r = run_point(binomial_system(0.3), seed=3, stop=stop)
    assert r.counts["iterations"] == 3 * r.frames
    assert r.bit_errors ** 2 <= r.counts["bit_errors_sq"] * r.frames
    assert r.bler == r.frame_errors / r.frames
    assert r.ber == r.bit_errors / r.bits


@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_ci_contains_rate_and_widens_with_confidence(confidence):
    stop = StopRule(max_frame_errors=40, max_frames=3000, batch_size=40)
    r = run_point(binomial_system(0.2), seed=9, stop=stop, confidence=confidence)
    assert r.confidence == confidence
    assert r.bler_ci[0] < r.bler < r.bler_ci[1]
    assert r.ber_ci[0] < r.ber < r.ber_ci[1]
    wider = run_point(binomial_system(0.2), seed=9, stop=stop, confidence=0.999)
    assert wider.bler_ci[0] < r.bler_ci[0] and wider.bler_ci[1] > r.bler_ci[1]


def test_ci_covers_true_rate():
    """95 % intervals from 200 independent points cover the true BLER in >= 88 % of them."""
    p = 0.05
    stop = StopRule(max_frame_errors=10**6, max_frames=400, batch_size=400)
    hits = 0
    for point in range(200):
        r = run_point(binomial_system(p), seed=21, point_index=point, stop=stop)
        hits += r.bler_ci[0] <= p <= r.bler_ci[1]
    assert hits >= 176


def test_on_batch_sees_growing_partial_results():
    seen = []
    stop = StopRule(max_frame_errors=10**6, max_frames=95, batch_size=20)
    r = run_point(binomial_system(), seed=1, stop=stop, on_batch=seen.append)
    assert [p.frames for p in seen] == [20, 40, 60, 80, 95]
    assert all(isinstance(p, PointResult) for p in seen)
    assert [p.stopped_by for p in seen] == [None] * 4 + ["max_frames"]
    assert seen[-1].counts == r.counts


def test_to_dict_is_json_serialisable():
    r = run_point(binomial_system(), seed=1, stop=StopRule(max_frames=100, batch_size=50))
    d = json.loads(json.dumps(r.to_dict()))
    for key in ("counts", "frames", "frame_errors", "bits", "bit_errors", "ber", "bler",
                "ber_ci", "bler_ci", "elapsed_s", "n_batches"):
        assert key in d
    assert d["frames"] == 100 and d["n_batches"] == 2 and len(d["bler_ci"]) == 2
    empty = PointResult.from_counts({"frames": 0, "frame_errors": 0, "bits": 0, "bit_errors": 0})
    assert json.loads(json.dumps(empty.to_dict()))["ber"] is None


# ----------------------------------------------------------------------------- validation

def _ok(rng, n):
    return {"frames": n, "frame_errors": 0, "bits": n, "bit_errors": 0}


@pytest.mark.parametrize("bad, exc, match", [
    (lambda rng, n: {"frames": n, "frame_errors": 0, "bits": n}, ValueError, "bit_errors"),
    (lambda rng, n: {"frames": n - 1, "frame_errors": 0, "bits": n, "bit_errors": 0},
     ValueError, "frames"),
    (lambda rng, n: {"frames": n, "frame_errors": 0.0, "bits": n, "bit_errors": 0},
     TypeError, "frame_errors"),
    (lambda rng, n: {"frames": n, "frame_errors": -1, "bits": n, "bit_errors": 0},
     ValueError, "frame_errors"),
    (lambda rng, n: {"frames": n, "frame_errors": n + 1, "bits": n, "bit_errors": 0},
     ValueError, "frame_errors"),
    (lambda rng, n: [n, 0, n, 0], TypeError, "simulate_batch"),
])
def test_bad_counts_rejected(bad, exc, match):
    with pytest.raises(exc, match=match):
        run_point(bad, seed=0, stop=StopRule(max_frames=10, batch_size=10))


def test_numpy_integer_counts_accepted():
    sim = lambda rng, n: {"frames": np.int64(n), "frame_errors": np.int32(1),  # noqa: E731
                          "bits": n, "bit_errors": np.uint8(2)}
    r = run_point(sim, seed=0, stop=StopRule(max_frames=10, batch_size=5))
    assert r.counts == {"frames": 10, "frame_errors": 2, "bits": 10, "bit_errors": 4}
    assert all(type(v) is int for v in r.counts.values())


@pytest.mark.parametrize("kwargs, exc, match", [
    ({"seed": -1}, ValueError, "seed"),
    ({"seed": 1.0}, TypeError, "seed"),
    ({"seed": 0, "point_index": -1}, ValueError, "point_index"),
    ({"seed": 0, "stop": {"max_frames": 10}}, TypeError, "stop"),
    ({"seed": 0, "confidence": 1.0}, ValueError, "confidence"),
    ({"seed": 0, "on_batch": 3}, TypeError, "on_batch"),
])
def test_run_point_validation(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        run_point(_ok, **kwargs)
    with pytest.raises(TypeError, match="simulate_batch"):
        run_point(None, seed=0)


def test_stop_rule_on_several_counts():
    """A list of counts: the point stops when every one has reached max_frame_errors (a
    calibration resolving both failures and successes); a one-name list is that name."""
    rule = StopRule(max_frame_errors=10, max_frames=1000, error_count=["frame_errors", "successes"])
    assert rule.error_counts == ("frame_errors", "successes")
    assert rule.reached({"frames": 50, "frame_errors": 40, "successes": 9}) is None
    assert rule.reached({"frames": 50, "frame_errors": 10, "successes": 40}) == "max_frame_errors"
    assert rule.reached({"frames": 1000, "frame_errors": 999, "successes": 1}) == "max_frames"
    assert rule.to_dict()["error_count"] == ["frame_errors", "successes"]
    assert StopRule(**rule.to_dict()) == rule
    single = StopRule(error_count=["frame_errors"])
    assert single.error_count == "frame_errors" and "error_count" not in single.to_dict()
    for bad in ([], ["frame errors"], [3]):
        with pytest.raises(ValueError, match="error_count"):
            StopRule(error_count=bad)
