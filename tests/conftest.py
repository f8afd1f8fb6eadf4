"""Fixtures shared by the whole suite.

The test modules never import each other or a conftest: what more than one file needs is a
fixture here (or in the conftest of the one directory that uses it), and a helper function is
handed out as a fixture that returns it.

- ``repo_root``: the repository root (for ``scenarios/``, ``linksim/``, git).
- ``scenarios_dir`` and ``shipped_scenario``: the repository's ``scenarios/`` folder and its
  ``ldpc_awgn_qpsk.toml`` (the small shipped scenario the CLI and scenario tests load).
- ``linksim_popen(*args, cwd=None, env=None, **kw)``: ``python -m linksim.cli ARGS`` started in
  the background (a ``subprocess.Popen`` with text stdout/stderr pipes), for runs that are
  killed, raced or waited for.
- ``linksim_subprocess(*args, **kw)``: ``python -m linksim.cli ARGS`` run to its end
  (``subprocess.run`` with ``capture_output=True, text=True``; ``kw`` adds ``env``,
  ``timeout``, ``cwd``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
LINKSIM = (sys.executable, "-m", "linksim.cli")


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root (the folder holding ``linksim/``, ``scenarios/`` and ``tests/``)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def scenarios_dir(repo_root) -> Path:
    """The shipped scenario files, ``scenarios/``."""
    return repo_root / "scenarios"


@pytest.fixture(scope="session")
def shipped_scenario(scenarios_dir) -> Path:
    """``scenarios/ldpc_awgn_qpsk.toml``: the 5G LDPC k=512 QPSK waterfall."""
    return scenarios_dir / "ldpc_awgn_qpsk.toml"


def _linksim_popen(*args, cwd=None, env=None, **kw) -> subprocess.Popen:
    return subprocess.Popen([*LINKSIM, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _linksim_subprocess(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*LINKSIM, *args], capture_output=True, text=True, **kw)


@pytest.fixture(scope="session")
def linksim_popen():
    """``linksim_popen(*args, cwd=None, env=None, **kw)``: the command line started, not awaited."""
    return _linksim_popen


@pytest.fixture(scope="session")
def linksim_subprocess():
    """``linksim_subprocess(*args, **kw)``: the command line run to its end, output captured."""
    return _linksim_subprocess
