"""Leakage estimators, generic over any system's outputs (notes 000 §5.3): what an eavesdropper
learns about a message W from her observation Y.

* :func:`mixture_mutual_information`: ``I(W; Y)`` by exact mixture Monte Carlo for a small
  codebook (random binning: each message owns a bin of equiprobable codewords), from the
  eavesdropper's log-likelihood of every codeword at samples drawn from the true joint law:
  ``log p(y | w)`` and ``log p(y)`` are log-sum-exps over the codewords (float64);
* :func:`variational_distance`: the L1 distance ``d(P_WY, P_W P_Y) = E_W E_{Y~P_Y} |p(Y|W) /
  p(Y) - 1|`` in [0, 2] (the paper's d), and :func:`distinguishing_advantage`, the optimal
  test's advantage between two messages, ``(1/2) d(P_{Y|wa}, P_{Y|wb})``, both by importance
  sampling from the same samples;
* :func:`information_density` and :func:`l1_terms`: the per-sample terms the two estimates
  above average (for callers that keep their own sums, e.g. per frame), and their fast forms
  for a codebook laid out by bins, :func:`binned_log_densities` and
  :func:`binned_leakage_terms` (one log-sum-exp per axis, any leading batch axes);
* :func:`pinsker_lower_bound`: ``(log2 e / 2) d^2``, the Pinsker bound on the leakage that a
  distance ``d`` implies (notes 000 §2.5, corrected);
* :func:`eavesdropper_errors`: her BER (clustered in blocks) and BLER with intervals;
* :func:`llr_leakage`: the bitwise estimate ``1 - E[log2(1 + exp(-x LLR))]`` per bit, a
  **lower bound** on the mutual information of each bit and her observation (exact when the
  LLRs are the true posteriors; any other LLR function is a mismatched decoder, which can
  only lose information).

Samples are independent draws of (W, codeword, Y), so every interval here is the normal one
over samples (blocks), at ``confidence``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special, stats

from linksim.sim.stats import clopper_pearson, clustered_interval

__all__ = ["mixture_mutual_information", "variational_distance", "distinguishing_advantage",
           "information_density", "l1_terms", "binned_log_densities", "binned_leakage_terms",
           "pinsker_lower_bound", "eavesdropper_errors", "llr_loss", "llr_leakage",
           "awgn_log_likelihoods"]

LN2 = math.log(2)


def _estimate(values, confidence: float, kind: str = "estimate") -> dict:
    v = np.asarray(values, float)
    z = stats.norm.ppf(0.5 + confidence / 2)
    half = z * v.std(ddof=1) / math.sqrt(v.size) if v.size > 1 else math.nan
    mean = float(v.mean())
    return {"value": mean, "ci": [mean - half, mean + half], "kind": kind}


def _check(log_lik, message_of, sent):
    ll = np.asarray(log_lik, np.float64)
    msg = np.asarray(message_of)
    idx = np.asarray(sent)
    if ll.ndim != 2 or ll.shape[0] < 2:
        raise ValueError(f"log_lik: got shape {ll.shape}; allowed: [samples >= 2, codewords]")
    if msg.shape != (ll.shape[1],) or msg.dtype.kind not in "iu" or msg.min() < 0:
        raise ValueError(f"message_of: got shape {msg.shape}; allowed: one message index >= 0 "
                         f"per codeword, [{ll.shape[1]}]")
    if idx.shape != (ll.shape[0],) or idx.dtype.kind not in "iu" or idx.min() < 0 \
            or idx.max() >= ll.shape[1]:
        raise ValueError(f"sent: got shape {idx.shape}; allowed: the codeword index of each "
                         f"sample, [{ll.shape[0]}] in [0, {ll.shape[1]})")
    if np.isnan(ll).any():
        raise ValueError("log_lik: contains NaN; allowed: log-likelihoods (-inf for impossible)")
    sizes = np.bincount(msg)
    if np.any(sizes[np.unique(msg)] != sizes[msg[0]]):
        raise ValueError("message_of: got bins of different sizes; allowed: every message with "
                         "the same number of equiprobable codewords (random binning)")
    return ll, msg, idx


def _bin_log_densities(ll, msg):
    """log p(y | w) for every message [N, M] and log p(y) [N], uniform codewords per bin."""
    n_msg = int(msg.max()) + 1
    per_bin = np.bincount(msg, minlength=n_msg)
    log_w = np.full((ll.shape[0], n_msg), -np.inf)
    for w in range(n_msg):            # one log-sum-exp per message over its bin (all samples)
        if per_bin[w]:
            log_w[:, w] = special.logsumexp(ll[:, msg == w], axis=1) - math.log(per_bin[w])
    present = per_bin > 0
    log_y = special.logsumexp(log_w[:, present], axis=1) - math.log(int(present.sum()))
    return log_w, log_y, present


def mixture_mutual_information(log_lik, message_of, sent, confidence: float = 0.99) -> dict:
    """``I(W; Y)`` in bits by exact mixture Monte Carlo (notes 000 §5.3 item 1).

    ``hat I = mean_k [log p(y_k | w_k) - log p(y_k)] / ln 2`` with ``(w_k, y_k)`` drawn from
    the joint law; an unbiased estimate of I(W; Y) with a normal interval over samples.

    Parameters
    ----------
    confidence : float

    Input
    -----
    log_lik : float [N, C]
        ``log p(y_k | codeword c)`` up to a per-sample constant (it cancels).
    message_of : int [C]
        The message (bin) of each codeword; every bin holds the same number of codewords,
        equiprobable, and the messages are equiprobable.
    sent : int [N]
        The codeword each sample was drawn with.

    Returns
    -------
    estimate : dict
        ``{"value": float, "ci": [lo, hi], "kind": "estimate"}``, bits.
    """
    return _estimate(information_density(log_lik, message_of, sent), confidence)


def variational_distance(log_lik, message_of, sent, confidence: float = 0.99) -> dict:
    """``d(P_WY, P_W P_Y) = E_W E_{Y~P_Y} |p(Y|W)/p(Y) - 1|`` (L1, in [0, 2]; notes 000 §5.3
    item 2), by importance sampling: the samples' y are draws of P_Y, and W is averaged over
    its (uniform) law exactly.

    Parameters
    ----------
    confidence : float

    Input
    -----
    log_lik : float [N, C]
        As :func:`mixture_mutual_information`.
    message_of : int [C]
    sent : int [N]

    Returns
    -------
    estimate : dict
        ``{"value": float, "ci": [lo, hi], "kind": "estimate"}``.
    """
    return _estimate(l1_terms(log_lik, message_of, sent), confidence)


def information_density(log_lik, message_of, sent) -> np.ndarray:
    """The information density ``i(w_k; y_k) = log2 p(y_k | w_k) - log2 p(y_k)`` of each sample
    (notes 000 §1.3, §5.3 item 1): its mean over samples drawn from the joint law is
    :func:`mixture_mutual_information`.

    Input
    -----
    log_lik : float [N, C]
        ``log p(y_k | codeword c)`` up to a per-sample constant (it cancels).
    message_of : int [C]
        The message (bin) of each codeword; bins of equal size, equiprobable codewords and
        messages.
    sent : int [N]
        The codeword each sample was drawn with.

    Output
    ------
    density : float64 [N]
        Bits; ``<= log2 M`` (M the number of messages), of either sign.
    """
    ll, msg, idx = _check(log_lik, message_of, sent)
    log_w, log_y, _ = _bin_log_densities(ll, msg)
    return (log_w[np.arange(ll.shape[0]), msg[idx]] - log_y) / LN2


def l1_terms(log_lik, message_of, sent) -> np.ndarray:
    """The importance-sampling term ``E_W |p(y_k | W) / p(y_k) - 1|`` of each sample, W
    averaged exactly over its uniform law (notes 000 §5.3 item 2): its mean over samples
    (whose y are draws of P_Y) is :func:`variational_distance`.

    Input
    -----
    log_lik : float [N, C]
        As :func:`information_density`.
    message_of : int [C]
    sent : int [N]
        Only checked (the term does not depend on which codeword was sent).

    Output
    ------
    terms : float64 [N]
        In [0, 2).
    """
    ll, msg, idx = _check(log_lik, message_of, sent)
    log_w, log_y, present = _bin_log_densities(ll, msg)
    ratio = np.exp(log_w[:, present] - log_y[:, None])
    return np.abs(ratio - 1).mean(axis=1)


def _logsumexp(x, axis: int) -> np.ndarray:
    """``log sum exp`` along ``axis`` (float64; an all ``-inf`` slice gives ``-inf``)."""
    top = np.max(x, axis=axis, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.sum(np.exp(x - top), axis=axis)) + np.squeeze(top, axis=axis)


def binned_log_densities(log_lik):
    """``log p(y | w)`` for every message and ``log p(y)`` of a random-binning codebook laid
    out by bins (natural logs, up to the per-sample constant of ``log_lik``): message w owns
    the codewords ``(w, 0) .. (w, M' - 1)``, all equiprobable (notes 000 §2.5, "exact
    codebook-induced densities").

    Input
    -----
    log_lik : float [..., M, M']
        ``log p(y | codeword (w, w'))`` of each sample (leading axes: samples, frames, ...).

    Returns
    -------
    log_w : float64 [..., M]
        ``log (1/M') sum_w' p(y | w, w')``.
    log_y : float64 [...]
        ``log (1/M) sum_w p(y | w)``.
    """
    ll = np.asarray(log_lik, np.float64)
    if ll.ndim < 2 or 0 in ll.shape[-2:]:
        raise ValueError(f"log_lik: got shape {ll.shape}; allowed: [..., M >= 1, M' >= 1]")
    log_w = _logsumexp(ll, -1) - math.log(ll.shape[-1])
    log_y = _logsumexp(log_w, -1) - math.log(ll.shape[-2])
    return log_w, log_y


def binned_leakage_terms(log_lik, message):
    """The per-sample terms of the leakage estimates for a codebook laid out by bins
    (:func:`binned_log_densities`), from one pass: the information density (as
    :func:`information_density`), the L1 term (as :func:`l1_terms`) and the eavesdropper's
    optimal (maximum-likelihood, equal to MAP for uniform W) message decision.

    Input
    -----
    log_lik : float [..., M, M']
        ``log p(y | codeword (w, w'))`` of each sample.
    message : int [...]
        The message each sample was drawn with, in [0, M).

    Returns
    -------
    density : float64 [...]
        ``log2 p(y | w) - log2 p(y)``, bits.
    l1 : float64 [...]
        ``(1/M) sum_w |p(y | w) / p(y) - 1|``.
    decided : int64 [...]
        ``argmax_w p(y | w)`` (the lowest index on ties).
    """
    log_w, log_y = binned_log_densities(log_lik)
    msg = np.asarray(message)
    if msg.shape != log_w.shape[:-1] or msg.dtype.kind not in "iu" \
            or (msg.size and (msg.min() < 0 or msg.max() >= log_w.shape[-1])):
        raise ValueError(f"message: got shape {msg.shape}; allowed: integers in [0, "
                         f"{log_w.shape[-1]}) of shape {log_w.shape[:-1]}")
    rel = log_w - log_y[..., None]
    density = np.take_along_axis(rel, msg[..., None].astype(np.intp), -1)[..., 0] / LN2
    l1 = np.abs(np.exp(rel) - 1.0).mean(axis=-1)
    return density, l1, np.argmax(log_w, axis=-1)


def pinsker_lower_bound(d):
    """``(log2 e / 2) d^2``: the least divergence, in bits, that an L1 distance ``d`` implies
    (Pinsker, notes 000 §1.2 and §2.5, with the paper's garbled form corrected), so the least
    leakage ``I(W; Y) = D(P_WY || P_W P_Y)`` with ``d = d(P_WY, P_W P_Y)``.

    Input
    -----
    d : float [...]
        L1 distances in [0, 2]; a negative value (an interval's lower end) counts as 0.

    Output
    ------
    bound : float64 [...]
        Bits.
    """
    d = np.maximum(np.asarray(d, np.float64), 0.0)
    return (d * d * math.log2(math.e) / 2)[()]


def distinguishing_advantage(log_lik, message_of, sent, w_a: int, w_b: int,
                             confidence: float = 0.99) -> dict:
    """The advantage of the optimal test between messages ``w_a`` and ``w_b``,
    ``(1/2) d(P_{Y|wa}, P_{Y|wb}) = (1/2) E_{Y~P_Y} |p(Y|wa) - p(Y|wb)| / p(Y)`` (notes 000
    §5.3 item 5), in [0, 1].

    Parameters
    ----------
    w_a, w_b : int
        Two messages present in ``message_of``.
    confidence : float

    Input
    -----
    log_lik : float [N, C]
        As :func:`mixture_mutual_information`.
    message_of : int [C]
    sent : int [N]

    Returns
    -------
    estimate : dict
        ``{"value": float, "ci": [lo, hi], "kind": "estimate"}``.
    """
    ll, msg, idx = _check(log_lik, message_of, sent)
    log_w, log_y, present = _bin_log_densities(ll, msg)
    for name, w in (("w_a", w_a), ("w_b", w_b)):
        if not (0 <= w < present.size and present[w]):
            raise ValueError(f"{name}: got {w!r}; allowed: a message of message_of")
    per_sample = 0.5 * np.abs(np.exp(log_w[:, w_a] - log_y) - np.exp(log_w[:, w_b] - log_y))
    return _estimate(per_sample, confidence)


def eavesdropper_errors(decoded, sent, confidence: float = 0.99) -> dict:
    """The eavesdropper's BER and BLER on the message bits.

    Input
    -----
    decoded, sent : uint8 [N, k]
        Her decisions and the true bits, one block per row (independent blocks).

    Parameters
    ----------
    confidence : float

    Returns
    -------
    errors : dict
        ``{"ber": {"value", "ci"}, "bler": {"value", "ci"}}``: BER with the Korn-Graubard
        interval clustered in blocks (bits of a block are not independent), BLER with
        Clopper-Pearson.
    """
    d, s = np.asarray(decoded), np.asarray(sent)
    if d.shape != s.shape or d.ndim != 2:
        raise ValueError(f"decoded, sent: got shapes {d.shape}, {s.shape}; allowed: equal "
                         f"[blocks, bits]")
    wrong = d != s
    per = wrong.sum(axis=1).astype(np.int64)
    blocks = int(np.count_nonzero(per))
    ber_ci = clustered_interval(int(per.sum()), wrong.size, int(per @ per), d.shape[0],
                                confidence)
    return {"ber": {"value": float(wrong.mean()), "ci": list(ber_ci)},
            "bler": {"value": blocks / d.shape[0],
                     "ci": list(clopper_pearson(blocks, d.shape[0], confidence))}}


def llr_loss(llr, bits) -> np.ndarray:
    """``log2(1 + exp(-x LLR))`` per bit, ``x = 1 - 2 b`` (stable for any |LLR|): one minus it,
    averaged, is the bitwise leakage estimate of :func:`llr_leakage`.

    Input
    -----
    llr : float [...]
        ``ln P(b=0|.)/P(b=1|.)``.
    bits : uint8 [...]
        The true bits, broadcastable against ``llr``.

    Output
    ------
    loss : float64 [...]
        Bits, >= 0.
    """
    x = 1.0 - 2.0 * np.asarray(bits, np.float64)
    return np.logaddexp(0.0, -x * np.asarray(llr, np.float64)) / LN2


def llr_leakage(llr, bits, confidence: float = 0.99) -> dict:
    """The bitwise leakage estimate ``1 - E[log2(1 + exp(-x LLR))]`` per bit, x = 1 - 2b
    (notes 000 §5.3 item 6): a lower bound on ``I(b; Y)`` per bit for any LLR function (the
    mismatched-decoding bound), equal to it in expectation for exact posteriors; summed over
    independent bits, a lower bound on the block's leakage.

    Input
    -----
    llr : float [N, k]
        ``ln P(b=0|.)/P(b=1|.)`` of each bit, one block per row.
    bits : uint8 [N, k]

    Parameters
    ----------
    confidence : float

    Returns
    -------
    estimate : dict
        ``{"value": float, "ci": [lo, hi], "kind": "lower_bound"}``, per bit; the interval
        is over blocks (rows), which are independent.
    """
    l, b = np.asarray(llr, np.float64), np.asarray(bits)
    if l.shape != b.shape or l.ndim != 2 or l.shape[0] < 2:
        raise ValueError(f"llr, bits: got shapes {l.shape}, {b.shape}; allowed: equal "
                         f"[blocks >= 2, bits]")
    per_block = 1.0 - llr_loss(l, b).mean(axis=1)
    return _estimate(per_block, confidence, kind="lower_bound")


def awgn_log_likelihoods(y, codebook, noise_var: float, complex_valued: bool = False):
    """``log p(y | codeword)`` up to a per-sample constant for an AWGN channel: ``-|y - x|^2 /
    N0`` (complex) or ``-(y - x)^2 / (2 sigma^2)`` (real), summed over the n uses.

    Parameters
    ----------
    noise_var : float
        N0 (complex, per complex use) or sigma^2 (real), > 0.
    complex_valued : bool

    Input
    -----
    y : float or complex [N, n]
    codebook : float or complex [C, n]

    Output
    ------
    log_lik : float64 [N, C]
    """
    if not (noise_var > 0):
        raise ValueError(f"noise_var: got {noise_var!r}; allowed: a number > 0")
    y, x = np.asarray(y), np.asarray(codebook)
    # |y - x|^2 = |y|^2 - 2 Re(y x*) + |x|^2; |y|^2 is a per-sample constant
    cross = np.real(y @ np.conj(x).T)
    energy = np.sum(np.abs(x) ** 2, axis=1)
    scale = 1.0 / noise_var if complex_valued else 0.5 / noise_var
    return scale * (2 * cross - energy[None, :])
