"""Analytical predictions that measured rates are held against (finite blocklength, secrecy).

``PREDICTIONS`` maps a name usable in a scenario's ``[[output.predictions]]`` to a callable
``(point_params: dict, **options) -> float`` (the predicted probability at that point). The
registry is filled by the theory modules (issue 4); the runner and report already draw what
it returns.
"""

from __future__ import annotations

from typing import Callable

__all__ = ["PREDICTIONS"]

PREDICTIONS: dict[str, Callable[..., float]] = {}
