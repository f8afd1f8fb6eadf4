"""Linear precoding of data streams plus artificial noise: ``x = Q s + Lambda z`` (notes 002
eq. 1), the null-space AN reference (AN in the null space of the legitimate channel), the
eigen (SVD) data precoder, and the data/AN power split under ``tr(QQ^H + LL^H) <= P`` (eq. 2).

Shapes are batch-first: precoders complex128 [batch, n_t, d] (d streams), channels
[batch, n_r, n_t], symbols [batch, d, n_sym].
"""

from __future__ import annotations

import numpy as np

from linksim.checks import check_int, check_real

__all__ = ["precode", "eigen_precoder", "null_space_an", "power_split"]


def _c(name: str, a, ndim: int) -> np.ndarray:
    arr = np.asarray(a)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{name}: got dtype {arr.dtype}; allowed: a numeric (complex) array")
    if arr.ndim != ndim:
        raise ValueError(f"{name}: got shape {arr.shape}; allowed: {ndim} axes")
    arr = arr.astype(np.complex128)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: allowed: finite values")
    return arr


def precode(q, s, lam=None, z=None) -> np.ndarray:
    """The transmitted vectors ``x = Q s + Lambda z`` (eq. 1).

    Input
    -----
    q : complex128 [batch, n_t, d_s]
        Data precoder.
    s : complex128 [batch, d_s, n_sym]
        Data symbols (unit average energy per stream).
    lam : complex128 [batch, n_t, d_a] or None
        AN precoder (None: no artificial noise).
    z : complex128 [batch, d_a, n_sym] or None
        AN symbols, e.g. CN(0, 1) drawn afresh for every vector (notes 002 A19).

    Output
    ------
    x : complex128 [batch, n_t, n_sym]
    """
    q, s = _c("q", q, 3), _c("s", s, 3)
    if q.shape[2] != s.shape[1] or q.shape[0] != s.shape[0]:
        raise ValueError(f"s: got shape {s.shape} for q of shape {q.shape}; allowed: "
                         f"[{q.shape[0]}, {q.shape[2]}, n_sym]")
    x = q @ s
    if (lam is None) != (z is None):
        raise ValueError("lam, z: allowed: both or neither")
    if lam is not None:
        lam, z = _c("lam", lam, 3), _c("z", z, 3)
        if lam.shape[2] != z.shape[1] or z.shape[2] != s.shape[2] or lam.shape[:2] != q.shape[:2]:
            raise ValueError(f"z: got shape {z.shape} for lam of shape {lam.shape}; allowed: "
                             f"[{lam.shape[0]}, {lam.shape[2]}, {s.shape[2]}]")
        x = x + lam @ z
    return x


def eigen_precoder(h, d_s: int) -> np.ndarray:
    """The ``d_s`` strongest right singular vectors of ``h``: orthonormal columns, the data
    precoder that diagonalizes a single-user channel (unit power per stream before
    :func:`power_split`).

    Parameters
    ----------
    d_s : int
        Number of streams, 1 <= d_s <= min(n_r, n_t).

    Input
    -----
    h : complex128 [batch, n_r, n_t]

    Output
    ------
    q : complex128 [batch, n_t, d_s]
        ``q^H q = I``.
    """
    h = _c("h", h, 3)
    d_s = check_int("d_s", d_s, 1, min(h.shape[1:]))
    _, _, vh = np.linalg.svd(h)
    return np.conj(np.swapaxes(vh[:, :d_s, :], 1, 2))


def null_space_an(h, d_a: int) -> np.ndarray:
    """An AN precoder in the null space of the legitimate channel, ``h @ lam = 0``: the last
    ``d_a`` right singular vectors of ``h`` (the simple reference of the AN literature: the
    noise harms only receivers whose channel differs from ``h``).

    Parameters
    ----------
    d_a : int
        AN dimensions, 1 <= d_a <= n_t - n_r (a null space exists only with more transmit
        than receive antennas, for a full-rank ``h``).

    Input
    -----
    h : complex128 [batch, n_r, n_t]

    Output
    ------
    lam : complex128 [batch, n_t, d_a]
        Orthonormal columns with ``h @ lam = 0`` (to rounding).
    """
    h = _c("h", h, 3)
    n_r, n_t = h.shape[1:]
    if n_t <= n_r:
        raise ValueError(f"h: got {n_r} receive x {n_t} transmit antennas; allowed: n_t > n_r "
                         f"(no null space otherwise)")
    d_a = check_int("d_a", d_a, 1, n_t - n_r)
    _, _, vh = np.linalg.svd(h)
    return np.conj(np.swapaxes(vh[:, n_t - d_a:, :], 1, 2))


def power_split(q, lam, p_total: float, data_fraction: float):
    """Scale a data precoder and an AN precoder to the powers ``phi P`` and ``(1 - phi) P``:
    ``tr(Q Q^H) = phi P``, ``tr(L L^H) = (1 - phi) P``, so eq. (2) holds with equality.

    Parameters
    ----------
    p_total : float
        Power budget P, > 0.
    data_fraction : float
        phi in [0, 1] (1: no AN).

    Input
    -----
    q : complex128 [batch, n_t, d_s]
        Data precoder directions (nonzero).
    lam : complex128 [batch, n_t, d_a]
        AN precoder directions (nonzero unless ``data_fraction`` is 1).

    Output
    ------
    q : complex128 [batch, n_t, d_s]
        The scaled data precoder.
    lam : complex128 [batch, n_t, d_a]
        The scaled AN precoder (zero for ``data_fraction`` 1).
    """
    q, lam = _c("q", q, 3), _c("lam", lam, 3)
    p = check_real("p_total", p_total, 0.0, strict_lo=True)
    phi = check_real("data_fraction", data_fraction, 0.0, 1.0)
    pq = np.sum(np.abs(q) ** 2, axis=(1, 2), keepdims=True)
    pl = np.sum(np.abs(lam) ** 2, axis=(1, 2), keepdims=True)
    if np.any(pq == 0) or (phi < 1 and np.any(pl == 0)):
        raise ValueError("q, lam: got a zero precoder; allowed: nonzero directions")
    scale_l = np.sqrt((1 - phi) * p / np.where(pl == 0, 1.0, pl))
    return q * np.sqrt(phi * p / pq), lam * scale_l
