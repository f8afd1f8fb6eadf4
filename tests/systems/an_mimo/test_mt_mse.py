"""The MT-MSE baseline of seed 002 (linksim.systems.an_mimo.mt_mse, notes 002 §3.1 [R]): the
plain min-sum-MSE alternation is monotone, each update satisfies its stationarity equation and
complementary slackness, the power budget holds, Eve's floor holds on the draws not flagged
(and the flag is raised when the floor is impossible), and draws do not interact."""

from __future__ import annotations

import math

import numpy as np
import pytest

from linksim.systems.an_mimo.analysis import rates
from linksim.systems.an_mimo.mt_mse import (initial_precoders, mt_mse, mt_mse_step)

K, NT, NR, NE, DS = 3, 4, 4, 8, 2   # the sizes of the conftest's draws (notes 002 §4)
P_TOTAL = 10.0                      # 14 dB of receive SNR per link at the conftest's noise


def _power(v):
    return (np.abs(v) ** 2).sum((-2, -1))


def _filters(h, h_eve, v, omega):
    """U_k and U_Ek written out per draw and user, independently of the module."""
    batch = h.shape[0]
    u = np.zeros((batch, K, NR, DS), complex)
    u_e = np.zeros((batch, K, NE, DS), complex)
    for b in range(batch):
        for k in range(K):
            cov = omega["noise_r"] * np.eye(NR, dtype=complex)
            for j in range(K):
                gain = omega["omega_m"] if j == k else omega["omega_i"]
                hv = h[b, k, j] @ v[b, j]
                cov += gain * hv @ hv.conj().T
            u[b, k] = np.linalg.solve(cov, math.sqrt(omega["omega_m"]) * h[b, k, k] @ v[b, k])
            he = math.sqrt(omega["omega_e"]) * h_eve[b, k] @ v[b, k]
            u_e[b, k] = np.linalg.solve(he @ he.conj().T + omega["noise_e"] * np.eye(NE), he)
    return u, u_e


def _eve_mmse_mse(h_eve, v, omega):
    g = omega["omega_e"] / omega["noise_e"] * h_eve.conj().swapaxes(-1, -2) @ h_eve
    x = v.conj().swapaxes(-1, -2) @ g @ v
    return np.trace(np.linalg.inv(np.eye(DS) + x), axis1=-2, axis2=-1).real


def test_without_the_floor_the_total_mse_never_increases(an_draw, omega):
    """eta = 0: the min-sum-MSE alternation with unit weights; each half step minimizes the
    total MSE given the other, so the history is non-increasing. Slack 1e-12 for rounding of
    a sum of six MSEs of order 1."""
    h, h_eve, _, _ = an_draw(21)
    out = mt_mse(h, h_eve, DS, P_TOTAL, 0.0, n_iter=12, tol=0.0, **omega)
    hist = out.mse_history
    assert np.all(np.isfinite(hist))
    assert np.all(np.diff(hist, axis=1) <= 1e-12)
    assert np.all(hist[:, -1] < hist[:, 0] - 0.05)          # it actually moves
    assert np.all(out.nu == 0)
    assert np.all(out.feasible)


def test_power_budget_holds_and_is_met_where_its_multiplier_is_positive(an_draw, omega):
    """Complementary slackness of the power constraint: tr(V V^H) <= P everywhere, = P to
    1e-12 (rounding of the final rescale) where mu > 0. (With "mmse_bound" and a floor the
    budget is rarely reached, Eve's floor keeping the power low, so that variant is run
    without one.)"""
    h, h_eve, _, _ = an_draw(22)
    for eve_constraint, eta in (("fixed_filter", 0.3), ("mmse_bound", 0.0)):
        out = mt_mse(h, h_eve, DS, P_TOTAL, eta, n_iter=4, eve_constraint=eve_constraint,
                     **omega)
        power = _power(out.q)
        assert np.all(power <= P_TOTAL * (1 + 1e-12))
        active = out.mu > 0
        assert active.any()
        assert np.allclose(power[active], P_TOTAL, rtol=1e-12, atol=0)
        assert np.all(out.mu >= 0) and np.all(out.nu >= 0)


def test_fixed_filter_step_satisfies_the_stationarity_equation_of_the_notes(an_draw, omega):
    """(A - nu C + mu I) V = B - nu c (notes §3.1) with every matrix rebuilt here from the
    filters of the input precoders, and complementary slackness of Eve's floor (tr E_E = eta_k
    with her filter fixed, where nu > 0). The solve goes through an eigendecomposition, so
    the residual is at rounding relative to ||M|| ||V||; 1e-9 leaves room for the final
    power rescale (1e-12)."""
    h, h_eve, _, _ = an_draw(23, batch=2)
    v = initial_precoders(h, DS, P_TOTAL)
    eta = 0.3
    step = mt_mse_step(h, h_eve, v, P_TOTAL, eta, **omega)
    assert np.any(step.nu > 0) and np.all(step.step_feasible)
    u, u_e = _filters(h, h_eve, v, omega)
    for b in range(2):
        for k in range(K):
            a = sum((omega["omega_m"] if j == k else omega["omega_i"])
                    * h[b, j, k].conj().T @ u[b, j] @ u[b, j].conj().T @ h[b, j, k]
                    for j in range(K))
            rhs = math.sqrt(omega["omega_m"]) * h[b, k, k].conj().T @ u[b, k]
            he_u = h_eve[b, k].conj().T @ u_e[b, k]
            c_mat = omega["omega_e"] * he_u @ he_u.conj().T
            c_vec = math.sqrt(omega["omega_e"]) * he_u
            nu, mu, vk = step.nu[b, k], step.mu[b, k], step.v[b, k]
            m = a - nu * c_mat + mu * np.eye(NT)
            assert np.linalg.eigvalsh(m).min() > 0
            resid = m @ vk - (rhs - nu * c_vec)
            scale = np.linalg.norm(m, 2) * np.linalg.norm(vk) + np.linalg.norm(rhs)
            assert np.linalg.norm(resid) <= 1e-9 * scale
            if nu > 0:
                g = math.sqrt(omega["omega_e"]) * u_e[b, k].conj().T @ h_eve[b, k] @ vk \
                    - np.eye(DS)
                e_fixed = np.trace(g @ g.conj().T).real \
                    + omega["noise_e"] * np.linalg.norm(u_e[b, k]) ** 2
                assert e_fixed == pytest.approx(eta * DS, rel=1e-9)


def test_mmse_bound_step_satisfies_its_stationarity_equation(an_draw, omega):
    """The "mmse_bound" variant: A V + nu G V W + mu V = B with W = (I + X0)^-2 from the
    input precoders, and where nu > 0 the tangent of Eve's MMSE MSE sits on the floor
    (tolerances as the fixed-filter test)."""
    h, h_eve, _, _ = an_draw(24, batch=2)
    eta = 0.3
    # a start on the floor's safe side, as mt_mse makes it: scaled eigen precoders
    v = initial_precoders(h, DS, P_TOTAL) * 0.01
    assert np.all(_eve_mmse_mse(h_eve, v, omega) >= eta * DS)
    step = mt_mse_step(h, h_eve, v, P_TOTAL, eta, eve_constraint="mmse_bound", **omega)
    assert np.any(step.nu > 0)
    u, _ = _filters(h, h_eve, v, omega)
    for b in range(2):
        for k in range(K):
            a = sum((omega["omega_m"] if j == k else omega["omega_i"])
                    * h[b, j, k].conj().T @ u[b, j] @ u[b, j].conj().T @ h[b, j, k]
                    for j in range(K))
            rhs = math.sqrt(omega["omega_m"]) * h[b, k, k].conj().T @ u[b, k]
            g = omega["omega_e"] / omega["noise_e"] * h_eve[b, k].conj().T @ h_eve[b, k]
            x0 = v[b, k].conj().T @ g @ v[b, k]
            e0 = np.linalg.inv(np.eye(DS) + x0)
            w = e0 @ e0
            nu, mu, vk = step.nu[b, k], step.mu[b, k], step.v[b, k]
            resid = a @ vk + nu * g @ vk @ w + mu * vk - rhs
            scale = (np.linalg.norm(a, 2) + nu * np.linalg.norm(g, 2) + mu) \
                * np.linalg.norm(vk) + np.linalg.norm(rhs)
            assert np.linalg.norm(resid) <= 1e-9 * scale
            if nu > 0:
                tangent = np.trace(e0).real - np.trace(w @ (vk.conj().T @ g @ vk - x0)).real
                assert tangent == pytest.approx(eta * DS, rel=1e-9)
    # the tangent is a lower bound: Eve's true MMSE MSE after the step meets the floor
    assert np.all(_eve_mmse_mse(h_eve, step.v, omega) >= eta * DS * (1 - 1e-9))


def test_floor_holds_on_every_draw_not_flagged(an_draw, omega):
    """Eve's MMSE MSE (recomputed here) >= eta d_s - feasibility_tol on each draw flagged
    feasible, and below it for some user of each draw flagged infeasible. With "mmse_bound"
    every iterate is feasible, so every draw is, and its total MSE cannot increase (slack
    1e-12 for rounding)."""
    h, h_eve, _, _ = an_draw(25)
    eta, tol = 0.3, 1e-3
    for eve_constraint in ("fixed_filter", "mmse_bound"):
        out = mt_mse(h, h_eve, DS, P_TOTAL, eta, n_iter=6, feasibility_tol=tol,
                     eve_constraint=eve_constraint, **omega)
        eve = _eve_mmse_mse(h_eve, out.q, omega)
        assert np.allclose(eve, out.eve_mse, rtol=1e-9)
        met = np.all(eve >= eta * DS - tol, axis=-1)
        assert np.array_equal(met, out.feasible)
        if eve_constraint == "mmse_bound":
            assert np.all(out.feasible)
            assert np.all(np.diff(out.mse_history, axis=1) <= 1e-12)


def test_impossible_floor_is_flagged(an_draw, omega):
    """Eve's MMSE MSE is tr (I + X)^-1 < d_s for any nonzero precoder, so eta = 1.2 cannot be
    met: every draw is flagged, with either way of imposing the floor."""
    h, h_eve, _, _ = an_draw(26, batch=3)
    for eve_constraint in ("fixed_filter", "mmse_bound"):
        out = mt_mse(h, h_eve, DS, P_TOTAL, 1.2, n_iter=3, eve_constraint=eve_constraint,
                     **omega)
        assert not out.feasible.any()
        assert np.all(out.eve_mse <= DS + 1e-12)


def test_fixed_filter_floor_is_not_a_restriction_of_eves_true_floor(an_draw, omega):
    """Why the notes' reconstruction flags draws: every fixed-filter step meets the floor
    against Eve's previous filter, yet her MMSE filter for the new precoders brings her MSE
    below it (for some user; seen on every seed tried). This pins the finding reported with
    the module; the "mmse_bound" variant does not have it (test above)."""
    h, h_eve, _, _ = an_draw(27, batch=3)
    eta = 0.3
    v = initial_precoders(h, DS, P_TOTAL) * 0.01
    assert np.all(_eve_mmse_mse(h_eve, v, omega) >= eta * DS)
    for _ in range(3):
        step = mt_mse_step(h, h_eve, v, P_TOTAL, eta, **omega)
        assert np.all(step.step_feasible)
        v = step.v
    assert np.any(_eve_mmse_mse(h_eve, v, omega) < eta * DS - 0.05)


def test_draws_do_not_interact(an_draw, omega):
    """The batch of 5 gives each draw exactly what the draw gives alone (iterations, flags,
    precoders to 1e-12 relative): no quantity is shared across draws, even when the draws
    stop at different iterations."""
    h, h_eve, _, _ = an_draw(28)
    for eve_constraint, eta in (("fixed_filter", 0.0), ("fixed_filter", 0.3),
                                ("mmse_bound", 0.3)):
        out = mt_mse(h, h_eve, DS, P_TOTAL, eta, n_iter=5, tol=1e-3,
                     eve_constraint=eve_constraint, **omega)
        for b in range(h.shape[0]):
            one = mt_mse(h[b:b + 1], h_eve[b:b + 1], DS, P_TOTAL, eta, n_iter=5, tol=1e-3,
                         eve_constraint=eve_constraint, **omega)
            assert one.n_iter[0] == out.n_iter[b]
            assert one.feasible[0] == out.feasible[b]
            assert np.allclose(one.q[0], out.q[b], rtol=1e-12, atol=1e-12 * math.sqrt(P_TOTAL))
            assert np.allclose(one.mse_history[0], out.mse_history[b], rtol=1e-12,
                               equal_nan=True)
    # and the same inputs give the same result
    again = mt_mse(h, h_eve, DS, P_TOTAL, 0.3, n_iter=5, tol=1e-3, eve_constraint="mmse_bound",
                   **omega)
    assert np.array_equal(again.q, out.q)


def test_output_has_no_an_and_the_rates_accept_it(an_draw, omega):
    h, h_eve, _, _ = an_draw(29, batch=2)
    out = mt_mse(h, h_eve, DS, P_TOTAL, 0.3, n_iter=2, **omega)
    assert out.q.shape == (2, K, NT, DS) and out.q.dtype == np.complex128
    assert out.lam.shape == (2, K, NT, 0)
    assert out.mse_history.shape == (2, 3) and out.n_iter.dtype == np.int64
    r = rates(h, h_eve, out.q, out.lam, **omega)
    assert np.all(np.isfinite(r.secrecy))


@pytest.mark.parametrize("kwargs, name", [
    (dict(eta=-0.1), "eta"), (dict(d_s=5), "d_s"), (dict(p_total=0.0), "p_total"),
    (dict(n_iter=0), "n_iter"), (dict(eve_constraint="mmse"), "eve_constraint"),
    (dict(noise_r=0.0), "noise_r"), (dict(v0=np.zeros((1, K, NT, DS))), "v0"),
])
def test_bad_arguments_are_named(an_draw, omega, kwargs, name):
    h, h_eve, _, _ = an_draw(30, batch=2)
    args = dict(d_s=DS, p_total=P_TOTAL, eta=0.3, **omega)
    args.update(kwargs)
    with pytest.raises(ValueError, match=f"^{name}: got"):
        mt_mse(h, h_eve, **args)
