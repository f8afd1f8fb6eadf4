"""The Gaussian log-det mutual-information engine (linksim.theory.gaussian) against closed
forms: AWGN, the corrected Proposition 2 of seed 000, MIMO log det(I + H Q H^H / N), and the
identities every mutual information obeys."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.theory.gaussian import GaussianModel


def test_awgn_real_and_complex_closed_forms_batched():
    snr = np.array([0.0, 0.1, 1.0, 10.0, 1000.0])
    for complex_valued, factor in ((False, 0.5), (True, 1.0)):
        m = GaussianModel({"x": snr, "z": 1.0}, {"x": {"x": 1.0}, "y": {"x": 1.0, "z": 1.0}},
                          complex_valued)
        got = m.mutual_information("x", "y")
        assert got.shape == snr.shape
        assert np.allclose(got, factor * np.log2(1 + snr), rtol=1e-13, atol=1e-15)


def _ic(p, rho1, rho2, lam1, lam2, beta1, beta2):
    """Seed 000's Gaussian IC with AN: X_i = V_i + A_i, Y1 = X1 + rho1 X2 + Z1, Y2 = X2 +
    rho2 X1 + Z2 (notes 000 §2.3)."""
    latents = {"v1": (1 - lam1) * beta1 * p, "a1": lam1 * beta1 * p,
               "v2": (1 - lam2) * beta2 * p, "a2": lam2 * beta2 * p, "z1": 1.0, "z2": 1.0}
    signals = {"v1": {"v1": 1.0}, "v2": {"v2": 1.0},
               "y1": {"v1": 1.0, "a1": 1.0, "v2": rho1, "a2": rho1, "z1": 1.0},
               "y2": {"v2": 1.0, "a2": 1.0, "v1": rho2, "a1": rho2, "z2": 1.0}}
    return GaussianModel(latents, signals)


def test_corrected_proposition_2_of_seed_000_on_300_parameter_sets():
    rng = np.random.default_rng(0)
    n = 300
    p = 10 ** rng.uniform(-1, 3, n)
    rho1, rho2, lam1, lam2, beta1, beta2 = rng.uniform(0, 1, (6, n))
    m = _ic(p, rho1, rho2, lam1, lam2, beta1, beta2)
    rate = m.mutual_information("v1", "y1")
    leak = m.mutual_information("v1", "y2", given="v2")
    want_rate = 0.5 * np.log2(1 + (1 - lam1) * beta1 * p / ((lam1 * beta1 + rho1 ** 2 * beta2)
                                                              * p + 1))
    want_leak = 0.5 * np.log2(1 + rho2 ** 2 * (1 - lam1) * beta1 * p
                              / ((lam2 * beta2 + rho2 ** 2 * lam1 * beta1) * p + 1))
    assert np.max(np.abs(rate - want_rate)) < 1e-11
    assert np.max(np.abs(leak - want_leak)) < 1e-11
    # the printed form, (1 - rho1) in place of (1 - lambda1), is a different number
    printed = 0.5 * np.log2(1 + rho2 ** 2 * (1 - rho1) * beta1 * p
                            / ((lam2 * beta2 + rho2 ** 2 * lam1 * beta1) * p + 1))
    assert np.max(np.abs(leak - printed)) > 0.1


def test_mimo_capacity_with_a_given_input_covariance():
    rng = np.random.default_rng(1)
    for nr, nt in ((1, 1), (2, 3), (4, 2)):
        h = (rng.normal(size=(nr, nt)) + 1j * rng.normal(size=(nr, nt))) / np.sqrt(2)
        g = rng.normal(size=(nt, nt)) + 1j * rng.normal(size=(nt, nt))
        q = g @ g.conj().T / nt
        noise = 0.3
        m = GaussianModel.mimo(h, q, noise)
        want = np.log2(np.linalg.det(np.eye(nr) + h @ q @ h.conj().T / noise).real)
        assert float(m.mutual_information("x", "y")) == pytest.approx(want, rel=1e-12)
    # a rank-one input over two antennas: the deterministic null direction carries nothing
    h = np.array([[1.0, 0.5], [0.2, 1.0]]) + 0j
    q = np.array([[1.0, 1.0], [1.0, 1.0]]) + 0j
    m = GaussianModel.mimo(h, q, 1.0)
    want = np.log2(np.linalg.det(np.eye(2) + h @ q @ h.conj().T).real)
    assert float(m.mutual_information("x", "y")) == pytest.approx(want, rel=1e-12)


def test_chain_rule_symmetry_and_conditioning():
    rng = np.random.default_rng(2)
    latents = {f"l{i}": float(v) for i, v in enumerate(rng.uniform(0.1, 2.0, 6))}
    signals = {name: {f"l{i}": float(g) for i, g in enumerate(rng.normal(size=6))}
               for name in ("a", "b", "c")}
    signals["b2"] = [signals["b"], {"l0": 1.0, "l5": -0.5}]      # a 2-dimensional signal
    m = GaussianModel(latents, signals)
    i_a_bc = m.mutual_information("a", ["b2", "c"])
    i_a_c = m.mutual_information("a", "c")
    i_a_b_given_c = m.mutual_information("a", "b2", given="c")
    assert float(i_a_bc) == pytest.approx(float(i_a_c + i_a_b_given_c), rel=1e-12)
    assert float(m.mutual_information("b2", "a", given="c")) == pytest.approx(
        float(i_a_b_given_c), rel=1e-12)
    assert float(i_a_bc) > 0 and float(i_a_c) > 0


def test_degenerate_signals():
    m = GaussianModel({"x": 2.0, "z": 1.0, "w": 3.0},
                      {"x": {"x": 1.0}, "y": {"x": 1.0, "z": 1.0}, "w": {"w": 1.0},
                       "xw": [{"x": 1.0}, {"w": 1.0}]})
    assert float(m.mutual_information("x", "x")) == np.inf        # noiseless observation
    assert float(m.mutual_information("y", "x", given="x")) == 0.0   # x known: nothing left
    assert float(m.mutual_information("w", "y")) == 0.0            # independent
    # the part of (x, w) that the conditioning fixes counts for nothing
    assert float(m.mutual_information("xw", "y", given="w")) == pytest.approx(
        float(m.mutual_information("x", "y")), rel=1e-12)


@pytest.mark.parametrize("latents, signals, message", [
    ({"x": -1.0}, {"y": {"x": 1.0}}, "latents.x: got -1.0"),
    ({"x": 1.0}, {"y": {"q": 1.0}}, "signals.y: got a gain on 'q'"),
    ({"x": 1.0}, {"y": {}}, "signals.y: got no gains"),
    ({}, {}, "latents: got none"),
])
def test_bad_models_are_one_line_errors(latents, signals, message):
    with pytest.raises(ValueError, match=message):
        GaussianModel(latents, signals)


def test_unknown_signal_is_a_one_line_error():
    m = GaussianModel({"x": 1.0}, {"y": {"x": 1.0}})
    with pytest.raises(ValueError, match="signal: got 'q'; allowed: one of y"):
        m.mutual_information("q", "y")


def test_a_signal_of_power_zero_carries_nothing_in_a_batch():
    """Parameter sets where the signal is switched off (power 0, e.g. beta = 0 or lambda = 1
    in seed 000) give exactly 0 beside regular ones, decided in bulk; the regular entries
    equal the scalar closed form C(s / (1 + i))."""
    power = np.array([0.0, 1.0, 10.0, 0.0])
    interference = np.array([1.0, 0.5, 0.0, 0.0])
    m = GaussianModel({"v": power, "i": interference, "z": 1.0},
                      {"v": {"v": 1.0}, "y": {"v": 1.0, "i": 1.0, "z": 1.0}})
    got = m.mutual_information("v", "y")
    want = 0.5 * np.log2(1 + power / (1 + interference))
    assert got[0] == 0.0 and got[3] == 0.0
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-13)


def test_additive_noise_mi_is_the_models_mutual_information():
    """additive_noise_mi(S, N) = I(X; X + N) of the model built from the two covariances
    (batched, real and complex), and a noise covariance that is not positive definite is a
    one-line error."""
    from linksim.theory.gaussian import additive_noise_mi
    rng = np.random.default_rng(11)
    for complex_valued in (False, True):
        a = rng.normal(size=(4, 3, 3)) + (1j * rng.normal(size=(4, 3, 3)) if complex_valued
                                          else 0)
        b = rng.normal(size=(4, 3, 3)) + (1j * rng.normal(size=(4, 3, 3)) if complex_valued
                                          else 0)
        s = a @ np.conj(np.swapaxes(a, -1, -2))
        n = b @ np.conj(np.swapaxes(b, -1, -2)) + 0.1 * np.eye(3)
        got = additive_noise_mi(s, n, complex_valued)
        for i in range(4):
            ra, rb = a[i], np.linalg.cholesky(n[i])
            latents = {**{f"x{j}": 1.0 for j in range(3)}, **{f"n{j}": 1.0 for j in range(3)}}
            signals = {"x": [{f"x{j}": ra[r, j] for j in range(3)} for r in range(3)],
                       "y": [{**{f"x{j}": ra[r, j] for j in range(3)},
                              **{f"n{j}": rb[r, j] for j in range(3)}} for r in range(3)]}
            want = GaussianModel(latents, signals, complex_valued).mutual_information("x", "y")
            assert abs(got[i] - want) < 1e-10
    with pytest.raises(ValueError, match="noise_cov: got a matrix that is not positive"):
        additive_noise_mi(np.eye(2), np.diag([1.0, 0.0]))
