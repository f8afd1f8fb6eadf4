"""Paper checks of 003.md §11 items 1-3 through the normal approximation (Table III).

Tolerances are the notes' recommended policy (003.md §7): the paper prints 4 digits, so the
baselines must match to +-1e-4 and the PLD points (R_d to +-1e-4, eps_LF to +-5e-4) at the
paper's own operating points (d_K forced to 40/23/11, P_M as reported). P_total = 2 mW,
sigma^2 = 1 mW, z_Bob = 0 dB, d_M = 16, n = 64.
"""

import pytest

from linksim.systems.pld.analysis import layer_error, pld_metrics
from linksim.systems.pld.baselines import baseline_power, baseline_rate

Z_EVE_DB = (-3, -5, -7)
BASELINE_POWER = (0.3708, 0.1611, 0.0492)      # Table III, "w.r.t. P_M"
BASELINE_RATE = (0.3840, 0.1732, 0.0557)       # Table III, "w.r.t. rate"
PLD_POINTS = ((40, 1.2424, 0.7989, 0.1886), (23, 1.5111, 0.8800, 0.0964),
              (11, 1.7332, 0.8163, 0.1003))    # d_K, P_M (mW), R_d, eps_LF


def z(db):
    return 10 ** (db / 10)


@pytest.mark.parametrize("z_db,expected", zip(Z_EVE_DB, BASELINE_POWER))
def test_baseline_power_table3(z_db, expected):
    assert baseline_power(2.0, 1.0, z(z_db)).eps_lf == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("z_db,expected,n_best", zip(Z_EVE_DB, BASELINE_RATE, (13, 15, 17)))
def test_baseline_rate_table3_blocklength_reading(z_db, expected, n_best):
    b = baseline_rate(2.0, 1.0, z(z_db), reading="blocklength")
    assert b.eps_lf == pytest.approx(expected, abs=1e-4) and b.n == n_best


def test_baseline_rate_text_reading_does_not_reproduce_the_table():
    """The paper's text (d_M in [16, 64], n = 64) gives other numbers (003.md §7)."""
    got = [baseline_rate(2.0, 1.0, z(db), reading="text").eps_lf for db in Z_EVE_DB]
    assert got == pytest.approx([0.5045, 0.0202, 0.0002], abs=1e-4)
    assert all(abs(g - e) > 0.01 for g, e in zip(got, BASELINE_RATE))


@pytest.mark.parametrize("z_db,point", zip(Z_EVE_DB, PLD_POINTS))
def test_pld_paper_points_table3(z_db, point):
    d_k, p_m, r_d, eps_lf = point
    m = pld_metrics(p_m, 2.0 - p_m, 16, d_k, 1.0, z(z_db))
    assert m.r_d == pytest.approx(r_d, abs=1e-4)
    assert m.eps_lf == pytest.approx(eps_lf, abs=5e-4)


def test_component_probabilities_at_minus3db():
    """003.md §7: eps_BM = 1.8e-4, eps_BK = 0.1018, eps_EM = 0.0140, eps_EK = 0.9020 (4 digits)."""
    m = pld_metrics(1.2424, 2.0 - 1.2424, 16, 40, 1.0, z(-3))
    assert m.eps["bob_m"] == pytest.approx(1.8e-4, rel=0.05)
    assert m.eps["bob_k"] == pytest.approx(0.1018, abs=2e-4)
    assert m.eps["eve_m"] == pytest.approx(0.0140, abs=1e-4)
    assert m.eps["eve_k"] == pytest.approx(0.9020, abs=1e-4)
    assert m.gamma["bob_m"] == pytest.approx(0.707, abs=1e-3)
    assert m.gamma["eve_k"] == pytest.approx(0.380, abs=1e-3)


def test_edge_conventions():
    """003.md §4.2: d = 0 -> eps = 0; gamma = 0 with d > 0 -> eps = 1; eps = 1/2 at d = n log2(1+g)."""
    assert layer_error(0.0, 0) == 0.0 and layer_error(0.0, 16) == 1.0 and layer_error(1.0, 0) == 0.0
    assert layer_error(1.0, 64, 64) == pytest.approx(0.5, abs=1e-12)
    m = pld_metrics(2.0, 0.0, 16, 0, 1.0, z(-3))          # no key layer at all
    assert m.eps["bob_k"] == 0.0 and m.eps["eve_k"] == 0.0 and m.r_d == 0.0


@pytest.mark.parametrize("kwargs,name", [({"p_m": -1.0}, "p_m"), ({"noise": 0.0}, "noise"),
                                         ({"d_k": 2.5}, "d_k"), ({"n": 0}, "n")])
def test_bad_arguments(kwargs, name):
    args = dict(p_m=1.0, p_k=1.0, d_m=16, d_k=20, z_bob=1.0, z_eve=0.5)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        pld_metrics(**args)
    with pytest.raises(ValueError, match="reading"):
        baseline_rate(2.0, 1.0, 0.5, reading="literal")
