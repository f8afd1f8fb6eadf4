"""What a user can do wrong, or what the machine can do to a run (issue 9): a results directory
that cannot be written, a disk that fills up, a store.sqlite that is not a store. Each must end
in one line on stderr that names the path and says what to do, exit status 2, no traceback,
nothing half-written, and the user's store left as it was (byte for byte when it is broken).

The variants that need a real read-only or full file system mount a small tmpfs; where mounting
is not allowed (an unprivileged container) they are skipped, and an in-process equivalent that
always runs covers the same path: SQLite itself reporting SQLITE_FULL in the middle of a run
(its page limit lowered at a chosen batch), os.fsync failing with ENOSPC while an output is
written, the write test of the results directory failing with EACCES.
"""

from __future__ import annotations

import errno
import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from linksim.cli import main
from linksim.report import atomic
from linksim.study import rebuild_rows
from linksim.sim.store import Store, StoreError, check_store

# Tiny but real: the 5G LDPC code with k = 32 over AWGN, 20 batches of 20 frames per point, so
# a run commits 40 batches in a few seconds and a failure can hit it in the middle.
SCENARIO = """
name = "faults"
system = "coded_link"
seed = 5

[params]
code = "ldpc5g"
k = 32
n = 64
num_iter = 4

[sweep.axes]
ebno_db = [1.0, 3.0]

[stop]
max_frame_errors = 100000
max_frames = 400
batch_size = 20
first_batch_size = 20
"""
N_BATCHES = 40
OUTPUTS = ("results.csv", "report.html", "figures/bler.png", "figures/bler.pdf",
           "figures/ber.png", "figures/ber.pdf")


# ------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "faults.toml"
    path.write_text(SCENARIO)
    return path


@pytest.fixture(scope="module")
def baseline(tmp_path_factory, scenario_file) -> Path:
    """The results directory of an uninterrupted run (never modified by the tests)."""
    out = tmp_path_factory.mktemp("baseline") / "out"
    assert main(["run", str(scenario_file), "--out", str(out), "--workers", "1",
                 "--no-progress"]) == 0
    assert not (out / "store.sqlite-wal").exists()  # closed: one self-contained file
    return out


def linksim(capsys, *args) -> tuple[int, str, str]:
    """``linksim ARGS`` in this process: (exit status, stdout, stderr)."""
    capsys.readouterr()
    try:
        rc = main([str(a) for a in args])
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


def run(capsys, scenario_file, out):
    return linksim(capsys, "run", scenario_file, "--out", out, "--workers", 1, "--no-progress")


def one_line_error(err: str, command: str, *needles: str) -> str:
    """Assert that ``err`` is exactly one line, ``linksim COMMAND: error: ...`` holding every
    needle, without a traceback; return the line."""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert line.startswith(f"linksim {command}: error: "), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, relative name -> bytes."""
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def temp_files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")
            or p.name.startswith(".linksim-write-test-")]


def counts_of(rows):
    return [(r["point"], r["frames"], r["frame_errors"], r["bits"], r["bit_errors"])
            for r in rows]


def stored_batches(store: Path) -> int:
    conn = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM batches").fetchone()[0]
    finally:
        conn.close()


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a tmpfs of the given size (bytes) and options; skipped where mounting is not
    allowed. Unmounted afterwards."""
    mounted = []

    def mount(size: int, name: str = "mnt") -> Path:
        point = tmp_path / name
        point.mkdir()
        if shutil.which("mount") is None:
            pytest.skip("no mount command: the tmpfs variant needs one (the in-process "
                        "variant covers the same path)")
        res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(point)], capture_output=True, text=True)
        if res.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip() or res.returncode}): "
                        f"needs root outside a restricted container; the in-process variant "
                        f"covers the same path")
        mounted.append(point)
        return point

    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], capture_output=True)


def remount_read_only(point: Path) -> None:
    res = subprocess.run(["mount", "-o", "remount,ro", str(point)], capture_output=True,
                         text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot remount the tmpfs read-only ({res.stderr.strip()})")


def fill(point: Path, leave: int) -> Path:
    """Fill the file system of ``point`` up to ``leave`` free bytes; returns the filler file."""
    filler = point / "filler"
    st = os.statvfs(point)
    free = st.f_bavail * st.f_frsize
    assert free > leave
    with open(filler, "wb") as fh:
        fh.write(b"\0" * (free - leave))
    return filler


# ------------------------------------------------------------------------------------------
# --out that cannot be written: caught before any simulation starts


def test_out_is_an_existing_file(capsys, scenario_file, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    rc, out, err = run(capsys, scenario_file, target)
    assert rc == 2
    one_line_error(err, "run", "argument --out", repr(str(target)), "existing file",
                   "allowed: a directory")
    assert out == ""                      # nothing started: not even the run's header
    assert target.read_text() == "mine\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_out_under_a_file(capsys, scenario_file, tmp_path):
    target = tmp_path / "notes.txt"
    target.write_text("mine\n")
    rc, out, err = run(capsys, scenario_file, target / "sub" / "dir")
    assert rc == 2
    one_line_error(err, "run", "argument --out", repr(str(target)), "is a file, not a directory")
    assert out == "" and target.read_text() == "mine\n"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_out_under_proc(capsys, scenario_file):
    missing = f"/proc/linksim-{uuid.uuid4().hex}"
    for target in (missing, "/proc"):
        rc, out, err = run(capsys, scenario_file, target)
        assert rc == 2
        one_line_error(err, "run", "argument --out", repr(target), "choose another directory")
        assert out == ""
    assert not Path(missing).exists()


def test_out_read_only_directory(capsys, scenario_file, tmp_path, tmpfs):
    """A directory the user cannot write: chmod 555 for a normal user; root ignores
    permissions, so there a read-only tmpfs (skipped where it cannot be mounted)."""
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    else:
        folder = tmpfs(1 << 20)
        remount_read_only(folder)
    try:
        rc, out, err = run(capsys, scenario_file, folder)
    finally:
        if os.geteuid() != 0:
            folder.chmod(0o755)
    assert rc == 2
    one_line_error(err, "run", "argument --out", f"cannot write in {str(folder)!r}",
                   "choose another directory or make this one writable")
    assert out == ""
    assert list(folder.iterdir()) == []


def test_out_not_writable_in_process(capsys, scenario_file, tmp_path, monkeypatch):
    """Always runs (also as root): the write test of --out fails with EACCES."""
    def denied(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    folder = tmp_path / "out"
    rc, out, err = run(capsys, scenario_file, folder)
    assert rc == 2
    one_line_error(err, "run", "argument --out", f"cannot write in {str(folder)!r}",
                   os.strerror(errno.EACCES), "make this one writable")
    assert out == "" and list(folder.iterdir()) == []


def test_report_on_read_only_results_dir(capsys, scenario_file, tmp_path, tmpfs, baseline):
    if os.geteuid() != 0:
        folder = tmp_path / "ro"
        shutil.copytree(baseline, folder)
        before = snapshot(folder)
        folder.chmod(0o555)
    else:
        point = tmpfs(4 << 20)
        folder = point / "out"
        shutil.copytree(baseline, folder)
        before = snapshot(folder)
        remount_read_only(point)
    try:
        rc, out, err = linksim(capsys, "report", folder)
    finally:
        if os.geteuid() != 0:
            folder.chmod(0o755)
    assert rc == 2
    one_line_error(err, "report", "results_dir", f"cannot write in {str(folder)!r}",
                   "copy the results directory somewhere writable")
    assert out == ""
    assert snapshot(folder) == before


def test_report_not_writable_in_process(capsys, tmp_path, monkeypatch, baseline):
    folder = tmp_path / "out"
    shutil.copytree(baseline, folder)
    before = snapshot(folder)

    def denied(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    rc, out, err = linksim(capsys, "report", folder)
    assert rc == 2
    one_line_error(err, "report", "results_dir", repr(str(folder)), os.strerror(errno.EROFS),
                   "copy the results directory somewhere writable")
    assert snapshot(folder) == before


# ------------------------------------------------------------------------------------------
# a full disk during run or report


def fail_batch_with_full_disk(monkeypatch, k: int) -> None:
    """Make SQLite report SQLITE_FULL while committing the ``k``-th batch of a run: its page
    limit is set to the file's current size inside that batch's transaction, and a statement
    that needs one more page fails as on a full disk (the transaction is rolled back)."""
    real_add = Store.add_batch
    calls = []

    def add_batch(self, *args, **kwargs):
        calls.append(args)
        if len(calls) == k:
            real_write = self._write

            def full_write(body):
                def body_then_full(conn):
                    result = body(conn)
                    pages = conn.execute("PRAGMA page_count").fetchone()[0]
                    conn.execute(f"PRAGMA max_page_count = {pages}")
                    conn.execute("CREATE TABLE needs_a_page (x)")   # -> SQLITE_FULL
                    return result
                return real_write(body_then_full)

            self._write = full_write
        return real_add(self, *args, **kwargs)

    monkeypatch.setattr(Store, "add_batch", add_batch)


def test_disk_full_during_run_in_process(capsys, scenario_file, tmp_path, monkeypatch,
                                         baseline):
    out_dir = tmp_path / "out"
    k = 17
    with monkeypatch.context() as patch:
        fail_batch_with_full_disk(patch, k)
        rc, out, err = run(capsys, scenario_file, out_dir)
    assert rc == 2
    store = out_dir / "store.sqlite"
    one_line_error(err, "run", repr(str(store)), "the disk is full",
                   f"the {k - 1} batch(es) committed before are safe in the store",
                   "free some space and run the same command again")
    # the store opens and holds exactly the batches committed before; no output was written
    assert stored_batches(store) == k - 1
    with Store(store) as s:
        assert len(s.batches(s.scenarios()[0]["hash"])) == k - 1
    assert [p.name for p in out_dir.iterdir() if not p.name.startswith("store.sqlite")] == []
    # the same command again resumes and ends with the counts of an uninterrupted run
    rc, out, err = run(capsys, scenario_file, out_dir)
    assert rc == 0, err
    assert stored_batches(store) == N_BATCHES
    assert counts_of(rebuild_rows(out_dir)[1]) == counts_of(rebuild_rows(baseline)[1])
    assert (out_dir / "results.csv").read_bytes() == (baseline / "results.csv").read_bytes()


def test_disk_full_during_run_tmpfs(capsys, scenario_file, tmpfs, baseline):
    point = tmpfs(1 << 20)
    out_dir = point / "out"
    filler = fill(point, 100_000)      # room for the store and a few batches, not for 40
    rc, out, err = run(capsys, scenario_file, out_dir)
    assert rc == 2
    store = out_dir / "store.sqlite"
    line = one_line_error(err, "run", repr(str(store)), "the disk is full",
                          "committed before are safe in the store",
                          "free some space and run the same command again")
    committed = stored_batches(store)
    assert 0 < committed < N_BATCHES
    assert f"the {committed} batch(es) committed before" in line
    assert temp_files(point) == [] and not (out_dir / "results.csv").exists()
    filler.unlink()
    rc, out, err = run(capsys, scenario_file, out_dir)
    assert rc == 0, err
    assert stored_batches(store) == N_BATCHES
    assert counts_of(rebuild_rows(out_dir)[1]) == counts_of(rebuild_rows(baseline)[1])
    assert (out_dir / "results.csv").read_bytes() == (baseline / "results.csv").read_bytes()


def no_space_while_writing(monkeypatch, name: str) -> None:
    """Make the output file ``name`` (e.g. "bler.pdf") fail with ENOSPC in os.fsync, after
    its temporary file was created and written: the moment a full disk shows."""
    real_stage, real_fsync = atomic._stage, os.fsync

    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def stage(path, data):
        if path.name != name:
            return real_stage(path, data)
        monkeypatch.setattr(os, "fsync", no_space)
        try:
            return real_stage(path, data)
        finally:
            monkeypatch.setattr(os, "fsync", real_fsync)

    monkeypatch.setattr(atomic, "_stage", stage)


def test_disk_full_writing_run_outputs_in_process(capsys, scenario_file, tmp_path,
                                                  monkeypatch, baseline):
    out_dir = tmp_path / "out"
    with monkeypatch.context() as patch:
        no_space_while_writing(patch, "ber.png")
        rc, out, err = run(capsys, scenario_file, out_dir)
    assert rc == 2
    one_line_error(err, "run", repr(str(out_dir / "figures" / "ber.png")),
                   os.strerror(errno.ENOSPC), "all its results are in",
                   "free some space", f"`linksim report {out_dir}`")
    # the simulation is complete in the store; no output exists, not even half of one
    assert sorted(p.name for p in out_dir.iterdir()) == ["store.sqlite"]
    assert stored_batches(out_dir / "store.sqlite") == N_BATCHES
    rc, out, err = linksim(capsys, "report", out_dir)
    assert rc == 0, err
    assert (out_dir / "results.csv").read_bytes() == (baseline / "results.csv").read_bytes()
    assert all((out_dir / name).is_file() for name in OUTPUTS)


def test_disk_full_during_report_in_process(capsys, tmp_path, monkeypatch, baseline):
    folder = tmp_path / "out"
    shutil.copytree(baseline, folder)
    before = snapshot(folder)
    with monkeypatch.context() as patch:
        no_space_while_writing(patch, "bler.pdf")
        rc, out, err = linksim(capsys, "report", folder)
    assert rc == 2
    one_line_error(err, "report", repr(str(folder / "figures" / "bler.pdf")),
                   os.strerror(errno.ENOSPC), "the store was not changed", "free some space",
                   "run the same command again")
    assert snapshot(folder) == before         # every output as it was, no temporary file
    rc, out, err = linksim(capsys, "report", folder)
    assert rc == 0, err
    after = snapshot(folder)
    assert {k: v for k, v in after.items() if k != "report.html"} == \
        {k: v for k, v in before.items() if k != "report.html"}


def test_disk_full_during_report_tmpfs(capsys, tmpfs, baseline):
    point = tmpfs(2 << 20)
    folder = point / "out"
    shutil.copytree(baseline, folder)
    (folder / "figures" / "ber.pdf").unlink()   # so that the report has to write something new
    before = snapshot(folder)
    filler = fill(point, 40_000)                # less than the figures and the page need
    rc, out, err = linksim(capsys, "report", folder)
    assert rc == 2
    one_line_error(err, "report", f"cannot write '{folder}/", os.strerror(errno.ENOSPC),
                   "free some space", "run the same command again")
    assert snapshot(folder) == before and temp_files(point) == []
    filler.unlink()
    rc, out, err = linksim(capsys, "report", folder)
    assert rc == 0, err
    assert all((folder / name).is_file() for name in OUTPUTS)


# ------------------------------------------------------------------------------------------
# a store.sqlite that is not a store: say so, change nothing


def _truncated(store: Path) -> None:
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2])


def _garbage(store: Path) -> None:
    store.write_bytes(bytes(range(256)) * 40)


def _text(store: Path) -> None:
    store.write_text("ebno_db,frames,frame_errors\n1.0,400,38\n")


def _sql(statement: str):
    def corrupt(store: Path) -> None:
        conn = sqlite3.connect(store)
        conn.execute(statement)
        conn.commit()
        conn.close()
    return corrupt


CORRUPTIONS = {
    "truncated": (_truncated, "database disk image is malformed"),
    "garbage": (_garbage, "file is not a database"),
    "text": (_text, "file is not a database"),
    "bad-counts-json": (_sql("UPDATE batches SET counts = '{\"frames\": 20, \"frame_e' "
                             "WHERE point = 1 AND batch = 3"),
                        "point=1, batch=3: counts is not a JSON object"),
    "negative-count": (_sql("UPDATE batches SET counts = '{\"frames\": 20, "
                            "\"frame_errors\": -1}' WHERE point = 0 AND batch = 0"),
                       "point=0, batch=0: counts is not a JSON object"),
    "bad-scenario-json": (_sql("UPDATE scenarios SET json = 'not json'"),
                          "table scenarios, row hash="),
    "foreign-schema": (_sql("CREATE TABLE invoices (id INTEGER, amount REAL)"),
                       "an SQLite database with the table(s) invoices"),
    "wrong-columns": (_sql("ALTER TABLE batches RENAME COLUMN counts TO tallies"),
                      "table batches lacks the column(s) counts"),
}


@pytest.mark.parametrize("command", ["run", "report"])
@pytest.mark.parametrize("kind", list(CORRUPTIONS))
def test_corrupt_store_is_reported_and_left_alone(capsys, scenario_file, tmp_path, baseline,
                                                  kind, command):
    folder = tmp_path / "out"
    folder.mkdir()
    store = folder / "store.sqlite"
    shutil.copyfile(baseline / "store.sqlite", store)
    corrupt, what = CORRUPTIONS[kind]
    corrupt(store)
    before = store.read_bytes()
    if command == "run":
        rc, out, err = run(capsys, scenario_file, folder)
    else:
        rc, out, err = linksim(capsys, "report", folder)
    assert rc == 2
    one_line_error(err, command, repr(str(store)), "is not a readable linksim store", what,
                   "nothing was changed", "move it aside", "rerun `linksim run`")
    assert out == ""                                  # no simulation started
    assert store.read_bytes() == before               # the user's file, byte for byte
    assert sorted(p.name for p in folder.iterdir()) == ["store.sqlite"]  # nothing written


def test_check_store_and_store_leave_a_broken_wal_file_alone(tmp_path, baseline):
    """A truncated WAL-mode file: the read-only check makes SQLite create -wal/-shm; they are
    removed again, and Store refuses the file without writing to it."""
    store = tmp_path / "store.sqlite"
    data = (baseline / "store.sqlite").read_bytes()
    assert data[18:20] == b"\x02\x02"                 # WAL mode in the header
    store.write_bytes(data[:8192])
    for attempt in (check_store, Store):
        with pytest.raises(StoreError, match="not a readable linksim store") as info:
            attempt(store)
        assert info.value.path == store
        assert store.read_bytes() == data[:8192]
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store.sqlite"]


def test_empty_file_becomes_a_store(tmp_path):
    """A zero-byte store.sqlite (a run killed before its first commit) is a new store."""
    store = tmp_path / "store.sqlite"
    store.touch()
    check_store(store)
    with Store(store) as s:
        s.register_scenario("h", "n", "{}")
        assert s.add_batch("h", 0, 0, {"frames": 1, "frame_errors": 0}, 0.0)


def test_console_has_no_traceback(scenario_file, tmp_path, linksim_subprocess):
    """The real command line, in a fresh process: one line on stderr, status 2."""
    garbage = tmp_path / "out"
    garbage.mkdir()
    (garbage / "store.sqlite").write_bytes(b"\x00garbage" * 100)
    afile = tmp_path / "afile"
    afile.write_text("x")
    for args in (["report", str(garbage)],
                 ["run", str(scenario_file), "--out", str(afile), "--workers", "1"]):
        res = linksim_subprocess(*args, timeout=120)
        assert res.returncode == 2
        assert "Traceback" not in res.stderr
        assert len(res.stderr.splitlines()) == 1 and res.stderr.startswith("linksim ")
        assert res.stdout == ""


def test_report_on_a_stored_description_of_the_wrong_shape(tmp_path):
    """Valid JSON that is not a scenario record (a hand-edited store): one line, exit 2, the
    store's bytes unchanged."""
    import json
    out = tmp_path / "res"
    with Store(out / "store.sqlite") as store:
        store.register_scenario("h" * 64, "x", json.dumps({"scenario": {"stop": 3},
                                                           "points": [{}], "axes": [{}]}))
    before = (out / "store.sqlite").read_bytes()
    with pytest.raises(SystemExit) as exc:
        main(["report", str(out)])
    assert exc.value.code == 2
    assert (out / "store.sqlite").read_bytes() == before
