"""The results store: one SQLite file holding every finished batch of every scenario of a run.

``linksim run`` writes ``results/<scenario>/store.sqlite``. The file may be shared by several
scenarios (told apart by their hash) and written by several processes at once (two runs of
different scenarios, a resumed run next to a running one). The rules:

* **One transaction per batch.** :meth:`Store.add_batch` commits before it returns, so a run
  killed at any moment (``SIGKILL`` included) loses at most the batch in flight, and the file
  stays consistent: SQLite's write-ahead log makes every commit atomic.
* **No batch is counted twice.** Rows are keyed by ``(scenario_hash, point, batch)``. A batch is
  a pure function of its key (see :mod:`linksim.sim.montecarlo`), so adding an existing key is a
  no-op that returns ``False``, provided the counts agree; different counts for the same key
  mean the simulation is not reproducible and raise ``RuntimeError``.
* **Concurrent writers wait, they do not fail.** The database runs in WAL journal mode (readers
  never block the writer), every write transaction starts with ``BEGIN IMMEDIATE`` (so it takes
  the write lock up front instead of failing on a lock upgrade), SQLite's busy handler waits up
  to :data:`BUSY_TIMEOUT_S`, and an ``OperationalError: database is locked`` that still gets
  through is retried with exponential backoff for up to :data:`RETRY_DEADLINE_S`.

``synchronous = NORMAL`` is used with WAL: a commit survives the death of the process (the data
is in the OS page cache and the WAL file) but a power cut may drop the last few commits; it
never corrupts the file, and a resumed run simply recomputes those batches.

WAL needs shared memory between the processes that open the file, so the store must live on a
local file system (not NFS/SMB). A :class:`Store` holds one connection and belongs to the
process (and thread) that opened it; other processes open their own ``Store(path)``.

What a user or the machine can do to a store ends in a :class:`StoreError`, whose text is one
line naming the file and what to do (``linksim`` prints it and exits with status 2):

* **A file that is not a store** (not SQLite, truncated, random bytes, another program's
  database, a row whose JSON does not hold what the store writes) is refused before anything is
  written to it: :func:`check_store` reads it through a read-only connection, so the user's file
  stays byte for byte as it was.
* **A store that cannot be written** (read-only, a full disk) fails the write in flight, which
  is rolled back; every batch committed before stays, and the message says so and that running
  the same command again resumes. :func:`check_writable_dir` lets a command find a results
  directory that cannot be written before any work starts.

Other SQLite errors (a bad statement, a constraint) are programming errors and pass unchanged.

Schema
------
``scenarios(hash PRIMARY KEY, name, json, created, linksim_version, last_run)`` and
``batches(scenario_hash, point, batch, frames, frame_errors, counts, elapsed_s, finished_at)``
with primary key ``(scenario_hash, point, batch)``; ``counts`` is the JSON text of all counts
(sorted keys), ``frames`` and ``frame_errors`` are copies as integer columns for SQL queries.
Analysis systems (deterministic, one evaluation per point) use
``evaluations(scenario_hash, point, results, elapsed_s, finished_at)`` with primary key
``(scenario_hash, point)``; ``results`` is the JSON text of the point's values (sorted keys;
finite numbers or null). :meth:`Store.add_evaluation` follows the batch rules: one transaction
per point, and a point already stored is kept as it is (the table was added to schema version 1
without a version bump: older files gain it when opened, older linksim ignores it).
Timestamps are ISO 8601 in UTC.

A scenario's hash covers only what changes its counts (system, parameters, sweep, seed, stop
rule); what it is *reported* with (confidence, metrics, predictions, figures) may change between
two runs into the same directory. Registering a known hash again therefore replaces its name and
JSON and sets ``last_run``: the store reports a scenario as its latest run asked for, and
:meth:`Store.scenarios` lists scenarios by their latest run. (``last_run`` was added to schema
version 1 without a version bump: older files gain the column, empty, when opened.)
"""

from __future__ import annotations

import errno
import json
import math
import numbers
import os
import random
import sqlite3
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Mapping, TypeVar

from linksim.checks import check_int

__all__ = ["Store", "StoreError", "check_store", "check_writable_dir", "SCHEMA_VERSION",
           "BUSY_TIMEOUT_S", "RETRY_DEADLINE_S"]

#: Version of the table layout, stored in the ``meta`` table.
SCHEMA_VERSION = 1
#: Seconds SQLite's own busy handler waits for a lock before reporting "database is locked".
BUSY_TIMEOUT_S = 60.0
#: Seconds :class:`Store` keeps retrying a locked database (with backoff) before giving up.
RETRY_DEADLINE_S = 600.0
#: First and largest pause between retries, in seconds.
_BACKOFF_MIN_S = 0.005
_BACKOFF_MAX_S = 1.0

#: The counts every batch must carry (they also get integer columns).
_REQUIRED = ("frames", "frame_errors")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS scenarios (
        hash            TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        json            TEXT NOT NULL,
        created         TEXT NOT NULL,
        linksim_version TEXT NOT NULL,
        last_run        TEXT
    )""",
    """CREATE TABLE IF NOT EXISTS batches (
        scenario_hash TEXT    NOT NULL,
        point         INTEGER NOT NULL CHECK (point >= 0),
        batch         INTEGER NOT NULL CHECK (batch >= 0),
        frames        INTEGER NOT NULL CHECK (frames >= 0),
        frame_errors  INTEGER NOT NULL CHECK (frame_errors >= 0),
        counts        TEXT    NOT NULL,
        elapsed_s     REAL    NOT NULL,
        finished_at   TEXT    NOT NULL,
        PRIMARY KEY (scenario_hash, point, batch)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS evaluations (
        scenario_hash TEXT    NOT NULL,
        point         INTEGER NOT NULL CHECK (point >= 0),
        results       TEXT    NOT NULL,
        elapsed_s     REAL    NOT NULL,
        finished_at   TEXT    NOT NULL,
        PRIMARY KEY (scenario_hash, point)
    ) WITHOUT ROWID""",
)

_T = TypeVar("_T")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def _check_str(name: str, value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; "
                        f"allowed: a non-empty string")
    if not value:
        raise ValueError(f"{name}: got an empty string; allowed: a non-empty string")
    return value


def _check_counts(counts) -> dict[str, int]:
    """``counts`` as a plain ``{str: int}`` dict with sorted keys; errors name the bad entry."""
    if not isinstance(counts, Mapping):
        raise TypeError(f"counts: got {counts!r} of type {type(counts).__name__}; "
                        f"allowed: a mapping of count names to non-negative integers")
    out = {}
    for key in sorted(counts, key=str):
        value = counts[key]
        if not isinstance(key, str) or not key:
            raise TypeError(f"counts: key {key!r}; allowed: non-empty strings")
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"counts[{key!r}]: got {value!r} of type {type(value).__name__}; "
                            f"allowed: a non-negative integer")
        if value < 0 or value > 2**63 - 1:
            raise ValueError(f"counts[{key!r}]: got {value!r}; "
                             f"allowed: a non-negative integer < 2**63")
        out[key] = int(value)
    missing = [key for key in _REQUIRED if key not in out]
    if missing:
        raise ValueError(f"counts: missing {', '.join(repr(k) for k in missing)} in {counts!r}; "
                         f"allowed: a mapping that includes {', '.join(_REQUIRED)}")
    return out


def _check_values(values) -> dict[str, float | int | None]:
    """``values`` as a plain dict with sorted keys: finite numbers (``int`` or ``float``) or
    None; errors name the bad entry."""
    if not isinstance(values, Mapping):
        raise TypeError(f"values: got {values!r} of type {type(values).__name__}; "
                        f"allowed: a mapping of quantity names to finite numbers or None")
    out: dict[str, float | int | None] = {}
    for key in sorted(values, key=str):
        value = values[key]
        if not isinstance(key, str) or not key:
            raise TypeError(f"values: key {key!r}; allowed: non-empty strings")
        if value is None:
            out[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"values[{key!r}]: got {value!r} of type {type(value).__name__}; "
                            f"allowed: a finite number or None")
        if isinstance(value, numbers.Integral):
            out[key] = int(value)
        elif math.isfinite(float(value)):
            out[key] = float(value)
        else:
            raise ValueError(f"values[{key!r}]: got {value!r}; allowed: a finite number or "
                             f"None")
    return out


def _check_elapsed(elapsed_s) -> float:
    if isinstance(elapsed_s, bool) or not isinstance(elapsed_s, numbers.Real):
        raise TypeError(f"elapsed_s: got {elapsed_s!r} of type {type(elapsed_s).__name__}; "
                        f"allowed: a finite number of seconds >= 0")
    elapsed = float(elapsed_s)
    if not (math.isfinite(elapsed) and elapsed >= 0.0):
        raise ValueError(f"elapsed_s: got {elapsed_s!r}; allowed: a finite number of "
                         f"seconds >= 0")
    return elapsed


def _counts_json(counts: dict[str, int]) -> str:
    return json.dumps(counts, sort_keys=True, separators=(",", ":"))


# -- what a user can get wrong: one-line errors -----------------------------------------------

class StoreError(Exception):
    """A results directory or store file that cannot be used as it is.

    ``str(exc)`` is one line that names the path, says what is wrong and what to do;
    ``linksim run`` and ``linksim report`` print it and exit with status 2. Raised for a file
    that is not a readable linksim store (not SQLite, truncated, another program's database,
    unreadable JSON in a row: see :func:`check_store`, which looks through a read-only
    connection, so such a file is left exactly as it was), for a store that cannot be written
    (read-only, a full disk: what was committed before stays in the store, and running the
    same command again resumes there), and by :func:`check_writable_dir`. ``path`` is the file
    or directory concerned.
    """

    def __init__(self, message: str, path=None):
        super().__init__(message)
        self.path = None if path is None else Path(path)


#: The columns each table of a store must have; a table may have more (columns added later in
#: place, such as ``scenarios.last_run``), a store may lack a table (it is created on opening).
_COLUMNS = {
    "meta": ("key", "value"),
    "scenarios": ("hash", "name", "json", "created", "linksim_version"),
    "batches": ("scenario_hash", "point", "batch", "frames", "frame_errors", "counts",
                "elapsed_s", "finished_at"),
    "evaluations": ("scenario_hash", "point", "results", "elapsed_s", "finished_at"),
}

#: The JSON columns, checked row by row in SQL: (table, key columns, what a row must hold, the
#: condition that finds a row that does not). CASE keeps json_type() off invalid JSON text.
_JSON_CHECKS = (
    ("scenarios", ("hash",), "json is not valid JSON", "json_valid(json) IS NOT 1"),
    ("batches", ("scenario_hash", "point", "batch"),
     "counts is not a JSON object of non-negative integer counts with frames and frame_errors",
     "CASE WHEN json_valid(counts) IS 1 AND json_type(counts) = 'object' THEN "
     "json_type(counts, '$.frames') IS NOT 'integer' OR "
     "json_type(counts, '$.frame_errors') IS NOT 'integer' OR "
     "EXISTS (SELECT 1 FROM json_each(counts) WHERE type <> 'integer' OR value < 0) "
     "ELSE 1 END"),
    ("evaluations", ("scenario_hash", "point"),
     "results is not a JSON object of numbers and nulls",
     "CASE WHEN json_valid(results) IS 1 AND json_type(results) = 'object' THEN "
     "EXISTS (SELECT 1 FROM json_each(results) WHERE type NOT IN ('integer', 'real', 'null')) "
     "ELSE 1 END"),
)

# Primary SQLite result codes that are about the file or the disk, not about the program.
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL = 8, 10, 11, 13
_SQLITE_CANTOPEN, _SQLITE_NOTADB = 14, 26
#: The same, by SQLite's message (for an exception that carries no code).
_SQLITE_MESSAGES = {
    "file is not a database": _SQLITE_NOTADB, "database disk image is malformed": _SQLITE_CORRUPT,
    "database or disk is full": _SQLITE_FULL, "attempt to write a readonly database":
    _SQLITE_READONLY, "unable to open database file": _SQLITE_CANTOPEN,
    "disk i/o error": _SQLITE_IOERR,
}
#: Free space (bytes) below which an I/O error is reported as a full disk.
_NEARLY_FULL = 1 << 20


def _q(path) -> str:
    """A path as it appears in messages (quoted, so spaces and odd characters show)."""
    return repr(os.fspath(path))


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _sqlite_code(exc: sqlite3.Error) -> int | None:
    """The primary SQLite result code of ``exc`` (from the code it carries, else its text)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(exc).lower()
    return next((c for message, c in _SQLITE_MESSAGES.items() if message in text), None)


def _nearly_full(folder: Path) -> bool:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return st.f_bavail * st.f_frsize < _NEARLY_FULL


def _not_a_store(path: Path, what: str) -> StoreError:
    return StoreError(
        f"{_q(path)} is not a readable linksim store ({what}); nothing was changed: move it "
        f"aside (e.g. mv {_q(path)} {_q(str(path) + '.broken')}) and rerun `linksim run`, "
        f"which starts a new store there", path)


def _store_problem(conn: sqlite3.Connection) -> str | None:
    """What makes the database of ``conn`` not a linksim store, or None (also for an empty
    database: a new store). Reads only."""
    tables = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND substr(name, 1, 7) <> 'sqlite_'")}
    if not tables:
        return None
    foreign = sorted(tables - set(_COLUMNS))
    if foreign:
        return (f"an SQLite database with the table(s) {', '.join(foreign)}; a linksim store "
                f"has only {', '.join(_COLUMNS)}")
    for table in (t for t in _COLUMNS if t in tables):
        have = {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}
        missing = [c for c in _COLUMNS[table] if c not in have]
        if missing:
            return (f"an SQLite database whose table {table} lacks the column(s) "
                    f"{', '.join(missing)}")
    if "meta" in tables:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is not None and str(row[0]) != str(SCHEMA_VERSION):
            return (f"store schema version {row[0]!r}; this linksim reads version "
                    f"{SCHEMA_VERSION}")
    found = conn.execute("PRAGMA quick_check(1)").fetchone()
    if found is None or found[0] != "ok":
        return f"SQLite integrity check: {found[0] if found else 'no answer'}"
    for table, keys, what, bad in _JSON_CHECKS:
        if table not in tables:
            continue
        row = conn.execute(f"SELECT {', '.join(keys)} FROM {table} WHERE {bad} "
                           f"LIMIT 1").fetchone()
        if row is not None:
            where = ", ".join(f"{key}={value!r}" for key, value in zip(keys, row))
            return f"table {table}, row {where}: {what}"
    return None


#: Files that passed :func:`check_store` in this process, by :func:`_fingerprint`: a report
#: opens its store several times, and a check reads every row.
_CHECKED: set[tuple] = set()


def _fingerprint(path: Path) -> tuple:
    """What identifies the content of the store ``path``: the file (device, inode, size,
    modification time) and its WAL file, if that holds anything."""
    st = path.stat()
    try:
        wal = path.with_name(path.name + "-wal").stat()
        wal_key = (wal.st_size, wal.st_mtime_ns) if wal.st_size else None
    except FileNotFoundError:
        wal_key = None
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, wal_key


def check_store(path) -> None:
    """Check that the existing file ``path`` is a linksim store (or an empty SQLite file, which
    becomes one); raises :class:`StoreError` saying what is wrong otherwise.

    The file is read through a read-only connection (SQLite's ``mode=ro``), so nothing is
    written to it, not even a checkpoint on closing; a missing file passes (a new store).
    Checked: that it is an SQLite database (not truncated, not random bytes, not a text file),
    that its tables are a store's (no other tables, none lacking a column), its schema version,
    SQLite's ``quick_check``, and that every JSON column holds what the store writes there
    (about 10 us a batch; a file that passed, unchanged since, is not read again in this
    process). :class:`Store` runs this before it writes anything.
    """
    path = Path(path)
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{_q(path)} is a directory, not a store file; move it aside and "
                         f"rerun `linksim run`", path)
    fingerprint = _fingerprint(path)
    if fingerprint in _CHECKED:
        return
    uri = Path(os.path.abspath(path)).as_uri() + "?mode=ro"
    # Reading a WAL-mode file makes SQLite create its -wal and -shm files; if the file turns
    # out not to be a store, those this check created (the -wal still empty) are removed again.
    sidecars = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    new_sidecars = [p for p in sidecars if not p.exists()]
    deadline = time.monotonic() + RETRY_DEADLINE_S
    while True:
        try:
            conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            try:
                problem = _store_problem(conn)
            finally:
                conn.close()
            break
        except sqlite3.DatabaseError as exc:
            problem = exc
            if (isinstance(exc, sqlite3.OperationalError) and _is_locked(exc)
                    and time.monotonic() < deadline):
                time.sleep(_BACKOFF_MAX_S * random.random())
                continue
            break
    if problem is None:
        _CHECKED.add(fingerprint)
        return
    if len(new_sidecars) == 2 and sidecars[0].is_file() and sidecars[0].stat().st_size == 0:
        for sidecar in new_sidecars:
            sidecar.unlink(missing_ok=True)
    if isinstance(problem, str):
        raise _not_a_store(path, problem)
    code = _sqlite_code(problem)
    if code in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
        raise _not_a_store(path, str(problem)) from problem
    if code in (_SQLITE_CANTOPEN, _SQLITE_READONLY, _SQLITE_IOERR):
        raise StoreError(f"{_q(path)}: cannot read the store ({problem}); it must be a "
                         f"readable file in a folder you can write (SQLite keeps "
                         f"{path.name}-wal and {path.name}-shm next to it)", path) from problem
    raise problem


def check_writable_dir(path, name: str, todo: str | None = None) -> Path:
    """Create the directory ``path`` (and its parents) if missing and check that files can be
    written in it: the store, its ``-wal`` and ``-shm`` files and the outputs live there.
    Returns it as a ``Path``.

    Raises :class:`StoreError`, one line naming ``name`` (where the path came from, e.g. the
    option ``--out``), the path and what to do (``todo``, default: choose another directory or
    make this one writable), for a path that is an existing file or lies under one, that cannot
    be created (e.g. under ``/proc``), or whose directory cannot be written (read-only,
    permissions, a full disk: a page of data is written and synced, then removed).

    Run it before any work starts, so that no work is lost; a failure later on (the disk fills
    up during a run) is reported by :class:`Store` and by the code that writes the outputs.
    """
    folder = Path(path)
    todo = todo or "choose another directory or make this one writable"
    if folder.exists() and not folder.is_dir():
        raise StoreError(f"{name}: got {_q(folder)}, which is an existing file, not a "
                         f"directory; allowed: a directory (new or existing) that can be "
                         f"written", folder)
    for parent in folder.parents:
        if parent.exists():
            if not parent.is_dir():
                raise StoreError(f"{name}: got {_q(folder)}, but {_q(parent)} is a file, not "
                                 f"a directory; allowed: a directory (new or existing) that "
                                 f"can be written", folder)
            break
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"{name}: cannot create the directory {_q(folder)} ({_reason(exc)}); "
                         f"allowed: a directory on a writable file system; {todo}",
                         folder) from exc
    probe = None
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".linksim-write-test-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(b"\0" * 4096)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        full = getattr(exc, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
        fix = "free some space and run again" if full else todo
        raise StoreError(f"{name}: cannot write in {_q(folder)} ({_reason(exc)}); {fix}",
                         folder) from exc
    finally:
        if probe is not None:
            try:
                os.unlink(probe)
            except FileNotFoundError:
                pass
    return folder


class Store:
    """The SQLite results store of one results directory (see the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The database file, e.g. ``results/<scenario>/store.sqlite``. Parent directories are
        created; the schema is created if missing (safe to do from several processes at once).

    A ``Store`` holds a single connection and must be used only by the process and thread that
    created it; it cannot be pickled. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(self, path):
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path: got {path!r} of type {type(path).__name__}; "
                            f"allowed: a file path (str or os.PathLike)")
        self.path = Path(path)
        if not os.fspath(path):
            raise ValueError("path: got an empty path; allowed: the path of an SQLite file, "
                             "e.g. results/<scenario>/store.sqlite")
        if self.path.is_dir():
            raise ValueError(f"path: got {str(path)!r}, which is a directory; allowed: the path "
                             f"of an SQLite file, e.g. results/<scenario>/store.sqlite")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{_q(self.path.parent)}: cannot create the store's folder "
                             f"({_reason(exc)}); choose a results directory that can be "
                             f"written", self.path.parent) from exc
        self._pid = os.getpid()
        self._conn: sqlite3.Connection | None = None
        check_store(self.path)          # read-only: a file that is not a store stays as it is
        try:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S,
                                         isolation_level=None)
        except sqlite3.DatabaseError as exc:
            self._reraise(exc)
        try:
            self._retry(self._setup)
        except BaseException:
            self._conn.close()
            self._conn = None
            raise

    # -- plumbing ---------------------------------------------------------------------------

    def _setup(self) -> None:
        conn = self._conn
        # Switching to WAL needs a moment of exclusive access; it is persistent, so only the
        # first opener of a new file actually switches.
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise StoreError(f"{_q(self.path)} could not be put in WAL journal mode (got "
                             f"{mode!r}); the store needs a local file system (not NFS/SMB): "
                             f"choose a results directory on one", self.path)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        self._write(self._create_schema)

    def _create_schema(self, conn: sqlite3.Connection) -> None:
        for statement in _SCHEMA:
            conn.execute(statement)
        columns = {row[1] for row in conn.execute("PRAGMA table_info(scenarios)")}
        if "last_run" not in columns:       # a store written before last_run existed
            conn.execute("ALTER TABLE scenarios ADD COLUMN last_run TEXT")
        conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', ?)",
                     (str(SCHEMA_VERSION),))
        found = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
        if found != str(SCHEMA_VERSION):
            raise RuntimeError(f"path: {self.path} has store schema version {found}; this "
                               f"linksim reads version {SCHEMA_VERSION}")

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError(f"Store({str(self.path)!r}) is closed")
        if os.getpid() != self._pid:
            raise RuntimeError(f"Store({str(self.path)!r}) was opened in process {self._pid} and "
                               f"cannot be used in process {os.getpid()}; open a new "
                               f"Store(path) there")
        return self._conn

    def _retry(self, op: Callable[[], _T]) -> _T:
        """Run ``op``; on "database is locked"/"busy" roll back, back off and run it again."""
        deadline = time.monotonic() + RETRY_DEADLINE_S
        pause = _BACKOFF_MIN_S
        while True:
            try:
                return op()
            except sqlite3.DatabaseError as exc:
                conn = self._conn
                if conn is not None and conn.in_transaction:
                    conn.rollback()
                if (not isinstance(exc, sqlite3.OperationalError) or not _is_locked(exc)
                        or time.monotonic() + pause > deadline):
                    self._reraise(exc)
                time.sleep(pause * (0.5 + random.random()))
                pause = min(2 * pause, _BACKOFF_MAX_S)

    def _reraise(self, exc: sqlite3.DatabaseError):
        """Raise ``exc`` as a :class:`StoreError` if it is about the file or the disk (not a
        store, read-only, disk full, I/O error), else as it is (a programming error)."""
        code = _sqlite_code(exc)
        if code in (_SQLITE_NOTADB, _SQLITE_CORRUPT):
            raise _not_a_store(self.path, str(exc)) from exc
        if code == _SQLITE_FULL or (code == _SQLITE_IOERR and _nearly_full(self.path.parent)):
            raise StoreError(f"{_q(self.path)}: the disk is full ({exc}); {self._committed()}; "
                             f"free some space and run the same command again: it resumes "
                             f"from what is stored", self.path) from exc
        if code == _SQLITE_IOERR:
            raise StoreError(f"{_q(self.path)}: disk I/O error ({exc}); {self._committed()}; "
                             f"check the disk and run the same command again: it resumes from "
                             f"what is stored", self.path) from exc
        if code in (_SQLITE_READONLY, _SQLITE_CANTOPEN):
            raise StoreError(f"{_q(self.path)}: cannot write the store ({exc}); nothing was "
                             f"changed: the file and its folder must be writable (SQLite keeps "
                             f"{self.path.name}-wal and {self.path.name}-shm next to it); make "
                             f"them writable, or copy the results directory somewhere "
                             f"writable and run there", self.path) from exc
        raise exc

    def _committed(self) -> str:
        """What the store holds, for a message after a failed write (which was rolled back)."""
        conn = self._conn
        try:
            counts = [conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                      for table in ("batches", "evaluations")]
        except (sqlite3.Error, AttributeError):
            return "what was committed before is safe in the store"
        parts = [f"{n} {what}" for n, what in zip(counts, ("batch(es)", "analysis point(s)"))
                 if n]
        if not parts:
            return "nothing had been committed yet, so nothing is lost"
        return f"the {' and '.join(parts)} committed before are safe in the store"

    def _json(self, text, where: str):
        """``json.loads(text)``; text that is not JSON (a store edited by hand after
        :func:`check_store`) raises :class:`StoreError` naming the row."""
        try:
            return json.loads(text)
        except (TypeError, ValueError) as exc:
            raise _not_a_store(self.path, f"{where} is not JSON ({exc})") from exc

    def _write(self, body: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``body(conn)`` in one ``BEGIN IMMEDIATE`` transaction and commit it."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = body(conn)
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.rollback()
            raise
        return result

    def _read(self, sql: str, params=()) -> list:
        conn = self._connection()
        return self._retry(lambda: conn.execute(sql, params).fetchall())

    # -- scenarios --------------------------------------------------------------------------

    def register_scenario(self, scenario_hash: str, name: str, scenario_json: str) -> None:
        """Record a scenario run: its hash, name and canonical JSON.

        A new hash is inserted with ``created`` (UTC) and the linksim version. A known hash keeps
        its ``created`` and batches, and gets this run's name and JSON (what the latest run asked
        for: confidence, metrics, predictions, output) and ``last_run``.
        """
        from linksim import __version__

        _check_str("scenario_hash", scenario_hash)
        _check_str("name", name)
        _check_str("scenario_json", scenario_json)
        try:
            json.loads(scenario_json)
        except ValueError as exc:
            raise ValueError(f"scenario_json: got {scenario_json[:80]!r}, which is not valid "
                             f"JSON ({exc}); allowed: a JSON text") from None
        self._connection()
        now = _now()
        row = (scenario_hash, name, scenario_json, now, __version__, now)
        self._retry(lambda: self._write(lambda conn: conn.execute(
            "INSERT INTO scenarios (hash, name, json, created, linksim_version, last_run) "
            "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (hash) DO UPDATE SET name = excluded.name, "
            "json = excluded.json, last_run = excluded.last_run", row)))

    def scenarios(self) -> list[dict]:
        """All registered scenarios, least recently run first:
        ``[{"hash", "name", "json", "created", "last_run"}]``."""
        rows = self._read("SELECT hash, name, json, created, COALESCE(last_run, created) "
                          "AS run FROM scenarios ORDER BY run, rowid")
        return [{"hash": h, "name": n, "json": j, "created": c, "last_run": r}
                for h, n, j, c, r in rows]

    def scenario(self, scenario_hash: str) -> dict | None:
        """The scenario registered under ``scenario_hash`` (as in :meth:`scenarios`), or None."""
        _check_str("scenario_hash", scenario_hash)
        rows = self._read("SELECT hash, name, json, created, COALESCE(last_run, created) "
                          "FROM scenarios WHERE hash = ?", (scenario_hash,))
        if not rows:
            return None
        h, n, j, c, r = rows[0]
        return {"hash": h, "name": n, "json": j, "created": c, "last_run": r}

    # -- batches ----------------------------------------------------------------------------

    def add_batch(self, scenario_hash: str, point: int, batch: int, counts: dict[str, int],
                  elapsed_s: float) -> bool:
        """Commit the counts of one finished batch; True if stored, False if already there.

        ``counts`` maps names to non-negative integers and must include ``frames`` and
        ``frame_errors``. The row is committed before this returns. If the key
        ``(scenario_hash, point, batch)`` already exists, nothing is written and False is
        returned; the stored counts must then equal ``counts`` (a batch is a pure function of
        its key), otherwise ``RuntimeError`` is raised.
        """
        _check_str("scenario_hash", scenario_hash)
        point = check_int("point", point, 0, 2**63 - 1)
        batch = check_int("batch", batch, 0, 2**63 - 1)
        clean = _check_counts(counts)
        elapsed = _check_elapsed(elapsed_s)
        text = _counts_json(clean)
        self._connection()

        def body(conn: sqlite3.Connection):
            cursor = conn.execute(
                "INSERT OR IGNORE INTO batches (scenario_hash, point, batch, frames, "
                "frame_errors, counts, elapsed_s, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (scenario_hash, point, batch, clean["frames"], clean["frame_errors"], text,
                 elapsed, _now()))
            if cursor.rowcount == 1:
                return None
            return conn.execute("SELECT counts FROM batches WHERE scenario_hash = ? AND "
                                "point = ? AND batch = ?",
                                (scenario_hash, point, batch)).fetchone()[0]

        existing = self._retry(lambda: self._write(body))
        if existing is None:
            return True
        if json.loads(existing) != clean:
            raise RuntimeError(
                f"batch (scenario_hash={scenario_hash!r}, point={point}, batch={batch}) is "
                f"already stored in {self.path} with counts {existing}, but was added again "
                f"with {text}; a batch must be a pure function of its key (same seed, same "
                f"parameters, same code)")
        return False

    def batches(self, scenario_hash: str, point: int | None = None
                ) -> dict[tuple[int, int], dict[str, int]]:
        """The stored counts of a scenario, ``{(point, batch): counts}`` in key order.

        With ``point`` given, only that sweep point's batches.
        """
        _check_str("scenario_hash", scenario_hash)
        if point is None:
            rows = self._read("SELECT point, batch, counts FROM batches WHERE scenario_hash = ? "
                              "ORDER BY point, batch", (scenario_hash,))
        else:
            point = check_int("point", point, 0, 2**63 - 1)
            rows = self._read("SELECT point, batch, counts FROM batches WHERE scenario_hash = ? "
                              "AND point = ? ORDER BY batch", (scenario_hash, point))
        return {(p, b): self._json(c, f"table batches, row scenario_hash={scenario_hash!r}, "
                                      f"point={p}, batch={b}: counts")
                for p, b, c in rows}

    def batch_records(self, scenario_hash: str) -> dict[tuple[int, int], dict]:
        """Like :meth:`batches`, with each batch's run time: ``{(point, batch): {"counts",
        "elapsed_s"}}``. The runner sums the times of the batches it counts, so a report
        rebuilt from the store shows the same elapsed time as the run did."""
        _check_str("scenario_hash", scenario_hash)
        rows = self._read("SELECT point, batch, counts, elapsed_s FROM batches "
                          "WHERE scenario_hash = ? ORDER BY point, batch", (scenario_hash,))
        return {(p, b): {"counts": self._json(c, f"table batches, row scenario_hash="
                                                 f"{scenario_hash!r}, point={p}, batch={b}: "
                                                 f"counts"),
                         "elapsed_s": float(t)} for p, b, c, t in rows}

    # -- evaluations (analysis systems) -------------------------------------------------------

    def add_evaluation(self, scenario_hash: str, point: int, values: Mapping,
                       elapsed_s: float) -> bool:
        """Commit the values of one evaluated point of an analysis scenario; True if stored,
        False if the point was already there (the stored values are kept).

        ``values`` maps quantity names to finite numbers or None. The row is committed before
        this returns (one transaction per point), so a killed run loses at most the points in
        flight. Unlike a batch, a point found already stored is not compared: an optimizer may
        legitimately differ in its last bits between machines, and the first result wins.
        """
        _check_str("scenario_hash", scenario_hash)
        point = check_int("point", point, 0, 2**63 - 1)
        text = json.dumps(_check_values(values), sort_keys=True, separators=(",", ":"),
                          allow_nan=False)
        elapsed = _check_elapsed(elapsed_s)
        self._connection()

        def body(conn: sqlite3.Connection) -> bool:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO evaluations (scenario_hash, point, results, elapsed_s, "
                "finished_at) VALUES (?, ?, ?, ?, ?)",
                (scenario_hash, point, text, elapsed, _now()))
            return cursor.rowcount == 1

        return self._retry(lambda: self._write(body))

    def evaluations(self, scenario_hash: str) -> dict[int, dict]:
        """The stored points of an analysis scenario, ``{point: {"values", "elapsed_s"}}`` in
        point order."""
        _check_str("scenario_hash", scenario_hash)
        rows = self._read("SELECT point, results, elapsed_s FROM evaluations "
                          "WHERE scenario_hash = ? ORDER BY point", (scenario_hash,))
        return {p: {"values": self._json(v, f"table evaluations, row scenario_hash="
                                            f"{scenario_hash!r}, point={p}: results"),
                    "elapsed_s": float(t)} for p, v, t in rows}

    # -- lifetime ---------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (idempotent). Everything added is already committed."""
        conn, self._conn = self._conn, None
        if conn is not None and os.getpid() == self._pid:
            conn.close()

    def __enter__(self) -> "Store":
        self._connection()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __reduce__(self):
        raise TypeError(f"Store({str(self.path)!r}) cannot be pickled: a Store owns one SQLite "
                        f"connection of its process; open Store(path) in the other process")

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else "open"
        return f"Store({str(self.path)!r}, {state})"
