"""One canonical text of a parameter set: the key of every per-process cache and of the
scenario hash, so that equal parameters are equal keys wherever they are compared."""

from __future__ import annotations

import json

__all__ = ["canonical_json"]


def canonical_json(obj, *, strict: bool = False) -> str:
    """``obj`` (JSON-able: dicts, lists, numbers, strings, booleans, None) as JSON with sorted
    keys, no spaces and unescaped Unicode.

    ``strict``: NaN and infinities raise ``ValueError`` (a hash must not accept them); without
    it they are written ``NaN``/``Infinity``, so a cache key never fails before the system can
    say what is wrong with the value.
    """
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=not strict)
