"""Tests of linksim.sim.store: round trips, the no-double-counting key, concurrent writers,
and a writer killed with SIGKILL."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import threading
import time

import pytest

from linksim.sim import store as store_mod
from linksim.sim.store import Store

SPAWN = multiprocessing.get_context("spawn")


def fake_counts(point: int, batch: int) -> dict:
    """Deterministic counts of a batch, so any process can recompute (and check) them."""
    frames = 64 + 7 * batch + point
    errors = (3 * batch + 5 * point) % (frames + 1)
    return {"frames": frames, "frame_errors": errors, "bits": 64 * frames,
            "bit_errors": 11 * errors, "iterations": 20 * frames - batch}


def integrity(path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


# ------------------------------------------------------------------------------------------
# single process


def test_schema_is_idempotent_and_wal(tmp_path):
    path = tmp_path / "deep" / "dir" / "store.sqlite"
    with Store(path) as s:
        assert s.path == path
        s.register_scenario("h1", "first", '{"a": 1}')
        s.add_batch("h1", 0, 0, fake_counts(0, 0), 0.5)
    with Store(str(path)) as s:  # reopening keeps everything
        assert s.batches("h1") == {(0, 0): fake_counts(0, 0)}
        assert [sc["hash"] for sc in s.scenarios()] == ["h1"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"scenarios", "batches", "meta"} <= tables
    conn.close()
    assert integrity(path) == "ok"


def test_register_and_read_scenarios(tmp_path):
    import linksim

    with Store(tmp_path / "s.sqlite") as s:
        assert s.scenarios() == []
        assert s.scenario("nope") is None
        s.register_scenario("bbb", "second-name", '{"x": 2}')
        time.sleep(0.002)
        s.register_scenario("aaa", "first-name", '{"x": 1}')
        got = s.scenarios()
        assert [g["hash"] for g in got] == ["bbb", "aaa"]  # least recently run first
        assert got[0] == s.scenario("bbb")
        assert got[0]["name"] == "second-name" and json.loads(got[0]["json"]) == {"x": 2}
        assert set(got[0]) == {"hash", "name", "json", "created", "last_run"}
        assert got[0]["created"] <= got[1]["created"]
        created = got[0]["created"]
        time.sleep(0.002)
        # A second run of a known hash: its latest JSON wins, it becomes the latest run, and
        # its first registration time stays.
        s.register_scenario("bbb", "renamed", '{"x": 99}')
        got = s.scenarios()
        assert [g["hash"] for g in got] == ["aaa", "bbb"]
        assert got[1]["name"] == "renamed" and json.loads(got[1]["json"]) == {"x": 99}
        assert got[1]["created"] == created < got[1]["last_run"]
    conn = sqlite3.connect(tmp_path / "s.sqlite")
    assert conn.execute("SELECT linksim_version FROM scenarios").fetchall() == \
        [(linksim.__version__,)] * 2
    conn.close()


def test_store_without_last_run_column_gains_it(tmp_path):
    """A store written before ``last_run`` existed opens, keeps its rows and orders by
    ``created`` until a scenario is run again."""
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE scenarios (hash TEXT PRIMARY KEY, name TEXT NOT NULL, "
                 "json TEXT NOT NULL, created TEXT NOT NULL, linksim_version TEXT NOT NULL)")
    conn.execute("INSERT INTO scenarios VALUES ('old', 'n', '{}', '2026-01-01T00:00:00', '0')")
    conn.commit()
    conn.close()
    with Store(path) as s:
        got = s.scenarios()
        assert [(g["hash"], g["last_run"]) for g in got] == [("old", "2026-01-01T00:00:00")]
        s.register_scenario("new", "n2", "{}")
        s.register_scenario("old", "n", '{"v": 2}')
        assert [g["hash"] for g in s.scenarios()] == ["new", "old"]


def test_add_and_read_round_trip(tmp_path):
    path = tmp_path / "s.sqlite"
    with Store(path) as s:
        s.register_scenario("h", "n", "{}")
        expect = {}
        for p in range(3):
            for b in range(4):
                counts = fake_counts(p, b)
                assert s.add_batch("h", p, b, counts, 0.01 * b) is True
                expect[(p, b)] = counts
        got = s.batches("h")
        assert got == expect
        assert list(got) == sorted(expect)
        assert all(list(c) == sorted(c) for c in got.values())
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT point, batch, frames, frame_errors, counts, elapsed_s, "
                        "finished_at FROM batches WHERE point = 2 AND batch = 3").fetchall()
    conn.close()
    ((p, b, frames, errors, text, elapsed, finished),) = rows
    assert (frames, errors) == (fake_counts(2, 3)["frames"], fake_counts(2, 3)["frame_errors"])
    assert text == json.dumps(fake_counts(2, 3), sort_keys=True, separators=(",", ":"))
    assert elapsed == pytest.approx(0.03) and finished.endswith("+00:00")


def test_numpy_integers_are_accepted(tmp_path):
    np = pytest.importorskip("numpy")
    with Store(tmp_path / "s.sqlite") as s:
        counts = {k: np.int64(v) for k, v in fake_counts(1, 1).items()}
        assert s.add_batch("h", np.int64(1), np.int32(1), counts, np.float64(0.1))
        assert s.batches("h") == {(1, 1): fake_counts(1, 1)}


def test_duplicate_key(tmp_path):
    with Store(tmp_path / "s.sqlite") as s:
        assert s.add_batch("h", 0, 5, fake_counts(0, 5), 1.0) is True
        # same counts (in another key order, other elapsed time): not counted twice
        same = dict(reversed(list(fake_counts(0, 5).items())))
        assert s.add_batch("h", 0, 5, same, 7.0) is False
        assert s.batches("h") == {(0, 5): fake_counts(0, 5)}
        other = fake_counts(0, 5)
        other["frame_errors"] += 1
        with pytest.raises(RuntimeError, match="pure function"):
            s.add_batch("h", 0, 5, other, 1.0)
        extra = dict(fake_counts(0, 5), undetected_errors=0)
        with pytest.raises(RuntimeError):
            s.add_batch("h", 0, 5, extra, 1.0)
        assert s.batches("h") == {(0, 5): fake_counts(0, 5)}


def test_batches_filtered_by_point_and_scenarios_separate(tmp_path):
    with Store(tmp_path / "s.sqlite") as s:
        s.register_scenario("A", "a", "{}")
        s.register_scenario("B", "b", "{}")
        for p in range(3):
            for b in range(2):
                s.add_batch("A", p, b, fake_counts(p, b), 0.0)
        s.add_batch("B", 1, 0, fake_counts(7, 7), 0.0)  # same key as in A, other counts
        assert s.batches("A", point=1) == {(1, 0): fake_counts(1, 0), (1, 1): fake_counts(1, 1)}
        assert s.batches("A", 7) == {}
        assert s.batches("B") == {(1, 0): fake_counts(7, 7)}
        assert s.batches("B", 1) == {(1, 0): fake_counts(7, 7)}
        assert s.batches("C") == {}
        assert len(s.batches("A")) == 6


def test_batch_records_carry_elapsed_time(tmp_path):
    with Store(tmp_path / "s.sqlite") as s:
        s.add_batch("h", 1, 0, fake_counts(1, 0), 0.25)
        s.add_batch("h", 0, 2, fake_counts(0, 2), 1.5)
        s.add_batch("h", 0, 2, fake_counts(0, 2), 9.0)  # duplicate: first time kept
        s.add_batch("other", 0, 0, fake_counts(0, 0), 3.0)
        records = s.batch_records("h")
        assert list(records) == [(0, 2), (1, 0)]
        assert records[0, 2] == {"counts": fake_counts(0, 2), "elapsed_s": 1.5}
        assert records[1, 0] == {"counts": fake_counts(1, 0), "elapsed_s": 0.25}
        assert {k: v["counts"] for k, v in records.items()} == s.batches("h")
        assert s.batch_records("none") == {}


@pytest.mark.parametrize("args, exc, needle", [
    (("", 0, 0, {"frames": 1, "frame_errors": 0}, 0.0), ValueError, "scenario_hash"),
    ((1, 0, 0, {"frames": 1, "frame_errors": 0}, 0.0), TypeError, "scenario_hash"),
    (("h", -1, 0, {"frames": 1, "frame_errors": 0}, 0.0), ValueError, "point"),
    (("h", 0, 1.0, {"frames": 1, "frame_errors": 0}, 0.0), TypeError, "batch"),
    (("h", 0, True, {"frames": 1, "frame_errors": 0}, 0.0), TypeError, "batch"),
    (("h", 0, 0, {"frames": 1}, 0.0), ValueError, "frame_errors"),
    (("h", 0, 0, {"frames": 1, "frame_errors": -1}, 0.0), ValueError, "counts['frame_errors']"),
    (("h", 0, 0, {"frames": 1.5, "frame_errors": 0}, 0.0), TypeError, "counts['frames']"),
    (("h", 0, 0, [("frames", 1)], 0.0), TypeError, "counts"),
    (("h", 0, 0, {"frames": 1, "frame_errors": 0}, -1.0), ValueError, "elapsed_s"),
    (("h", 0, 0, {"frames": 1, "frame_errors": 0}, float("nan")), ValueError, "elapsed_s"),
    (("h", 0, 0, {"frames": 1, "frame_errors": 0}, "1"), TypeError, "elapsed_s"),
])
def test_add_batch_bad_input(tmp_path, args, exc, needle):
    with Store(tmp_path / "s.sqlite") as s:
        with pytest.raises(exc, match=None) as info:
            s.add_batch(*args)
        assert needle in str(info.value)
        assert s.batches("h") == {}


def test_bad_input_elsewhere(tmp_path):
    with pytest.raises(TypeError, match="path"):
        Store(42)
    with pytest.raises(ValueError, match="path"):
        Store(tmp_path)  # a directory
    with Store(tmp_path / "s.sqlite") as s:
        with pytest.raises(ValueError, match="scenario_json"):
            s.register_scenario("h", "n", "{not json")
        with pytest.raises(ValueError, match="name"):
            s.register_scenario("h", "", "{}")
        with pytest.raises(TypeError, match="point"):
            s.batches("h", point="0")


def test_close_is_idempotent_and_store_is_not_picklable(tmp_path):
    import pickle

    s = Store(tmp_path / "s.sqlite")
    with pytest.raises(TypeError, match="pickled"):
        pickle.dumps(s)
    s.close()
    s.close()
    with pytest.raises(RuntimeError, match="closed"):
        s.batches("h")
    assert "closed" in repr(s)


def test_retries_while_another_connection_holds_the_lock(tmp_path, monkeypatch):
    """With a tiny busy timeout, "database is locked" reaches the retry loop, which waits."""
    path = tmp_path / "s.sqlite"
    monkeypatch.setattr(store_mod, "BUSY_TIMEOUT_S", 0.01)
    s = Store(path)
    locked, release = threading.Event(), threading.Event()

    def hold():
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO meta (key, value) VALUES ('holder', 'x')")
        locked.set()
        release.wait(5)
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(5)
    threading.Timer(0.3, release.set).start()
    assert s.add_batch("h", 0, 0, fake_counts(0, 0), 0.0) is True
    assert release.is_set()  # it could only commit once the holder had let go of the lock
    holder.join()
    assert s.batches("h") == {(0, 0): fake_counts(0, 0)}
    s.close()


def test_other_errors_are_not_retried(tmp_path, monkeypatch):
    with Store(tmp_path / "s.sqlite") as s:
        calls = []

        def broken():
            calls.append(1)
            raise sqlite3.OperationalError("no such table: nope")

        with pytest.raises(sqlite3.OperationalError, match="no such table"):
            s._retry(broken)
        assert len(calls) == 1


# ------------------------------------------------------------------------------------------
# several processes


def _writer(path, own_hash, n_batches, shared_hash, rotate, barrier, queue):
    """Process body: add ``n_batches`` to its own scenario and to a shared one, interleaved."""
    try:
        with Store(path) as s:
            s.register_scenario(own_hash, own_hash, "{}")
            s.register_scenario(shared_hash, "shared", "{}")
            barrier.wait(60)
            own_inserted, shared_inserted = 0, []
            keys = [(k % 3, k // 3) for k in range(n_batches)]
            shared_keys = keys[rotate:] + keys[:rotate]
            for (p, b), (sp, sb) in zip(keys, shared_keys):
                own_inserted += s.add_batch(own_hash, p, b, fake_counts(p, b), 0.001)
                if s.add_batch(shared_hash, sp, sb, fake_counts(sp, sb), 0.001):
                    shared_inserted.append((sp, sb))
        queue.put((own_hash, own_inserted, shared_inserted, None))
    except BaseException as exc:  # report instead of dying silently
        queue.put((own_hash, 0, [], repr(exc)))


def test_concurrent_writer_processes(tmp_path):
    path = tmp_path / "shared" / "store.sqlite"
    n_proc, n_batches = 4, 250
    barrier, queue = SPAWN.Barrier(n_proc), SPAWN.Queue()
    procs = [SPAWN.Process(target=_writer, args=(str(path), f"own{i}", n_batches, "shared",
                                                  i * n_batches // n_proc, barrier, queue))
             for i in range(n_proc)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(30)
        assert proc.exitcode == 0
    assert [r[3] for r in results] == [None] * n_proc, results
    keys = {(k % 3, k // 3) for k in range(n_batches)}
    # every process inserted all of its own batches, and each shared batch exactly once
    assert sorted(r[1] for r in results) == [n_batches] * n_proc
    inserted = [key for r in results for key in r[2]]
    assert len(inserted) == len(set(inserted)) == n_batches and set(inserted) == keys
    assert integrity(path) == "ok"
    with Store(path) as s:
        assert {sc["hash"] for sc in s.scenarios()} == {"shared"} | {f"own{i}" for i in range(4)}
        for h in ["shared"] + [f"own{i}" for i in range(n_proc)]:
            got = s.batches(h)
            assert set(got) == keys
            assert all(got[k] == fake_counts(*k) for k in keys)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == (n_proc + 1) * n_batches
    conn.close()


def _endless_writer(path, scenario_hash, progress):
    """Process body: add batches k = 0, 1, 2, ... in order; ``progress`` = committed count."""
    with Store(path) as s:
        s.register_scenario(scenario_hash, "killed", "{}")
        k = 0
        while True:
            p, b = k % 3, k // 3
            s.add_batch(scenario_hash, p, b, fake_counts(p, b), 0.0)
            k += 1
            progress.value = k


def test_sigkilled_writer_leaves_a_consistent_store(tmp_path):
    """Kill a writer mid-stream (three times, resuming each time): every batch it reported as
    committed is there and intact, nothing else but at most the one in flight."""
    path = tmp_path / "store.sqlite"
    seen = 0
    for round_, target in enumerate((40, 150, 400)):
        progress = SPAWN.RawValue("q", 0)
        proc = SPAWN.Process(target=_endless_writer, args=(str(path), "h", progress))
        proc.start()
        deadline = time.monotonic() + 60
        while progress.value < target and time.monotonic() < deadline and proc.is_alive():
            time.sleep(0.002)
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(10)
        assert proc.exitcode == -signal.SIGKILL
        committed = progress.value
        assert committed >= target
        assert integrity(path) == "ok"
        with Store(path) as s:  # a fresh reader (recovers the WAL left by the dead writer)
            got = s.batches("h")
            assert s.scenario("h")["name"] == "killed"
        n = len(got)
        # a prefix of the write order: 0 .. n-1, with n = committed or committed + 1
        assert set(got) == {(k % 3, k // 3) for k in range(n)}
        assert committed <= n <= committed + 1
        assert all(counts == fake_counts(*key) for key, counts in got.items())
        assert n >= seen  # each resumed writer re-adds the old batches (False) and goes on
        seen = n
