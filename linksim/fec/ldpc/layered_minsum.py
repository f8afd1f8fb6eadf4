"""Layered min-sum decoding, specialized: 64 frames in SIMD lanes, float or fixed point.

The decoder of :func:`linksim.fec.ldpc.decoder.bp_decode` for ``algorithm`` "nms" or "oms"
with the layered schedule (issue 17). The rules are those of the generic kernel (module
docstring of :mod:`linksim.fec.ldpc.decoder`); what differs is how the work is laid out:

* **Compiled per configuration.** :func:`kernel` builds one Numba kernel per (message type,
  rule), with the lane count ``LANES`` = 64 a compile-time constant, so every lane loop has a
  known trip count. One pass over a check's edges computes q = post - msg and the running
  min1, min2 and sign; a second writes post = q + r and msg = r. The per-lane state of a
  check lives in one scratch array at fixed offsets, so the compiler sees no possible
  aliasing among it and vectorizes both passes (a loop that writes four arrays it cannot tell
  apart stays scalar). Float32 messages decode every frame exactly as the generic kernel
  does (same operations in the same order; tests/fec/test_ldpc_layered_minsum.py).
* **Hard decisions as bit masks.** After every iteration the signs of the 64 lanes' posteriors
  are packed into one uint64 per variable; a check's parity over all lanes is then the XOR of
  its variables' words, one scalar operation per edge (the generic kernel loads 64 lanes per
  edge). Decisions are written out from these words.
* **Batched refill.** Lanes that finish in the same iteration are written out and refilled
  together: each variable's row of posteriors is touched once for all of them, not once per
  lane. A new frame's stale messages are read as 0 for its first iteration (``keep``, as the
  generic kernel's lazy refill).

Fixed point (``precision`` "int16" or "int8")
---------------------------------------------
Channel LLRs, check messages and posteriors are signed integers in units of 2^-F LLR (F
fractional bits), with saturation; every operation is exact integer arithmetic in its width
(saturating adds and subtracts of LLVM: vpaddsw, vpsubsw, so 16 lanes per 256-bit
instruction):

=========  ==  ========================  ==========================  =========================
precision  F   channel LLR (in)          check messages              posteriors and q
=========  ==  ========================  ==========================  =========================
int16      5   rint(llr * 32), +-32767   +-min(round(llr_max * 32),  int16, +-32767
               (+-1024 LLR)              32767)                      (+-1024 LLR)
int8       3   rint(llr * 8), +-127      int8, +-min(round(llr_max   int16, +-32767
               (+-15.875 LLR)            * 8), 127)                  (+-4096 LLR)
=========  ==  ========================  ==========================  =========================

* q = sat(post - msg) and post = sat(q + r), saturated symmetrically to the posterior range.
* nms: r = sign * min(floor(m * A / 256), M) with A = round(alpha * 256) (0.75 -> 192, exact),
  m the min over the other edges: the plain multiply and arithmetic shift, which truncates.
  oms: r = sign * min(max(m - B, 0), M), B = round(beta * 2^F).
* The channel LLRs are clipped to +-KNOWN_LLR and rounded to float32 (as for float32
  messages), then scaled, rounded half to even and saturated (:func:`quantize`); a known bit
  saturates to the channel limit, an erased or punctured bit is 0.
* Hard decision post < 0 -> 1, as in floating point (0 decides 0).

int8 stores what the decoder holds per edge, the messages, in 8 bits, and the posteriors (one
per variable, the usual "APP memory") in 16. Eight-bit posteriors do not work with the
layered schedule: a posterior held at its limit has lost what lay beyond it, and each layer
then subtracts an old message in full but adds back only the new one, so when messages shrink
a strongly decided bit walks to the wrong sign (measured with F = 2: every frame of BG1
K = 8448 and of the README code decoded within 5 iterations at 4 dB, and nearly every bit
wrong after 10 without early stop, with message limits of 80 and of 54, the largest that
keeps a check whose inputs all sit at the limit in place).

Why these formats (README code, NMS-20, 6 * 10^4 frames a point with their own seed, not the
committed curve's; Eb/N0 1.5 / 2.0 / 2.25 dB; float32 BLER 0.0591 / 0.00143 / 0.00013):

=========  ==========================  ==========================
F          int8                        int16
=========  ==========================  ==========================
1          0.0921 / 0.00280 / 0.00048
2          0.0546 / 0.00130 / 0.00023
3          0.0525 / 0.00125 / 0.00013  0.0525 / 0.00125 / 0.00013
5                                      0.0560 / 0.00140 / 0.00013
=========  ==========================  ==========================

int8 takes the finest step whose 8-bit range still holds the channel and the messages
(F = 3: 0.125 LLR steps, +-15.9 LLR; F = 1 and 2 lose resolution). int16 has bits for both;
F = 5 keeps its truncation bias (half a step, 1/64 LLR, on each scaled message) small, so it
stays closest to float32. The truncation acts as a small offset on top of the normalization,
which is why the coarser formats sit slightly left of float32 at low SNR (rounding to nearest
instead made int8 worse in an earlier version with 8-bit posteriors: 0.0788 / 0.00187 /
0.00020 against 0.0546 / 0.00130 / 0.00023). The committed curve is
``results/decoder_fixed_point/``.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from llvmlite import ir
from numba.core import cgutils, types
from numba.extending import intrinsic

__all__ = ["LANES", "FIXED_POINT", "RULES", "kernel", "quantize", "check_parameters",
           "task_range"]

#: Frames decoded side by side by one task (the bits of one uint64 hard-decision word).
LANES = 64

#: precision -> (message dtype, fractional bits F, channel and message limit, posterior dtype,
#: posterior limit)
FIXED_POINT = {"int16": (np.int16, 5, 32767, np.int16, 32767),
               "int8": (np.int8, 3, 127, np.int16, 32767)}

#: The check-node rules this kernel has, with their code in the kernel.
RULES = {"nms": 1, "oms": 2}


def quantize(llr: np.ndarray, precision: str) -> np.ndarray:
    """Channel LLRs in the fixed-point units of ``precision`` (module docstring, table): the
    kernel's own quantization, for reference and tests (the kernel quantizes as it loads).

    Parameters
    ----------
    precision : {"int16", "int8"}

    Input
    -----
    llr : float32 [B, N]
        Channel LLRs (finite; +-KNOWN_LLR for a known bit); other float dtypes are rounded to
        float32 first, as :func:`linksim.fec.ldpc.decoder.bp_decode` does.

    Output
    ------
    q : int16 or int8 [B, N]
        round(llr * 2^F) (half to even), saturated to the channel limit (+-32767 or +-127).
    """
    if precision not in FIXED_POINT:
        raise ValueError(f"precision: got {precision!r}; allowed: {', '.join(FIXED_POINT)}")
    dtype, frac, limit = FIXED_POINT[precision][:3]
    scaled = np.rint(np.asarray(llr, np.float32) * np.float32(1 << frac))
    return np.clip(scaled, -limit, limit).astype(dtype)


def check_parameters(precision: str, alpha: float, beta: float, llr_max: float):
    """The kernel's scalar parameters for ``precision``.

    Parameters
    ----------
    precision : {"float32", "float64", "int16", "int8"}
    alpha, beta, llr_max : float
        As :func:`linksim.fec.ldpc.decoder.bp_decode`.

    Returns
    -------
    alpha, beta, llr_max, limit, in_limit, scale, msg_zero : floating point: alpha, beta,
        llr_max in the message type, limit and in_limit 0, scale 1 (unused), msg_zero 0 in
        the message type; fixed point: A = round(alpha * 256) (int64); B = round(beta * 2^F)
        and M = round(llr_max * 2^F), at most the message limit, in the posterior type; the
        posterior and channel limits in the posterior type; the channel scale 2^F (float32);
        0 in the message type (module docstring, "Fixed point").
    """
    if precision in FIXED_POINT:
        msg_type, frac, in_limit, post_type, limit = FIXED_POINT[precision]
        return (np.int64(round(alpha * 256)), post_type(min(round(beta * (1 << frac)), limit)),
                post_type(min(round(llr_max * (1 << frac)), in_limit)), post_type(limit),
                post_type(in_limit), np.float32(1 << frac), msg_type(0))
    ft = np.dtype(precision).type
    return ft(alpha), ft(beta), ft(llr_max), ft(0), ft(0), np.float32(1), ft(0)


def _saturating(name: str):
    """Numba intrinsic ``f(a, b)`` for two signed integers of one type: LLVM's ``llvm.<name>.sat``
    (saturating add or subtract in that width). Numba widens small-integer arithmetic to
    int64, which leaves a quarter of the SIMD lanes; these keep int16 and int8 arithmetic in
    its own width (vpaddsw, vpsubsb, ...)."""
    @intrinsic
    def saturating(typingctx, a, b):
        if isinstance(a, types.Integer) and a.signed and a == b:
            def codegen(context, builder, signature, args):
                t = args[0].type
                fn = cgutils.get_or_insert_function(builder.module, ir.FunctionType(t, [t, t]),
                                                    f"llvm.{name}.sat.i{t.width}")
                return builder.call(fn, args)
            return a(a, b), codegen
    return saturating


_sat_add = _saturating("sadd")
_sat_sub = _saturating("ssub")

_KERNELS: dict = {}


def kernel(precision: str, algorithm: str):
    """The compiled layered min-sum kernel for ``precision`` and ``algorithm`` (cached).

    Parameters
    ----------
    precision : {"float32", "float64", "int16", "int8"}
        Message type (module docstring).
    algorithm : {"nms", "oms"}
        Check-node rule.

    Returns
    -------
    kernel : Numba function ``(llr, chk_ptr, chk_var, max_deg, num_iter, alpha, beta, llr_max,
        limit, in_limit, scale, msg_zero, early_stop, n_tasks, hard, iterations, post_out)``:
        llr float32 or float64 [B, N] (clipped to +-KNOWN_LLR in its own type as a frame
        loads, then cast to the message type, or to float32 and quantized: :func:`quantize`),
        the scalars of :func:`check_parameters`, hard uint8 [B, N] and iterations int32 [B]
        written, post_out [B or 0, N] of the posterior type (the final posteriors, if it has
        rows).
    """
    key = (precision, algorithm)
    if key not in _KERNELS:
        _KERNELS[key] = _build(precision in FIXED_POINT, RULES[algorithm])
    return _KERNELS[key]


_ALL = np.uint64(0xFFFFFFFFFFFFFFFF)
_ONE = np.uint64(1)


@nb.njit(inline="always", fastmath=True)
def _scale_float(m, alpha, beta, llr_max, rule):
    """A check output's magnitude from a min m in floating point: nms (rule 1) alpha * m, oms
    (rule 2) max(m - beta, 0); then at most llr_max."""
    m = alpha * m if rule == 1 else max(m - beta, m - m)
    return min(m, llr_max)


@nb.njit(inline="always")
def _scale_fixed(m, alpha, beta, llr_max, rule):
    """The same in fixed point: nms (m A) >> 8 (truncated, alpha = A an integer), oms
    max(m - B, 0); then at most M."""
    m = (np.int64(m) * alpha) >> 8 if rule == 1 else max(np.int64(m) - beta, 0)
    return min(m, llr_max)


@nb.njit(inline="always")
def _take(l, next_frame, hi, frame, ref_lane, ref_frame, n_ref, idle):
    """Give lane l the next frame of the task's queue (queued for loading: ref_lane,
    ref_frame), or mark it idle when the queue is empty. Returns next_frame, n_ref, idle."""
    if next_frame < hi:
        frame[l] = next_frame
        ref_lane[n_ref] = l
        ref_frame[n_ref] = next_frame
        return next_frame + 1, n_ref + 1, idle & ~(_ONE << np.uint64(l))
    frame[l] = -1
    return next_frame, n_ref, idle | (_ONE << np.uint64(l))


@nb.njit(inline="always")
def task_range(task, n_tasks, n_frames):
    """Frames ``lo:hi`` of task ``task`` when ``n_frames`` are cut into ``n_tasks`` contiguous
    ranges of ceil(n_frames / n_tasks) (the last shorter, trailing tasks empty): the split of
    both BP kernels (this one and the generic kernel of :mod:`linksim.fec.ldpc.decoder`).

    Parameters
    ----------
    task, n_tasks, n_frames : int
        The task (0 <= task < n_tasks), the number of tasks, the frames of the batch.

    Returns
    -------
    lo, hi : int
        The task's frames; lo >= hi for an empty task.
    """
    per_task = (n_frames + n_tasks - 1) // n_tasks
    lo = task * per_task
    return lo, min(n_frames, lo + per_task)


def _build(fixed: bool, rule: int):
    """Compile the kernel for fixed point or float (``fixed``) and rule 1 (nms) or 2 (oms).

    ``fixed`` and ``rule`` are closure constants: Numba prunes the branches ``fixed`` decides
    before typing, so float kernels never type the integer intrinsics and the reverse. The
    closure holds plain values only: Numba's on-disk cache keys a closure by its pickled cells,
    and a cell holding a compiled function pickles differently in every process, which made
    every process compile the kernel anew (6-8 s a variant); the helpers are module globals.
    """
    from .decoder import KNOWN_LLR   # here: decoder imports this module
    L = LANES
    M1, M2, SG, S1, S2, KP = 0, L, 2 * L, 3 * L, 4 * L, 5 * L  # scratch rows (state of a check)
    ALL, ONE = _ALL, _ONE

    @nb.njit(parallel=True, cache=True, fastmath=True, error_model="numpy")
    def decode(llr, chk_ptr, chk_var, max_deg, num_iter, alpha, beta, llr_max, limit,
               in_limit, scale, msg_zero, early_stop, n_tasks, hard, iterations, post_out):
        n_frames, n_vars = llr.shape
        n_checks = chk_ptr.size - 1
        n_edges = chk_var.size
        dt = post_out.dtype
        for task in nb.prange(n_tasks):
            lo, hi = task_range(task, n_tasks, n_frames)
            if lo >= hi:
                continue
            post = np.zeros((n_vars, L), dt)
            msg = np.full((n_edges, L), msg_zero)          # the message type
            q = np.empty((max_deg, L), dt)
            # The state of a check, lane by lane: min1, min2, sign (+-1), scaled min1 and min2,
            # keep (a lane's stale messages are multiplied by it, floating point, or masked
            # with it, fixed point: 0 in its frame's first iteration, then 1 or all ones). One
            # array, so the lane loops see no aliasing among them.
            st = np.zeros(6 * L, dt)
            signs = np.zeros(n_vars, np.uint64)     # bit l: post[v, l] < 0
            frame = np.full(L, -1, np.int64)
            used = np.zeros(L, np.int32)
            ref_lane = np.empty(L, np.int64)
            ref_frame = np.empty(L, np.int64)
            zero = dt.type(0)
            one = dt.type(1)
            keep_on = dt.type(-1) if fixed else one
            big = limit if fixed else dt.type(3.0e38)
            low = dt.type(-limit)                   # fixed point: saturation is symmetric
            f_in = np.float32(in_limit)
            known = llr.dtype.type(KNOWN_LLR)          # +-inf (a known bit) becomes finite
            next_frame = lo
            n_ref = 0
            idle = ALL
            for l in range(L):
                next_frame, n_ref, idle = _take(l, next_frame, hi, frame, ref_lane, ref_frame,
                                                n_ref, idle)
            while n_ref > 0 or idle != ALL:
                # ---- load the frames that enter lanes now, every row touched once
                for v in range(n_vars):
                    for j in range(n_ref):
                        # clipped in the input's type, then rounded to the message type
                        # (or to float32 and quantized): np.clip and a cast, in one pass
                        x = min(max(llr[ref_frame[j], v], -known), known)
                        if fixed:
                            xq = np.rint(np.float32(x) * scale)
                            post[v, ref_lane[j]] = dt.type(min(max(xq, -f_in), f_in))
                        else:
                            post[v, ref_lane[j]] = dt.type(x)
                fresh = n_ref > 0
                for j in range(n_ref):
                    st[KP + ref_lane[j]] = zero
                n_ref = 0
                # ---- one layered iteration over all lanes
                for c in range(n_checks):
                    start = chk_ptr[c]
                    deg = chk_ptr[c + 1] - start
                    for l in range(L):
                        st[M1 + l] = big
                        st[M2 + l] = big
                        st[SG + l] = one
                    for i in range(deg):
                        pr = post[chk_var[start + i]]
                        mr = msg[start + i]
                        qr = q[i]
                        for l in range(L):
                            if fixed:
                                m = dt.type(mr[l] & st[KP + l]) if fresh else dt.type(mr[l])
                                x = max(_sat_sub(pr[l], m), low)
                            elif fresh:
                                x = pr[l] - mr[l] * st[KP + l]
                            else:
                                x = pr[l] - mr[l]
                            qr[l] = x
                            a = abs(x)
                            m1 = st[M1 + l]
                            st[M2 + l] = min(st[M2 + l], max(m1, a))
                            st[M1 + l] = min(m1, a)
                            st[SG + l] = -st[SG + l] if x < zero else st[SG + l]
                    for l in range(L):
                        if fixed:
                            st[S1 + l] = _scale_fixed(st[M1 + l], alpha, beta, llr_max, rule)
                            st[S2 + l] = _scale_fixed(st[M2 + l], alpha, beta, llr_max, rule)
                        else:
                            st[S1 + l] = _scale_float(st[M1 + l], alpha, beta, llr_max, rule)
                            st[S2 + l] = _scale_float(st[M2 + l], alpha, beta, llr_max, rule)
                    for i in range(deg):
                        pr = post[chk_var[start + i]]
                        mr = msg[start + i]
                        qr = q[i]
                        for l in range(L):
                            x = qr[l]
                            # min2's output on the edge holding min1, else min1's; as a max
                            # (both >= 0, min2's >= min1's) so that the compiler does not turn
                            # the choice into a per-lane address (a gather)
                            m = max(st[S1 + l], st[S2 + l] if abs(x) == st[M1 + l] else zero)
                            s = st[SG + l]
                            if fixed:
                                r = dt.type(-m) if (x < zero) != (s < zero) else m
                                pr[l] = max(_sat_add(x, r), low)
                            else:
                                r = -s * m if x < zero else s * m
                                pr[l] = x + r
                            mr[l] = r
                for l in range(L):
                    used[l] += 1
                    st[KP + l] = keep_on
                # ---- hard decisions of all lanes as bit masks, then the syndrome
                for v in range(n_vars):
                    w = np.uint64(0)
                    for l in range(L):
                        w |= np.uint64(post[v, l] < zero) << np.uint64(l)
                    signs[v] = w
                unsat = idle
                if early_stop:
                    for c in range(n_checks):
                        parity = np.uint64(0)
                        for e in range(chk_ptr[c], chk_ptr[c + 1]):
                            parity ^= signs[chk_var[e]]
                        unsat |= parity
                        if unsat == ALL:
                            break
                # ---- finished lanes write out; the queue refills them
                for l in range(L):
                    f = frame[l]
                    if f < 0:
                        continue
                    if (early_stop and ((unsat >> np.uint64(l)) & ONE) == 0) \
                            or used[l] >= num_iter:
                        for v in range(n_vars):
                            hard[f, v] = (signs[v] >> np.uint64(l)) & ONE
                        if post_out.shape[0] > 0:
                            for v in range(n_vars):
                                post_out[f, v] = post[v, l]
                        iterations[f] = used[l]
                        used[l] = 0
                        next_frame, n_ref, idle = _take(l, next_frame, hi, frame, ref_lane,
                                                        ref_frame, n_ref, idle)

    return decode
