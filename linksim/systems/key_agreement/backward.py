"""The backward (BW) key's blocks (notes 001 §1.5 and §5.2, BW key steps 1-4): base station i
sends i.i.d. Gaussian symbols, user i quantizes its output and publishes the code offset of its
bits; base station i holds the side information.

Channel (eq. 6, real, unit noise), ``n_sym`` uses per block, both base stations sending
``X_k ~ N(0, P_k)`` (both pairs run BW)::

    Y_1 = X_1 + alpha_1 X_2 + N_1,      Y_2 = alpha_2 X_1 + X_2 + N_2.

The key material of pair ``i`` is ``q``, the ``b``-bit equiprobable Gray labels of ``Y_i``
(:class:`linksim.security.quantizer.GaussianQuantizer`), ``N = n_sym b`` bits. Base station
i's LLRs of ``q`` come from ``Y_i | X_i ~ N(X_i, 1 + alpha_i^2 P_j)``. The eavesdropper, user
j, sees ``Y_j``; her posterior of ``Y_i`` is ``N(g Y_j, v)`` with ``g = c / s_j^2``, ``v =
s_i^2 - c^2 / s_j^2``, ``s_k^2 = var Y_k`` and ``c = alpha_j P_i + alpha_i P_j`` (jointly
Gaussian; her own key and public messages are functions of ``Y_j`` and independent randomness,
notes §5.3 item 2).

Entropies per channel use: ``H(Q | X_i)`` (what reconciliation must publish, ideally),
``H(Q | Y_j)`` (the eavesdropper's Shannon equivocation) and her average min-entropy
``-log2 E_{Y_j} max_cell P(cell | Y_j)`` (Dodis et al. 2008; the block's is ``n`` times it, as
max and expectation factor over i.i.d. symbols).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["BackwardBlocks"]


class BackwardBlocks:
    """(BW) blocks of pair ``pair`` at powers ``p = {1: P_1, 2: P_2}``, gains ``a = {1:
    alpha_1, 2: alpha_2}``, ``quant_bits`` bits per use, ``n_sym`` uses (module docstring).

    Attributes (per channel use unless a block is said): ``n_bits`` ``N = n_sym b``,
    ``bits_per_use`` ``b``, ``bob_mi`` ``I(Q; X_i) = b - H(Q | X_i)``, ``eve_entropy_rate``
    ``H(Q | Y_j)``, ``eve_min_entropy_rate``; per symbol (one use): ``n_symbols``,
    ``symbol_bits`` ``b``, ``symbol_mi`` ``I(Q; X_i)``; ``public_code`` True (the code offset is
    published: the code's ``N - k`` bits are leaked), ``quantizer``.
    """

    public_code = True

    def __init__(self, p: dict, a: dict, pair: int, quant_bits: int, n_sym: int):
        from linksim.security.quantizer import GaussianQuantizer
        i, j = pair, 3 - pair
        self.p, self.a, self.i, self.j = p, a, i, j
        var_i = 1 + p[i] + a[i] ** 2 * p[j]
        var_j = 1 + p[j] + a[j] ** 2 * p[i]
        cov = a[j] * p[i] + a[i] * p[j]
        self.bs_var = 1 + a[i] ** 2 * p[j]                 # var(Y_i | X_i)
        self.eve_gain, self.eve_var, self.eve_side_var = cov / var_j, var_i - cov * cov / var_j, \
            var_j
        self.n_sym, self.bits_per_use = n_sym, quant_bits
        self.n_bits = n_sym * quant_bits
        self.n_symbols, self.symbol_bits = n_sym, quant_bits      # a symbol is one use
        self.quantizer = GaussianQuantizer(quant_bits, var_i)
        self.h_q_x = float(self.quantizer.conditional_entropy(1.0, self.bs_var, p[i]))
        self.bob_mi = self.symbol_mi = quant_bits - self.h_q_x
        self.eve_entropy_rate = float(self.quantizer.conditional_entropy(
            self.eve_gain, self.eve_var, self.eve_side_var))
        self.eve_min_entropy_rate = self._average_min_entropy()

    def eve_entropy(self, code) -> float:
        """The eavesdropper's Shannon equivocation of the block before anything is published,
        ``n H(Q | Y_j)`` (bits)."""
        return self.n_sym * self.eve_entropy_rate

    def eve_min_entropy(self, code) -> float:
        """Her average min-entropy of the block before anything is published (bits)."""
        return self.n_sym * self.eve_min_entropy_rate

    def _average_min_entropy(self, nodes: int = 201) -> float:
        """Per use, by Gauss-Hermite over ``Y_j ~ N(0, var Y_j)`` (smooth bounded integrand)."""
        x, w = np.polynomial.hermite_e.hermegauss(nodes)
        y = x * math.sqrt(self.eve_side_var)
        top = np.exp(self.quantizer.cell_log_probabilities(self.eve_gain * y,
                                                           self.eve_var).max(axis=-1))
        return float(-math.log2(np.dot(w, top) / math.sqrt(2 * math.pi)))

    def draw(self, rng, n_frames: int, code) -> dict:
        """One batch: ``bits`` uint8 [F, N] (the key material q), ``t`` uint8 [F, N] (the
        public code offset), ``soft`` (base station i's soft information, :meth:`_soft`),
        ``eve`` (the eavesdropper's observation ``Y_j`` [F, n_sym]).

        Draw order: ``X_1``, ``X_2``, ``N_1``, ``N_2`` (standard normals [F, n_sym] each), then
        the code offset's message (:func:`linksim.security.reconciliation.public_message`, or
        one per plane for :class:`linksim.security.multilevel.MultilevelReconciliation`)."""
        from linksim.security.multilevel import MultilevelReconciliation
        from linksim.security.reconciliation import public_message
        p, a, i, j, n = self.p, self.a, self.i, self.j, self.n_sym
        x = {k: rng.standard_normal((n_frames, n)) * math.sqrt(p[k]) for k in (1, 2)}
        noise = {k: rng.standard_normal((n_frames, n)) for k in (1, 2)}
        y = {1: x[1] + a[1] * x[2] + noise[1], 2: x[2] + a[2] * x[1] + noise[2]}
        bits = self.quantizer.quantize(y[i])
        t = code.public_message(bits, rng) if isinstance(code, MultilevelReconciliation) \
            else public_message(bits, code, rng)
        return {"bits": bits, "t": t, "soft": self._soft(x[i], self.bs_var, code),
                "eve": y[j]}

    def _soft(self, mean, var, code):
        """Per-bit LLRs [F, N] for a single code; the cells' log probabilities [F, n_sym, 2^b]
        (in the quantizer's cell order, labels ``quantizer.labels``) for multilevel
        reconciliation, which conditions each plane on the ones above it."""
        from linksim.security.multilevel import MultilevelReconciliation
        if isinstance(code, MultilevelReconciliation):
            return self.quantizer.cell_log_probabilities(mean, var)
        return self.quantizer.llrs(mean, var)

    def eve_soft(self, eve, code) -> np.ndarray:
        """Her soft information on q (as :meth:`_soft`: per-bit LLRs [F, N] for a single code)
        from ``Y_j`` [F, n_sym]."""
        return self._soft(self.eve_gain * eve, self.eve_var, code)

    def eve_label_log_probs(self, eve) -> np.ndarray:
        """Her per-use log posteriors of the labels [F, n_sym, 2^b], indexed by the label's
        integer ``L`` (bit ``i`` of ``L`` is the block's bit ``t b + i``)."""
        cells = self.quantizer.cell_log_probabilities(self.eve_gain * eve, self.eve_var)
        b = self.bits_per_use
        label_int = (self.quantizer.labels.astype(np.int64) << np.arange(b)).sum(axis=1)
        out = np.empty_like(cells)
        out[..., label_int] = cells
        return out
