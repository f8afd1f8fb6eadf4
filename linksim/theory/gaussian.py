"""Mutual information between jointly Gaussian signals from log-determinants (notes 000 §5.1,
001 on the empirical side): every signal is a linear map of independent Gaussian latents, so
any ``I(A; B | C)`` is a combination of log-dets of covariance blocks,

    I(A; B | C) = c [log det S_AC + log det S_BC - log det S_ABC - log det S_C] / ln 2  (bits),

``S_X = M_X K M_X^H`` the covariance of the stacked signals X, ``K`` the latents' covariance,
``c = 1/2`` for real signals and ``c = 1`` for circularly-symmetric complex ones (Cover and
Thomas, eq. 8.92 and §9.4; Neeser and Massey for the complex case). Scalars, vectors (MIMO)
and batches of parameter sets (leading dimensions) all go through the same call.

A block that the conditioning determines exactly (a singular conditional covariance) carries
no information about anything and is dropped (its zero eigen-directions, below a relative
tolerance); an observation that determines part of the other side exactly has infinite mutual
information, returned as ``inf``.
"""

from __future__ import annotations

import math
from typing import Mapping, Sequence

import numpy as np

__all__ = ["GaussianModel", "REL_TOL", "additive_noise_mi"]

#: Eigenvalues of a conditional covariance below ``REL_TOL`` times its largest are zero: the
#: directions that the conditioning determines (round-off of a Schur complement of scale s is
#: about 1e-15 s, far below; a real noise floor of 1e-12 s and above is kept).
REL_TOL = 1e-12


class GaussianModel:
    """Signals as linear maps of independent Gaussian latents.

    Parameters
    ----------
    latents : mapping name -> variance
        Each latent's variance: a number >= 0 or an array broadcasting over the batch (a
        latent of variance 0 is the constant 0). Latents are scalar; a vector latent is
        several scalar ones.
    signals : mapping name -> mapping latent name -> gain
        Each signal's gains on the latents it depends on: a scalar signal takes a number (or
        an array over the batch), a vector signal of dimension d a sequence of d of them
        (e.g. a row of a channel matrix per receive antenna; see :meth:`mimo`).
    complex_valued : bool
        Circularly-symmetric complex latents (factor 1) instead of real ones (factor 1/2).

    Raises
    ------
    ValueError
        A negative variance, a gain on an unknown latent, an empty signal, one line each.
    """

    def __init__(self, latents: Mapping[str, object], signals: Mapping[str, Mapping],
                 complex_valued: bool = False):
        if not latents:
            raise ValueError("latents: got none; allowed: at least one name -> variance")
        self.complex_valued = bool(complex_valued)
        self._latent_names = list(latents)
        variances = [np.asarray(latents[n], float) for n in self._latent_names]
        for name, v in zip(self._latent_names, variances):
            if not np.all(np.isfinite(v)) or np.any(v < 0):
                raise ValueError(f"latents.{name}: got {latents[name]!r}; allowed: finite "
                                 f"variances >= 0")
        self._variances = variances
        self._signals = {}
        for name, gains in signals.items():
            rows = _expand(gains) if gains else []
            if not rows or not all(isinstance(r, Mapping) and r for r in rows):
                raise ValueError(f"signals.{name}: got no gains; allowed: a mapping latent -> "
                                 f"gain, or a non-empty sequence of them (a vector signal)")
            unknown = [lat for r in rows for lat in r if lat not in latents]
            if unknown:
                raise ValueError(f"signals.{name}: got a gain on {unknown[0]!r}; allowed: "
                                 f"the latents {', '.join(self._latent_names)}")
            self._signals[name] = rows

    @classmethod
    def mimo(cls, channel, input_cov, noise_var, complex_valued: bool = True) -> "GaussianModel":
        """The model of ``y = H x + n`` with ``x ~ CN(0, Q)`` and ``n ~ CN(0, noise_var I)``:
        latents ``x0..x(nt-1)`` (white, shaped by the square root of Q into ``x``) and
        ``n0..n(nr-1)``; signals ``"x"`` and ``"y"``.

        Input
        -----
        channel : complex [nr, nt]
        input_cov : complex [nt, nt], Hermitian positive semidefinite

        Parameters
        ----------
        noise_var : float
            > 0.
        complex_valued : bool
        """
        h = np.asarray(channel)
        q = np.asarray(input_cov)
        nr, nt = h.shape
        w, u = np.linalg.eigh(q)
        root = u * np.sqrt(np.clip(w, 0, None))            # Q = root root^H
        latents = {**{f"s{i}": 1.0 for i in range(nt)},
                   **{f"n{i}": float(noise_var) for i in range(nr)}}
        x = [{f"s{j}": root[i, j] for j in range(nt)} for i in range(nt)]
        hr = h @ root
        y = [{**{f"s{j}": hr[i, j] for j in range(nt)}, f"n{i}": 1.0} for i in range(nr)]
        signals = {"x": x, "y": y}
        return cls(latents, signals, complex_valued)

    def covariance(self, names: Sequence[str]) -> np.ndarray:
        """The covariance [..., d, d] of the stacked signals ``names``.

        Summed entry by entry over the latents, ``S_ij = sum_k g_ik conj(g_jk) var_k``: on a
        large batch of small matrices this is several times faster than a batched matmul of
        the maps (the gains are often scalars broadcast against array variances)."""
        rows = []
        for name in names:
            if name not in self._signals:
                raise ValueError(f"signal: got {name!r}; allowed: one of "
                                 f"{', '.join(self._signals)}")
            rows += self._signals[name]
        entries = {}
        for i, ri in enumerate(rows):
            for j in range(i, len(rows)):
                rj = rows[j]
                acc = 0.0
                for lat, var in zip(self._latent_names, self._variances):
                    if lat in ri and lat in rj:
                        gi, gj = np.asarray(ri[lat]), np.asarray(rj[lat])
                        acc = acc + (gi * np.conj(gj) if self.complex_valued else gi * gj) * var
                entries[i, j] = np.asarray(acc)
        shape = np.broadcast_shapes(*(e.shape for e in entries.values()))
        d = len(rows)
        out = np.empty(shape + (d, d), complex if self.complex_valued else float)
        for (i, j), e in entries.items():
            out[..., i, j] = e
            out[..., j, i] = np.conj(e) if self.complex_valued else e
        return out

    def mutual_information(self, a, b, given=()) -> np.ndarray:
        """``I(A; B | C)`` in bits, ``A``, ``B``, ``C`` names or sequences of names.

        Output
        ------
        mi : float64 [...] (the batch shape; a numpy scalar without one), >= 0 or inf
        """
        a, b, c = (_names(x) for x in (a, b, given))
        factor = 1.0 if self.complex_valued else 0.5
        cov = self.covariance(a + b + c)
        da, db = self._dim(a), self._dim(b)
        cond = _conditional(cov, da + db)              # [..., da+db, da+db] given C
        ab = _reduce(cond, da)
        return np.asarray(factor * ab / math.log(2))[()]

    def _dim(self, names) -> int:
        return sum(len(self._signals[n]) for n in names)


def additive_noise_mi(signal_cov, noise_cov, complex_valued: bool = True) -> np.ndarray:
    """``I(X; X + N)`` in bits for independent ``X ~ N(0, S)`` and ``N ~ N(0, N)`` (or their
    circularly-symmetric complex versions): ``c [log det(N + S) - log det N] / ln 2``, the
    model ``{x, y = x + n}`` of :class:`GaussianModel` reduced to its two covariances, for
    callers that hold the covariances already (MIMO links: eqs. 5-6 of seed 002). The noise
    covariance must be positive definite (no direction is noiseless).

    Input
    -----
    signal_cov, noise_cov : float or complex [..., d, d], Hermitian, broadcasting

    Output
    ------
    mi : float64 [...]

    Raises
    ------
    ValueError
        A noise covariance that is not positive definite.
    """
    s, n = np.asarray(signal_cov), np.asarray(noise_cov)
    sign_n, log_n = np.linalg.slogdet(n)
    sign_t, log_t = np.linalg.slogdet(n + s)
    if np.any(np.real(sign_n) <= 0) or np.any(np.real(sign_t) <= 0):
        raise ValueError("noise_cov: got a matrix that is not positive definite; allowed: "
                         "noise variances > 0")
    factor = 1.0 if complex_valued else 0.5
    return factor * (log_t - log_n) / math.log(2)


def _names(x) -> list:
    if isinstance(x, str):
        return [x]
    return list(x)


def _expand(gains) -> list:
    """A signal's gains as a list of per-dimension mappings."""
    if isinstance(gains, Mapping):
        return [gains]
    return list(gains)


def _conditional(cov, d: int) -> np.ndarray:
    """The covariance of the first ``d`` coordinates given the rest (Schur complement, with
    the pseudo-inverse so that a degenerate conditioning set works)."""
    s_xx = cov[..., :d, :d]
    if cov.shape[-1] == d:
        return s_xx
    s_xc = cov[..., :d, d:]
    s_cc = cov[..., d:, d:]
    return s_xx - s_xc @ np.linalg.pinv(s_cc, hermitian=True) @ np.conj(np.swapaxes(s_xc, -1, -2))


def _eig_logdet(s):
    """(sum of log eigenvalues, full rank) of Hermitian ``s`` [..., d, d], batched."""
    if s.shape[-1] == 0:
        return np.zeros(s.shape[:-2]), np.ones(s.shape[:-2], bool)
    w = _eigvalsh(s)
    top = np.maximum(np.max(np.abs(w), axis=-1, keepdims=True), 1e-300)
    full = np.all(w > REL_TOL * top, axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sum(np.log(np.where(w > 0, w, 1.0)), axis=-1), full


def _eigvalsh(s) -> np.ndarray:
    """Eigenvalues [..., d] of Hermitian ``s`` [..., d, d]; closed forms for d = 1 and 2
    (the scalar channels' common case, where LAPACK's per-matrix overhead dominates)."""
    d = s.shape[-1]
    if d == 1:
        return s[..., 0, :].real
    if d == 2:
        a, c = s[..., 0, 0].real, s[..., 1, 1].real
        mid = (a + c) / 2
        big = mid + np.hypot((a - c) / 2, np.abs(s[..., 0, 1]))
        with np.errstate(divide="ignore", invalid="ignore"):
            small = np.where(big > 0, (a * c - np.abs(s[..., 0, 1]) ** 2) / big, 0.0)
        return np.stack([small, big], axis=-1)
    return np.linalg.eigvalsh(s)


def _drop_constant_coordinates(cond) -> np.ndarray:
    """``cond`` [..., d, d] with every coordinate of zero conditional variance (relative
    :data:`REL_TOL` of the matrix's scale: a signal the conditioning determines, or one of
    power 0) replaced by an independent unit-variance one. Such a coordinate has zero
    covariance with everything (Cauchy-Schwarz), so it carries no information; the
    replacement adds log 1 = 0 to its side's log-det and to the joint's alike, and leaves the
    rest regular. Batched, so that these common cases (a transmitter switched off on a
    parameter grid) skip the one-by-one fallback."""
    diag = np.real(np.diagonal(cond, axis1=-2, axis2=-1))
    scale = np.max(np.abs(cond), axis=(-2, -1), keepdims=True)[..., 0]
    const = diag <= REL_TOL * np.maximum(scale, 1e-300)
    if not np.any(const):
        return cond
    keep = (~const).astype(cond.real.dtype)
    out = cond * keep[..., :, None] * keep[..., None, :]
    idx = np.arange(cond.shape[-1])
    out[..., idx, idx] += const
    return out


def _reduce(cond, da: int) -> np.ndarray:
    """``log det S_A + log det S_B - log det S_AB`` (nats) of a conditional covariance of
    (A, B); inf where S_A and S_B are regular and the joint is singular. Batched; coordinates
    that C determines are dropped in bulk (:func:`_drop_constant_coordinates`), and the rare
    parameter sets where C still determines a combination within A or B are redone one by
    one with each side restricted to the directions it keeps (a part that C determines
    counts for nothing)."""
    cond = _drop_constant_coordinates(cond)
    sa, sb = cond[..., :da, :da], cond[..., da:, da:]
    la, fa = _eig_logdet(sa)
    lb, fb = _eig_logdet(sb)
    lj, fj = _eig_logdet(cond)
    out = np.where(fj, la + lb - lj, np.inf)
    irregular = ~(fa & fb)
    if np.any(irregular):
        flat_out = out.reshape(-1)
        flat = cond.reshape((-1,) + cond.shape[-2:])
        for i in np.flatnonzero(irregular.reshape(-1)):
            flat_out[i] = _reduce_one(flat[i], da)
        out = flat_out.reshape(out.shape)
    return out


def _reduce_one(s, da: int) -> float:
    """:func:`_reduce` of one conditional covariance with singular blocks."""
    sa, sb = s[:da, :da], s[da:, da:]
    ua, ub = _support(sa), _support(sb)
    if ua.shape[1] == 0 or ub.shape[1] == 0:
        return 0.0
    basis = np.zeros((s.shape[0], ua.shape[1] + ub.shape[1]), s.dtype)
    basis[:da, :ua.shape[1]] = ua
    basis[da:, ua.shape[1]:] = ub

    def restricted(cov, u):
        return np.conj(u.T) @ cov @ u
    la, _ = _eig_logdet(restricted(sa, ua))
    lb, _ = _eig_logdet(restricted(sb, ub))
    lj, full = _eig_logdet(restricted(s, basis))
    return float(la + lb - lj) if full else math.inf


def _support(s) -> np.ndarray:
    """Orthonormal basis [d, r] of the eigen-directions of ``s`` above the tolerance."""
    w, u = np.linalg.eigh(s)
    top = max(float(np.max(np.abs(w))) if w.size else 0.0, 1e-300)
    return u[:, w > REL_TOL * top]
