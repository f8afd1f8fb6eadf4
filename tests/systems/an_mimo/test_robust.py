"""The robust terms of notes 002 §2.5-2.7 and §2.12: the vector-form LMI (eq. 55 after the
sign-definiteness lemma) is exact for one Frobenius ball, the matrix form is a safe upper bound,
exact when a = b = 1; and the exact worst case is a maximum over the ball."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.systems.an_mimo.robust import robust_term, worst_case

cp = pytest.importorskip("cvxpy")


def _cn(rng, *shape):
    return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / np.sqrt(2)


def _min_slack(form, a, h, x, c, c0, eps):
    """min t over the LMI with X fixed: the bound the form gives for this X."""
    xv = cp.Variable(x.shape, complex=True)
    t, cons, p = robust_term(cp, xv, x.shape[1], a.shape[0], a.shape[1], form, "z")
    p["ah"].value, p["c"].value, p["c0"].value, p["eps"].value = a @ h, c, c0, eps
    if form == "matrix":
        aah = a @ a.conj().T
        p["aah"].value = 0.5 * (aah + aah.conj().T)
    else:
        p["a"].value = a
    prob = cp.Problem(cp.Minimize(t), cons + [xv == x])
    prob.solve(solver="CLARABEL", tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9)
    assert prob.status in ("optimal", "optimal_inaccurate")
    return prob.value


@pytest.mark.parametrize("a_rows, n_r, n_t, b", [(1, 3, 2, 1), (2, 2, 3, 2), (2, 3, 2, 3)])
def test_vector_form_is_the_exact_worst_case_and_matrix_form_bounds_it(a_rows, n_r, n_t, b):
    """Relative tolerance 1e-5: the interior-point solution at gap 1e-9 against the secular
    equation solved by bisection to machine precision (the notes' chk2 saw 7 digits)."""
    rng = np.random.default_rng(a_rows * 100 + n_r * 10 + b)
    a, h, x, c = _cn(rng, a_rows, n_r), _cn(rng, n_r, n_t), 0.6 * _cn(rng, n_t, b), \
        _cn(rng, a_rows, b)
    exact, delta = worst_case(a, h, x, c, 0.4, 0.3)
    assert np.linalg.norm(delta) == pytest.approx(0.3, rel=1e-9)
    vector = _min_slack("vector", a, h, x, c, 0.4, 0.3)
    matrix = _min_slack("matrix", a, h, x, c, 0.4, 0.3)
    assert vector == pytest.approx(exact, rel=1e-5)
    assert matrix >= exact * (1 - 1e-6)
    if a_rows == 1 and b == 1:
        assert matrix == pytest.approx(exact, rel=1e-5)


def test_zero_radius_is_the_nominal_term():
    rng = np.random.default_rng(3)
    a, h, x, c = _cn(rng, 2, 3), _cn(rng, 3, 2), _cn(rng, 2, 2), _cn(rng, 2, 2)
    nominal = np.linalg.norm(a @ h @ x + c) ** 2 + 0.1
    assert worst_case(a, h, x, c, 0.1, 0.0)[0] == pytest.approx(nominal, rel=1e-12)
    for form in ("matrix", "vector"):
        assert _min_slack(form, a, h, x, c, 0.1, 0.0) == pytest.approx(nominal, rel=1e-5)


def test_worst_case_beats_every_sampled_error_on_the_sphere():
    """The maximum over the ball is at least each of 3000 random errors on its sphere and
    attained by the returned error; a sample can come close but never above (1e-9)."""
    rng = np.random.default_rng(4)
    a, h, x, c = _cn(rng, 2, 4), _cn(rng, 4, 3), _cn(rng, 3, 2), _cn(rng, 2, 2)
    eps = 0.5
    value, delta = worst_case(a, h, x, c, 0.0, eps)
    assert np.linalg.norm(a @ (h + delta) @ x + c) ** 2 == pytest.approx(value, rel=1e-10)
    d = _cn(rng, 3000, 4, 3)
    d *= eps / np.linalg.norm(d, axis=(1, 2))[:, None, None]
    sampled = np.linalg.norm(a @ (h + d) @ x + c, axis=(1, 2)) ** 2
    assert sampled.max() <= value * (1 + 1e-9)
    assert sampled.max() > 0.8 * value


def test_hard_case_with_the_error_orthogonal_to_the_nominal_residual():
    """xi = 0 (nominal residual zero): the worst case is eps^2 lambda_max(J^H J)."""
    rng = np.random.default_rng(5)
    a, h, x = _cn(rng, 2, 3), _cn(rng, 3, 2), _cn(rng, 2, 2)
    c = -(a @ h @ x)
    jac = np.kron(x.T, a)
    want = 0.2 ** 2 * np.linalg.eigvalsh(jac.conj().T @ jac)[-1]
    assert worst_case(a, h, x, c, 0.0, 0.2)[0] == pytest.approx(want, rel=1e-9)


def test_bad_form_and_radius_are_named():
    with pytest.raises(ValueError, match="^form"):
        robust_term(cp, cp.Variable((2, 2), complex=True), 2, 2, 2, "exact", "z")
    with pytest.raises(ValueError, match="^eps"):
        worst_case(np.eye(2), np.eye(2), np.eye(2), np.eye(2), 0.0, -1.0)
