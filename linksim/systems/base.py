"""What a system declares: :class:`SystemSpec` (and :class:`Quantity`, an analysis output).

A system is one package under ``linksim/systems/<name>/`` (or in another distribution, through
the ``linksim.systems`` entry points) whose ``spec.py`` builds its :class:`SystemSpec`: the
parameter schema (:class:`linksim.systems.schema.Schema`), the builder, its counts and metrics,
its predictions and their applicability checks, ``derive``, its numerical limits and its kind.
Nothing outside the package knows the system: the engine, the scenario parser, the evaluation
and the report all read it from the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, NamedTuple

from linksim.systems.schema import Schema

__all__ = ["Quantity", "Limit", "SystemSpec", "KINDS"]

#: "simulation": the built object has ``simulate_batch(rng, n_frames) -> dict[str, int]``;
#: "analysis": it has ``evaluate() -> dict[str, float | int | None]``.
KINDS = ("simulation", "analysis")


@dataclass(frozen=True)
class Quantity:
    """One output of an analysis system: ``label`` for tables and axes, ``scale`` "linear" or
    "log" for figures (probabilities that span decades are "log")."""

    label: str
    scale: str = "linear"


class Limit(NamedTuple):
    """A value past a system's numerical limits: the scenario reports it as
    ``"<name>: got <value><detail>; allowed: <allowed>"``, at the place the value was written."""

    name: str
    allowed: str
    detail: str = ""


@dataclass(frozen=True)
class SystemSpec:
    """A system, as the rest of linksim sees it.

    Attributes
    ----------
    name : str
    description : str
    params : :class:`Schema` (a plain ``{name: default}`` mapping is taken as an untyped
        schema, :meth:`Schema.from_defaults`); a mapping name -> default (``REQUIRED``: none)
    builder : callable ``(**params) -> object``, given the completed parameters; it checks
        them (each against the schema, :meth:`Schema.validate`, then the rules between them
        such as ``k <= n``), so that building the object directly checks the same
    counts : the integer counts a batch returns beyond frames/frame_errors/bits/bit_errors;
        simulation systems only
    kind : one of :data:`KINDS`
    quantities : mapping name -> :class:`Quantity`, what ``evaluate()`` returns; analysis only
    predictions : mapping name -> callable ``(point_params, **options)`` returning a
        probability (a float or ``{"value": float, "kind": "estimate" | "lower_bound" |
        "upper_bound"}``): the analytical predictions a scenario of this system may name in
        ``[[output.predictions]]``
    prediction_checks : mapping prediction name -> cheap applicability check
        ``(point_params, **options) -> None`` raising ``ValueError``/``TypeError``
        ("param: got ...; allowed: ...") where that (costly) prediction cannot be evaluated;
        a prediction without one is evaluated at each point when a scenario is checked
    derive : callable ``(point_params, counts) -> {"predictions": {...}, "values": {...}}``
        or None: predictions computed from a point's measured counts and extra values for the
        report; simulation only
    metrics : mapping name -> :class:`linksim.sim.metrics.Metric`, the system's own metrics
        over its counts, recordable beside the generic :data:`linksim.sim.metrics.METRICS`
    limits : callable ``(params) -> Limit | None`` or None: the system's numerical limits on
        a complete point (values that would overflow, or exhaust memory or time on a typo),
        checked when a scenario is read, before the point is built; values may be of any type
        there (the builder checks types after)
    """

    name: str
    description: str
    params: Schema
    builder: Callable[..., Any]
    counts: tuple[str, ...] = field(default=())
    kind: str = "simulation"
    quantities: Mapping[str, Quantity] = field(default_factory=dict)
    predictions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    prediction_checks: Mapping[str, Callable[..., None]] = field(default_factory=dict)
    derive: Callable[..., dict] | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)
    limits: Callable[[Mapping[str, Any]], Limit | None] | None = None

    def __post_init__(self):
        if not isinstance(self.params, Schema):
            object.__setattr__(self, "params", Schema.from_defaults(dict(self.params)))
        if self.kind not in KINDS:
            raise ValueError(f"kind: got {self.kind!r}; allowed: one of {', '.join(KINDS)}")

    def complete(self, params: Mapping[str, Any]) -> dict:
        """``params`` with defaults filled in; unknown or missing names raise ``ValueError``."""
        return self.params.complete(params, self.name)

    def build(self, params: Mapping[str, Any]):
        """The system object for ``params`` (defaults filled in; the builder checks them)."""
        return self.builder(**self.complete(params))
