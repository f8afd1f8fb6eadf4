"""Argument checks, public: one wording for "parameter: got X; allowed: Y", used by every module
and available to system packages outside linksim."""

from __future__ import annotations

import math
import numbers

__all__ = ["check_choice", "check_int", "check_real"]


def check_choice(name: str, value, allowed) -> str:
    """``value`` as the lower-case member of ``allowed`` it names (case-insensitive).

    ``TypeError`` for a non-string, ``ValueError`` for an unknown name; both messages name the
    parameter, the value and the allowed names.
    """
    allowed = tuple(allowed)
    if not isinstance(value, str):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; "
                        f"allowed: one of {', '.join(allowed)}")
    key = value.lower()
    if key not in allowed:
        raise ValueError(f"{name}: got {value!r}; allowed: one of {', '.join(allowed)} "
                         f"(case-insensitive)")
    return key


def check_int(name: str, value, lo: int, hi: int | None = None) -> int:
    """``value`` as an ``int`` in ``[lo, hi]`` (``hi`` None: no upper bound).

    ``TypeError`` for a non-integer (booleans included), ``ValueError`` outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: got {value!r}; allowed: an integer >= {lo}")
    if value < lo or (hi is not None and value > hi):
        span = f"in [{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise ValueError(f"{name}: got {value}; allowed: an integer {span}")
    return int(value)


def check_real(name: str, value, lo: float | None = None, hi: float | None = None,
               strict_lo: bool = False) -> float:
    """``value`` as a finite ``float`` with ``lo <= value <= hi`` (``lo < value`` with
    ``strict_lo``; None: unbounded on that side).

    ``TypeError`` for a non-number, a boolean or a non-finite value, ``ValueError`` outside
    the range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real) \
            or not math.isfinite(float(value)):
        raise TypeError(f"{name}: got {value!r}; allowed: a finite real number")
    v = float(value)
    if (lo is not None and (v < lo or (strict_lo and v == lo))) or (hi is not None and v > hi):
        lo_txt = "" if lo is None else ("> " if strict_lo else ">= ") + f"{lo}"
        hi_txt = "" if hi is None else f"<= {hi}"
        raise ValueError(f"{name}: got {value!r}; allowed: a number "
                         f"{' and '.join(t for t in (lo_txt, hi_txt) if t)}")
    return v
