"""Finite-blocklength (FBL) theory: capacity, channel dispersion and the normal approximation.

References
----------
[PPV10]  Y. Polyanskiy, H. V. Poor, S. Verdu, "Channel coding rate in the finite blocklength
         regime", IEEE Trans. Inf. Theory 56(5), 2010: Thm. 54 (real AWGN, eq. (291)-(293)),
         eq. (296) (normal approximation with the 1/2 log n term), Sec. IV for the dispersion
         V = Var[i(X;Y)] of a DMC/constrained-input channel.
[003]    Seed 003 notes, Sec. 4.2: eq. (12) of the paper, eps = Q(sqrt(n/V) (C - d/n) ln 2) for
         the complex AWGN channel, V in nats^2 and C in bits, *without* the 1/2 log2 n term.
[YKP14]  W. Yang, G. Durisi, T. Koch, Y. Polyanskiy, "Quasi-static multiple-antenna fading
         channels at finite blocklength", IEEE Trans. Inf. Theory 60(7), 2014: the average error
         probability E_z[eps(n, k, z snr)] and the outage probability P[C(z snr) < R] as its
         n -> infinity limit.

Conventions (DESIGN.md)
-----------------------
* ``snr`` is linear. For ``"awgn_real"`` and ``"biawgn"`` it is the SNR per *real* channel use
  (``biawgn``: BPSK ``+-sqrt(snr)`` in unit-variance real Gaussian noise). For ``"awgn_complex"``
  and the QAMs it is ``Es/N0`` per *complex* symbol (unit-energy constellation in CN(0, 1/snr)).
* ``n`` counts uses of the named channel (real uses for the real channels, complex otherwise);
  ``k`` is in bits; C is in bits per use and V in bits^2 per use.
* The finite-alphabet channels use equiprobable inputs; ``"qpsk"``, ``"16qam"``, ``"64qam"`` are
  the Gray QAMs of :class:`linksim.mapping.Constellation` (38.211 Sec. 5.1, unit energy).

Numerics
--------
For the finite-alphabet channels C = E[i(X;Y)] and V = Var[i(X;Y)] of the information density
``i(x;y) = log2 p(y|x)/p(y)`` are computed by quadrature over the Gaussian noise, with a
log-sum-exp over the constellation. Plain Gauss-Hermite was tried and rejected: the density has
smoothed kinks at the decision boundaries which, at high SNR, sit far in the noise tail and carry
all of V, so even 1280 Hermite nodes leave ~1e-3 relative error in V at 30-1000 (linear) SNR.
The rule used is composite Gauss-Legendre against the normal density, with panels graded onto
each kink (:func:`_pam_nodes`); doubling its order changes C and V by < 1e-11 relative over
snr in [1e-3, 1e3] (checked in the tests). A square M-QAM in CN(0, 1/snr) is two independent
sqrt(M)-PAM channels (levels ``Re(points)``, real noise variance ``1/(2 snr)``, i.e. the same
signal-to-noise ratio ``snr`` per real dimension), and the information density is the sum of the
two per-axis densities, hence C_QAM = 2 C_PAM and V_QAM = 2 V_PAM exactly; the code uses this
factorisation (1-D quadrature) and the tests check it against a 2-D product-rule computation.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from scipy import integrate, optimize, special, stats

from linksim.checks import check_bool, check_choice, check_real, check_real_array

__all__ = [
    "CHANNELS",
    "FADINGS",
    "capacity",
    "dispersion",
    "parallel_error_probability",
    "error_probability",
    "max_bits",
    "required_snr",
    "average_error_probability",
    "outage_probability",
    "outage_capacity",
]

#: Channel names accepted by every function of this module.
CHANNELS = ("awgn_real", "awgn_complex", "biawgn", "qpsk", "16qam", "64qam")

#: Channels with a complex (two-dimensional) input, for which quasi-static fading is defined.
COMPLEX_CHANNELS = ("awgn_complex", "qpsk", "16qam", "64qam")

#: Fading distributions of the power gain z = |h|^2 (E[z] = 1).
FADINGS = ("rayleigh", "rician")

#: Maximum bits per channel use (log2 M) of the finite-alphabet channels.
BITS_PER_USE = {"biawgn": 1, "qpsk": 2, "16qam": 4, "64qam": 6}

_LOG2E = 1.0 / math.log(2.0)

#: Gauss-Legendre order per panel for the finite-alphabet channels (tests check convergence by
#: doubling it).
GL_ORDER = 10

# Uniform bulk panel edges of the Gauss-Legendre rule (standard-normal noise variable).
_BULK_EDGES = np.arange(-12.0, 12.5, 1.0)

# log-SNR bracket of the root finders (linear SNR 1e-12 ... 1e12).
_LOG_SNR_LO = math.log(1e-12)
_LOG_SNR_HI = math.log(1e12)


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------

def _check_channel(channel, allowed=CHANNELS, name="channel") -> str:
    return check_choice(name, channel, allowed)


def _check_snr(snr, name="snr") -> np.ndarray:
    return check_real_array(name, snr, lo=0.0, hi=math.inf, hi_open=True,
                            allowed="a finite linear SNR >= 0 (not dB), scalar or array")


def _check_n(n) -> np.ndarray:
    return check_real_array("n", n, lo=0.0, lo_open=True, integer=True,
                            allowed="a positive integer (blocklength in channel uses)")


def _check_k(k, n, channel) -> np.ndarray:
    a = check_real_array("k", k, lo=0.0, hi=math.inf, hi_open=True,
                         allowed="a finite number of bits >= 0")
    if channel in BITS_PER_USE:
        kk, nn = np.broadcast_arrays(a, n)
        over = kk > nn * BITS_PER_USE[channel]
        if np.any(over):
            i = np.flatnonzero(over.ravel())[0]
            raise ValueError(f"k: got {kk.ravel()[i]!r} with n = {nn.ravel()[i]!r}; allowed for "
                             f"channel {channel!r}: k <= n * {BITS_PER_USE[channel]} "
                             f"(= n log2 M)")
    return a


def _check_eps(eps, name="eps") -> np.ndarray:
    return check_real_array(name, eps, lo=0.0, lo_open=True, hi=1.0, hi_open=True,
                            allowed=f"0 < {name} < 1")


def _check_fading(fading, k_factor):
    fad = _check_channel(fading, FADINGS, name="fading")
    kf = check_real("k_factor", k_factor, 0.0)
    if fad == "rayleigh" and kf != 0:
        raise ValueError(f"k_factor: got {k_factor!r} with fading='rayleigh'; allowed: 0 "
                         "(use fading='rician' for K > 0)")
    return fad, kf


def _out(a):
    """0-d arrays -> numpy float64 scalars; other arrays unchanged."""
    a = np.asarray(a, dtype=np.float64)
    return a[()] if a.ndim == 0 else a


# --------------------------------------------------------------------------------------------
# Information-density moments
# --------------------------------------------------------------------------------------------

@lru_cache(maxsize=None)
def _gh(nodes: int):
    t, w = special.roots_hermitenorm(nodes)          # weight exp(-t^2/2)
    return t, w / w.sum()                            # E[f(W)] = sum w f(t), W ~ N(0, 1)


@lru_cache(maxsize=None)
def _pam_levels(channel: str) -> np.ndarray:
    """Real levels of one axis, scaled so that the per-axis SNR (level^2 / noise var) is ``snr``.

    biawgn: +-1 in N(0, 1/snr). QAM: Re(points) in N(0, 1/(2 snr)), i.e. sqrt(2) Re(points)
    in N(0, 1/snr).
    """
    if channel == "biawgn":
        return np.array([-1.0, 1.0])
    from linksim.mapping import Constellation

    pts = Constellation(channel).points
    re = np.unique(np.round(pts.real, 12))
    im = np.unique(np.round(pts.imag, 12))
    if not (np.allclose(re, im) and re.size ** 2 == pts.size):  # pragma: no cover - sanity
        raise RuntimeError(f"{channel}: constellation is not a square QAM")
    return re * math.sqrt(2.0)


def _pam_nodes(levels: np.ndarray, rho: np.ndarray, q: int):
    """Composite Gauss-Legendre nodes/weights for E[f(W)], W ~ N(0, 1), one set per rho.

    The integrands have smoothed kinks at ``w = -sqrt(rho) d / 2`` (the decision boundaries,
    width ``1/(sqrt(rho) |d|)``), which at high SNR lie far in the tail and carry all of V.
    Edges: a uniform grid of step 1 on [-12, 12] merged with, for every signed level
    distance d, the kink location plus ``u / (sqrt(rho)|d|)`` for u in +-{1, 2, 4, ..., 64}.
    Returns w, weight of shape [S, P].
    """
    diffs = np.unique(np.round(np.abs(levels[:, None] - levels[None, :]), 12))
    diffs = diffs[diffs > 0]
    kinks = np.concatenate([diffs, -diffs])                           # [K]
    u = np.concatenate([[0.0], 2.0 ** np.arange(7), -(2.0 ** np.arange(7))])
    sr = np.sqrt(rho)[:, None, None]                                  # [S, 1, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ke = -0.5 * sr * kinks[None, :, None] + u[None, None, :] / (sr * np.abs(kinks)[None, :, None])
    ke = ke.reshape(rho.size, -1)
    ke = np.where(np.isfinite(ke), ke, 0.0)
    bulk = np.broadcast_to(_BULK_EDGES, (rho.size, _BULK_EDGES.size))
    edges = np.sort(np.concatenate([bulk, ke], axis=1), axis=1)      # [S, E]
    x, wx = special.roots_legendre(q)
    lo, hi = edges[:, :-1, None], edges[:, 1:, None]
    half = 0.5 * (hi - lo)
    w = (0.5 * (hi + lo) + half * x).reshape(rho.size, -1)
    wt = (half * wx).reshape(rho.size, -1) * np.exp(-0.5 * w * w) / math.sqrt(2.0 * math.pi)
    return w, wt


def _pam_moments(levels: np.ndarray, rho: np.ndarray, q: int = GL_ORDER):
    """C (bits) and V (bits^2) of equiprobable PAM ``levels`` in N(0, 1/rho) noise.

    ``i(a_i; y) = log2 L - g_i(w)``, ``g_i(w) = log2 sum_j exp(-rho d_ij^2 / 2 - sqrt(rho) d_ij w)``
    (``d_ij = a_i - a_j``, ``w ~ N(0, 1)``, the j = i term is 1 so g >= 0); C = log2 L - E[g],
    V = E[(g - E g)^2] computed from g directly (no cancellation at high SNR). Expectations by
    composite Gauss-Legendre of order ``q`` per panel (:func:`_pam_nodes`); levels symmetric, so
    only the lower half of the levels is averaged (w -> -w maps the others onto them).
    """
    rho = np.asarray(rho, dtype=np.float64)
    shape = rho.shape
    r = rho.ravel()
    L = levels.size
    half = np.sort(levels)[: L // 2]
    d = half[:, None] - levels[None, :]                          # [H, L]
    C = np.empty(r.size)
    V = np.empty(r.size)
    chunk = 16
    for s0 in range(0, r.size, chunk):
        rr = r[s0:s0 + chunk]
        w, wt = _pam_nodes(levels, rr, q)                         # [S, P]
        sr = np.sqrt(rr)[:, None, None, None]
        e = (-0.5 * sr ** 2 * d[None, :, :, None] ** 2
             - sr * d[None, :, :, None] * w[:, None, None, :])     # [S, H, L, P]
        g = special.logsumexp(e, axis=2) * _LOG2E                 # [S, H, P]
        m = np.einsum("shp,sp->s", g, wt) / half.size
        v = np.einsum("shp,sp->s", (g - m[:, None, None]) ** 2, wt) / half.size
        C[s0:s0 + chunk] = math.log2(L) - m
        V[s0:s0 + chunk] = v
    return C.reshape(shape), V.reshape(shape)


def _qam_moments_2d(points: np.ndarray, snr, nodes: int):
    """C and V of an equiprobable complex constellation in CN(0, 1/snr) by the 2-D product
    Gauss-Hermite rule (``nodes`` per axis) (no factorisation; used to verify the per-axis shortcut)."""
    snr = np.asarray(snr, dtype=np.float64)
    w, wt = _gh(nodes)
    wn = (w[:, None] + 1j * w[None, :]).ravel() / math.sqrt(2.0)  # CN(0, 1) nodes
    wtn = (wt[:, None] * wt[None, :]).ravel()
    M = points.size
    d = points[:, None] - points[None, :]
    Cs, Vs = [], []
    for s in snr.ravel():
        dens = np.empty((M, wn.size))
        for i in range(M):          # |y - x_j|^2 - |y - x_i|^2 over N0 = 1/s, y = x_i + wn/sqrt(s)
            e = -(s * np.abs(d[i, :, None]) ** 2
                  + 2.0 * math.sqrt(s) * np.real(np.conj(d[i, :, None]) * wn[None, :]))
            dens[i] = (math.log(M) - special.logsumexp(e, axis=0)) * _LOG2E
        c = float(np.sum(dens * wtn) / M)
        v = float(np.sum((dens - c) ** 2 * wtn) / M)
        Cs.append(c)
        Vs.append(v)
    return np.array(Cs).reshape(snr.shape), np.array(Vs).reshape(snr.shape)


def _moments(snr: np.ndarray, channel: str, nodes: int = GL_ORDER):
    """(C, V) in bits, bits^2 for validated ``snr`` (float array) and channel key."""
    if channel == "awgn_real":
        C = 0.5 * np.log1p(snr) * _LOG2E
        V = snr * (snr + 2.0) / (2.0 * (1.0 + snr) ** 2) * _LOG2E ** 2
        return C, V
    if channel == "awgn_complex":
        C = np.log1p(snr) * _LOG2E
        V = -np.expm1(-2.0 * np.log1p(snr)) * _LOG2E ** 2
        return C, V
    C, V = _pam_moments(_pam_levels(channel), snr, nodes)
    if channel != "biawgn":
        C, V = 2.0 * C, 2.0 * V
    C = np.where(snr == 0, 0.0, C)
    V = np.where(snr == 0, 0.0, np.maximum(V, 0.0))
    return C, V


# --------------------------------------------------------------------------------------------
# Capacity and dispersion
# --------------------------------------------------------------------------------------------

def capacity(snr, channel):
    """Capacity C(snr) of ``channel`` in bits per channel use.

    Parameters
    ----------
    snr : float or array_like of float, any shape
        Linear SNR >= 0: per real use for ``"awgn_real"``/``"biawgn"``, Es/N0 per complex
        symbol otherwise.
    channel : str
        One of :data:`CHANNELS`.

    Returns
    -------
    float64 array of ``snr``'s shape (numpy scalar for scalar input).

    Equations: awgn_real ``C = 1/2 log2(1+s)``, awgn_complex ``C = log2(1+s)`` [PPV10 Thm. 54];
    biawgn / QAM: ``C = E[i(X;Y)]``, ``i(x;y) = log2 p(y|x)/p(y)`` with equiprobable inputs
    (quadrature over the noise, QAM = two independent PAM axes; module docstring).
    """
    ch = _check_channel(channel)
    s = _check_snr(snr)
    return _out(_moments(s, ch)[0])


def dispersion(snr, channel):
    """Channel dispersion V(snr) of ``channel`` in bits^2 per channel use.

    Parameters
    ----------
    snr : float or array_like of float, any shape
        Linear SNR >= 0 (convention as in :func:`capacity`).
    channel : str
        One of :data:`CHANNELS`.

    Returns
    -------
    float64 array of ``snr``'s shape, >= 0.

    Equations: awgn_real ``V = s(s+2)/(2(1+s)^2) log2(e)^2`` [PPV10 eq. (293)], awgn_complex
    ``V = (1 - (1+s)^-2) log2(e)^2`` ([003] Sec. 4.2 in nats^2 times log2(e)^2); biawgn / QAM:
    ``V = Var[i(X;Y)]`` [PPV10 Sec. IV] by quadrature over the noise (module docstring).
    """
    ch = _check_channel(channel)
    s = _check_snr(snr)
    return _out(_moments(s, ch)[1])


# --------------------------------------------------------------------------------------------
# Normal approximation
# --------------------------------------------------------------------------------------------

def _eps_from_moments(n, k, C, V, log_term: bool):
    """Normal approximation with the V = 0 and k = 0 conventions (arrays broadcast)."""
    n, k, C, V = np.broadcast_arrays(n, k, C, V)
    num = n * C - k
    if log_term:
        num = num + 0.5 * np.log2(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        omega = num / np.sqrt(n * V)
    eps = special.ndtr(-omega)
    # V = 0: deterministic. C = 0 (snr = 0) with k > 0 -> 1 (log term cannot rescue it);
    # C > 0 -> step at num = 0 (0.5 exactly there).
    v0 = V <= 0
    det = np.where(num > 0, 0.0, np.where(num < 0, 1.0, 0.5))
    det = np.where(C <= 0, 1.0, det)
    eps = np.where(v0, det, eps)
    eps = np.where(k == 0, 0.0, eps)     # nothing to decode
    return eps


def error_probability(n, k, snr, channel, log_term=True):
    """Normal approximation of the block error probability of the best (n, 2^k) code.

    Parameters
    ----------
    n : int or array_like of int
        Blocklength, uses of ``channel`` (> 0).
    k : float or array_like
        Information bits, ``0 <= k`` (and ``k <= n log2 M`` for the finite-alphabet channels).
    snr : float or array_like
        Linear SNR >= 0 (convention as in :func:`capacity`).
    channel : str
        One of :data:`CHANNELS`.
    log_term : bool
        Include the ``1/2 log2 n`` term [PPV10 eq. (296)]. ``False`` gives [003] eq. (12).

    Returns
    -------
    float64 array of the broadcast shape of (n, k, snr), values in [0, 1].

    Equation: ``eps = Q((n C - k + 1/2 log2 n) / sqrt(n V))`` (bits; identical to the paper's
    ``Q(sqrt(n/V_nats) (C - k/n) ln 2)`` without the log term). Conventions: ``k = 0`` gives 0;
    ``V = 0`` with ``C = 0`` (``snr = 0``) and ``k > 0`` gives 1.
    """
    ch = _check_channel(channel)
    lt = check_bool("log_term", log_term)
    nn = _check_n(n)
    kk = _check_k(k, nn, ch)
    s = _check_snr(snr)
    C, V = _moments(s, ch)
    return _out(_eps_from_moments(nn, kk, C, V, lt))


def parallel_error_probability(n, k, snr, channel, log_term=True):
    """Normal approximation of the block error probability of the best code over L parallel
    channels, each used ``n`` times (an OFDM codeword of ``n`` symbols on L subcarriers).

    Parameters
    ----------
    n : int
        Uses of each parallel channel (> 0); the blocklength is ``N = n L``.
    k : float or array_like
        Information bits, ``0 <= k <= N log2 M``, broadcast against ``snr``'s leading shape.
    snr : array_like of float [..., L]
        Linear SNR of each parallel channel (convention as in :func:`capacity`); a channel of
        SNR 0 adds uses and no information.
    channel : str
        One of :data:`CHANNELS`: the input alphabet of every parallel channel.
    log_term : bool
        Include the ``1/2 log2 N`` term.

    Returns
    -------
    float64 array of the broadcast shape of ``k`` and ``snr[..., 0]``, values in [0, 1].

    Equation: for independent parallel channels the information density of a codeword is a
    sum over channels, so its mean and variance add: ``C_tot = n sum_l C(snr_l)``,
    ``V_tot = n sum_l V(snr_l)`` (the parallel-AWGN normal approximation, Polyanskiy's thesis
    §4.3; notes 004 §5 item 5), and ``eps = Q((C_tot - k + 1/2 log2 N) / sqrt(V_tot))``.
    """
    ch = _check_channel(channel)
    lt = check_bool("log_term", log_term)
    nn = _check_n(n)
    if nn.ndim:
        raise ValueError(f"n: got an array of shape {nn.shape}; allowed: one integer > 0 (every "
                         f"parallel channel is used n times)")
    s = _check_snr(snr)
    if s.ndim < 1 or s.shape[-1] < 1:
        raise ValueError(f"snr: got shape {s.shape}; allowed: [..., L] with L >= 1")
    n_total = nn * s.shape[-1]
    kk = _check_k(k, n_total, ch)
    C, V = _moments(s, ch)
    return _out(_eps_from_moments(n_total, kk, C.mean(axis=-1), V.mean(axis=-1), lt))


def max_bits(n, eps, snr, channel, log_term=True):
    """Normal approximation of log2 M*(n, eps): the most bits at blocklength n and error eps.

    Parameters
    ----------
    n : int or array_like of int
        Blocklength (> 0).
    eps : float or array_like
        Target block error probability, ``0 < eps < 1``.
    snr : float or array_like
        Linear SNR >= 0 (convention as in :func:`capacity`).
    channel : str
        One of :data:`CHANNELS`.
    log_term : bool
        Include ``+1/2 log2 n``.

    Returns
    -------
    float64 array (broadcast shape), bits; clipped to ``[0, n log2 M]`` (upper clip only for
    the finite-alphabet channels).

    Equation: ``log2 M* = n C - sqrt(n V) Q^{-1}(eps) + 1/2 log2 n`` [PPV10 eq. (296)].
    """
    ch = _check_channel(channel)
    lt = check_bool("log_term", log_term)
    nn = _check_n(n)
    e = _check_eps(eps)
    s = _check_snr(snr)
    C, V = _moments(s, ch)
    nn, e, C, V = np.broadcast_arrays(nn, e, C, V)
    b = nn * C + np.sqrt(nn * V) * special.ndtri(e)   # -Q^{-1}(e) = ndtri(e)
    if lt:
        b = b + 0.5 * np.log2(nn)
    b = np.maximum(b, 0.0)
    if ch in BITS_PER_USE:
        b = np.minimum(b, nn * BITS_PER_USE[ch])
    return _out(b)


def _eps_scalar(n, k, snr, ch, lt):
    C, V = _moments(np.asarray(float(snr)), ch)
    return float(_eps_from_moments(n, k, C, V, lt))


def _required_snr_scalar(n, k, eps, ch, lt):
    if k == 0:
        return 0.0
    # Scan a log-SNR grid (one vectorized moment evaluation), take the last grid point with
    # eps > target and refine the crossing after it with brentq.
    grid = _snr_grid(ch)
    C, V = _grid_moments(ch)
    e = _eps_from_moments(n, k, C, V, lt)
    above = np.flatnonzero(e > eps)
    if above.size == 0:
        return 0.0
    i = above[-1]
    if i == grid.size - 1:
        return np.inf
    f = lambda t: _eps_scalar(n, k, math.exp(t), ch, lt) - eps  # noqa: E731
    lo, hi = math.log(grid[i]), math.log(grid[i + 1])
    t = optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-13, maxiter=200)
    return math.exp(t)


@lru_cache(maxsize=None)
def _snr_grid(ch):
    return np.exp(np.linspace(_LOG_SNR_LO, _LOG_SNR_HI, 481))


@lru_cache(maxsize=None)
def _grid_moments(ch):
    return _moments(_snr_grid(ch), ch)


def required_snr(n, k, eps, channel, log_term=True):
    """Linear SNR at which :func:`error_probability` ``(n, k, snr, channel)`` equals ``eps``.

    Parameters
    ----------
    n : int or array_like of int
        Blocklength (> 0).
    k : float or array_like
        Information bits (``0 <= k <= n log2 M``).
    eps : float or array_like
        Target error probability, ``0 < eps < 1``.
    channel : str
        One of :data:`CHANNELS`.
    log_term : bool
        As in :func:`error_probability`.

    Returns
    -------
    float64 array (broadcast shape of n, k, eps): the smallest SNR in [1e-12, 1e12] above
    which the approximation stays <= eps (found on a log grid and refined by brentq on log snr,
    relative accuracy ~1e-12). ``k = 0`` gives 0; ``inf`` if eps is not reached by 1e12
    (e.g. ``k = n log2 M`` without the log term).

    Equation: root in snr of ``Q((n C(snr) - k [+ 1/2 log2 n]) / sqrt(n V(snr))) = eps``
    [PPV10 eq. (296)].
    """
    ch = _check_channel(channel)
    lt = check_bool("log_term", log_term)
    nn = _check_n(n)
    kk = _check_k(k, nn, ch)
    e = _check_eps(eps)
    nn, kk, e = np.broadcast_arrays(nn, kk, e)
    out = np.empty(nn.shape)
    for idx in np.ndindex(nn.shape):
        out[idx] = _required_snr_scalar(float(nn[idx]), float(kk[idx]), float(e[idx]), ch, lt)
    return _out(out)


# --------------------------------------------------------------------------------------------
# Quasi-static fading
# --------------------------------------------------------------------------------------------

def _fading_dist(fad, kf):
    """(cdf, ppf, pdf, isf) of the unit-mean power gain z."""
    if fad == "rayleigh" or kf == 0:
        return (lambda z: -np.expm1(-np.asarray(z)),
                lambda u: -np.log1p(-np.asarray(u)),
                lambda z: np.exp(-np.asarray(z)),
                lambda u: -np.log(np.asarray(u)))
    scale = 1.0 / (2.0 * (kf + 1.0))
    dist = stats.ncx2(df=2, nc=2.0 * kf, scale=scale)
    return dist.cdf, dist.ppf, dist.pdf, dist.isf


def _check_complex_channel(channel):
    ch = _check_channel(channel)
    if ch not in COMPLEX_CHANNELS:
        raise ValueError(f"channel: got {channel!r}; quasi-static fading (z = |h|^2 scaling a "
                         f"complex SNR) is defined for one of {COMPLEX_CHANNELS}")
    return ch


def _capacity_inverse(rate: float, ch: str) -> float:
    """SNR with C(snr) = rate (0 <= rate < log2 M); inf if rate >= log2 M."""
    if rate <= 0:
        return 0.0
    if ch == "awgn_complex":
        return math.expm1(rate * math.log(2.0))
    if rate >= BITS_PER_USE[ch]:
        return np.inf
    f = lambda t: float(_moments(np.asarray(math.exp(t)), ch)[0]) - rate  # noqa: E731
    if f(_LOG_SNR_HI) < 0:
        return np.inf
    return math.exp(optimize.brentq(f, _LOG_SNR_LO, _LOG_SNR_HI, xtol=1e-13, rtol=1e-13))


def _avg_eps_scalar(n, k, snr, ch, lt, fad, kf):
    if k == 0:
        return 0.0
    if snr == 0:
        return 1.0
    cdf, ppf, pdf, isf = _fading_dist(fad, kf)
    z_max = float(isf(1e-17))

    def g(z):
        return _eps_scalar(n, k, z * snr, ch, lt) * float(pdf(z))

    # Break point at the eps = 1/2 gain, where the integrand has its steep step.
    r50 = (k - (0.5 * math.log2(n) if lt else 0.0)) / n
    z50 = _capacity_inverse(r50, ch) / snr if r50 > 0 else 0.0
    pts = {0.5 * z50, z50, 2.0 * z50}
    if z50 > 0 and np.isfinite(z50):
        # Width of the step in ln z: 1 / (d omega / d ln z) at z50, omega' = n s C'(s) / sqrt(nV).
        s50, h = z50 * snr, 1e-4
        c_hi, c_lo = (float(_moments(np.asarray(s50 * math.exp(x)), ch)[0]) for x in (h, -h))
        v50 = float(_moments(np.asarray(s50), ch)[1])
        slope = n * (c_hi - c_lo) / (2 * h) / math.sqrt(n * v50) if v50 > 0 else 0.0
        if slope > 0:
            width = 1.0 / slope
            pts.update(z50 * math.exp(j * width)
                       for j in (-16, -12, -8, -6, -4, -3, -2, -1, -0.5, 0.5, 1, 2, 3, 4, 6, 8,
                                 12, 16))
    pts = sorted(p for p in pts if 0.0 < p < z_max)
    edges = [0.0] + pts + [z_max]
    total = 0.0
    for a, b in zip(edges[:-1], edges[1:]):
        val, _ = integrate.quad(g, a, b, epsabs=1e-16, epsrel=1e-10, limit=500)
        total += val
    return min(max(total, 0.0), 1.0)


def average_error_probability(n, k, mean_snr, channel, fading="rayleigh", k_factor=0.0,
                              log_term=True):
    """Average normal-approximation error probability over quasi-static fading.

    Parameters
    ----------
    n : int or array_like of int
        Blocklength in complex channel uses (> 0).
    k : float or array_like
        Information bits (``0 <= k <= n log2 M``).
    mean_snr : float or array_like
        Mean linear SNR per complex symbol (>= 0); the instantaneous SNR is ``z * mean_snr``.
    channel : str
        One of ``"awgn_complex"``, ``"qpsk"``, ``"16qam"``, ``"64qam"``.
    fading : str
        ``"rayleigh"`` (z ~ Exp(1)) or ``"rician"`` (z = |h|^2, ``h ~ CN(sqrt(K/(K+1)),
        1/(K+1))``: ``z ~ ncx2(df=2, nc=2K) / (2(K+1))``, E[z] = 1).
    k_factor : float
        Rician K-factor >= 0 (must be 0 for Rayleigh).
    log_term : bool
        As in :func:`error_probability`.

    Returns
    -------
    float64 array (broadcast shape of n, k, mean_snr), in [0, 1].

    Equation: ``eps_bar = int_0^inf eps(n, k, z snr) f_z(z) dz`` [YKP14, eq. (59) with the
    normal approximation]; adaptive Gauss-Kronrod (scipy ``quad``) on [0, F^{-1}(1 - 1e-17)]
    split at the eps = 1/2 gain z50 and at z50 exp(j w), |j| <= 16, w the width of the step in
    ln z (checked against a dense Simpson rule to ~1e-9 relative for eps_bar >= 1e-6).
    """
    ch = _check_complex_channel(channel)
    fad, kf = _check_fading(fading, k_factor)
    lt = check_bool("log_term", log_term)
    nn = _check_n(n)
    kk = _check_k(k, nn, ch)
    s = _check_snr(mean_snr, "mean_snr")
    nn, kk, s = np.broadcast_arrays(nn, kk, s)
    out = np.empty(nn.shape)
    for idx in np.ndindex(nn.shape):
        out[idx] = _avg_eps_scalar(float(nn[idx]), float(kk[idx]), float(s[idx]), ch, lt,
                                   fad, kf)
    return _out(out)


def outage_probability(rate, mean_snr, channel="awgn_complex", fading="rayleigh",
                       k_factor=0.0):
    """Outage probability ``P[C(z mean_snr) < rate]`` of a quasi-static fading channel.

    Parameters
    ----------
    rate : float or array_like
        Rate in bits per complex channel use, >= 0.
    mean_snr : float or array_like
        Mean linear SNR per complex symbol, >= 0.
    channel : str
        One of ``"awgn_complex"``, ``"qpsk"``, ``"16qam"``, ``"64qam"``.
    fading, k_factor
        As in :func:`average_error_probability`.

    Returns
    -------
    float64 array (broadcast shape of rate, mean_snr), in [0, 1].

    Equation: ``P_out = F_z(C^{-1}(rate) / mean_snr)`` [YKP14 eq. (12)]; Rayleigh with Gaussian
    input: ``1 - exp(-(2^rate - 1)/mean_snr)``. C^{-1} is numeric (brentq) for the QAMs, and
    ``rate >= log2 M`` gives 1.
    """
    ch = _check_complex_channel(channel)
    fad, kf = _check_fading(fading, k_factor)
    r = check_real_array("rate", rate, lo=0.0, hi=math.inf, hi_open=True,
                         allowed="a finite rate >= 0 (bits per channel use)")
    s = _check_snr(mean_snr, "mean_snr")
    cdf = _fading_dist(fad, kf)[0]
    r, s = np.broadcast_arrays(r, s)
    out = np.empty(r.shape)
    for idx in np.ndindex(r.shape):
        rr, ss = float(r[idx]), float(s[idx])
        if rr == 0:
            out[idx] = 0.0
            continue
        g = _capacity_inverse(rr, ch)
        if ss == 0 or not np.isfinite(g):
            out[idx] = 1.0
            continue
        out[idx] = float(cdf(g / ss))
    return _out(out)


def outage_capacity(eps, mean_snr, channel="awgn_complex", fading="rayleigh", k_factor=0.0):
    """eps-outage capacity ``C(F_z^{-1}(eps) mean_snr)`` in bits per complex channel use.

    Parameters
    ----------
    eps : float or array_like
        Outage probability, ``0 < eps < 1``.
    mean_snr : float or array_like
        Mean linear SNR per complex symbol, >= 0.
    channel : str
        One of ``"awgn_complex"``, ``"qpsk"``, ``"16qam"``, ``"64qam"``.
    fading, k_factor
        As in :func:`average_error_probability`.

    Returns
    -------
    float64 array (broadcast shape of eps, mean_snr).

    Equation: ``C_eps = sup{R : P[C(z snr) < R] <= eps} = C(F_z^{-1}(eps) snr)`` [YKP14 eq.
    (13)]; Rayleigh: ``F^{-1}(eps) = -ln(1 - eps)``.
    """
    ch = _check_complex_channel(channel)
    fad, kf = _check_fading(fading, k_factor)
    e = _check_eps(eps)
    s = _check_snr(mean_snr, "mean_snr")
    ppf = _fading_dist(fad, kf)[1]
    z = np.asarray(ppf(e), dtype=np.float64)
    return _out(_moments(np.asarray(z * s, dtype=np.float64), ch)[0])
