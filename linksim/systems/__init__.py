"""The studied systems, by name: what a scenario file's ``system = "..."`` refers to.

A system is a parameter set with defaults and a builder; building validates the parameters,
raising ``ValueError``/``TypeError`` whose message starts with the parameter's name
(``"k: got ..."``). There are two kinds:

* ``"simulation"``: the built object exposes ``simulate_batch(rng, n_frames) -> dict[str, int]``
  (the contract of :mod:`linksim.sim`): seeded Monte Carlo batches of integer event counts.
* ``"analysis"``: the built object exposes ``evaluate() -> dict[str, float | int | None]``, a
  deterministic computation (closed forms, optimizers) at one parameter point. Its outputs are
  the spec's ``quantities`` (name -> :class:`Quantity`); a scenario records them as its metrics.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = ["REQUIRED", "Quantity", "SystemSpec", "SYSTEMS", "ENTRY_POINT_GROUP", "get_system",
           "build_system",
           "simulate_batch", "metrics_of", "prediction_functions", "prediction_function"]


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: Marks a parameter without a default.
REQUIRED = _Required()


@dataclass(frozen=True)
class Quantity:
    """One output of an analysis system: ``label`` for tables and axes, ``scale`` "linear" or
    "log" for figures (probabilities that span decades are "log")."""

    label: str
    scale: str = "linear"


@dataclass(frozen=True)
class SystemSpec:
    """A simulable system.

    Attributes
    ----------
    name : str
    description : str
    params : mapping name -> default (``REQUIRED`` for none)
    builder : callable ``(**params) -> object with simulate_batch(rng, n_frames)``
    counts : the integer counts a batch returns (beyond frames/frame_errors/bits/bit_errors);
        simulation systems only
    kind : "simulation" (``simulate_batch``) or "analysis" (``evaluate``)
    quantities : mapping name -> :class:`Quantity`, what ``evaluate()`` returns; analysis only
    predictions : mapping name -> callable ``(point_params, **options)``: the system's own
        analytical predictions, usable in ``[[output.predictions]]`` beside
        :data:`linksim.theory.PREDICTIONS` (same calling convention)
    derive : callable ``(point_params, counts) -> {"predictions": {...}, "values": {...}}`` or
        None: predictions computed from a point's measured counts (e.g. a formula fed with
        measured component rates) and extra values for the report; simulation only
    metrics : mapping name -> :class:`linksim.sim.metrics.Metric`, the system's own metrics
        over its counts, recordable beside the generic :data:`linksim.sim.metrics.METRICS`
        (:func:`metrics_of`); simulation only
    """

    name: str
    description: str
    params: Mapping[str, Any]
    builder: Callable[..., Any]
    counts: tuple[str, ...] = field(default=())
    kind: str = "simulation"
    quantities: Mapping[str, Quantity] = field(default_factory=dict)
    predictions: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    derive: Callable[..., dict] | None = None
    metrics: Mapping[str, Any] = field(default_factory=dict)

    def complete(self, params: Mapping[str, Any]) -> dict:
        """``params`` with defaults filled in; unknown or missing names raise ``ValueError``."""
        unknown = sorted(set(params) - set(self.params))
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown parameter of system {self.name!r}; allowed: "
                             f"{', '.join(self.params)}")
        full = {key: params.get(key, default) for key, default in self.params.items()}
        missing = [key for key, value in full.items() if value is REQUIRED]
        if missing:
            raise ValueError(f"{missing[0]}: missing; system {self.name!r} requires "
                             f"{', '.join(k for k, v in self.params.items() if v is REQUIRED)}")
        return full

    def build(self, params: Mapping[str, Any]):
        """Validate ``params`` (defaults filled in) and build the system object."""
        return self.builder(**self.complete(params))


def _coded_link_spec() -> SystemSpec:
    from linksim.systems.coded_link import link
    defaults = {key: (REQUIRED if value is None and key in ("k", "ebno_db") else value)
                for key, value in link.PARAMS.items()}
    return SystemSpec(
        name="coded_link",
        description="CRC + 5G NR LDPC + QAM over AWGN or flat Rayleigh/Rician fading, "
                    "BP decoding",
        params=defaults, builder=link.CodedLink,
        counts=("iterations", "crc_failures", "undetected_errors"))


def _pld_spec() -> SystemSpec:
    from linksim.systems.pld import analysis, link, metrics
    defaults = {key: (REQUIRED if value is None and key in ("p_m", "d_k", "z_eve_db") else value)
                for key, value in link.PARAMS.items()}
    return SystemSpec(
        name="pld", description="Physical layer deception with NOM (seed 003): deceptive FF1 "
                                "cipher, CRC + LDPC/BCH per layer, superposition, SIC at Bob "
                                "and Eve, Table I event counts",
        params=defaults, builder=link.PLDLink, counts=link.COUNTS,
        predictions={f"na_{q}": functools.partial(analysis.link_prediction, quantity=q)
                     for q in analysis.LINK_PREDICTIONS},
        derive=analysis.derived, metrics=metrics.METRICS)


def _pld_study_specs() -> list[SystemSpec]:
    from linksim.systems.pld import studies
    specs = []
    for name, builder, extra, quantities, description in studies.STUDIES:
        params = {key: (REQUIRED if key == "z_eve_db" else value)
                  for key, value in {**studies.common_params(), **extra}.items()}
        specs.append(SystemSpec(
            name=name, description=description, params=params, builder=builder,
            kind="analysis",
            quantities={q: Quantity(label, scale) for q, (label, scale) in quantities.items()}))
    return specs


#: The entry-point group through which another package adds systems: each entry point names
#: a SystemSpec, or a callable returning one SystemSpec or an iterable of them, e.g. in that
#: package's pyproject.toml ``[project.entry-points."linksim.systems"] mine = "pkg:systems"``.
#: Entry points are found in every process (the worker processes of a run included).
ENTRY_POINT_GROUP = "linksim.systems"


def _plugin_specs() -> list[SystemSpec]:
    """The systems other packages declare under :data:`ENTRY_POINT_GROUP`. A plugin that fails
    to load, or gives something other than SystemSpecs, is left out with one line on stderr
    (the built-in systems keep working)."""
    import sys
    from importlib.metadata import entry_points
    specs = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            got = obj() if callable(obj) and not isinstance(obj, SystemSpec) else obj
            got = [got] if isinstance(got, SystemSpec) else list(got)
            if not all(isinstance(spec, SystemSpec) for spec in got):
                raise TypeError("it gives objects that are not linksim.systems.SystemSpec")
        except Exception as exc:    # a broken plugin must not take linksim down with it
            print(f"linksim: ignoring the {ENTRY_POINT_GROUP} entry point {ep.name!r} "
                  f"({ep.value}): {type(exc).__name__}: {' '.join(str(exc).splitlines())}",
                  file=sys.stderr)
            continue
        specs += got
    return specs


@functools.lru_cache(maxsize=None)
def _registry() -> dict[str, SystemSpec]:
    registry = {}
    for spec in (_coded_link_spec(), _pld_spec(), *_pld_study_specs(), *_plugin_specs()):
        if spec.name in registry:
            import sys
            print(f"linksim: ignoring a second system named {spec.name!r}", file=sys.stderr)
            continue
        registry[spec.name] = spec
    return registry


class _Systems(Mapping):
    """Read-only view of the registry, built on first use (systems import their blocks)."""

    def __getitem__(self, name):
        return _registry()[name]

    def __iter__(self):
        return iter(_registry())

    def __len__(self):
        return len(_registry())


SYSTEMS: Mapping[str, SystemSpec] = _Systems()


def get_system(name: str) -> SystemSpec:
    """The system called ``name``; ``ValueError`` naming the known ones otherwise."""
    if not isinstance(name, str) or name not in SYSTEMS:
        raise ValueError(f"system: got {name!r}; allowed: one of {', '.join(SYSTEMS)}")
    return SYSTEMS[name]


@functools.lru_cache(maxsize=64)
def _built(name: str, params_json: str):
    return get_system(name).build(json.loads(params_json))


def build_system(name: str, params: Mapping[str, Any]):
    """The built system for (name, params), cached per process (building an LDPC code costs)."""
    return _built(name, json.dumps(dict(params), sort_keys=True))


def simulate_batch(name: str, params: Mapping[str, Any], rng, n_frames: int) -> dict[str, int]:
    """Run ``n_frames`` frames of system ``name`` with ``params``, every draw from ``rng``."""
    return build_system(name, params).simulate_batch(rng, n_frames)


def metrics_of(system: str | None) -> dict:
    """The metrics a scenario of ``system`` may record: the generic ones
    (:data:`linksim.sim.metrics.METRICS`) and the system's own (``SystemSpec.metrics``)."""
    from linksim.sim.metrics import METRICS
    own = SYSTEMS[system].metrics if system is not None and system in SYSTEMS else {}
    return {**METRICS, **own}


def prediction_functions(system: str | None) -> dict:
    """Every prediction a scenario of ``system`` may name: the system's own
    (SystemSpec.predictions), then those of :data:`linksim.theory.PREDICTIONS` not shadowed by
    them."""
    from linksim.theory import PREDICTIONS
    own = SYSTEMS[system].predictions if system is not None and system in SYSTEMS else {}
    return {**PREDICTIONS, **own}


def prediction_function(system: str | None, name: str):
    """The prediction called ``name`` for ``system`` (:func:`prediction_functions`), or None."""
    return prediction_functions(system).get(name)
