"""MIMO channels: i.i.d. and Kronecker-correlated Rayleigh matrices, distance path loss, and the
CSI error models of seed 002 (notes 002 §1.3, §1.5, erratum A1/A2).

A channel matrix ``H`` maps ``n_tx`` transmit antennas to ``n_rx`` receive antennas,
``y = sqrt(omega) H x + n``; batches are ``[batch, n_rx, n_tx]`` complex128. Every random number
comes from the ``numpy.random.Generator`` passed in (the CN draws of :mod:`linksim.channel.awgn`).
"""

from __future__ import annotations

import math

import numpy as np

from linksim.channel.awgn import complex_normal
from linksim.checks import check_int, check_real, check_rng

__all__ = ["rayleigh_mimo", "exponential_correlation", "path_loss", "estimate_and_truth",
           "bounded_error"]


def exponential_correlation(n: int, rho: float) -> np.ndarray:
    """The exponential correlation matrix ``R[i, j] = rho^|i - j|`` of a uniform linear array.

    Parameters
    ----------
    n : int
        Number of antennas, >= 1.
    rho : float
        Correlation of adjacent antennas, in [0, 1).

    Returns
    -------
    r : float64 [n, n]
        Symmetric positive definite with unit diagonal.
    """
    n = check_int("n", n, 1)
    rho = check_real("rho", rho, 0.0)
    if rho >= 1.0:
        raise ValueError(f"rho: got {rho!r}; allowed: a number in [0, 1) (rho = 1 is singular)")
    idx = np.arange(n)
    return rho ** np.abs(idx[:, None] - idx[None, :]).astype(np.float64)


def _sqrtm_psd(name: str, r, n: int) -> np.ndarray:
    """Hermitian square root of a correlation matrix ``r`` [n, n] (checked: Hermitian, PSD,
    unit diagonal, so that the channel keeps E|h_ij|^2 = 1)."""
    a = np.asarray(r)
    if a.dtype.kind not in "biufc":
        raise TypeError(f"{name}: got dtype {a.dtype}; allowed: a real or complex matrix")
    a = a.astype(np.complex128)
    if a.shape != (n, n):
        raise ValueError(f"{name}: got shape {a.shape}; allowed: ({n}, {n})")
    if not np.isfinite(a).all() or not np.allclose(a, a.conj().T, atol=1e-12):
        raise ValueError(f"{name}: got a matrix that is not finite and Hermitian; allowed: a "
                         f"correlation matrix")
    if not np.allclose(np.diag(a).real, 1.0, atol=1e-9):
        raise ValueError(f"{name}: got diagonal {np.diag(a).real}; allowed: ones (unit-power "
                         f"antennas)")
    w, v = np.linalg.eigh(a)
    if w.min() < -1e-10:
        raise ValueError(f"{name}: got eigenvalue {w.min():.3g}; allowed: a positive "
                         f"semidefinite matrix")
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.conj().T


def rayleigh_mimo(rng, batch: int, n_rx: int, n_tx: int, corr_rx=None, corr_tx=None,
                  variance: float = 1.0) -> np.ndarray:
    """Rayleigh MIMO channels, i.i.d. or Kronecker-correlated: ``H = R_rx^(1/2) G R_tx^(1/2)``.

    ``G`` has i.i.d. CN(0, variance) entries, so ``E[vec(H) vec(H)^H] = variance *
    (R_tx^T kron R_rx)`` (column-major vec; Kermoal et al., JSAC 2002). With both correlation
    matrices None this is the i.i.d. model of notes 002 §1.3.

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes ``batch * n_rx * n_tx * 2`` standard normals.
    batch, n_rx, n_tx : int
        Number of matrices and their size, each >= 1.
    corr_rx, corr_tx : None or complex128 [n_rx, n_rx] / [n_tx, n_tx]
        Receive and transmit correlation matrices (Hermitian, PSD, unit diagonal), e.g.
        :func:`exponential_correlation`; None for uncorrelated antennas.
    variance : float
        Power of each entry, > 0 (the estimate of :func:`estimate_and_truth` uses 1 - zeta^2).

    Returns
    -------
    h : complex128 [batch, n_rx, n_tx]
    """
    check_rng(rng)
    batch, n_rx, n_tx = (check_int(name, v, 1) for name, v in
                         (("batch", batch), ("n_rx", n_rx), ("n_tx", n_tx)))
    variance = check_real("variance", variance, 0.0, strict_lo=True)
    h = complex_normal(rng, (batch, n_rx, n_tx), variance)
    if corr_rx is not None:
        h = _sqrtm_psd("corr_rx", corr_rx, n_rx) @ h
    if corr_tx is not None:
        h = h @ _sqrtm_psd("corr_tx", corr_tx, n_tx)
    return h


def path_loss(distance, kappa: float = 1e-4, exponent: float = 2.6):
    """Large-scale power gain ``omega = kappa * d^(-exponent)`` (notes 002 §1.3: kappa = 1e-4,
    the gain at 1 m, and exponent 2.6, so omega(10 m) = -66 dB).

    Parameters
    ----------
    distance : float or float64 [...]
        Distances in metres, > 0.
    kappa : float
        Gain at unit distance, > 0.
    exponent : float
        Path-loss exponent, >= 0.

    Returns
    -------
    omega : float or float64 [...]
        Linear power gain, the shape of ``distance`` (a float for a scalar).
    """
    from linksim.checks import check_real_array
    d = check_real_array("distance", distance, lo=0.0, lo_open=True, hi=math.inf, hi_open=True,
                         allowed="finite distances > 0 (metres)")
    kappa = check_real("kappa", kappa, 0.0, strict_lo=True)
    exponent = check_real("exponent", exponent, 0.0)
    omega = kappa * d ** (-exponent)
    return float(omega) if omega.ndim == 0 else omega


def estimate_and_truth(rng, shape, zeta: float) -> tuple[np.ndarray, np.ndarray]:
    """The statistical CSI-error model of notes 002 §1.5 (reading A1): the transmitter knows the
    estimate ``H_hat ~ CN(0, 1 - zeta^2)``; the true channel is ``H = H_hat + Delta`` with an
    independent ``Delta ~ CN(0, zeta^2)`` per entry, so ``H ~ CN(0, 1)`` whatever zeta.

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes ``2 * prod(shape) * 2`` standard normals: the estimate first, then the error.
    shape : tuple of int
        Shape of the channel array, e.g. ``(batch, n_rx, n_tx)``.
    zeta : float
        Error standard deviation per entry, in [0, 1] (0: perfect CSI, 1: no CSI).

    Returns
    -------
    h_hat : complex128 [*shape]
        What the transmitter designs with.
    h_true : complex128 [*shape]
        What the signal goes through.
    """
    check_rng(rng)
    zeta = check_real("zeta", zeta, 0.0, 1.0)
    shape = tuple(check_int("shape", s, 1) for s in shape)
    h_hat = complex_normal(rng, shape, 1.0 - zeta ** 2)
    return h_hat, h_hat + complex_normal(rng, shape, zeta ** 2)


def bounded_error(rng, shape, eps: float, on_sphere: bool = False) -> np.ndarray:
    """CSI errors in the norm ball of the robust design, ``||Delta_b||_F <= eps`` for each matrix
    ``b`` of the batch (notes 002 §2.6, erratum A2): uniform in the ball, or on its sphere
    (``on_sphere``: the worst-case style test of notes §6 check 5).

    A direction is uniform on the unit sphere of C^m (a normalized CN vector); the radius of a
    point uniform in the 2m-dimensional real ball is ``eps * U^(1 / (2m))``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes ``prod(shape) * 2`` standard normals, then ``shape[0]`` uniforms unless
        ``on_sphere``.
    shape : tuple of int
        ``(batch, ...)``: each ``[b, ...]`` is one error matrix.
    eps : float
        Radius, >= 0.
    on_sphere : bool
        Errors of norm exactly ``eps``.

    Returns
    -------
    delta : complex128 [*shape]
    """
    from linksim.checks import check_bool
    check_rng(rng)
    eps = check_real("eps", eps, 0.0)
    on_sphere = check_bool("on_sphere", on_sphere)
    shape = tuple(check_int("shape", s, 1) for s in shape)
    g = complex_normal(rng, shape)
    axes = tuple(range(1, len(shape)))
    norms = np.sqrt((np.abs(g) ** 2).sum(axis=axes, keepdims=True))
    radius = np.full((shape[0],) + (1,) * (len(shape) - 1), eps)
    if not on_sphere:
        m = int(np.prod(shape[1:], dtype=np.int64))
        radius = radius * rng.random(radius.shape) ** (1.0 / (2 * m))
    return g / norms * radius
