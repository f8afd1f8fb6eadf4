"""Numerical limits: values a system would accept but that cannot be simulated (the noise
variance under- or overflows) or that would exhaust memory or time on a typo.

They are checked per point, before the system builds it (:mod:`linksim.scenario.points`), and
reported where the value was written, like the system's own checks. The public helpers
(:func:`db_problem`, :func:`value_limit`, :func:`max_batch_frames`,
:func:`batch_memory_problem`) serve the command line's own arguments too.
"""

from __future__ import annotations

from typing import Any, Mapping

from linksim.scenario.fields import _float, _is_real, _show

#: Largest |value| of a parameter in dB (a name ending in ``_db``: Eb/N0, channel gains).
#: 10**(300/10) = 1e30, so N0 = 1 / (10**(Eb/N0 / 10) m r) stays in [1e-31, 1e31], its square
#: root (the noise amplitude) in [3e-16, 4e15], and LLRs of order 4/N0 far below the float32
#: limit 3.4e38; at 3100 dB 10**310 is inf and N0 is 0 (the run fails), at -3100 dB N0 is inf.
#: No link comes near: even deep-space links work within about +-200 dB.
DB_LIMIT = 300.0
#: Memory budget of one batch of a simulation system. A batch's arrays are estimated at
#: BYTES_PER_FRAME_BIT bytes per code bit per frame (measured peaks: 40-70 bytes for the coded
#: link and the PLD link; symbols as complex128, LLRs and decoder messages), so the largest
#: batch, min(batch_size, max_frames), is bounded by MAX_BATCH_BYTES / (bytes per frame):
#: about 1300 frames of the longest 5G LDPC code (n = 25344), 260000 frames of n = 128. The
#: budget is fixed, not this machine's memory, so that a scenario valid here is valid anywhere.
MAX_BATCH_BYTES = 4 * 2**30
BYTES_PER_FRAME_BIT = 128


# ----------------------------------------------------------------------------- batch memory

def _bytes_text(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def max_batch_frames(frame_bits: int) -> int:
    """Most frames of ``frame_bits`` code bits one batch may hold (0: not even one fits)."""
    return MAX_BATCH_BYTES // (BYTES_PER_FRAME_BIT * max(1, int(frame_bits)))


def batch_memory_problem(frames: int, frame_bits: int) -> str | None:
    """``"got ...; allowed: ..."`` when a batch of ``frames`` frames of ``frame_bits`` code bits
    exceeds :data:`MAX_BATCH_BYTES` (None when it fits)."""
    most = max_batch_frames(frame_bits)
    if frames <= most:
        return None
    need = _bytes_text(float(frames) * frame_bits * BYTES_PER_FRAME_BIT)
    rule = (f"the arrays of one batch, estimated at {BYTES_PER_FRAME_BIT} bytes per code bit "
            f"per frame, must fit in {_bytes_text(MAX_BATCH_BYTES)}")
    if most == 0:
        return (f"got frames of {frame_bits} code bits, about {need} for a batch of {frames}; "
                f"allowed: frames of at most {MAX_BATCH_BYTES // BYTES_PER_FRAME_BIT} code "
                f"bits ({rule})")
    return (f"got batches of {frames} frames of {frame_bits} code bits, about {need}; allowed: "
            f"at most {most} frames per batch at this frame size ({rule})")


def db_problem(value, what: str = "a value") -> str | None:
    """``"got ...; allowed: ..."`` when ``value`` (a number, in dB) is outside +-DB_LIMIT."""
    if _is_real(value) and not abs(_float(value)) <= DB_LIMIT:
        return (f"got {_show(value)}; allowed: {what} in [-{DB_LIMIT:g}, {DB_LIMIT:g}] dB (beyond, "
                f"10^(x/10) and the noise variance leave the range where float64/float32 "
                f"arithmetic keeps them finite and nonzero)")
    return None


def _system_limit(system: str, params: Mapping[str, Any]) -> tuple[str, str] | None:
    """(parameter, ``"got ...; allowed: ..."``) for the first of the system's own limits
    (``SystemSpec.limits``) these parameters break; None when none is broken."""
    from linksim.systems import SYSTEMS
    spec = SYSTEMS[system] if system in SYSTEMS else None
    found = spec.limits(params) if spec is not None and spec.limits is not None else None
    if found is None:
        return None
    return found.name, (f"got {_show(params[found.name])}{found.detail}; "
                        f"allowed: {found.allowed}")


def value_limit(system: str, name: str, value) -> str | None:
    """``"got ...; allowed: ..."`` when parameter ``name`` of system ``system`` has a value
    beyond the numerical limits (None otherwise; only numbers are checked, the system checks
    the types): a dB value beyond +-:data:`DB_LIMIT`, or one of the system's own limits on a
    single value (``SystemSpec.limits`` given ``{name: value}``: e.g. ``num_iter``)."""
    if not _is_real(value):
        return None
    if name.endswith("_db"):
        return db_problem(value)
    found = _system_limit(system, {name: value})
    return found[1] if found is not None and found[0] == name else None


# ----------------------------------------------------------------------------- complete points

def _limit_error(system: str, params: Mapping[str, Any]) -> str | None:
    """``"param: got ...; allowed: ..."`` for the first limit these (complete) parameters
    break: each value (:func:`value_limit`), then the system's limits on the whole point
    (e.g. a PLD layer's SINR from its power, gain and noise)."""
    for name, value in params.items():
        problem = value_limit(system, name, value)
        if problem:
            return f"{name}: {problem}"
    found = _system_limit(system, params)
    return None if found is None else f"{found[0]}: {found[1]}"
