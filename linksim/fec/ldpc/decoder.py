"""Belief-propagation decoding of binary LDPC codes: Numba kernels over the batch.

Graph representation
--------------------
Every code is held as a quasi-cyclic (QC) graph: a base matrix whose entries are cyclic shifts
of the Z x Z identity. Entry (row i, column j, shift P) means that check ``i*Z + t`` involves
variable ``j*Z + (t + P) mod Z`` for t = 0..Z-1. The 5G NR codes are QC by construction; any
other parity-check matrix (an alist file, say) is the special case Z = 1, shift 0. One set of
kernels thus decodes every code, and for QC codes the innermost loops run over the Z
independent checks of a base row, contiguous in memory, which the compiler vectorizes (SIMD).

LLR convention (DESIGN.md): ``llr = ln P(b=0|y)/P(b=1|y)``; a hard decision is ``llr < 0 -> 1``.

Check-node rules
----------------
* ``"spa"``  sum-product (belief propagation): the exact box-plus
  ``r_j = 2 atanh( prod_{i != j} tanh(q_i / 2) )``, with forward/backward products (no
  division, so a zero ``tanh`` is harmless). float32 by default (``precision``); float64 is
  there to check that the rounding does not matter.
* ``"nms"``  normalized min-sum  ``r_j = alpha * prod_{i != j} sign(q_i) * min_{i != j} |q_i|``.
* ``"oms"``  offset min-sum      ``r_j = prod sign * max(min_{i != j} |q_i| - beta, 0)``.
  The min-sum rules only compare and scale, so float32 loses nothing.
Check outputs are clipped to ``+-llr_max``, which keeps every message finite.

Schedules
---------
* flooding: all checks read the variable-to-check messages of the previous iteration.
* layered (row-layered): base rows are processed one after another and each refreshes the
  posteriors at once, so later rows of the same iteration see the update; it converges in
  about half the iterations of flooding. The Z checks of one base row share no variable
  (each is a permutation), so updating them together is exactly the serial schedule.

Every kernel is compiled with fastmath, which assumes no inf or NaN: channel LLRs are clipped
to +-KNOWN_LLR and check outputs to +-llr_max, so every message stays finite.

Early stop: after each iteration the hard decision of the posteriors is checked against every
parity check; a zero syndrome ends the decoding of that frame.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import scipy.sparse as sp

__all__ = ["QCGraph", "CN_RULES", "SCHEDULES", "bp_decode", "KNOWN_LLR"]

CN_RULES = ("spa", "nms", "oms")
SCHEDULES = ("flooding", "layered")
_RULE_CODE = {"spa": 0, "nms": 1, "oms": 2}
#: LLR of a bit known to be 0 (filler bits): finite, so no inf - inf can arise anywhere.
KNOWN_LLR = 1.0e30


class QCGraph:
    """A quasi-cyclic Tanner graph: base entries (row, column, shift) and the lifting size Z.

    Attributes
    ----------
    z : int                 lifting size (1 for a plain parity-check matrix)
    n_base_rows, n_base_cols : int
    row_ptr : int64 [rows + 1]   entries of base row i are ``row_ptr[i]:row_ptr[i+1]``
    ent_col, ent_shift : int64 [E_base]   block column and shift of each entry
    n_checks, n_vars, n_edges : int      lifted sizes (rows*Z, cols*Z, E_base*Z)
    """

    def __init__(self, rows, cols, shifts, z: int, n_base_rows: int, n_base_cols: int):
        rows, cols, shifts = (np.asarray(a, np.int64).ravel() for a in (rows, cols, shifts))
        if not rows.size == cols.size == shifts.size:
            raise ValueError("rows, cols, shifts: must have equal lengths")
        if np.any((shifts < 0) | (shifts >= z)):
            raise ValueError(f"shifts: must lie in [0, z) = [0, {z})")
        order = np.lexsort((cols, rows))
        rows, cols, shifts = rows[order], cols[order], shifts[order]
        if np.any((np.diff(rows) == 0) & (np.diff(cols) == 0)):
            raise ValueError("rows, cols: duplicate entry; a base entry holds one shift")
        self.z = int(z)
        self.n_base_rows, self.n_base_cols = int(n_base_rows), int(n_base_cols)
        self.row_ptr = np.searchsorted(rows, np.arange(n_base_rows + 1)).astype(np.int64)
        self.ent_col = cols
        self.ent_shift = shifts
        self.n_checks = self.n_base_rows * self.z
        self.n_vars = self.n_base_cols * self.z
        self.n_edges = rows.size * self.z
        degrees = np.diff(self.row_ptr)
        self.max_row_degree = int(degrees.max()) if degrees.size else 0

    @classmethod
    def from_pcm(cls, pcm) -> "QCGraph":
        """Graph of a plain binary parity-check matrix [M, N] (Z = 1)."""
        h = sp.coo_matrix(pcm)
        h.sum_duplicates()
        h.eliminate_zeros()
        if h.data.size and np.any(h.data % 2 != 1):
            raise ValueError("pcm: entries must be 0 or 1; allowed: a binary matrix")
        return cls(h.row, h.col, np.zeros(h.nnz, np.int64), 1, h.shape[0], h.shape[1])

    def to_pcm(self) -> sp.csr_matrix:
        """The lifted parity-check matrix, CSR uint8 [n_checks, n_vars]."""
        z = self.z
        base_rows = np.repeat(np.arange(self.n_base_rows), np.diff(self.row_ptr))
        t = np.arange(z)
        r = (base_rows[:, None] * z + t).ravel()
        c = (self.ent_col[:, None] * z + (t + self.ent_shift[:, None]) % z).ravel()
        return sp.csr_matrix((np.ones(r.size, np.uint8), (r, c)), shape=(self.n_checks, self.n_vars))

    def syndrome(self, bits) -> np.ndarray:
        """``H @ bits mod 2``: bits uint8 [..., n_vars] -> uint8 [..., n_checks]."""
        bits = np.asarray(bits)
        if bits.shape[-1:] != (self.n_vars,):
            raise ValueError(f"bits: got shape {bits.shape}; allowed: [..., {self.n_vars}]")
        flat = np.ascontiguousarray(bits.reshape(-1, self.n_vars), dtype=np.uint8)
        out = _syndrome_kernel(flat, self.z, self.row_ptr, self.ent_col, self.ent_shift)
        return out.reshape(bits.shape[:-1] + (self.n_checks,))


@nb.njit(parallel=True, cache=True)
def _syndrome_kernel(bits, z, row_ptr, ent_col, ent_shift):
    n_frames = bits.shape[0]
    n_rows = row_ptr.size - 1
    out = np.zeros((n_frames, n_rows * z), np.uint8)
    for b in nb.prange(n_frames):
        for i in range(n_rows):
            for e in range(row_ptr[i], row_ptr[i + 1]):
                base = ent_col[e] * z
                p = ent_shift[e]
                for t in range(z - p):
                    out[b, i * z + t] ^= bits[b, base + t + p]
                for t in range(z - p, z):
                    out[b, i * z + t] ^= bits[b, base + t + p - z]
    return out


@nb.njit(cache=True, inline="always")
def _gather(post, msg, q, z, row_ptr, ent_col, ent_shift, i):
    """q[k*Z + t] = post[col*Z + (t+P) mod Z] - msg[e*Z + t] for the entries k of base row i."""
    start = row_ptr[i]
    for k in range(row_ptr[i + 1] - start):
        e = start + k
        base = ent_col[e] * z
        p = ent_shift[e]
        off = k * z
        moff = e * z
        for t in range(z - p):
            q[off + t] = post[base + t + p] - msg[moff + t]
        for t in range(z - p, z):
            q[off + t] = post[base + t + p - z] - msg[moff + t]


@nb.njit(cache=True, inline="always")
def _parity_ok(post, z, row_ptr, ent_col, ent_shift, acc):
    """True when the hard decision of ``post`` satisfies every check."""
    for i in range(row_ptr.size - 1):
        acc[:z] = 0
        for e in range(row_ptr[i], row_ptr[i + 1]):
            base = ent_col[e] * z
            p = ent_shift[e]
            for t in range(z - p):
                acc[t] ^= post[base + t + p] < 0
            for t in range(z - p, z):
                acc[t] ^= post[base + t + p - z] < 0
        for t in range(z):
            if acc[t]:
                return False
    return True


@nb.njit(cache=True, inline="always")
def _minsum_update(q, r, deg, z, rule, alpha, beta, llr_max, min1, min2, pos, neg):
    """Min-sum check update of one base row, vectorized over its Z checks."""
    big = np.float32(3.0e38)
    for t in range(z):
        min1[t] = big
        min2[t] = big
        pos[t] = -1
        neg[t] = 0
    for k in range(deg):
        off = k * z
        for t in range(z):
            x = q[off + t]
            a = abs(x)
            m1 = min1[t]
            min2[t] = min(min2[t], max(m1, a))
            if a < m1:
                pos[t] = k
            min1[t] = min(m1, a)
            neg[t] ^= np.uint8(x < 0)
    lim = np.float32(llr_max)
    if rule == 1:
        for t in range(z):
            min1[t] = min(alpha * min1[t], lim)
            min2[t] = min(alpha * min2[t], lim)
    else:
        for t in range(z):
            min1[t] = min(max(min1[t] - beta, np.float32(0.0)), lim)
            min2[t] = min(max(min2[t] - beta, np.float32(0.0)), lim)
    for k in range(deg):
        off = k * z
        for t in range(z):
            mag = min2[t] if pos[t] == k else min1[t]
            r[off + t] = -mag if (neg[t] ^ np.uint8(q[off + t] < 0)) else mag


@nb.njit(cache=True, inline="always")
def _spa_update(q, r, deg, z, llr_max, tq):
    """Sum-product check update of one base row, per check: r_k = 2 atanh(prod_{i != k} tanh(q_i/2)).

    tanh(x/2) = (1 - e^-x) / (1 + e^-x) and 2 atanh(y) = ln((1 + y) / (1 - y)) cost one exp
    and one log per edge; the product over the other edges uses prefix and suffix products.
    """
    one = q.dtype.type(1.0)
    # |y| <= tanh(llr_max / 2), but never 1 itself: in float32 tanh(10) rounds to 1.0 and
    # ln(2 / 0) = inf. So float32 caps messages at ln((2 - u) / u) ~ 17.3 (u = 2^-24).
    limit = min(q.dtype.type(math.tanh(0.5 * llr_max)), np.nextafter(one, q.dtype.type(0.0)))
    for k in range(deg * z):
        x = q[k]
        e = math.exp(-abs(x))
        t = (one - e) / (one + e)
        tq[k] = t if x >= 0 else -t
    for t in range(z):
        acc = one
        for k in range(deg):
            r[k * z + t] = acc
            acc *= tq[k * z + t]
        acc = one
        for k in range(deg - 1, -1, -1):
            y = r[k * z + t] * acc
            acc *= tq[k * z + t]
            y = min(max(y, -limit), limit)
            r[k * z + t] = math.log((one + y) / (one - y))


@nb.njit(parallel=True, cache=True, fastmath=True)
def _decode_layered(llr, z, row_ptr, ent_col, ent_shift, max_deg, num_iter, rule, alpha, beta,
                    llr_max, early_stop, hard, iterations, zero):
    # ``zero`` fixes the working precision: float32 for min-sum, float64 for SPA.
    n_frames, n_vars = llr.shape
    n_rows = row_ptr.size - 1
    n_edges = ent_col.size * z
    for b in nb.prange(n_frames):
        post = np.empty(n_vars, zero.dtype)
        for v in range(n_vars):
            post[v] = llr[b, v]
        msg = np.zeros(n_edges, zero.dtype)
        q = np.empty(max_deg * z, zero.dtype)
        r = np.empty(max_deg * z, zero.dtype)
        fwd = np.empty(max_deg * z, zero.dtype)
        min1 = np.empty(z, zero.dtype)
        min2 = np.empty(z, zero.dtype)
        pos = np.empty(z, np.int32)
        neg = np.empty(z, np.uint8)
        acc = np.empty(z, np.bool_)
        used = num_iter
        for it in range(num_iter):
            for i in range(n_rows):
                _gather(post, msg, q, z, row_ptr, ent_col, ent_shift, i)
                start = row_ptr[i]
                deg = row_ptr[i + 1] - start
                if rule == 0:
                    _spa_update(q, r, deg, z, llr_max, fwd)
                else:
                    _minsum_update(q, r, deg, z, rule, alpha, beta, llr_max, min1, min2, pos, neg)
                for k in range(deg):
                    e = start + k
                    base = ent_col[e] * z
                    p = ent_shift[e]
                    off = k * z
                    moff = e * z
                    for t in range(z - p):
                        post[base + t + p] = q[off + t] + r[off + t]
                        msg[moff + t] = r[off + t]
                    for t in range(z - p, z):
                        post[base + t + p - z] = q[off + t] + r[off + t]
                        msg[moff + t] = r[off + t]
            if early_stop and _parity_ok(post, z, row_ptr, ent_col, ent_shift, acc):
                used = it + 1
                break
        for v in range(n_vars):
            hard[b, v] = post[v] < 0
        iterations[b] = used


@nb.njit(parallel=True, cache=True, fastmath=True)
def _decode_flooding(llr, z, row_ptr, ent_col, ent_shift, max_deg, num_iter, rule, alpha, beta,
                     llr_max, early_stop, hard, iterations, zero):
    n_frames, n_vars = llr.shape
    n_rows = row_ptr.size - 1
    n_edges = ent_col.size * z
    for b in nb.prange(n_frames):
        chan = np.empty(n_vars, zero.dtype)
        for v in range(n_vars):
            chan[v] = llr[b, v]
        post = chan.copy()
        new_post = np.empty(n_vars, zero.dtype)
        msg = np.zeros(n_edges, zero.dtype)
        q = np.empty(max_deg * z, zero.dtype)
        r = np.empty(max_deg * z, zero.dtype)
        fwd = np.empty(max_deg * z, zero.dtype)
        min1 = np.empty(z, zero.dtype)
        min2 = np.empty(z, zero.dtype)
        pos = np.empty(z, np.int32)
        neg = np.empty(z, np.uint8)
        acc = np.empty(z, np.bool_)
        used = num_iter
        for it in range(num_iter):
            new_post[:] = chan
            for i in range(n_rows):
                # variable-to-check messages: last iteration's posterior minus this edge's own
                # check message (extrinsic)
                _gather(post, msg, q, z, row_ptr, ent_col, ent_shift, i)
                start = row_ptr[i]
                deg = row_ptr[i + 1] - start
                if rule == 0:
                    _spa_update(q, r, deg, z, llr_max, fwd)
                else:
                    _minsum_update(q, r, deg, z, rule, alpha, beta, llr_max, min1, min2, pos, neg)
                for k in range(deg):
                    e = start + k
                    base = ent_col[e] * z
                    p = ent_shift[e]
                    off = k * z
                    moff = e * z
                    for t in range(z - p):
                        new_post[base + t + p] += r[off + t]
                        msg[moff + t] = r[off + t]
                    for t in range(z - p, z):
                        new_post[base + t + p - z] += r[off + t]
                        msg[moff + t] = r[off + t]
            post[:] = new_post
            if early_stop and _parity_ok(post, z, row_ptr, ent_col, ent_shift, acc):
                used = it + 1
                break
        for v in range(n_vars):
            hard[b, v] = post[v] < 0
        iterations[b] = used


def bp_decode(graph: QCGraph, llr: np.ndarray, *, num_iter: int = 20, algorithm: str = "spa",
              schedule: str | None = None, early_stop: bool = True, alpha: float = 0.75,
              beta: float = 0.5, llr_max: float = 20.0, precision: str = "float32"):
    """Decode a batch of frames on ``graph``.

    Parameters
    ----------
    graph : QCGraph
    llr : float [B, N]   channel LLRs (ln P(0)/P(1)) of the graph's variables; 0 = erased or
        punctured; +-inf (a known bit) is clipped to +-KNOWN_LLR.
    num_iter : int       maximum iterations (>= 1).
    algorithm : "spa" | "nms" | "oms"   check-node rule (module docstring).
    schedule : "flooding" | "layered" | None   None: flooding for SPA, layered for min-sum.
    early_stop : bool    stop a frame once its syndrome is zero.
    alpha, beta : float  normalization (nms) and offset (oms).
    llr_max : float      clipping of check-node outputs.
    precision : "float32" | "float64"   arithmetic of the messages.

    Returns
    -------
    hard : uint8 [B, N]        hard decisions of the posteriors.
    iterations : int32 [B]     iterations used per frame.
    """
    if algorithm not in CN_RULES:
        raise ValueError(f"algorithm: got {algorithm!r}; allowed: {', '.join(CN_RULES)}")
    if schedule is None:
        schedule = "flooding" if algorithm == "spa" else "layered"
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule: got {schedule!r}; allowed: {', '.join(SCHEDULES)}")
    if isinstance(num_iter, bool) or not isinstance(num_iter, (int, np.integer)) or num_iter < 1:
        raise ValueError(f"num_iter: got {num_iter!r}; allowed: an integer >= 1")
    for name, value in (("alpha", alpha), ("beta", beta)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name}: got {value!r}; allowed: a finite number >= 0")
    if not np.isfinite(llr_max) or llr_max <= 0:
        raise ValueError(f"llr_max: got {llr_max!r}; allowed: a finite number > 0")
    llr = np.asarray(llr)
    if llr.ndim != 2 or llr.shape[1] != graph.n_vars:
        raise ValueError(f"llr: got shape {llr.shape}; allowed: [batch, {graph.n_vars}]")
    if not np.issubdtype(llr.dtype, np.floating):
        raise TypeError(f"llr: got dtype {llr.dtype}; allowed: a floating dtype")
    if np.isnan(llr).any():
        raise ValueError("llr: contains NaN; allowed: real LLRs (+-inf marks a known bit)")
    if precision not in ("float32", "float64"):
        raise ValueError(f"precision: got {precision!r}; allowed: 'float32' or 'float64'")
    dtype = np.dtype(precision).type
    llr = np.ascontiguousarray(np.clip(llr, -KNOWN_LLR, KNOWN_LLR), dtype=dtype)
    hard = np.empty(llr.shape, np.uint8)
    iterations = np.empty(llr.shape[0], np.int32)
    kernel = _decode_layered if schedule == "layered" else _decode_flooding
    kernel(llr, graph.z, graph.row_ptr, graph.ent_col, graph.ent_shift, max(graph.max_row_degree, 1),
           int(num_iter), _RULE_CODE[algorithm], dtype(alpha), dtype(beta), dtype(llr_max),
           bool(early_stop), hard, iterations, np.zeros(1, dtype))
    return hard, iterations
