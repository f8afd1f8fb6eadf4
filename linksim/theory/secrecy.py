"""Secrecy theory of the Gaussian and Rayleigh-fading wiretap channel.

Alice sends to Bob over a complex AWGN channel at SNR ``snr_bob`` while Eve listens over a complex
AWGN channel at SNR ``snr_eve`` (SNR = Es/N0 per complex symbol, linear, not dB). All rates are in
bits per complex channel use; ``n`` counts complex channel uses (see ``shared/DESIGN.md``).

Contents
--------
* :func:`secrecy_capacity` -- Gaussian wiretap secrecy capacity (Leung-Yan-Cheong & Hellman 1978).
* :func:`secrecy_outage` -- P[C_s < R] over independent Rayleigh fading (Barros & Rodrigues 2006;
  Bloch, Barros, Rodrigues & McLaughlin 2008).
* :func:`average_secrecy_capacity` -- E[C_s] over independent Rayleigh fading, closed form with the
  exponential integral E1 (Bloch et al. 2008).
* :func:`secrecy_dispersions` -- the dispersions (V_b, V_e) of the second-order secrecy rate.
* :func:`fbl_secrecy_rate` / :func:`fbl_leakage` -- the second-order (normal) approximation of the
  achievable secret-message rate at reliability eps and leakage delta, and its inverse in delta
  (Yang, Schaefer & Poor, "Wiretap channels: nonasymptotic fundamental limits", IEEE T-IT 65(7),
  2019, Gaussian wiretap channel section).

Every function broadcasts its array arguments with NumPy rules and returns a ``float`` when all
arguments are scalars, an ``ndarray`` otherwise.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from linksim.checks import check_real_array

__all__ = [
    "secrecy_capacity",
    "secrecy_outage",
    "average_secrecy_capacity",
    "secrecy_dispersions",
    "fbl_secrecy_rate",
    "fbl_leakage",
]

_LOG2E = 1.0 / math.log(2.0)


# ----------------------------------------------------------------------------- input checks

def _snr(name, value):
    return check_real_array(name, value, lo=0.0, hi=math.inf, hi_open=True,
                     allowed="a finite linear SNR >= 0 (not dB), scalar or array")


def _prob(name, value):
    return check_real_array(name, value, lo=0.0, lo_open=True, hi=1.0, hi_open=True,
                     allowed="a probability in the open interval (0, 1), scalar or array")


def _blocklength(value):
    return check_real_array("n", value, lo=0.0, lo_open=True, hi=math.inf, hi_open=True,
                     allowed="a finite blocklength > 0 (complex channel uses), scalar or array")


def _out(x):
    """float for 0-d results, ndarray otherwise."""
    x = np.asarray(x, dtype=np.float64)
    return float(x) if x.ndim == 0 else x


# ----------------------------------------------------------------------------- capacity

def secrecy_capacity(snr_bob, snr_eve):
    """Secrecy capacity of the complex Gaussian wiretap channel, bits per complex channel use.

    Implements (Leung-Yan-Cheong & Hellman, IEEE T-IT 24(4), 1978, per complex use)::

        C_s = max(0, log2(1 + snr_bob) - log2(1 + snr_eve))

    Parameters
    ----------
    snr_bob, snr_eve : float or array (broadcast), linear SNR >= 0 of Bob's and Eve's channels.

    Returns
    -------
    float or ndarray: C_s >= 0 in bits per complex channel use.

    Raises
    ------
    TypeError for non-numeric input, ValueError for negative, infinite or NaN SNR.
    """
    b = _snr("snr_bob", snr_bob)
    e = _snr("snr_eve", snr_eve)
    return _out(np.maximum(0.0, np.log2(1.0 + b) - np.log2(1.0 + e)))


# ----------------------------------------------------------------------------- Rayleigh fading

def secrecy_outage(rate, mean_snr_bob, mean_snr_eve):
    """Secrecy outage probability over independent Rayleigh fading.

    Bob's and Eve's instantaneous SNRs are independent exponentials, g_b ~ Exp(mean gb_bar =
    ``mean_snr_bob``), g_e ~ Exp(mean ge_bar = ``mean_snr_eve``) (|h|^2 exponential). Implements
    (Barros & Rodrigues, ISIT 2006; Bloch et al., IEEE T-IT 54(6), 2008)::

        P_out(R) = P[C_s < R] = 1 - gb_bar / (gb_bar + 2^R ge_bar) * exp(-(2^R - 1) / gb_bar)

    Derivation (R > 0): C_s < R  <=>  (1 + g_b) / (1 + g_e) < 2^R  <=>  g_b < 2^R (1 + g_e) - 1,
    and the right side is > 0, so conditioning on g_e,
    P_out = 1 - E[exp(-(2^R (1 + g_e) - 1) / gb_bar)]
          = 1 - exp(-(2^R - 1) / gb_bar) E[exp(-2^R g_e / gb_bar)]
          = 1 - exp(-(2^R - 1) / gb_bar) / (1 + 2^R ge_bar / gb_bar)   (Laplace transform of Exp),
    which is the formula above. At ``rate == 0`` the value is the limit R -> 0+, i.e. the
    probability P[C_s = 0] = P[g_b <= g_e] = ge_bar / (gb_bar + ge_bar) that no positive secrecy
    rate exists. With ``mean_snr_eve == 0`` (no eavesdropper signal) it reduces to Bob's outage
    1 - exp(-(2^R - 1)/gb_bar).

    Parameters
    ----------
    rate : float or array, target secrecy rate R >= 0 in bits per complex channel use.
    mean_snr_bob : float or array, average SNR gb_bar > 0 (linear).
    mean_snr_eve : float or array, average SNR ge_bar >= 0 (linear).

    Returns
    -------
    float or ndarray in [0, 1].

    Raises
    ------
    TypeError for non-numeric input; ValueError for negative/NaN/infinite rate or SNRs, or
    ``mean_snr_bob == 0``.
    """
    r = check_real_array("rate", rate, lo=0.0, hi=math.inf, hi_open=True,
                  allowed="a finite secrecy rate >= 0 in bits per complex use")
    mb = check_real_array("mean_snr_bob", mean_snr_bob, lo=0.0, lo_open=True, hi=math.inf,
                   hi_open=True, allowed="a finite mean linear SNR > 0")
    me = _snr("mean_snr_eve", mean_snr_eve)
    t = np.exp2(r)
    p = 1.0 - mb / (mb + t * me) * np.exp(-(t - 1.0) / mb)
    return _out(np.clip(p, 0.0, 1.0))


def _exp_e1(x: np.ndarray) -> np.ndarray:
    """e^x E1(x) for x > 0 (and 0 at x = inf), without overflow for large x."""
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    small = x < 500.0
    xs = x[small]
    out[small] = np.exp(xs) * special.exp1(xs)
    big = ~small & np.isfinite(x)
    xb = x[big]
    # Asymptotic series e^x E1(x) ~ sum_k (-1)^k k! / x^(k+1); at x >= 500 eight terms leave
    # an error below 8!/500^9, far under double precision.
    acc = np.zeros_like(xb)
    term = 1.0 / xb
    for k in range(8):
        acc += term
        term = -term * (k + 1) / xb
    out[big] = acc
    return out


def average_secrecy_capacity(mean_snr_bob, mean_snr_eve):
    """Average secrecy capacity E[C_s] over independent Rayleigh fading, bits per complex use.

    With g_b ~ Exp(gb_bar), g_e ~ Exp(ge_bar) independent and C_s = max(0, log2((1+g_b)/(1+g_e))),
    implements the closed form (Bloch et al., IEEE T-IT 54(6), 2008, Rayleigh case) written as::

        E[C_s] = ( f(1/gb_bar) - f(1/gb_bar + 1/ge_bar) ) / ln 2,     f(x) = e^x E1(x),

    with E1 the exponential integral (``scipy.special.exp1``). f(1/g) ln(2)^-1 is the ergodic
    capacity of a Rayleigh channel of mean SNR g, so E[C_s] is Bob's ergodic capacity minus that of
    a Rayleigh channel of mean SNR 1/(1/gb_bar + 1/ge_bar).

    Derivation: E[C_s] = int_0^inf P[C_s > t] dt. In nats, P[C_s > t] = gb_bar/(gb_bar + u ge_bar)
    exp(-(u-1)/gb_bar) with u = e^t (:func:`secrecy_outage`), so with dt = du/u and
    gb_bar/(u (gb_bar + u ge_bar)) = 1/u - 1/(u + gb_bar/ge_bar),
    E[C_s] = e^(1/gb_bar) [ int_1^inf e^(-u/gb_bar)/u du
                            - int_1^inf e^(-u/gb_bar)/(u + gb_bar/ge_bar) du ]
           = e^(1/gb_bar) E1(1/gb_bar) - e^(1/gb_bar + 1/ge_bar) E1(1/gb_bar + 1/ge_bar)   [nats].
    ``mean_snr_eve == 0`` gives Bob's ergodic capacity (the second term vanishes).

    Parameters
    ----------
    mean_snr_bob : float or array, average SNR > 0 (linear).
    mean_snr_eve : float or array, average SNR >= 0 (linear).

    Returns
    -------
    float or ndarray, E[C_s] >= 0 in bits per complex channel use.

    Raises
    ------
    TypeError for non-numeric input; ValueError for mean_snr_bob <= 0, mean_snr_eve < 0, NaN/inf.
    """
    mb = check_real_array("mean_snr_bob", mean_snr_bob, lo=0.0, lo_open=True, hi=math.inf,
                   hi_open=True, allowed="a finite mean linear SNR > 0")
    me = _snr("mean_snr_eve", mean_snr_eve)
    mb, me = np.broadcast_arrays(mb, me)
    a = 1.0 / mb
    with np.errstate(divide="ignore"):
        c = a + np.where(me > 0, 1.0 / np.where(me > 0, me, 1.0), np.inf)
    val = (_exp_e1(a) - _exp_e1(c)) * _LOG2E
    return _out(np.maximum(val, 0.0))


# ----------------------------------------------------------------------------- finite blocklength

def secrecy_dispersions(snr_bob, snr_eve):
    """Dispersions (V_b, V_e) of the second-order secrecy rate, bits^2 per complex channel use.

    For the real Gaussian wiretap channel Yang, Schaefer & Poor (IEEE T-IT 2019, Gaussian wiretap
    theorem) use V_1 = V(snr_b), V_2 = V(snr_e) with the AWGN dispersion
    V(s) = s (s + 2) / (2 (1 + s)^2) log2(e)^2 per real use (Polyanskiy, Poor & Verdu 2010). A
    complex use is two real uses at the same SNR, so per complex use::

        V_b = snr_b (snr_b + 2) / (1 + snr_b)^2 * log2(e)^2,
        V_e = snr_e (snr_e + 2) / (1 + snr_e)^2 * log2(e)^2.

    V_e is the variance of Eve's information density log dP_{Z|X}/dQ_Z for codewords on the power
    shell and Q_Z = CN(0, (1 + snr_e) N0)^n (the resolvability/privacy-amplification term of the
    achievability); it has no cross term with snr_b. (A cross term appears in the converse's
    dispersion V_c = Var[i_b - i_e] of the physically degraded channel, which per real use is
    V(snr_b) + V(snr_e) - snr_e (snr_e + 2) / ((1 + snr_b)(1 + snr_e)) log2(e)^2; it is not
    used here.) Sourcing note: the paper's full text was not reachable while writing this; the
    forms above were checked by direct computation of the information-density variances (shell
    input, reference output CN(0, (1 + snr) N0)), and the paper's equation numbers are not cited
    because they could not be verified.

    Parameters
    ----------
    snr_bob, snr_eve : float or array (broadcast), linear SNR >= 0.

    Returns
    -------
    (V_b, V_e) : floats or ndarrays, in bits^2.
    """
    b = _snr("snr_bob", snr_bob)
    e = _snr("snr_eve", snr_eve)
    vb = b * (b + 2.0) / (1.0 + b) ** 2 * _LOG2E ** 2
    ve = e * (e + 2.0) / (1.0 + e) ** 2 * _LOG2E ** 2
    vb, ve = np.broadcast_arrays(vb, ve)
    return _out(vb), _out(ve)


def fbl_secrecy_rate(n, eps, delta, snr_bob, snr_eve):
    """Second-order achievable secret-message rate of the complex Gaussian wiretap channel.

    Implements the normal approximation of the achievability bound of Yang, Schaefer & Poor,
    "Wiretap channels: nonasymptotic fundamental limits", IEEE T-IT 65(7), 2019 (Gaussian wiretap
    channel theorem, achievability part), converted to complex channel uses::

        R(n, eps, delta) = [ C_b - C_e - sqrt(V_b / n) Q^-1(eps) - sqrt(V_e / n) Q^-1(delta) ]^+

    with C_x = log2(1 + snr_x), (V_b, V_e) from :func:`secrecy_dispersions` and Q^-1 the inverse
    Gaussian tail function. eps bounds Bob's average error probability and delta the leakage
    (total-variation/semantic-security metric of the paper). The paper's O(log n / n) remainder
    is NOT included (pure second-order approximation), and the result is clipped at 0 (in
    particular R = 0 whenever snr_bob <= snr_eve).

    Parameters
    ----------
    n : float or array, blocklength > 0 in complex channel uses.
    eps : float or array in (0, 1), Bob's error probability.
    delta : float or array in (0, 1), allowed leakage to Eve.
    snr_bob, snr_eve : float or array, linear SNR >= 0.

    Returns
    -------
    float or ndarray, rate >= 0 in bits per complex channel use (all arguments broadcast).

    Raises
    ------
    TypeError for non-numeric input; ValueError for n <= 0, eps or delta outside (0, 1),
    negative SNR, NaN/inf.
    """
    nn = _blocklength(n)
    e = _prob("eps", eps)
    d = _prob("delta", delta)
    b = _snr("snr_bob", snr_bob)
    s = _snr("snr_eve", snr_eve)
    vb, ve = (np.asarray(v) for v in secrecy_dispersions(b, s))
    c = np.log2(1.0 + b) - np.log2(1.0 + s)
    r = (c - np.sqrt(vb / nn) * stats.norm.isf(e) - np.sqrt(ve / nn) * stats.norm.isf(d))
    r = np.where(c > 0, r, 0.0)
    return _out(np.maximum(r, 0.0))


def fbl_leakage(n, eps, rate, snr_bob, snr_eve):
    """Leakage delta at which :func:`fbl_secrecy_rate` equals ``rate`` (its inverse in delta).

    Solving R = C_b - C_e - sqrt(V_b/n) Q^-1(eps) - sqrt(V_e/n) Q^-1(delta) (Yang, Schaefer &
    Poor 2019, see :func:`fbl_secrecy_rate`; no O(log n / n) term) for delta::

        delta = Q( ( sqrt(n) (C_b - C_e - R) - sqrt(V_b) Q^-1(eps) ) / sqrt(V_e) )

    For rates where the approximation is positive this inverts :func:`fbl_secrecy_rate` exactly.
    When ``snr_eve == 0`` (V_e = 0) the leakage is 0 if the bracket is >= 0 and 1 otherwise.
    When snr_bob <= snr_eve the unclipped formula is used (delta is then close to 1 for any
    reasonable n: no secrecy).

    Parameters
    ----------
    n : float or array, blocklength > 0 in complex channel uses.
    eps : float or array in (0, 1), Bob's error probability.
    rate : float or array, secret-message rate >= 0 in bits per complex channel use.
    snr_bob, snr_eve : float or array, linear SNR >= 0.

    Returns
    -------
    float or ndarray, delta in [0, 1].

    Raises
    ------
    TypeError for non-numeric input; ValueError for n <= 0, eps outside (0, 1), negative rate
    or SNR, NaN/inf.
    """
    nn = _blocklength(n)
    e = _prob("eps", eps)
    r = check_real_array("rate", rate, lo=0.0, hi=math.inf, hi_open=True,
                  allowed="a finite rate >= 0 in bits per complex use")
    b = _snr("snr_bob", snr_bob)
    s = _snr("snr_eve", snr_eve)
    vb, ve = (np.asarray(v) for v in secrecy_dispersions(b, s))
    c = np.log2(1.0 + b) - np.log2(1.0 + s)
    num = np.sqrt(nn) * (c - r) - np.sqrt(vb) * stats.norm.isf(e)
    num, ve = np.broadcast_arrays(num, ve)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(ve > 0, num / np.sqrt(np.where(ve > 0, ve, 1.0)),
                     np.where(num >= 0, np.inf, -np.inf))
    return _out(stats.norm.sf(z))
