"""Recompute every committed study from scratch and compare it with its committed results.

For each ``scenarios/<name>.toml`` with a committed ``results/<name>/results.csv``, run the
scenario into a fresh directory (no store: every batch or evaluation is computed again) and
compare the new ``results.csv`` with the committed one: byte for byte, and, where the bytes
differ, row by row and column by column (so a difference in a count is told apart from one in a
formatted column). Exit status 0 only when every study is identical.

    python tools/recompute_studies.py [--workers 2] [--only NAME ...] [--out DIR]

Used to show that a refactoring changed no number: a simulation's counts depend only on the
seed and the parameters (each batch is a pure function of (seed, point, batch)), and an analysis
study's values only on its parameters.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_MAIN = "import sys; from linksim.cli import main; sys.exit(main(sys.argv[1:]))"


def _rows(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def compare(committed: Path, fresh: Path) -> list[str]:
    """Differences between two results.csv files, as lines (empty: identical bytes)."""
    if committed.read_bytes() == fresh.read_bytes():
        return []
    old, new = _rows(committed), _rows(fresh)
    problems = []
    if len(old) != len(new):
        problems.append(f"{len(old)} rows committed, {len(new)} recomputed")
    old_cols = list(old[0]) if old else []
    new_cols = list(new[0]) if new else []
    if old_cols != new_cols:
        problems.append(f"columns differ: only committed {sorted(set(old_cols) - set(new_cols))}, "
                        f"only recomputed {sorted(set(new_cols) - set(old_cols))}")
    for i, (a, b) in enumerate(zip(old, new)):
        for col in a:
            if col in b and a[col] != b[col]:
                problems.append(f"row {i} {col}: committed {a[col]!r}, recomputed {b[col]!r}")
    return problems or ["bytes differ (line endings or quoting) but every cell is equal"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", nargs="*", default=None, help="study names (default: all)")
    parser.add_argument("--out", default=None, help="where to recompute (default: a temp dir)")
    args = parser.parse_args(argv)
    out = Path(args.out or tempfile.mkdtemp(prefix="linksim_recompute_"))
    names = sorted(p.stem for p in (ROOT / "scenarios").glob("*.toml")
                   if (ROOT / "results" / p.stem / "results.csv").exists())
    if args.only:
        names = [n for n in names if n in args.only]
    failed = 0
    for name in names:
        target = out / name
        start = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", _MAIN, "run",
                              str(ROOT / "scenarios" / f"{name}.toml"), "--out", str(target),
                              "--workers", str(args.workers), "--no-progress"],
                             capture_output=True, text=True)
        took = time.perf_counter() - start
        if run.returncode != 0:
            failed += 1
            print(f"{name}: run failed (exit {run.returncode}): {run.stderr.strip()[-500:]}")
            continue
        problems = compare(ROOT / "results" / name / "results.csv", target / "results.csv")
        rows = len(_rows(target / "results.csv"))
        if problems:
            failed += 1
            print(f"{name}: DIFFERENT ({took:.0f} s)")
            for line in problems[:20]:
                print(f"    {line}")
        else:
            print(f"{name}: identical, {rows} points, every column byte-equal ({took:.0f} s)")
    print(f"{len(names) - failed} of {len(names)} studies identical; recomputed under {out}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
