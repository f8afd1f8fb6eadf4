"""How the points of a sweep split into curves: the one rule that figures and gaps share.

A *curve* is a set of points drawn as one line against the horizontal axis ``x``; the
*series axes* are the sweep axes whose values tell the curves apart. They are

* ``output.series`` when the scenario names them;
* in a cartesian sweep, every axis but ``x`` (each combination of the others is a curve);
* in a zip sweep (axes moving together point by point), the fewest axes that make ``x`` a
  function of the curve: every non-``x`` axis all of whose values recur (a parameter held over
  several points, such as a code size ``k`` beside an Eb/N0 list), then, while some curve would
  still hold two points at the same ``x``, the axis with the fewest distinct values among the
  rest. A zip sweep whose other axes change with every point (a design that moves with ``x``)
  stays one curve.

So a zip sweep of two code sizes over overlapping Eb/N0 ranges draws two curves without the user
naming ``series``, and a zip of operating points along ``x`` draws one.
"""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Sequence

__all__ = ["series_axes", "split"]


def _key(value):
    """A hashable stand-in for an axis value (lists and dicts from JSON become strings)."""
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def series_axes(scenario: Mapping, rows: Sequence[Mapping], x: str | None) -> list[str]:
    """The axes that split ``rows`` into curves against ``x`` (module docstring).

    ``scenario`` is ``Scenario.to_dict()`` (``axes``, ``mode``, ``series``); ``rows`` the report
    rows (each with ``axes``). Returns axis names in the scenario's axis order.
    """
    names = [a for a in (scenario.get("axes") or {})]
    for r in rows:
        names += [a for a in (r.get("axes") or {}) if a not in names]
    others = [a for a in names if a != x]
    if scenario.get("series") is not None:
        return [a for a in scenario["series"] if a in others]
    if scenario.get("mode") != "zip":
        return others
    values = {a: [_key((r.get("axes") or {}).get(a)) for r in rows] for a in others}
    chosen = [a for a in others
              if len(set(values[a])) < len(rows) and min(Counter(values[a]).values()) > 1]
    rest = sorted((a for a in others if a not in chosen), key=lambda a: len(set(values[a])))
    xs = [_key((r.get("axes") or {}).get(x)) if x is not None else r.get("point")
          for r in rows]

    def x_repeats(axes: list[str]) -> bool:
        seen = set()
        for i, xv in enumerate(xs):
            key = (tuple(values[a][i] for a in axes), xv)
            if key in seen:
                return True
            seen.add(key)
        return False

    while rest and x_repeats(chosen):
        chosen.append(rest.pop(0))
    return [a for a in others if a in chosen]


def split(rows: Sequence[Mapping], axes: Sequence[str]) -> dict[tuple, list[Mapping]]:
    """``{(value of each axis): [rows]}``: the curves, in order of first appearance."""
    out: dict[tuple, list[Mapping]] = {}
    for r in rows:
        out.setdefault(tuple(_key((r.get("axes") or {}).get(a)) for a in axes), []).append(r)
    return out
