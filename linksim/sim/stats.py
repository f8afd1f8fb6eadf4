"""Confidence intervals for error counts.

Every measured rate in linksim is a binomial proportion (errors out of trials). Intervals are
exact Clopper-Pearson intervals, which never under-cover; the two-sided interval at level
``1 - alpha`` is built from Beta quantiles:

    lower = Beta.ppf(alpha/2, x, n - x + 1),  upper = Beta.ppf(1 - alpha/2, x + 1, n - x)

with ``lower = 0`` at ``x = 0`` and ``upper = 1`` at ``x = n``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["clopper_pearson", "check_confidence"]


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
