"""Confidence intervals for error counts.

Two kinds of rate, two intervals:

* **Rates over frames** (BLER, CRC failures, a layer's erasures): frames are independent trials,
  so the count is binomial and the interval is the exact Clopper-Pearson interval, which never
  under-covers. At level ``1 - alpha``:

      lower = Beta.ppf(alpha/2, x, n - x + 1),  upper = Beta.ppf(1 - alpha/2, x + 1, n - x)

  with ``lower = 0`` at ``x = 0`` and ``upper = 1`` at ``x = n`` (:func:`clopper_pearson`).

* **Rates over units inside frames** (BER: bits of a frame): the units of one frame are not
  independent (a decoder failure flips many bits at once), so ``bit_errors`` is not binomial in
  ``bits`` and Clopper-Pearson on it is far too narrow (on a waterfall LDPC point the variance is
  ~80x the binomial one). Frames are the independent clusters. :func:`clustered_interval` is the
  Korn-Graubard interval (Korn & Graubard 1998, Survey Methodology 24(2):193-201): the
  Clopper-Pearson interval evaluated at an *effective* sample size

      n* = p(1 - p) / V,   x* = p n*,   p = Y / N,

  where ``V`` is the with-replacement variance estimate of the ratio estimator over the ``n``
  frames (cluster totals y_i of m = N / n units each; per-frame sums of squares give it
  exactly, see :func:`clustered_variance`), ``n*`` is capped at ``N`` (never narrower than the
  binomial) and scaled by ``(t_{N-1} / t_{n-1})^2`` for the degrees of freedom of ``V``. With
  ``Y = 0`` there is no variance to estimate; then ``n* = n`` frames, whose Clopper-Pearson
  upper limit bounds the frame error probability and so the unit error rate (BER <= P(frame has
  a bit error)) whatever the clustering.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import stats

__all__ = ["clopper_pearson", "check_confidence", "clustered_variance", "effective_counts",
           "clustered_interval", "frame_mean_ci", "mean_ci"]


def check_confidence(confidence) -> float:
    """Validate a confidence level; returns it as ``float`` in the open interval (0, 1)."""
    try:
        level = float(confidence)
    except (TypeError, ValueError):
        raise TypeError(f"confidence: got {confidence!r}; allowed: a number in (0, 1)") from None
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence: got {confidence!r}; allowed: a number in (0, 1), e.g. 0.95")
    return level


def clopper_pearson(errors, trials, confidence: float = 0.95):
    """Exact two-sided binomial confidence interval.

    Parameters
    ----------
    errors, trials : int or integer array (broadcast together)
        Number of events and of trials, ``0 <= errors <= trials``.
    confidence : float
        Two-sided level, e.g. 0.95 or 0.99.

    Returns
    -------
    (lower, upper) : float64 arrays (or floats for scalar input).
        With ``trials == 0`` the interval is the uninformative ``(0, 1)``.
    """
    level = check_confidence(confidence)
    x = np.asarray(errors, dtype=np.int64)
    n = np.asarray(trials, dtype=np.int64)
    if np.any(n < 0):
        raise ValueError(f"trials: got {trials!r}; allowed: non-negative integers")
    if np.any((x < 0) | (x > n)):
        raise ValueError(f"errors: got {errors!r} with trials {trials!r}; allowed: 0 <= errors <= trials")
    alpha = 1.0 - level
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(x > 0, stats.beta.ppf(alpha / 2, x, n - x + 1), 0.0)
        upper = np.where(x < n, stats.beta.ppf(1 - alpha / 2, x + 1, n - x), 1.0)
    lower = np.where(n > 0, lower, 0.0)
    upper = np.where(n > 0, upper, 1.0)
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper


def clustered_variance(total, units, sum_sq, clusters) -> float:
    """Variance estimate of the ratio ``p = total / units`` with clusters of equal size.

    ``clusters`` = n independent frames of m = units / n units each; frame i has y_i events,
    ``total`` = sum y_i and ``sum_sq`` = sum y_i^2. The per-unit rate of frame i is y_i / m and
    p is their mean, so (the usual with-replacement estimate, e.g. Cochran, Sampling Techniques,
    3rd ed., eq. 6.13 with equal cluster sizes)

        V = s^2 / (n m^2),   s^2 = (sum y_i^2 - (sum y_i)^2 / n) / (n - 1).

    Returns a float >= 0 (NaN for n < 2: one cluster carries no variance information).
    """
    y, m2, n, big_n = float(total), float(sum_sq), int(clusters), float(units)
    if n < 2 or big_n <= 0:
        return math.nan
    s2 = max(m2 - y * y / n, 0.0) / (n - 1)
    m = big_n / n
    return s2 / (n * m * m)


def effective_counts(total, units, sum_sq, clusters, confidence: float = 0.95
                     ) -> tuple[float, float]:
    """Korn-Graubard effective ``(x*, n*)`` of a clustered rate (module docstring).

    Parameters: ``total`` (Y, events), ``units`` (N, e.g. bits), ``sum_sq`` (sum over frames of
    the per-frame event count squared), ``clusters`` (n, frames), all non-negative integers with
    ``Y <= N`` and ``(Y^2)/n <= sum_sq <= (N/n) Y`` (what per-frame counts can give).

    Returns float ``(x*, n*)`` with ``0 <= x* <= n* <= N``; ``(0, n)`` when ``Y = 0``; ``n* = N``
    (the binomial case) when the frames show no excess variance. For n < 2 there is no interval:
    ``(nan, nan)``.
    """
    level = check_confidence(confidence)
    y, big_n, n, sq = int(total), int(units), int(clusters), int(sum_sq)
    if min(y, big_n, n, sq) < 0 or y > big_n:
        raise ValueError(f"clustered counts: got total={total!r}, units={units!r}, "
                         f"sum_sq={sum_sq!r}, clusters={clusters!r}; allowed: non-negative "
                         f"integers with total <= units")
    # Per-frame counts bound the sum of squares: sum y_i^2 >= (sum y_i)^2 / n (Cauchy-Schwarz)
    # and <= m sum y_i (each y_i <= m). Anything else is not a sum of per-frame squares.
    if n > 0 and big_n > 0 and not (y * y <= sq * n and sq * n <= big_n * y):
        raise ValueError(f"sum_sq: got {sum_sq!r} with total={total!r}, units={units!r}, "
                         f"clusters={clusters!r}; allowed: total^2/clusters <= sum_sq <= "
                         f"total*units/clusters (a sum of per-frame squared counts)")
    if n < 2:
        return math.nan, math.nan
    if y == 0:
        return 0.0, float(n)
    p = y / big_n
    variance = clustered_variance(y, big_n, sq, n)
    n_eff = float(big_n) if variance <= 0.0 else min(float(big_n), p * (1.0 - p) / variance)
    if p == 1.0:
        n_eff = float(big_n)
    alpha = 1.0 - level
    # Degrees of freedom: V is estimated from n clusters, not from N units.
    ratio = stats.t.ppf(1 - alpha / 2, max(big_n - 1, 1)) / stats.t.ppf(1 - alpha / 2, n - 1)
    n_eff = min(float(big_n), n_eff * ratio * ratio)
    return p * n_eff, n_eff


def clustered_interval(total, units, sum_sq, clusters, confidence: float = 0.95
                       ) -> tuple[float, float]:
    """Two-sided Korn-Graubard interval of a rate over units clustered in frames.

    Clopper-Pearson's Beta quantiles at the effective counts of :func:`effective_counts`
    (real-valued x*, n*): ``lower = Beta.ppf(alpha/2, x*, n* - x* + 1)`` (0 at Y = 0),
    ``upper = Beta.ppf(1 - alpha/2, x* + 1, n* - x*)`` (1 at Y = N). Fewer than two frames give
    the uninformative ``(0, 1)``. Returns floats.
    """
    level = check_confidence(confidence)
    x_eff, n_eff = effective_counts(total, units, sum_sq, clusters, level)
    if not math.isfinite(n_eff):
        return 0.0, 1.0
    alpha = 1.0 - level
    lower = 0.0 if int(total) == 0 else float(stats.beta.ppf(alpha / 2, x_eff, n_eff - x_eff + 1))
    upper = 1.0 if int(total) == int(units) else float(
        stats.beta.ppf(1 - alpha / 2, x_eff + 1, n_eff - x_eff))
    return lower, upper


def frame_mean_ci(total: int, total_sq: int, frames: int, per_frame_units: float,
                  confidence: float = 0.99):
    """Mean per unit of a per-frame sum, and its interval, from independent frames.

    ``total`` and ``total_sq`` are the sums over frames of the per-frame value ``y_f`` and of
    ``y_f^2``; every frame has ``per_frame_units`` units. The interval is the normal one for a
    mean of ``frames`` independent values (the frames are independent trials), scaled to a
    unit.

    Returns
    -------
    (mean, lo, hi) : floats, or None with fewer than two frames
    """
    if frames < 2:
        return None
    mean_f = total / frames
    var_f = max(total_sq - total * total / frames, 0.0) / (frames - 1)
    half = stats.norm.ppf(0.5 + confidence / 2) * math.sqrt(var_f / frames)
    return (float(mean_f / per_frame_units), float((mean_f - half) / per_frame_units),
            float((mean_f + half) / per_frame_units))


def mean_ci(values, confidence: float = 0.95) -> tuple[float, float]:
    """Mean of independent draws and the half-width of its two-sided Student-t interval.

    Input
    -----
    values : float [n]

    Output
    ------
    mean, half : float
        ``half`` is NaN for n < 2.
    """
    v = np.asarray(values, float)
    if v.size < 2:
        return float(v.mean()), math.nan
    t = stats.t.ppf(0.5 + confidence / 2, v.size - 1)
    return float(v.mean()), float(t * v.std(ddof=1) / math.sqrt(v.size))
