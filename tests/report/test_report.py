"""Tests of linksim.report: CSV, figures and the self-contained HTML report."""

from __future__ import annotations

import base64
import math
import re
import shutil
import subprocess

import numpy as np
import pytest
from matplotlib.container import ErrorbarContainer

from linksim.report import read_csv, render_html, write_csv, write_outputs
from linksim.report.figures import UPPER_LIMIT_GID, plot_metric, save_figure
from linksim.sim.metrics import compute_metrics

EBNO = [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]
DECODERS = ["nms", "spa"]
METRIC_NAMES = ["bler", "ber", "avg_iterations", "crc_failure_rate"]
DESCRIPTION = "Waterfall of a rate-1/2 code <b>& friends</b>\nsecond line"


def make_scenario(**over) -> dict:
    """A scenario dict in the shape of ``Scenario.to_dict()``."""
    scen = {
        "name": "LDPC k=512 <test>",
        "description": DESCRIPTION,
        "system": "coded_link",
        "seed": 12345,
        "confidence": 0.95,
        "params": {"code": "ldpc5g", "k": 512, "n": 1024, "modulation": "qpsk",
                   "channel": "awgn", "num_iter": 20, "early_stop": True},
        "axes": {"ebno_db": list(EBNO), "decoder": list(DECODERS)},
        "mode": "grid",
        "stop": {"max_frame_errors": 100, "max_frames": 20000, "batch_size": 1000,
                 "first_batch_size": 64, "max_seconds": None},
        "metrics": list(METRIC_NAMES),
        "x": "ebno_db",
        "predictions": [{"name": "normal_approx", "metric": "bler"}],
        "hash": "3f9a1c0de4b5a6978812aa00ffee0123456789ab",
    }
    scen.update(over)
    return scen


def make_rows(scen: dict, *, predictions=True, verdicts=True, bound_form=False) -> list[dict]:
    """Synthetic point rows: a BLER waterfall per decoder, the last SNR with zero errors, and
    ``crc_failure_rate`` unreported (value None)."""
    rng = np.random.default_rng(7)
    rows = []
    point = 0
    swept_decoder = "decoder" in scen["axes"]
    for dec_i, dec in enumerate(scen["axes"].get("decoder", ["nms"])):
        for ebno in scen["axes"]["ebno_db"]:
            p = 1.0 / (1.0 + math.exp(3.2 * (ebno - 1.2 - 0.3 * dec_i)))
            frames = 20000 if p < 0.005 else min(20000, max(64, int(100 / max(p, 1e-9))))
            errors = 0 if ebno == 3.0 else int(rng.binomial(frames, p))
            bits = frames * 512
            per_frame = int(rng.integers(20, 60))       # bit errors of each failed frame
            bit_errors = errors * per_frame
            counts = {"frames": frames, "frame_errors": errors, "bits": bits,
                      "bit_errors": bit_errors, "bit_errors_sq": bit_errors * per_frame,
                      "iterations": frames * int(3 + 10 * p),
                      "undetected_errors": 0}
            row = {
                "point": point,
                "axes": {"ebno_db": ebno, **({"decoder": dec} if swept_decoder else {})},
                "params": {**scen["params"], "ebno_db": ebno, "decoder": dec},
                "counts": counts,
                **{k: counts[k] for k in ("frames", "frame_errors", "bits", "bit_errors")},
                "metrics": compute_metrics(counts, scen["metrics"], scen["confidence"]),
                "stopped_by": "max_frame_errors" if errors >= 100 else "max_frames",
                "n_batches": 3 + point % 5,
                "elapsed_s": 0.25 * (point + 1),
                "confidence": scen["confidence"],
            }
            if predictions:
                value = min(1.0, p * 1.1)
                row["predictions"] = {"normal_approx": (
                    {"value": value, "kind": "upper_bound"} if bound_form else value)}
            if verdicts and predictions:
                row["verdicts"] = {"bler": {"prediction": "normal_approx",
                                            "verdict": "consistent" if point % 3 else "reject",
                                            "p_value": 0.5 if point % 3 else 0.001}}
            rows.append(row)
            point += 1
    return rows


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One report written from the synthetic rows: (out_dir, scenario, rows, result dict)."""
    out = tmp_path_factory.mktemp("run")
    scen = make_scenario()
    rows = make_rows(scen)
    res = write_outputs(out, scen, rows, generated="2024-05-01T12:00:00Z")
    return out, scen, rows, res


# ----------------------------------------------------------------------------- files and CSV

def test_files_exist(run):
    out, scen, rows, res = run
    assert res["csv"] == out / "results.csv" and res["csv"].is_file()
    assert res["html"] == out / "report.html" and res["html"].is_file()
    expected = [out / "figures" / f"{m}.{ext}" for m in scen["metrics"] for ext in ("png", "pdf")]
    assert res["figures"] == expected
    for path in expected:
        head = path.read_bytes()[:8]
        assert head.startswith(b"\x89PNG") if path.suffix == ".png" else head.startswith(b"%PDF")
    # atomic writes leave no temporary files behind
    assert sorted(p.name for p in out.iterdir()) == ["figures", "report.html", "results.csv"]
    assert len(list((out / "figures").iterdir())) == 2 * len(scen["metrics"])


def test_csv_columns_and_values(run):
    out, scen, rows, _ = run
    table = read_csv(out / "results.csv")
    assert len(table) == len(rows)
    header = list(table[0])
    metric_cols = [c for m in scen["metrics"] for c in (m, f"{m}_ci_lo", f"{m}_ci_hi")]
    assert header == (["point", "ebno_db", "decoder", "frames", "frame_errors", "bits",
                       "bit_errors"] + metric_cols + ["bit_errors_sq", "iterations",
                                                      "undetected_errors",
                                                      "pred_normal_approx", "verdict_bler",
                                                      "p_value_bler", "stopped_by",
                                                      "n_batches"])
    for got, row in zip(table, rows):
        assert got["point"] == row["point"]
        assert got["ebno_db"] == row["axes"]["ebno_db"] and got["decoder"] == row["axes"]["decoder"]
        for key in ("frames", "frame_errors", "bits", "bit_errors"):
            assert got[key] == row[key]
        for m in ("bler", "ber"):
            entry = row["metrics"][m]
            assert got[m] == entry["value"]                          # exact round trip
            assert [got[f"{m}_ci_lo"], got[f"{m}_ci_hi"]] == entry["ci"]
        assert got["avg_iterations"] == row["metrics"]["avg_iterations"]["value"]
        assert got["avg_iterations_ci_lo"] is None and got["avg_iterations_ci_hi"] is None
        assert got["crc_failure_rate"] is None and got["crc_failure_rate_ci_lo"] is None
        assert got["iterations"] == row["counts"]["iterations"]
        assert got["pred_normal_approx"] == row["predictions"]["normal_approx"]
        assert got["verdict_bler"] == row["verdicts"]["bler"]["verdict"]
        assert got["p_value_bler"] == row["verdicts"]["bler"]["p_value"]
        assert got["stopped_by"] == row["stopped_by"]
        assert got["n_batches"] == row["n_batches"] and "elapsed_s" not in got
    zero = [g for g in table if g["frame_errors"] == 0]
    assert zero and all(g["bler"] == 0.0 and g["bler_ci_lo"] == 0.0 and g["bler_ci_hi"] > 0
                        for g in zero)


def test_csv_optional_columns(tmp_path):
    """No prediction/verdict columns without them; bound-form predictions get a kind column."""
    scen = make_scenario(predictions=[])
    write_csv(tmp_path / "a.csv", scen, make_rows(scen, predictions=False))
    header = list(read_csv(tmp_path / "a.csv")[0])
    assert not [c for c in header if c.startswith(("pred_", "verdict_", "p_value_"))]

    scen = make_scenario()
    rows = make_rows(scen, verdicts=False, bound_form=True)
    write_csv(tmp_path / "b.csv", scen, rows)
    table = read_csv(tmp_path / "b.csv")
    assert "pred_normal_approx_kind" in table[0] and "verdict_bler" not in table[0]
    assert all(t["pred_normal_approx_kind"] == "upper_bound" for t in table)
    assert [t["pred_normal_approx"] for t in table] == \
        [r["predictions"]["normal_approx"]["value"] for r in rows]
    assert "pred_normal_approx_se" not in table[0]
    raw = read_csv(tmp_path / "b.csv", convert=False)
    assert all(isinstance(v, str) for v in raw[0].values())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]   # no temp files
    # A prediction with its own standard error gets an _se column and "± s.e." in the page.
    import copy
    with_se = copy.deepcopy(rows)
    for i, r in enumerate(with_se):
        r["predictions"]["normal_approx"] = {"value": 0.1, "kind": "estimate", "se": 1e-3 * i}
    write_csv(tmp_path / "c.csv", scen, with_se)
    table = read_csv(tmp_path / "c.csv")
    assert [t["pred_normal_approx_se"] for t in table] == [1e-3 * i for i in range(len(rows))]
    from linksim.report.html import render_html
    page = render_html(scen, with_se)
    assert "± 1" in page and "(s.e.)" in page
    # bound-form predictions render with their direction in the HTML
    assert "\u2264 " + f"{rows[0]['predictions']['normal_approx']['value']:.2e}" in \
        render_html(scen, rows)


# ----------------------------------------------------------------------------- HTML

def test_html_self_contained(run):
    out, scen, _, _ = run
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert 'src="http' not in page and "<script" not in page.lower()
    assert "<link" not in page.lower() and "@import" not in page and "url(" not in page
    srcs = re.findall(r'src="([^"]*)"', page)
    assert len(srcs) == len(scen["metrics"])
    for src in srcs:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:4] == b"\x89PNG"


def test_html_content(run):
    out, scen, rows, _ = run
    page = (out / "report.html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", page)                       # the page's visible text
    # escaped scenario text, never the raw markup
    assert "Waterfall of a rate-1/2 code &lt;b&gt;&amp; friends&lt;/b&gt;" in page
    assert "<b>&" not in page
    assert "<h1>LDPC k=512 &lt;test&gt;</h1>" in page
    for needle in ("coded_link", "12345", scen["hash"], "2024-05-01T12:00:00Z", "ldpc5g",
                   "100 frame errors", "20,000 frames", "0.1.0", "grid"):
        assert needle in page, needle
    for row in rows:
        assert f"{row['frames']:,}" in page
        bler = row["metrics"]["bler"]
        lo, hi = bler["ci"]
        if bler["value"] == 0:
            want = f"0 [0, {hi:.2e}]"
        else:
            want = f"{bler['value']:.2e} [{lo:.2e}, {hi:.2e}]"
        assert want in text, want
        assert f"{row['metrics']['avg_iterations']['value']:.4g}" in page
        assert f"{row['predictions']['normal_approx']:.2e}" in page
    assert page.count('class="badge good">consistent<') == sum(
        r["verdicts"]["bler"]["verdict"] == "consistent" for r in rows)
    assert 'class="badge bad">reject<' in page
    assert "max_frame_errors" in page and "max_frames" in page
    assert page.count("<tr>") >= len(rows)


def test_render_html_escapes_everything():
    scen = make_scenario(name="<script>alert(1)</script>", system="sys<&>",
                         params={"<k>": "\"v\"&"}, hash="<h>")
    rows = make_rows(make_scenario())
    for r in rows:
        r["stopped_by"] = "<stop>"
        r["verdicts"]["bler"]["verdict"] = "<v>"
    page = render_html(scen, rows, generated="<now>")
    for raw in ("<script", "sys<&>", "<k>", "\"v\"&", "<h>", "<stop>", "<v>", "<now>"):
        assert raw not in page
    assert "&lt;script&gt;" in page and "&lt;stop&gt;" in page


def test_deterministic(tmp_path):
    """Same inputs and timestamp -> byte-identical files, whatever the order of the rows."""
    scen = make_scenario(metrics=["bler", "avg_iterations"])
    rows = make_rows(scen)
    write_outputs(tmp_path / "a", scen, rows, generated="t0")
    write_outputs(tmp_path / "b", scen, list(reversed(rows)), generated="t0")
    for name in ["results.csv", "report.html"] + [f"figures/{m}.{e}" for m in scen["metrics"]
                                                  for e in ("png", "pdf")]:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert "t0" in (tmp_path / "a" / "report.html").read_text()
    page = render_html(scen, rows)
    assert page == render_html(scen, rows) and "not recorded" in page


# ----------------------------------------------------------------------------- figures

def _errorbars(ax):
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def test_plot_rate_log_with_errorbars():
    scen = make_scenario()
    rows = make_rows(scen)
    fig = plot_metric(rows, "bler", "ebno_db", scen)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    bars = _errorbars(ax)
    assert len(bars) == len(DECODERS)
    assert "$E_b/N_0$ (dB)" == ax.get_xlabel() and ax.get_ylabel() == "BLER"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "decoder=nms" in legend and "decoder=spa" in legend and "normal_approx" in legend
    # asymmetric Clopper-Pearson bars: each segment spans exactly [ci_lo, ci_hi]
    nms = [r for r in rows if r["axes"]["decoder"] == "nms" and r["frame_errors"] > 0]
    segs = bars[0].lines[2][0].get_segments()
    assert len(segs) == len(nms)
    for seg, r in zip(segs, nms):
        lo, hi = r["metrics"]["bler"]["ci"]
        assert seg[0][0] == r["axes"]["ebno_db"]
        assert np.allclose([seg[0][1], seg[1][1]], [lo, hi], rtol=1e-12)
    # data line never carries a zero (log axis)
    assert all(y > 0 for c in bars for y in c.lines[0].get_ydata())
    # theory curve in the series' colour, dashed
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == len(DECODERS)
    assert {ln.get_color() for ln in dashed} == {"C0", "C1"}


def test_zero_error_point_is_upper_limit_marker():
    scen = make_scenario()
    rows = make_rows(scen)
    ax = plot_metric(rows, "bler", "ebno_db", scen).axes[0]
    ups = [ln for ln in ax.get_lines() if ln.get_gid() == UPPER_LIMIT_GID]
    zero = [r for r in rows if r["frame_errors"] == 0]
    assert len(ups) == len(DECODERS) and sum(len(u.get_xdata()) for u in ups) == len(zero)
    for u in ups:
        assert u.get_marker() == "v" and u.get_linestyle() == "None"
    got = sorted((x, y) for u in ups for x, y in zip(u.get_xdata(), u.get_ydata()))
    want = sorted((r["axes"]["ebno_db"], r["metrics"]["bler"]["ci"][1]) for r in zero)
    assert got == want
    assert any("upper limit" in t.get_text() for t in ax.get_legend().get_texts())


def test_plot_mean_metric_linear_without_errorbars():
    scen = make_scenario()
    ax = plot_metric(make_rows(scen), "avg_iterations", "ebno_db", scen).axes[0]
    assert ax.get_yscale() == "linear" and not _errorbars(ax)
    assert ax.get_ylabel() == "Average BP iterations"
    assert len([ln for ln in ax.get_lines() if len(ln.get_xdata()) == len(EBNO)]) == 2


def test_plot_none_metric_and_options(tmp_path):
    scen = make_scenario()
    rows = make_rows(scen)
    ax = plot_metric(rows, "crc_failure_rate", "ebno_db", scen).axes[0]   # every value None
    assert ax.get_yscale() == "log" and any(t.get_text().startswith("no data") for t in ax.texts)
    assert ax.get_legend() is None and ax.get_xlim()[0] < 0 < 3 < ax.get_xlim()[1] < 3.5
    # categorical x, given Axes, save_figure
    from matplotlib.figure import Figure
    fig = Figure()
    own = fig.add_subplot()
    assert plot_metric(rows, "ber", "decoder", scen, ax=own) is fig
    assert [t.get_text() for t in own.get_xticklabels()] == DECODERS
    assert len(_errorbars(own)) == len(EBNO)
    paths = save_figure(fig, tmp_path / "sub" / "ber")
    assert paths == [tmp_path / "sub" / "ber.png", tmp_path / "sub" / "ber.pdf"]
    assert all(p.stat().st_size > 1000 for p in paths)
    # single axis, x omitted from the scenario: defaults to the first axis
    one = make_scenario(axes={"ebno_db": list(EBNO)}, x=None, predictions=[], metrics=["bler"])
    one_rows = [r for r in make_rows(one, predictions=False)]
    res = write_outputs(tmp_path / "one", one, one_rows)
    assert len(read_csv(res["csv"])) == len(EBNO)
    ax = plot_metric(one_rows, "bler", "ebno_db", one).axes[0]
    assert len(_errorbars(ax)) == 1


def test_plot_errors():
    scen = make_scenario()
    rows = make_rows(scen)
    with pytest.raises(ValueError, match="metric"):
        plot_metric(rows, "nope", "ebno_db", scen)
    with pytest.raises(ValueError, match="x: got 'snr'"):
        plot_metric(rows, "bler", "snr", scen)


# ----------------------------------------------------------------------------- browser check

@pytest.mark.slow
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium not installed")
def test_render_in_headless_chromium(run, tmp_path):
    out = run[0]
    shot = tmp_path / "report.png"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    f"--screenshot={shot}", "--window-size=1280,2000",
                    (out / "report.html").resolve().as_uri()],
                   check=True, capture_output=True, timeout=120)
    data = shot.read_bytes()
    assert data[:4] == b"\x89PNG" and len(data) > 20_000


def test_report_names_each_interval_method(run):
    """The parameter table says how each rate's interval was computed: frames as independent
    trials for BLER, frames as clusters for BER."""
    out, scen, rows, _ = run
    html = (out / "report.html").read_text()
    assert "Intervals" in html
    assert "BLER: exact Clopper-Pearson (frames are independent trials)" in html
    assert "BER: Korn-Graubard with frames as clusters" in html
