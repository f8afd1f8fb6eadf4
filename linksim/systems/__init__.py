"""The systems, by name: what a scenario file's ``system = "..."`` refers to.

A system is one package: ``linksim/systems/<name>/`` (or a package of another distribution)
whose ``spec.py`` declares its :class:`SystemSpec` (parameter :class:`Schema`, builder, counts,
metrics, predictions, limits, kind), and whose ``SYSTEMS`` lists the specs it contributes. The
registry is :data:`PACKAGES` plus the :data:`ENTRY_POINT_GROUP` entry points. There are two
kinds:

* ``"simulation"``: the built object exposes ``simulate_batch(rng, n_frames) -> dict[str, int]``
  (the contract of :mod:`linksim.sim`): seeded Monte Carlo batches of integer event counts.
* ``"analysis"``: the built object exposes ``evaluate() -> dict[str, float | int | None]``, a
  deterministic computation (closed forms, optimizers) at one parameter point. Its outputs are
  the spec's ``quantities`` (name -> :class:`Quantity`); a scenario records them as its metrics.

Building validates the parameters, raising ``ValueError``/``TypeError`` whose message starts
with the parameter's name (``"k: got ..."``).
"""

from __future__ import annotations

import functools
import importlib
import json
from typing import Any, Mapping

from linksim.canonical import canonical_json

from linksim.systems.base import KINDS, Limit, Quantity, SystemSpec
from linksim.systems.schema import REQUIRED, Param, Schema

__all__ = ["REQUIRED", "Param", "Schema", "Quantity", "Limit", "SystemSpec", "KINDS", "SYSTEMS",
           "PACKAGES", "ENTRY_POINT_GROUP", "get_system", "build_system", "simulate_batch",
           "metrics_of", "prediction_functions", "prediction_function", "prediction_check"]

#: The system packages of linksim itself; each has ``SYSTEMS``, a sequence of SystemSpec.
PACKAGES = ("linksim.systems.coded_link", "linksim.systems.pld", "linksim.systems.an_mimo",
            "linksim.systems.ofdm_bc", "linksim.systems.ic_secrecy",
            "linksim.systems.key_agreement")


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
    builtin = [spec for package in PACKAGES
               for spec in importlib.import_module(package).SYSTEMS]
    for spec in (*builtin, *_plugin_specs()):
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
    return _built(name, canonical_json(dict(params)))


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
    """Every prediction a scenario of ``system`` may name (``SystemSpec.predictions``)."""
    return dict(SYSTEMS[system].predictions) if system is not None and system in SYSTEMS \
        else {}


def prediction_function(system: str | None, name: str):
    """The prediction called ``name`` for ``system`` (:func:`prediction_functions`), or None."""
    return prediction_functions(system).get(name)


def prediction_check(system: str | None, name: str):
    """The cheap applicability check of prediction ``name`` of ``system`` (None: evaluate the
    prediction itself to check it)."""
    if system is None or system not in SYSTEMS:
        return None
    return SYSTEMS[system].prediction_checks.get(name)
