"""The eavesdropper's exact equivocation of a key made from short quantized blocks (notes 001
§5.3 item 2): every candidate bit block is enumerated, weighed by the eavesdropper's exact
posterior, restricted to the blocks consistent with what was published, and grouped by the
key it hashes to.

Setting. A block ``q`` of ``N = n_sym * b`` bits is ``b`` label bits per symbol, symbol-major
(``q[t*b + i]`` is bit ``i`` of symbol ``t``'s label). Given her observation, the eavesdropper's
posterior factorizes over symbols, ``p(q | e) = prod_t p(label_t | e_t)`` (the symbols are
independent given her per-symbol observation). What was published are linear functions of
``q`` over GF(2) (a syndrome ``H q``, a universal hash ``G q``) and the key is ``K = T q``.
Then, for every frame,

    H(K | e, published) = - sum_k P(k) log2 P(k),   P(k) = sum_{q: T q = k, M q = m} p(q | e) / Z

over the ``2^N`` blocks, and ``len(K) - H(K | e, published)`` is the divergence of the key's
conditional law from uniform, averaged: its mean over frames is ``D(P_{K, E} || U x P_E) =
I(K; E) + (len(K) - H(K))``, the quantity privacy amplification drives to 0.

Every block is an integer ``w`` in ``[0, 2^N)`` with ``q_j = (w >> j) & 1``; a GF(2) linear map
of all blocks is built by doubling over the bits (``2^N`` work, no loop per block).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["MAX_BLOCK_BITS", "linear_words", "block_log_posteriors", "key_equivocation"]

#: Largest block (bits) enumerated: 2^20 candidates per frame (~8 MB per float array).
MAX_BLOCK_BITS = 20


def _check_bits(n_bits: int):
    if not 1 <= n_bits <= MAX_BLOCK_BITS:
        raise ValueError(f"block: got {n_bits} bits; allowed: 1 to {MAX_BLOCK_BITS} (2^bits "
                         f"candidates are enumerated)")


def linear_words(matrix) -> np.ndarray:
    """``M q`` over GF(2) for every block ``q``, packed as integers (row ``r`` is bit ``r``).

    Input
    -----
    matrix : uint8 [..., r, N]
        Binary matrices (a batch of them allowed), r <= 63 rows, N <= 20 columns.

    Output
    ------
    words : int64 [..., 2^N]
        ``words[..., w]`` is the packed ``M q(w)``.
    """
    m = np.asarray(matrix)
    if m.ndim < 2 or m.shape[-2] > 63:
        raise ValueError(f"matrix: got shape {m.shape}; allowed: [..., r <= 63, N]")
    if m.size and (m.min() < 0 or m.max() > 1):
        raise ValueError("matrix: values outside {0, 1}; allowed: a binary matrix")
    n_bits = m.shape[-1]
    _check_bits(n_bits)
    weights = np.left_shift(np.int64(1), np.arange(m.shape[-2], dtype=np.int64))
    columns = np.einsum("...rj,r->...j", m.astype(np.int64), weights)   # [..., N] packed
    words = np.zeros(m.shape[:-2] + (1,), np.int64)
    for j in range(n_bits):                                 # doubling: bit j set or not
        words = np.concatenate([words, words ^ columns[..., j:j + 1]], axis=-1)
    return words


def block_log_posteriors(label_log_post) -> np.ndarray:
    """``log p(q | e)`` of every block from the per-symbol posteriors of the labels.

    Input
    -----
    label_log_post : float [batch, n_sym, 2^b]
        ``label_log_post[f, t, L]``: log posterior of symbol t's label L (the label's bits
        ``(L >> i) & 1`` are the block's bits ``t*b + i``), normalized per symbol.

    Output
    ------
    log_post : float64 [batch, 2^(n_sym b)]
    """
    lp = np.asarray(label_log_post, np.float64)
    if lp.ndim != 3 or lp.shape[2] < 2 or lp.shape[2] & (lp.shape[2] - 1):
        raise ValueError(f"label_log_post: got shape {lp.shape}; allowed: [batch, n_sym, 2^b]")
    b = int(round(math.log2(lp.shape[2])))
    _check_bits(lp.shape[1] * b)
    out = lp[:, 0, :]
    for t in range(1, lp.shape[1]):         # symbol t's label in the bits t*b .. t*b + b - 1
        out = (lp[:, t, :, None] + out[:, None, :]).reshape(lp.shape[0], -1)
    return out


def key_equivocation(log_post, consistent, key_words, key_bits: int) -> dict:
    """The eavesdropper's equivocation of the key, per frame.

    Input
    -----
    log_post : float [batch, W]
        ``log p(q | e)`` of every block (:func:`block_log_posteriors`).
    consistent : bool [batch, W]
        The blocks consistent with what was published (e.g. ``syndrome_words == s`` and
        ``hash_words == h``); the true block must be among them.
    key_words : int [batch, W] or [W]
        The key ``T q`` of every block, packed (:func:`linear_words`), < 2^key_bits.

    Parameters
    ----------
    key_bits : int
        The key length, 1 to 24 (the key values are counted in 2^key_bits bins).

    Returns
    -------
    out : dict of float64 [batch]
        ``entropy`` H(K | e, published) in bits, ``min_entropy`` ``-log2 max_k P(k)``,
        ``leakage`` ``key_bits - entropy`` (>= 0), ``distance`` the statistical distance of
        the key's conditional law from uniform, ``(1/2) sum_k |P(k) - 2^-key_bits|`` (its mean
        over frames is ``SD(P_KE, U x P_E)``, the leftover hash lemma's quantity),
        ``candidates`` the number of consistent blocks.
    """
    lp = np.asarray(log_post, np.float64)
    ok = np.asarray(consistent, bool)
    keys = np.broadcast_to(np.asarray(key_words, np.int64), lp.shape)
    if ok.shape != lp.shape or lp.ndim != 2:
        raise ValueError(f"consistent: got shape {ok.shape}; allowed: that of log_post "
                         f"{lp.shape}, [batch, W]")
    if not 1 <= key_bits <= 24:
        raise ValueError(f"key_bits: got {key_bits!r}; allowed: 1 to 24")
    if not ok.any(axis=1).all():
        raise ValueError("consistent: got a frame with no consistent block; allowed: the true "
                         "block among the consistent ones")
    top = np.max(np.where(ok, lp, -np.inf), axis=1, keepdims=True)
    weight = np.where(ok, np.exp(lp - top), 0.0)
    weight /= weight.sum(axis=1, keepdims=True)
    n_keys = 1 << key_bits
    batch = lp.shape[0]
    index = (np.arange(batch, dtype=np.int64)[:, None] * n_keys + keys).ravel()
    mass = np.bincount(index, weights=weight.ravel(), minlength=batch * n_keys)
    mass = mass.reshape(batch, n_keys)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(mass > 0, -mass * np.log2(mass), 0.0)
    entropy = terms.sum(axis=1)
    distance = 0.5 * np.abs(mass - 1.0 / n_keys).sum(axis=1)
    return {"entropy": entropy, "min_entropy": -np.log2(mass.max(axis=1)),
            "leakage": np.maximum(key_bits - entropy, 0.0), "distance": distance,
            "candidates": ok.sum(axis=1).astype(np.float64)}
