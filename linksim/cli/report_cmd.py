"""``linksim report``: rebuild ``results.csv``, the figures and ``report.html`` of a results
directory from its ``store.sqlite`` alone, and print the table of results.

(Named ``report_cmd`` so that it is not mistaken for :mod:`linksim.report`, which writes the
outputs.)
"""

from __future__ import annotations

from pathlib import Path

from linksim.cli.errors import fail, option_error, unwritten
from linksim.cli.summary import now_utc, print_summary

__all__ = ["cmd_report"]


def cmd_report(args) -> int:
    """The body of ``linksim report``: its exit status."""
    from linksim.evaluate import with_gaps
    from linksim.report import write_outputs
    from linksim.sim.store import StoreError, check_store, check_writable_dir
    from linksim.study import rebuild_rows, stored_scenarios
    results_dir = Path(args.results_dir)
    try:
        if (results_dir / "store.sqlite").is_file():    # before anything opens it to write
            check_writable_dir(results_dir, "results_dir",
                               todo="copy the results directory somewhere writable and run "
                                    "`linksim report` on the copy")
            check_store(results_dir / "store.sqlite")
        known = stored_scenarios(args.results_dir)
        chosen = None
        if args.hash is not None:
            matches = [s["hash"] for s in known if s["hash"].startswith(args.hash)]
            if len(matches) != 1:
                raise ValueError(f"hash: got {args.hash!r}, matching {len(matches)} stored "
                                 f"scenarios; allowed: a prefix of one of "
                                 f"{', '.join(s['hash'][:12] for s in known)}")
            chosen = matches[0]
        scenario, rows = rebuild_rows(args.results_dir, chosen)
    except StoreError as exc:
        fail(args, exc)
    except ValueError as exc:
        option_error(args.parser, exc)
    scenario = with_gaps(scenario, rows)
    try:
        paths = write_outputs(results_dir, scenario, rows, generated=now_utc())
    except OSError as exc:
        fail(args, unwritten(exc, results_dir, "the store was not changed",
                             "the same command again"))
    print_summary(scenario, rows)
    print(f"# rebuilt {paths['csv']}, {paths['html']} and {len(paths['figures'])} figure files")
    return 0
