"""The joint Bob/Eve model of the PLD link (issue 15): the interference pattern, the effective
SINR, joint against product, and the model anchored on a bit-true point's own marginals."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.mapping import Constellation
from linksim.systems.pld.analysis import combine
from linksim.systems.pld.error_model import FlatLayer as _Flat
from linksim.systems.pld.error_model import ShiftedNA
from linksim.systems.pld.joint import (LayerPair, anchored_joint, effective_sinr, link_metrics,
                                       pattern_nodes)


@pytest.mark.parametrize("n", [16, 64, 128])
def test_pattern_nodes_are_the_law_of_the_projection(n):
    c, w = pattern_nodes(n)
    assert abs(w.sum() - 1) < 1e-14 and abs(w @ c) < 1e-14
    # Clipping at |c| = 0.999 moves the variance by < 1e-7 of itself (n = 16: 5e-8).
    assert abs(w @ c ** 2 * 2 * n - 1) < 1e-6
    # The projection <s, i> / n of two independent unit-power layers: QPSK and 16-QAM.
    rng = np.random.default_rng(n)
    for name in ("qpsk", "16qam"):
        const = Constellation(name)
        bits = rng.integers(0, 2, size=(2, 20000, n * const.bits_per_symbol), dtype=np.uint8)
        s, i = const.map(bits[0]), const.map(bits[1])
        proj = np.real(np.sum(np.conj(s) * i, axis=1)) / n
        # Variance 1/(2n) within 5 % (20000 frames: the estimate's relative s.e. is 1 %).
        assert abs(proj.var() * 2 * n - 1) < 0.05


def test_effective_sinr():
    assert effective_sinr(2.0, 0.5, 1.0, 0.0) == pytest.approx(2.0 / 1.5, rel=1e-15)
    # Without interference the pattern changes nothing.
    np.testing.assert_allclose(effective_sinr(2.0, 0.0, 1.0, np.array([-0.3, 0.3])), 2.0)
    # Aligned interference helps, opposed hurts.
    assert effective_sinr(2.0, 0.5, 1.0, 0.1) > 2.0 / 1.5 > effective_sinr(2.0, 0.5, 1.0, -0.1)


def test_flat_layers_make_joint_equal_product_and_the_paper():
    eps = {"bob_m": 0.01, "eve_m": 0.3, "bob_k": 0.08, "eve_k": 0.95}
    layers = LayerPair({"bob": _Flat(eps["bob_m"]), "eve": _Flat(eps["eve_m"])}, None)
    m = link_metrics(layers, 1.2, 0.8, 1.0, 0.5, 1.0, 64,
                     kappa={"bob": np.array([eps["bob_k"]]), "eve": np.array([eps["eve_k"]])})
    paper = combine(eps)
    for key in ("r_d", "eps_lf"):
        assert float(m[key][0]) == pytest.approx(paper[key], rel=1e-12)
        assert float(m[f"{key}_product"][0]) == pytest.approx(paper[key], rel=1e-12)


def test_undetected_message_errors_deceive():
    """A wrong but accepted M layer makes its receiver output a wrong plaintext: Eve deceived
    (R_d up), Bob deceived (R_d down), exactly as in the closed form."""
    e_m, u = 0.2, 0.05
    kappa = {"bob": np.array([0.1]), "eve": np.array([0.9])}
    eve = link_metrics(LayerPair({"bob": _Flat(0.0), "eve": _Flat(e_m, u)}, None), 1.0, 1.0,
                       1.0, 0.5, 1.0, 64, kappa=kappa)
    dE, dB = (1 - e_m) * 0.9 + u, 0.1
    assert float(eve["r_d"][0]) == pytest.approx(dE * (1 - dB), rel=1e-12)
    bob = link_metrics(LayerPair({"bob": _Flat(e_m, u), "eve": _Flat(0.0)}, None), 1.0, 1.0,
                       1.0, 0.5, 1.0, 64, kappa=kappa)
    assert float(bob["r_d"][0]) == pytest.approx(0.9 * (1 - ((1 - e_m) * 0.1 + u)), rel=1e-12)


def test_shared_interference_lowers_r_d():
    """Both M curves increase with the pattern c, so E[s_B s_E] >= E[s_B] E[s_E] (Chebyshev's
    sum inequality): the joint R_d is below the product and the joint eps_LF above it."""
    layer = ShiftedNA(27, 64, 1.2, 11)
    p_m = np.linspace(1.0, 1.8, 9)
    m = link_metrics(LayerPair(layer, ShiftedNA(51, 64, 1.2, 11)), p_m, 2.0 - p_m, 1.0,
                     10 ** -0.3, 1.0, 64)
    assert np.all(m["both_m_ok"] >= (1 - m["eps_bob_m"]) * (1 - m["eps_eve_m"]) - 1e-15)
    assert np.all(m["r_d"] <= m["r_d_product"] + 1e-15)
    assert np.all(m["eps_lf"] >= m["eps_lf_product"] - 1e-15)
    assert np.max(m["r_d_product"] - m["r_d"]) > 1e-3


def _counts(frames, bob_m, eve_m, bob_und, eve_und, bob_k, eve_k):
    c = {"frames": frames}
    for r, fm, um, fk in (("bob", bob_m, bob_und, bob_k), ("eve", eve_m, eve_und, eve_k)):
        c[f"{r}_m_failures"], c[f"{r}_m_undetected"] = fm, um
        trials = frames - fm
        c[f"{r}_k_trials"], c[f"{r}_k_failures"] = trials, int(round(fk * trials))
    return c


def test_anchored_joint_keeps_the_measured_marginals():
    params = dict(z_eve_db=-3.0, z_bob_db=0.0, d_k=64, p_m=1.607, p_total=3.0, d_m=16, n=64,
                  crc_m="CRC11")
    counts = _counts(100000, 9000, 44000, 5, 30, 0.25, 0.999)
    j = anchored_joint(params, counts)
    eps = {"bob_m": 0.09, "eve_m": 0.44,
           "bob_k": counts["bob_k_failures"] / counts["bob_k_trials"],
           "eve_k": counts["eve_k_failures"] / counts["eve_k_trials"]}
    # The product form of the anchored model is the plug-in formula, up to the undetected
    # M errors it also keeps (5 and 30 in 10^5 frames).
    paper = combine(eps)
    assert j["r_d_product"] == pytest.approx(paper["r_d"], abs=5e-4)
    assert j["eps_lf_product"] == pytest.approx(paper["eps_lf"], abs=5e-4)
    # The shared pattern moves R_d down and eps_LF up (direction of test_shared_interference_lowers_r_d).
    assert j["r_d"] < j["r_d_product"] - 1e-3 and j["eps_lf"] >= j["eps_lf_product"]
    # Not applicable: no key layer, fading, no frames.
    assert anchored_joint({**params, "d_k": 0}, counts) is None
    assert anchored_joint({**params, "channel": "rayleigh"}, counts) is None
    assert anchored_joint(params, {"frames": 0}) is None


def test_a_measured_joint_replaces_the_pattern_model():
    """With both_m_ok given, R_d and eps_LF follow the closed form of the joint table:
    R_d = kE (sE - kB q) (no undetected errors), eps_LF = 1 - (1 - kB)(sB - (1 - kE) q)."""
    sB, sE, kB, kE = 0.9, 0.55, 0.75, 0.999
    layers = LayerPair({"bob": _Flat(1 - sB), "eve": _Flat(1 - sE)}, None)
    kappa = {"bob": np.array([kB]), "eve": np.array([kE])}
    for q in (sB * sE, sB * sE + 0.02):
        m = link_metrics(layers, 1.6, 1.4, 1.0, 0.5, 1.0, 64, kappa=kappa, both_m_ok=[q])
        assert float(m["r_d"][0]) == pytest.approx(kE * (sE - kB * q), rel=1e-12)
        assert float(m["eps_lf"][0]) == pytest.approx(1 - (1 - kB) * (sB - (1 - kE) * q),
                                                      rel=1e-12)
        assert float(m["r_d_product"][0]) == pytest.approx(kE * sE * (1 - sB * kB), rel=1e-12)


def test_code_aware_prediction_at_a_uses_the_sic_stage_and_carries_its_error():
    """At A (scenarios/pld_joint.toml) the committed calibrations hold every input: the key
    layer given the message layer decoded (results/pld_design_sic), the message layers under
    the key layer, and the twin table. eps_bob_k is then exactly the SIC rate, with its
    binomial standard error; every quantity has a positive, finite standard error, and the
    SIC stage's rate differs from the key layer alone (the shared noise; its own run)."""
    import math
    from pathlib import Path

    from linksim.systems.pld.error_model import (CalibratedLayer, load_calibration,
                                                 table_for)
    from linksim.systems.pld.joint import CODE_AWARE_PREDICTIONS, code_aware_prediction
    root = Path(__file__).resolve().parents[3]
    dirs = ",".join(str(root / "results" / d) for d in
                    ("pld_design_calibration", "pld_design_operating", "pld_design_sic"))
    params = dict(z_bob_db=0.0, z_eve_db=-3.0, d_m=16, n=64, modulation="qpsk", decoder="nms",
                  num_iter=20, crc_m="CRC11", crc_k="CRC11", p_total=2.0, p_m=1.2424, d_k=40)
    tables = load_calibration(dirs)
    under = table_for(tables, code="ldpc5g", d=16, crc="CRC11", decoder="nms", num_iter=20,
                      modulation="qpsk", n=64, interference=0.431, interference_d=40,
                      interference_crc="CRC11", twin=False)
    failures, trials = under.sic_at(10 * math.log10(1.2424 / (0.7576 + 1)))
    q = failures / trials
    pred = code_aware_prediction(params, "eps_bob_k", dirs)
    assert pred["value"] == pytest.approx(q, rel=1e-12)
    assert pred["se"] == pytest.approx(math.sqrt(q * (1 - q) / trials), rel=1e-6)
    alone = CalibratedLayer(table_for(tables, code="ldpc5g", d=40, crc="CRC11", decoder="nms",
                                      num_iter=20, modulation="qpsk", n=64, interference=0.0))
    k_alone = float(alone.eps(10 * math.log10(0.7576)))
    assert abs(q - k_alone) > 3 * math.hypot(pred["se"], float(alone.se_logit(
        10 * math.log10(0.7576))) * k_alone * (1 - k_alone))
    for quantity in CODE_AWARE_PREDICTIONS:
        p = code_aware_prediction(params, quantity, dirs)
        assert p["kind"] == "estimate" and 0 <= p["value"] <= 1
        assert 0 < p["se"] < 0.01 and math.isfinite(p["se"])
    # Without the SIC calibration the key layer alone is used (a different value).
    no_sic = code_aware_prediction(params, "eps_bob_k", dirs.rsplit(",", 1)[0])
    assert no_sic["value"] == pytest.approx(k_alone, rel=1e-9)
