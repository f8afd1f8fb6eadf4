"""Argument checks shared by the modules: one wording for "parameter: got X; allowed: Y"."""

from __future__ import annotations

__all__ = ["check_choice"]


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
