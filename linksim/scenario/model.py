"""The validated scenario: :class:`Scenario`, its points, its hash and its dict form."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from linksim.scenario.fields import ScenarioError, _seed_problem
from linksim.scenario.sweep import _axis_combos, _canonical


@dataclasses.dataclass(frozen=True, eq=False)
class Scenario:
    """A validated scenario (build it with :func:`load_scenario` or :func:`parse_scenario`).

    Treat it as read-only; :meth:`with_seed` makes a copy with another seed.

    Attributes
    ----------
    name, description, system : str
    seed : int or None
        None only for an analysis scenario that gives none (analysis systems draw no random
        numbers; the seed does not enter their hash).
    confidence : float
    params : dict
        The ``[params]`` table as written (system defaults not filled in).
    axes : dict[str, list]
        Sweep axes in file order; ranges expanded (floats; ints when start, stop and step are
        all integers).
    mode : {"cartesian", "zip"}
    stop : linksim.sim.montecarlo.StopRule or None
        None for an analysis scenario.
    metrics : list[str]
        Names of :func:`linksim.systems.metrics_of` the system (simulation) or of the system's
        quantities (analysis).
    x : str
        The axis on the figures' x-axis.
    predictions : list[dict]
        ``{"name": ..., **options}`` each (always empty for an analysis scenario).
    groups : list[list[str]] or None
        ``output.groups``: the metrics drawn together, one figure per group; None for one
        figure per metric.
    series : list[str] or None
        ``output.series``: the sweep axes whose values split the points into curves; None for
        the default (the other axes of a cartesian sweep, none for a zip sweep).
    path : pathlib.Path or None
        The file it was loaded from (not part of :meth:`to_dict` nor of the hash).
    """

    name: str
    description: str
    system: str
    seed: int
    confidence: float
    params: dict
    axes: dict
    mode: str
    stop: Any
    metrics: list
    x: str
    predictions: list
    groups: list | None = None
    series: list | None = None
    path: Path | None = None

    @property
    def kind(self) -> str:
        """The kind of the scenario's system: "simulation" or "analysis"."""
        from linksim.systems import get_system
        return get_system(self.system).kind

    def point_axes(self) -> list[dict]:
        """The axis values of each sweep point, in point order."""
        names = list(self.axes)
        return [dict(zip(names, values)) for _, values in _axis_combos(self.axes, self.mode)]

    def points(self) -> list[dict]:
        """The full system parameters of each sweep point, in point order.

        Cartesian: the product of the axes in file order, last axis fastest; zip: element-wise.
        Each dict is the system's defaults, overridden by ``[params]``, then by the point's
        axis values.
        """
        from linksim.systems import get_system
        spec = get_system(self.system)
        return [spec.complete({**self.params, **axes}) for axes in self.point_axes()]

    @property
    def n_points(self) -> int:
        """Number of sweep points: the common axis length (zip) or the product of lengths."""
        lengths = [len(v) for v in self.axes.values()]
        return lengths[0] if self.mode == "zip" else math.prod(lengths)

    @property
    def hash(self) -> str:
        """SHA-256 (hex) of what is simulated: system, every point's parameters, stopping rule,
        seed (canonical JSON, sorted keys). Name, description, confidence and output do not
        enter it. For an analysis system (deterministic, no stopping rule) only the system and
        the points do, with ``"kind": "analysis"``."""
        if self.kind == "analysis":
            payload = {"kind": "analysis", "system": self.system, "points": self.points()}
        else:
            payload = {"system": self.system, "points": self.points(),
                       "stop": self.stop.to_dict(), "seed": self.seed}
        return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()

    def with_seed(self, seed) -> "Scenario":
        """A copy with root seed ``seed`` (hence another hash, for a simulation scenario; an
        analysis scenario's hash leaves the seed out)."""
        problem = _seed_problem(seed)
        if problem:
            raise ScenarioError([f"seed: {problem}"], self.path)
        return dataclasses.replace(self, seed=int(seed))

    def to_dict(self) -> dict:
        """The normalised scenario as plain JSON-serialisable data, with its ``hash``.

        Keys: the attributes (``axes``, ``mode``, ``metrics``, ``x``, ``predictions`` flat, not
        nested as in the file; ``stop`` as ``StopRule.to_dict()``, None for analysis),
        ``groups`` when given, and ``hash``. An analysis scenario adds ``"kind": "analysis"``
        and ``quantities`` (``{name: {"label", "scale"}}`` of every quantity of its system),
        so that a report rebuilt from the store alone can label its figures.
        :func:`parse_scenario` accepts it back as the same scenario.
        """
        out = {
            "name": self.name, "description": self.description, "system": self.system,
            "seed": self.seed, "confidence": self.confidence,
            "params": json.loads(json.dumps(self.params, allow_nan=False)),
            "axes": {name: list(values) for name, values in self.axes.items()},
            "mode": self.mode, "stop": None if self.stop is None else self.stop.to_dict(),
            "metrics": list(self.metrics), "x": self.x,
            "predictions": json.loads(json.dumps(self.predictions, allow_nan=False)),
        }
        if self.groups is not None:
            out["groups"] = [list(group) for group in self.groups]
        if self.series is not None:
            out["series"] = list(self.series)
        if self.kind == "analysis":
            from linksim.systems import get_system
            out["kind"] = "analysis"
            out["quantities"] = {name: {"label": q.label, "scale": q.scale}
                                 for name, q in get_system(self.system).quantities.items()}
        out["hash"] = self.hash
        return out

    def __eq__(self, other) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(self.hash)

    def __repr__(self) -> str:
        return (f"Scenario(name={self.name!r}, system={self.system!r}, seed={self.seed}, "
                f"axes={list(self.axes)}, mode={self.mode!r}, n_points={self.n_points}, "
                f"hash={self.hash[:12]!r})")
