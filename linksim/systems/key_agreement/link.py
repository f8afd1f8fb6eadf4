"""Bit-true secret-key agreement over the Gaussian interference channel (seed 001, notes 001
§5.2-§5.3; issue 14): the simulation system ``key_agreement``, both pairs running (BW, BW) or
(FW, FW), the key of pair ``pair`` measured with the other user as the eavesdropper.

**Blocks** (the strategy's part): :class:`.backward.BackwardBlocks` (BW: i.i.d. Gaussian
symbols, user i's ``b``-bit quantized output is the key material, published as a code offset)
and :class:`.forward.ForwardBlocks` (FW: a random QAM codeword from base station i, decoded by
user i; nothing but the hash is published). Each gives the key material ``bits`` [F, N], the
public code offset ``t``, the legitimate receiver's LLRs, the eavesdropper's observation, and
her Shannon equivocation and min-entropy of the block.

**Protocol** (shared, :mod:`linksim.security`):

1. the receiver decodes the key material by BP (:func:`linksim.security.reconciliation.
   reconcile`: from its side information and the code offset in BW, from the channel in FW);
2. the holder publishes a ``confirm_bits`` Toeplitz hash of it; the block is kept ("agreed")
   when the hash of the estimate matches (``agreement = "hash"``), or when also every decoder
   converged (``"hash_and_converged"``, worth it only for short hashes)
   (:func:`linksim.security.reconciliation.confirm`);
3. privacy amplification: both hash the key material with a Toeplitz matrix keyed by public
   randomness into ``key_length`` bits (:mod:`linksim.security.privacy_amplification`).

The code rate comes from the target efficiency ``beta`` (BW: ``N - k = ceil(n_sym (b - beta
I(Q; X_i)))`` syndrome bits; FW: ``k = floor(beta n_sym I_B)``) or ``syndrome_rate`` ((N - k)
/ N). The automatic key length is the leftover-hash length from the Shannon estimate of the
eavesdropper's equivocation: ``floor(H_E - public - 2 log2(1/eps))`` with ``H_E`` ``n_sym H(Q |
Y_j)`` (BW) or ``k - n_sym I_E`` (FW), ``public`` the published bits (BW: ``N - k`` + hash;
FW: the hash).

**Eavesdropper** (user j): with ``eve_attempt`` she runs the receiver's own decoder on her LLRs
(``eve_decoded``: she recovers the key material, hence the key); with ``exact_leakage`` her exact
equivocation ``H(K | E, published, seeds)`` by enumerating all ``2^N`` blocks
(:mod:`linksim.security.key_equivocation`), whose mean gives ``key_length - H`` = ``D(P_KE ||
U x P_E)`` >= I(K; E).

**Counts**: ``frames`` (blocks), ``agreed``, ``failed`` (detected: the hash differed, or
with ``"hash_and_converged"`` a decoder did not converge), ``mismatched`` (agreed but the keys differ: an undetected error),
``frame_errors`` = failed + mismatched, ``bits = bit_errors = 0`` (a key block is kept or dropped
whole), ``eve_attempts`` and ``eve_decoded``, and with ``exact_leakage`` the per-frame leakage and
distance in fixed point (``leak``, ``leak_sq``, ``dist``, ``dist_sq``; :data:`SCALE`).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from linksim.sim.metrics import Metric
from linksim.sim.stats import clopper_pearson, frame_mean_ci
from linksim.systems.base import Limit

__all__ = ["COUNTS", "METRICS", "SCALE", "KeyLink", "derived", "limits", "design"]

#: Fixed-point scale of the leakage sums (bits * 2^24).
SCALE = 1 << 24

COUNTS = ("agreed", "failed", "mismatched", "bit_errors_sq", "eve_attempts", "eve_decoded",
          "leak", "leak_sq", "dist", "dist_sq")

METRICS = {m.name: m for m in (
    Metric("failure_rate", "failed", "frames", "rate",
           "reconciliation failures (detected) per block"),
    Metric("mismatch_rate", "mismatched", "agreed", "rate",
           "post-hash key mismatch per agreed block"),
    Metric("eve_decode_rate", "eve_decoded", "eve_attempts", "rate",
           "blocks the eavesdropper decodes herself"),
)}

#: Entries of one [frames, 2^N] array of the exact enumeration (32 MB in float64): frames are
#: enumerated this many words at a time.
ENUMERATION_CELLS = 1 << 22

#: Two-sided level of the intervals of :func:`derived`.
CONFIDENCE = 0.99


@functools.lru_cache(maxsize=32)
def _blocks(strategy, p1, p2, alpha1, alpha2, pair, alphabet, n_sym):
    from linksim.systems.key_agreement.backward import BackwardBlocks
    from linksim.systems.key_agreement.forward import ForwardBlocks
    p, a = {1: p1, 2: p2}, {1: alpha1, 2: alpha2}
    if strategy == "bw_bw":
        return BackwardBlocks(p, a, pair, alphabet, n_sym)
    return ForwardBlocks(p, a, pair, alphabet, n_sym)


@functools.lru_cache(maxsize=32)
def design(strategy, p1, p2, alpha1, alpha2, pair, alphabet, n_sym, code, code_seed, beta,
           syndrome_rate, confirm_bits, key_length, eps, multilevel=False) -> dict:
    """The protocol's numbers at a point (cached): the blocks (``alphabet`` is ``quant_bits``
    for BW, ``modulation`` for FW), the code (or the per-plane codes of multilevel
    reconciliation), the public and key bits, the eavesdropper's equivocation (Shannon
    estimate and rigorous min-entropy, before the public bits)."""
    from linksim.security.privacy_amplification import leftover_hash_length
    from linksim.security.reconciliation import target_syndrome_rate
    blocks = _blocks(strategy, p1, p2, alpha1, alpha2, pair, alphabet, n_sym)
    if multilevel:
        code_obj = _multilevel_code(blocks, code, beta, code_seed)
    else:
        rate = syndrome_rate if syndrome_rate is not None else float(target_syndrome_rate(
            beta, blocks.symbol_bits, blocks.symbol_mi, blocks.symbol_bits))
        code_obj = _code(code, blocks.n_bits, rate, code_seed)
    redundancy = blocks.n_bits - code_obj.k
    public = (redundancy if blocks.public_code else 0) + confirm_bits
    eve_entropy = blocks.eve_entropy(code_obj)
    auto = leftover_hash_length(max(eve_entropy, 0.0), public, eps)
    ell = key_length if key_length is not None else auto
    return {"blocks": blocks, "code": code_obj, "redundancy": redundancy, "public": public,
            "eve_entropy": eve_entropy, "eve_min_entropy": blocks.eve_min_entropy(code_obj),
            "key_length": ell, "auto_key_length": auto, "n_bits": blocks.n_bits}


def _code(kind, n_bits, rate, seed):
    from linksim.security.reconciliation import choose_code
    if kind == "ldpc5g":
        return choose_code(n_bits, rate)[0]
    from linksim.fec.ldpc.alist import LDPCCode
    m = max(1, min(n_bits - 1, math.ceil(n_bits * rate)))
    rng = np.random.default_rng(seed)
    h = np.zeros((m, n_bits), np.uint8)
    weight = min(3, m)
    for col in range(n_bits):              # column weight 3 (a few columns: construction only)
        h[rng.choice(m, weight, replace=False), col] = 1
    for row in np.flatnonzero(h.sum(axis=1) < 2):
        h[row, rng.choice(n_bits, 2, replace=False)] = 1
    return LDPCCode(h)


def _multilevel_code(blocks, kind, beta, seed):
    """Per-plane codes of the BW quantizer's labels at the target efficiency: plane k's
    syndrome rate ``1 - beta (1 - H(Q_k | X_i, Q_<k))`` (:meth:`linksim.security.quantizer.
    GaussianQuantizer.plane_conditional_entropies`), clipped to the 5G codes' range
    (:func:`linksim.security.reconciliation.choose_code`: at most rate 0.95); a plane whose
    code would carry fewer information bits than the code family allows (5G: 12; random: 1)
    is published in full."""
    from linksim.fec.ldpc.nr5g import K_MIN, MAX_CODERATE
    from linksim.security.multilevel import MultilevelReconciliation
    n = blocks.n_sym
    h = blocks.quantizer.plane_conditional_entropies(1.0, blocks.bs_var, blocks.p[blocks.i])
    codes = []
    for level, h_k in enumerate(h):
        info = math.floor(round(n * beta * (1.0 - h_k), 9))
        if info < (K_MIN if kind == "ldpc5g" else 1):
            codes.append(None)
            continue
        info = min(info, math.floor(MAX_CODERATE * n) if kind == "ldpc5g" else n - 1)
        codes.append(_code(kind, n, (n - info) / n, seed + level))
    return MultilevelReconciliation(codes, n)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _block_bits(params) -> int | None:
    """Key-material bits per block, ``n_sym b`` (BW) or ``(n_sym / 2) m`` (FW); None when a
    value it needs is missing or of the wrong type."""
    from linksim.mapping import MODULATIONS, Constellation
    strategy, n_sym = params.get("strategy"), params.get("n_sym")
    if not _is_int(n_sym):
        return None
    if strategy == "bw_bw":
        b = params.get("quant_bits")
        return n_sym * b if _is_int(b) else None
    modulation = params.get("modulation")
    if strategy != "fw_fw" or not isinstance(modulation, str) or \
            modulation.lower() not in MODULATIONS:
        return None
    return n_sym // 2 * Constellation(modulation).bits_per_symbol


def limits(params) -> Limit | None:
    """(FW, FW) needs whole QAM symbols (an even ``n_sym``). Exact leakage enumerates 2^N
    blocks of a code whose parity-check matrix is the block's (the random code; the 5G codes
    are rate-matched) and counts 2^key_length keys. Judged on a complete point only (the
    scenario also asks about single values); values of the wrong type are the builder's to
    report."""
    if params.get("strategy") == "fw_fw" and _is_int(params.get("n_sym")) and \
            params["n_sym"] % 2:
        return Limit("n_sym", "an even number with strategy = 'fw_fw' (two real uses per QAM "
                              "symbol)")
    if params.get("reconciliation") == "multilevel":
        if params.get("strategy") == "fw_fw":
            return Limit("reconciliation", "'single' with strategy = 'fw_fw' (multilevel "
                                           "reconciliation codes the BW quantizer's bit planes)")
        if params.get("syndrome_rate") is not None:
            return Limit("syndrome_rate", "None with reconciliation = 'multilevel' (each "
                                          "plane's rate comes from beta)")
    needed = ("exact_leakage", "n_sym", "strategy", "code", "key_length")
    if any(name not in params for name in needed) or params["exact_leakage"] is not True:
        return None
    n_bits = _block_bits(params)
    if n_bits is None:
        return None
    if n_bits > 20:
        return Limit("n_sym", "a block of at most 20 bits with exact_leakage (2^bits blocks are "
                              "enumerated per frame)", detail=f", {n_bits} bits")
    if params["code"] != "random":
        return Limit("code", "'random' with exact_leakage (its parity-check matrix is the "
                             "block's; the 5G codes are rate-matched)")
    ell = params["key_length"]
    if ell is None or (_is_int(ell) and ell > 24):
        return Limit("key_length", "an explicit key_length <= 24 with exact_leakage (2^ell "
                                   "key values are counted per frame)")
    return None


class KeyLink:
    """The simulation system ``key_agreement`` (module docstring).

    Parameters: :data:`linksim.systems.key_agreement.spec.LINK_SCHEMA`, checked, then the
    rules between them (a code the rate allows, a positive key length, the limits of
    :func:`limits`).
    """

    def __init__(self, **params):
        from linksim.systems.key_agreement.spec import LINK_SCHEMA
        q = LINK_SCHEMA.complete(params, "key_agreement")
        q = {**q, **LINK_SCHEMA.validate(q)}
        limit = limits(q)
        if limit is not None:
            raise ValueError(f"{limit.name}: got {q[limit.name]!r}{limit.detail}; allowed: "
                             f"{limit.allowed}")
        q["p2"] = q["p1"] if q["p2"] is None else q["p2"]
        self.params = q
        alphabet = q["quant_bits"] if q["strategy"] == "bw_bw" else q["modulation"]
        self.d = design(q["strategy"], q["p1"], q["p2"], q["alpha1"], q["alpha2"], q["pair"],
                        alphabet, q["n_sym"], q["code"], q["code_seed"], q["beta"],
                        q["syndrome_rate"], q["confirm_bits"], q["key_length"], q["eps"],
                        q["reconciliation"] == "multilevel")
        if self.d["key_length"] < 1:
            raise ValueError(f"key_length: got an automatic length of {self.d['key_length']} "
                             f"bits; allowed: >= 1 (raise n_sym or beta, or give key_length)")
        if self.d["key_length"] > self.d["n_bits"]:
            raise ValueError(f"key_length: got {self.d['key_length']}; allowed: at most the "
                             f"block's {self.d['n_bits']} bits")
        self.options = {"algorithm": q["decoder"], "num_iter": q["num_iter"]}

    def simulate_batch(self, rng, n_frames: int) -> dict:
        from linksim.security.privacy_amplification import toeplitz_hash
        from linksim.security.reconciliation import confirm
        q, d = self.params, self.d
        blocks, code, ell = d["blocks"], d["code"], d["key_length"]
        got = blocks.draw(rng, n_frames, code)
        bits, t = got["bits"], got["t"]
        n_bits = bits.shape[1]
        confirm_seed = rng.integers(0, 2, (n_frames, n_bits + q["confirm_bits"] - 1),
                                    dtype=np.uint8) if q["confirm_bits"] else None
        pa_seed = rng.integers(0, 2, (n_frames, n_bits + ell - 1), dtype=np.uint8)
        q_hat, decoded_ok = self.decode(t, got["soft"])
        if q["agreement"] == "hash":
            # the estimate is re-encoded into the coset (H q_hat = H q whatever BP did), so
            # the decoder's flag adds nothing a long hash misses, and it rejects blocks whose
            # information bits BP got right while a parity bit stayed wrong
            decoded_ok = np.ones(n_frames, bool)
        if confirm_seed is not None:
            agreed = confirm(q_hat, decoded_ok, toeplitz_hash(bits, confirm_seed), confirm_seed)
        else:
            agreed = decoded_ok
        wrong = toeplitz_hash(bits, pa_seed) != toeplitz_hash(q_hat, pa_seed)
        mismatched = agreed & wrong.any(axis=1)
        counts = {"frames": n_frames, "agreed": int(agreed.sum()),
                  "failed": int((~agreed).sum()), "mismatched": int(mismatched.sum()),
                  "frame_errors": int((~agreed).sum() + mismatched.sum()),
                  "eve_attempts": 0, "eve_decoded": 0}
        if q["eve_attempt"]:
            q_eve, _ = self.decode(t, blocks.eve_soft(got["eve"], code))
            counts.update(eve_attempts=n_frames,
                          eve_decoded=int(np.all(q_eve == bits, axis=1).sum()))
        # key blocks are kept or dropped whole: the block rates above are the measures
        counts.update(bits=0, bit_errors=0, bit_errors_sq=0)
        counts.update(leak=0, leak_sq=0, dist=0, dist_sq=0)
        if q["exact_leakage"]:
            got = self._exact_leakage(got["eve"], t, bits, confirm_seed, pa_seed)
            for name, key in (("leak", "leakage"), ("dist", "distance")):
                fixed = np.rint(got[key] * SCALE).astype(np.int64)
                counts[name] = int(fixed.sum())
                counts[f"{name}_sq"] = int(np.dot(fixed, fixed))
        return counts

    def decode(self, t, soft):
        """The receiver's estimate of the key material and the decoders' convergence, from the
        public offset ``t`` and soft information ``soft`` (a single code: per-bit LLRs,
        :func:`linksim.security.reconciliation.reconcile`; multilevel: the cells' log
        probabilities, :meth:`linksim.security.multilevel.MultilevelReconciliation.reconcile`)."""
        from linksim.security.multilevel import MultilevelReconciliation
        from linksim.security.reconciliation import reconcile
        code = self.d["code"]
        if isinstance(code, MultilevelReconciliation):
            return code.reconcile(t, soft, self.d["blocks"].quantizer.labels, **self.options)
        return reconcile(t, soft, code, **self.options)

    def _exact_leakage(self, eve, t, bits, confirm_seed, pa_seed) -> dict:
        """Per frame ``key_length - H(K | E, t, hash, seeds)`` and the key's statistical
        distance from uniform given the same, by enumeration
        (:func:`linksim.security.key_equivocation.key_equivocation`), a few frames at a time so
        that the [frames, 2^N] arrays stay within :data:`ENUMERATION_CELLS` entries."""
        from linksim.security.key_equivocation import linear_words
        pcm = np.asarray(self.d["code"].pcm.toarray(), np.uint8)
        syn_words = linear_words(pcm)                                            # [W]
        step = max(1, ENUMERATION_CELLS >> self.d["n_bits"])
        parts = [self._exact_leakage_chunk(
            eve[f:f + step], t[f:f + step], bits[f:f + step],
            None if confirm_seed is None else confirm_seed[f:f + step], pa_seed[f:f + step],
            pcm, syn_words) for f in range(0, bits.shape[0], step)]
        return {key: np.concatenate([p[key] for p in parts]) for key in ("leakage", "distance")}

    def _exact_leakage_chunk(self, eve, t, bits, confirm_seed, pa_seed, pcm, syn_words):
        from linksim.security.key_equivocation import (block_log_posteriors,
                                                       key_equivocation, linear_words)
        d, q = self.d, self.params
        n_bits, ell = d["n_bits"], d["key_length"]
        post = block_log_posteriors(d["blocks"].eve_label_log_probs(eve))
        # consistency with the code offset: H q = H t (FW: t = 0, the codewords)
        ok = syn_words[None, :] == _pack((pcm @ t.T % 2).T)[:, None]
        if confirm_seed is not None:
            g_mat = _toeplitz_matrices(confirm_seed, n_bits, q["confirm_bits"])
            ok &= linear_words(g_mat) == _pack(_apply(g_mat, bits))[:, None]
        key_words = linear_words(_toeplitz_matrices(pa_seed, n_bits, ell))
        return key_equivocation(post, ok, key_words, ell)


def _pack(bits) -> np.ndarray:
    """Rows of bits [F, r] as integers (bit r' of the row is bit r')."""
    return (bits.astype(np.int64) << np.arange(bits.shape[1], dtype=np.int64)).sum(axis=1)


def _toeplitz_matrices(seeds, n_in: int, n_out: int) -> np.ndarray:
    """The Toeplitz matrices [F, n_out, n_in] of :func:`toeplitz_hash`'s seeds, built by
    hashing the unit vectors (so they are the hash's own matrices, whatever its convention)."""
    from linksim.security.privacy_amplification import toeplitz_hash
    eye = np.eye(n_in, dtype=np.uint8)
    cols = toeplitz_hash(np.broadcast_to(eye, (seeds.shape[0], n_in, n_in)),
                         np.broadcast_to(seeds[:, None, :], (seeds.shape[0], n_in,
                                                             seeds.shape[1])))
    return np.swapaxes(cols, 1, 2).astype(np.uint8)          # column j = hash of e_j


def _apply(mats, bits) -> np.ndarray:
    return (np.einsum("frn,fn->fr", mats.astype(np.int64), bits.astype(np.int64)) % 2)


def derived(params: dict, counts: dict) -> dict:
    """The protocol's predictions beside the measured key rates (values of the report).

    Values (rates in bits per real channel use):

    - ``ideal_key_rate``: Corollary 1 for the strategy (Gaussian inputs, ideal coding);
    - BW: ``quantized_key_rate`` ``H(Q | Y_j) - H(Q | X_i)`` (ideal Slepian-Wolf coding of this
      quantizer); FW: ``modulated_key_rate`` ``I_B - I_E`` (ideal wiretap coding with this
      QAM, user i treating the interference as noise);
    - ``protocol_key_rate`` ``(H_E - public) / n`` (the leftover-hash length from the Shannon
      estimate, without the eps term), ``key_length``, ``leaked_bits`` (public: BW syndrome +
      hash; FW hash), ``code_k``, ``code_n``;
    - ``efficiency`` beta: BW ``(b - (N - k) / n) / I(Q; X_i)``, FW ``k / (n I_B)``;
    - ``net_key_rate`` ``key_length * agreed / (frames n)`` with its 99 % Clopper-Pearson
      interval (on the agreed share); the mismatch rate's one-sided 99 % upper bound
      ``mismatch_upper``;
    - the leftover hash lemma: ``key_limit`` ``H_min - public`` from the eavesdropper's
      rigorous min-entropy bound (BW: average min-entropy ``n H_min`` per use; FW: ``k - n
      log2(G) / 2``, :mod:`.forward`) and ``distance_bound`` ``(1/2) 2^((ell - key_limit) /
      2)`` on the key's statistical distance from uniform (rigorous), ``shannon_key_limit``
      ``H_E - public`` beside it; ``secure_key_length`` ``floor(H_min - public - 2 log2(1 /
      eps))``, the length the lemma certifies within eps, and ``secure_key_rate`` (with its
      interval) that length times the measured agreement;
    - with exact leakage the measured ``leakage`` (``key_length - H(K | E)``) and
      ``distance``, their means over frames and 99 % intervals (per-frame values are
      independent across frames, :func:`linksim.sim.stats.frame_mean_ci`).
    """
    from linksim.security.privacy_amplification import leftover_hash_length
    from linksim.security.reconciliation import efficiency
    from linksim.systems import build_system
    from linksim.systems.key_agreement.rates import pure_rates
    link = build_system("key_agreement", params)
    q, d = link.params, link.d
    blocks, n = d["blocks"], q["n_sym"]
    side = "bw" if q["strategy"] == "bw_bw" else "fw"
    r = pure_rates(side, side, q["p1"], q["p2"], q["alpha1"], q["alpha2"])
    values = {"ideal_key_rate": float(r[q["pair"] - 1]),
              "protocol_key_rate": (d["eve_entropy"] - d["public"]) / n,
              "key_length": d["key_length"], "auto_key_length": d["auto_key_length"],
              "leaked_bits": d["public"], "code_k": d["code"].k, "code_n": d["code"].n,
              "efficiency": float(efficiency(d["redundancy"] / blocks.n_symbols,
                                             blocks.symbol_bits, blocks.symbol_mi))}
    if side == "bw":
        values["quantized_key_rate"] = blocks.eve_entropy_rate - blocks.h_q_x
    else:
        values["modulated_key_rate"] = blocks.bob_mi - blocks.eve_mi
    frames, agreed = counts.get("frames", 0), counts.get("agreed", 0)
    if frames:
        lo, hi = clopper_pearson(agreed, frames, CONFIDENCE)
        scale = d["key_length"] / n
        values.update(net_key_rate=scale * agreed / frames, net_key_rate_lo=scale * lo,
                      net_key_rate_hi=scale * hi)
    if agreed:
        # the one-sided 99 % upper confidence bound (the upper end of the two-sided 98 %
        # Clopper-Pearson interval): "the mismatch rate is below this" at 99 %
        values["mismatch_upper"] = clopper_pearson(counts.get("mismatched", 0), agreed,
                                                   2 * CONFIDENCE - 1)[1]
    # the leftover hash lemma with average min-entropy (Dodis et al. 2008, Lemmas 2.2, 2.4):
    # SD((K, E), (U, E)) <= (1/2) sqrt(2^(ell - (H_min - public)))
    values["min_entropy_per_use"] = d["eve_min_entropy"] / n
    values["key_limit"] = d["eve_min_entropy"] - d["public"]
    values["shannon_key_limit"] = d["eve_entropy"] - d["public"]
    values["distance_bound"] = min(1.0, 0.5 * 2.0 ** ((d["key_length"] - values["key_limit"])
                                                      / 2))
    # the length the lemma certifies at eps from the rigorous bound, and the rate it gives
    # on the measured agreement (agreement does not depend on the hash's output length)
    secure = int(leftover_hash_length(max(d["eve_min_entropy"], 0.0), d["public"], q["eps"]))
    values["secure_key_length"] = secure
    if frames:
        values.update(secure_key_rate=secure / n * agreed / frames,
                      secure_key_rate_lo=secure / n * lo, secure_key_rate_hi=secure / n * hi)
    if q["exact_leakage"] and frames >= 2:
        for name, key in (("leak", "leakage"), ("dist", "distance")):
            got = frame_mean_ci(counts[name] / SCALE, counts[f"{name}_sq"] / SCALE ** 2,
                                frames, 1.0, CONFIDENCE)
            values.update({key: got[0], f"{key}_lo": got[1], f"{key}_hi": got[2]})
    return {"predictions": {}, "values": values}
