"""Algorithm 1 (notes 002 §2.12): constraints met on every solve, statuses checked, the sum
secrecy rate non-decreasing for perfect CSI (the monotonicity of eq. 66), and the robust LMI
slacks never below the exact worst case."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.channel.mimo import estimate_and_truth, path_loss
from linksim.systems.an_mimo.adp import SOLVED, adp_design, secrecy_init

pytest.importorskip("cvxpy")

W = path_loss(10.0)
LINK = dict(omega_m=W, omega_i=W, omega_e=W, noise_r=1e-8, noise_e=1e-8)


def _draw(seed, zeta, k=2, n_r=2, n_t=3, n_e=4):
    rng = np.random.default_rng(seed)
    h_hat, h = estimate_and_truth(rng, (k, k, n_r, n_t), zeta)
    e_hat, e = estimate_and_truth(rng, (k, n_e, n_t), zeta)
    return h_hat, h, e_hat, e


@pytest.mark.parametrize("seed", [0, 1])
def test_perfect_csi_design_is_monotone_and_feasible(seed):
    """zeta = 0: every block update is an exact maximizer of g_i, and on these draws the sum
    secrecy rate never falls (tolerance 1e-6 bit: the solver's 1e-6 gap)."""
    h_hat, h, e_hat, e = _draw(seed, 0.0)
    d = adp_design(h_hat, e_hat, **LINK, p_total=10.0, d_s=1, d_a=1, eps=0.0, n_iter=6,
                   tol=0.0, h_true=h, h_eve_true=e)
    sums = d.secrecy_est.sum(axis=1)
    assert np.all(np.diff(sums) >= -1e-6), sums
    assert sums[-1] > sums[0]
    assert np.allclose(d.secrecy_est, d.secrecy_true)          # zeta = 0: estimate = truth
    assert set(d.statuses) <= set(SOLVED) and sum(d.statuses.values()) == 2 * d.iterations
    power = np.sum(np.abs(d.q) ** 2, axis=(1, 2)) + np.sum(np.abs(d.lam) ** 2, axis=(1, 2))
    assert np.all(power <= 10.0 * (1 + 1e-9))
    assert d.power_excess < 1e-5 and d.bound_violations == 0 and d.bound_shortfall < 1e-4


def test_robust_design_bounds_hold_and_rates_are_logged():
    h_hat, h, e_hat, e = _draw(7, 0.2)
    d = adp_design(h_hat, e_hat, **LINK, p_total=10.0, d_s=1, d_a=1, eps=0.2, n_iter=3,
                   tol=0.0, h_true=h, h_eve_true=e)
    assert d.bound_violations == 0 and d.bound_shortfall < 1e-4
    assert d.secrecy_est.shape == d.secrecy_true.shape == (d.iterations + 1, 2)
    assert not np.allclose(d.secrecy_est, d.secrecy_true)       # CSI errors matter
    assert d.surrogate.shape == (d.iterations, 2)


def test_secrecy_init_spans_the_generalized_eigenvectors():
    """Q on the top, Lambda on the bottom generalized eigenvector of (I + G^H G, I + G_E^H
    G_E): Q maximizes, Lambda minimizes, the ratio of the two quadratic forms."""
    rng = np.random.default_rng(2)
    g = rng.standard_normal((1, 3, 3)) + 1j * rng.standard_normal((1, 3, 3))
    ge = rng.standard_normal((1, 4, 3)) + 1j * rng.standard_normal((1, 4, 3))
    x = secrecy_init(g, ge, 1, 1)
    a = np.eye(3) + g[0].conj().T @ g[0]
    b = np.eye(3) + ge[0].conj().T @ ge[0]
    ratio = lambda v: (v.conj() @ a @ v).real / (v.conj() @ b @ v).real
    lam = np.linalg.eigvals(np.linalg.solve(b, a)).real
    assert ratio(x[0, :, 0]) == pytest.approx(lam.max(), rel=1e-9)
    assert ratio(x[0, :, 1]) == pytest.approx(lam.min(), rel=1e-9)
    assert np.sum(np.abs(x) ** 2) == pytest.approx(1.0)


def test_bad_arguments_are_named():
    h_hat, _, e_hat, _ = _draw(0, 0.0)
    with pytest.raises(ValueError, match="^d_s"):
        adp_design(h_hat, e_hat, **LINK, p_total=1.0, d_s=3, d_a=1, eps=0.0)
    with pytest.raises(ValueError, match="^eps"):
        adp_design(h_hat, e_hat, **LINK, p_total=1.0, d_s=1, d_a=1, eps=-0.1)
    with pytest.raises(ValueError, match="^p_total"):
        adp_design(h_hat, e_hat, **LINK, p_total=0.0, d_s=1, d_a=1, eps=0.0)
