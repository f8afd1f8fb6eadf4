"""Bit-true (BW, BW) secret-key agreement over the Gaussian interference channel (seed 001,
notes 001 §5.2-§5.3; issue 14): the simulation system ``key_agreement``.

**Channel** (eq. 6, real, unit noise): both base stations send i.i.d. Gaussian symbols,
``X_i ~ N(0, P_i)`` (the BW strategy: a random, non-message signal), ``n_sym`` uses per block::

    Y_1 = X_1 + alpha_1 X_2 + N_1,      Y_2 = alpha_2 X_1 + X_2 + N_2.

**Protocol** for pair ``i`` (``pair``), user ``j`` the eavesdropper:

1. user i quantizes ``Y_i`` with the ``b``-bit equiprobable Gray quantizer
   (:mod:`linksim.security.quantizer`) into ``q``, ``N = n_sym b`` bits;
2. reconciliation (:mod:`linksim.security.reconciliation`): user i publishes the code offset
   ``t = q + c`` of a uniformly random codeword (the syndrome of q: ``N - k`` bits), and a
   ``confirm_bits`` universal hash of q; BS i decodes q by BP from its side information
   ``Y_i | X_i ~ N(X_i, 1 + alpha_i^2 P_j)`` (per-bit LLRs of the quantizer's cells), and keeps
   the block when the hash of its estimate matches;
3. privacy amplification (:mod:`linksim.security.privacy_amplification`): both hash q with a
   Toeplitz matrix keyed by public randomness into ``key_length`` bits.

The code rate comes from the target efficiency ``beta``: ``N - k = ceil(n_sym (b - beta I(Q;
X_i)))`` syndrome bits (or ``syndrome_rate`` per bit). The automatic key length is the
leftover-hash length from the Shannon estimate, ``floor(n_sym H(Q | Y_j) - (N - k) -
confirm_bits - 2 log2(1/eps))``.

**Eavesdropper** (user j) sees ``Y_j`` and everything public. Her posterior of ``Y_i`` is
``N(g Y_j, v)``, ``g = c / s_j^2``, ``v = s_i^2 - c^2 / s_j^2`` with ``s_i^2 = var Y_i`` and ``c =
alpha_j P_i + alpha_i P_j`` (jointly Gaussian; her own key and public messages are functions of
``Y_j`` and independent randomness, notes §5.3 item 2). Counted: her own reconciliation
attempt with her LLRs (``eve_decoded``: she recovers q, hence the key); and with
``exact_leakage`` her exact equivocation ``H(K | Y_j^n, t, hash, seeds)`` by enumerating all
``2^N`` blocks (:mod:`linksim.security.key_equivocation`), whose mean gives ``key_length - H``
= ``D(P_KE || U x P_E)`` >= I(K; E).

**Counts**: ``frames`` (blocks), ``agreed`` (hash matched), ``failed`` (detected: the decoder
did not converge or the hash differed), ``mismatched`` (agreed but the keys differ: an
undetected error), ``frame_errors`` = failed + mismatched, ``bits = bit_errors = 0`` (a key
block is kept or dropped whole), ``eve_decoded``, and with
``exact_leakage`` the per-frame leakage in fixed point (``leak``, ``leak_sq``; :data:`SCALE`).
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

COUNTS = ("agreed", "failed", "mismatched", "bit_errors_sq", "eve_decoded", "leak", "leak_sq",
          "dist", "dist_sq")

METRICS = {m.name: m for m in (
    Metric("failure_rate", "failed", "frames", "rate",
           "reconciliation failures (detected) per block"),
    Metric("mismatch_rate", "mismatched", "agreed", "rate",
           "post-hash key mismatch per agreed block"),
    Metric("eve_decode_rate", "eve_decoded", "frames", "rate",
           "blocks the eavesdropper reconciles herself"),
)}

#: Two-sided level of the intervals of :func:`derived`.
CONFIDENCE = 0.99


def _gains(p1, p2, alpha1, alpha2, pair):
    """Variances and covariances of the pair's quantized output and its two observers."""
    p = {1: p1, 2: p2}
    a = {1: alpha1, 2: alpha2}
    i, j = pair, 3 - pair
    var_i = 1 + p[i] + a[i] ** 2 * p[j]
    var_j = 1 + p[j] + a[j] ** 2 * p[i]
    cov = a[j] * p[i] + a[i] * p[j]
    return {"var_y": var_i, "side_var": p[i], "bs_var": 1 + a[i] ** 2 * p[j],
            "eve_side_var": var_j, "eve_gain": cov / var_j, "eve_var": var_i - cov * cov / var_j}


@functools.lru_cache(maxsize=32)
def design(p1, p2, alpha1, alpha2, pair, quant_bits, n_sym, code, code_seed, beta,
           syndrome_rate, confirm_bits, key_length, eps) -> dict:
    """The protocol's numbers at a point (cached): entropies (bits per symbol), the code, the
    leaked and key bits, the predictions."""
    from linksim.security.privacy_amplification import leftover_hash_length
    from linksim.security.quantizer import GaussianQuantizer
    from linksim.security.reconciliation import target_syndrome_rate
    g = _gains(p1, p2, alpha1, alpha2, pair)
    quant = GaussianQuantizer(quant_bits, g["var_y"])
    h_q_x = quant.conditional_entropy(1.0, g["bs_var"], g["side_var"])      # H(Q | X_i)
    h_q_e = quant.conditional_entropy(g["eve_gain"], g["eve_var"], g["eve_side_var"])
    h_min_e = _average_min_entropy(quant, g)
    n_bits = n_sym * quant_bits
    rate = syndrome_rate if syndrome_rate is not None else \
        float(target_syndrome_rate(beta, quant_bits, quant_bits - h_q_x, quant_bits))
    code_obj = _code(code, n_bits, rate, code_seed)
    leak = n_bits - code_obj.k
    auto = leftover_hash_length(n_sym * h_q_e, leak + confirm_bits, eps)
    ell = key_length if key_length is not None else auto
    return {"quantizer": quant, "code": code_obj, "gains": g, "h_q_x": h_q_x, "h_q_e": h_q_e,
            "h_min_e": h_min_e,
            "mi_q_x": quant_bits - h_q_x, "leak": leak, "key_length": ell,
            "auto_key_length": auto, "n_bits": n_bits}


def _average_min_entropy(quant, g, nodes: int = 201) -> float:
    """The eavesdropper's average conditional min-entropy of one quantized symbol,
    ``-log2 E_{Y_j}[max_cell P(cell | Y_j)]`` (Dodis et al. 2008), by Gauss-Hermite over
    ``Y_j ~ N(0, var Y_j)`` (the integrand is smooth and bounded; 201 nodes). For i.i.d.
    symbols the block's is n times it (max and expectation factor over symbols)."""
    x, w = np.polynomial.hermite_e.hermegauss(nodes)
    y = x * math.sqrt(g["eve_side_var"])
    top = np.exp(quant.cell_log_probabilities(g["eve_gain"] * y, g["eve_var"]).max(axis=-1))
    return float(-math.log2(np.dot(w, top) / math.sqrt(2 * math.pi)))


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


def limits(params) -> Limit | None:
    """Exact leakage enumerates 2^(n_sym b) blocks and counts 2^key_length keys. Judged on a
    complete point only (the scenario also asks about single values, and a block size alone
    says nothing without exact_leakage); values of the wrong type are the builder's to
    report."""
    needed = ("exact_leakage", "n_sym", "quant_bits", "key_length")
    if any(name not in params for name in needed) or params["exact_leakage"] is not True:
        return None
    n_sym, b, ell = params["n_sym"], params["quant_bits"], params["key_length"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n_sym, b)):
        return None
    if n_sym * b > 20:
        return Limit("n_sym", "n_sym * quant_bits <= 20 with exact_leakage (2^bits blocks are "
                              "enumerated per frame)", detail=f", n_sym * quant_bits = "
                                                            f"{n_sym * b}")
    if ell is None or (isinstance(ell, int) and not isinstance(ell, bool) and ell > 24):
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
        self.d = design(q["p1"], q["p2"], q["alpha1"], q["alpha2"], q["pair"], q["quant_bits"],
                        q["n_sym"], q["code"], q["code_seed"], q["beta"], q["syndrome_rate"],
                        q["confirm_bits"], q["key_length"], q["eps"])
        if self.d["key_length"] < 1:
            raise ValueError(f"key_length: got an automatic length of {self.d['key_length']} "
                             f"bits; allowed: >= 1 (raise n_sym or beta, or give key_length)")
        if self.d["key_length"] > self.d["n_bits"]:
            raise ValueError(f"key_length: got {self.d['key_length']}; allowed: at most the "
                             f"block's {self.d['n_bits']} bits")
        self.options = {"algorithm": q["decoder"], "num_iter": q["num_iter"]}

    def simulate_batch(self, rng, n_frames: int) -> dict:
        from linksim.security.privacy_amplification import toeplitz_hash
        from linksim.security.reconciliation import public_message, reconcile
        q, d = self.params, self.d
        n, ell = q["n_sym"], d["key_length"]
        i, j = q["pair"], 3 - q["pair"]
        p = {1: q["p1"], 2: q["p2"]}
        a = {1: q["alpha1"], 2: q["alpha2"]}
        x = {k: rng.standard_normal((n_frames, n)) * math.sqrt(p[k]) for k in (1, 2)}
        noise = {k: rng.standard_normal((n_frames, n)) for k in (1, 2)}
        y = {1: x[1] + a[1] * x[2] + noise[1], 2: x[2] + a[2] * x[1] + noise[2]}
        quant, code, g = d["quantizer"], d["code"], d["gains"]
        bits = quant.quantize(y[i])                                  # [F, N]
        t = public_message(bits, code, rng)
        n_bits = bits.shape[1]
        confirm_seed = rng.integers(0, 2, (n_frames, n_bits + q["confirm_bits"] - 1),
                                    dtype=np.uint8) if q["confirm_bits"] else None
        pa_seed = rng.integers(0, 2, (n_frames, n_bits + ell - 1), dtype=np.uint8)
        # Bob (BS i): side information X_i
        llr = quant.llrs(x[i], g["bs_var"])
        q_hat, _ = reconcile(t, llr, code, **self.options)
        if confirm_seed is not None:
            same_hash = np.all(toeplitz_hash(bits, confirm_seed)
                               == toeplitz_hash(q_hat, confirm_seed), axis=1)
        else:
            same_hash = np.ones(n_frames, bool)
        key = toeplitz_hash(bits, pa_seed)
        key_hat = toeplitz_hash(q_hat, pa_seed)
        wrong = key != key_hat
        mismatched = same_hash & wrong.any(axis=1)
        # Eve (user j): her own reconciliation attempt from Y_j
        eve_llr = quant.llrs(g["eve_gain"] * y[j], g["eve_var"])
        q_eve, _ = reconcile(t, eve_llr, code, **self.options)
        counts = {"frames": n_frames, "agreed": int(same_hash.sum()),
                  "failed": int((~same_hash).sum()), "mismatched": int(mismatched.sum()),
                  "frame_errors": int((~same_hash).sum() + mismatched.sum()),
                  "eve_decoded": int(np.all(q_eve == bits, axis=1).sum())}
        # key blocks are kept or dropped whole: the block rates above are the measures
        counts.update(bits=0, bit_errors=0, bit_errors_sq=0)
        counts.update(leak=0, leak_sq=0, dist=0, dist_sq=0)
        if q["exact_leakage"]:
            got = self._exact_leakage(y[j], t, bits, confirm_seed, pa_seed)
            for name, key in (("leak", "leakage"), ("dist", "distance")):
                fixed = np.rint(got[key] * SCALE).astype(np.int64)
                counts[name] = int(fixed.sum())
                counts[f"{name}_sq"] = int(np.dot(fixed, fixed))
        return counts

    def _exact_leakage(self, y_eve, t, bits, confirm_seed, pa_seed) -> dict:
        """Per frame ``key_length - H(K | Y_j, t, hash, seeds)`` and the key's statistical
        distance from uniform given the same, by enumeration
        (:func:`linksim.security.key_equivocation.key_equivocation`)."""
        from linksim.security.key_equivocation import (block_log_posteriors,
                                                       key_equivocation, linear_words)
        d, q = self.d, self.params
        quant, code, g = d["quantizer"], d["code"], d["gains"]
        b, n_bits, ell = q["quant_bits"], d["n_bits"], d["key_length"]
        cells = quant.cell_log_probabilities(g["eve_gain"] * y_eve, g["eve_var"])  # [F, n, 2^b]
        labels = quant.labels                                                    # [2^b, b]
        label_int = (labels.astype(np.int64) << np.arange(b)).sum(axis=1)
        lp = np.empty_like(cells)
        lp[..., label_int] = cells
        post = block_log_posteriors(lp)
        # consistency with the code offset: H q = H t, for a code with a parity-check matrix
        pcm = np.asarray(code.pcm.toarray(), np.uint8)
        syn_words = linear_words(pcm)                                            # [W]
        syn_t = _pack((pcm @ t.T % 2).T)
        ok = syn_words[None, :] == syn_t[:, None]
        if confirm_seed is not None:
            g_mat = _toeplitz_matrices(confirm_seed, n_bits, q["confirm_bits"])
            hash_words = linear_words(g_mat)
            ok &= hash_words == _pack(_apply(g_mat, bits))[:, None]
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

    Values: ``ideal_key_rate`` (Corollary 1, (BW, BW), bits per use), ``quantized_key_rate``
    ``H(Q | Y_j) - H(Q | X_i)`` (ideal Slepian-Wolf coding of this quantizer),
    ``protocol_key_rate`` ``(n H(Q|Y_j) - leak - confirm) / n`` (the leftover-hash length
    without the eps term), ``key_length``, ``leaked_bits`` (syndrome + hash), ``efficiency``
    ``beta = (b - leak / n) / I(Q; X_i)``, ``net_key_rate`` ``key_length * agreed / (frames n)``
    with its 99 % Clopper-Pearson interval (on the agreed share), the mismatch rate's
    one-sided 99 % upper confidence bound; the eavesdropper's average min-entropy per symbol, the key-length limit
    ``n H_min - leaked`` and the leftover hash lemma's bound on the key's statistical distance
    from uniform (``distance_bound``; rigorous), the Shannon-estimate limit beside it; with
    exact leakage the measured ``leakage`` (``key_length - H(K | E)``) and ``distance``, their
    means over frames and 99 % intervals.
    """
    from linksim.security.reconciliation import efficiency
    from linksim.systems import build_system
    from linksim.systems.key_agreement.rates import pure_rates
    link = build_system("key_agreement", params)
    q, d = link.params, link.d
    n = q["n_sym"]
    r = pure_rates("bw", "bw", q["p1"], q["p2"], q["alpha1"], q["alpha2"])
    values = {"ideal_key_rate": float(r[q["pair"] - 1]),
              "quantized_key_rate": d["h_q_e"] - d["h_q_x"],
              "protocol_key_rate": (n * d["h_q_e"] - d["leak"] - q["confirm_bits"]) / n,
              "key_length": d["key_length"], "auto_key_length": d["auto_key_length"],
              "leaked_bits": d["leak"] + q["confirm_bits"],
              "code_k": d["code"].k, "code_n": d["code"].n,
              "efficiency": float(efficiency(d["leak"] / n, q["quant_bits"], d["mi_q_x"]))}
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
    # SD((K, E), (U, E)) <= (1/2) sqrt(2^(ell - (n H_min - leaked))), leaked = public bits
    public = d["leak"] + q["confirm_bits"]
    values["min_entropy_per_symbol"] = d["h_min_e"]
    values["key_limit"] = n * d["h_min_e"] - public
    values["shannon_key_limit"] = n * d["h_q_e"] - public
    values["distance_bound"] = min(1.0, 0.5 * 2.0 ** ((d["key_length"] - values["key_limit"])
                                                      / 2))
    if q["exact_leakage"] and frames >= 2:
        for name, key in (("leak", "leakage"), ("dist", "distance")):
            got = frame_mean_ci(counts[name] / SCALE, counts[f"{name}_sq"] / SCALE ** 2,
                                frames, 1.0, CONFIDENCE)
            values.update({key: got[0], f"{key}_lo": got[1], f"{key}_hi": got[2]})
    return {"predictions": {}, "values": values}
