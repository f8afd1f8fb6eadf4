"""Seed 001's region study (linksim.systems.key_agreement.studies): Fig. 3's regions, the
cross-seed identity with seed 000's region, and (slow) the notes' 51^4 / 101^3 table."""

import numpy as np
import pytest

from linksim.systems.ic_secrecy.studies import RegionStudy
from linksim.systems.key_agreement.spec import _region_limits
from linksim.systems.key_agreement.studies import KeyRegionStudy

R1 = (0.0, 0.5, 1.0, 1.5, 2.0, 2.0831, 2.5, 2.75)


@pytest.fixture(scope="module")
def coarse():
    return {r1: KeyRegionStudy(p1=100.0, alpha1=0.2, alpha2=0.2, grid=11, ts_grid=21,
                               r1=r1).evaluate() for r1 in R1}


def test_without_public_channel_it_is_seed_000s_region_on_the_same_grid(coarse):
    """Notes 001 §2.5 / 000 §5.4 E1: the "AN without public channel" curve of Fig. 3 is seed
    000's corrected Proposition 2 region at P = 100, rho = 0.2: identical boundaries on the
    same grid (the two systems compute them independently, from eq. 9's forward bracket and
    from Proposition 2)."""
    for r1, out in coarse.items():
        ref = RegionStudy(p=100.0, rho1=0.2, rho2=0.2, grid=11, r1=r1).evaluate()
        assert abs(out["nopub_union"] - ref["r2_union"]) < 1e-12
        assert abs(out["nopub_hull"] - ref["r2_hull"]) < 1e-12


def test_fig3_claims(coarse):
    """The paper's claims on Fig. 3 (notes §3): the public channel only adds; (BW, BW) is the
    max-sum and symmetric point of the AN region (on its Pareto boundary: the grid holds
    lambda = beta = 1 exactly); (FW, FW) is the smallest pure point and the others lie inside
    the AN region."""
    out = coarse[0.0]
    for r1, o in coarse.items():
        assert o["an_union"] >= o["nopub_union"] - 1e-12
        assert o["an_hull"] >= o["an_union"] - 1e-12 and o["ts_hull"] >= o["ts_union"] - 1e-12
    bw = out["bw_bw_r1"] + out["bw_bw_r2"]
    assert abs(out["an_max_sum"] - bw) < 1e-12 and abs(bw - 4.1661) < 1e-4
    assert abs(out["an_sym_hull"] - 2.0831) < 1e-4 and abs(out["an_sym_union"] - 2.0831) < 1e-4
    assert abs(coarse[2.0831]["an_hull"] - out["bw_bw_r2"]) < 1e-4
    sums = {p: out[f"{p}_r1"] + out[f"{p}_r2"] for p in ("fw_fw", "fw_bw", "bw_fw", "bw_bw")}
    assert min(sums, key=sums.get) == "fw_fw" and max(sums, key=sums.get) == "bw_bw"
    for p in ("fw_fw", "fw_bw", "bw_fw"):
        inside = KeyRegionStudy(p1=100.0, grid=11, ts_grid=21, r1=out[f"{p}_r1"]).evaluate()
        assert inside["an_union"] >= out[f"{p}_r2"] - 1e-12


def test_region_errors_are_one_line():
    with pytest.raises(ValueError, match="alpha1: got 1.5; allowed"):
        KeyRegionStudy(alpha1=1.5)
    limit = _region_limits({"grid": 81, "ts_grid": 101})
    assert limit.name == "grid" and "grid^4" in limit.allowed
    assert _region_limits({"grid": 51, "ts_grid": 101}) is None


@pytest.mark.slow
def test_notes_table_of_fig3_on_the_notes_grids():
    """Notes 001 §3, the table of R_2^max(R_1) on 51^4 (AN) and 101^3 (time sharing) grids,
    printed to 3 decimals: every entry within 1e-3 (the printing's rounding, 5e-4, plus the
    last digit's ambiguity)."""
    table = {
        "an_union": [2.866, 2.830, 2.704, 2.479, 2.140, 2.069, 1.462, 0.837],
        "an_hull": [2.866, 2.841, 2.718, 2.489, 2.149, 2.083, 1.481, 0.893],
        "ts_union": [2.867, 2.836, 2.424, 1.829, 1.346, 1.275, 0.936, 0.688],
        "ts_hull": [2.867, 2.841, 2.456, 1.956, 1.456, 1.373, 0.956, 0.694],
        "nopub_union": [2.866, 2.381, 1.765, 1.243, 0.796, 0.730, 0.403, 0.148],
        "nopub_hull": [2.866, 2.418, 1.918, 1.418, 0.918, 0.835, 0.418, 0.155],
    }
    # the notes' column "2.083" is R_1 = 2.0831, just past (BW, BW)'s R_1 = 2.08305: the
    # union boundary drops there from 2.0831 to 2.069 (the hull does not)
    rows = [KeyRegionStudy(p1=100.0, r1=r1).evaluate() for r1 in (0.0, 0.5, 1.0, 1.5, 2.0,
                                                                  2.0831, 2.5, 2.75)]
    for name, want in table.items():
        got = np.array([row[name] for row in rows])
        assert np.max(np.abs(got - np.array(want))) <= 1e-3, name
    assert abs(rows[0]["ts_max_sum"] - 3.456) < 1e-3
    assert abs(rows[0]["ts_sym_hull"] - 1.728) < 1e-3
    assert abs(rows[0]["ts_sym_union"] - 1.662) < 1e-3
    assert abs(rows[0]["nopub_max_sum"] - 2.918) < 1e-3
