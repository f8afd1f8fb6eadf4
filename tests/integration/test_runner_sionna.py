"""The runner on the Sionna backend (CPU device): a run killed with SIGKILL resumes with counts
identical to an uninterrupted run, and one and two workers give the same counts."""

import signal
import sqlite3
import time
from pathlib import Path

import pytest

pytest.importorskip("sionna.phy")

from linksim.report import read_csv  # noqa: E402
from linksim.scenario import load_scenario  # noqa: E402
from linksim.sim.executors import make_executor  # noqa: E402
from linksim.study import run_scenario  # noqa: E402

pytestmark = pytest.mark.sionna

SCENARIO = """
name = "{name}"
description = "runner test on the Sionna backend"
system = "coded_link"
seed = 11

[params]
code = "ldpc5g"
k = 64
n = 128
decoder = "spa"
num_iter = 8
early_stop = false
backend = "sionna"
device = "cpu"

[sweep.axes]
ebno_db = [1.0, 2.5]

[stop]
max_frame_errors = 150
max_frames = {frames}
batch_size = 200
first_batch_size = 100
"""


def _write(folder: Path, name: str, frames: int = 2000) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, frames=frames))
    return path


def _stored(store: Path) -> set:
    with sqlite3.connect(store) as con:
        return {(p, b) for p, b in con.execute("SELECT point, batch FROM batches")}


def test_sionna_run_killed_and_resumed_equals_uninterrupted(tmp_path, linksim_popen):
    scenario_file = _write(tmp_path, "sionna_kill")
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    proc = linksim_popen("run", str(scenario_file), "--out", str(killed), "--workers", "1",
                         "--no-progress", cwd=tmp_path)
    store = killed / "store.sqlite"
    deadline = time.time() + 180
    while time.time() < deadline:
        if store.exists():
            try:
                if len(_stored(store)) >= 4:
                    break
            except sqlite3.OperationalError:
                pass
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {proc.communicate()}")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = _stored(store)
    assert len(before) >= 4 and not (killed / "results.csv").exists()

    with make_executor("local", workers=1) as executor:
        resumed = run_scenario(load_scenario(scenario_file), killed, executor, progress=False)
    done = linksim_popen("run", str(scenario_file), "--out", str(clean), "--workers", "1",
                         "--no-progress", cwd=tmp_path)
    out, err = done.communicate(timeout=600)
    assert done.returncode == 0, err
    for row, ref in zip(resumed, read_csv(clean / "results.csv"), strict=True):
        for key in ("frames", "frame_errors", "bits", "bit_errors", "iterations"):
            value = row["counts"][key] if key == "iterations" else row[key]
            assert value == int(ref[key]), (key, row["point"])
    assert all(row["frames"] > 0 for row in resumed)


def test_sionna_counts_identical_for_1_and_2_workers(tmp_path):
    scenario = load_scenario(_write(tmp_path, "sionna_workers", frames=600))
    counts = {}
    for workers in (1, 2):
        with make_executor("local", workers=workers) as executor:
            rows = run_scenario(scenario, tmp_path / f"w{workers}", executor, progress=False)
        counts[workers] = [(r["frames"], r["frame_errors"], r["bit_errors"]) for r in rows]
    assert counts[1] == counts[2]
