"""Robust quadratic terms over a norm ball of channel errors, as LMIs (notes 002 §2.5-§2.7 and
the consolidated table of §2.12 [C]), and their exact worst case.

Every constraint (37b)-(37e) of the robust design has the form

    t >= || A (H + Delta) X + C ||_F^2 + c0   for every Delta in the ball ||Delta|| <= eps,

with ``A`` [a, n_r] and ``C`` [a, b] fixed, ``H`` [n_r, n_t] the transmitter's estimate, and
``X`` [n_t, b] the precoder variable. Two LMI forms give ``t``:

* ``"vector"`` (the paper's eq. 55 after the Schur complement and the sign-definiteness lemma
  of Gharavol and Larsson, Frobenius ball ``||vec Delta||_2 <= eps``; exact for one term):
  with ``xi = vec(A H X + C)``, ``J = X^T kron A`` (column-stacking vec, eq. 44) and
  ``lambda >= 0``::

      [[t - c0 - lambda, xi^H,  0        ],
       [xi,              I_ab,  -eps J   ],
       [0,               -eps J^H, lambda I]] >= 0

* ``"matrix"`` (the fast form of §2.12(b), spectral-norm ball ``||Delta||_2 <= eps``: a safe,
  conservative bound of the Frobenius-ball worst case, exact when a = b = 1): a Hermitian
  ``T`` [a, a] with ``t = tr T + c0`` and ``lambda >= 0``::

      [[T - lambda A A^H, A H X + C, 0          ],
       [(A H X + C)^H,    I_b,       -eps X^H   ],
       [0,                -eps X,    lambda I_nt]] >= 0

:func:`worst_case` gives the exact Frobenius-ball maximum (trust-region secular equation), the
reference both forms are checked against.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["FORMS", "worst_case", "robust_term"]

#: The LMI forms of :func:`robust_term`.
FORMS = ("matrix", "vector")


def _vec(a: np.ndarray) -> np.ndarray:
    """Column-stacking vec (eq. 44 holds with this order)."""
    return a.reshape(-1, order="F")


def worst_case(a, h, x, c, c0: float, eps: float) -> tuple[float, np.ndarray]:
    """``max ||A (H + Delta) X + C||_F^2 + c0`` over ``||Delta||_F <= eps``, exactly.

    With ``xi = vec(A H X + C)`` and ``J = X^T kron A`` the objective is ``||xi + J d||^2``
    over the ball ``||d|| <= eps``, a trust-region maximization of a convex quadratic: the
    maximizer is ``d = (mu I - J^H J)^-1 J^H xi`` with ``mu > lambda_max(J^H J)`` solving
    ``||d(mu)|| = eps`` (the secular equation, by bisection on a bracket), or, in the "hard
    case" where ``J^H xi`` is orthogonal to the top eigenvectors, ``mu = lambda_max`` with the
    rest of the radius along a top eigenvector.

    Parameters
    ----------
    c0 : float
        Constant added to the maximum.
    eps : float
        Radius of the Frobenius ball (>= 0).

    Input
    -----
    a : complex [a, n_r]
    h : complex [n_r, n_t]
    x : complex [n_t, b]
    c : complex [a, b]

    Output
    ------
    value : float
        The worst case of the term.
    delta : complex128 [n_r, n_t]
        A maximizer, ``||delta||_F = eps`` (for eps > 0 and J nonzero).
    """
    a, h, x, c = (np.asarray(m, np.complex128) for m in (a, h, x, c))
    if not (math.isfinite(eps) and eps >= 0):
        raise ValueError(f"eps: got {eps!r}; allowed: a finite number >= 0")
    xi = _vec(a @ h @ x + c)
    jac = np.kron(x.T, a)
    n = jac.shape[1]
    if eps == 0 or not np.any(jac):
        return float(np.vdot(xi, xi).real) + c0, np.zeros(h.shape, np.complex128)
    s, v = np.linalg.eigh(jac.conj().T @ jac)
    g = v.conj().T @ (jac.conj().T @ xi)
    top = s[-1]
    tol = 1e-12 * max(top, 1.0)
    on_top = s >= top - tol

    def norm2(mu):
        return float(np.sum(np.abs(g) ** 2 / (mu - s) ** 2))

    if np.all(np.abs(g[on_top]) <= 1e-12 * max(1.0, np.linalg.norm(g))) and \
            norm2(top + tol * 10 + 1e-300) <= eps ** 2:
        # hard case: the secular equation has no root above lambda_max
        d_rest = np.where(on_top, 0.0, g / np.where(on_top, 1.0, top - s))
        fill = math.sqrt(max(eps ** 2 - float(np.sum(np.abs(d_rest) ** 2)), 0.0))
        d_eig = d_rest.astype(np.complex128)
        d_eig[np.flatnonzero(on_top)[0]] = fill
    else:
        lo = top
        hi = top + np.linalg.norm(g) / eps + 1.0
        while norm2(hi) > eps ** 2:
            hi = top + 2 * (hi - top)
        for _ in range(200):
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            if norm2(mid) > eps ** 2:
                lo = mid
            else:
                hi = mid
        d_eig = g / (hi - s)
        d_eig *= eps / np.linalg.norm(d_eig)
    d = v @ d_eig
    r = xi + jac @ d
    assert d.shape == (n,)
    return float(np.vdot(r, r).real) + c0, d.reshape(h.shape, order="F")


def robust_term(cp, x, b_cols: int, a_rows: int, n_r: int, form: str, name: str):
    """The slack ``t`` of one robust term and its LMI, with the data as cvxpy Parameters (the
    problem is DPP: compiled once, re-solved with new values).

    Parameters
    ----------
    cp : module
        cvxpy.
    x : cvxpy expression, complex [n_t, b]
        The precoder variable (or a column block of it).
    b_cols, a_rows, n_r : int
        ``b``, ``a`` and the receive dimension of ``H``.
    form : str
        One of :data:`FORMS`.
    name : str
        Prefix of the parameter names.

    Output
    ------
    t : cvxpy expression
        Upper bound on the worst case of the term (``>=`` the exact Frobenius-ball worst case).
    constraints : list
        The LMI and ``lambda >= 0``.
    params : dict
        ``"ah"`` complex [a, n_t] = A H, ``"c"`` complex [a, b], ``"c0"`` real scalar,
        ``"eps"`` real scalar >= 0, and ``"aah"`` Hermitian [a, a] = A A^H (matrix form) or
        ``"a"`` complex [a, n_r] (vector form).
    """
    if form not in FORMS:
        raise ValueError(f"form: got {form!r}; allowed: one of {', '.join(FORMS)}")
    n_t = x.shape[0]
    ah = cp.Parameter((a_rows, n_t), complex=True, name=f"{name}_ah")
    c = cp.Parameter((a_rows, b_cols), complex=True, name=f"{name}_c")
    c0 = cp.Parameter(name=f"{name}_c0")
    eps = cp.Parameter(nonneg=True, name=f"{name}_eps")
    lam = cp.Variable(nonneg=True, name=f"{name}_lambda")
    y = ah @ x + c
    if form == "matrix":
        aah = cp.Parameter((a_rows, a_rows), hermitian=True, name=f"{name}_aah")
        t_mat = cp.Variable((a_rows, a_rows), hermitian=True, name=f"{name}_T")
        lmi = cp.bmat([
            [t_mat - lam * aah, y, np.zeros((a_rows, n_t))],
            [y.H, np.eye(b_cols), -eps * x.H],
            [np.zeros((n_t, a_rows)), -eps * x, lam * np.eye(n_t)]])
        params = dict(ah=ah, c=c, c0=c0, eps=eps, aah=aah)
        t = cp.real(cp.trace(t_mat)) + c0
    else:
        a_par = cp.Parameter((a_rows, n_r), complex=True, name=f"{name}_a")
        s = cp.Variable(name=f"{name}_t")
        xi = cp.reshape(cp.vec(y, order="F"), (a_rows * b_cols, 1), order="F")
        # J = X^T kron A: block (k, l) is X[l, k] A
        jac = cp.bmat([[x[l, k] * a_par for l in range(n_t)] for k in range(b_cols)])
        m = a_rows * b_cols
        q = n_r * n_t
        lmi = cp.bmat([
            [cp.reshape(s - c0 - lam, (1, 1), order="F"), xi.H, np.zeros((1, q))],
            [xi, np.eye(m), -eps * jac],
            [np.zeros((q, 1)), -eps * jac.H, lam * np.eye(q)]])
        params = dict(ah=ah, c=c, c0=c0, eps=eps, a=a_par)
        t = s
    # the bmat is Hermitian by construction; say so to cvxpy
    return t, [0.5 * (lmi + lmi.H) >> 0], params
