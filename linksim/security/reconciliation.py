"""Information reconciliation by an LDPC syndrome over the public channel (notes 001 §5.2, BW key
steps 3-4, and §5.3 item 1): the user publishes the coset of its quantized bits, the base
station decodes them with belief propagation from its side information, and a short universal
hash confirms agreement.

Setting. The user holds bits ``q`` [batch, n] (a quantizer's labels of its channel output); the
base station holds per-bit LLRs of ``q``, ``llr = ln P(q=0 | x) / P(q=1 | x)`` (positive favours
0) from its side information ``x``. Everything the user sends is public, so the eavesdropper
hears it too and it is counted as leaked.

Syndrome in code-offset form (:func:`public_message`). For any linear code ``C`` of length
``n`` and dimension ``k`` (a :class:`linksim.fec.code.Code`), the user draws ``u`` uniform,
``c = encode(u)`` (uniform on ``C``), and sends ``t = q xor c``. Then ``t`` is uniform on the
coset ``q + C`` whatever ``q`` is within that coset, so ``t`` carries exactly the coset of
``q`` and nothing more: ``I(q; t) = I(q; q + C) <= n - k`` bits, the same information as the
syndrome ``H q`` (for a parity-check matrix ``H`` of ``C``, ``H t = H q + H c = H q``). This is
the code-offset construction (Dodis, Ostrovsky, Reyzin and Smith, "Fuzzy extractors", SIAM J.
Comput. 38(1), 2008, Hamming-metric section, where it is shown equivalent to the syndrome
construction). It needs only an encoder, so it serves the rate-matched (punctured, shortened,
repeated) 5G codes (:class:`linksim.fec.ldpc.LDPC5G`), whose parity-check matrix is not at
hand. Where ``H`` is (:class:`linksim.fec.ldpc.LDPCCode`), the literal syndrome ``s = H q``
(:func:`syndrome`) and a coset representative ``t`` with ``H t = s``
(:func:`coset_representative`, from the systematic form of ``H``) give the same decoding.

Decoding (:func:`reconcile`). The base station knows ``t``, so its LLRs of ``c = q xor t`` are
``llr * (1 - 2 t)``; BP decodes them to ``u_hat``, and ``q_hat = encode(u_hat) xor t``.

Confirmation (:func:`confirm`). The user also publishes an ``m``-bit Toeplitz hash of ``q``
(:func:`linksim.security.privacy_amplification.toeplitz_hash`, the family privacy
amplification uses) keyed by public random seeds
(:func:`linksim.security.privacy_amplification.toeplitz_seeds`); the base station accepts
``q_hat`` when the decoder converged and the hash of ``q_hat`` matches. The Toeplitz family is
universal: for any ``q_hat != q`` a mismatch goes undetected with probability exactly ``2^-m``
over the seeds (Krawczyk, CRYPTO 1994). Leaked bits per block: ``(n - k) + m``.

Rate and efficiency. :func:`choose_code` picks the 5G code of a syndrome rate ``(n - k) / n``;
:func:`efficiency` is the reconciliation efficiency beta of QKD and CV-QKD,
:func:`target_syndrome_rate` its inverse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from linksim.checks import check_int, check_real, check_rng
from linksim.security.privacy_amplification import toeplitz_hash, toeplitz_seeds

__all__ = ["public_message", "reconcile", "syndrome", "coset_representative", "choose_code",
           "confirm", "undetected_mismatches", "Reconciliation", "reconciliation_round",
           "efficiency", "target_syndrome_rate"]


# ---------------------------------------------------------------------------------- checks
def _bits(name: str, value, n: int | None = None) -> np.ndarray:
    """``value`` as uint8 bits [..., n] (any integer or bool dtype holding 0/1)."""
    arr = np.asarray(value)
    if arr.ndim < 1 or (n is not None and arr.shape[-1] != n):
        want = "[..., n]" if n is None else f"[..., n] with n = {n}"
        raise ValueError(f"{name}: got shape {arr.shape}; allowed: {want}")
    if arr.dtype != bool and not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name}: got dtype {arr.dtype}; allowed: bits as uint8 (or another "
                        f"integer or bool dtype) holding 0 or 1")
    if arr.size and (arr.min() < 0 or arr.max() > 1):
        raise ValueError(f"{name}: got values outside {{0, 1}}; allowed: bits 0 or 1")
    return arr.astype(np.uint8, copy=False)


def _dense_pcm(pcm) -> np.ndarray:
    h = pcm.toarray() if sp.issparse(pcm) else np.asarray(pcm)
    if h.ndim != 2 or 0 in h.shape:
        raise ValueError(f"pcm: got shape {h.shape}; allowed: a non-empty 2-D binary matrix [m, n]")
    if h.size and (h.min() < 0 or h.max() > 1):
        raise ValueError("pcm: got values outside {0, 1}; allowed: a binary matrix")
    return h.astype(np.uint8, copy=False)


# -------------------------------------------------------------------- code-offset syndrome
def public_message(q, code, rng: np.random.Generator) -> np.ndarray:
    """The user's public message in code-offset form, ``t = q xor encode(u)`` with ``u`` uniform.

    ``t`` is uniform on the coset ``q + C`` of the code ``C = {encode(u)}``: it reveals the
    coset of ``q`` (the syndrome ``H q`` for any parity-check matrix ``H`` of ``C``), at most
    ``n - k`` bits, and nothing else (module docstring: the code-offset construction). A
    rate-matched code whose encoder is not injective (LDPC5G close to rate 0.95, see
    :data:`linksim.fec.ldpc.nr5g.MAX_CODERATE`) has dimension below ``k`` and reveals more.
    Draw order: ``u`` uint8 [..., k] from ``rng.integers(0, 2)``, one call.

    Parameters
    ----------
    code : linksim.fec.code.Code
        The reconciliation code (``k``, ``n``, ``encode``), e.g. from :func:`choose_code`.
    rng : numpy.random.Generator
        Source of the uniform message ``u`` (the user's private randomness).

    Input
    -----
    q : uint8 [batch, n]
        The user's bits (any integer or bool dtype holding 0/1).

    Returns
    -------
    t : uint8 [batch, n]
        The public message ``q xor c``.
    """
    q = _bits("q", q, code.n)
    rng = check_rng(rng)
    u = rng.integers(0, 2, size=q.shape[:-1] + (code.k,), dtype=np.uint8)
    return q ^ np.asarray(code.encode(u), np.uint8)


def reconcile(t, llr, code, **decoder_options) -> tuple[np.ndarray, np.ndarray]:
    """The base station's estimate of ``q`` from the public ``t`` and its LLRs of ``q`` (BP).

    The LLRs of the codeword ``c = q xor t`` are ``llr * (1 - 2 t)``; ``code.decode_llr`` gives
    ``u_hat`` and ``q_hat = encode(u_hat) xor t``. Batched over frames; the decoder settings
    pass through (LDPC: ``num_iter``, ``algorithm``, ``early_stop``, ...).

    Parameters
    ----------
    code : linksim.fec.code.Code
        The code the user's :func:`public_message` used.
    **decoder_options : dict
        Keywords of ``code.decode_llr`` (its defaults otherwise).

    Input
    -----
    t : uint8 [batch, n]
        The public message (:func:`public_message`, or :func:`coset_representative`).
    llr : float [batch, n]
        ``ln P(q=0 | x) / P(q=1 | x)`` per bit of ``q`` from the side information ``x``.

    Returns
    -------
    q_hat : uint8 [batch, n]
        ``encode(u_hat) xor t``; it lies in the coset of ``t`` even when the decoder failed.
    decoded_ok : bool [batch]
        The decoder's own flag (all checks satisfied: *a* codeword, not necessarily ``c``;
        :mod:`linksim.fec.code`). :func:`confirm` catches the rest.
    """
    t = _bits("t", t, code.n)
    llr = np.asarray(llr)
    if llr.shape != t.shape:
        raise ValueError(f"llr: got shape {llr.shape}; allowed: the shape of t, {t.shape}")
    if not np.issubdtype(llr.dtype, np.floating):
        raise TypeError(f"llr: got dtype {llr.dtype}; allowed: a floating dtype")
    llr_c = np.where(t.astype(bool), -llr, llr)
    u_hat, ok = code.decode_llr(llr_c, **decoder_options)
    q_hat = np.asarray(code.encode(u_hat), np.uint8) ^ t
    return q_hat, np.asarray(ok, bool)


# ------------------------------------------------------------------- literal syndrome (H)
def syndrome(q, pcm) -> np.ndarray:
    """The syndrome ``s = H q (mod 2)`` of each frame.

    Parameters
    ----------
    pcm : array_like or scipy.sparse matrix, uint8 [m, n]
        The parity-check matrix ``H`` (e.g. ``LDPCCode.pcm``), entries 0/1.

    Input
    -----
    q : uint8 [batch, n]
        Bits (any integer or bool dtype holding 0/1).

    Returns
    -------
    s : uint8 [batch, m]
        ``H q mod 2``.
    """
    h = sp.csr_matrix(pcm, dtype=np.int32) if sp.issparse(pcm) else sp.csr_matrix(
        _dense_pcm(pcm).astype(np.int32))
    q = _bits("q", q, h.shape[1])
    flat = q.reshape(-1, h.shape[1]).astype(np.int32)
    s = np.asarray(h @ flat.T).T & 1
    return s.astype(np.uint8).reshape(q.shape[:-1] + (h.shape[0],))


def _gf2_reduce(h: np.ndarray):
    """Reduced row echelon form of ``h`` [m, n] over GF(2), with the row operations.

    Returns ``(pivots int64 [rank], transform bool [m, m])`` with ``transform @ h = R`` (mod 2):
    ``R`` has the identity on the pivot columns in its first ``rank`` rows and zeros below.
    Pivot columns are found left to right (the same order as ``LDPCCode``'s systematic form, so
    the non-pivot columns are its ``info_positions``). One loop over the columns of ``h``.
    """
    m, n = h.shape
    a = np.concatenate([h.astype(bool), np.eye(m, dtype=bool)], axis=1)
    pivots, row = [], 0
    for col in range(n):
        if row == m:
            break
        hit = np.flatnonzero(a[row:, col])
        if hit.size == 0:
            continue
        r = row + hit[0]
        if r != row:
            a[[row, r]] = a[[r, row]]
        others = np.flatnonzero(a[:, col])
        others = others[others != row]
        a[others] ^= a[row]
        pivots.append(col)
        row += 1
    return np.array(pivots, np.int64), a[:, n:]


def coset_representative(s, pcm) -> np.ndarray:
    """A coset representative ``t`` with ``H t = s (mod 2)``, zero on the information positions.

    From the systematic (reduced row echelon) form of ``H``: with ``E H = R`` (row operations
    ``E``, pivot columns ``P``), ``H t = s`` iff ``R t = E s``; the ``t`` that is zero off ``P``
    has ``t[P] = (E s)[:rank]``, and the remaining rows of ``E s`` must be zero (``s`` in the
    column space of ``H``). ``reconcile(coset_representative(syndrome(q, H), H), ...)``
    decodes as ``reconcile(public_message(q, ...), ...)`` does (module docstring). One dense
    GF(2) elimination per call: codes up to a few thousand bits.

    Parameters
    ----------
    pcm : array_like or scipy.sparse matrix, uint8 [m, n]
        The parity-check matrix ``H`` (e.g. ``LDPCCode.pcm``), entries 0/1.

    Input
    -----
    s : uint8 [batch, m]
        Syndromes (:func:`syndrome`).

    Returns
    -------
    t : uint8 [batch, n]
        ``H t = s``; ``t`` is 0 on the non-pivot columns (``LDPCCode.info_positions``).

    Raises
    ------
    ValueError
        A frame's ``s`` is not a syndrome of ``H`` (``H`` has rank below ``m``).
    """
    h = _dense_pcm(pcm)
    m, n = h.shape
    s = _bits("s", s, m)
    pivots, transform = _gf2_reduce(h)
    rank = pivots.size
    flat = s.reshape(-1, m).astype(np.int32)
    es = (flat @ transform.T.astype(np.int32)) & 1          # [B, m]
    bad = np.flatnonzero(es[:, rank:].any(axis=1))
    if bad.size:
        raise ValueError(f"s: got {bad.size} frame(s) (first: {bad[0]}) outside the column space "
                         f"of pcm (rank {rank} < m = {m}); allowed: syndromes H q of pcm")
    t = np.zeros((flat.shape[0], n), np.uint8)
    t[:, pivots] = es[:, :rank]
    return t.reshape(s.shape[:-1] + (n,))


# ---------------------------------------------------------------------- rate adaptation
def choose_code(n: int, syndrome_rate: float):
    """The 5G NR LDPC code of ``n`` bits leaking ``ceil(n * syndrome_rate)`` syndrome bits.

    ``k = n - ceil(n * syndrome_rate)`` (the smallest leak at or above the target) and the
    shared ``cached_code("ldpc5g", k, n)`` (:func:`linksim.fec.code.cached_code`; TS 38.212
    §5.3.2 with the rate matching of §5.4.2.1, i.e. the shortening and puncturing that reach
    any (k, n) in range). A target such as ``H(Q|X) / b + margin`` per quantized bit, or
    :func:`target_syndrome_rate` of an efficiency beta. The ceiling is taken after rounding
    ``n * syndrome_rate`` to 9 decimals, so a rate written as a fraction (0.3 of 1000) gives
    its exact leak.

    Parameters
    ----------
    n : int
        Quantized bits per block (the code length), >= 13.
    syndrome_rate : float
        Target ``(n - k) / n``, in (0, 1). Allowed when it gives 12 <= k <= 8448 and
        k / n <= 0.95, and k <= 3840 where TS 38.212 §7.2.2 picks base graph 2 (k / n <= 0.25,
        or k <= 3824 and k / n <= 0.67).

    Returns
    -------
    code : linksim.fec.ldpc.LDPC5G
        The code, ``code.k = k``, ``code.n = n``.
    leaked_bits : int
        ``n - k``, the syndrome bits a block reveals (add the confirmation hash's bits).
    """
    from linksim.fec.code import cached_code
    from linksim.fec.ldpc.nr5g import K_MAX, K_MAX_BG2, K_MIN, MAX_CODERATE, select_base_graph

    n = check_int("n", n, K_MIN + 1, None, "5G NR LDPC: k >= 12 and n > k")
    r = check_real("syndrome_rate", syndrome_rate)
    if not 0.0 < r < 1.0:
        raise ValueError(f"syndrome_rate: got {syndrome_rate!r}; allowed: a number in (0, 1)")
    leak = math.ceil(round(n * r, 9))
    k = n - leak
    if k < K_MIN or k > K_MAX or k / n > MAX_CODERATE:
        k_top = math.floor(MAX_CODERATE * n)            # the largest k with k/n <= 0.95
        k_top += (k_top + 1) / n <= MAX_CODERATE
        k_top -= k_top / n > MAX_CODERATE
        lo = (n - k_top) / n
        hi = (n - K_MIN) / n
        raise ValueError(f"syndrome_rate: got {syndrome_rate!r} for n={n} (k = {k}); allowed: "
                         f"12 <= k <= {K_MAX} and k/n <= {MAX_CODERATE} (5G NR LDPC): any "
                         f"rate in [{lo:.6g}, {hi:.6g}] with k <= {K_MAX} works")
    if select_base_graph(k, k / n) == 2 and k > K_MAX_BG2:
        raise ValueError(f"syndrome_rate: got {syndrome_rate!r} for n={n} (k = {k}, rate "
                         f"{k / n:.3f}); allowed: k <= {K_MAX_BG2} where TS 38.212 §7.2.2 picks "
                         f"base graph 2 (k/n <= 0.25): use shorter blocks")
    return cached_code("ldpc5g", k, n), leak


# ------------------------------------------------------------------------- confirmation
def confirm(q_hat, decoded_ok, tag, seeds) -> np.ndarray:
    """The base station's verdict per frame: agreed when the decoder converged and the hash matches.

    The user's ``tag`` is ``toeplitz_hash(q, seeds)``
    (:func:`linksim.security.privacy_amplification.toeplitz_hash`, seeds from
    :func:`linksim.security.privacy_amplification.toeplitz_seeds` with ``n_in = n`` and
    ``n_out = m``). Not agreed ("failed") means a detected failure: the decoder did not
    converge, or the hash of ``q_hat`` differs from ``tag``. An agreed frame with
    ``q_hat != q`` is an undetected mismatch (:func:`undetected_mismatches`), probability
    ``2^-m`` per wrong block over the seeds.

    Input
    -----
    q_hat : uint8 [batch, n]
        The base station's estimate (:func:`reconcile`).
    decoded_ok : bool [batch]
        The decoder's flag (:func:`reconcile`).
    tag : uint8 [batch, m]
        The user's published hash of ``q``.
    seeds : uint8 [batch, n + m - 1]
        The public seeds of ``tag`` (or one seed [n + m - 1] for every frame).

    Returns
    -------
    agreed : bool [batch]
        ``decoded_ok`` and ``toeplitz_hash(q_hat, seeds) == tag``.
    """
    ok = np.asarray(decoded_ok, bool)
    tag = _bits("tag", tag)
    mine = toeplitz_hash(_bits("q_hat", q_hat), seeds)
    if tag.shape != mine.shape or ok.shape != mine.shape[:-1]:
        raise ValueError(f"tag, decoded_ok: got shapes {tag.shape}, {ok.shape}; allowed: "
                         f"{mine.shape} and {mine.shape[:-1]} (the hash of q_hat with seeds)")
    return ok & (tag == mine).all(axis=-1)


def undetected_mismatches(q, q_hat, agreed) -> np.ndarray:
    """Frames accepted with a wrong block: ``agreed`` and ``q_hat != q`` (needs the true ``q``).

    Input
    -----
    q : uint8 [batch, n]
        The user's bits.
    q_hat : uint8 [batch, n]
        The base station's estimate.
    agreed : bool [batch]
        :func:`confirm`'s verdict.

    Returns
    -------
    undetected : bool [batch]
        ``agreed & any(q_hat != q)``.
    """
    q = _bits("q", q)
    q_hat = _bits("q_hat", q_hat, q.shape[-1])
    agreed = np.asarray(agreed, bool)
    if q.shape != q_hat.shape or agreed.shape != q.shape[:-1]:
        raise ValueError(f"q_hat, agreed: got shapes {q_hat.shape}, {agreed.shape}; allowed: "
                         f"{q.shape} and {q.shape[:-1]}")
    return agreed & (q != q_hat).any(axis=-1)


# ----------------------------------------------------------------------- one whole round
@dataclass(frozen=True)
class Reconciliation:
    """What one round of :func:`reconciliation_round` published and concluded, per frame.

    Parameters
    ----------
    leaked_bits : int
        Public bits per block, ``(n - k) + confirm_bits`` (the code-offset message counts as
        its ``n - k`` coset bits; the seeds are independent of ``q`` and leak nothing).

    Input
    -----
    public : uint8 [batch, n]
        The code-offset message ``t`` (:func:`public_message`).
    seeds : uint8 [batch, n + confirm_bits - 1]
        The public hash seeds (``toeplitz_seeds``).
    tag : uint8 [batch, confirm_bits]
        The user's hash of ``q``, ``toeplitz_hash(q, seeds)``.
    q_hat : uint8 [batch, n]
        The base station's estimate of ``q``.
    decoded_ok : bool [batch]
        The decoder's flag.
    agreed : bool [batch]
        :func:`confirm`'s verdict; ``~agreed`` are the detected failures.
    """

    public: np.ndarray
    seeds: np.ndarray
    tag: np.ndarray
    q_hat: np.ndarray
    decoded_ok: np.ndarray
    agreed: np.ndarray
    leaked_bits: int


def reconciliation_round(q, llr, code, rng: np.random.Generator, confirm_bits: int = 32,
                         **decoder_options) -> Reconciliation:
    """One reconciliation of every frame: code-offset syndrome, BP at the base station, hash check.

    :func:`public_message` and the Toeplitz hash of ``q`` at the user
    (:func:`linksim.security.privacy_amplification.toeplitz_seeds` and ``toeplitz_hash``),
    :func:`reconcile` and :func:`confirm` at the base station. Draw order: the code-offset
    message ``u`` [batch, k], then the seeds [batch, n + confirm_bits - 1].

    Parameters
    ----------
    code : linksim.fec.code.Code
        The reconciliation code (e.g. :func:`choose_code`).
    rng : numpy.random.Generator
        The user's randomness (``u``) and the public seeds.
    confirm_bits : int
        Hash length m, >= 1.
    **decoder_options : dict
        Keywords of ``code.decode_llr`` (``num_iter``, ``algorithm``, ``early_stop``, ...).

    Input
    -----
    q : uint8 [batch, n]
        The user's bits.
    llr : float [batch, n]
        The base station's LLRs of ``q``, ``ln P(q=0 | x) / P(q=1 | x)``.

    Returns
    -------
    result : Reconciliation
        The public messages, ``q_hat``, the decoder flags, the verdicts and ``leaked_bits``.
    """
    q = _bits("q", q, code.n)
    m = check_int("confirm_bits", confirm_bits, 1)
    t = public_message(q, code, rng)
    seeds = toeplitz_seeds(rng, code.n, m, q.shape[:-1])
    tag = toeplitz_hash(q, seeds)
    q_hat, ok = reconcile(t, llr, code, **decoder_options)
    agreed = confirm(q_hat, ok, tag, seeds)
    return Reconciliation(public=t, seeds=seeds, tag=tag, q_hat=q_hat, decoded_ok=ok,
                          agreed=agreed, leaked_bits=code.n - code.k + m)


# ---------------------------------------------------------------------------- efficiency
def efficiency(leak_per_symbol, h_q, i_qx) -> np.ndarray:
    """The reconciliation efficiency ``beta = (H(Q) - leak / n_sym) / I(Q; X)`` (QKD, CV-QKD).

    The key material left after reconciliation, ``H(Q)`` minus the public bits, over what an
    ideal (Slepian-Wolf) reconciliation leaves, ``I(Q; X) = H(Q) - H(Q|X)``; beta = 1 exactly
    when the leak is ``H(Q|X)`` per symbol, beta < 1 for a real code (the usual definition of
    CV-QKD reverse reconciliation, with the user's quantized ``Q`` as the reconciled
    variable; DV-QKD's ``f = leak / (n_sym H(Q|X))`` is ``1 + (1 - beta) I(Q; X) / H(Q|X)``).
    Per-bit form: with ``b`` quantized
    bits per symbol and a leak of ``r`` bits per quantized bit, ``leak_per_symbol = b r``. All
    inputs in bits per symbol, broadcast together.

    Input
    -----
    leak_per_symbol : float [...]
        Public bits per symbol, ``((n - k) + confirm_bits) / n_sym`` (or without the hash), >= 0.
    h_q : float [...]
        ``H(Q)``, the entropy of the user's quantized symbol, >= 0.
    i_qx : float [...]
        ``I(Q; X)``, the mutual information between it and the base station's side
        information, > 0.

    Returns
    -------
    beta : float64 [...]
        The efficiency (a 0-d array for scalar inputs).
    """
    leak, hq, iqx = _efficiency_args(leak_per_symbol=leak_per_symbol, h_q=h_q, i_qx=i_qx)
    return (hq - leak) / iqx


def target_syndrome_rate(beta, h_q, i_qx, bits_per_symbol: int) -> np.ndarray:
    """The syndrome rate per quantized bit at which :func:`efficiency` equals ``beta``.

    ``r = (H(Q) - beta I(Q; X)) / b``, the inverse of :func:`efficiency` in its per-bit form
    (``beta = 1``: the Slepian-Wolf rate ``H(Q|X) / b``). Pass it to :func:`choose_code`.

    Parameters
    ----------
    bits_per_symbol : int
        Quantized bits per symbol b, >= 1.

    Input
    -----
    beta : float [...]
        Target efficiency, in (0, 1] in practice (any finite value is accepted).
    h_q : float [...]
        ``H(Q)`` in bits per symbol, >= 0.
    i_qx : float [...]
        ``I(Q; X)`` in bits per symbol, > 0.

    Returns
    -------
    syndrome_rate : float64 [...]
        ``(n - k) / n`` per quantized bit.
    """
    b = check_int("bits_per_symbol", bits_per_symbol, 1)
    beta_arr = np.asarray(beta, np.float64)
    if not np.all(np.isfinite(beta_arr)):
        raise ValueError(f"beta: got {beta!r}; allowed: finite numbers")
    _, hq, iqx = _efficiency_args(leak_per_symbol=0.0, h_q=h_q, i_qx=i_qx)
    return (hq - beta_arr * iqx) / b


def _efficiency_args(**values):
    out = []
    for name, value in values.items():
        arr = np.asarray(value, np.float64)
        lo_open = name == "i_qx"
        if not np.all(np.isfinite(arr)) or np.any(arr <= 0 if lo_open else arr < 0):
            allowed = "finite numbers > 0" if lo_open else "finite numbers >= 0"
            raise ValueError(f"{name}: got {value!r}; allowed: {allowed} (bits per symbol)")
        out.append(arr)
    return out
