"""The log-det rates and the price of seed 002 (linksim.systems.an_mimo.analysis): eqs. 5-12
against direct single-user formulas, the LMMSE error matrix, and a finite-difference price."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linksim.mimo.detection import lmmse_mse
from linksim.systems.an_mimo.analysis import covariances, interference_price, rates

K, NR, NE, DS = 3, 4, 8, 2          # the sizes of the conftest's draws (notes 002 §4)


def test_rates_equal_the_equations_for_one_user(an_draw, omega):
    """With one user there is no interference: C_R = log2 det(I + w_M H Q Q^H H^H N^-1) with
    N = w_M H L L^H H^H + s^2 I, and C_E the same at Eve, computed here directly."""
    h, h_eve, q, lam = an_draw(1)
    h1, he1, q1, l1 = h[:, :1, :1], h_eve[:, :1], q[:, :1], lam[:, :1]
    got = rates(h1, he1, q1, l1, **omega)
    w, s2 = omega["omega_m"], omega["noise_r"]
    for b in range(h.shape[0]):
        hh, qq, ll = h1[b, 0, 0], q1[b, 0], l1[b, 0]
        n = w * hh @ ll @ ll.conj().T @ hh.conj().T + s2 * np.eye(NR)
        z = w * hh @ qq @ qq.conj().T @ hh.conj().T
        c_r = np.log2(np.linalg.det(np.eye(NR) + z @ np.linalg.inv(n)).real)
        he = he1[b, 0]
        ne = w * he @ ll @ ll.conj().T @ he.conj().T + s2 * np.eye(NE)
        ze = w * he @ qq @ qq.conj().T @ he.conj().T
        c_e = np.log2(np.linalg.det(np.eye(NE) + ze @ np.linalg.inv(ne)).real)
        assert got.legitimate[b, 0] == pytest.approx(c_r, rel=1e-9)
        assert got.eve[b, 0] == pytest.approx(c_e, rel=1e-9)
        assert got.secrecy[b, 0] == pytest.approx(c_r - c_e, rel=1e-9, abs=1e-9)


def test_interference_counts_every_other_transmitter_over_its_cross_link(an_draw, omega):
    h, h_eve, q, lam = an_draw(2, batch=2)
    _, n_r, _, _ = covariances(h, h_eve, q, lam, **omega)
    b, i = 1, 2
    want = omega["omega_m"] * h[b, i, i] @ lam[b, i] @ lam[b, i].conj().T @ h[b, i, i].conj().T
    want = want + omega["noise_r"] * np.eye(NR)
    for j in range(K):
        if j != i:
            cov = q[b, j] @ q[b, j].conj().T + lam[b, j] @ lam[b, j].conj().T
            want = want + omega["omega_i"] * h[b, i, j] @ cov @ h[b, i, j].conj().T
    assert np.allclose(n_r[b, i], want, rtol=1e-12, atol=0)


def test_legitimate_rate_is_minus_logdet_of_the_lmmse_error(an_draw, omega):
    """C_R = -log2 det M with M the LMMSE error matrix of the streams (notes 002 §6 check 1,
    the WMMSE identity behind eqs. 29-35), for every user."""
    h, h_eve, q, lam = an_draw(3)
    z_r, n_r, _, _ = covariances(h, h_eve, q, lam, **omega)
    c_r = rates(h, h_eve, q, lam, **omega).legitimate
    k = np.arange(K)
    eff = math.sqrt(omega["omega_m"]) * h[:, k, k] @ q                # [B, K, NR, DS]
    m = lmmse_mse(eff.reshape(-1, NR, DS), n_r.reshape(-1, NR, NR))
    assert np.allclose(-np.log2(np.linalg.det(m).real).reshape(-1, K), c_r, rtol=1e-9)


def test_price_is_the_derivative_of_the_rate_and_psd(an_draw, omega):
    """d/dt C_R(Upsilon + t D) = -tr(Pi~ D) in nats (notes 002 §2.1 [V]), and Pi~ is positive
    semidefinite of rank <= d_s. Central differences at t = 1e-5 agree to about 1e-9 here
    (truncation ~t^2, roundoff ~1e-16 / t); the 1e-6 tolerance leaves room for other BLAS
    builds, while a wrong sign, factor or index is off by order one."""
    h, h_eve, q, lam = an_draw(4, batch=1)
    z_r, n_r, _, _ = covariances(h, h_eve, q, lam, **omega)
    z, n = z_r[0, 0], n_r[0, 0]
    price = interference_price(z, n)
    eig = np.linalg.eigvalsh(price)
    assert eig.min() > -1e-9 * eig.max() and (eig > 1e-9 * eig.max()).sum() <= DS
    rng = np.random.default_rng(5)
    g = rng.standard_normal((NR, NR)) + 1j * rng.standard_normal((NR, NR))
    d = (g @ g.conj().T) * omega["noise_r"]

    def c_r(t):
        nn = n + t * d
        return np.linalg.slogdet(nn + z)[1] - np.linalg.slogdet(nn)[1]

    step = 1e-5
    numeric = (c_r(step) - c_r(-step)) / (2 * step)
    assert numeric == pytest.approx(-np.trace(price @ d).real, rel=1e-6)


def test_artificial_noise_lowers_both_rates_and_zero_noise_is_refused(an_draw, omega):
    """More noise covariance can only lower a log-det rate (N grows, Z fixed): Eve's, and with
    N_T = N_R (no null space of H_ii) the legitimate receiver's too (notes 002 §1.4)."""
    h, h_eve, q, lam = an_draw(6, batch=1)
    no_an = rates(h, h_eve, q, np.zeros_like(lam), **omega)
    with_an = rates(h, h_eve, q, lam, **omega)
    assert np.all(with_an.eve < no_an.eve)           # AN lowers Eve's rate
    assert np.all(with_an.legitimate < no_an.legitimate)   # and, N_T = N_R, RX_i's (§1.4)
    with pytest.raises(ValueError, match="^noise_r"):
        rates(h, h_eve, q, lam, **{**omega, "noise_r": 0.0})


def test_rates_are_the_log_det_engines_mutual_informations(an_draw, omega):
    """Issue 13: the K-user MIMO rates with AN are mutual informations of one Gaussian model
    (linksim.theory.gaussian.GaussianModel): latents are every user's data streams s_j, AN
    streams z_j and the receivers' noise; C_Ri = I(s_i; y_i), C_Ei = I(s_i; y_Ei)."""
    from linksim.theory.gaussian import GaussianModel
    h, h_eve, q, lam = an_draw(3, batch=2)
    got = rates(h, h_eve, q, lam, **omega)
    k, n_t, d_s, d_a = q.shape[1], q.shape[2], q.shape[3], lam.shape[3]
    w_m, w_i, w_e = omega["omega_m"], omega["omega_i"], omega["omega_e"]
    for b in range(h.shape[0]):
        latents = {f"s{j}_{m}": 1.0 for j in range(k) for m in range(d_s)}
        latents.update({f"z{j}_{m}": 1.0 for j in range(k) for m in range(d_a)})
        latents.update({f"n{i}_{r}": omega["noise_r"] for i in range(k) for r in range(NR)})
        latents.update({f"e{i}_{r}": omega["noise_e"] for i in range(k) for r in range(NE)})

        def image(mat, j, gain):          # rows of gain * mat @ [Q_j, L_j] on j's streams
            a = math.sqrt(gain) * mat @ q[b, j]
            c = math.sqrt(gain) * mat @ lam[b, j]
            return [{**{f"s{j}_{m}": a[r, m] for m in range(d_s)},
                     **{f"z{j}_{m}": c[r, m] for m in range(d_a)}} for r in range(mat.shape[0])]
        signals = {}
        for i in range(k):
            rows = [{f"n{i}_{r}": 1.0} for r in range(NR)]
            for j in range(k):
                for r, part in enumerate(image(h[b, i, j], j, w_m if i == j else w_i)):
                    rows[r].update(part)
            signals[f"y{i}"] = rows
            eve = [{f"e{i}_{r}": 1.0} for r in range(NE)]
            for r, part in enumerate(image(h_eve[b, i], i, w_e)):
                eve[r].update(part)
            signals[f"ye{i}"] = eve
            signals[f"s{i}"] = [{f"s{i}_{m}": 1.0} for m in range(d_s)]
        model = GaussianModel(latents, signals, complex_valued=True)
        # the engine takes log-dets of the joint covariance of (s, y), whose condition number
        # here is ~ signal / noise ~ 1e7 (noise 1e-7): round-off ~ 1e7 * 1e-16 per log-det
        for i in range(k):
            assert model.mutual_information(f"s{i}", f"y{i}") == pytest.approx(
                got.legitimate[b, i], rel=1e-8)
            assert model.mutual_information(f"s{i}", f"ye{i}") == pytest.approx(
                got.eve[b, i], rel=1e-8)
    assert n_t == h.shape[4]
