"""Finite-blocklength converse and achievability bounds on log2 M*(n, eps).

Two public functions, both returning bits (log2 of a number of codewords):

* :func:`metaconverse` -- Polyanskiy-Poor-Verdu (PPV) meta-converse [PPV10, Th. 27/28],
  ``log2 M <= -log2 beta_{1-eps}(P_{Y|X=x}, Q_Y)``, for the real AWGN channel with an
  equal-power (spherical) codebook and Q_Y = N(0, (1+snr) I_n) [PPV10, Sec. III-J, the
  equal-power form underlying Th. 41], and for the binary-input AWGN channel with Q_Y the capacity-achieving
  (equiprobable BPSK mixture) output distribution.  It bounds codes with *average* (hence also
  maximal) error probability eps: for both channels beta does not depend on the codeword x
  (spherical / input symmetry), so the minimisation over input distributions is trivial.
* :func:`achievability` -- the random-coding union (RCU) bound [PPV10, Th. 16] for a random code
  uniform on the power sphere ||x||^2 = n snr with the (ML) maximum-correlation decoder, i.e.
  Shannon's 1959 random spherical code.  Genuine lower bound for the *average* error
  probability under the equal-power constraint.

Numerical method (both channels of the meta-converse)
-----------------------------------------------------
Under P = P_{Y|X=x} the information density S = log dP/dQ (nats) is a sum of n i.i.d. terms
(BI-AWGN) or an affine function of a noncentral chi-square (AWGN); in both cases its moment
generating function E_P[exp(z S)] = exp(K(z)) is available (closed form for AWGN, trapezoidal
quadrature over the Gaussian noise for BI-AWGN).  The Neyman-Pearson quantities are evaluated
*exactly* (no asymptotic approximation) by Bromwich / inverse-Laplace integrals taken along the
vertical line through the saddlepoint c (K'(c) = gamma):

    P[S <  gamma]              = -1/(2 pi) Int exp(K(c+jt) - (c+jt) gamma) / (c+jt) dt,   c < 0
    beta = E_P[e^{-S} 1{S>=gamma}] = 1/(2 pi) Int exp(K(c+jt) - (1+c+jt) gamma)/(1+c+jt) dt, c > -1

(the change of measure dQ/dP = e^{-S} gives beta = Q[S >= gamma]).  The common factor
exp(K(c) - (c+d) gamma) is taken out analytically, so the result is obtained in the log domain
(no underflow even when beta ~ 2^-6000), and the remaining O(1) integral is computed by the
trapezoidal rule, which converges geometrically for these analytic integrands.  This is the
saddlepoint method of Vazquez-Vilar, Martinez, Guillen i Fabregas ("saddlepoint approximations
of the meta-converse") but with the integral evaluated numerically instead of expanded, so it
is exact up to quadrature error (tests: contour shift changes log2 beta by < 1e-6 relative;
AWGN agrees with an mpmath Poisson-mixture evaluation to < 1e-8 bits at n=128, eps=1e-6).
For AWGN the threshold uses scipy.stats.ncx2.isf (checked against mpmath in the tests).

References
----------
[PPV10] Y. Polyanskiy, H. V. Poor, S. Verdu, "Channel coding rate in the finite blocklength
        regime", IEEE Trans. Inf. Theory 56(5), 2010.
[Sha59] C. E. Shannon, "Probability of error for optimal codes in a Gaussian channel",
        Bell Syst. Tech. J. 38, 1959.
[Ers16] T. Erseghe, "Coding in the finite-blocklength regime: bounds based on Laplace
        integrals and their asymptotic approximations", IEEE Trans. Inf. Theory 62(12), 2016.
[VMG]   G. Vazquez-Vilar, A. Martinez, A. Guillen i Fabregas and co-authors, saddlepoint
        approximations of the meta-converse / hypothesis-testing error (ISIT/CISS 2018);
        only the saddlepoint contour choice is borrowed, no expansion is used.
"""

from __future__ import annotations

import abc
import math
from numbers import Integral, Real

import numpy as np
from scipy import optimize, special, stats

__all__ = ["metaconverse", "achievability", "CHANNELS"]

CHANNELS = ("awgn_real", "biawgn")
_LN2 = math.log(2.0)


# --------------------------------------------------------------------------------------------
# input validation
# --------------------------------------------------------------------------------------------
def _check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (Integral, Real, np.integer, np.floating)):
        raise ValueError(f"n must be a positive integer blocklength, got n={n!r}")
    nf = float(n)
    if not math.isfinite(nf) or nf != math.floor(nf) or nf <= 0:
        raise ValueError(f"n must be a positive integer blocklength (n >= 1), got n={n!r}")
    return int(nf)


def _check_eps(eps) -> float:
    try:
        e = float(eps)
    except (TypeError, ValueError):
        raise ValueError(f"eps must be a real number in the open interval (0, 1), got eps={eps!r}")
    if not (0.0 < e < 1.0):
        raise ValueError(f"eps must lie in the open interval (0, 1), got eps={eps!r}")
    return e


def _check_snr(snr) -> float:
    try:
        s = float(snr)
    except (TypeError, ValueError):
        raise ValueError(f"snr must be a positive finite linear SNR, got snr={snr!r}")
    if not (math.isfinite(s) and s > 0.0):
        raise ValueError(f"snr must be a positive finite linear SNR (> 0), got snr={snr!r}")
    return s


def _check_channel(channel, allowed=CHANNELS) -> str:
    if not isinstance(channel, str) or channel not in allowed:
        raise ValueError(f"channel must be one of {allowed}, got channel={channel!r}")
    return channel


# --------------------------------------------------------------------------------------------
# generic exact Laplace-inversion machinery
# --------------------------------------------------------------------------------------------
def _bromwich_log(K, Kc_real, c, gamma, d, n_scale, sign):
    """log of  sign/(2 pi) Int exp(K(c+jt) - (d+c+jt) gamma) / (d+c+jt) dt  (full real line).

    ``K`` maps a complex array z to the cumulant K(z) = log E[exp(z S)] (any branch: only
    exp(K) matters, K(c) must be the real value ``Kc_real``).  ``n_scale`` ~ 1/sqrt(K''(c))
    sets the t step.  Trapezoidal rule, integrand conjugate-symmetric so 2 Re Int_0^inf.
    """
    w = d + c  # distance of the pole from the contour
    width = n_scale
    dt = min(width, abs(w)) / 12.0
    total = 0.0 + 0.0j
    t0 = 0.0
    first = True
    chunk = 256
    for _ in range(400):
        t = t0 + dt * np.arange(chunk)
        z = c + 1j * t
        g = np.exp(K(z) - Kc_real - 1j * t * gamma) / (w + 1j * t)
        if first:
            g[0] *= 0.5
            first = False
        total += g.sum()
        tail = np.max(np.abs(g[-16:]))
        t0 = t[-1] + dt
        if tail < 1e-13 * abs(total.real) / chunk:
            break
    else:  # pragma: no cover - defensive
        raise RuntimeError("Laplace inversion did not converge")
    val = sign * 2.0 * dt * total.real / (2.0 * math.pi)
    if not val > 0.0:
        raise RuntimeError("Laplace inversion lost positivity (numerical failure)")
    return Kc_real - (d + c) * gamma + math.log(val)


class _Model(abc.ABC):
    """Information density S (nats) under P and its cumulant K(z) = log E_P[exp(zS)]."""

    @abc.abstractmethod
    def K(self, z):  # complex array -> complex array
        """Cumulant generating function of S under P at complex points ``z``."""

    def K_real(self, c):
        return float(np.real(self.K(np.array([complex(c)]))[0]))

    @abc.abstractmethod
    def K1(self, c):
        """K'(c) at a real point ``c``."""

    def K2(self, c):
        h = 1e-4
        return (self.K_real(c + h) - 2 * self.K_real(c) + self.K_real(c - h)) / h**2

    def saddle(self, gamma):
        """Real z with K'(z) = gamma (K' increasing)."""
        f = lambda z: self.K1(z) - gamma
        lo, hi = -0.5, 0.5
        while f(lo) > 0:
            lo *= 2.0
            if lo < -1e4:
                break
        while f(hi) < 0:
            hi *= 2.0
            if hi > 1e4:
                break
        return optimize.brentq(f, lo, hi, xtol=1e-14, rtol=1e-13)

    def mean(self):
        return self.K1(0.0)

    # --- Neyman-Pearson quantities ---------------------------------------------------------
    def log_lower_tail(self, gamma):
        """log P[S < gamma] by exact Laplace inversion (saddlepoint contour)."""
        c = self.saddle(gamma)
        delta = 1.0 / math.sqrt(max(self.K2(0.0), 1e-300))
        if c < -0.2 * delta:
            Kc = self.K_real(c)
            return _bromwich_log(self.K, Kc, c, gamma, 0.0, 1 / math.sqrt(self.K2(c)), -1.0)
        c = max(c, 0.2 * delta)
        Kc = self.K_real(c)
        lu = _bromwich_log(self.K, Kc, c, gamma, 0.0, 1 / math.sqrt(self.K2(c)), +1.0)
        return math.log1p(-math.exp(lu))

    def log_beta(self, gamma, c=None):
        """log Q[S >= gamma] = log E_P[exp(-S) 1{S >= gamma}] (exact, log domain)."""
        if c is None:
            c = self.saddle(gamma)
            c = max(c, -1.0 + 0.05 / math.sqrt(max(self.K2(-0.5), 1e-300)))
            c = min(c, 5.0)
        Kc = self.K_real(c)
        return _bromwich_log(self.K, Kc, c, gamma, 1.0, 1 / math.sqrt(self.K2(c)), +1.0)


class _AwgnModel(_Model):
    """Real AWGN, ||x||^2 = n P, Q_Y = N(0,(1+P)I).  S = A - b W, W ~ ncx2(n, n/P) under P.

    log dP/dQ = n/2 log(1+P) + ||y||^2/(2(1+P)) - ||y-x||^2/2; with y = x + z and completing
    the square, S = n/2 log(1+P) + n/2 - P/(2(1+P)) W,  W = sum (z_i - 1/sqrt(P))^2
    (PPV10 eq. for H_n; Erseghe 2016 Sec. II).  E[exp(tW)] = exp(lam t/(1-2t)) (1-2t)^{-n/2}.
    """

    def __init__(self, n, P):
        self.n, self.P = n, P
        self.A = 0.5 * n * math.log1p(P) + 0.5 * n
        self.b = P / (2.0 * (1.0 + P))
        self.lam = n / P

    def K(self, z):
        z = np.asarray(z, dtype=complex)
        u = 1.0 + 2.0 * self.b * z  # Re u > 0 on every contour used (Re z > -(1+P)/P)
        return z * self.A - self.lam * self.b * z / u - 0.5 * self.n * np.log(u)

    def K_real(self, c):
        u = 1.0 + 2.0 * self.b * c
        return c * self.A - self.lam * self.b * c / u - 0.5 * self.n * math.log(u)

    def K1(self, c):
        u = 1.0 + 2.0 * self.b * c
        return self.A - self.lam * self.b / u**2 - self.n * self.b / u

    def K2(self, c):
        u = 1.0 + 2.0 * self.b * c
        return 4.0 * self.lam * self.b**2 / u**3 + 2.0 * self.n * self.b**2 / u**2

    def saddle(self, gamma):
        lo = -(1.0 + self.P) / self.P * (1 - 1e-12)
        f = lambda z: self.K1(z) - gamma
        hi = 1.0
        while f(hi) < 0:
            hi *= 2.0
        return optimize.brentq(f, lo, hi, xtol=1e-15, rtol=1e-14)


class _BiawgnModel(_Model):
    """BPSK +-sqrt(s) over N(0,1), Q_Y = equiprobable mixture (capacity-achieving output).

    Per letter (x = +sqrt(s)): L = 2 s + 2 sqrt(s) u, u ~ N(0,1), i = log 2 - log(1 + e^{-L}).
    m(z) = E[exp(z i)] by the trapezoidal rule in u (integrand analytic in a strip of half-width
    pi/(2 sqrt(s)), so the error is ~exp(-pi^2/(sqrt(s) h)), negligible for h = 0.01).
    K(z) = n log m(z).
    """

    h = 0.01  # u-grid step (class attribute so tests can refine it)

    def __init__(self, n, s):
        self.n, self.s = n, s
        self._grid_cache = {}

    def _grid(self, c):
        key = round(min(c, 0.0), 1)
        g = self._grid_cache.get(key)
        if g is None:
            rs = math.sqrt(self.s)
            lo = -14.0 - 2.0 * rs * max(-key + 0.1, 0.0)
            hi = 14.0
            h = self.h
            u = np.arange(lo, hi + h, h)
            L = 2 * self.s + 2 * rs * u
            i = _LN2 - np.logaddexp(0.0, -L)
            logw = -0.5 * u**2 - 0.5 * math.log(2 * math.pi) + math.log(h)
            g = (i, logw)
            self._grid_cache[key] = g
        return g

    def K(self, z):
        z = np.atleast_1d(np.asarray(z, dtype=complex))
        c = float(np.min(z.real))
        i, logw = self._grid(c)
        # log-sum-exp over u of (logw + z i) with real-part shift for stability
        expo = logw[None, :] + z[:, None] * i[None, :]
        shift = np.max(expo.real, axis=1, keepdims=True)
        m = np.exp(expo - shift).sum(axis=1)
        return self.n * (np.log(m) + shift[:, 0])

    def _moments(self, c):
        i, logw = self._grid(c)
        e = logw + c * i
        e = np.exp(e - e.max())
        e /= e.sum()
        m1 = float(np.dot(e, i))
        m2 = float(np.dot(e, (i - m1) ** 2))
        return m1, m2

    def K_real(self, c):
        return float(self.K(np.array([complex(c)]))[0].real)

    def K1(self, c):
        return self.n * self._moments(c)[0]

    def K2(self, c):
        return self.n * self._moments(c)[1]


# --------------------------------------------------------------------------------------------
# meta-converse
# --------------------------------------------------------------------------------------------
def _mc_awgn(n, eps, P, return_parts=False):
    model = _AwgnModel(n, P)
    w_star = float(stats.ncx2.isf(eps, n, model.lam))  # P[W > w*] = eps  <=>  P[S < gamma] = eps
    gamma = model.A - model.b * w_star
    if n < 16:
        # short blocks: the characteristic function decays only algebraically (slow Laplace
        # inversion) but beta is far from underflow, so use the direct noncentral-chi2 cdf:
        # beta = Q[V <= w*/(1+P)], V ~ ncx2(n, n(1+P)/P) under Q_Y.
        lb = float(stats.ncx2.logcdf(w_star / (1.0 + P), n, n * (1.0 + P) / P))
    else:
        lb = model.log_beta(gamma)
    if return_parts:
        return -lb / _LN2, gamma, w_star
    return -lb / _LN2


def _mc_biawgn(n, eps, s, return_parts=False):
    model = _BiawgnModel(n, s)
    mu = model.mean()
    sd = math.sqrt(model.K2(0.0))
    le = math.log(eps)
    f = lambda g: model.log_lower_tail(g) - le
    # bracket around the normal approximation of the threshold
    g0 = mu + sd * special.ndtri(eps)
    lo, hi = g0 - 2 * sd, g0 + 2 * sd
    while f(lo) > 0:
        lo -= 2 * sd
    while f(hi) < 0:
        hi += 2 * sd
    gamma = optimize.brentq(f, lo, hi, xtol=1e-12 * max(1.0, abs(g0)), rtol=1e-13)
    lb = model.log_beta(gamma)
    if return_parts:
        return -lb / _LN2, gamma
    return -lb / _LN2


def _metaconverse_scalar(n, eps, snr, channel):
    n = _check_n(n)
    eps = _check_eps(eps)
    snr = _check_snr(snr)
    channel = _check_channel(channel)
    if channel == "awgn_real":
        return _mc_awgn(n, eps, snr)
    if n < 10 or (n < 32 and eps > 0.5):
        raise ValueError(
            f"n={n} with eps={eps} is outside the validated range of the biawgn meta-converse "
            "(allowed: n >= 32, or 10 <= n < 32 with eps <= 0.5)")
    return _mc_biawgn(n, eps, snr)


def metaconverse(n, eps, snr, channel="awgn_real"):
    """PPV meta-converse upper bound on log2 M*(n, eps) in bits (average error probability).

    Implements [PPV10, Th. 27/28]:  log2 M <= -log2 beta_{1-eps}(P_{Y|X=x}, Q_Y), where
    beta_{alpha}(P, Q) = min Q[T] over tests T with P[T] >= alpha.  The optimum (Neyman-Pearson)
    test thresholds the information density S = log dP/dQ: gamma is chosen with
    P[S < gamma] = eps and beta = Q[S >= gamma] = E_P[exp(-S) 1{S >= gamma}].  beta does not
    depend on the codeword, so the bound holds for the average (hence also maximal) error
    probability of any code of the constrained type.

    Parameters
    ----------
    n : int or array of int, >= 1
        Blocklength (channel uses).
    eps : float or array, in (0, 1)
        Target (average) block error probability.
    snr : float or array, > 0
        Linear SNR.  ``awgn_real``: P/sigma^2 per real channel use (every codeword has
        ||x||^2 = n snr, i.e. the *equal-power* constraint; for a ``<= n snr`` constraint use
        n+1 as PPV10 Th. 41/Lemma 39).  ``biawgn``: BPSK amplitude sqrt(snr) over unit-variance
        real noise.
    channel : {"awgn_real", "biawgn"}
        ``awgn_real``: Q_Y = N(0, (1+snr) I_n), S is affine in a noncentral chi-square with n
        degrees of freedom, noncentrality n/snr [PPV10 Sec. III-J; Sha59 cone-packing
        equivalent; Ers16].  ``biawgn``: Q_Y is the equiprobable-BPSK output mixture.

    Returns
    -------
    float or ndarray
        Upper bound on log2 M* (bits).  Evaluated by exact Laplace inversion along the
        saddlepoint contour (see module docstring); relative accuracy ~1e-9 in log2 beta
        (AWGN tested against mpmath at n = 128, 2048, eps = 1e-6; BI-AWGN by contour
        shift, grid refinement and Monte-Carlo at eps = 1e-2).

    Raises
    ------
    ValueError
        If n is not a positive integer, eps is not in (0, 1), snr <= 0, or channel unknown.
        For ``biawgn`` also if n < 10, or n < 32 with eps > 0.5 (the Laplace inversion of the
        slowly decaying short-block characteristic function is not validated there).  For
        ``awgn_real`` with n < 16, beta is taken directly from scipy.stats.ncx2.logcdf.
    """
    if np.ndim(n) == 0 and np.ndim(eps) == 0 and np.ndim(snr) == 0:
        return float(_metaconverse_scalar(n, eps, snr, channel))
    _check_channel(channel)
    return np.vectorize(_metaconverse_scalar, otypes=[float])(n, eps, snr, channel)


# --------------------------------------------------------------------------------------------
# RCU achievability with spherical codebook
# --------------------------------------------------------------------------------------------
def _log_cap(theta, n):
    """log of the normalised area C_n(theta) of a spherical cap of half-angle theta in R^n.

    C_n(theta) = 1/2 I_{sin^2 theta}((n-1)/2, 1/2) for theta <= pi/2 (complement beyond).
    log I_x(a, b) = a log x + b log(1-x) - log a - log B(a,b) + log 2F1(a+b, 1; a+1; x),
    the hypergeometric series having positive terms with ratio < x (no cancellation, no
    underflow: Abramowitz & Stegun 26.5.23 / DLMF 8.17.8).
    """
    a, b = 0.5 * (n - 1), 0.5
    if theta <= 0:
        return -math.inf
    x = math.sin(theta) ** 2
    if x >= 1.0:
        return math.log(0.5)
    # series sum_k (a+b)_k / (a+1)_k x^k
    tot, term, k = 1.0, 1.0, 0
    while True:
        term *= x * (a + b + k) / (a + 1 + k)
        tot += term
        k += 1
        if term < 1e-17 * tot or k > 200000:
            break
    logI = (a * math.log(x) + b * math.log1p(-x) - math.log(a)
            - special.betaln(a, b) + math.log(tot))
    if theta <= 0.5 * math.pi:
        return math.log(0.5) + logI
    return math.log1p(-0.5 * math.exp(logI))


def _log_cap_density(theta, n):
    """log c_n(theta) = log dC_n/dtheta = log[Gamma(n/2)/(sqrt(pi) Gamma((n-1)/2))] + (n-2) log sin."""
    const = special.gammaln(0.5 * n) - special.gammaln(0.5 * (n - 1)) - 0.5 * math.log(math.pi)
    return const + (n - 2) * np.log(np.sin(theta))


def _log_int_exp(x, h):
    """log of Int exp(h) dx with h linear between nodes (exact for log-linear integrands).

    Returns the cumulative log integral at every node (first node -> -inf)."""
    dx = np.diff(x)
    h0, h1 = h[:-1], h[1:]
    dh = h1 - h0
    hm = np.maximum(h0, h1)
    # Int_0^dx exp(h0 + dh t/dx) dt = dx * (e^{h1}-e^{h0})/dh ; stable form
    small = np.abs(dh) < 1e-8
    with np.errstate(divide="ignore", invalid="ignore"):
        seg = np.where(small,
                       np.log(dx) + 0.5 * (h0 + h1),
                       hm + np.log(dx) + np.log(np.abs(np.expm1(-np.abs(dh)))) - np.log(np.abs(dh)))
    cum = np.logaddexp.accumulate(seg)
    return np.concatenate(([-np.inf], cum))


def _rcu_awgn(n, eps, P, npts=6000, return_parts=False):
    """RCU bound, spherical random code, ML (max-correlation) decoding.

    eps_RCU(M) = E[min(1, (M-1) C_n(Theta))], Theta = angle(X, Y).  With g = min(1, (M-1)C_n)
    and integration by parts, eps_RCU = (M-1) Int_0^{theta0} c_n(t) S(t) dt where
    (M-1) C_n(theta0) = 1 and S(t) = P[Theta > t] = F_nct(sqrt(n-1) cot t; n-1, sqrt(n P))
    (cot Theta * sqrt(n-1) is noncentral-t).  Parametrising by theta0,
    eps(theta0) = Int_0^{theta0} c S / C_n(theta0), decreasing in theta0; solve eps(theta0)=eps
    and return log2(M) with M - 1 = 1/C_n(theta0) (floored to an integer when small).
    """
    nu, delta = n - 1, math.sqrt(n * P)

    def logS(theta):
        return stats.nct.logcdf(math.sqrt(nu) / np.tan(theta), nu, delta)

    # angle quantile where S = eps (theta0 >= this)
    q = float(stats.nct.ppf(eps, nu, delta)) / math.sqrt(nu)
    th_eps = math.atan2(1.0, q)
    q2 = float(stats.nct.ppf(max(eps * 1e-12, 1e-300), nu, delta)) / math.sqrt(nu)
    th_hi = min(math.atan2(1.0, q2), math.pi - 1e-9)
    slope = (n - 2) * max(1.0 / math.tan(th_eps), 0.0)
    th_lo = max(th_eps - 60.0 / slope, 1e-9) if slope > 60.0 / th_eps else 1e-9
    th = np.linspace(th_lo, th_hi, npts)
    lc = _log_cap_density(th, n)
    ls = logS(th)
    num = _log_int_exp(th, lc + ls)
    den = _log_int_exp(th, lc)
    lC_lo = _log_cap(th_lo, n)
    num = np.logaddexp(num, lC_lo)  # conservative: S <= 1 on [0, th_lo]
    den = np.logaddexp(den, lC_lo)
    leps = num[1:] - den[1:]
    target = math.log(eps)
    k = np.nonzero(leps <= target)[0]
    if k.size == 0:
        raise RuntimeError("RCU: theta grid too short")  # pragma: no cover
    k = k[0] + 1
    if k <= 1:
        raise RuntimeError("RCU: theta grid starts too high")  # pragma: no cover
    # linear interpolation of log eps(theta0) between nodes k-1, k
    e0, e1 = leps[k - 2], leps[k - 1]
    t = (target - e0) / (e1 - e0) if e1 != e0 else 0.0
    theta0 = th[k - 1] + t * (th[k] - th[k - 1])
    lC0 = _log_cap(theta0, n)
    log_m1 = -lC0  # log(M-1)
    if log_m1 < 40 * _LN2:
        M = math.floor(1.0 + math.exp(log_m1) + 1e-9)
        bits = math.log2(max(M, 1))
    else:
        bits = (log_m1 + math.log1p(math.exp(-log_m1))) / _LN2
    if return_parts:
        return bits, theta0
    return bits


def _achievability_scalar(n, eps, snr, channel):
    n = _check_n(n)
    eps = _check_eps(eps)
    snr = _check_snr(snr)
    _check_channel(channel, ("awgn_real",))
    if n == 1:
        # one real use: antipodal pair {+-sqrt(snr)} has error Q(sqrt(snr)); else M = 1 (0 bits)
        return 1.0 if stats.norm.sf(math.sqrt(snr)) <= eps else 0.0
    return _rcu_awgn(n, eps, snr)


def achievability(n, eps, snr, channel="awgn_real"):
    """RCU achievability (lower) bound on log2 M*(n, eps) in bits, real AWGN, equal power.

    Implements the random-coding union bound [PPV10, Th. 16]
        eps <= E[min(1, (M-1) P[i(Xbar;Y) >= i(X;Y) | X, Y])]
    for codewords drawn i.i.d. uniformly on the sphere ||x||^2 = n snr and the ML decoder
    (maximum correlation), i.e. Shannon's random spherical code [Sha59].  The pairwise term is
    the cap area C_n(Theta), Theta = angle(X, Y), computed in closed form (log-domain
    incomplete beta); the law of cot(Theta) is noncentral-t (n-1 dof, noncentrality
    sqrt(n snr)).  After integration by parts the bound is a single positive integral (no
    cancellation) solved for the largest M meeting eps.  Exact up to 1-D quadrature on a
    6000-point grid (log-linear rule; tested stable to <1e-4 bits vs 4x refinement).  A
    genuine lower bound for the *average* error probability (no normal approximation);
    integer M is enforced (floor) when M < 2^40.

    Parameters
    ----------
    n : int >= 1, eps in (0, 1), snr > 0 (P/sigma^2 per real use); scalars or arrays.
    channel : {"awgn_real"}
        Only the real AWGN channel is implemented.

    Returns
    -------
    float or ndarray : lower bound on log2 M* (bits).  For n = 1 the exact answer for an
    antipodal pair is returned (1 bit if Q(sqrt(snr)) <= eps, else 0).

    Raises
    ------
    ValueError
        If n is not a positive integer, eps not in (0, 1), snr <= 0, or channel is not
        "awgn_real".
    """
    if np.ndim(n) == 0 and np.ndim(eps) == 0 and np.ndim(snr) == 0:
        return float(_achievability_scalar(n, eps, snr, channel))
    _check_channel(channel, ("awgn_real",))
    return np.vectorize(_achievability_scalar, otypes=[float])(n, eps, snr, channel)
