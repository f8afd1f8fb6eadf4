"""Stored results as the arrays of Sionna's PlotBER."""

from pathlib import Path

import numpy as np
import pytest

from linksim.interop.plotber import plotber_curves
from linksim.report.csv_io import read_csv

ROOT = Path(__file__).resolve().parents[2]


def test_curves_from_the_readme_study_and_into_plotber():
    curves = plotber_curves(ROOT / "results/ldpc_awgn_qpsk")
    rows = read_csv(ROOT / "results/ldpc_awgn_qpsk/results.csv")
    assert len(curves) == 1
    c = curves[0]
    assert c["is_bler"] and np.array_equal(c["ebno_db"], sorted(r["ebno_db"] for r in rows))
    assert np.array_equal(c["ber"], [r["bler"] for r in sorted(rows, key=lambda r: r["ebno_db"])])
    ber = plotber_curves(ROOT / "results/ldpc_awgn_qpsk", metric="ber")[0]
    assert not ber["is_bler"] and np.all(ber["ber"] <= c["ber"])
    with pytest.raises(ValueError, match="^metric: got 'nope'"):
        plotber_curves(ROOT / "results/ldpc_awgn_qpsk", metric="nope")
    with pytest.raises(ValueError, match="^results_dir: got"):
        plotber_curves(ROOT / "results/missing")
    plotting = pytest.importorskip("sionna.phy.utils")
    import matplotlib
    matplotlib.use("Agg")
    plot = plotting.PlotBER("README study")
    for curve in curves:
        plot.add(**curve)
    assert len(plot.ber) == 1 and plot.is_bler == [True]


def test_curves_split_by_series(tmp_path):
    (tmp_path / "results.csv").write_text(
        "point,k,ebno_db,frames,frame_errors,bits,bit_errors,bler\n"
        "0,64,1.0,100,50,6400,900,0.5\n1,64,0.0,100,90,6400,2000,0.9\n"
        "2,128,1.0,100,40,12800,800,0.4\n")
    curves = plotber_curves(tmp_path)
    assert [c["legend"] for c in curves] == ["k=64", "k=128"]
    assert list(curves[0]["ebno_db"]) == [0.0, 1.0] and list(curves[0]["ber"]) == [0.9, 0.5]
    with pytest.raises(ValueError, match="^x: got 'snr'"):
        plotber_curves(tmp_path, x="snr")
