"""The scenario runner: resumable after SIGKILL, identical across executors, concurrent-safe."""

import os
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from linksim.report import read_csv
from linksim.scenario import load_scenario
from linksim.sim.executors import make_executor
from linksim.study import rebuild_rows, run_scenario

# Small but real: the 5G LDPC code (k=64, n=128) over AWGN; enough batches per point that a
# run lasts a few seconds and can be killed in the middle.
SCENARIO = """
name = "{name}"
description = "runner test"
system = "coded_link"
seed = {seed}

[params]
code = "ldpc5g"
k = 64
n = 128
num_iter = 8

[sweep.axes]
ebno_db = [1.0, 2.5, 4.0]

[stop]
max_frame_errors = {errors}
max_frames = {frames}
batch_size = 400
first_batch_size = 100
"""

def write_scenario(folder: Path, name="runner_test", seed=7, errors=150, frames=6000) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(SCENARIO.format(name=name, seed=seed, errors=errors, frames=frames))
    return path


def counts_of(rows):
    return [(r["point"], r["frames"], r["frame_errors"], r["bits"], r["bit_errors"],
             r["counts"].get("iterations")) for r in rows]


def stored_keys(store: Path):
    with sqlite3.connect(store) as con:
        return {(p, b) for p, b in con.execute("SELECT point, batch FROM batches")}


class SpyExecutor:
    """Wraps an executor and records every (point, batch) it is asked to run."""

    def __init__(self, inner):
        self.inner, self.submitted = inner, []
        self.n_workers, self.kind = inner.n_workers, inner.kind

    def submit(self, fn, *args):
        self.submitted.append((args[3], args[4]))
        return self.inner.submit(fn, *args)

    def as_completed(self, futures):
        return self.inner.as_completed(futures)


def test_sigkill_then_resume_equals_uninterrupted_run(tmp_path, linksim_popen):
    """Kill `linksim run` with SIGKILL after some batches are committed; the resumed run must
    re-run none of the stored batches, and its final counts must equal those of a run that was
    never interrupted (same seed): no batch lost, none counted twice."""
    scenario_file = write_scenario(tmp_path)
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    proc = linksim_popen("run", str(scenario_file), "--out", str(killed), "--workers", "1",
                         "--no-progress", cwd=tmp_path)
    store = killed / "store.sqlite"
    deadline = time.time() + 120
    while time.time() < deadline:
        if store.exists():
            try:
                if len(stored_keys(store)) >= 6:
                    break
            except sqlite3.OperationalError:
                pass
        if proc.poll() is not None:
            pytest.fail(f"the run ended before it could be killed: {proc.communicate()}")
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before = stored_keys(store)
    assert len(before) >= 6
    assert not (killed / "results.csv").exists()     # it died before the outputs

    scenario = load_scenario(scenario_file)
    with make_executor("local", workers=1) as inner:
        spy = SpyExecutor(inner)
        resumed = run_scenario(scenario, killed, spy, progress=False)
    assert not set(spy.submitted) & before, "a stored batch was simulated again"

    done = linksim_popen("run", str(scenario_file), "--out", str(clean), "--workers", "1",
                         "--no-progress", cwd=tmp_path)
    out, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    # compare field by field with the uninterrupted run's CSV
    clean_rows = read_csv(clean / "results.csv")
    for row, ref in zip(resumed, clean_rows, strict=True):
        for key in ("frames", "frame_errors", "bits", "bit_errors"):
            assert row[key] == int(ref[key]), (key, row["point"])
        assert row["counts"]["iterations"] == int(ref["iterations"])


def test_counts_identical_for_1_and_2_workers_and_dask(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, errors=60, frames=2000))
    results = {}
    for label, kind, workers in (("inline", "local", 1), ("pool2", "local", 2),
                                 ("dask2", "dask", 2)):
        with make_executor(kind, workers=workers) as executor:
            rows = run_scenario(scenario, tmp_path / label, executor, progress=False)
        results[label] = counts_of(rows)
    assert results["inline"] == results["pool2"] == results["dask2"]
    assert all(frames > 0 for _, frames, *_ in results["inline"])


def test_two_scenarios_run_concurrently_into_results(tmp_path, linksim_popen):
    """Two different scenarios write into results/ at the same time (default output folders);
    each ends with the counts of a run made alone."""
    a = write_scenario(tmp_path, name="concurrent_a", seed=1, errors=80, frames=3000)
    b = write_scenario(tmp_path, name="concurrent_b", seed=2, errors=80, frames=3000)
    procs = [linksim_popen("run", str(p), "--workers", "1", "--no-progress", cwd=tmp_path)
             for p in (a, b)]
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
    for path, name in ((a, "concurrent_a"), (b, "concurrent_b")):
        with make_executor("local", workers=1) as executor:
            alone = run_scenario(load_scenario(path), tmp_path / f"alone_{name}", executor,
                                 progress=False)
        got = read_csv(tmp_path / "results" / name / "results.csv")
        assert [(int(r["frames"]), int(r["frame_errors"])) for r in got] == \
               [(r["frames"], r["frame_errors"]) for r in alone]
        with sqlite3.connect(tmp_path / "results" / name / "store.sqlite") as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_rerun_is_served_from_the_store_and_report_rebuilds_it(tmp_path):
    scenario = load_scenario(write_scenario(tmp_path, errors=40, frames=1000))
    with make_executor("local", workers=1) as inner:
        first = run_scenario(scenario, tmp_path / "out", inner, progress=False)
        spy = SpyExecutor(inner)
        again = run_scenario(scenario, tmp_path / "out", spy, progress=False)
    assert spy.submitted == [] and counts_of(again) == counts_of(first)
    _, rebuilt = rebuild_rows(tmp_path / "out")
    assert counts_of(rebuilt) == counts_of(first)
    # a changed scenario (other seed) gets a new hash and its own rows
    other = scenario.with_seed(scenario.seed + 1)
    assert other.hash != scenario.hash
    with make_executor("local", workers=1) as inner:
        spy = SpyExecutor(inner)
        run_scenario(other, tmp_path / "out", spy, progress=False)
    assert spy.submitted, "a new hash must not reuse the old scenario's batches"


def test_cli_run_and_report_write_the_same_csv(tmp_path, linksim_popen):
    scenario_file = write_scenario(tmp_path, errors=30, frames=800)
    out = tmp_path / "res"
    done = linksim_popen("run", str(scenario_file), "--out", str(out), "--workers", "1",
                         "--no-progress", cwd=tmp_path)
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    for name in ("results.csv", "report.html", "store.sqlite"):
        assert (out / name).is_file(), name
    first_csv = (out / "results.csv").read_bytes()
    (out / "results.csv").unlink()
    rep = linksim_popen("report", str(out), cwd=tmp_path)
    _, err = rep.communicate(timeout=120)
    assert rep.returncode == 0, err
    assert (out / "results.csv").read_bytes() == first_csv


def test_invalid_scenario_exits_2_and_writes_nothing(tmp_path, linksim_popen):
    bad = tmp_path / "bad.toml"
    bad.write_text(SCENARIO.format(name="bad", seed=-1, errors=10, frames=100))
    proc = linksim_popen("run", str(bad), "--out", str(tmp_path / "never"), cwd=tmp_path)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "seed" in err and "Traceback" not in err
    assert not (tmp_path / "never").exists()


def test_report_shows_what_the_latest_run_asked_for(tmp_path):
    """D2: run a scenario into DIR, change what it reports (confidence, metrics, series), run
    it again into DIR (the same hash: its batches are reused), then `linksim report DIR`: the
    report is the second run's, and the counts are the first run's."""
    from linksim.cli import main
    first = write_scenario(tmp_path, name="d2", errors=30, frames=800)
    out = tmp_path / "out"
    assert main(["run", str(first), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    csv_first = read_csv(out / "results.csv")
    changed = tmp_path / "d2_changed.toml"
    changed.write_text(first.read_text().replace('description = "runner test"',
                                                 'description = "runner test"\nconfidence = 0.9')
                       + '\n[output]\nmetrics = ["bler", "ber", "avg_iterations"]\n'
                         'series = []\n')
    assert load_scenario(changed).hash == load_scenario(first).hash
    assert main(["run", str(changed), "--out", str(out), "--workers", "1", "--no-progress"]) == 0
    (out / "results.csv").unlink()
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    csv_again = read_csv(out / "results.csv")
    html = (out / "report.html").read_text()
    assert "avg_iterations" in csv_again[0] and "avg_iterations" not in csv_first[0]
    assert "0.9, two-sided" in html and "0.95, two-sided" not in html
    assert sorted((out / "figures").glob("avg_iterations.*"))
    for a, b in zip(csv_first, csv_again):
        assert (a["frames"], a["frame_errors"], a["bit_errors"]) == \
            (b["frames"], b["frame_errors"], b["bit_errors"])
        assert b["bler_ci_hi"] < a["bler_ci_hi"]          # 90 % intervals are narrower


def test_prediction_failing_at_run_time_is_one_line_before_any_work(tmp_path, monkeypatch):
    """A prediction that passed validation but fails at a point (a numerical failure) stops the
    run before anything is simulated, with one line naming the point."""
    from linksim.systems import SYSTEMS
    from linksim import evaluate
    path = tmp_path / "pred.toml"
    path.write_text(SCENARIO.format(name="pred", seed=3, errors=10, frames=200)
                    + '\n[output]\nmetrics = ["bler"]\n'
                      '[[output.predictions]]\nname = "normal_approximation"\n')
    scenario = load_scenario(path)                    # valid as written

    def broken(params, **options):
        raise ValueError("Laplace inversion did not converge\nsecond line")
    monkeypatch.setitem(SYSTEMS["coded_link"].predictions, "normal_approximation", broken)
    evaluate._predictions_cached.cache_clear()
    try:
        with make_executor("local", workers=1) as executor:
            with pytest.raises(evaluate.PredictionError) as exc:
                run_scenario(scenario, tmp_path / "out", executor, progress=False)
    finally:
        evaluate._predictions_cached.cache_clear()
    message = str(exc.value)
    assert "\n" not in message and "point 0 (ebno_db=1.0)" in message
    assert "did not converge" in message and "nothing was simulated" in message
    assert not (tmp_path / "out" / "store.sqlite").exists()
