"""The WMMSE / log-det variational identities of notes 002 §2.3 [C]: tight at the MMSE receiver
and S = E^-1 (their sum is the secrecy rate of eqs. 5-12), and lower bounds everywhere else
(the minorant property the alternating design relies on)."""

from __future__ import annotations

import math

import numpy as np

from linksim.channel.awgn import complex_normal
from linksim.mimo.detection import lmmse_mse
from linksim.systems.an_mimo.analysis import covariances, rates
from linksim.systems.an_mimo.wmmse import (error_matrix, mmse_receiver, surrogate_terms,
                                           variational_value)

K, NR, NE, DS = 3, 4, 8, 2          # the sizes of the conftest's draws (notes 002 §4)


def _effective(h, h_eve, q, lam, omega):
    k = np.arange(K)
    eff_r = math.sqrt(omega["omega_m"]) * h[:, k, k] @ q
    eff_e = math.sqrt(omega["omega_e"]) * h_eve @ q
    eff_an = math.sqrt(omega["omega_e"]) * h_eve @ lam
    return eff_r, eff_e, eff_an


def test_terms_at_their_maximizers_sum_to_the_secrecy_rate(an_draw, omega):
    h, h_eve, q, lam = an_draw(11)
    _, n_r, _, _ = covariances(h, h_eve, q, lam, **omega)
    eff_r, eff_e, eff_an = _effective(h, h_eve, q, lam, omega)
    c_r, minus_e, plus_e = surrogate_terms(eff_r, n_r, eff_e, eff_an, omega["noise_e"])
    want = rates(h, h_eve, q, lam, **omega)
    assert np.allclose(c_r / math.log(2), want.legitimate, rtol=1e-9)
    assert np.allclose((c_r + minus_e + plus_e) / math.log(2), want.secrecy, rtol=1e-7,
                       atol=1e-7)


def test_mmse_receiver_gives_the_lmmse_error_matrix(an_draw, omega):
    h, h_eve, q, lam = an_draw(12)
    _, n_r, _, _ = covariances(h, h_eve, q, lam, **omega)
    eff_r, _, _ = _effective(h, h_eve, q, lam, omega)
    e = error_matrix(mmse_receiver(eff_r, n_r), eff_r, n_r)
    m = lmmse_mse(eff_r.reshape(-1, NR, DS), n_r.reshape(-1, NR, NR)).reshape(e.shape)
    assert np.allclose(e, m, rtol=1e-9, atol=1e-12)


def test_any_other_receiver_or_weight_gives_less(an_draw, omega):
    """The surrogate is a minorant: 200 random perturbations of U (error matrix grows) and of S
    (away from E^-1) never exceed the value at the maximizers (to rounding, 1e-9 nats)."""
    rng = np.random.default_rng(13)
    h, h_eve, q, lam = an_draw(13, batch=1)
    _, n_r, _, _ = covariances(h, h_eve, q, lam, **omega)
    eff_r, _, _ = _effective(h, h_eve, q, lam, omega)
    a, c = eff_r[0, 0], n_r[0, 0]
    u_opt = mmse_receiver(a, c)
    e_opt = error_matrix(u_opt, a, c)
    best = variational_value(np.linalg.inv(e_opt), e_opt)
    assert best == np.float64(-np.linalg.slogdet(e_opt)[1])
    for _ in range(200):
        u = u_opt + 0.1 * np.abs(u_opt).max() * complex_normal(rng, u_opt.shape)
        e = error_matrix(u, a, c)
        g = complex_normal(rng, (DS, DS))
        s = np.linalg.inv(e) + 0.5 * g @ g.conj().T * np.abs(np.linalg.inv(e)).max()
        assert variational_value(s, e) <= best + 1e-9
        assert variational_value(np.linalg.inv(e), e) <= best + 1e-9


def test_eve_terms_have_the_paper_constants(an_draw, omega):
    """log det N_E includes N_E ln s_E^2 (about -202 nats at -110 dB for N_E = 8: the constant
    erratum A5 says the paper drops): the plus term equals log det N_E computed directly."""
    h, h_eve, q, lam = an_draw(14, batch=2)
    _, _, z_e, n_e = covariances(h, h_eve, q, lam, **omega)
    eff_r, eff_e, eff_an = _effective(h, h_eve, q, lam, omega)
    _, n_r, _, _ = covariances(h, h_eve, q, lam, **omega)
    _, minus_e, plus_e = surrogate_terms(eff_r, n_r, eff_e, eff_an, omega["noise_e"])
    assert np.allclose(plus_e, np.linalg.slogdet(n_e)[1], rtol=1e-12)
    assert np.allclose(minus_e, -np.linalg.slogdet(z_e + n_e)[1], rtol=1e-12)
    assert NE * math.log(omega["noise_e"]) < -100
