"""Tests of the ``linksim`` command (in-process ``main`` and one console-script subprocess)."""

import csv
import json
import shutil
import subprocess

import pytest

from linksim.cli import main, parse_ebno_list

SMALL = ["bler", "--code", "none", "--k", "64", "--mod", "qpsk", "--max-frames", "200",
         "--batch-size", "100", "--seed", "3", "--max-frame-errors", "1000"]
REQUIRED_KEYS = {"ebno_db", "frames", "frame_errors", "bit_errors", "bler", "ber", "bler_ci",
                 "ber_ci", "info_mbps", "elapsed_s", "code", "k", "n", "modulation", "channel",
                 "decoder", "num_iter", "seed", "confidence", "max_frames", "max_frame_errors"}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    """`linksim bler` writes results/bler under the working directory: keep it in tmp_path."""
    monkeypatch.chdir(tmp_path)


def _json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


# ----------------------------------------------------------------------------- sweep parsing

@pytest.mark.parametrize("text, expected", [
    ("0:0.5:3", [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]),
    ("0:0.1:0.3", [0.0, 0.1, 0.2, 0.3]),
    ("0:0.5:1.2", [0.0, 0.5, 1.0]),
    ("3:-1:1", [3.0, 2.0, 1.0]),
    ("-2:1:-2", [-2.0]),
    ("1,2.5, 4", [1.0, 2.5, 4.0]),
    ("7", [7.0]),
])
def test_parse_ebno_list(text, expected):
    assert parse_ebno_list(text) == expected


@pytest.mark.parametrize("text", ["", "1:2", "0:0:1", "0:-1:3", "a,b", "1:nan:2", "0:1e-9:100",
                                  "1,,2"])
def test_parse_ebno_list_rejects(text):
    with pytest.raises(ValueError):
        parse_ebno_list(text)


# ----------------------------------------------------------------------------- outputs

def test_table_output(capsys):
    assert main(SMALL + ["--ebno-db", "0:2:4"]) == 0
    out = capsys.readouterr().out
    header = [line for line in out.splitlines() if line.startswith("#")]
    rows = [line for line in out.splitlines() if line.strip() and not line.startswith("#")]
    text = "\n".join(header)
    for column in ("Eb/N0", "frames", "bit errors", "frame errors", "BER", "BLER",
                   "BLER CI 95%", "info Mb/s", "elapsed"):
        assert column in text
    assert "\r" not in out  # not a TTY: final rows only
    assert len(rows) == 3
    assert [float(r.split("|")[0]) for r in rows] == [0.0, 2.0, 4.0]
    assert all(int(r.split("|")[1]) == 200 for r in rows)


def test_json_output_and_determinism(capsys):
    argv = SMALL + ["--ebno-db", "-2,1", "--json", "--confidence", "0.9"]
    assert main(argv) == 0
    recs = _json_lines(capsys.readouterr().out)
    assert [r["ebno_db"] for r in recs] == [-2.0, 1.0]
    for r in recs:
        assert REQUIRED_KEYS <= set(r)
        assert r["frames"] == 200 and r["k"] == 64 and r["code"] == "none"
        assert r["confidence"] == 0.9 and r["seed"] == 3
        lo, hi = r["bler_ci"]
        assert lo <= r["bler"] <= hi
        lo, hi = r["ber_ci"]
        assert lo <= r["ber"] <= hi
        assert r["bit_errors"] == r["counts"]["bit_errors"]
    assert recs[0]["ber"] > recs[1]["ber"]
    assert main(argv) == 0
    again = _json_lines(capsys.readouterr().out)
    assert [r["counts"] for r in again] == [r["counts"] for r in recs]


def test_csv_output(tmp_path, capsys):
    path = tmp_path / "curve.csv"
    assert main(SMALL + ["--ebno-db", "0,3", "--crc", "CRC6", "--json", "--csv", str(path)]) == 0
    recs = _json_lines(capsys.readouterr().out)
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2
    for row, rec in zip(rows, recs):
        assert float(row["ebno_db"]) == rec["ebno_db"]
        assert int(row["frames"]) == rec["frames"] == 200
        assert int(row["frame_errors"]) == rec["frame_errors"]
        assert int(row["bit_errors"]) == rec["bit_errors"]
        assert float(row["bler_ci_lo"]) == pytest.approx(rec["bler_ci"][0])
        assert float(row["ber_ci_hi"]) == pytest.approx(rec["ber_ci"][1])
        assert int(row["undetected_errors"]) == rec["counts"]["undetected_errors"]
        assert row["crc"] == "CRC6" and row["modulation"] == "qpsk"


def test_ldpc_run_and_negative_range(capsys):
    argv = ["bler", "--code", "ldpc5g", "--k", "64", "--n", "128", "--ebno-db", "-1:3.5:6",
            "--max-frame-errors", "20", "--max-frames", "1e3", "--batch-size", "100",
            "--decoder", "oms", "--iters", "8", "--json"]
    assert main(argv) == 0
    recs = _json_lines(capsys.readouterr().out)
    assert [r["ebno_db"] for r in recs] == [-1.0, 2.5, 6.0]
    # first batch: 64 frames (the ramp), already more than 20 errors at -1 dB
    assert recs[0]["frames"] == 64 and recs[0]["stopped_by"] == "max_frame_errors"
    assert recs[0]["frame_errors"] >= 20
    assert recs[-1]["frames"] == 1000 and recs[-1]["stopped_by"] == "max_frames"
    assert all(r["decoder"] == "oms" and r["num_iter"] == 8 for r in recs)
    assert all(0 < r["avg_iterations"] <= 8 for r in recs)


def test_fading_options_reach_the_link(capsys):
    argv = SMALL + ["--ebno-db", "10", "--channel", "rician", "--k-factor", "4", "--fading",
                    "block", "--n-blocks", "4", "--csi-error-var", "0.01", "--demapper",
                    "maxlog", "--no-early-stop", "--json"]
    assert main(argv) == 0
    (rec,) = _json_lines(capsys.readouterr().out)
    assert (rec["channel"], rec["k_factor"], rec["fading"], rec["n_blocks"]) == \
        ("rician", 4.0, "block", 4)
    assert rec["csi_error_var"] == 0.01 and rec["demapper"] == "maxlog"
    assert rec["early_stop"] is False


# ----------------------------------------------------------------------------- bad arguments

@pytest.mark.parametrize("extra, option", [
    (["--ebno-db", "1", "--k", "70", "--n", "64", "--code", "ldpc5g"], "--k"),
    (["--ebno-db", "1", "--code", "ldpc5g", "--k", "4", "--n", "64"], "--k"),
    (["--ebno-db", "1", "--code", "ldpc5g", "--n", "64"], "--n"),
    (["--ebno-db", "1", "--n", "65"], "--n"),
    (["--ebno-db", "1", "--mod", "16qam", "--k", "66", "--n", "66"], "--n"),
    (["--ebno-db", "1:2"], "--ebno-db"),
    (["--ebno-db", "x"], "--ebno-db"),
    (["--ebno-db", "1", "--mod", "8psk"], "--mod"),
    (["--ebno-db", "1", "--channel", "foo"], "--channel"),
    (["--ebno-db", "1", "--max-frames", "1.5"], "--max-frames"),
    (["--ebno-db", "1", "--max-frames", "0"], "--max-frames"),
    (["--ebno-db", "1", "--max-frame-errors", "-5"], "--max-frame-errors"),
    (["--ebno-db", "1", "--batch-size", "ten"], "--batch-size"),
    (["--ebno-db", "1", "--confidence", "95"], "--confidence"),
    (["--ebno-db", "1", "--seed", "-1"], "--seed"),
    (["--ebno-db", "1", "--crc", "CRC7"], "--crc"),
    (["--ebno-db", "1", "--k-factor", "2"], "--k-factor"),
    (["--ebno-db", "1", "--csi-error-var", "0.1"], "--csi-error-var"),
    (["--ebno-db", "1", "--channel", "rayleigh", "--n-blocks", "3"], "--n-blocks"),
    (["--ebno-db", "1", "--iters", "0"], "--iters"),
    (["--ebno-db", "1", "--decoder", "bp"], "--decoder"),
    (["--ebno-db", "1", "--bogus"], "--bogus"),
    # issue 9: values that used to end in a traceback or a run that never ends
    (["--ebno-db", "3100"], "--ebno-db"),
    (["--ebno-db", "-300.5,1"], "--ebno-db"),
    (["--ebno-db", "0:1e307:1e308"], "--ebno-db"),
    (["--ebno-db", "1", "--iters", "10001"], "--iters"),
    (["--ebno-db", "1", "--iters", "1e9"], "--iters"),
    (["--ebno-db", "1", "--seed", "9223372036854775808"], "--seed"),
    (["--ebno-db", "1", "--seed", "1e3"], "--seed"),
    (["--ebno-db", "1", "--channel", "rayleigh", "--csi-error-var", "1e308"], "--csi-error-var"),
    (["--ebno-db", "1", "--max-frame-errors", "1e30"], "--max-frame-errors"),
])
def test_bad_arguments_exit_2_naming_option(extra, option, capsys):
    base = ["bler", "--code", "none", "--k", "64"]
    # later options override earlier ones, so `extra` may redefine --code / --k
    with pytest.raises(SystemExit) as info:
        main(base + extra + ["--max-frames", "10"] * (option not in ("--max-frames",)))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    assert option in err and "Traceback" not in err


@pytest.mark.parametrize("extra, option, allowed", [
    (["--batch-size", "1e9", "--max-frames", "1e10"], "--batch-size",
     "allowed: at most 524288 frames per batch"),
    (["--k", "1e12", "--max-frames", "10"], "--k/--n", "allowed: frames of at most"),
])
def test_bler_batch_must_fit_in_memory(extra, option, allowed, capsys):
    with pytest.raises(SystemExit) as info:
        main(["bler", "--code", "none", "--k", "64", "--ebno-db", "1"] + extra)
    assert info.value.code == 2
    captured = capsys.readouterr()
    err = captured.err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"argument {option}: got " in err and allowed in err
    assert captured.out == ""       # nothing ran


def test_bler_largest_batch_is_bounded_by_max_frames(capsys):
    """--batch-size 1e9 with --max-frames 100: batches of at most 100 frames, which fit."""
    assert main(SMALL + ["--ebno-db", "8", "--batch-size", "1e9", "--max-frames", "100",
                         "--json"]) == 0
    (rec,) = _json_lines(capsys.readouterr().out)
    assert rec["frames"] == 100 and rec["batch_size"] == 10**9


def test_bler_seed_bounds(capsys):
    top = 2**63 - 1
    assert main(SMALL + ["--ebno-db", "8", "--seed", str(top), "--json"]) == 0
    (rec,) = _json_lines(capsys.readouterr().out)
    assert rec["seed"] == top
    for bad in (str(top + 1), "-1", str(2**64)):
        with pytest.raises(SystemExit) as info:
            main(SMALL + ["--ebno-db", "8", "--seed", bad])
        assert info.value.code == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1
        assert f"argument --seed: got '{bad}'; allowed: an integer in [0, {top}]" in err


@pytest.mark.parametrize("extra, option, allowed", [
    (["--seed", str(2**63)], "--seed", "allowed: an integer in [0, 9223372036854775807]"),
    (["--seed", "-1"], "--seed", "allowed: an integer in [0, 9223372036854775807]"),
    (["--workers", "100000"], "--workers", "allowed: an integer in [1, {most}]"),
    (["--workers", "0"], "--workers", "allowed: an integer in [1, {most}]"),
    (["--workers", "two"], "--workers", "allowed: an integer in [1, {most}]"),
])
def test_run_option_bounds(extra, option, allowed, tmp_path, capsys, shipped_scenario):
    from linksim.cli.argtypes import WORKERS_PER_CPU, _cpu_count
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        main(["run", str(shipped_scenario), "--out", str(out), "--no-progress"] + extra)
    assert info.value.code == 2
    captured = capsys.readouterr()
    err = captured.err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert f"argument {option}: got '{extra[1]}'" in err
    assert allowed.format(most=WORKERS_PER_CPU * _cpu_count()) in err
    assert captured.out == "" and not out.exists()


def test_run_symlink_loop(tmp_path, capsys):
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        main(["run", str(loop), "--out", str(out)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"linksim run: {loop}: invalid scenario",
        f"  {loop}: got a symbolic link loop (the link resolves to itself); allowed: an "
        f"existing .toml scenario file"]
    assert not out.exists()


def _list_folder(tmp_path, shipped):
    folder = tmp_path / "scenarios"
    folder.mkdir()
    shutil.copy(shipped, folder / "good.toml")
    (folder / "bomb.toml").write_text('system = "coded_link"\nx = ' + "[" * 3000 + "]" * 3000)
    (folder / "bom.toml").write_bytes(b"\xef\xbb\xbf" + shipped.read_bytes())
    (folder / "huge.toml").write_text('system = "coded_link"\nseed = 1' + "0" * 5000 + "\n")
    (folder / "loop.toml").symlink_to(folder / "loop.toml")
    return folder


def _check_list_output(out, folder):
    lines = out.splitlines()
    by_file = {line.split()[0]: line for line in lines if line.startswith("  ") and
               line.split()[0].endswith(".toml")}
    assert set(by_file) == {"bom.toml", "bomb.toml", "good.toml", "huge.toml", "loop.toml"}
    assert "coded_link" in by_file["good.toml"] and "7 points" in by_file["good.toml"]
    assert "coded_link" in by_file["bom.toml"] and "INVALID" not in by_file["bom.toml"]
    assert "INVALID" in by_file["bomb.toml"] and "nested too deeply" in by_file["bomb.toml"]
    assert "INVALID" in by_file["huge.toml"] and "cannot read" in by_file["huge.toml"]
    assert "INVALID" in by_file["loop.toml"] and "symbolic link loop" in by_file["loop.toml"]
    assert "# systems" in lines      # carried on past the bad files


def test_list_shows_bad_files_and_carries_on(tmp_path, capsys, shipped_scenario):
    folder = _list_folder(tmp_path, shipped_scenario)
    assert main(["list", "--scenarios", str(folder)]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    _check_list_output(captured.out, folder)


def test_list_console_script_on_a_recursion_bomb(tmp_path, shipped_scenario,
                                                 linksim_subprocess):
    folder = _list_folder(tmp_path, shipped_scenario)
    proc = linksim_subprocess("list", "--scenarios", str(folder), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    _check_list_output(proc.stdout, folder)


def test_missing_required_and_no_command(capsys):
    with pytest.raises(SystemExit) as info:
        main(["bler", "--k", "64", "--n", "128"])
    assert info.value.code == 2 and "--ebno-db" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2 and "bler" in capsys.readouterr().err


def test_unwritable_csv(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(SMALL + ["--ebno-db", "1", "--csv", str(tmp_path / "no" / "such" / "dir.csv")])
    assert info.value.code == 2 and "--csv" in capsys.readouterr().err


# ----------------------------------------------------------------------------- console script

def test_console_script():
    exe = shutil.which("linksim")
    if exe is None:
        pytest.skip("the linksim console script is not installed")
    proc = subprocess.run([exe] + SMALL + ["--ebno-db", "2", "--json"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    (rec,) = _json_lines(proc.stdout)
    assert REQUIRED_KEYS <= set(rec) and rec["frames"] == 200


def test_bler_stores_resumes_and_reports(tmp_path, capsys):
    """`linksim bler` runs through the scenario path: its batches land in --out's store, a rerun
    is served from it (no batch added), a run that lost batches (as a killed one) recomputes
    only those and prints the same counts, and the results directory has the usual outputs."""
    import sqlite3
    out = tmp_path / "curve"
    argv = SMALL + ["--ebno-db", "0,3", "--json", "--out", str(out)]
    assert main(argv) == 0
    first = _json_lines(capsys.readouterr().out)
    store = out / "store.sqlite"
    with sqlite3.connect(store) as con:
        n_batches = con.execute("SELECT COUNT(*) FROM batches").fetchone()[0]
    assert n_batches == sum(r["n_batches"] for r in first) >= 2
    for name in ("results.csv", "report.html"):
        assert (out / name).is_file()
    assert main(argv) == 0
    assert [r["counts"] for r in _json_lines(capsys.readouterr().out)] == \
        [r["counts"] for r in first]
    with sqlite3.connect(store) as con:
        assert con.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == n_batches
        con.execute("DELETE FROM batches WHERE point = 1")
    assert main(argv) == 0
    assert [r["counts"] for r in _json_lines(capsys.readouterr().out)] == \
        [r["counts"] for r in first]
    with sqlite3.connect(store) as con:
        assert con.execute("SELECT COUNT(*) FROM batches").fetchone()[0] == n_batches
