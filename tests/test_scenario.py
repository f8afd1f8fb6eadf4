"""Scenario files: parsing, sweep points, the hash, and a corpus of malformed files.

Every file of ``tests/scenarios_bad/`` starts with ``# expect: <field path fragment>`` (more
``# expect:`` lines may follow): loading it must raise ``ScenarioError`` with a problem whose
field path contains each fragment.
"""

import copy
import datetime
import json
import math
import random
import subprocess
import sys
from pathlib import Path

import pytest

from linksim.scenario import (MAX_POINTS, Scenario, ScenarioError, load_scenario,
                              parse_scenario)

ROOT = Path(__file__).resolve().parents[1]
BAD_DIR = Path(__file__).resolve().parent / "scenarios_bad"
BAD_FILES = sorted(BAD_DIR.glob("*.toml"))
SHIPPED = ROOT / "scenarios" / "ldpc_awgn_qpsk.toml"

# Small and fast to build (5G LDPC k=64, n=128).
VALID = """\
name = "small"
description = "a small valid scenario"
system = "coded_link"
seed = 5
confidence = 0.9

[params]
k = 64
n = 128
num_iter = 8

[sweep]
mode = "cartesian"

[sweep.axes]
decoder = ["nms", "spa"]
ebno_db = { start = 1.0, stop = 2.0, step = 0.5 }

[stop]
max_frame_errors = 20
max_frames = 1e4
batch_size = 500

[output]
metrics = ["bler", "ber", "avg_iterations"]
x = "ebno_db"
"""


def base_dict() -> dict:
    return {
        "name": "small", "system": "coded_link", "seed": 5,
        "params": {"k": 64, "n": 128, "num_iter": 8},
        "sweep": {"axes": {"decoder": ["nms", "spa"], "ebno_db": [1.0, 1.5, 2.0]}},
        "stop": {"max_frame_errors": 20, "max_frames": 10_000, "batch_size": 500},
        "output": {"metrics": ["bler", "ber", "avg_iterations"], "x": "ebno_db"},
    }


def expectations(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines and lines[0].startswith("# expect:"), f"{path.name}: no '# expect:' first line"
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("# expect:")]


def locations(exc: ScenarioError) -> list[str]:
    return [problem.split(": ", 1)[0] for problem in exc.problems]


def assert_clean_message(text: str) -> None:
    assert "Traceback" not in text
    assert "For further information visit" not in text
    assert "Value error," not in text


# ----------------------------------------------------------------------------- valid files

def test_shipped_scenario_loads():
    sc = load_scenario(SHIPPED)
    assert sc.name == "ldpc_awgn_qpsk" and sc.system == "coded_link" and sc.seed == 1
    assert sc.axes == {"ebno_db": [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]}
    assert sc.params["k"] == 512 and sc.params["n"] == 1024
    assert sc.params["modulation"] == "qpsk" and sc.params["channel"] == "awgn"
    assert sc.params["decoder"] == "nms" and sc.params["num_iter"] == 20
    assert (sc.stop.max_frame_errors, sc.stop.max_frames) == (100, 100_000)
    assert sc.metrics == ["bler", "ber", "avg_iterations"] and sc.x == "ebno_db"
    points = sc.points()
    assert len(points) == sc.n_points == 7
    assert [p["ebno_db"] for p in points] == sc.axes["ebno_db"]
    assert all(p["k"] == 512 and p["fading"] == "quasi_static" for p in points)
    assert len(sc.hash) == 64 and int(sc.hash, 16) >= 0


def test_cartesian_points_last_axis_fastest(tmp_path):
    sc = parse_scenario(base_dict())
    assert sc.mode == "cartesian"
    assert sc.point_axes() == [
        {"decoder": d, "ebno_db": e} for d in ("nms", "spa") for e in (1.0, 1.5, 2.0)]
    points = sc.points()
    assert len(points) == 6
    for axes, point in zip(sc.point_axes(), points):
        assert point["decoder"] == axes["decoder"] and point["ebno_db"] == axes["ebno_db"]
        assert point["k"] == 64 and point["num_iter"] == 8      # [params]
        assert point["modulation"] == "qpsk" and point["crc"] is None  # system defaults


def test_zip_points_elementwise():
    data = base_dict()
    data["sweep"] = {"mode": "zip", "axes": {"ebno_db": [1.0, 2.0, 3.0],
                                             "num_iter": [4, 8, 16]}}
    del data["params"]["num_iter"]
    sc = parse_scenario(data)
    assert sc.point_axes() == [{"ebno_db": 1.0, "num_iter": 4}, {"ebno_db": 2.0, "num_iter": 8},
                               {"ebno_db": 3.0, "num_iter": 16}]
    assert [p["num_iter"] for p in sc.points()] == [4, 8, 16]


@pytest.mark.parametrize("start, stop, step, expected", [
    (0.0, 3.0, 0.5, [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]),
    (0.0, 1.0, 0.1, [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
    (0.0, 1.0, 0.3, [0.0, 0.3, 0.6, 0.9]),
    (-0.3, 0.3, 0.1, [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]),
    (0.0, 1.0, 1 / 3, [0.0, 1 / 3, 2 / 3, 1.0]),
    (2.5, 2.5, 1.0, [2.5]),
    (1, 3, 1, [1, 2, 3]),
])
def test_range_is_inclusive_of_stop(start, stop, step, expected):
    data = base_dict()
    data["sweep"]["axes"] = {"ebno_db": {"start": start, "stop": stop, "step": step}}
    values = parse_scenario(data).axes["ebno_db"]
    assert values == pytest.approx(expected, abs=1e-12)
    assert values[-1] == expected[-1]  # the stop itself, not stop - 1e-16
    assert all(type(v) is type(expected[0]) for v in values)


def test_defaults_filled(tmp_path):
    path = tmp_path / "minimal-study.toml"
    path.write_text('system = "coded_link"\nseed = 0\n[params]\nk = 64\nn = 128\n'
                    '[sweep.axes]\nebno_db = [1.0]\nnum_iter = [5, 10]\n'
                    '[stop]\nmax_frame_errors = 5\nmax_frames = 50\n')
    sc = load_scenario(path)
    assert sc.name == "minimal-study" and sc.description == "" and sc.confidence == 0.95
    assert sc.mode == "cartesian" and sc.metrics == ["bler", "ber"] and sc.x == "ebno_db"
    assert sc.predictions == [] and sc.path == path
    assert (sc.stop.batch_size, sc.stop.first_batch_size, sc.stop.max_seconds) == (1000, 64, None)


def test_hash_stable_across_reloads_and_key_order(tmp_path):
    a = tmp_path / "a.toml"
    a.write_text(VALID)
    reordered = tmp_path / "b.toml"
    reordered.write_text("""\
seed = 5
system = "coded_link"
name = "small"
[stop]
batch_size = 500
max_frames = 10000
max_frame_errors = 20
[params]
num_iter = 8
n = 128
k = 64
[sweep.axes]
decoder = ["nms", "spa"]
ebno_db = [1.0, 1.5, 2.0]
""")
    first = load_scenario(a)
    assert load_scenario(a).hash == first.hash
    assert load_scenario(reordered).hash == first.hash
    assert parse_scenario(base_dict()).hash == first.hash
    # the hash is that of what is simulated: an explicit default changes nothing
    data = base_dict()
    data["params"]["modulation"] = "qpsk"
    assert parse_scenario(data).hash == first.hash


def _set(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


@pytest.mark.parametrize("path, value", [
    (("seed",), 6),
    (("params", "k"), 60),
    (("params", "num_iter"), 9),
    (("params", "demapper"), "maxlog"),
    (("sweep", "axes", "ebno_db"), [1.0, 1.5, 2.5]),
    (("sweep", "axes", "ebno_db"), [1.0, 1.5, 2.0, 2.5]),
    (("sweep", "axes", "decoder"), ["spa", "nms"]),  # point order is part of what is run
    (("stop", "max_frames"), 10_001),
    (("stop", "max_frame_errors"), 21),
    (("stop", "batch_size"), 400),
    (("stop", "first_batch_size"), 32),
    (("stop", "max_seconds"), 60),
    (("system",), "coded_link"),  # control: unchanged
])
def test_hash_changes_with_what_is_simulated(path, value):
    data = base_dict()
    before = parse_scenario(data).hash
    _set(data, path, value)
    after = parse_scenario(data).hash
    assert (after == before) == (path == ("system",))


@pytest.mark.parametrize("path, value", [
    (("name",), "other"),
    (("description",), "another description"),
    (("confidence",), 0.99),
    (("output", "metrics"), ["bler"]),
    (("output", "x"), "decoder"),
])
def test_hash_ignores_presentation(path, value):
    data = base_dict()
    before = parse_scenario(data).hash
    _set(data, path, value)
    assert parse_scenario(data).hash == before


def test_with_seed():
    sc = parse_scenario(base_dict())
    other = sc.with_seed(123)
    assert other.seed == 123 and sc.seed == 5
    assert other.hash != sc.hash and other.with_seed(5).hash == sc.hash
    assert other.points() == sc.points() and other.name == sc.name
    for bad in (-1, True, 1.5, "3", 2**63):
        with pytest.raises(ScenarioError) as info:
            sc.with_seed(bad)
        assert locations(info.value) == ["seed"]


def test_to_dict_json_and_round_trip():
    sc = load_scenario(SHIPPED)
    d = sc.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert set(d) == {"name", "description", "system", "seed", "confidence", "params", "axes",
                      "mode", "stop", "metrics", "x", "predictions", "hash"}
    assert d["hash"] == sc.hash and d["axes"] == sc.axes and d["stop"] == sc.stop.to_dict()
    again = parse_scenario(json.loads(text))
    assert again == sc and again.hash == sc.hash


def test_parse_scenario_name():
    data = base_dict()
    del data["name"]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["name"]
    assert parse_scenario(data, name="from_file").name == "from_file"
    data["name"] = "given"
    assert parse_scenario(data, name="from_file").name == "given"


def test_scenario_error_shape():
    data = base_dict()
    data["seed"] = -1
    data["stop"]["max_frames"] = 0
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    exc = info.value
    assert isinstance(exc, ValueError)
    assert str(exc) == "\n".join(exc.problems)
    assert locations(exc) == ["seed", "stop.max_frames"]
    with pytest.raises(ScenarioError):
        parse_scenario(["not", "a", "table"])


def test_load_scenario_path_problems(tmp_path):
    cases = {tmp_path / "s.yaml": "a .toml", tmp_path / "missing.toml": "does not exist",
             tmp_path / "dir.toml": "directory"}
    (tmp_path / "s.yaml").write_text(VALID)
    (tmp_path / "dir.toml").mkdir()
    for path, text in cases.items():
        with pytest.raises(ScenarioError) as info:
            load_scenario(path)
        assert len(info.value.problems) == 1 and str(path) in str(info.value)
        assert text in str(info.value)
    binary = tmp_path / "latin1.toml"
    binary.write_bytes(b'description = "caf\xe9"\n')
    with pytest.raises(ScenarioError, match="UTF-8"):
        load_scenario(binary)


def test_toml_syntax_error_names_the_line():
    with pytest.raises(ScenarioError) as info:
        load_scenario(BAD_DIR / "toml_syntax_error.toml")
    assert "line 7" in str(info.value)


def test_each_distinct_point_is_built_once(monkeypatch):
    from linksim import scenario as module
    from linksim.systems import SystemSpec
    calls = []
    real_build = SystemSpec.build

    def counting_build(self, params):
        calls.append(dict(params))
        return real_build(self, params)

    monkeypatch.setattr(SystemSpec, "build", counting_build)
    module._point_error.cache_clear()
    data = base_dict()
    parse_scenario(data)
    assert len(calls) == 6
    parse_scenario(data)  # the same combinations again: cached
    data["seed"] = 99
    parse_scenario(data)
    assert len(calls) == 6


def test_point_problems_reported_once_where_written():
    data = base_dict()
    data["sweep"]["axes"] = {"modulation": ["qpsk", "8psk"],
                             "ebno_db": [0.0, 1.0, 2.0, 3.0, 4.0]}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert info.value.problems == [
        "sweep.axes.modulation[1]: got '8psk'; allowed: one of bpsk, qpsk, 16qam, 64qam, 256qam "
        "(case-insensitive)"]


def test_system_default_that_fails_is_reported_under_params():
    data = base_dict()
    del data["params"]["n"]  # code = "ldpc5g" (the default) needs n
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["params.n"]


def test_combination_problem_maps_to_params():
    data = base_dict()
    data["params"].update(k=20, n=128, crc="CRC24A")  # k must exceed the 24 CRC bits
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["params.k"]


def test_too_many_points():
    data = base_dict()
    data["sweep"]["axes"] = {"ebno_db": {"start": 0, "stop": MAX_POINTS, "step": 1}}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["sweep.axes.ebno_db"]  # MAX_POINTS + 1 values


def test_registered_prediction_and_its_options(monkeypatch):
    from linksim.theory import PREDICTIONS
    data = base_dict()
    data["output"]["predictions"] = [{"name": "dummy", "metric": "bler", "dispersion": True}]
    with pytest.raises(ScenarioError, match=r"output\.predictions\[0\]\.name: got .dummy."):
        parse_scenario(data)
    monkeypatch.setitem(PREDICTIONS, "dummy", lambda params, **options: 0.5)
    sc = parse_scenario(data)
    assert sc.predictions == [{"name": "dummy", "metric": "bler", "dispersion": True}]
    assert sc.to_dict()["predictions"] == sc.predictions
    data["output"]["predictions"][0]["metric"] = "undetected_error_rate"  # not recorded
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["output.predictions[0].metric"]


def test_metric_needing_counts_the_system_lacks(monkeypatch):
    from linksim.sim.metrics import METRICS, Metric
    monkeypatch.setitem(METRICS, "leak_rate", Metric("leak_rate", "leaks", "frames", "rate", "x"))
    data = base_dict()
    data["output"]["metrics"] = ["bler", "leak_rate"]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["output.metrics[1]"]


WEIRD = [None, True, 0, -1, 1.5, math.nan, math.inf, "", "x", [], {}, [1, "a"], {"a": 1},
         {1: 2}, datetime.date(2020, 1, 1), b"x", 2**70, (1, 2),
         {"start": 0, "stop": 1, "step": 0.5}]


def test_random_corruptions_only_raise_scenario_error():
    """Replace or delete 1-3 random entries of a valid scenario: the outcome is a Scenario or a
    ScenarioError with clean problem lines, never another exception."""
    def paths(node, prefix=()):
        yield prefix
        items = node.items() if isinstance(node, dict) else (
            enumerate(node) if isinstance(node, list) else ())
        for key, value in items:
            yield from paths(value, prefix + (key,))

    base = base_dict()
    base["output"]["predictions"] = [{"name": "p", "metric": "bler"}]
    all_paths = [p for p in paths(base) if p]
    rnd = random.Random(1)
    for _ in range(300):
        data = copy.deepcopy(base)
        for _ in range(rnd.randint(1, 3)):
            path = rnd.choice(all_paths)
            try:
                target = data
                for key in path[:-1]:
                    target = target[key]
                if rnd.random() < 0.2 and isinstance(target, dict):
                    del target[path[-1]]
                else:
                    target[path[-1]] = copy.deepcopy(rnd.choice(WEIRD))
            except (KeyError, IndexError, TypeError):
                pass
        try:
            assert isinstance(parse_scenario(data), Scenario)
        except ScenarioError as exc:
            assert exc.problems
            assert all("; allowed: " in p for p in exc.problems), exc.problems
            assert_clean_message(str(exc))


# ----------------------------------------------------------------------------- malformed files

def test_bad_corpus_is_large_enough():
    assert len(BAD_FILES) >= 30


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_scenario_rejected(path):
    expected = expectations(path)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    exc = info.value
    message = str(exc)
    assert_clean_message(message)
    for fragment in expected:
        assert fragment in message
        assert any(fragment in loc for loc in locations(exc)), (fragment, exc.problems)
    for problem in exc.problems:
        assert "; allowed: " in problem, problem


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_cli_run_rejects_bad_scenario(path, tmp_path, monkeypatch, capsys):
    """``linksim run`` (in process): exit status 2, the problems on stderr, nothing written."""
    from linksim.cli import main
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as info:
        main(["run", str(path), "--no-progress"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert_clean_message(err)
    for fragment in expectations(path):
        assert fragment in err
    assert not any(tmp_path.iterdir())


CLI_SUBPROCESS_SAMPLE = ["toml_syntax_error", "axis_bad_k", "many_problems"]


@pytest.fixture(scope="module")
def cli_subprocess_results(tmp_path_factory):
    """Run the sample through ``python -m linksim.cli run`` concurrently (startup dominates)."""
    cwd = tmp_path_factory.mktemp("cli_run")
    procs = {name: subprocess.Popen(
        [sys.executable, "-m", "linksim.cli", "run", str(BAD_DIR / f"{name}.toml")],
        cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in CLI_SUBPROCESS_SAMPLE}
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        results[name] = (proc.returncode, out, err)
    return cwd, results


@pytest.mark.parametrize("name", CLI_SUBPROCESS_SAMPLE)
def test_cli_subprocess_rejects_bad_scenario(name, cli_subprocess_results):
    cwd, results = cli_subprocess_results
    returncode, out, err = results[name]
    assert returncode == 2, err
    assert_clean_message(out + err)
    for fragment in expectations(BAD_DIR / f"{name}.toml"):
        assert fragment in err
    assert not (cwd / "results").exists()
