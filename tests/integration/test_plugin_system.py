"""A system from outside linksim: declared by another package's entry point, run with
`linksim run` (worker processes, SIGKILL, resume) and reported, with no linksim file changed.

The plugin package and its distribution metadata (``*.dist-info/entry_points.txt`` in the
``linksim.systems`` group) are written into a temporary folder put on PYTHONPATH, which is how
an installed package is found by ``importlib.metadata``.
"""

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from linksim.report import read_csv

PLUGIN = '''
"""A toy system of a researcher's own package: frames fail with probability p_frame, then each
of its bits flips with probability 1/2; a batch takes a moment (so a run can be killed)."""
import time

import numpy as np

from linksim.sim.metrics import Metric, bit_error_counts
from linksim.systems import REQUIRED, SystemSpec


class Coin:
    def __init__(self, p_frame, bits=16):
        if not 0 < p_frame < 1:
            raise ValueError(f"p_frame: got {p_frame!r}; allowed: a number in (0, 1)")
        self.p_frame, self.bits = float(p_frame), int(bits)

    def simulate_batch(self, rng, n_frames):
        time.sleep(0.03)
        failed = rng.random(n_frames) < self.p_frame
        flips = rng.random((n_frames, self.bits)) < 0.5
        wrong = flips & failed[:, None]
        return {"frames": n_frames, "frame_errors": int(failed.sum()),
                "bits": n_frames * self.bits, "heads": int(flips.sum()),
                **bit_error_counts(wrong)}


def systems():
    return [SystemSpec(name="toy_coin", description="a coin per frame (a plugin)",
                       params={"p_frame": REQUIRED, "bits": 16}, builder=Coin,
                       counts=("heads",),
                       metrics={"head_rate": Metric("head_rate", "heads", "bits", "rate",
                                                    "heads per bit")})]
'''

SCENARIO = """
name = "toy"
system = "toy_coin"
seed = 11

[sweep.axes]
p_frame = [0.1, 0.3]

[stop]
max_frame_errors = 100000
max_frames = 6000
batch_size = 200
first_batch_size = 200

[output]
metrics = ["bler", "ber", "head_rate"]
"""


@pytest.fixture
def plugin_env(tmp_path):
    site = tmp_path / "site"
    (site / "toy_plugin").mkdir(parents=True)
    (site / "toy_plugin" / "__init__.py").write_text(PLUGIN)
    dist = site / "toy_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[linksim.systems]\ntoy = toy_plugin:systems\n")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    (tmp_path / "toy.toml").write_text(SCENARIO)
    return env


def stored(store: Path) -> int:
    try:
        with sqlite3.connect(store) as con:
            return con.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def test_plugin_system_runs_is_killed_resumes_and_reports(tmp_path, plugin_env, linksim_popen,
                                                         linksim_subprocess):
    listed = linksim_subprocess("list", "--scenarios", str(tmp_path), env=plugin_env)
    assert listed.returncode == 0 and "toy_coin" in listed.stdout, listed.stderr

    killed, clean = tmp_path / "killed", tmp_path / "clean"
    proc = linksim_popen("run", "toy.toml", "--out", str(killed), "--workers", "2", "--no-progress",
                         env=plugin_env, cwd=tmp_path)
    deadline = time.time() + 120
    while stored(killed / "store.sqlite") < 8:
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {proc.communicate()}")
        if time.time() > deadline:
            pytest.fail("no batches were stored within 120 s")
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (killed / "results.csv").exists()

    resumed = linksim_popen("run", "toy.toml", "--out", str(killed), "--workers", "2",
                            "--no-progress", env=plugin_env, cwd=tmp_path)
    _, err = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, err
    once = linksim_popen("run", "toy.toml", "--out", str(clean), "--workers", "1", "--no-progress",
                         env=plugin_env, cwd=tmp_path)
    _, err = once.communicate(timeout=300)
    assert once.returncode == 0, err

    keys = ("frames", "frame_errors", "bits", "bit_errors", "bit_errors_sq", "heads")
    got, ref = read_csv(killed / "results.csv"), read_csv(clean / "results.csv")
    assert [[r[k] for k in keys] for r in got] == [[r[k] for k in keys] for r in ref]
    assert [r["frames"] for r in got] == [6000, 6000]
    # The plugin's own metric is computed with its interval, and the BER interval is the
    # clustered one (bits of a failed frame flip together).
    for r in got:
        assert r["head_rate_ci_lo"] < r["head_rate"] < r["head_rate_ci_hi"]
        assert r["ber_ci_lo"] < r["ber"] < r["ber_ci_hi"]

    (killed / "results.csv").unlink()
    report = linksim_popen("report", str(killed), env=plugin_env, cwd=tmp_path)
    _, err = report.communicate(timeout=120)
    assert report.returncode == 0, err
    assert read_csv(killed / "results.csv") == got
    assert "heads per bit" in (killed / "report.html").read_text()


def test_broken_plugin_is_one_line_and_builtins_still_work(tmp_path, linksim_subprocess):
    site = tmp_path / "site"
    dist = site / "broken-0.1.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: broken\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[linksim.systems]\nbad = no_such_module:systems\n")
    env = dict(os.environ, PYTHONPATH=str(site))
    done = linksim_subprocess("list", "--scenarios", str(tmp_path), env=env)
    assert done.returncode == 0
    assert "coded_link" in done.stdout
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "ignoring the linksim.systems entry point 'bad'" in lines[0]
    assert "Traceback" not in done.stderr
