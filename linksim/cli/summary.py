"""What ``linksim run`` and ``linksim report`` print (the table of results, one line per point)
and the "generated" stamp of the reports that ``run``, ``report`` and ``bler`` write."""

from __future__ import annotations

__all__ = ["now_utc", "print_summary"]


def now_utc() -> str:
    """The report's "generated" stamp (the CSV carries none, so it stays reproducible)."""
    import datetime
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def print_summary(scenario: dict, rows: list[dict]) -> None:
    """The table of results on stdout: one line per point (axes, counts, metrics); an analysis
    scenario's lines carry the axes and the recorded quantities."""
    axes = list(scenario["axes"])
    if scenario.get("kind") == "analysis":
        width = max([12] + [len(m) for m in scenario["metrics"]])
        print("# " + " ".join([f"{a:>12}" for a in axes]
                              + [f"{m:>{width}}" for m in scenario["metrics"]]))
        for row in rows:
            cells = [f"{str(row['axes'][a]):>12}" for a in axes]
            for m in scenario["metrics"]:
                value = row["metrics"][m]["value"]
                text = "-" if value is None else f"{value:.6g}"
                cells.append(f"{text:>{width}}")
            print("  " + " ".join(cells))
        return
    head = [f"{a:>12}" for a in axes] + [f"{'frames':>10}", f"{'errors':>8}"]
    head += [f"{m:>34}" for m in scenario["metrics"]]
    print("# " + " ".join(head))
    for row in rows:
        cells = [f"{str(row['axes'][a]):>12}" for a in axes]
        cells += [f"{row['frames']:>10}", f"{row['frame_errors']:>8}"]
        for m in scenario["metrics"]:
            metric = row["metrics"][m]
            if metric["value"] is None:
                text = "-"
            elif metric["ci"] is None:
                text = f"{metric['value']:.3g}"
            else:
                text = f"{metric['value']:.2e} [{metric['ci'][0]:.2e}, {metric['ci'][1]:.2e}]"
            cells.append(f"{text:>34}")
        print("  " + " ".join(cells))
    for name in sorted({n for r in rows for n in r.get("predictions") or {}}):
        print(f"# {name}: " + "; ".join(
            f"{r['predictions'][name]['value']:.2e} ({r['verdicts'].get(name, {}).get('verdict', '-')})"
            for r in rows))
    for g in scenario.get("gaps", []):
        if g["gap_db"] is not None:
            series = ", ".join(f"{k}={v}" for k, v in g["series"].items()) or "all"
            print(f"# gap to {g['prediction']} at {g['metric']} = {g['target']:.0e} ({series}): "
                  f"{g['gap_db']:+.2f} dB")
