"""The engine (linksim/sim/) knows no system, no verdict and no report: checked on the source.

Every import statement under ``linksim/sim/`` (module level or inside a function) is read with
``ast``; none may name ``linksim.systems``, ``linksim.validate``, ``linksim.evaluate``,
``linksim.study``, ``linksim.scenario``, ``linksim.report`` or ``linksim.cli``.
"""

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "linksim" / "sim"
ABOVE = ("linksim.systems", "linksim.validate", "linksim.evaluate", "linksim.study",
         "linksim.scenario", "linksim.report", "linksim.cli")


def imported_modules(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            if node.module == "linksim":
                names += [f"linksim.{alias.name}" for alias in node.names]
    return names


@pytest.mark.parametrize("path", sorted(SIM.glob("*.py")), ids=lambda p: p.name)
def test_engine_module_imports_nothing_above_it(path):
    bad = [m for m in imported_modules(path) if m.startswith(ABOVE)]
    assert bad == [], f"{path.name} imports {bad}"


def test_the_check_sees_an_upward_import(tmp_path):
    """The check can fail: a function-level upward import is found."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from linksim.systems import SYSTEMS\n    return SYSTEMS\n")
    assert [m for m in imported_modules(probe) if m.startswith(ABOVE)] == ["linksim.systems"]
