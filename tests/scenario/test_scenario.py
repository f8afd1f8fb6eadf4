"""Scenario files: parsing, sweep points, the hash, and a corpus of malformed files.

Every file of ``tests/scenario/scenarios_bad/`` starts with ``# expect: <field path fragment>``
(more ``# expect:`` lines may follow): loading it must raise ``ScenarioError`` with a problem
whose field path contains each fragment.
"""

import copy
import datetime
import json
import math
import random
from pathlib import Path

import pytest

from linksim.scenario import (MAX_POINTS, Scenario, ScenarioError, load_scenario,
                              parse_scenario)

BAD_DIR = Path(__file__).resolve().parent / "scenarios_bad"
BAD_FILES = sorted(BAD_DIR.glob("*.toml"))

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
    lines = path.read_text(encoding="utf-8-sig").splitlines()  # a BOM is accepted
    assert lines and lines[0].startswith("# expect:"), f"{path.name}: no '# expect:' first line"
    return [line.split(":", 1)[1].strip() for line in lines if line.startswith("# expect:")]


def assert_clean_message(text: str) -> None:
    assert "Traceback" not in text
    assert "For further information visit" not in text
    assert "Value error," not in text


# ----------------------------------------------------------------------------- valid files

def test_shipped_scenario_loads(shipped_scenario):
    sc = load_scenario(shipped_scenario)
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


def test_with_seed(locations):
    sc = parse_scenario(base_dict())
    other = sc.with_seed(123)
    assert other.seed == 123 and sc.seed == 5
    assert other.hash != sc.hash and other.with_seed(5).hash == sc.hash
    assert other.points() == sc.points() and other.name == sc.name
    for bad in (-1, True, 1.5, "3", 2**63):
        with pytest.raises(ScenarioError) as info:
            sc.with_seed(bad)
        assert locations(info.value) == ["seed"]


def test_to_dict_json_and_round_trip(shipped_scenario):
    sc = load_scenario(shipped_scenario)
    d = sc.to_dict()
    text = json.dumps(d, allow_nan=False)
    assert set(d) == {"name", "description", "system", "seed", "confidence", "params", "axes",
                      "mode", "stop", "metrics", "x", "predictions", "hash"}
    assert d["hash"] == sc.hash and d["axes"] == sc.axes and d["stop"] == sc.stop.to_dict()
    again = parse_scenario(json.loads(text))
    assert again == sc and again.hash == sc.hash


def test_parse_scenario_name(locations):
    data = base_dict()
    del data["name"]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["name"]
    assert parse_scenario(data, name="from_file").name == "from_file"
    data["name"] = "given"
    assert parse_scenario(data, name="from_file").name == "given"


def test_scenario_error_shape(locations):
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


def test_system_default_that_fails_is_reported_under_params(locations):
    data = base_dict()
    del data["params"]["n"]  # code = "ldpc5g" (the default) needs n
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["params.n"]


def test_combination_problem_maps_to_params(locations):
    data = base_dict()
    data["params"].update(k=20, n=128, crc="CRC24A")  # k must exceed the 24 CRC bits
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["params.k"]


def test_too_many_points(locations):
    data = base_dict()
    data["sweep"]["axes"] = {"ebno_db": {"start": 0, "stop": MAX_POINTS, "step": 1}}
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["sweep.axes.ebno_db"]  # MAX_POINTS + 1 values


def test_registered_prediction_and_its_options(monkeypatch, locations):
    from linksim.systems import SYSTEMS
    PREDICTIONS = SYSTEMS["coded_link"].predictions
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


def test_metric_needing_counts_the_system_lacks(monkeypatch, locations):
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
    assert len(BAD_FILES) >= 100


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_bad_scenario_rejected(path, locations):
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
    """``linksim run FILE --out OUT`` (in process): exit status 2, a header line and one line
    per problem on stderr, nothing written (OUT not created, nothing in the working dir)."""
    from linksim.cli import main
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        main(["run", str(path), "--out", str(out), "--no-progress"])
    assert info.value.code == 2
    captured = capsys.readouterr()
    err = captured.err
    assert_clean_message(err + captured.out)
    for fragment in expectations(path):
        assert fragment in err
    with pytest.raises(ScenarioError) as parsed:
        load_scenario(path)
    lines = err.splitlines()
    assert lines[0] == f"linksim run: {path}: invalid scenario"
    assert lines[1:] == [f"  {problem}" for problem in parsed.value.problems]
    assert all("; allowed: " in line and "\n" not in line for line in lines[1:])
    assert not out.exists()
    assert not any(tmp_path.iterdir())


CLI_SUBPROCESS_SAMPLE = ["toml_syntax_error", "axis_bad_k", "many_problems",
                         "toml_nested_arrays", "prediction_metaconverse_16qam",
                         "stop_batch_size_huge", "ebno_too_high"]


@pytest.fixture(scope="module")
def cli_subprocess_results(tmp_path_factory, linksim_popen):
    """Run the sample through ``python -m linksim.cli run`` concurrently (startup dominates)."""
    cwd = tmp_path_factory.mktemp("cli_run")
    procs = {name: linksim_popen("run", str(BAD_DIR / f"{name}.toml"),
                                 "--out", str(cwd / f"out_{name}"), cwd=cwd)
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
    assert all(line.startswith("  ") and "; allowed: " in line for line in err.splitlines()[1:])
    assert not (cwd / "results").exists() and not (cwd / f"out_{name}").exists()


# ----------------------------------------------------------------------------- no traceback, ever
# Inputs that used to end in a Python traceback (issue 9): each is a ScenarioError with one line
# per problem, before anything runs.

def test_byte_order_mark_is_accepted(tmp_path):
    plain = tmp_path / "plain.toml"
    plain.write_text(VALID, encoding="utf-8")
    bom = tmp_path / "bom.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + VALID.encode("utf-8"))
    assert bom.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert load_scenario(bom).hash == load_scenario(plain).hash
    assert load_scenario(bom).name == "small"


@pytest.mark.parametrize("text", ["[" * 2000 + "]" * 2000, "{ a = " * 2000 + "1" + " }" * 2000])
def test_toml_recursion_bomb(tmp_path, text):
    path = tmp_path / "bomb.toml"
    path.write_text(f'system = "coded_link"\nseed = 1\nx = {text}\n')
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.problems == [
        f"{path}: got arrays or inline tables nested too deeply for the TOML parser; allowed: "
        f"at most 32 levels of nesting"]


def test_deep_and_cyclic_structures_from_python(locations):
    """parse_scenario on nesting no TOML file holds: 5000 levels, and a list holding itself."""
    deep = 1
    for _ in range(5000):
        deep = [deep]
    cyclic = []
    cyclic.append(cyclic)
    for value in (deep, cyclic, {"a": {"b": deep}}):
        data = base_dict()
        data["params"]["x"] = value
        with pytest.raises(ScenarioError) as info:
            parse_scenario(data)
        assert len(info.value.problems) == 1
        assert info.value.problems[0].startswith("params.x: got arrays or tables nested more "
                                                 "than 32 levels deep")
    data = base_dict()
    data["params"]["x"] = [[[[1]]]]   # shallow nesting is not refused by the depth check
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["params.x"] and "unknown parameter" in str(info.value)


@pytest.mark.parametrize("value", [2**64, -(2**70), 16**400])
def test_huge_integers_are_problems_not_crashes(value, locations):
    for path in (("params", "k"), ("params", "ebno_db"), ("confidence",), ("stop", "max_frames"),
                 ("seed",)):
        data = base_dict()
        _set(data, path, value)
        with pytest.raises(ScenarioError) as info:
            parse_scenario(data)
        assert locations(info.value) == [".".join(path)], info.value.problems
        assert_clean_message(str(info.value))
        assert len(str(info.value)) < 400   # the value is shown by its size, not its digits


def test_symlink_loop_and_broken_link(tmp_path, shipped_scenario):
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    with pytest.raises(ScenarioError) as info:
        load_scenario(loop)
    assert info.value.problems == [f"{loop}: got a symbolic link loop (the link resolves to "
                                   f"itself); allowed: an existing .toml scenario file"]
    broken = tmp_path / "broken.toml"
    broken.symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ScenarioError, match="broken symbolic link to .*gone.toml"):
        load_scenario(broken)
    good = tmp_path / "good.toml"
    good.symlink_to(shipped_scenario)
    assert load_scenario(good).hash == load_scenario(shipped_scenario).hash


def test_oversized_file_is_not_read(tmp_path, monkeypatch):
    from linksim import scenario as module
    path = tmp_path / "big.toml"
    path.write_text(VALID)
    monkeypatch.setattr(module.load, "MAX_FILE_BYTES", 100)   # read by load_scenario there
    with pytest.raises(ScenarioError, match=r"got a file of \d+ bytes; allowed: a scenario file "
                                            r"of at most 100 bytes"):
        load_scenario(path)


@pytest.mark.parametrize("value, ok", [(300.0, True), (-300, True), (300.0001, False),
                                       (-301, False), (1e308, False)])
def test_ebno_bound(value, ok, locations):
    data = base_dict()
    data["sweep"]["axes"]["ebno_db"] = [1.0, value]
    if ok:
        assert parse_scenario(data).axes["ebno_db"][1] == value
    else:
        with pytest.raises(ScenarioError) as info:
            parse_scenario(data)
        assert locations(info.value) == ["sweep.axes.ebno_db[1]"]
        assert "allowed: a value in [-300, 300] dB" in str(info.value)


@pytest.mark.parametrize("modulation", ["bpsk", "16qam", "256qam"])
def test_ebno_bound_is_numerically_safe(modulation):
    """At +-300 dB (the bound) a batch runs without a floating-point warning: no errors at all
    at +300 dB, coin flips at -300 dB."""
    import warnings

    from linksim.random import batch_rng
    from linksim.systems import build_system
    for ebno, channel in ((300.0, "awgn"), (-300.0, "awgn"), (300.0, "rayleigh")):
        params = parse_scenario({**base_dict(), "params": {"k": 64, "n": 128, "num_iter": 4,
                                                           "modulation": modulation,
                                                           "channel": channel},
                                 "sweep": {"axes": {"ebno_db": [ebno]}}}).points()[0]
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            counts = build_system("coded_link", params).simulate_batch(batch_rng(1, 0, 0), 40)
        if ebno > 0:
            assert counts["bit_errors"] == 0 and counts["frame_errors"] == 0
        else:
            assert counts["frame_errors"] == 40
            assert 0.4 < counts["bit_errors"] / counts["bits"] < 0.6


def test_pld_sinr_bound(locations):
    def pld(**params):
        return {"name": "p", "system": "pld", "seed": 1,
                "params": {"p_m": 0.6, "p_k": 0.4, "d_k": 8, "z_eve_db": -3.0, **params},
                "sweep": {"axes": {"z_bob_db": [0.0]}},
                "stop": {"max_frame_errors": 5, "max_frames": 20}}
    assert parse_scenario(pld(noise=1e-25)).params["noise"] == 1e-25   # 250 dB: fine
    for params, where in (({"noise": 1e-31}, "params.noise"), ({"p_m": 1e-301}, "params.p_m"),
                          ({"noise": 1e301}, "params.noise")):
        with pytest.raises(ScenarioError) as info:
            parse_scenario(pld(**params))
        assert locations(info.value) == [where]
        assert "allowed: values keeping every layer's SINR in [-300, 300] dB" in str(info.value)
    data = pld()
    # a gain of 300 dB with layer powers under the 1 mW noise: SINRs just under 300 dB
    data["sweep"]["axes"] = {"z_bob_db": [0.0, 300.0]}
    assert parse_scenario(data).n_points == 2
    data["params"]["noise"] = 0.5       # 10 log10(0.6 / 0.5) + 300 dB > 300 dB
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["sweep.axes.z_bob_db[1]"]


def test_num_iter_bound(locations):
    data = base_dict()
    data["params"]["num_iter"] = 10_000
    assert parse_scenario(data).params["num_iter"] == 10_000
    data["params"]["num_iter"] = 10_001
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["params.num_iter"]
    assert "at most 10000 BP iterations" in str(info.value)


def test_batch_memory_bound(locations):
    from linksim.scenario import BYTES_PER_FRAME_BIT, MAX_BATCH_BYTES, max_batch_frames
    most = max_batch_frames(128)
    assert most == MAX_BATCH_BYTES // (BYTES_PER_FRAME_BIT * 128) == 262_144
    data = base_dict()
    data["stop"].update(batch_size=most, max_frames=10**9)
    assert parse_scenario(data).stop.batch_size == most
    data["stop"]["batch_size"] = most + 1
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["stop.batch_size"]
    assert f"allowed: at most {most} frames per batch" in str(info.value)
    # the largest batch is min(batch_size, max_frames): a big batch_size on a short run is fine
    data["stop"].update(batch_size=10**9, max_frames=most)
    assert parse_scenario(data).stop.batch_size == 10**9
    # the frame size is the longest of the sweep: the long-code point sets the bound
    data = base_dict()
    data["sweep"] = {"mode": "zip", "axes": {"k": [64, 8448], "n": [128, 25344],
                                             "ebno_db": [1.0, 1.0]}}
    del data["params"]["k"], data["params"]["n"]
    data["stop"].update(batch_size=2000, max_frames=10**6)
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert locations(info.value) == ["stop.batch_size"]
    assert "frames of 25344 code bits" in str(info.value) and "point 1" in str(info.value)


def test_grid_bounds(locations):
    def study(system, **params):
        return {"name": "g", "system": system,
                "params": {"p_total": 2.0, "z_eve_db": -3.0, **params},
                "sweep": {"axes": {"z_bob_db": [0.0]}}}
    assert parse_scenario(study("pld_theorem1", d_k=30, grid=2001)).points()[0]["grid"] == 2001
    assert parse_scenario(study("pld_optimum", grid=10**6)).points()[0]["grid"] == 10**6
    for system, params, where in (("pld_theorem1", {"d_k": 30, "grid": 2002}, "params.grid"),
                                  ("pld_optimum", {"grid": 10**6 + 1}, "params.grid"),
                                  ("pld_feasibility", {"grid": 10**6, "n": 200},
                                   "params.grid"),  # 201 * 1e6 line points: grid moved
                                  ("pld_feasibility", {"n": 10**4}, "params.n"),  # 1e4 * 20001
                                  ("pld_mm_bcd", {"n": 5000}, "params.n")):  # 5001 * 20001
        with pytest.raises(ScenarioError) as info:
            parse_scenario(study(system, **params))
        assert locations(info.value) == [where], info.value.problems


def test_predictions_checked_at_every_point():
    data = base_dict()
    data["sweep"] = {"mode": "zip", "axes": {"modulation": ["qpsk", "bpsk", "qpsk", "16qam"],
                                             "ebno_db": [1.0, 1.5, 2.0, 2.5]}}
    data["output"]["predictions"] = [{"name": "normal_approximation", "log_term": False},
                                     {"name": "metaconverse", "metric": "bler"}]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert info.value.problems == [
        "output.predictions[1].name: got \"metaconverse\", which cannot be evaluated where "
        "sweep.axes.modulation[3] = '16qam'; allowed: modulation: bpsk or qpsk (the "
        "metaconverse is implemented for BI-AWGN)"]
    data["sweep"]["axes"]["modulation"][3] = "bpsk"
    sc = parse_scenario(data)
    assert sc.predictions[0] == {"name": "normal_approximation", "log_term": False}


def test_costly_prediction_is_checked_not_evaluated(monkeypatch):
    """The metaconverse (seconds a point) has a cheap applicability check: parsing never
    evaluates it; a prediction without a check is evaluated (and its failure reported)."""
    from linksim import scenario as module
    from linksim.systems import SYSTEMS
    from linksim.theory import bounds
    PREDICTIONS = SYSTEMS["coded_link"].predictions
    module._prediction_error.cache_clear()

    def never(*args, **kwargs):
        raise AssertionError("the metaconverse was evaluated at parse time")

    monkeypatch.setattr(bounds, "metaconverse", never)
    data = base_dict()
    data["output"]["predictions"] = [{"name": "metaconverse"}]
    assert parse_scenario(data).predictions == [{"name": "metaconverse"}]

    def fails_at_two_db(params, scale=1.0):
        if params["ebno_db"] == 2.0:
            raise ValueError("ebno_db: got 2.0; allowed: anything but 2 dB")
        return 0.5 * scale

    monkeypatch.setitem(PREDICTIONS, "picky", fails_at_two_db)
    data["output"]["predictions"] = [{"name": "picky", "scale": 0.5}]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert info.value.problems == [
        "output.predictions[0].name: got \"picky\", which cannot be evaluated where "
        "sweep.axes.ebno_db[2] = 2.0; allowed: ebno_db: anything but 2 dB"]
    data["output"]["predictions"] = [{"name": "picky", "scale": "half"}]
    with pytest.raises(ScenarioError) as info:
        parse_scenario(data)
    assert info.value.problems == [
        "output.predictions[0].scale: got \"half\" (a string); allowed: a number, the type of "
        "the option's default 1.0"]
    module._prediction_error.cache_clear()


def test_extreme_values_never_crash_the_parser():
    """Every parameter of every system set to extreme numbers: a Scenario or a clean
    ScenarioError, never another exception."""
    from linksim.systems import SYSTEMS
    extremes = [0, -1, 5e-324, 1e-300, 1e308, -1e308, 2**63 - 1, -(2**63), 10**9, 3100.0]
    base = {"coded_link": {"k": 64, "n": 128, "ebno_db": 1.0},
            "pld": {"p_m": 0.6, "p_k": 0.4, "d_k": 8, "z_eve_db": -3.0}}
    for system, spec in SYSTEMS.items():
        params = dict(base.get(system, {"z_eve_db": -3.0, "p_total": 2.0, "d_k": 8}))
        params = {k: v for k, v in params.items() if k in spec.params}
        for name in spec.params:
            for value in extremes:
                data = {"name": "x", "system": system, "seed": 1,
                        "params": {k: v for k, v in params.items() if k != name},
                        "sweep": {"axes": {name: [value]}}}
                if spec.kind == "simulation":
                    data["stop"] = {"max_frame_errors": 5, "max_frames": 20}
                try:
                    parse_scenario(data)
                except ScenarioError as exc:
                    assert all("; allowed: " in p for p in exc.problems), exc.problems
                    assert_clean_message(str(exc))
