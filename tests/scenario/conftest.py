"""Fixtures of the scenario tests (test_scenario.py and test_analysis_scenarios.py)."""

from __future__ import annotations

import pytest


def _locations(exc) -> list[str]:
    """The field paths a ScenarioError names: each problem is ``"<path>: <message>"``."""
    return [problem.split(": ", 1)[0] for problem in exc.problems]


@pytest.fixture(scope="session")
def locations():
    """``locations(exc)``: the field paths, in order, of the problems of a ScenarioError."""
    return _locations
