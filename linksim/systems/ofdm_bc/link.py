"""The bit-true OFDM link of seed 004 (notes 004 §5): a common message and per-user confidential
messages, superposed per subcarrier, through OFDM and each user's multipath channel, to SIC
receivers and to genie-aided curious users.

**The pool.** ``n_pool`` channel realizations (seeded ``channel_seed``) are drawn once per
process: user k's channel is a tapped delay line of ``n_taps`` equal-power Rayleigh taps of
total power Gamma_k; with ``n_taps = n_sc`` its frequency response on the ``n_sc``-point FFT is
i.i.d. CN(0, Gamma_k) over the subcarriers, the paper's model (§1.4), and with a cyclic prefix of
``n_taps - 1`` samples every subcarrier sees one gain. The transmitter sees the estimate
``h_hat = h + eta``, ``eta ~ CN(0, error_var)``, computes the margins alpha^+-  (eq. 7, the
noncentral chi-square posterior) and allocates the power with ``scheme`` from them
(:mod:`.analysis`, :mod:`.allocation`); the link runs on the true channels. Where the true gain
falls below alpha^- or above alpha^+ the margin is violated; the pool's violations are
reported beside eps (:func:`pool_summary`).

**Messages and rates, from the estimates, backed off.** Every message is one 5G NR LDPC
codeword spanning ``n_sym`` OFDM symbols on the subcarriers that carry it (frequency first),
``modulation`` for M0 and ``conf_modulation`` for the confidential layers. With ``C(.)`` the
constellation-input capacity (:func:`linksim.theory.fbl.capacity`) and the rate backoff
``b = backoff`` (a fraction of the capacity: an SNR gap would not lower the rate of a carrier
whose constellation is saturated, and 5G LDPC codes fail on such nearly-erased mixtures of
carriers at an SNR gap of 3 dB):

* M0 on ``A_0 = {l : p_0l > 0}``: ``k_0 = floor(b n_sym min_k sum_l C(SINR_kl))``,
  ``SINR_kl = am_kl p_0l / (1 + am_kl S_l)`` (the confidential layer as noise, eq. 11); M0 is
  coded jointly over all of ``A_0`` whatever the scheme (the scheme's own rate, eq. 12, 25 or
  33, is at most the joint one);
* Mk on ``A_k = {l : p_kl > 0}`` (one confidential layer per subcarrier, so the schemes are
  those with an owner per subcarrier: M-GR-E, GR-E, C-E and UNI-half; notes §6 item 6), by
  randomized coding: the information block is ``[secret | dummy]``, ``k_tot =
  floor(b n_sym sum_l C(am_kl p_kl))`` bits in all, of which ``k_dummy = ceil((1 +
  dummy_margin) n_sym max_{j != k} sum_l C(ap_jl p_kl))`` uniform dummy bits (the best curious
  user's capacity at its upper margin, with M0 removed) and ``k_s = k_tot - k_dummy`` secret
  bits. A message that no 5G NR LDPC code carries (fewer than 12 or more than 8448 information
  bits, or a code rate above 0.95) or
  ``k_s < 1`` is not sent; how many are sent is reported.

**A frame** is one packet on every realization of the pool (fresh bits, noise and dummy
bits), so every frame carries the same number of blocks and bits and frames are independent
trials: block and bit counts are clustered in frames (Korn-Graubard intervals), and the
leakage's interval is the normal one over frames.

**Receivers.** One-tap equalization with the true per-subcarrier gain (receiver CSI) and the
per-subcarrier noise variance passed to the demapper (:func:`linksim.mimo.equalize`). Each
user decodes M0 with the confidential layer as Gaussian noise, re-encodes and subtracts its
decision (hard SIC), then decodes its own Mk. Every other user j tries every Mk with M0
removed by a genie (the worst case, notes §5 item 6): its secret-bit errors, its block errors,
and the bitwise leakage ``1 - E[log2(1 + exp(-x LLR))]`` per secret bit (x = +-1 the bit, LLR
the BP posterior), a lower bound on the mutual information of each secret bit and her
observation; summed over independent secret bits it is a lower bound on I(secret; Y_j).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from linksim.channel.awgn import complex_normal
from linksim.channel.multipath import frequency_response, multipath
from linksim.fec.code import cached_code
from linksim.fec.ldpc.nr5g import MAX_CODERATE
from linksim.mapping import Constellation
from linksim.mimo import equalize
from linksim.ofdm import ofdm_demodulate, ofdm_modulate
from linksim.security.leakage import llr_loss
from linksim.systems.ofdm_bc.allocation import (gre_allocation, joint_rates, mgre_allocation,
                                                uniform_allocation)
from linksim.systems.ofdm_bc.analysis import ce_allocation, ce_rates, csi_margins
from linksim.theory import fbl

__all__ = ["LINK_SCHEMES", "COUNTS", "LOSS_SCALE", "MIN_BLOCK", "Message", "Realization",
           "design_pool", "OfdmBcLink", "message_snrs", "pool_summary"]

#: The schemes the link runs: one confidential layer per subcarrier (notes §5 item 3).
LINK_SCHEMES = ("mgre", "gre", "ce", "uni_half")

#: Fixed-point scale of the counted LLR losses (bits).
LOSS_SCALE = 2 ** 8

#: The 5G NR LDPC code's smallest information block.
MIN_BLOCK = 12

COUNTS = ("bit_errors_sq", "common_blocks", "common_errors", "common_errors_sq", "conf_blocks",
          "conf_errors", "conf_errors_sq", "eve_blocks", "eve_errors", "eve_errors_sq",
          "eve_bits", "eve_bit_errors", "eve_bit_errors_sq", "eve_llr_loss", "eve_llr_loss_sq")


@dataclass(frozen=True)
class Message:
    """One codeword of one realization: ``user`` 0 for M0, k for Mk; ``carriers`` int64 [m]
    the subcarriers it spans; ``k_info`` information bits (``k_secret`` of them secret, the
    rest dummy; M0: ``k_secret = 0``); ``n_code`` code bits; ``modulation`` its QAM;
    ``interleaver`` int64 [n_code] the bit interleaver (code bit ``interleaver[i]`` is sent in
    position i); ``mixing`` uint8 [k_secret, k_info - k_secret] the binary matrix A of the
    secret positions' content ``v = s + A d`` (mod 2; module docstring)."""

    user: int
    carriers: np.ndarray
    k_info: int
    k_secret: int
    n_code: int
    modulation: str
    interleaver: np.ndarray
    mixing: np.ndarray


@dataclass(frozen=True)
class Realization:
    """A designed channel of the pool.

    Attributes
    ----------
    taps : complex128 [K, n_taps]
        Each user's true channel.
    h : complex128 [K, L]
        Its frequency response (the true per-subcarrier gains).
    am, ap : float64 [K, L]
        The transmitter's margins alpha^-, alpha^+ from its estimate.
    p : float64 [K + 1, L]
        The allocated powers (row 0: M0).
    rates : float64 [K + 1]
        The scheme's own rates from (am, ap), bits per channel use summed over subcarriers.
    messages : tuple of Message
        What is sent (M0 first when sent).
    """

    taps: np.ndarray
    h: np.ndarray
    am: np.ndarray
    ap: np.ndarray
    p: np.ndarray
    rates: np.ndarray
    messages: tuple


def _gains(gamma_db: float, gamma1_db, k: int) -> np.ndarray:
    g = np.full(k, 10.0 ** (gamma_db / 10))
    if gamma1_db is not None:
        g[0] = 10.0 ** (gamma1_db / 10)
    return g


def _allocate(scheme: str, am, ap, weights, p_total: float):
    """Powers [n, K+1, L] and the scheme's rates [n, K+1] (bits per use, summed over
    subcarriers) for margins [n, K, L]."""
    n = am.shape[0]
    if scheme == "ce":
        p = ce_allocation(am, ap, weights, p_total)
        return p, ce_rates(p, am, ap)
    p = np.empty((n, am.shape[1] + 1, am.shape[2]))
    rates = np.empty((n, am.shape[1] + 1))
    for r in range(n):      # the SCA-based schemes solve one program per realization
        if scheme == "mgre":
            p[r], rates[r] = mgre_allocation(am[r], ap[r], weights, p_total)
        elif scheme == "gre":
            p[r], rates[r] = gre_allocation(am[r], ap[r], weights, p_total)
        else:
            p[r] = uniform_allocation(am[r], ap[r], p_total, "half")
            rates[r] = joint_rates(p[r], am[r], ap[r])
    return p, rates


def _codable(k: int, n: int) -> bool:
    """Whether the 5G NR LDPC code has a (k, n) member: 12 <= k <= 8448 and k/n <= 0.95."""
    return MIN_BLOCK <= k <= 8448 and k <= MAX_CODERATE * n


def _messages(p, am, ap, rng, *, n_sym: int, modulation: str, conf_modulation: str,
              backoff: float, dummy_margin: float) -> tuple:
    """The codewords of one realization (module docstring, "Messages and rates")."""
    k_users = am.shape[0]
    bits = Constellation(modulation).bits_per_symbol
    conf_bits = Constellation(conf_modulation).bits_per_symbol
    tiny = 1e-9 * p.sum()
    out = []
    s = p[1:].sum(axis=0)
    on0 = np.flatnonzero(p[0] > tiny)
    if on0.size:
        sinr = am[:, on0] * p[0, on0] / (1 + am[:, on0] * s[on0])
        k0 = math.floor(backoff * n_sym * fbl.capacity(sinr, modulation).sum(axis=1).min())
        n0 = n_sym * on0.size * bits
        if _codable(k0, n0):
            out.append(Message(0, on0, int(k0), 0, int(n0), modulation, rng.permutation(n0),
                               np.zeros((0, k0), np.uint8)))
    for user in range(1, k_users + 1):
        on = np.flatnonzero(p[user] > tiny)
        if not on.size:
            continue
        pk = p[user, on]
        k_tot = math.floor(backoff * n_sym * fbl.capacity(am[user - 1, on] * pk,
                                                          conf_modulation).sum())
        others = [j for j in range(k_users) if j != user - 1]
        eve = max(float(fbl.capacity(ap[j, on] * pk, conf_modulation).sum()) for j in others)
        k_dummy = math.ceil((1 + dummy_margin) * n_sym * eve)
        n_code = n_sym * on.size * conf_bits
        if k_tot - k_dummy >= 1 and _codable(k_tot, n_code):
            k_s = k_tot - k_dummy
            out.append(Message(user, on, int(k_tot), int(k_s), int(n_code), conf_modulation,
                               rng.permutation(n_code),
                               rng.integers(0, 2, (k_s, k_dummy), dtype=np.uint8)))
    return tuple(out)


def design_pool(*, k: int, n_sc: int, p_total: float, gamma_db: float, gamma1_db,
                error_var: float, eps: float, w0: float, w: float, scheme: str, n_pool: int,
                channel_seed: int, n_taps: int, n_sym: int, modulation: str,
                conf_modulation: str, backoff: float, dummy_margin: float) -> tuple:
    """The pool of designed realizations (module docstring), a pure function of its
    arguments (the same pool in every process).

    Returns
    -------
    tuple of :class:`Realization`, ``n_pool`` long
    """
    rng = np.random.default_rng([channel_seed, 4004])
    gains = _gains(gamma_db, gamma1_db, k)
    powers = np.full(n_taps, 1.0 / n_taps)
    taps = complex_normal(rng, (n_pool, k, n_taps), powers) * np.sqrt(gains)[None, :, None]
    h = frequency_response(taps.reshape(-1, n_taps), n_sc).reshape(n_pool, k, n_sc)
    # the estimation error is drawn after every channel, so error_var changes only it
    eta = complex_normal(rng, h.shape, 1.0) * math.sqrt(error_var)
    h_hat = h + eta
    am = np.empty(h.shape)
    ap = np.empty(h.shape)
    for user in range(k):
        am[:, user], ap[:, user] = csi_margins(h_hat[:, user], gains[user], error_var, eps)
    weights = np.array([w0] + [w] * k, float)
    p, rates = _allocate(scheme, am, ap, weights, p_total)
    return tuple(Realization(taps[r], h[r], am[r], ap[r], p[r], rates[r],
                             _messages(p[r], am[r], ap[r], rng, n_sym=n_sym, modulation=modulation,
                                       conf_modulation=conf_modulation, backoff=backoff,
                                       dummy_margin=dummy_margin))
                 for r in range(n_pool))


def _mix(first, dummy, mixing) -> np.ndarray:
    """``first + A d`` (mod 2), uint8 [B, k_s]: the secret positions' content from the secret
    bits (sending), or the secret bits from the decoded content (receiving; its own inverse)."""
    if mixing.shape[1] == 0:
        return first.copy()
    return first ^ ((dummy.astype(np.int32) @ mixing.T.astype(np.int32)) & 1).astype(np.uint8)


def _mix_llr(first_llr, dummy_llr, mixing) -> np.ndarray:
    """The LLR of ``s_i = v_i + sum_j A_ij d_j`` (mod 2) from the LLRs of v and d taken as
    independent (the box-plus rule: ``tanh(L_s / 2) = tanh(L_v / 2) prod_j tanh(L_dj / 2)``),
    in the log domain, float64 [B, k_s]."""
    lv = np.asarray(first_llr, np.float64)
    if mixing.shape[1] == 0:
        return lv
    ld = np.asarray(dummy_llr, np.float64)
    a = mixing.T.astype(np.float64)
    tiny = 1e-300

    def log_tanh(x):
        return np.log(np.maximum(np.tanh(np.abs(x) / 2), tiny))
    log_mag = log_tanh(lv) + log_tanh(ld) @ a
    negative = ((lv < 0).astype(np.int64) + (ld < 0).astype(np.float64) @ a) % 2
    mag = 2 * np.arctanh(np.minimum(np.exp(log_mag), 1 - 1e-16))
    return np.where(negative > 0.5, -mag, mag)


def _deinterleave(llr, msg: Message) -> np.ndarray:
    """Received LLRs [B, n] in sent order -> code-bit order."""
    out = np.empty_like(llr)
    out[:, msg.interleaver] = llr
    return out


class OfdmBcLink:
    """The seed-004 OFDM link (module docstring); ``simulate_batch(rng, n_frames)`` returns
    the counts of :data:`COUNTS` plus frames, frame_errors (frames with any legitimate
    decoding error), bits and bit_errors (the secret bits at their intended users).

    Parameters: the link schema's (:data:`linksim.systems.ofdm_bc.spec.LINK_SCHEMA`, defaults
    filled in, each checked); the pool is designed on first use (:attr:`pool`).
    """

    def __init__(self, **params):
        from linksim.systems.ofdm_bc.spec import LINK_SCHEMA
        v = LINK_SCHEMA.validate(LINK_SCHEMA.complete(params, "ofdm_bc"))
        if v["scheme"] not in LINK_SCHEMES:
            raise ValueError(f"scheme: got {v['scheme']!r}; allowed: one of "
                             f"{', '.join(LINK_SCHEMES)} (one confidential layer per subcarrier)")
        n_sc = v["n_sc"]
        n_taps = n_sc if v["n_taps"] is None else v["n_taps"]
        if n_taps > n_sc:
            raise ValueError(f"n_taps: got {n_taps}; allowed: at most n_sc = {n_sc}")
        self.cp_len = n_taps - 1 if v["cp_len"] is None else v["cp_len"]
        if self.cp_len > n_sc:
            raise ValueError(f"cp_len: got {v['cp_len']}; allowed: at most n_sc = {n_sc}")
        self.k, self.n_sc, self.n_sym = v["k"], n_sc, v["n_sym"]
        self.decoder = dict(num_iter=v["num_iter"], algorithm=v["decoder"])
        self._design = {name: v[name] for name in (
            "k", "n_sc", "p_total", "gamma_db", "gamma1_db", "error_var", "eps", "w0", "w",
            "scheme", "n_pool", "channel_seed", "n_sym", "modulation", "conf_modulation",
            "backoff", "dummy_margin")}
        self._design["n_taps"] = n_taps
        self._pool = None

    @property
    def pool(self) -> tuple:
        """The designed realizations (:func:`design_pool`), built on first use."""
        if self._pool is None:
            self._pool = design_pool(**self._design)
        return self._pool

    def _code(self, m: Message):
        return cached_code("ldpc5g", m.k_info, m.n_code)

    def _place(self, symbols, carriers):
        """Codeword symbols [..., n_sym * m] -> [..., n_sym, m] (frequency first)."""
        return symbols.reshape(*symbols.shape[:-1], self.n_sym, carriers.size)

    def simulate_batch(self, rng, n_frames: int) -> dict:
        counts = dict.fromkeys(("frames", "frame_errors", "bits", "bit_errors", *COUNTS), 0)
        counts["frames"] = int(n_frames)
        if n_frames == 0:
            return counts
        per = {name: np.zeros(n_frames, np.int64) for name in
               ("bit_errors", "common_errors", "conf_errors", "eve_errors", "eve_bit_errors",
                "legit_errors")}
        loss = np.zeros(n_frames)
        for real in self.pool:
            self._realization(real, rng, n_frames, counts, per, loss)
        for name in ("common_errors", "conf_errors", "eve_errors", "eve_bit_errors",
                     "bit_errors"):
            counts[name] = int(per[name].sum())
            counts[f"{name}_sq"] = int(np.dot(per[name], per[name]))
        counts["frame_errors"] = int(np.count_nonzero(per["legit_errors"]))
        fixed = np.rint(loss * LOSS_SCALE).astype(np.int64)
        counts["eve_llr_loss"] = int(fixed.sum())
        counts["eve_llr_loss_sq"] = int(np.dot(fixed, fixed))
        return counts

    def _realization(self, real: Realization, rng, batch: int, counts, per, loss) -> None:
        """One packet per frame on realization ``real``; adds to ``counts`` (totals of blocks
        and bits), ``per`` (per-frame error counts) and ``loss`` (per-frame LLR loss)."""
        k_users, n_sc = self.k, self.n_sc
        p = real.p
        grid = np.zeros((batch, self.n_sym, n_sc), np.complex128)
        sent = {}
        for m in real.messages:
            code = self._code(m)
            secret = rng.integers(0, 2, (batch, m.k_secret), dtype=np.uint8)
            dummy = rng.integers(0, 2, (batch, m.k_info - m.k_secret), dtype=np.uint8)
            u = np.concatenate([_mix(secret, dummy, m.mixing), dummy], axis=1)
            s = self._place(Constellation(m.modulation).map(code.encode(u)[:, m.interleaver]),
                            m.carriers)
            grid[:, :, m.carriers] += np.sqrt(p[m.user, m.carriers]) * s
            sent[m.user] = (u, s, secret)
        if not sent:
            return
        x = ofdm_modulate(grid, self.cp_len)
        # every user receives the same samples through its own channel: one batched call
        x_all = np.broadcast_to(x, (k_users,) + x.shape).reshape(k_users * batch, -1)
        taps = np.repeat(real.taps, batch, axis=0)
        y = multipath(x_all, taps, 1.0, rng)
        y = ofdm_demodulate(y, n_sc, self.cp_len).reshape(k_users, batch, self.n_sym, n_sc)
        x_hat, no_eff = equalize(y, real.h[:, None, None, :], 1.0)
        s_conf = p[1:].sum(axis=0)
        legit = per["legit_errors"]
        m0 = sent.get(0)
        if m0 is not None:
            msg = next(m for m in real.messages if m.user == 0)
            c = msg.carriers
            code = self._code(msg)
            mod = Constellation(msg.modulation)
            # M0 with the confidential layer as Gaussian noise (eq. 11)
            y0 = x_hat[..., c] / np.sqrt(p[0, c])
            no0 = (s_conf[c] + no_eff[..., c]) / p[0, c]
            llr = _deinterleave(mod.demap(y0, no0).reshape(k_users * batch, -1), msg)
            u_hat, _ = code.decode_llr(llr, **self.decoder)
            u_hat = u_hat.reshape(k_users, batch, -1)
            wrong = np.any(u_hat != m0[0][None], axis=2)          # [K, B]
            per["common_errors"] += wrong.sum(axis=0)
            legit += wrong.sum(axis=0)
            counts["common_blocks"] += k_users * batch
            # hard SIC: each user subtracts its own decision
            c0_hat = code.encode(u_hat.reshape(k_users * batch, -1))[:, msg.interleaver]
            s0_hat = self._place(mod.map(c0_hat), c).reshape(k_users, batch, self.n_sym, c.size)
            residual = x_hat.copy()
            residual[..., c] -= np.sqrt(p[0, c]) * s0_hat
            genie = x_hat.copy()
            genie[..., c] -= np.sqrt(p[0, c]) * m0[1][None]
        else:
            residual = genie = x_hat
        for msg in real.messages:
            if msg.user == 0:
                continue
            u, _, secret = sent[msg.user]
            c, me, k_s = msg.carriers, msg.user - 1, msg.k_secret
            code = self._code(msg)
            mod = Constellation(msg.modulation)
            scale = np.sqrt(p[msg.user, c])
            llr = mod.demap(residual[me][..., c] / scale, no_eff[me][..., c] / p[msg.user, c])
            u_hat, _ = code.decode_llr(_deinterleave(llr.reshape(batch, -1), msg),
                                       **self.decoder)
            wrong = np.any(u_hat != u, axis=1)
            per["conf_errors"] += wrong
            legit += wrong
            s_hat = _mix(u_hat[:, :k_s], u_hat[:, k_s:], msg.mixing)
            per["bit_errors"] += (s_hat != secret).sum(axis=1)
            counts["conf_blocks"] += batch
            counts["bits"] += batch * msg.k_secret
            # every other user, M0 removed by the genie
            eves = [j for j in range(k_users) if j != me]
            llr = mod.demap(genie[eves][..., c] / scale, no_eff[eves][..., c] / p[msg.user, c])
            u_eve, _, post = code.decode_posteriors(
                _deinterleave(llr.reshape(len(eves) * batch, -1), msg), **self.decoder)
            u_eve = u_eve.reshape(len(eves) * batch, -1)
            s_eve = _mix(u_eve[:, :k_s], u_eve[:, k_s:], msg.mixing).reshape(len(eves), batch, -1)
            s_llr = _mix_llr(post[:, :k_s], post[:, k_s:], msg.mixing)
            s_llr = s_llr.reshape(len(eves), batch, -1)
            per["eve_errors"] += np.any(s_eve != secret[None], axis=2).sum(axis=0)
            per["eve_bit_errors"] += (s_eve != secret[None]).sum(axis=(0, 2))
            loss += llr_loss(s_llr, secret[None]).sum(axis=(0, 2))
            counts["eve_blocks"] += len(eves) * batch
            counts["eve_bits"] += len(eves) * batch * msg.k_secret


def message_snrs(real: Realization, msg: Message, receiver: int) -> np.ndarray:
    """The true per-subcarrier SNR [m] of ``msg`` at ``receiver`` (0-based user): M0 with the
    confidential layer as noise (eq. 11), Mk after perfect removal of M0."""
    c = msg.carriers
    alpha = np.abs(real.h[receiver, c]) ** 2
    if msg.user == 0:
        s = real.p[1:, c].sum(axis=0)
        return alpha * real.p[0, c] / (1 + alpha * s)
    return alpha * real.p[msg.user, c]


def pool_summary(pool, *, n_sym: int, n_sc: int) -> dict:
    """What the pool predicts and how its margins held (bits per channel use are per
    subcarrier, the paper's unit).

    * ``na_common_bler``: the parallel-channel normal approximation
      (:func:`linksim.theory.fbl.parallel_error_probability`) of M0's block error at every
      user, averaged over the (realization, user) pairs as the link weighs them;
      ``na_conf_bler`` likewise for each Mk at its user after perfect SIC;
      ``na_eve_bler`` for each Mk at each curious user (genie M0 removal);
    * ``scheme_r0``, ``scheme_secrecy``: the scheme's own rates from the margins (Gaussian
      inputs), mean over the pool; ``coded_r0``, ``coded_secrecy``: what the codewords carry
      (``k_0`` and the sum of ``k_s`` per ``n_sym``);
    * ``sent_common``, ``sent_conf``: messages sent per realization (M0; Mk over users);
    * ``violations_low`` / ``violations_high``: the share of (realization, user, subcarrier)
      with the true gain below alpha^- / above alpha^+ (each at most eps when the margins
      hold, eq. 7), ``violated_realizations``: the share of realizations with any violation.
    """
    common, conf, eve = [], [], []
    r0 = sec = c0 = cs = n0 = nk = 0.0
    low = high = any_v = 0
    cells = 0
    for real in pool:
        alpha = np.abs(real.h) ** 2
        low += int(np.count_nonzero(alpha < real.am))
        high += int(np.count_nonzero(alpha > real.ap))
        any_v += bool(np.any(alpha < real.am) or np.any(alpha > real.ap))
        cells += alpha.size
        r0 += real.rates[0]
        sec += real.rates[1:].sum()
        k_users = real.h.shape[0]
        for msg in real.messages:
            if msg.user == 0:
                n0 += 1
                c0 += msg.k_info / n_sym
                for j in range(k_users):
                    common.append(fbl.parallel_error_probability(
                        n_sym, msg.k_info, message_snrs(real, msg, j), msg.modulation))
                continue
            nk += 1
            cs += msg.k_secret / n_sym
            conf.append(fbl.parallel_error_probability(
                n_sym, msg.k_info, message_snrs(real, msg, msg.user - 1), msg.modulation))
            for j in range(k_users):
                if j != msg.user - 1:
                    eve.append(fbl.parallel_error_probability(
                        n_sym, msg.k_info, message_snrs(real, msg, j), msg.modulation))
    n = len(pool)

    def mean(v):
        return float(np.mean(v)) if v else None
    return {"na_common_bler": mean(common), "na_conf_bler": mean(conf),
            "na_eve_bler": mean(eve), "scheme_r0": r0 / n / n_sc,
            "scheme_secrecy": sec / n / n_sc, "coded_r0": c0 / n / n_sc,
            "coded_secrecy": cs / n / n_sc, "sent_common": n0 / n, "sent_conf": nk / n,
            "violations_low": low / cells, "violations_high": high / cells,
            "violated_realizations": any_v / n}
