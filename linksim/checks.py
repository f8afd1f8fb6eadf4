"""Argument checks, public: one wording for "parameter: got X; allowed: Y", used by every module
and available to system packages outside linksim."""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_bool", "check_choice", "check_count", "check_int", "check_real", "check_rng",
           "check_real_array", "int_allowed", "is_int", "is_real"]


def check_choice(name: str, value, allowed, none_ok: bool = False) -> str | None:
    """``value`` as the member of ``allowed`` it names, matched case-insensitively and returned
    as spelled in ``allowed`` (``"QPSK"`` -> ``"qpsk"``, ``"crc24a"`` -> ``"CRC24A"``); with
    ``none_ok``, None is allowed too (and returned).

    ``TypeError`` for a non-string, ``ValueError`` for an unknown name; both messages name the
    parameter, the value and the allowed names.
    """
    allowed = tuple(allowed)
    words = f"one of {', '.join(allowed)}" + (" or None" if none_ok else "")
    if value is None and none_ok:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; "
                        f"allowed: {words}")
    spelled = {a.lower(): a for a in allowed}
    key = value.lower()
    if key not in spelled:
        raise ValueError(f"{name}: got {value!r}; allowed: {words} (case-insensitive)")
    return spelled[key]


def is_real(value) -> bool:
    """A real number, booleans excluded (they are ``numbers.Integral``)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def is_int(value) -> bool:
    """An integer, booleans excluded."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def int_allowed(lo: int | None, hi: int | None = None) -> str:
    """The words for "an integer in [lo, hi]" (None: unbounded on that side)."""
    if lo is not None and hi is not None:
        return f"an integer in [{lo}, {hi}]"
    if lo is not None:
        return f"an integer >= {lo}"
    return f"an integer <= {hi}" if hi is not None else "an integer"


def check_int(name: str, value, lo: int | None, hi: int | None = None, why: str = "") -> int:
    """``value`` as an ``int`` in ``[lo, hi]`` (None: no bound on that side); ``why``, if
    given, is added to the message in parentheses (e.g. "5G NR code block sizes").

    ``TypeError`` for a non-integer (booleans included; numpy integers are integers),
    ``ValueError`` outside the range.
    """
    allowed = int_allowed(lo, hi) + (f" ({why})" if why else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; "
                        f"allowed: {allowed}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValueError(f"{name}: got {value}; allowed: {allowed}")
    return int(value)


def check_count(name: str, value) -> int:
    """``value`` as a positive ``int``; an integral float (``1e6``) is accepted, as a count
    is often written that way. ``TypeError`` for a non-number, ``ValueError`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; "
                        f"allowed: a positive integer")
    if not isinstance(value, numbers.Integral):
        fvalue = float(value)
        if not math.isfinite(fvalue) or fvalue != math.floor(fvalue):
            raise ValueError(f"{name}: got {value!r}; allowed: a positive integer "
                             f"(a float such as 1e6 only if it is integral)")
    if value < 1:
        raise ValueError(f"{name}: got {value!r}; allowed: a positive integer")
    return int(value)


def check_real_array(name: str, value, *, lo: float | None = None, lo_open: bool = False,
                     hi: float | None = None, hi_open: bool = False, integer: bool = False,
                     allowed: str) -> np.ndarray:
    """``value`` (a real number or array) as a float64 array with every element in the range
    (``lo``/``hi`` None: unbounded; ``*_open``: strict), integral with ``integer``, not NaN.

    ``TypeError`` for non-numeric input (strings, None, booleans, complex), ``ValueError``
    naming the first offending element otherwise; ``allowed`` words the rule.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name}: got {value!r}; allowed: {allowed}")
    try:
        arr = np.asarray(value)
    except Exception:  # pragma: no cover - exotic objects
        raise TypeError(f"{name}: got {value!r}; allowed: {allowed}") from None
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name}: got {value!r} (dtype {arr.dtype}); allowed: {allowed}")
    arr = arr.astype(np.float64)
    bad = np.isnan(arr)
    if lo is not None:
        bad |= (arr <= lo) if lo_open else (arr < lo)
    if hi is not None:
        bad |= (arr >= hi) if hi_open else (arr > hi)
    if integer:
        bad |= ~np.isfinite(arr) | (arr != np.round(arr))
    if np.any(bad):
        shown = arr[bad].flat[0] if arr.ndim else float(arr)
        raise ValueError(f"{name}: got {value!r} (offending value {shown!r}); allowed: {allowed}")
    return arr


def check_rng(rng) -> np.random.Generator:
    """``rng`` if it is a ``numpy.random.Generator``; ``TypeError`` otherwise."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: got {type(rng).__name__}; allowed: a numpy.random.Generator "
                        "(e.g. linksim.random.batch_rng(root_seed, point_index, batch_index))")
    return rng


def check_bool(name: str, value) -> bool:
    """``value`` as a ``bool``; ``TypeError`` for anything but True/False (numpy's too)."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: got {value!r}; allowed: true or false")
    return bool(value)


def check_real(name: str, value, lo: float | None = None, hi: float | None = None,
               strict_lo: bool = False) -> float:
    """``value`` as a finite ``float`` with ``lo <= value <= hi`` (``lo < value`` with
    ``strict_lo``; None: unbounded on that side).

    ``TypeError`` for a non-number or a boolean, ``ValueError`` for a non-finite value or one
    outside the range.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; allowed: a "
                        f"finite real number")
    if not math.isfinite(float(value)):
        raise ValueError(f"{name}: got {value!r}; allowed: a finite real number")
    v = float(value)
    if (lo is not None and (v < lo or (strict_lo and v == lo))) or (hi is not None and v > hi):
        lo_txt = "" if lo is None else ("> " if strict_lo else ">= ") + f"{lo}"
        hi_txt = "" if hi is None else f"<= {hi}"
        raise ValueError(f"{name}: got {value!r}; allowed: a number "
                         f"{' and '.join(t for t in (lo_txt, hi_txt) if t)}")
    return v
