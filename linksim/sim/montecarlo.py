"""Monte Carlo engine for one sweep point: seeded batches, a stopping rule, exact intervals.

The contract every executor relies on
-------------------------------------
A *system* exposes ``simulate_batch(rng, n_frames) -> dict[str, int]`` that simulates
``n_frames`` frames with every random draw taken from ``rng`` and returns integer event counts
(at least ``frames``, ``frame_errors``, ``bits``, ``bit_errors``; any extra integer key, such as
``iterations`` or ``undetected_errors``, is summed the same way). A system should also return
``bit_errors_sq``, the sum over frames of each frame's bit errors squared: the bits of a frame
are not independent, and the BER interval treats frames as clusters from it
(:mod:`linksim.sim.metrics`); without it BER gets no interval).

Batch ``b`` of sweep point ``p`` of a run seeded with ``seed``

* draws from ``linksim.random.batch_rng(seed, p, b)`` and nothing else, and
* has ``stop.frames_in_batch(b)`` frames: ``min(batch_size, first_batch_size * 2**b)``, the last
  batch cut so that the total never exceeds ``max_frames``,

so its counts are a pure function of ``(seed, p, b)`` (see :func:`run_batch`). A point is the
sum of batches ``0, 1, ..., B - 1`` where ``B`` is the first batch count at which the cumulative
counts satisfy the stopping rule (:meth:`StopRule.reached`). This is decided on counts only,
in batch-index order, so the result never depends on timing, on how many workers ran batches,
or on the order in which they finished: a parallel executor may run batches speculatively and
feed the finished ones to a :class:`PointTally` in index order; it obtains exactly the numbers
of the serial :func:`run_point` and discards the surplus batches.

The one exception is the optional wall-clock cap ``StopRule.max_seconds``: when it triggers,
how many batches were run depends on the machine's speed. The counts are still those of
batches ``0 .. n_batches - 1`` (so a run with the same seed and the same ``n_batches`` is
reproducible), but a rerun may stop at a different ``n_batches``.
"""

from __future__ import annotations

import math
import numbers
import time
from dataclasses import dataclass
from typing import Callable, Mapping

import numpy as np

from linksim.checks import check_count

from linksim.random import batch_rng, check_seed
from linksim.sim.metrics import METRICS, rate_interval
from linksim.sim.stats import check_confidence, clopper_pearson

__all__ = [
    "REQUIRED_COUNTS",
    "StopRule",
    "PointResult",
    "PointTally",
    "run_batch",
    "run_point",
]

#: Keys every ``simulate_batch`` must return.
REQUIRED_COUNTS = ("frames", "frame_errors", "bits", "bit_errors")

#: Default number of frames per batch (after the ramp).
DEFAULT_BATCH_SIZE = 1000
#: Default size of the first batch; sizes double up to the batch size.
DEFAULT_FIRST_BATCH_SIZE = 64


@dataclass(frozen=True)
class StopRule:
    """When to stop simulating one sweep point.

    Parameters
    ----------
    max_frame_errors : int
        Stop after the first batch at which the cumulative ``frame_errors`` reaches this.
    max_frames : int
        Hard cap on the number of frames; the last batch is shortened so that exactly
        ``max_frames`` frames are simulated if the error target is never met. An integral
        float such as ``1e6`` is accepted.
    batch_size : int
        Frames per batch once the ramp is over (the unit of seeding, of parallel work and of
        the stopping decision). The stopping rule is checked only between batches.
    first_batch_size : int
        Size of batch 0; batch ``b`` has ``min(batch_size, first_batch_size * 2**b)`` frames.
        The ramp keeps points with many errors (low SNR) from overshooting
        ``max_frame_errors`` by a whole large batch, while long runs still use large batches.
        The sizes depend on ``b`` alone, so every batch stays a pure function of
        ``(seed, point, b)``. Capped at ``batch_size``.
    max_seconds : float or None
        Optional wall-clock cap, checked between batches. When it triggers, the number of
        batches (not the counts of each batch) depends on timing.
    error_count : str or sequence of str
        The count that ``max_frame_errors`` applies to (default ``"frame_errors"``). A system
        with several events of interest (e.g. the PLD system's per-layer erasures) names the
        rarest one it must resolve, so that the point stops on that event's count. Several
        names: the point stops when *every* one has reached ``max_frame_errors`` (e.g. a
        calibration that must resolve both failures and successes, whichever is rarer).
    """

    max_frame_errors: int = 100
    max_frames: int = 1_000_000
    batch_size: int = DEFAULT_BATCH_SIZE
    max_seconds: float | None = None
    first_batch_size: int = DEFAULT_FIRST_BATCH_SIZE
    error_count: str | tuple = "frame_errors"

    def __post_init__(self):
        names = self.error_count
        if isinstance(names, (list, tuple)):
            names = tuple(names)
            if len(names) == 1:
                names = names[0]
        ok = (isinstance(names, str) and names.isidentifier()) or (
            isinstance(names, tuple) and names
            and all(isinstance(n, str) and n.isidentifier() for n in names))
        if not ok:
            raise ValueError(f"error_count: got {self.error_count!r}; allowed: the name of a "
                             f"count the system reports, e.g. 'frame_errors', or a non-empty "
                             f"list of such names")
        object.__setattr__(self, "error_count", names)
        object.__setattr__(self, "max_frame_errors",
                           check_count("max_frame_errors", self.max_frame_errors))
        object.__setattr__(self, "max_frames", check_count("max_frames", self.max_frames))
        object.__setattr__(self, "batch_size", check_count("batch_size", self.batch_size))
        first = check_count("first_batch_size", self.first_batch_size)
        object.__setattr__(self, "first_batch_size", min(first, self.batch_size))
        if self.max_seconds is not None:
            ms = self.max_seconds
            if isinstance(ms, bool) or not isinstance(ms, numbers.Real):
                raise TypeError(f"max_seconds: got {ms!r}; allowed: a positive number or None")
            if not (math.isfinite(float(ms)) and float(ms) > 0):
                raise ValueError(f"max_seconds: got {ms!r}; allowed: a positive number or None")
            object.__setattr__(self, "max_seconds", float(ms))

    @property
    def _ramp(self) -> int:
        """Number of ramp batches: the first b with ``first_batch_size * 2**b >= batch_size``."""
        r = 0
        while self.first_batch_size << r < self.batch_size:
            r += 1
        return r

    def batch_start(self, batch_index: int) -> int:
        """Frames in batches ``0 .. batch_index - 1`` before the ``max_frames`` cap."""
        r = self._ramp
        if batch_index <= r:
            return self.first_batch_size * ((1 << batch_index) - 1)
        return self.first_batch_size * ((1 << r) - 1) + (batch_index - r) * self.batch_size

    @property
    def max_batches(self) -> int:
        """Number of batches needed to reach ``max_frames``."""
        r = self._ramp
        ramp_frames = self.batch_start(r)
        if ramp_frames >= self.max_frames:
            return next(b for b in range(1, r + 1) if self.batch_start(b) >= self.max_frames)
        return r + -(-(self.max_frames - ramp_frames) // self.batch_size)

    def frames_in_batch(self, batch_index: int) -> int:
        """Frames of batch ``b``: ``min(batch_size, first_batch_size * 2**b)``, cut at ``max_frames``.

        Raises ``ValueError`` for a batch index outside ``[0, max_batches)``.
        """
        if isinstance(batch_index, bool) or not isinstance(batch_index, numbers.Integral):
            raise TypeError(f"batch_index: got {batch_index!r}; allowed: a non-negative integer")
        b = int(batch_index)
        if not 0 <= b < self.max_batches:
            raise ValueError(f"batch_index: got {b}; allowed: 0 <= batch_index < "
                             f"{self.max_batches} (max_frames={self.max_frames}, "
                             f"batch_size={self.batch_size})")
        nominal = min(self.batch_size, self.first_batch_size << min(b, 62))
        return min(nominal, self.max_frames - self.batch_start(b))

    @property
    def error_counts(self) -> tuple[str, ...]:
        """The counts ``max_frame_errors`` applies to (each must reach it)."""
        return self.error_count if isinstance(self.error_count, tuple) else (self.error_count,)

    def reached(self, counts: Mapping[str, int]) -> str | None:
        """Which count-based criterion cumulative ``counts`` satisfy, or ``None``.

        Returns ``"max_frame_errors"`` or ``"max_frames"`` (error target, on the count
        ``error_count``, checked first).
        """
        if all(counts.get(name, 0) >= self.max_frame_errors for name in self.error_counts):
            return "max_frame_errors"
        if counts.get("frames", 0) >= self.max_frames:
            return "max_frames"
        return None

    def to_dict(self) -> dict:
        """Plain-dict form (JSON-serialisable); ``error_count`` only when not the default, so
        that scenarios written before it existed keep their hash."""
        out = {"max_frame_errors": self.max_frame_errors, "max_frames": self.max_frames,
               "batch_size": self.batch_size, "first_batch_size": self.first_batch_size,
               "max_seconds": self.max_seconds}
        if self.error_count != "frame_errors":
            out["error_count"] = (list(self.error_count) if isinstance(self.error_count, tuple)
                                  else self.error_count)
        return out


def _rate(errors: int, trials: int) -> float:
    return errors / trials if trials > 0 else float("nan")


@dataclass
class PointResult:
    """Aggregated counts of one sweep point with rates and exact confidence intervals.

    Attributes
    ----------
    counts : dict[str, int]
        Every count summed over the batches run (``frames``, ``frame_errors``, ``bits``,
        ``bit_errors`` and any extra keys the system returned).
    frames, frame_errors, bits, bit_errors : int
        Copies of the four required counts.
    ber, bler : float
        ``bit_errors / bits`` and ``frame_errors / frames`` (NaN when the denominator is 0).
    ber_ci, bler_ci : (float, float)
        Two-sided intervals at ``confidence``: Clopper-Pearson for BLER; for BER the
        Korn-Graubard interval with frames as clusters (:mod:`linksim.sim.metrics`), or
        ``(nan, nan)`` when the counts lack ``bit_errors_sq``.
    confidence : float
    elapsed_s : float
        Wall-clock seconds spent in the run (informational; never used for the result unless
        ``max_seconds`` stopped it).
    n_batches : int
        Batches ``0 .. n_batches - 1`` were summed.
    stopped_by : str or None
        ``"max_frame_errors"``, ``"max_frames"``, ``"max_seconds"``, or ``None`` for a partial
        result handed to an ``on_batch`` callback before the rule holds.
    seed, point_index : int or None
        Where the batches' streams came from.
    """

    counts: dict
    frames: int
    frame_errors: int
    bits: int
    bit_errors: int
    ber: float
    bler: float
    ber_ci: tuple
    bler_ci: tuple
    confidence: float = 0.95
    elapsed_s: float = 0.0
    n_batches: int = 0
    stopped_by: str | None = None
    seed: int | None = None
    point_index: int | None = None

    @classmethod
    def from_counts(cls, counts: Mapping[str, int], *, confidence: float = 0.95,
                    elapsed_s: float = 0.0, n_batches: int = 0, stopped_by: str | None = None,
                    seed: int | None = None, point_index: int | None = None) -> "PointResult":
        """Build a result (rates and intervals) from cumulative integer counts."""
        confidence = check_confidence(confidence)
        c = {key: int(counts.get(key, 0)) for key in REQUIRED_COUNTS}
        c.update({key: int(v) for key, v in counts.items() if key not in c})
        return cls(
            counts=c,
            frames=c["frames"], frame_errors=c["frame_errors"],
            bits=c["bits"], bit_errors=c["bit_errors"],
            ber=_rate(c["bit_errors"], c["bits"]), bler=_rate(c["frame_errors"], c["frames"]),
            ber_ci=tuple(rate_interval(METRICS["ber"], c, confidence) or (math.nan, math.nan)),
            bler_ci=tuple(clopper_pearson(c["frame_errors"], c["frames"], confidence)),
            confidence=confidence, elapsed_s=float(elapsed_s), n_batches=int(n_batches),
            stopped_by=stopped_by, seed=seed, point_index=point_index,
        )

    def to_dict(self) -> dict:
        """Plain-dict form: JSON-serialisable (intervals as lists, NaN rates as ``None``)."""
        def num(x):
            return None if isinstance(x, float) and math.isnan(x) else x
        return {
            "counts": dict(self.counts),
            "frames": self.frames, "frame_errors": self.frame_errors,
            "bits": self.bits, "bit_errors": self.bit_errors,
            "ber": num(self.ber), "bler": num(self.bler),
            "ber_ci": [num(float(v)) for v in self.ber_ci],
            "bler_ci": [float(v) for v in self.bler_ci],
            "confidence": self.confidence, "elapsed_s": self.elapsed_s,
            "n_batches": self.n_batches, "stopped_by": self.stopped_by,
            "seed": self.seed, "point_index": self.point_index,
        }


def _check_counts(counts, n_frames: int) -> dict[str, int]:
    """Validate what a ``simulate_batch`` returned for a batch of ``n_frames`` frames."""
    if not isinstance(counts, Mapping):
        raise TypeError(f"simulate_batch: returned {type(counts).__name__}; "
                        f"allowed: a dict of integer counts with keys {REQUIRED_COUNTS}")
    missing = [key for key in REQUIRED_COUNTS if key not in counts]
    if missing:
        raise ValueError(f"simulate_batch: returned keys {sorted(counts)}; missing {missing}; "
                         f"required: {REQUIRED_COUNTS}")
    out = {}
    for key, value in counts.items():
        if not isinstance(key, str):
            raise TypeError(f"simulate_batch: count key {key!r} is not a string")
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
            raise TypeError(f"simulate_batch: count {key!r} = {value!r} "
                            f"({type(value).__name__}); allowed: a non-negative integer")
        if value < 0:
            raise ValueError(f"simulate_batch: count {key!r} = {value}; "
                             f"allowed: a non-negative integer")
        out[key] = int(value)
    if out["frames"] != n_frames:
        raise ValueError(f"simulate_batch: returned frames={out['frames']} for a batch of "
                         f"{n_frames} frames; the two must match")
    if out["frame_errors"] > out["frames"]:
        raise ValueError(f"simulate_batch: frame_errors={out['frame_errors']} > "
                         f"frames={out['frames']}")
    if out["bit_errors"] > out["bits"]:
        raise ValueError(f"simulate_batch: bit_errors={out['bit_errors']} > bits={out['bits']}")
    if "bit_errors_sq" in out and n_frames:
        y, sq = out["bit_errors"], out["bit_errors_sq"]
        if not (y * y <= sq * n_frames <= out["bits"] * y):
            raise ValueError(f"simulate_batch: bit_errors_sq={sq} is not a sum of per-frame "
                             f"squared bit errors (bit_errors={y}, bits={out['bits']}, "
                             f"frames={n_frames})")
    return out


def run_batch(simulate_batch: Callable, *, seed: int, point_index: int, batch_index: int,
              stop: StopRule) -> dict[str, int]:
    """Run batch ``batch_index`` of point ``point_index``: a pure function of its arguments.

    Draws a fresh ``batch_rng(seed, point_index, batch_index)``, simulates
    ``stop.frames_in_batch(batch_index)`` frames and returns the validated integer counts.
    This is the unit of work for every executor (serial, process pool, Dask).
    """
    n_frames = stop.frames_in_batch(batch_index)
    rng = batch_rng(seed, point_index, batch_index)
    return _check_counts(simulate_batch(rng, n_frames), n_frames)


class PointTally:
    """Cumulative counts of one point, fed batch by batch in index order.

    ``add(b, counts)`` must be called with ``b = 0, 1, 2, ...`` in sequence. After each call
    :attr:`done` says whether the stopping rule holds (count-based criteria only; the caller
    handles wall-clock caps through :meth:`stop_for_time`). Batches offered after the rule
    held raise ``RuntimeError``: an executor that ran batches ahead must discard them, which
    is what makes parallel results equal to serial ones.
    """

    def __init__(self, stop: StopRule):
        if not isinstance(stop, StopRule):
            raise TypeError(f"stop: got {type(stop).__name__}; allowed: a StopRule")
        self.stop = stop
        self.counts: dict[str, int] = {key: 0 for key in REQUIRED_COUNTS}
        self.n_batches = 0
        self.stopped_by: str | None = None

    @property
    def done(self) -> bool:
        """Whether the point is finished (no further batch may be added)."""
        return self.stopped_by is not None

    def add(self, batch_index: int, counts: Mapping[str, int]) -> bool:
        """Add the counts of batch ``batch_index`` (must be the next index). Returns :attr:`done`.

        ``counts`` is validated as in :func:`run_batch` (required keys, non-negative integers,
        ``frames == stop.frames_in_batch(batch_index)``).
        """
        if self.done:
            raise RuntimeError(f"batch {batch_index}: point already stopped by {self.stopped_by} "
                               f"after {self.n_batches} batches")
        if batch_index != self.n_batches:
            raise ValueError(f"batch_index: got {batch_index}; batches must be added in order, "
                             f"expected {self.n_batches}")
        counts = _check_counts(counts, self.stop.frames_in_batch(batch_index))
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value
        self.n_batches += 1
        self.stopped_by = self.stop.reached(self.counts)
        return self.done

    def stop_for_time(self) -> None:
        """Mark the point finished because the wall-clock cap ran out."""
        if not self.done:
            self.stopped_by = "max_seconds"

    def result(self, *, confidence: float = 0.95, elapsed_s: float = 0.0,
               seed: int | None = None, point_index: int | None = None) -> PointResult:
        """The :class:`PointResult` of the batches added so far."""
        return PointResult.from_counts(self.counts, confidence=confidence, elapsed_s=elapsed_s,
                                       n_batches=self.n_batches, stopped_by=self.stopped_by,
                                       seed=seed, point_index=point_index)


def run_point(simulate_batch: Callable, *, seed: int, point_index: int = 0,
              stop: StopRule | None = None, confidence: float = 0.95,
              on_batch: Callable[[PointResult], None] | None = None) -> PointResult:
    """Simulate one sweep point serially until ``stop`` holds.

    Parameters
    ----------
    simulate_batch : callable ``(rng, n_frames) -> dict[str, int]``
        The system's batch simulator (see the module docstring for the contract).
    seed : int
        Root seed of the run (validated by :func:`linksim.random.check_seed`).
    point_index : int
        Index of this point in its sweep; selects the point's independent streams.
    stop : StopRule
        Stopping rule; ``StopRule()`` if omitted.
    confidence : float
        Level of the Clopper-Pearson intervals in the result.
    on_batch : callable ``(PointResult) -> None``, optional
        Called after every batch with the cumulative result so far (``stopped_by`` set on the
        last call), e.g. for a live display.

    Returns
    -------
    PointResult
        Sum of batches ``0 .. n_batches - 1``; identical for identical
        ``(simulate_batch, seed, point_index, stop)`` unless ``stop.max_seconds`` triggered.
    """
    if not callable(simulate_batch):
        raise TypeError(f"simulate_batch: got {simulate_batch!r}; allowed: a callable "
                        f"(rng, n_frames) -> dict of counts")
    seed = check_seed(seed)
    if isinstance(point_index, bool) or not isinstance(point_index, numbers.Integral) \
            or point_index < 0:
        raise ValueError(f"point_index: got {point_index!r}; allowed: a non-negative integer")
    point_index = int(point_index)
    stop = StopRule() if stop is None else stop
    if not isinstance(stop, StopRule):
        raise TypeError(f"stop: got {type(stop).__name__}; allowed: a StopRule")
    confidence = check_confidence(confidence)
    if on_batch is not None and not callable(on_batch):
        raise TypeError(f"on_batch: got {on_batch!r}; allowed: a callable or None")

    tally = PointTally(stop)
    t0 = time.perf_counter()
    while not tally.done:
        b = tally.n_batches
        counts = run_batch(simulate_batch, seed=seed, point_index=point_index,
                           batch_index=b, stop=stop)
        tally.add(b, counts)
        elapsed = time.perf_counter() - t0
        if stop.max_seconds is not None and elapsed >= stop.max_seconds:
            tally.stop_for_time()
        if on_batch is not None:
            on_batch(tally.result(confidence=confidence, elapsed_s=elapsed, seed=seed,
                                  point_index=point_index))
    return tally.result(confidence=confidence, elapsed_s=time.perf_counter() - t0, seed=seed,
                        point_index=point_index)
