"""Measured-vs-predicted checks with statistical verdicts.

A measured rate is a binomial proportion ``errors / trials``. :func:`check` holds it against a
predicted probability with an exact binomial test and returns a :class:`Verdict`:

* ``kind="estimate"`` -- the prediction claims to *be* the probability (e.g. a normal
  approximation). Two-sided exact test; the verdict comes from the two-sided Clopper-Pearson
  interval at ``confidence``: "consistent" if the prediction lies inside it, otherwise
  "significantly above" (measured rate above the prediction) or "significantly below".
* ``kind="lower_bound"`` -- the true probability cannot be below the prediction (e.g. the
  minimum error probability of any code from the metaconverse). "violates bound" if the
  measured rate is significantly *below* it, "consistent" otherwise.
* ``kind="upper_bound"`` -- the true probability cannot exceed the prediction (e.g. an
  achievability bound, an RCU bound). "violates bound" if significantly *above*.

A rate over units inside frames (BER) is not binomial in its units: :func:`check_clustered`
gives the same verdicts from the Korn-Graubard effective counts (frames as clusters,
:mod:`linksim.sim.stats`).

:func:`gap_db` measures the horizontal distance (dB) between a measured and a predicted error
curve at a target error rate.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass

import numpy as np
from scipy import special, stats

from linksim.sim.stats import (check_confidence, clopper_pearson, clustered_interval,
                               effective_counts)

__all__ = ["VERDICTS", "KINDS", "Verdict", "check", "check_clustered", "gap_db", "snr_at"]

VERDICTS = ("consistent", "significantly above", "significantly below", "violates bound")
KINDS = ("estimate", "lower_bound", "upper_bound")


@dataclass(frozen=True)
class Verdict:
    """Outcome of :func:`check`.

    Attributes
    ----------
    verdict : str        one of :data:`VERDICTS`.
    measured : float     errors / trials.
    interval : (float, float)
        The confidence interval the verdict was read from: the two-sided Clopper-Pearson interval
        at ``confidence`` for ``kind="estimate"``; the one-sided exact interval
        ``(0, upper)`` for ``"lower_bound"`` and ``(lower, 1)`` for ``"upper_bound"``, each at
        level ``confidence`` (see :func:`check`).
    predicted : float    the prediction it was held against.
    predicted_se : float
        The prediction's own standard error (0: taken as exact), see :func:`check`.
    p_value : float      exact binomial p-value (two-sided for estimates, one-sided for bounds).
    confidence : float   the level used.
    kind : str          one of :data:`KINDS`.
    """

    verdict: str
    measured: float
    interval: tuple[float, float]
    predicted: float
    p_value: float
    confidence: float
    kind: str
    predicted_se: float = 0.0

    def to_dict(self) -> dict:
        """Plain JSON-ready dict of the fields (``interval`` as a 2-element list)."""
        d = asdict(self)
        d["interval"] = [float(self.interval[0]), float(self.interval[1])]
        return d


def _count(name: str, value) -> int:
    """An integer count (Python or NumPy integer, or an integral float); else TypeError."""
    if isinstance(value, bool):
        raise TypeError(f"{name}: got {value!r}; allowed: a non-negative integer count")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        return int(value)
    raise TypeError(f"{name}: got {value!r} ({type(value).__name__}); allowed: a non-negative "
                    f"integer count")


def check(errors: int, trials: int, predicted: float, *, kind: str = "estimate",
          confidence: float = 0.99, predicted_se: float = 0.0) -> Verdict:
    """Verdict of ``errors`` out of ``trials`` against a predicted probability.

    Let k = errors, n = trials, p0 = predicted, alpha = 1 - confidence.

    ``kind="estimate"``: p-value of the two-sided exact binomial test of H0: p = p0
    (``scipy.stats.binomtest(k, n, p0).pvalue``, "two-sided", i.e. the sum of the probabilities
    of outcomes no more likely than k). The verdict is read from the two-sided Clopper-Pearson
    interval [L, U] at ``confidence`` (:func:`linksim.sim.stats.clopper_pearson`): "consistent" if
    L <= p0 <= U, "significantly above" if p0 < L, "significantly below" if p0 > U. (The CP
    interval is the equal-tailed inversion, so it matches the test with doubled one-sided
    p-values; the reported binomtest p-value can differ slightly from that near the edge.)

    ``kind="lower_bound"`` (truth p >= p0): one-sided exact test of H0: p >= p0 against p < p0,
    p-value = P[X <= k | n, p0] (``binomtest(..., alternative="less")``). "violates bound" iff
    p-value < alpha. Equivalently, p0 lies above the one-sided upper Clopper-Pearson limit
    U = Beta.ppf(confidence; k + 1, n - k) (U = 1 at k = n), which is the upper end of the
    two-sided CP interval at level 1 - 2 alpha; ``interval`` is (0, U).

    ``kind="upper_bound"`` (truth p <= p0): p-value = P[X >= k | n, p0]
    (``alternative="greater"``); "violates bound" iff p-value < alpha, equivalently p0 is below
    L = Beta.ppf(alpha; k, n - k + 1) (L = 0 at k = 0); ``interval`` is (L, 1).

    Edge cases: p0 = 0 with k > 0 (or p0 = 1 with k < n) is impossible under H0: the p-value is 0
    and the verdict "significantly above" ("below"), or "violates bound" for the bound that
    forbids it; p0 = 0 with k = 0 (p0 = 1 with k = n) is "consistent" with p-value 1.

    A prediction with its own uncertainty (``predicted_se`` > 0, e.g. a model interpolated from
    a finite calibration run, independent of the measurement) is a two-sample comparison: the
    measured side's half-width is the Clopper-Pearson one on the side facing p0 (h_m = k/n - L
    or U - k/n), the prediction's is h_p = z se with z the normal quantile of the two-sided
    level, and the verdict is "consistent" iff |k/n - p0| <= sqrt(h_m^2 + h_p^2) (for normal
    estimates this is the two-sample z test at ``confidence``; with se = 0 it is the CP rule
    above). The p-value is then the two-sided normal one of that combined test, with the
    measured standard error h_m / z. Only for ``kind="estimate"``.

    Parameters
    ----------
    errors : int, 0 <= errors <= trials.
    trials : int >= 1.
    predicted : float in [0, 1].
    kind : "estimate" | "lower_bound" | "upper_bound".
    confidence : float in (0, 1), e.g. 0.99.
    predicted_se : float >= 0, the prediction's standard error (default 0: exact).

    Returns
    -------
    Verdict

    Raises
    ------
    TypeError for non-integer counts or non-numeric predicted/confidence, ValueError for counts
    or values out of range or an unknown ``kind``.
    """
    k = _count("errors", errors)
    n = _count("trials", trials)
    if n < 1:
        raise ValueError(f"trials: got {trials!r}; allowed: an integer >= 1")
    if not 0 <= k <= n:
        raise ValueError(f"errors: got {errors!r} with trials {trials!r}; allowed: "
                         f"0 <= errors <= trials")
    if isinstance(predicted, bool) or not isinstance(predicted, numbers.Real):
        raise TypeError(f"predicted: got {predicted!r}; allowed: a probability in [0, 1]")
    p0 = float(predicted)
    if not 0.0 <= p0 <= 1.0:  # also rejects NaN
        raise ValueError(f"predicted: got {predicted!r}; allowed: a probability in [0, 1]")
    if isinstance(confidence, bool):
        raise TypeError(f"confidence: got {confidence!r}; allowed: a number in (0, 1)")
    level = check_confidence(confidence)
    if not isinstance(kind, str):
        raise TypeError(f"kind: got {kind!r}; allowed: one of {', '.join(KINDS)}")
    if kind not in KINDS:
        raise ValueError(f"kind: got {kind!r}; allowed: one of {', '.join(KINDS)}")
    alpha = 1.0 - level
    measured = k / n
    se_p = _predicted_se(predicted_se, kind)

    if kind == "estimate" and se_p > 0:
        lo, hi = clopper_pearson(k, n, level)
        z = float(stats.norm.ppf(0.5 + level / 2))
        h_m = (measured - lo) if p0 < measured else (hi - measured)
        combined = math.hypot(h_m, z * se_p)
        p_value = float(2 * stats.norm.sf(abs(measured - p0) / (combined / z))) \
            if combined > 0 else float(measured == p0)
        verdict = ("consistent" if abs(measured - p0) <= combined else
                   "significantly above" if p0 < measured else "significantly below")
        interval = (float(lo), float(hi))
    elif kind == "estimate":
        lo, hi = clopper_pearson(k, n, level)
        p_value = float(stats.binomtest(k, n, p0, alternative="two-sided").pvalue)
        if p0 < lo:
            verdict = "significantly above"
        elif p0 > hi:
            verdict = "significantly below"
        else:
            verdict = "consistent"
        interval = (float(lo), float(hi))
    elif kind == "lower_bound":
        p_value = float(stats.binomtest(k, n, p0, alternative="less").pvalue)
        if level > 0.5:  # the upper end of the two-sided CP interval at level 1 - 2 alpha
            upper = float(clopper_pearson(k, n, 1.0 - 2.0 * alpha)[1])
        else:
            upper = 1.0 if k == n else float(stats.beta.ppf(level, k + 1, n - k))
        verdict = "violates bound" if p_value < alpha else "consistent"
        interval = (0.0, upper)
    else:
        p_value = float(stats.binomtest(k, n, p0, alternative="greater").pvalue)
        if level > 0.5:
            lower = float(clopper_pearson(k, n, 1.0 - 2.0 * alpha)[0])
        else:
            lower = 0.0 if k == 0 else float(stats.beta.ppf(alpha, k, n - k + 1))
        verdict = "violates bound" if p_value < alpha else "consistent"
        interval = (lower, 1.0)
    return Verdict(verdict=verdict, measured=measured, interval=interval, predicted=p0,
                   p_value=min(max(p_value, 0.0), 1.0), confidence=level, kind=kind,
                   predicted_se=se_p)


def _predicted_se(value, kind: str) -> float:
    """A prediction's standard error: a finite real >= 0, and > 0 only for an estimate."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not (math.isfinite(value) and value >= 0):
        raise ValueError(f"predicted_se: got {value!r}; allowed: a finite number >= 0")
    if value > 0 and kind != "estimate":
        raise ValueError(f"predicted_se: got {value!r} for kind {kind!r}; allowed: 0 (a "
                         f"bound has no standard error)")
    return float(value)


def check_clustered(total: int, units: int, sum_sq: int, frames: int, predicted: float, *,
                    kind: str = "estimate", confidence: float = 0.99) -> Verdict:
    """Verdict of a rate over units clustered in frames (BER) against a predicted probability.

    ``total`` events in ``units`` units spread evenly over ``frames`` independent frames, with
    ``sum_sq`` the sum over frames of the per-frame event count squared. The binomial test of
    :func:`check` is applied to the Korn-Graubard effective counts ``(x*, n*)``
    (:func:`linksim.sim.stats.effective_counts`), with the binomial CDF continued to real
    arguments through the regularized incomplete beta function,

        P[X <= x*] = I_{1-p0}(n* - x*, x* + 1),   P[X >= x*] = I_{p0}(x*, n* - x* + 1),

    which are exactly the tails whose inversion gives the Korn-Graubard (Clopper-Pearson-form)
    limits, so verdict and p-value agree. ``kind="estimate"``: two-sided p-value
    ``min(1, 2 min(tails))``, verdict from the two-sided interval; ``"lower_bound"``: p-value
    ``P[X <= x*]``; ``"upper_bound"``: ``P[X >= x*]``; "violates bound" iff p-value < 1 -
    confidence. Fewer than two frames (no variance estimate) give "consistent" with p-value 1.
    """
    y, big_n, sq, n = (_count(name, v) for name, v in (("total", total), ("units", units),
                                                       ("sum_sq", sum_sq), ("frames", frames)))
    if big_n < 1:
        raise ValueError(f"units: got {units!r}; allowed: an integer >= 1")
    if isinstance(predicted, bool) or not isinstance(predicted, numbers.Real):
        raise TypeError(f"predicted: got {predicted!r}; allowed: a probability in [0, 1]")
    p0 = float(predicted)
    if not 0.0 <= p0 <= 1.0:
        raise ValueError(f"predicted: got {predicted!r}; allowed: a probability in [0, 1]")
    if kind not in KINDS:
        raise ValueError(f"kind: got {kind!r}; allowed: one of {', '.join(KINDS)}")
    level = check_confidence(confidence)
    alpha = 1.0 - level
    x_eff, n_eff = effective_counts(y, big_n, sq, n, level)
    measured = y / big_n
    if not math.isfinite(n_eff):
        return Verdict("consistent", measured, (0.0, 1.0), p0, 1.0, level, kind)
    if x_eff <= 0.0:
        p_le, p_ge = (1.0 - p0) ** n_eff, 1.0
    elif x_eff >= n_eff:
        p_le, p_ge = 1.0, p0 ** n_eff
    else:
        p_le = 1.0 if p0 == 0.0 else float(special.betainc(n_eff - x_eff, x_eff + 1, 1.0 - p0))
        p_ge = 0.0 if p0 == 0.0 else float(special.betainc(x_eff, n_eff - x_eff + 1, p0))
    if kind == "estimate":
        lo, hi = clustered_interval(y, big_n, sq, n, level)
        p_value = min(1.0, 2.0 * min(p_le, p_ge))
        verdict = ("significantly above" if p0 < lo else
                   "significantly below" if p0 > hi else "consistent")
        interval = (lo, hi)
    else:
        one_sided = clustered_interval(y, big_n, sq, n, 1.0 - 2.0 * alpha) if level > 0.5 \
            else (0.0, 1.0)
        p_value = p_le if kind == "lower_bound" else p_ge
        verdict = "violates bound" if p_value < alpha else "consistent"
        interval = (0.0, one_sided[1]) if kind == "lower_bound" else (one_sided[0], 1.0)
    return Verdict(verdict=verdict, measured=measured, interval=(float(interval[0]),
                   float(interval[1])), predicted=p0, p_value=min(max(p_value, 0.0), 1.0),
                   confidence=level, kind=kind)


def _snr_at(name: str, snr_db, rate, target: float) -> float:
    """SNR (dB) where a BLER curve crosses ``target``, log-linear interpolation (see gap_db)."""
    try:
        x = np.asarray(snr_db, dtype=np.float64).ravel()
        y = np.asarray(rate, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise TypeError(f"{name}: got non-numeric curve data; allowed: 1-D arrays of SNR (dB) "
                        f"and error rates") from None
    if x.shape != y.shape:
        raise ValueError(f"{name}: SNR grid has {x.size} points but the error rates {y.size}; "
                         f"allowed: equal lengths")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError(f"{name}: got NaN/inf values; allowed: finite SNR (dB) and rates")
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"{name}: error rates {y.tolist()}; allowed: values in [0, 1]")
    keep = y > 0  # zero-error points have no log; they are left out
    x, y = x[keep], y[keep]
    order = np.argsort(x, kind="stable")
    x, ly = x[order], np.log10(y[order])
    if x.size < 2:
        raise ValueError(f"{name}: {x.size} point(s) with a positive error rate; allowed: at "
                         f"least 2 to interpolate")
    lt = math.log10(target)
    if not ly.min() <= lt <= ly.max():
        raise ValueError(f"target: got {target!r}; allowed: within the {name} curve's range "
                         f"[{10 ** ly.min():.3g}, {10 ** ly.max():.3g}]")
    for i in range(x.size - 1):  # first crossing, sweeping up in SNR
        a, b = ly[i], ly[i + 1]
        if a == lt:
            return float(x[i])
        if (a - lt) * (b - lt) < 0:
            return float(x[i] + (lt - a) * (x[i + 1] - x[i]) / (b - a))
    return float(x[-1])  # lt equals the last point


def snr_at(snr_db, rate, target: float) -> float:
    """SNR (dB) where an error-rate curve first crosses ``target``, sweeping up in SNR: the
    interpolation of :func:`gap_db` (linear in log10 rate, zero-rate points left out).

    Parameters
    ----------
    snr_db, rate : 1-D arrays of equal length, the curve (rates in [0, 1]).
    target : float in (0, 1].

    Returns
    -------
    float, the SNR in dB.

    Raises
    ------
    ValueError or TypeError as :func:`gap_db`.
    """
    if isinstance(target, bool) or not isinstance(target, numbers.Real) \
            or not 0.0 < float(target) <= 1.0:
        raise ValueError(f"target: got {target!r}; allowed: an error rate in (0, 1]")
    return _snr_at("curve", snr_db, rate, float(target))


def gap_db(snr_db, measured_rate, predicted_curve_snr_db, predicted_curve, target) -> float:
    """Horizontal gap (dB) between a measured and a predicted error-rate curve at ``target``.

    Each curve is interpolated linearly in log10(error rate) versus SNR in dB (straight lines on
    the usual semilog BLER plot) and the first SNR (sweeping upwards) where it crosses ``target``
    is taken. Points with a zero error rate are left out (no logarithm). Returns::

        gap = snr_measured(target) - snr_predicted(target)

    positive when the measured curve needs more SNR than the prediction (e.g. the loss of a real
    decoder against the normal approximation).

    Parameters
    ----------
    snr_db, measured_rate : 1-D arrays of equal length, the measured curve.
    predicted_curve_snr_db, predicted_curve : 1-D arrays of equal length, the predicted curve.
    target : float in (0, 1], the error rate at which to measure the gap (e.g. 1e-3).

    Returns
    -------
    float, the gap in dB.

    Raises
    ------
    ValueError if ``target`` lies outside either curve's range of positive error rates, a curve has
    fewer than 2 positive points, lengths differ, or values are out of range;
    TypeError for non-numeric input.
    """
    if isinstance(target, bool) or not isinstance(target, numbers.Real):
        raise TypeError(f"target: got {target!r}; allowed: an error rate in (0, 1]")
    t = float(target)
    if not 0.0 < t <= 1.0:
        raise ValueError(f"target: got {target!r}; allowed: an error rate in (0, 1]")
    measured = _snr_at("measured", snr_db, measured_rate, t)
    predicted = _snr_at("predicted", predicted_curve_snr_db, predicted_curve, t)
    return measured - predicted


def curve_gaps(scenario: dict, rows: list, targets=(1e-2, 1e-3)) -> list[dict]:
    """Gaps (dB) between each measured curve and each *estimate* prediction drawn against it.

    ``scenario`` is ``Scenario.to_dict()``, ``rows`` the runner's report rows. Points are
    grouped into the curves of the figures (:func:`linksim.series.series_axes`, e.g. one per
    code length); within a series, for each prediction of kind "estimate" and each target rate, the
    gap is :func:`gap_db` of the measured metric and the predicted values along x. Returns
    ``[{"series", "metric", "prediction", "target", "gap_db"}]``; ``gap_db`` is None where a
    curve does not cross the target.
    """
    from linksim.series import series_axes, split
    x = scenario["x"]
    others = series_axes(scenario, rows, x)
    series = split(rows, others)
    out = []
    for key, members in series.items():
        names = {name: pred.get("metric") for row in members
                 for name, pred in (row.get("predictions") or {}).items()
                 if isinstance(pred, dict) and pred.get("kind") == "estimate"}
        for name, metric in sorted(names.items()):
            xs, measured, predicted = [], [], []
            for row in members:
                value = (row.get("metrics") or {}).get(metric, {}).get("value")
                pred = row["predictions"].get(name, {}).get("value")
                if value is not None and pred is not None:
                    xs.append(float(row["axes"][x]))
                    measured.append(value)
                    predicted.append(pred)
            for target in targets:
                try:
                    gap = float(gap_db(xs, measured, xs, predicted, target))
                except ValueError:
                    gap = None
                out.append({"series": dict(zip(others, key)), "metric": metric,
                            "prediction": name, "target": float(target), "gap_db": gap})
    return out
