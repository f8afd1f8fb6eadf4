"""Belief-propagation decoding of binary LDPC codes: Numba kernels over the batch.

Graph representation
--------------------
Every code is held as a quasi-cyclic (QC) graph: a base matrix whose entries are cyclic shifts
of the Z x Z identity. Entry (row i, column j, shift P) means that check ``i*Z + t`` involves
variable ``j*Z + (t + P) mod Z`` for t = 0..Z-1. The 5G NR codes are QC by construction; any
other parity-check matrix (an alist file, say) is the special case Z = 1, shift 0. The kernels
walk the lifted edge list (check-major CSR), so every code runs through the same kernels.

Vectorization: frames in SIMD lanes
-----------------------------------
The kernels hold up to ``MAX_LANES`` = 64 frames side by side (message arrays ``[edge, lane]``,
fewer only where a task's arrays would pass 64 MB), and every arithmetic step is a loop over
the lanes that the compiler turns into SIMD instructions, whatever the structure of the code.
Each lane decodes its own frame with its own iteration count: when a frame's syndrome is zero
(early stop) or it has used ``num_iter`` iterations, its decision is written out and the lane
is refilled with the next frame of the task's queue (lazily: its stale messages are read as 0
during the new frame's first iteration; ``baseline`` of :func:`bp_decode` zeroes them, as the
decoder did before issue 17). Frames therefore never wait for one another, and the output of
a frame depends on its LLRs alone (not on the batch, the lane or the thread count).

Two kernels: the layered "nms" and "oms" run on a kernel specialized for them (64 lanes fixed
at compile time, hard decisions and syndromes as bit masks, batched refill, and fixed-point
messages: :mod:`linksim.fec.ldpc.layered_minsum`); every other combination, and every call
with ``baseline``, on the generic kernel below. In floating point both decode every frame
identically.

LLR convention (DESIGN.md): ``llr = ln P(b=0|y)/P(b=1|y)``; a hard decision is ``llr < 0 -> 1``.

Check-node rules
----------------
* ``"spa"``  sum-product (belief propagation): the exact box-plus
  ``r_j = 2 atanh( prod_{i != j} tanh(q_i / 2) )`` with prefix/suffix products (no division,
  so a zero ``tanh`` is harmless).
* ``"nms"``  normalized min-sum  ``r_j = alpha * prod_{i != j} sign(q_i) * min_{i != j} |q_i|``.
* ``"oms"``  offset min-sum      ``r_j = prod sign * max(min_{i != j} |q_i| - beta, 0)``.
Messages are float32 by default (``precision="float64"`` exists to show that rounding does not
change decisions; "int16" and "int8" are the fixed-point min-sum of
:mod:`linksim.fec.ldpc.layered_minsum`). Check outputs are clipped to ``+-llr_max``; in
float32 SPA saturates at about 17.3 on its own, because tanh(x/2) rounds to 1 beyond that.

Schedules
---------
* flooding: every check reads the variable-to-check messages of the previous iteration.
* layered (serial-C): checks are processed one after another and each refreshes the
  posteriors of its variables at once, so later checks in the same iteration use them; this
  converges in about half the iterations of flooding.

The kernels are compiled with fast-math flags that assume no inf or NaN: channel LLRs are
clipped to +-KNOWN_LLR and check outputs to +-llr_max, so every message stays finite. The
generic kernel leaves out contraction and reassociation (``_FASTMATH``), so that a lane's
arithmetic is the same in the SIMD body and the scalar remainder of a loop and a frame's
result does not depend on its batch; the min-sum kernel has nothing they could change. They
also use NumPy's error model: Python's would test every division for a zero divisor and
raise, and that branch keeps the compiler from vectorizing the loop (no divisor here can be
zero).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np
import scipy.sparse as sp
from numba.extending import overload

from . import layered_minsum
from .layered_minsum import task_range

__all__ = ["QCGraph", "CN_RULES", "SCHEDULES", "bp_decode", "checks_satisfied", "KNOWN_LLR",
           "MAX_LANES"]

CN_RULES = ("spa", "nms", "oms")
SCHEDULES = ("flooding", "layered")
_RULE_CODE = {"spa": 0, "nms": 1, "oms": 2}
PRECISIONS = ("float32", "float64") + tuple(layered_minsum.FIXED_POINT)
#: LLR of a bit known to be 0 (filler bits): finite, so no inf - inf can arise anywhere.
KNOWN_LLR = 1.0e30
#: The generic kernel's fast-math flags: no NaN or inf, signed zeros interchangeable (what the
#: min/max and select patterns need to vectorize), but no contraction into FMAs, no
#: reassociation and no approximate reciprocals: the compiler may apply those differently in
#: the SIMD body of a lane loop and in its scalar remainder, so a frame's SPA posteriors, and
#: now and then its decisions, depended on how many lanes its batch had (measured: float32
#: SPA at 1 dB, 640 frames decoded alone or 13 at a time, every posterior row differed in
#: the last bits and one frame's decisions).
_FASTMATH = {"nnan", "ninf", "nsz"}
#: Largest number of frames decoded side by side in SIMD lanes by one task.
MAX_LANES = 64
#: Budget for one task's message and posterior arrays. The lanes are the SIMD width, and they
#: matter more than fitting a cache: BG1 K = 8448 (857 kB a lane) decoded at 1.7 Mb/s with
#: the 4 lanes of a 4 MB budget and at 9.7 Mb/s with 64 lanes (one thread, issue 17); the
#: README code, 64 lanes either way, runs the same at 4, 16 and 64 MB. 64 MB bounds the
#: memory of a task (one per thread alive at a time) for the largest 5G codes.
_TASK_BYTES = 64 << 20


class QCGraph:
    """A quasi-cyclic Tanner graph: base entries (row, column, shift) lifted by Z.

    Entry (row i, column j, shift P) means that check ``i*Z + t`` involves variable
    ``j*Z + (t + P) mod Z`` for t = 0..Z-1; a plain parity-check matrix is Z = 1, shift 0.

    Parameters
    ----------
    rows, cols, shifts : int64 [E_base]
        Base row, base column and shift of each entry (any integer array-likes, raveled);
        shifts in [0, z), no two entries at the same (row, column).
    z : int
        Lifting size.
    n_base_rows, n_base_cols : int
        Size of the base matrix; every entry must lie inside it.

    Attributes
    ----------
    z : int
        Lifting size (1 for a plain parity-check matrix).
    n_base_rows, n_base_cols : int
        Size of the base matrix.
    row_ptr : int64 [n_base_rows + 1]
        Entries of base row i are ``row_ptr[i]:row_ptr[i+1]`` (entries sorted by row, column).
    ent_col, ent_shift : int64 [E_base]
        Block column and shift of each entry.
    n_checks, n_vars, n_edges : int
        Lifted sizes (n_base_rows*Z, n_base_cols*Z, E_base*Z).
    chk_ptr : int64 [n_checks + 1]
        Lifted edges, check-major: the edges of check c are ``chk_ptr[c]:chk_ptr[c+1]``.
    chk_var : int64 [n_edges]
        Variable of each lifted edge (sorted within a check).
    max_check_degree : int
        Largest check degree (0 for a graph without edges).
    """

    def __init__(self, rows, cols, shifts, z: int, n_base_rows: int, n_base_cols: int):
        rows, cols, shifts = (np.asarray(a, np.int64).ravel() for a in (rows, cols, shifts))
        if not rows.size == cols.size == shifts.size:
            raise ValueError("rows, cols, shifts: must have equal lengths")
        if np.any((shifts < 0) | (shifts >= z)):
            raise ValueError(f"shifts: must lie in [0, z) = [0, {z})")
        if rows.size and (rows.min() < 0 or rows.max() >= n_base_rows or cols.min() < 0
                          or cols.max() >= n_base_cols):
            raise ValueError("rows, cols: entries outside the base matrix")
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
        pcm = self.to_pcm()
        self.chk_ptr = pcm.indptr.astype(np.int64)
        self.chk_var = pcm.indices.astype(np.int64)
        degrees = np.diff(self.chk_ptr)
        self.max_check_degree = int(degrees.max()) if degrees.size else 0

    @classmethod
    def from_pcm(cls, pcm) -> "QCGraph":
        """Graph of a plain binary parity-check matrix (Z = 1, every shift 0).

        Input
        -----
        pcm : uint8 [M, N]
            Dense or scipy.sparse; entries 0 or 1 (any numeric dtype).

        Returns
        -------
        graph : QCGraph
            Its Tanner graph: M checks, N variables.
        """
        h = sp.coo_matrix(pcm)
        h.sum_duplicates()
        h.eliminate_zeros()
        if h.data.size and np.any(h.data != 1):
            raise ValueError("pcm: entries must be 0 or 1; allowed: a binary matrix")
        return cls(h.row, h.col, np.zeros(h.nnz, np.int64), 1, h.shape[0], h.shape[1])

    def to_pcm(self) -> sp.csr_matrix:
        """The lifted parity-check matrix H (module docstring, "Graph representation").

        Output
        ------
        pcm : scipy.sparse.csr_matrix, uint8 [n_checks, n_vars]
            Entries 1 on the edges, sorted indices.
        """
        z = self.z
        base_rows = np.repeat(np.arange(self.n_base_rows), np.diff(self.row_ptr))
        t = np.arange(z)
        r = (base_rows[:, None] * z + t).ravel()
        c = (self.ent_col[:, None] * z + (t + self.ent_shift[:, None]) % z).ravel()
        h = sp.csr_matrix((np.ones(r.size, np.uint8), (r, c)), shape=(self.n_checks, self.n_vars))
        h.sort_indices()
        return h

    def syndrome(self, bits) -> np.ndarray:
        """The syndrome ``H @ bits mod 2``.

        Input
        -----
        bits : uint8 [..., n_vars]
            Hard decisions in {0, 1} (any integer dtype).

        Output
        ------
        syndrome : uint8 [..., n_checks]
            1 where a check is not satisfied.
        """
        bits = np.asarray(bits)
        if bits.shape[-1:] != (self.n_vars,):
            raise ValueError(f"bits: got shape {bits.shape}; allowed: [..., {self.n_vars}]")
        flat = bits.reshape(-1, self.n_vars).astype(np.int32)
        pcm = sp.csr_matrix((np.ones(self.n_edges, np.int32), self.chk_var, self.chk_ptr),
                            shape=(self.n_checks, self.n_vars))
        out = (pcm @ flat.T).T & 1
        return out.astype(np.uint8).reshape(bits.shape[:-1] + (self.n_checks,))


def checks_satisfied(graph: QCGraph, hard: np.ndarray, iterations: np.ndarray,
                     num_iter: int, early_stop: bool) -> np.ndarray:
    """Whether each frame's hard decisions satisfy every check of ``graph`` (``H c = 0``).

    With early stop, a frame that used fewer than ``num_iter`` iterations stopped because its
    syndrome was zero, and the kernel wrote out the decisions it had just checked, so only the
    frames that used all ``num_iter`` iterations are checked here (``graph.syndrome``).
    Without early stop every frame is.

    Parameters
    ----------
    graph : QCGraph
        The graph :func:`bp_decode` decoded on.
    num_iter : int
        The ``num_iter`` passed to :func:`bp_decode`.
    early_stop : bool
        The ``early_stop`` passed to :func:`bp_decode`.

    Input
    -----
    hard : uint8 [B, n_vars]
        Hard decisions returned by :func:`bp_decode`.
    iterations : int32 [B]
        Iterations per frame returned by :func:`bp_decode`.

    Returns
    -------
    ok : bool [B]
        True where every check is satisfied.
    """
    ok = np.ones(hard.shape[0], bool)
    todo = np.flatnonzero(iterations >= num_iter) if early_stop else np.arange(hard.shape[0])
    if todo.size:
        ok[todo] = ~graph.syndrome(hard[todo]).any(axis=-1)
    return ok


@nb.njit(cache=True, inline="always")
def _minsum_update(q, r, deg, lanes, rule, alpha, beta, llr_max, min1, min2, sign):
    """Min-sum check update, "nms" or "oms" of the module docstring, on the first ``deg`` rows.

    q : float32 or float64 [max_deg, lanes], variable-to-check messages (rows :deg used);
    r : same dtype and shape, written; min1, min2, sign : [lanes], scratch of the same dtype;
    rule : int (1 nms, 2 oms); alpha, beta, llr_max : scalars of the message dtype.

    The edge holding the minimum is the one whose |q| equals min1: on a tie min2 equals min1,
    so which of the tied edges gets min2 does not matter. This avoids tracking its index.
    """
    big = q.dtype.type(3.0e38)
    zero = q.dtype.type(0.0)
    one = q.dtype.type(1.0)
    for l in range(lanes):
        min1[l] = big
        min2[l] = big
        sign[l] = one
    for i in range(deg):
        for l in range(lanes):
            x = q[i, l]
            a = abs(x)
            m1 = min1[l]
            min2[l] = min(min2[l], max(m1, a))
            min1[l] = min(m1, a)
            sign[l] = -sign[l] if x < zero else sign[l]
    for i in range(deg):
        for l in range(lanes):
            x = q[i, l]
            m = min2[l] if abs(x) == min1[l] else min1[l]
            if rule == 1:
                m = alpha * m
            else:
                m = max(m - beta, zero)
            m = min(m, llr_max)
            r[i, l] = -sign[l] * m if x < zero else sign[l] * m


#: Largest |LLR| the SPA arithmetic handles (the range reduction of ``_atanh2`` in float64).
SPA_LLR_MAX = 40.0
_LN2 = math.log(2.0)


def _tanh_half(a):
    """tanh(a / 2) for a >= 0. Reference (NumPy) version; kernels use the overloads below."""
    return np.tanh(0.5 * a)


def _atanh2(y):
    """2 atanh(y) = ln((1 + y) / (1 - y)) for 0 <= y < 1. Reference (NumPy) version."""
    return 2.0 * np.arctanh(y)


def _spa_math(ft, a_max, em_inv, series):
    """Vectorizable tanh(a/2) and 2 atanh(y) in the float type ``ft`` (no libm calls).

    tanh(a/2): with a = k ln2 + r, r in [0, ln 2) and p = 2^-k (built from the bits of k by
    selects), 1 - e^-a = (1 - p) + p em with em = -expm1(-r) by its Taylor series (inverse
    factorials ``em_inv``), and tanh(a/2) = (1 - e^-a) / (1 + e^-a) = num / (2 - num). No
    cancellation for small a (num = em when k = 0).
    2 atanh(y): for y < 1/3 the odd series 2 (z + z^3/3 + ...) with z = y exactly; otherwise
    w = (1 + y)/(1 - y) = 2^k m, m in [1, 2), by branch-free steps b = (w >= 2^j),
    w *= 1 + b (2^-j - 1), and ln w = k ln 2 + 2 atanh((m - 1)/(m + 1)). ``series`` holds the
    coefficients 2/(2i + 1); both truncations sit below the type's rounding.
    """
    one, two, zero, half = ft(1.0), ft(2.0), ft(0.0), ft(0.5)
    ln2, inv_ln2, third = ft(_LN2), ft(1.0 / _LN2), ft(1.0 / 3.0)
    a_max = ft(a_max)
    p_bits = tuple(ft(2.0 ** -(1 << j)) for j in range(6))        # 2^-1, 2^-2, ..., 2^-32
    w_steps = tuple((ft(2.0 ** (1 << j)), ft(2.0 ** -(1 << j)) - one, ft(1 << j))
                    for j in range(5, -1, -1))                     # 2^32, 2^16, ..., 2^1
    e = tuple(ft(c) for c in em_inv)
    c = tuple(ft(x) for x in series)
    n_e, n_c = len(e), len(c)

    def tanh_half(a):
        a = min(a, a_max)
        k = np.int64(a * inv_ln2)
        r = a - ft(k) * ln2
        p = one
        for j in range(6):
            p = p * p_bits[j] if (k >> j) & 1 else p
        em = e[n_e - 1]
        for i in range(n_e - 2, -1, -1):
            em = e[i] - r * em
        em = r * em
        num = (one - p) + p * em
        return num / (two - num)

    def atanh2(y):
        w = (one + y) / (one - y)
        k = zero
        for j in range(6):
            big = ft(w >= w_steps[j][0])
            w = w * (one + big * w_steps[j][1])
            k = k + w_steps[j][2] * big
        small = y < third
        z = y if small else (w - one) / (w + one)
        k = zero if small else k
        z2 = z * z
        acc = c[n_c - 1]
        for i in range(n_c - 2, -1, -1):
            acc = c[i] + z2 * acc
        return k * ln2 + z * acc

    return tanh_half, atanh2


# Inverse factorials 1/1!, 1/2!, ... for em = r (1 - r/2! + r^2/3! - ...) (signs by Horner on -r)
def _inv_fact(n):
    return [1.0 / math.factorial(i + 1) for i in range(n)]


def _series(n):
    return [2.0 / (2 * i + 1) for i in range(n)]


# float32: truncations ~1e-8 relative (r^10/11! on [0, ln2); (1/9)^9 * 2/19 for z < 1/3).
# float64: ~1e-11 (r^13/14!; (1/9)^12 * 2/25). Arguments: a up to 20 (float32: tanh(10) is 1)
# or 40; w below 2^64 (SPA_LLR_MAX).
_SPA32 = _spa_math(np.float32, 20.0, _inv_fact(10), _series(9))
_SPA64 = _spa_math(np.float64, 40.0, _inv_fact(13), _series(12))


@overload(_tanh_half, inline="always")
def _tanh_half_ol(a):
    if isinstance(a, nb.types.Float):
        return _SPA32[0] if a.bitwidth == 32 else _SPA64[0]


@overload(_atanh2, inline="always")
def _atanh2_ol(y):
    if isinstance(y, nb.types.Float):
        return _SPA32[1] if y.bitwidth == 32 else _SPA64[1]


def _spa_limit(llr_max: float, dtype) -> float:
    """Largest |prod tanh| the SPA update passes to 2 atanh: tanh(llr_max / 2), and below 1 in
    the message precision (in float32 tanh(10) rounds to 1.0, and 2 atanh(1) = inf). float32
    messages therefore saturate at ln((2 - u)/u) ~ 17.3, u = 2^-24."""
    return float(min(math.tanh(0.5 * llr_max), np.nextafter(dtype(1.0), dtype(0.0))))


@nb.njit(cache=True, inline="always")
def _spa_update(q, r, deg, lanes, limit, tq, acc):
    """Sum-product check update: r_i = 2 atanh(prod_{j != i} tanh(q_j / 2)) (module docstring).

    q : float32 or float64 [max_deg, lanes] (rows :deg used); r : same, written; tq : same,
    scratch; acc : [lanes], scratch of the same dtype; limit : float < 1.

    tanh and atanh are the vectorizable versions of :func:`_spa_math`, in the precision of the
    messages, so every step runs in SIMD lanes. The product over the other edges uses prefix
    and suffix products; ``limit`` < 1 bounds |y| (see :func:`_spa_limit`).
    """
    one = q.dtype.type(1.0)
    for i in range(deg):
        for l in range(lanes):
            x = q[i, l]
            t = _tanh_half(abs(x))
            tq[i, l] = t if x >= 0 else -t
    for l in range(lanes):
        acc[l] = one
    for i in range(deg):
        for l in range(lanes):
            r[i, l] = acc[l]
            acc[l] *= tq[i, l]
    for l in range(lanes):
        acc[l] = one
    for i in range(deg - 1, -1, -1):
        for l in range(lanes):
            y = r[i, l] * acc[l]
            acc[l] *= tq[i, l]
            r[i, l] = min(max(y, -limit), limit)
    # The log gets a loop of its own: fused with the product recurrence above, LLVM leaves
    # the loop scalar (measured 6x slower).
    for i in range(deg):
        for l in range(lanes):
            y = r[i, l]
            out = _atanh2(abs(y))
            r[i, l] = out if y >= 0 else -out


@nb.njit(parallel=True, cache=True)
def _any_nan(llr):
    """Whether float llr [B, N] holds a NaN, on all threads (a one-thread pass over the batch
    before a parallel decoder caps its scaling: 5 % of a 2-thread call on the README code).
    Not fastmath, which may assume NaN away."""
    found = np.zeros(llr.shape[0], np.bool_)
    for b in nb.prange(llr.shape[0]):
        hit = False
        for v in range(llr.shape[1]):
            hit |= np.isnan(llr[b, v])
        found[b] = hit
    return found.any()


@nb.njit(cache=True, inline="always")
def _load_frame(llr, f, lane, chan, post, msg, lazy, layered):
    """Put frame ``f`` into lane ``lane``: posteriors (and, for flooding or the eager refill,
    channel LLRs) set; the lane's messages zeroed unless ``lazy`` (the kernel then reads them
    as 0 for the frame's first iteration; ``baseline`` in :func:`bp_decode` is not lazy).

    llr : float32 or float64 [B, n_vars]; chan, post : [n_vars, lanes] and msg : [n_edges,
    lanes], of llr's dtype, written in column ``lane``.
    """
    for v in range(post.shape[0]):
        post[v, lane] = llr[f, v]
    if not (lazy and layered):        # the layered schedule never reads chan
        for v in range(post.shape[0]):
            chan[v, lane] = llr[f, v]
    if not lazy:
        for e in range(msg.shape[0]):
            msg[e, lane] = 0.0


@nb.njit(parallel=True, cache=True, fastmath=_FASTMATH, error_model="numpy")
def _bp_kernel(llr, chk_ptr, chk_var, max_deg, num_iter, rule, layered, alpha, beta, llr_max,
               spa_limit, early_stop, n_tasks, lanes, hard, iterations, soft, lazy):
    """Decode llr [B, N] (float32 or float64) into hard [B, N] and iterations [B]; see bp_decode.

    soft : llr's dtype, [B, N] (the final posteriors are written too) or [0, N] (they are not).

    chk_ptr : int64 [n_checks + 1], chk_var : int64 [n_edges] (:class:`QCGraph`); hard :
    uint8 [B, N] and iterations : int32 [B], written. rule : int (0 spa, 1 nms, 2 oms);
    layered, early_stop : bool; alpha, beta, llr_max : scalars of llr's dtype; n_tasks, lanes :
    int (frames are split into n_tasks contiguous ranges, each decoded ``lanes`` at a time).
    lazy : bool, the lazy refill (False: the eager one, ``baseline`` of :func:`bp_decode`).
    """
    n_frames, n_vars = llr.shape
    n_checks = chk_ptr.size - 1
    n_edges = chk_var.size
    dt = llr.dtype
    for task in nb.prange(n_tasks):
        lo, hi = task_range(task, n_tasks, n_frames)
        if lo >= hi:
            continue
        chan = np.zeros((n_vars, lanes), dt)
        post = np.zeros((n_vars, lanes), dt)
        new_post = np.zeros((n_vars, lanes), dt)
        msg = np.zeros((n_edges, lanes), dt)
        q = np.empty((max_deg, lanes), dt)
        r = np.empty((max_deg, lanes), dt)
        tq = np.empty((max_deg, lanes), dt)
        acc = np.empty(lanes, dt)
        min1 = np.empty(lanes, dt)
        min2 = np.empty(lanes, dt)
        sign = np.empty(lanes, dt)
        parity = np.empty(lanes, np.int32)
        unsat = np.empty(lanes, np.int32)
        frame = np.full(lanes, -1, np.int64)
        used = np.zeros(lanes, np.int32)
        # 0 for a lane in its frame's first iteration (lazy refill: its stale messages read
        # as 0), 1 afterwards; x * 1 and x * 0 are exact, so the messages seen are the eager
        # refill's bit for bit.
        keep = np.zeros(lanes, dt)
        next_frame = lo
        active = 0
        for lane in range(lanes):
            if next_frame < hi:
                frame[lane] = next_frame
                _load_frame(llr, next_frame, lane, chan, post, msg, lazy, layered)
                next_frame += 1
                active += 1
        while active > 0:
            # ---- one iteration for every lane; the lazy reads only while a lane is fresh
            fresh = False
            if lazy:
                for l in range(lanes):
                    if keep[l] == 0.0:
                        fresh = True
            if not layered:
                new_post[:, :] = chan
            for c in range(n_checks):
                start = chk_ptr[c]
                deg = chk_ptr[c + 1] - start
                if fresh:
                    for i in range(deg):
                        v = chk_var[start + i]
                        for l in range(lanes):
                            q[i, l] = post[v, l] - msg[start + i, l] * keep[l]
                else:
                    for i in range(deg):
                        v = chk_var[start + i]
                        for l in range(lanes):
                            q[i, l] = post[v, l] - msg[start + i, l]
                if rule == 0:
                    _spa_update(q, r, deg, lanes, spa_limit, tq, acc)
                else:
                    _minsum_update(q, r, deg, lanes, rule, alpha, beta, llr_max, min1, min2, sign)
                for i in range(deg):
                    v = chk_var[start + i]
                    if layered:
                        for l in range(lanes):
                            post[v, l] = q[i, l] + r[i, l]
                            msg[start + i, l] = r[i, l]
                    else:
                        for l in range(lanes):
                            new_post[v, l] += r[i, l]
                            msg[start + i, l] = r[i, l]
            if not layered:
                post[:, :] = new_post
            for l in range(lanes):
                used[l] += 1
                keep[l] = 1.0
            # ---- syndrome per lane; stop scanning once every lane has a failed check
            for l in range(lanes):
                unsat[l] = 1 if frame[l] < 0 else 0   # idle lanes never hold up the break below
            if early_stop:
                n_unsat = 0
                for c in range(n_checks):
                    for l in range(lanes):
                        parity[l] = 0
                    for e in range(chk_ptr[c], chk_ptr[c + 1]):
                        v = chk_var[e]
                        for l in range(lanes):
                            parity[l] ^= np.int32(post[v, l] < 0)
                    n_unsat = 0
                    for l in range(lanes):
                        unsat[l] |= parity[l]
                        n_unsat += unsat[l]
                    if n_unsat == lanes:
                        break
            # ---- finished lanes write out and take the next frame
            for l in range(lanes):
                f = frame[l]
                if f < 0:
                    continue
                if (early_stop and unsat[l] == 0) or used[l] >= num_iter:
                    for v in range(n_vars):
                        hard[f, v] = post[v, l] < 0
                    if soft.shape[0] > 0:
                        for v in range(n_vars):
                            soft[f, v] = post[v, l]
                    iterations[f] = used[l]
                    used[l] = 0
                    if next_frame < hi:
                        frame[l] = next_frame
                        _load_frame(llr, next_frame, l, chan, post, msg, lazy, layered)
                        keep[l] = 0.0
                        next_frame += 1
                    else:
                        frame[l] = -1
                        active -= 1


def bp_decode(graph: QCGraph, llr: np.ndarray, *, num_iter: int = 20, algorithm: str = "spa",
              schedule: str | None = None, early_stop: bool = True, alpha: float = 0.75,
              beta: float = 0.5, llr_max: float = 20.0, precision: str = "float32",
              return_posteriors: bool = False, baseline: bool = False):
    """Belief-propagation decoding of a batch of frames on ``graph`` (module docstring).

    The module docstring gives the check-node rules, the schedules and the SIMD lanes. Each
    frame's result depends on its own LLRs alone (not on the batch, lane or thread count).

    Parameters
    ----------
    graph : QCGraph
        The Tanner graph; N = ``graph.n_vars``.
    num_iter : int
        Maximum iterations, >= 1.
    algorithm : {"spa", "nms", "oms"}
        Check-node rule: sum-product, normalized min-sum, offset min-sum.
    schedule : {"flooding", "layered"} or None
        None: flooding for SPA, layered for min-sum.
    early_stop : bool
        Stop a frame once its syndrome is zero.
    alpha : float
        Normalization of nms, finite, >= 0.
    beta : float
        Offset of oms, finite, >= 0.
    llr_max : float
        Clipping of the check-node outputs, finite, > 0; <= ``SPA_LLR_MAX`` = 40 for SPA.
    precision : {"float32", "float64", "int16", "int8"}
        Arithmetic of the messages. The fixed-point types (saturating integers, quantization in
        :mod:`linksim.fec.ldpc.layered_minsum`) are for the layered "nms" and "oms" only.
    return_posteriors : bool
        Also return the final posterior LLRs (what the hard decisions are taken from): an
        eavesdropper's soft output, e.g. for a bitwise leakage estimate.
    baseline : bool
        Decode with the decoder as it was before issue 17 (the generic kernel with the eager
        refill: a finished lane's messages are zeroed, a strided write into every edge's cache
        line), kept to measure speed-ups against in the same run. Every frame decodes
        identically either way (tests/fec/test_ldpc_refill.py,
        tests/fec/test_ldpc_layered_minsum.py). The generic kernel now runs without
        contraction (``_FASTMATH``): min-sum outputs are bit for bit those of before issue
        17, SPA posteriors differ in the last bits. Not with fixed point.

    Input
    -----
    llr : float [B, N]
        Channel LLRs ``ln P(b=0|y)/P(b=1|y)`` of the graph's variables, any floating dtype;
        0 = erased or punctured; +-inf (a known bit) is clipped to +-KNOWN_LLR; NaN is
        rejected.

    Returns
    -------
    hard : uint8 [B, N]
        Hard decisions of the posteriors (``post < 0 -> 1``).
    iterations : int32 [B]
        Iterations used per frame.
    posteriors : float32 or float64 [B, N]
        Only with ``return_posteriors``: the channel LLR plus every incoming check message
        at the last iteration (min-sum messages are scaled or offset, so these are not
        calibrated probabilities), in ``precision`` (fixed point: float32, in LLR units).
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
    if algorithm == "spa" and llr_max > SPA_LLR_MAX:
        raise ValueError(f"llr_max: got {llr_max!r} with algorithm='spa'; allowed: a number in "
                         f"(0, {SPA_LLR_MAX}] (the range of the SPA's exp/log arithmetic)")
    if precision not in PRECISIONS:
        raise ValueError(f"precision: got {precision!r}; allowed: {', '.join(PRECISIONS)}")
    specialized = schedule == "layered" and algorithm in layered_minsum.RULES
    if precision in layered_minsum.FIXED_POINT and (not specialized or baseline):
        raise ValueError(f"precision: got {precision!r} with algorithm={algorithm!r}, "
                         f"schedule={schedule!r}, baseline={baseline!r}; allowed: fixed point "
                         f"for the layered 'nms' and 'oms' only, baseline=False")
    llr = np.asarray(llr)
    if llr.ndim != 2 or llr.shape[1] != graph.n_vars:
        raise ValueError(f"llr: got shape {llr.shape}; allowed: [batch, {graph.n_vars}]")
    if not np.issubdtype(llr.dtype, np.floating):
        raise TypeError(f"llr: got dtype {llr.dtype}; allowed: a floating dtype")
    if llr.dtype not in (np.float32, np.float64):
        llr = llr.astype(np.float32)
    if _any_nan(llr):
        raise ValueError("llr: contains NaN; allowed: real LLRs (+-inf marks a known bit)")
    n_frames = llr.shape[0]
    hard = np.empty(llr.shape, np.uint8)
    iterations = np.empty(n_frames, np.int32)
    n_threads = nb.get_num_threads()
    if specialized and not baseline and (precision in layered_minsum.FIXED_POINT
                                         or n_frames >= layered_minsum.LANES // 2):
        soft = _decode_layered_minsum(graph, llr, num_iter, algorithm, early_stop, alpha, beta,
                                      llr_max, precision, return_posteriors, n_threads, hard,
                                      iterations)
    else:
        dtype = np.dtype(precision).type
        llr = np.ascontiguousarray(np.clip(llr, -KNOWN_LLR, KNOWN_LLR), dtype=dtype)
        soft = np.empty((n_frames if return_posteriors else 0, llr.shape[1]), dtype)
        # A few tasks per thread so that uneven frames balance out; as many lanes per task as
        # the frames and the cache budget allow. Neither choice changes any frame's result.
        per_lane_bytes = (2 * graph.n_edges + 3 * graph.n_vars) * np.dtype(dtype).itemsize
        lanes = int(min(MAX_LANES, max(1, _TASK_BYTES // per_lane_bytes),
                        max(1, -(-n_frames // (2 * n_threads)))))
        n_tasks = max(1, min(-(-n_frames // lanes), 2 * n_threads))
        _bp_kernel(llr, graph.chk_ptr, graph.chk_var, max(graph.max_check_degree, 1),
                   int(num_iter), _RULE_CODE[algorithm], schedule == "layered", dtype(alpha),
                   dtype(beta), dtype(llr_max), _spa_limit(llr_max, dtype), bool(early_stop),
                   n_tasks, lanes, hard, iterations, soft, not baseline)
    if return_posteriors:
        return hard, iterations, soft
    return hard, iterations


def _decode_layered_minsum(graph, llr, num_iter, algorithm, early_stop, alpha, beta, llr_max,
                           precision, return_posteriors, n_threads, hard, iterations):
    """Run the specialized layered min-sum kernel (:mod:`linksim.fec.ldpc.layered_minsum`) on
    llr (float [B, N]; the kernel clips to +-KNOWN_LLR as it loads a frame), writing ``hard``
    and ``iterations``; returns the posteriors
    (``precision``'s float type, float32 for fixed point; [0, N] unless requested).

    One task per thread, each a contiguous range of frames in 64 lanes: a task drains (its
    last frames run with idle lanes) once, and with static scheduling more tasks per thread
    only add drains (measured: 2 threads reach 1.97x one thread with 1 task per thread, 1.85x
    with 4). The split never changes a frame's result.
    """
    fixed = precision in layered_minsum.FIXED_POINT
    llr_in = np.ascontiguousarray(llr, dtype=llr.dtype if llr.dtype in (np.float32, np.float64)
                                  else np.float32)
    post_type = layered_minsum.FIXED_POINT[precision][3] if fixed else np.dtype(precision)
    n_frames = llr.shape[0]
    soft = np.empty((n_frames if return_posteriors else 0, llr.shape[1]), post_type)
    n_tasks = max(1, min(n_threads, -(-n_frames // (layered_minsum.LANES // 2))))
    alpha_k, beta_k, llr_max_k, limit, in_limit, scale, msg_zero = \
        layered_minsum.check_parameters(precision, alpha, beta, llr_max)
    layered_minsum.kernel(precision, algorithm)(
        llr_in, graph.chk_ptr, graph.chk_var, max(graph.max_check_degree, 1), int(num_iter),
        alpha_k, beta_k, llr_max_k, limit, in_limit, scale, msg_zero, bool(early_stop),
        n_tasks, hard, iterations, soft)
    if fixed:
        soft = soft.astype(np.float32) / scale
    return soft
