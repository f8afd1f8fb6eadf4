"""Analytical predictions that measured rates are held against (finite blocklength, secrecy).

``PREDICTIONS`` maps a name usable in a scenario's ``[[output.predictions]]`` to a callable
``(point_params: dict, **options)`` returning the predicted probability at that point, either a
float or ``{"value": float, "kind": "estimate" | "lower_bound" | "upper_bound"}``. The runner
puts it beside the measured rate with a verdict (:mod:`linksim.validate`), and the report draws
it as a curve.
"""

from __future__ import annotations

from typing import Callable

__all__ = ["PREDICTIONS"]

from linksim.theory import link as _link

PREDICTIONS: dict[str, Callable[..., float | dict]] = {
    "normal_approximation": _link.normal_approximation,
    "metaconverse": _link.metaconverse_bler,
}
