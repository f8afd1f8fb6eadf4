"""Analysis systems (closed forms, optimizers) through scenario files, store, CSV, figures and
the HTML report: parsing, running, resuming, rebuilding, figure groups, the CLI path.

A toy analysis system is injected into the registry (the real ones are the PLD studies; one
end-to-end test uses ``pld_point``)."""

import copy
import json
import sqlite3

import pytest

import linksim.scenario as scenario_module
import linksim.systems as systems
from linksim.report import read_csv
from linksim.report.figures import figure_groups, plot_metrics
from linksim.report.labels import metric_info
from linksim.scenario import ScenarioError, load_scenario, parse_scenario
from linksim.sim.executors import InlineExecutor
from linksim.study import rebuild_rows, run_scenario
from linksim.sim.store import Store
from linksim.systems import REQUIRED, Quantity, SystemSpec

#: (a, b) of every evaluate() call of the toy, in call order.
CALLS: list = []


class Toy:
    """y = a^2 b (log scale), 1/a (log), a > 1 (linear); a must be > 0."""

    def __init__(self, a, b=1.0, alpha=0.0):
        for name, value in (("a", a), ("b", b), ("alpha", alpha)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise TypeError(f"{name}: got {value!r}; allowed: a number")
        if not a > 0:
            raise ValueError(f"a: got {a!r}; allowed: a number > 0")
        self.a, self.b = a, b

    def evaluate(self):
        CALLS.append((self.a, self.b))
        return {"square": self.a ** 2 * self.b, "inverse": 1.0 / self.a,
                "big": self.a > 1, "nothing": float("nan")}


TOY = SystemSpec(
    name="toy", description="a toy analysis system", params={"a": REQUIRED, "b": 1.0, "alpha": 0.0},
    builder=Toy, kind="analysis",
    quantities={"square": Quantity("a squared times b", "log"),
                "inverse": Quantity("1/a", "log"),
                "big": Quantity("a > 1"),
                "nothing": Quantity("never a value", "log")})


@pytest.fixture(autouse=True)
def toy(monkeypatch):
    """Register the toy for one test; forget its cached point checks afterwards."""
    monkeypatch.setitem(systems._registry(), "toy", TOY)
    CALLS.clear()
    yield TOY
    scenario_module._point_error.cache_clear()


def toy_dict(**output):
    data = {"name": "toy_study", "system": "toy", "params": {"b": 2.0},
            "sweep": {"axes": {"a": [0.5, 1.0, 2.0, 4.0]}}}
    if output:
        data["output"] = output
    return data


def problems_of(data) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    for problem in info.value.problems:
        assert "; allowed: " in problem, problem
    return info.value


def run(sc, out, **kw):
    return run_scenario(sc, out, InlineExecutor(), progress=False, **kw)


# ----------------------------------------------------------------------------- parsing

def test_parse_analysis_defaults_and_round_trip():
    sc = parse_scenario(toy_dict())
    assert sc.kind == "analysis" and sc.stop is None and sc.seed is None
    assert sc.metrics == list(TOY.quantities) and sc.predictions == [] and sc.groups is None
    assert [p["a"] for p in sc.points()] == [0.5, 1.0, 2.0, 4.0]
    d = sc.to_dict()
    assert d["kind"] == "analysis" and d["stop"] is None
    assert d["quantities"]["square"] == {"label": "a squared times b", "scale": "log"}
    again = parse_scenario(json.loads(json.dumps(d, allow_nan=False)))
    assert again == sc and again.hash == sc.hash
    # the seed is optional, unused, and not part of what is computed
    with_seed = parse_scenario({**toy_dict(), "seed": 3})
    assert with_seed.seed == 3 and with_seed.hash == sc.hash == sc.with_seed(9).hash
    # the hash follows the points
    other = toy_dict()
    other["params"]["b"] = 3.0
    assert parse_scenario(other).hash != sc.hash


def test_parse_analysis_metrics_and_groups():
    sc = parse_scenario(toy_dict(metrics=["inverse", "square"],
                                 groups=[["square", "inverse"], ["inverse"]]))
    assert sc.metrics == ["inverse", "square"]
    assert sc.groups == [["square", "inverse"], ["inverse"]]
    assert sc.to_dict()["groups"] == sc.groups
    assert parse_scenario(sc.to_dict()) == sc
    assert figure_groups(sc.to_dict()) == [("square+inverse", ["square", "inverse"]),
                                           ("inverse", ["inverse"])]


def test_analysis_rejects_stop_predictions_and_unknown_metrics(locations):
    data = toy_dict(metrics=["square", "bler", "square"],
                    predictions=[{"name": "normal_approx"}])
    data["stop"] = {"max_frame_errors": 10, "max_frames": 100}
    exc = problems_of(data)
    assert locations(exc) == ["stop", "output.metrics[1]", "output.metrics[2]",
                              "output.predictions"]
    text = str(exc)
    assert "an analysis system has no stopping rule; remove [stop]" in text
    assert "quantities of system 'toy': square, inverse, big, nothing" in text
    assert "already at [0]" in text and "remove [[output.predictions]]" in text
    # bad parameter values are still found by building every point
    bad = toy_dict()
    bad["sweep"]["axes"]["a"] = [1.0, -1.0]
    assert locations(problems_of(bad)) == ["sweep.axes.a[1]"]


@pytest.mark.parametrize("groups, where", [
    ("square", "output.groups"),
    ([], "output.groups"),
    ([["square"], []], "output.groups[1]"),
    ([["square"], "inverse"], "output.groups[1]"),
    ([["square", "bler"]], "output.groups[0][1]"),
    ([["square", 3]], "output.groups[0][1]"),
    ([["square", "square"]], "output.groups[0][1]"),
    ([["square", "inverse"], ["inverse", "square"]], "output.groups[1]"),
    ([["big"]], "output.groups[0][0]"),                 # not a recorded metric
])
def test_bad_groups(groups, where, locations):
    exc = problems_of(toy_dict(metrics=["square", "inverse"], groups=groups))
    assert locations(exc) == [where], exc.problems


def test_simulation_scenarios_unchanged_and_may_group(locations):
    base = {"name": "sim", "system": "coded_link", "seed": 1, "params": {"k": 64, "n": 128},
            "sweep": {"axes": {"ebno_db": [1.0, 2.0]}},
            "stop": {"max_frame_errors": 10, "max_frames": 1000}}
    sc = parse_scenario(base)
    assert sc.kind == "simulation" and "groups" not in sc.to_dict() and "kind" not in sc.to_dict()
    grouped = parse_scenario({**base, "output": {"metrics": ["bler", "ber"],
                                                 "groups": [["bler", "ber"]]}})
    assert grouped.hash == sc.hash and grouped.groups == [["bler", "ber"]]
    for missing in ("stop", "seed"):
        data = copy.deepcopy(base)
        del data[missing]
        assert locations(problems_of(data)) == [missing]


# ----------------------------------------------------------------------------- running

def test_run_writes_csv_figures_and_report(tmp_path):
    from linksim.report import write_outputs
    sc = parse_scenario(toy_dict())
    rows = run(sc, tmp_path)
    assert [r["point"] for r in rows] == [0, 1, 2, 3] and len(CALLS) == 4
    assert rows[2]["metrics"]["square"] == {"value": 8.0, "ci": None}
    assert rows[2]["values"] == {"square": 8.0, "inverse": 0.5, "big": 1, "nothing": None}
    paths = write_outputs(tmp_path, sc.to_dict(), rows)
    table = read_csv(paths["csv"])
    assert list(table[0]) == ["point", "a", "b", "alpha", "square", "inverse", "big",
                              "nothing"]
    assert [(r["a"], r["b"], r["square"], r["inverse"], r["big"], r["nothing"])
            for r in table] == [(0.5, 2.0, 0.5, 2.0, 0, None), (1.0, 2.0, 2.0, 1.0, 0, None),
                                (2.0, 2.0, 8.0, 0.5, 1, None), (4.0, 2.0, 32.0, 0.25, 1, None)]
    # a quantity named like a parameter gets a prefixed parameter column
    from linksim.report import csv_table
    clash = {**sc.to_dict(), "metrics": ["alpha"]}
    clash_rows = [{**r, "metrics": {"alpha": {"value": 1.0, "ci": None}}} for r in rows]
    assert csv_table(clash, clash_rows)[0] == ["point", "a", "b", "param_alpha", "alpha"]
    assert [p.name for p in paths["figures"]] == [f"{m}.{e}" for m in sc.metrics
                                                  for e in ("png", "pdf")]
    assert all(p.stat().st_size > 1000 for p in paths["figures"])
    page = paths["html"].read_text()
    assert "none: analysis" in page and "a squared times b" in page
    assert "Clopper" not in page and "frame errors" not in page and "stopped by" not in page


def test_figure_scales_and_labels():
    sc = parse_scenario(toy_dict())
    d = sc.to_dict()
    rows = [{"point": i, "axes": {"a": a}, "params": {"a": a, "b": 2.0},
             "metrics": {"square": {"value": v, "ci": None},
                         "inverse": {"value": w, "ci": None}}}
            for i, (a, v, w) in enumerate([(0.5, 0.5, -1.0), (1.0, 2.0, 1.0)])]
    assert metric_info("square", d).scale == "log" and metric_info("big", d).kind == "quantity"
    ax = plot_metrics(rows, ["square"], "a", d).axes[0]
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "A squared times b"
    ax = plot_metrics(rows, ["inverse"], "a", d).axes[0]     # a value <= 0: linear
    assert ax.get_yscale() == "linear"
    ax = plot_metrics(rows, ["square", "inverse"], "a", d).axes[0]
    assert ax.get_yscale() == "linear"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a squared times b", "1/a"]
    with pytest.raises(ValueError, match="metric: got 'bler'; allowed: one of the quantities"):
        metric_info("bler", d)
    # cartesian: one curve per value of the other axis; zip: the axes move together, one curve
    both = {**d, "axes": {"a": [0.5, 1.0], "b": [2.0, 3.0]}}
    rows2 = [{**r, "axes": {"a": r["axes"]["a"], "b": b}} for r, b in zip(rows, (2.0, 3.0))]
    assert len(plot_metrics(rows2, ["square"], "a", both).axes[0].get_lines()) == 2
    zipped = plot_metrics(rows2, ["square"], "a", {**both, "mode": "zip"}).axes[0]
    assert [len(line.get_xdata()) for line in zipped.get_lines()] == [2]


class StopAfter:
    """An inline executor that is 'killed' (KeyboardInterrupt) after ``n`` finished tasks."""

    def __init__(self, n):
        self.inner, self.left, self.n_workers, self.kind = InlineExecutor(), n, 1, "inline"

    def submit(self, fn, *args):
        return self.inner.submit(fn, *args)

    def as_completed(self, futures):
        if self.left == 0:
            raise KeyboardInterrupt
        self.left -= 1
        return self.inner.as_completed(futures)


def test_killed_run_resumes_and_rerun_is_served_from_store(tmp_path):
    sc = parse_scenario(toy_dict())
    with pytest.raises(KeyboardInterrupt):
        run_scenario(sc, tmp_path, StopAfter(2), progress=False)
    assert len(CALLS) == 3          # the third was evaluated (inline) but never committed
    with sqlite3.connect(tmp_path / "store.sqlite") as con:
        assert [p for p, in con.execute("SELECT point FROM evaluations ORDER BY point")] == [0, 1]
    scen_dict, partial = rebuild_rows(tmp_path)
    assert [r["point"] for r in partial] == [0, 1]
    CALLS.clear()
    seen = []
    rows = run(sc, tmp_path, on_point=seen.append)
    assert CALLS == [(2.0, 2.0), (4.0, 2.0)] and seen == rows and len(rows) == 4
    CALLS.clear()
    assert run(sc, tmp_path) == rows and CALLS == []
    with Store(tmp_path / "store.sqlite") as store:
        assert sorted(store.evaluations(sc.hash)) == [0, 1, 2, 3]
        assert store.add_evaluation(sc.hash, 0, {"square": 1.0}, 0.0) is False   # first wins
        assert store.evaluations(sc.hash)[0]["values"]["square"] == 0.5


def test_store_evaluation_values_are_checked(tmp_path):
    with Store(tmp_path / "store.sqlite") as store:
        assert store.add_evaluation("h", 0, {"x": 1, "y": 0.5, "z": None}, 0.1) is True
        assert store.evaluations("h") == {0: {"values": {"x": 1, "y": 0.5, "z": None},
                                              "elapsed_s": 0.1}}
        for bad, error in (({"x": float("inf")}, ValueError), ({"x": "1"}, TypeError),
                           ({"x": True}, TypeError), ([1.0], TypeError)):
            with pytest.raises(error, match="values"):
                store.add_evaluation("h", 1, bad, 0.1)
        with pytest.raises(ValueError, match="elapsed_s"):
            store.add_evaluation("h", 1, {"x": 1.0}, -1.0)
        assert store.batches("h") == {}


def test_bad_evaluate_output_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(Toy, "evaluate", lambda self: {"square": 1.0})
    with pytest.raises(ValueError, match="exactly the system's quantities square, inverse"):
        run(parse_scenario(toy_dict()), tmp_path)


# ----------------------------------------------------------------------------- CLI path

def write_toy(folder, groups=None):
    lines = ['name = "toy_cli"', 'system = "toy"', "[params]", "b = 2.0",
             "[sweep.axes]", "a = [0.5, 1.0, 2.0]"]
    if groups is not None:
        lines += ["[output]", "metrics = [\"square\", \"inverse\", \"big\"]",
                  f"groups = {json.dumps(groups)}"]
    path = folder / "toy_cli.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_cli_run_and_report_in_process(tmp_path, capsys):
    from linksim.cli import main
    out = tmp_path / "out"
    path = write_toy(tmp_path, groups=[["square", "inverse"], ["big"]])
    assert load_scenario(path).groups == [["square", "inverse"], ["big"]]
    assert main(["run", str(path), "--out", str(out), "--workers", "1"]) == 0
    captured = capsys.readouterr()
    assert "analysis, hash" in captured.out and "toy_cli" in captured.out
    assert "[3/3] a=2.0: square = 8, inverse = 0.5, big = 1" in captured.err
    assert "       8" in captured.out                                   # the summary table
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "big.pdf", "big.png", "square+inverse.pdf", "square+inverse.png"]
    csv_before = (out / "results.csv").read_bytes()
    assert len(CALLS) == 3
    assert main(["run", str(path), "--out", str(out), "--workers", "1"]) == 0
    assert len(CALLS) == 3 and "(stored)" in capsys.readouterr().err
    (out / "results.csv").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "results.csv").read_bytes() == csv_before
    page = (out / "report.html").read_text()
    assert "square+inverse.pdf" in page and "a squared times b (<code>square</code>), 1/a" in page


def test_cli_list_shows_kinds(tmp_path, capsys):
    from linksim.cli import main
    assert main(["list", "--scenarios", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "[simulation]" in out
    # System names are padded to the longest one, so every "[kind]" column lines up.
    width = max(len(name) for name in systems.SYSTEMS)
    assert f"  {'toy':<{width}} [analysis]" in out
    system_lines = [line for line in out.splitlines()
                    if line.split() and line.split()[0] in systems.SYSTEMS and " [" in line]
    assert len(system_lines) == len(systems.SYSTEMS)
    assert len({line.index(" [") for line in system_lines}) == 1
    assert "quantities: square, inverse, big, nothing" in out


# ----------------------------------------------------------------------------- a real one

@pytest.mark.skipif("pld_point" not in systems.SYSTEMS, reason="pld_point not registered yet")
def test_pld_point_end_to_end(tmp_path):
    from linksim.report import write_outputs
    data = {"name": "pld_split", "system": "pld_point",
            "params": {"z_eve_db": -3.0, "d_k": 8},
            "sweep": {"mode": "zip", "axes": {"p_m": [0.2, 0.3], "p_k": [0.8, 0.7]}},
            "output": {"metrics": ["r_d", "eps_lf", "eps_bob_m"],
                       "groups": [["r_d"], ["eps_lf", "eps_bob_m"]]}}
    sc = parse_scenario(data)
    rows = run(sc, tmp_path)
    paths = write_outputs(tmp_path, sc.to_dict(), rows)
    table = read_csv(paths["csv"])
    assert [r["p_m"] for r in table] == [0.2, 0.3]
    assert {"r_d", "eps_lf", "eps_bob_m", "z_eve_db", "d_k"} <= set(table[0])
    assert all(isinstance(r["eps_lf"], float) for r in table)
    assert (tmp_path / "figures" / "eps_lf+eps_bob_m.png").is_file()
