"""Belief-propagation decoding of binary LDPC codes: Numba kernels over the batch.

One Tanner-graph representation serves every code (5G NR, alist, any sparse H): the edges are
stored check by check (CSR of H). Messages live on edges, posteriors on variables.

LLR convention (DESIGN.md): ``llr = ln P(b=0|y)/P(b=1|y)``; a hard decision is ``llr < 0 -> 1``.

Check-node rules
----------------
* ``"spa"``  sum-product (belief propagation), the exact box-plus
  ``r_j = 2 atanh( prod_{i != j} tanh(q_i / 2) )``, computed with forward/backward products
  (no division, so a zero ``tanh`` is harmless), float64, messages clipped to ``+-llr_max``.
* ``"nms"``  normalized min-sum  ``r_j = alpha * prod_{i != j} sign(q_i) * min_{i != j} |q_i|``.
* ``"oms"``  offset min-sum      ``r_j = prod sign * max(min_{i != j} |q_i| - beta, 0)``.

Schedules
---------
* flooding: all checks read the variable-to-check messages of the previous iteration.
* layered (row-layered, serial-C): checks are processed one after another and every check
  update refreshes the posteriors at once, so later checks of the same iteration already use
  it; this converges in about half the iterations of flooding.

Early stop: after each iteration the hard decision of the posteriors is checked against every
parity check; a zero syndrome ends the decoding of that frame.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["TannerGraph", "CN_RULES", "SCHEDULES", "bp_decode"]

CN_RULES = ("spa", "nms", "oms")
SCHEDULES = ("flooding", "layered")
_RULE_CODE = {"spa": 0, "nms": 1, "oms": 2}


class TannerGraph:
    """Edge lists of a parity-check matrix ``H`` (M x N), check-major.

    Attributes
    ----------
    n_checks, n_vars : int
    chk_ptr : int32 [M + 1]   edges of check ``c`` are ``chk_ptr[c]:chk_ptr[c+1]``
    chk_var : int32 [E]       variable of each edge
    max_check_degree : int
    """

    def __init__(self, pcm):
        import scipy.sparse as sp

        h = sp.csr_matrix(pcm, dtype=np.uint8)
        h.sum_duplicates()
        h.eliminate_zeros()
        if h.data.size and np.any(h.data != 1):
            raise ValueError("pcm: entries must be 0 or 1 (a duplicate entry sums to 2 over the integers); "
                             "allowed: a binary matrix")
        h.sort_indices()
        self.n_checks, self.n_vars = h.shape
        self.chk_ptr = h.indptr.astype(np.int32)
        self.chk_var = h.indices.astype(np.int32)
        degrees = np.diff(self.chk_ptr)
        self.max_check_degree = int(degrees.max()) if degrees.size else 0
        self.n_edges = int(self.chk_var.size)

    def syndrome(self, bits: np.ndarray) -> np.ndarray:
        """``H @ bits mod 2`` for bits ``uint8 [..., N]``; returns ``uint8 [..., M]``."""
        bits = np.asarray(bits)
        flat = bits.reshape(-1, self.n_vars).astype(np.uint8)
        out = _syndrome_batch(flat, self.chk_ptr, self.chk_var)
        return out.reshape(bits.shape[:-1] + (self.n_checks,))


@nb.njit(parallel=True, cache=True)
def _syndrome_batch(bits, chk_ptr, chk_var):
    n_frames = bits.shape[0]
    n_checks = chk_ptr.size - 1
    out = np.zeros((n_frames, n_checks), np.uint8)
    for b in nb.prange(n_frames):
        for c in range(n_checks):
            acc = 0
            for e in range(chk_ptr[c], chk_ptr[c + 1]):
                acc ^= bits[b, chk_var[e]]
            out[b, c] = acc
    return out


@nb.njit(inline="always")
def _parity_ok(post, chk_ptr, chk_var):
    """True when the hard decision of ``post`` satisfies every check."""
    for c in range(chk_ptr.size - 1):
        acc = 0
        for e in range(chk_ptr[c], chk_ptr[c + 1]):
            acc ^= post[chk_var[e]] < 0
        if acc:
            return False
    return True


@nb.njit(inline="always")
def _check_update(q, r, deg, rule, alpha, beta, llr_max, fwd, bwd):
    """Check-node update for one check: extrinsic outputs ``r[:deg]`` from inputs ``q[:deg]``."""
    if rule == 0:
        # Sum-product: forward/backward products of tanh(q/2), then 2 atanh(.)
        fwd[0] = 1.0
        for i in range(deg):
            fwd[i + 1] = fwd[i] * math.tanh(0.5 * q[i])
        bwd[deg] = 1.0
        for i in range(deg - 1, -1, -1):
            bwd[i] = bwd[i + 1] * math.tanh(0.5 * q[i])
        limit = math.tanh(0.5 * llr_max)
        for i in range(deg):
            t = fwd[i] * bwd[i + 1]
            if t > limit:
                t = limit
            elif t < -limit:
                t = -limit
            r[i] = math.log((1.0 + t) / (1.0 - t))
    else:
        min1 = np.inf
        min2 = np.inf
        pos = -1
        neg = False
        for i in range(deg):
            a = abs(q[i])
            if q[i] < 0:
                neg = not neg
            if a < min1:
                min2 = min1
                min1 = a
                pos = i
            elif a < min2:
                min2 = a
        if rule == 1:
            m1 = alpha * min1
            m2 = alpha * min2
        else:
            m1 = min1 - beta
            m2 = min2 - beta
            if m1 < 0:
                m1 = 0.0
            if m2 < 0:
                m2 = 0.0
        for i in range(deg):
            mag = m2 if i == pos else m1
            if neg != (q[i] < 0):
                r[i] = -mag
            else:
                r[i] = mag


@nb.njit(parallel=True, cache=True)
def _decode_layered(llr, chk_ptr, chk_var, max_deg, num_iter, rule, alpha, beta, llr_max,
                    early_stop, hard, iterations):
    n_frames, n_vars = llr.shape
    n_checks = chk_ptr.size - 1
    n_edges = chk_var.size
    for b in nb.prange(n_frames):
        post = np.empty(n_vars, np.float64)
        for v in range(n_vars):
            x = llr[b, v]
            post[v] = min(max(x, -llr_max), llr_max)
        msg = np.zeros(n_edges, np.float64)
        q = np.empty(max_deg, np.float64)
        r = np.empty(max_deg, np.float64)
        fwd = np.empty(max_deg + 1, np.float64)
        bwd = np.empty(max_deg + 1, np.float64)
        used = num_iter
        for it in range(num_iter):
            for c in range(n_checks):
                start = chk_ptr[c]
                deg = chk_ptr[c + 1] - start
                for i in range(deg):
                    q[i] = post[chk_var[start + i]] - msg[start + i]
                _check_update(q, r, deg, rule, alpha, beta, llr_max, fwd, bwd)
                for i in range(deg):
                    post[chk_var[start + i]] = q[i] + r[i]
                    msg[start + i] = r[i]
            if early_stop and _parity_ok(post, chk_ptr, chk_var):
                used = it + 1
                break
        for v in range(n_vars):
            hard[b, v] = post[v] < 0
        iterations[b] = used


@nb.njit(parallel=True, cache=True)
def _decode_flooding(llr, chk_ptr, chk_var, max_deg, num_iter, rule, alpha, beta, llr_max,
                     early_stop, hard, iterations):
    n_frames, n_vars = llr.shape
    n_checks = chk_ptr.size - 1
    n_edges = chk_var.size
    for b in nb.prange(n_frames):
        chan = np.empty(n_vars, np.float64)
        for v in range(n_vars):
            x = llr[b, v]
            chan[v] = min(max(x, -llr_max), llr_max)
        post = chan.copy()
        new_post = np.empty(n_vars, np.float64)
        msg = np.zeros(n_edges, np.float64)
        q = np.empty(max_deg, np.float64)
        r = np.empty(max_deg, np.float64)
        fwd = np.empty(max_deg + 1, np.float64)
        bwd = np.empty(max_deg + 1, np.float64)
        used = num_iter
        for it in range(num_iter):
            new_post[:] = chan
            for c in range(n_checks):
                start = chk_ptr[c]
                deg = chk_ptr[c + 1] - start
                for i in range(deg):
                    # variable-to-check message: posterior of the previous iteration minus
                    # this edge's own contribution (extrinsic)
                    x = post[chk_var[start + i]] - msg[start + i]
                    q[i] = min(max(x, -llr_max), llr_max)
                _check_update(q, r, deg, rule, alpha, beta, llr_max, fwd, bwd)
                for i in range(deg):
                    msg[start + i] = r[i]
                    new_post[chk_var[start + i]] += r[i]
            post[:] = new_post
            if early_stop and _parity_ok(post, chk_ptr, chk_var):
                used = it + 1
                break
        for v in range(n_vars):
            hard[b, v] = post[v] < 0
        iterations[b] = used


def bp_decode(graph: TannerGraph, llr: np.ndarray, *, num_iter: int = 20, algorithm: str = "spa",
              schedule: str | None = None, early_stop: bool = True, alpha: float = 0.75,
              beta: float = 0.5, llr_max: float = 20.0):
    """Decode a batch of frames on ``graph``.

    Parameters
    ----------
    graph : TannerGraph
    llr : float [B, N]  channel LLRs (ln P(0)/P(1)) of the graph's variables; 0 = erased/punctured.
    num_iter : int      maximum iterations (>= 1).
    algorithm : "spa" | "nms" | "oms"   check-node rule (module docstring).
    schedule : "flooding" | "layered" | None   None picks flooding for SPA, layered for min-sum.
    early_stop : bool   stop a frame once its syndrome is zero.
    alpha, beta : float normalization (nms) and offset (oms).
    llr_max : float     clipping of channel and internal messages (numerical safety).

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
    for name, value in (("alpha", alpha), ("beta", beta), ("llr_max", llr_max)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name}: got {value!r}; allowed: a finite number >= 0")
    if llr_max <= 0:
        raise ValueError(f"llr_max: got {llr_max!r}; allowed: a finite number > 0")
    llr = np.asarray(llr)
    if llr.ndim != 2 or llr.shape[1] != graph.n_vars:
        raise ValueError(f"llr: got shape {llr.shape}; allowed: [batch, {graph.n_vars}]")
    if not np.issubdtype(llr.dtype, np.floating):
        raise TypeError(f"llr: got dtype {llr.dtype}; allowed: a floating dtype")
    if np.isnan(llr).any():
        raise ValueError("llr: contains NaN; allowed: finite or infinite LLRs")
    llr = np.ascontiguousarray(llr, dtype=np.float64)
    hard = np.empty(llr.shape, np.uint8)
    iterations = np.empty(llr.shape[0], np.int32)
    kernel = _decode_layered if schedule == "layered" else _decode_flooding
    kernel(llr, graph.chk_ptr, graph.chk_var, max(graph.max_check_degree, 1), int(num_iter),
           _RULE_CODE[algorithm], float(alpha), float(beta), float(llr_max), bool(early_stop),
           hard, iterations)
    return hard, iterations
