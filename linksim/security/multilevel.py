"""Multilevel reconciliation with multistage decoding (notes 001 §5.2, BW key step 3: "or of
bit-planes, multilevel coding"): one code per bit plane of the user's ``b``-bit labels, each
plane decoded with the planes above it known.

Why. One code over all ``N = n b`` bits sees bits of very different reliability (with side
information at P = 100, alpha = 0.2 and ``b = 4``: ``H(Q_k | X) = 0.23, 0.36, 0.63, 0.87`` per
plane) and can reach at most the bit-interleaved rate ``sum_k I(Q_k; X)``. By the chain rule
``I(Q; X) = sum_k I(Q_k; X | Q_1 .. Q_{k-1})``, so one code per plane at the rate of its own
term, decoded in order with the previous planes as side information (multistage decoding),
reaches ``I(Q; X)`` itself (Wachsmann, Fischer and Huber, "Multilevel codes: theoretical
concepts and practical design rules", IEEE Trans. IT 45(5), 1999, Sec. III).

Setting. Symbols' labels are ``b`` bits, symbol-major in the block (``q[t b + k]`` is bit
``k`` of symbol ``t``; plane ``k`` is ``q[k::b]``, ``n`` bits). The receiver holds the log
probabilities of every label value per symbol (``cell_log_probs`` [F, n, 2^b] in the order of
``labels`` [2^b, b]). Plane ``k``'s LLR given the decided planes ``0 .. k-1``::

    LLR_k = LSE_{j: labels[j, :k] = decided, labels[j, k] = 0} log p_j
          - LSE_{j: labels[j, :k] = decided, labels[j, k] = 1} log p_j.

Each plane is published in code-offset form (:func:`linksim.security.reconciliation.
public_message`) with its own code, or in full when its code would carry fewer than the
smallest code's information bits (``code`` None: the plane itself is public, ``n`` bits).
Leaked bits: ``sum_k (n - k_k)``.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from linksim.security.quantizer import LLR_MAX

__all__ = ["MultilevelReconciliation"]


class MultilevelReconciliation:
    """Per-plane codes (``codes[k]``: a :class:`linksim.fec.code.Code` of length ``n``, or None
    for a plane published in full) over blocks of ``n`` symbols of ``b = len(codes)`` bits.

    Parameters
    ----------
    codes : sequence of linksim.fec.code.Code or None
        Plane ``k``'s code (length ``n_symbols``), MSB plane first; None publishes the plane.
    n_symbols : int
        Symbols per block (bits per plane).

    Attributes
    ----------
    n : int
        Bits per block, ``n_symbols b``.
    k : int
        Information bits kept secret by the offsets, ``sum_k codes[k].k`` (0 for a public
        plane); the leak is ``n - k``.
    codes : tuple
        The per-plane codes.
    """

    def __init__(self, codes, n_symbols: int):
        self.codes = tuple(codes)
        self.bits = len(self.codes)
        self.n_symbols = n_symbols
        for level, code in enumerate(self.codes):
            if code is not None and code.n != n_symbols:
                raise ValueError(f"codes[{level}]: got length {code.n}; allowed: {n_symbols} "
                                 f"(one bit per symbol)")
        self.n = n_symbols * self.bits
        self.k = sum(0 if code is None else code.k for code in self.codes)

    def _planes(self, q):
        return [q[..., level::self.bits] for level in range(self.bits)]

    def _join(self, planes):
        out = np.empty(planes[0].shape[:-1] + (self.n,), np.uint8)
        for level, plane in enumerate(planes):
            out[..., level::self.bits] = plane
        return out

    def public_message(self, q, rng) -> np.ndarray:
        """Each plane's code offset (or the plane itself), joined like ``q``; draws each coded
        plane's message in plane order (one ``rng.integers`` call per plane).

        Parameters
        ----------
        rng : numpy.random.Generator
            The user's private randomness (the offsets' messages).

        Input
        -----
        q : uint8 [F, n b]
            The user's bits, symbol-major.

        Returns
        -------
        t : uint8 [F, n b]
        """
        from linksim.security.reconciliation import public_message
        planes = self._planes(np.asarray(q, np.uint8))
        return self._join([plane.copy() if code is None else public_message(plane, code, rng)
                           for plane, code in zip(planes, self.codes)])

    def reconcile(self, t, cell_log_probs, labels, **decoder_options):
        """Multistage decoding (module docstring).

        Parameters
        ----------
        **decoder_options : dict
            Keywords of each plane's ``code.decode_llr`` (``num_iter``, ``algorithm``, ...).

        Input
        -----
        t : uint8 [F, n b]
            The public message (:meth:`public_message`).
        cell_log_probs : float [F, n, 2^b]
            The receiver's log probabilities of each label value, in the order of ``labels``.
        labels : uint8 [2^b, b]
            The label of each value.

        Returns
        -------
        q_hat : uint8 [F, n b]
        decoded_ok : bool [F]
            Every coded plane's decoder converged.
        """
        from linksim.security.reconciliation import reconcile
        t_planes = self._planes(np.asarray(t, np.uint8))
        log_p = np.asarray(cell_log_probs, np.float64)
        labels = np.asarray(labels, np.uint8)
        alive = np.ones(log_p.shape, bool)                 # label values still consistent
        ok = np.ones(log_p.shape[0], bool)
        decided = []
        for level, code in enumerate(self.codes):
            if code is None:
                plane = t_planes[level]
            else:
                llr = _plane_llr(np.where(alive, log_p, -np.inf), labels[:, level])
                plane, flag = reconcile(t_planes[level], llr, code, **decoder_options)
                ok &= flag
            decided.append(plane)
            alive &= labels[None, None, :, level] == plane[..., None]
        return self._join(decided), ok

    @property
    def pcm(self) -> sp.csr_matrix:
        """A parity-check matrix of the whole block [rows, n b] (columns in block order): each
        coded plane's checks on its own bits, and a public plane's bits as unit checks; ``pcm
        q`` is what the offsets reveal. Needs codes whose ``pcm`` has ``n`` columns (an
        :class:`linksim.fec.ldpc.alist.LDPCCode`; a rate-matched 5G code's is its mother
        code's)."""
        blocks = []
        for level, code in enumerate(self.codes):
            h = sp.identity(self.n_symbols, np.uint8, format="csr") if code is None \
                else sp.csr_matrix(code.pcm, dtype=np.uint8)
            if h.shape[1] != self.n_symbols:
                raise ValueError(f"codes[{level}]: got a parity-check matrix of {h.shape[1]} "
                                 f"columns; allowed: {self.n_symbols} (the plane's own, not a "
                                 f"rate-matched code's mother code)")
            cols = np.arange(self.n_symbols) * self.bits + level
            coo = h.tocoo()
            blocks.append(sp.csr_matrix((coo.data, (coo.row, cols[coo.col])),
                                        shape=(h.shape[0], self.n)))
        return sp.vstack(blocks, format="csr")


def _plane_llr(log_p, plane_labels) -> np.ndarray:
    """``LSE_{label bit 0} - LSE_{label bit 1}`` over the last axis [F, n, 2^b] -> [F, n]."""
    zero = plane_labels == 0
    with np.errstate(invalid="ignore"):
        llr = np.logaddexp.reduce(log_p[..., zero], axis=-1) - \
            np.logaddexp.reduce(log_p[..., ~zero], axis=-1)
    # the decided planes leave at least one value on each side for a Gray plane below them;
    # clip as the quantizer's LLRs are
    return np.clip(np.nan_to_num(llr, nan=0.0), -LLR_MAX, LLR_MAX)
