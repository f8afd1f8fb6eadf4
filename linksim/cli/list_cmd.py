"""``linksim list``: the scenario files of a directory (one line each, or why one is invalid)
and the simulable systems with their parameters.

(Named ``list_cmd`` so that the package attribute ``linksim.cli.list`` does not shadow the
built-in ``list`` inside :mod:`linksim.cli`.)
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["cmd_list"]


def cmd_list(args) -> int:
    """The body of ``linksim list``: its exit status (0)."""
    from linksim.scenario import ScenarioError, load_scenario
    from linksim.systems import REQUIRED, SYSTEMS
    folder = Path(args.scenarios)
    print(f"# scenarios in {folder}/")
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        print("  (none)")
    for path in files:
        try:
            sc = load_scenario(path)
            print(f"  {path.name:<32} {sc.system:<16} {sc.kind:<10} {sc.n_points:>4} points  "
                  f"{sc.description.splitlines()[0] if sc.description else ''}")
        except ScenarioError as exc:
            print(f"  {path.name:<32} INVALID: {exc.problems[0]}")
    print("# systems")
    width = max(len(name) for name in SYSTEMS)
    for spec in SYSTEMS.values():
        required = [k for k, v in spec.params.items() if v is REQUIRED]
        print(f"  {spec.name:<{width}} [{spec.kind}] {spec.description}")
        print(f"  {'':<{width}} required: {', '.join(required)}; "
              f"optional: {', '.join(k for k in spec.params if k not in required)}")
        if spec.kind == "analysis":
            print(f"  {'':<{width}} quantities: {', '.join(spec.quantities)}")
    return 0
