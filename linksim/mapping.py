"""Constellations, Gray mapping and LLR demapping (3GPP TS 38.211 Section 5.1).

A :class:`Constellation` maps bits to complex symbols exactly as TS 38.211 Section 5.1 does and
computes bit LLRs from received symbols, either exactly (``"app"``: log-sum-exp over all
constellation points) or with the max-log approximation (``"maxlog"``).

Conventions (see ``DESIGN.md``):

* bits are ``uint8`` in {0, 1}; ``m`` consecutive bits make one symbol, the first of them is
  ``b(i)`` of 38.211 (MSB-first label);
* symbols are ``complex128`` with unit average energy (every point equally likely);
* LLR = ln P(b=0 | y) / P(b=1 | y): positive means 0 (Sionna uses the opposite sign);
* the channel model assumed by the demapper is ``y = x + w`` with ``w ~ CN(0, no)``, where ``no``
  is the noise variance per complex symbol after equalization (a scalar or one value per symbol).

Labels as in 38.211: ``labels[i]`` are the bits of ``i`` written MSB-first, so
``points[i]`` is the symbol that the bit vector ``labels[i]`` maps to. For the QAMs the bits
``b0, b2, b4, ...`` select the in-phase PAM level and ``b1, b3, b5, ...`` the quadrature one,
each through the 38.211 recursion ``(1-2b0)[2^(h-1) - (1-2b2)[2^(h-2) - ...]]``, which is a
Gray labelling of each PAM axis (hence of the square QAM).

Both kernels are Numba ``@njit(parallel=True, cache=True)`` loops over the flattened symbols.
For the square QAMs the demapper uses the exact factorisation of the likelihood into its
in-phase and quadrature parts (``|y-c|^2 = (Re y - Re c)^2 + (Im y - Im c)^2`` and each bit
depends on one axis only), so the log-sum-exp over the ``M`` points of the constellation reduces,
without approximation, to a log-sum-exp over the ``sqrt(M)`` levels of one axis. BPSK (whose
bit sits on both axes) uses the generic kernel over all points.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from linksim.checks import check_choice

__all__ = ["MODULATIONS", "Constellation", "demap_points"]

#: Names accepted by :class:`Constellation` (case-insensitive).
MODULATIONS = ("bpsk", "qpsk", "16qam", "64qam", "256qam")

#: Allowed values of ``method`` in :meth:`Constellation.demap`.
DEMAP_METHODS = ("app", "maxlog")

_BITS_PER_SYMBOL = {"bpsk": 1, "qpsk": 2, "16qam": 4, "64qam": 6, "256qam": 8}

# Symbols handled per parallel work item (scratch buffers are allocated once per chunk).
_CHUNK = 2048

# Below this the bit-set sums of the global-max log-sum-exp are recomputed per set (see
# _lse_llrs); above it every term that matters is a normal double, so the shortcut is exact
# to rounding.
_TINY_SUM = 1e-250


# --------------------------------------------------------------------------------------------
# Constellation construction (38.211 Section 5.1)
# --------------------------------------------------------------------------------------------

def _pam_level(axis_bits) -> int:
    """Unnormalised 38.211 PAM level of one QAM axis from its bits ``(b0, b2, b4, ...)``.

    Implements the nested form of 38.211 Sections 5.1.3-5.1.6 from the innermost factor out:
    ``v = 1-2b_last``; then ``v = (1-2b_k) * (2^(h-1-k) - v)`` for ``k = h-2, ..., 0``.
    Returns an odd integer in ``{+-1, +-3, ..., +-(2^h - 1)}``.
    """
    h = len(axis_bits)
    v = 1 - 2 * int(axis_bits[-1])
    for k in range(h - 2, -1, -1):
        v = (1 - 2 * int(axis_bits[k])) * (2 ** (h - 1 - k) - v)
    return v


def _labels(m: int) -> np.ndarray:
    """``uint8 [2**m, m]``: row ``i`` is ``i`` in binary, MSB first."""
    idx = np.arange(2**m)[:, None]
    return ((idx >> np.arange(m - 1, -1, -1)) & 1).astype(np.uint8)


# --------------------------------------------------------------------------------------------
# Numba kernels
# --------------------------------------------------------------------------------------------

@njit(parallel=True, cache=True)
def _map_kernel(bits, m, points, out):  # pragma: no cover - compiled
    """out[i] = points[int(bits[i*m : (i+1)*m], MSB first)] (38.211 Section 5.1 labels).

    bits : uint8 [n*m], flat, in {0, 1}; m : int; points : complex128 [2**m];
    out : complex128 [n], written.
    """
    n = out.shape[0]
    for i in prange(n):
        idx = 0
        base = i * m
        for k in range(m):
            idx = (idx << 1) | bits[base + k]
        out[i] = points[idx]


@njit(inline="always")
def _set_maxima(d, labels, k):  # pragma: no cover - compiled
    """``(max_{l: b_k=0} d[l], max_{l: b_k=1} d[l])`` over the points' log-metrics ``d``.

    d : float64 [L]; labels : uint8 [L, m]; k : int, the bit. Returns two floats.
    """
    m0 = -np.inf
    m1 = -np.inf
    for l in range(d.shape[0]):
        if labels[l, k] == 0:
            if d[l] > m0:
                m0 = d[l]
        elif d[l] > m1:
            m1 = d[l]
    return m0, m1


@njit(inline="always")
def _lse_llrs(d, e, labels, maxlog, out, o0, ostep):  # pragma: no cover - compiled
    """Bit LLRs from the log-metrics ``d[l]`` of the points with labels ``labels[l, :]``.

    d : float64 [L]; e : float64 [L], scratch; labels : uint8 [L, nb]; maxlog : bool;
    out : float64 [...] flat, entries ``o0 + k*ostep`` for k < nb written.

    Writes ``out[o0 + k*ostep] = LSE_{l: b_k=0} d[l] - LSE_{l: b_k=1} d[l]`` (app) or the same
    with max in place of LSE (maxlog). App: one exp per point relative to the global maximum;
    if a bit set's sum is tiny (its best point is > ~575 nats below the global best) that set's
    LSE is recomputed relative to its own maximum, so the result never under- or overflows.
    """
    L = d.shape[0]
    nb = labels.shape[1]
    gmax = -np.inf
    for l in range(L):
        if d[l] > gmax:
            gmax = d[l]
    if maxlog:
        for k in range(nb):
            m0, m1 = _set_maxima(d, labels, k)
            out[o0 + k * ostep] = m0 - m1
        return
    for l in range(L):
        e[l] = math.exp(d[l] - gmax)
    for k in range(nb):
        s0 = 0.0
        s1 = 0.0
        for l in range(L):
            if labels[l, k] == 0:
                s0 += e[l]
            else:
                s1 += e[l]
        if s0 > _TINY_SUM and s1 > _TINY_SUM:
            out[o0 + k * ostep] = math.log(s0 / s1)
        else:
            # Exact per-set log-sum-exp, each relative to its own maximum.
            m0, m1 = _set_maxima(d, labels, k)
            t0 = 0.0
            t1 = 0.0
            for l in range(L):
                if labels[l, k] == 0:
                    t0 += math.exp(d[l] - m0)
                else:
                    t1 += math.exp(d[l] - m1)
            out[o0 + k * ostep] = (m0 + math.log(t0)) - (m1 + math.log(t1))


@njit(parallel=True, cache=True)
def _demap_qam_kernel(y, no, levels, labels, maxlog, out):  # pragma: no cover - compiled
    """Square-QAM demapper via the exact I/Q factorisation.

    y: complex128 [n]; no: float64 [n] or [1]; levels: float64 [L] normalised PAM levels of one
    axis; labels: uint8 [L, h] their 38.211 axis bits; out: float64 [n * 2h]. Axis bit k of the
    in-phase level is symbol bit 2k, of the quadrature level symbol bit 2k+1.
    """
    n = y.shape[0]
    L = levels.shape[0]
    h = labels.shape[1]
    m = 2 * h
    scalar_no = no.shape[0] == 1
    nchunks = (n + _CHUNK - 1) // _CHUNK
    for c in prange(nchunks):
        d = np.empty(L)
        e = np.empty(L)
        stop = min(n, (c + 1) * _CHUNK)
        for i in range(c * _CHUNK, stop):
            inv = 1.0 / (no[0] if scalar_no else no[i])
            yi = y[i]
            for axis in range(2):
                v = yi.real if axis == 0 else yi.imag
                for l in range(L):
                    t = v - levels[l]
                    d[l] = -(t * t) * inv
                _lse_llrs(d, e, labels, maxlog, out, i * m + axis, 2)


@njit(parallel=True, cache=True)
def _demap_two_point_kernel(y, gain, m, out):  # pragma: no cover - compiled
    """BPSK (m = 1) and QPSK (m = 2) LLRs in closed form: out = (Re y + Im y) gain, or
    out[2i] = Re y_i gain_i and out[2i+1] = Im y_i gain_i. Returns False if some y is not
    finite (checked in the same pass).

    y : complex128 [n]; gain : float64 [1] (every symbol) or [n]; out : float64 [n * m].
    """
    one = gain.size == 1
    bad = 0
    for i in prange(y.size):
        g = gain[0] if one else gain[i]
        v = y[i]
        bad += not (np.isfinite(v.real) and np.isfinite(v.imag))
        if m == 1:
            out[i] = (v.real + v.imag) * g
        else:
            out[2 * i] = v.real * g
            out[2 * i + 1] = v.imag * g
    return bad == 0


@njit(parallel=True, cache=True)
def _demap_generic_kernel(y, no, points, labels, maxlog, out):  # pragma: no cover - compiled
    """Demapper over all M points: d = -|y - c|^2 / no. Shapes as in _demap_qam_kernel,
    with points complex128 [M] and labels uint8 [M, m]; out float64 [n * m].

    y : complex128 [n]; no : float64 [n] or [1]; maxlog : bool.
    """
    n = y.shape[0]
    M = points.shape[0]
    m = labels.shape[1]
    scalar_no = no.shape[0] == 1
    nchunks = (n + _CHUNK - 1) // _CHUNK
    for c in prange(nchunks):
        d = np.empty(M)
        e = np.empty(M)
        stop = min(n, (c + 1) * _CHUNK)
        for i in range(c * _CHUNK, stop):
            inv = 1.0 / (no[0] if scalar_no else no[i])
            yr = y[i].real
            yq = y[i].imag
            for l in range(M):
                tr = yr - points[l].real
                tq = yq - points[l].imag
                d[l] = -(tr * tr + tq * tq) * inv
            _lse_llrs(d, e, labels, maxlog, out, i * m, 1)


# --------------------------------------------------------------------------------------------
# Public class
# --------------------------------------------------------------------------------------------

class Constellation:
    """A constellation with Gray labelling and unit average energy (TS 38.211 Section 5.1).

    Bits are uint8 in {0, 1}, ``m`` consecutive bits per symbol, the first of them 38.211's
    ``b(i)`` (MSB-first label); symbols are complex128 with ``mean(|points|**2) == 1``; LLRs
    are ``ln P(b=0|y)/P(b=1|y)`` (module docstring).

    Parameters
    ----------
    name : str
        One of :data:`MODULATIONS` (case-insensitive): ``"bpsk"`` (38.211 §5.1.2,
        ``d = ((1-2b) + j(1-2b))/sqrt(2)``), ``"qpsk"`` (§5.1.3), ``"16qam"`` (§5.1.4,
        ``d = ((1-2b0)[2-(1-2b2)] + j(1-2b1)[2-(1-2b3)])/sqrt(10)``), ``"64qam"`` (§5.1.5,
        ``/sqrt(42)``), ``"256qam"`` (§5.1.6, ``/sqrt(170)``).

    Attributes
    ----------
    name : str
        The lower-case name.
    bits_per_symbol : int
        ``m`` (1, 2, 4, 6 or 8).
    points : complex128 [M], M = 2**m, read-only
        ``points[i]`` is the symbol of the bit label ``labels[i]``; ``mean(|points|**2) == 1``.
    labels : uint8 [M, m], read-only
        ``labels[i]`` = binary digits of ``i``, MSB first (``labels[i, 0]`` is 38.211's ``b(i)``).
    """

    def __init__(self, name: str):
        key = check_choice("name", name, MODULATIONS)
        m = _BITS_PER_SYMBOL[key]
        self.name = key
        self.bits_per_symbol = m
        labels = _labels(m)
        if key == "bpsk":
            s = 1.0 / np.sqrt(2.0)
            points = np.array([complex(s, s), complex(-s, -s)], dtype=np.complex128)
            self._levels = None
            self._axis_labels = None
        else:
            h = m // 2
            n_levels = 2**h
            # Average energy of the unnormalised square QAM: 2 * (L^2 - 1) / 3 (= 2, 10, 42, 170).
            scale = np.sqrt(2.0 * (n_levels**2 - 1) / 3.0)
            re = np.array([_pam_level(lab[0::2]) for lab in labels], dtype=np.float64)
            im = np.array([_pam_level(lab[1::2]) for lab in labels], dtype=np.float64)
            # A complex array divided by a float in numpy (as Sionna's qam() does): bit-identical
            # to Sionna's points in double precision.
            points = (re + 1j * im) / scale
            axis_labels = _labels(h)
            levels = np.array([_pam_level(lab) for lab in axis_labels], dtype=np.complex128)
            self._levels = np.ascontiguousarray((levels / scale).real)
            self._axis_labels = np.ascontiguousarray(axis_labels)
            self._levels.setflags(write=False)
            self._axis_labels.setflags(write=False)
        self.points = np.ascontiguousarray(points, dtype=np.complex128)
        self.labels = np.ascontiguousarray(labels)
        # BPSK has 2 points, QPSK 2 levels per axis: every bit splits them into single points.
        self._two_point_sets = key in ("bpsk", "qpsk")
        self.points.setflags(write=False)
        self.labels.setflags(write=False)

    def __repr__(self) -> str:
        return f"Constellation({self.name!r})"

    @property
    def num_points(self) -> int:
        """int: the number of points, ``M = 2**bits_per_symbol``."""
        return self.points.shape[0]

    # ----------------------------------------------------------------------------------------
    def map(self, bits) -> np.ndarray:
        """Map bits to symbols (TS 38.211 Section 5.1).

        Input
        -----
        bits : uint8 [..., N*m]
            Values in {0, 1} (other integer dtypes and bool accepted). Consecutive groups of
            ``m = bits_per_symbol`` bits form one symbol, first bit first (38.211's
            ``b(m*i)``, ..., ``b(m*i+m-1)``).

        Output
        ------
        x : complex128 [..., N]
            ``x[..., i] = points[label index of bits[..., m*i : m*(i+1)]]``.
        """
        arr = np.asarray(bits)
        if arr.dtype == np.bool_:
            arr = arr.view(np.uint8)
        if arr.dtype.kind not in "ui":
            raise TypeError(f"bits: got dtype {arr.dtype}; allowed: an integer (uint8) or bool "
                            "array with values in {0, 1}")
        if arr.ndim == 0:
            raise ValueError(f"bits: got a 0-d array; allowed: shape [..., N*{self.bits_per_symbol}]")
        m = self.bits_per_symbol
        if arr.shape[-1] % m:
            raise ValueError(f"bits: last dimension {arr.shape[-1]} is not a multiple of "
                             f"bits_per_symbol={m} for {self.name}")
        if arr.size:
            lo, hi = (0, int(arr.max())) if arr.dtype.kind == "u" else (int(arr.min()), int(arr.max()))
            if lo < 0 or hi > 1:
                bad = lo if lo < 0 else hi
                raise ValueError(f"bits: contains the value {bad}; allowed: only 0 and 1")
        flat = np.ascontiguousarray(arr, dtype=np.uint8).reshape(-1)
        out_shape = arr.shape[:-1] + (arr.shape[-1] // m,)
        out = np.empty(flat.size // m, dtype=np.complex128)
        if out.size:
            _map_kernel(flat, m, self.points, out)
        return out.reshape(out_shape)

    # ----------------------------------------------------------------------------------------
    def demap(self, y, no, method: str = "app") -> np.ndarray:
        """Bit LLRs ``ln P(b=0|y)/P(b=1|y)`` for ``y = x + w``, ``w ~ CN(0, no)`` (module docstring).

        Equiprobable points. For BPSK and QPSK (two candidates per bit) both methods give the
        exact LLR in closed form.

        Parameters
        ----------
        method : {"app", "maxlog"}
            ``"app"``: exact,
            ``LLR_k = LSE_{c: b_k(c)=0} (-|y-c|^2/no) - LSE_{c: b_k(c)=1} (-|y-c|^2/no)``
            (numerically stable log-sum-exp). ``"maxlog"``: the same with ``max`` for ``LSE``,
            i.e. ``(min_{c: b_k=1} |y-c|^2 - min_{c: b_k=0} |y-c|^2) / no``.
            Case-insensitive.

        Input
        -----
        y : complex128 [..., N]
            Received (equalized) symbols; must be finite (real input accepted).
        no : float64 [..., N]
            Noise variance per complex symbol (> 0, finite): a scalar, or an array
            broadcastable to ``y.shape`` with one value per symbol, e.g. ``no / |h|^2`` after
            zero-forcing equalization.

        Output
        ------
        llr : float64 [..., N*m]
            LLR of bit ``m*i + k`` (bit ``k`` of symbol ``i``); positive favours 0.
        """
        if not isinstance(method, str) or method.lower() not in DEMAP_METHODS:
            raise ValueError(f"method: got {method!r}; allowed: one of {DEMAP_METHODS}")
        # With two candidates per bit set (BPSK; QPSK per axis) each LSE has a single term, so
        # the exact LLR is d0 - d1: max-log is then exact, and skips the exp/log work.
        maxlog = method.lower() == "maxlog" or self._two_point_sets
        yarr = np.asarray(y)
        if yarr.dtype.kind not in "biufc":
            raise TypeError(f"y: got dtype {yarr.dtype}; allowed: a complex (or real) numeric array")
        if yarr.ndim == 0:
            raise ValueError("y: got a 0-d array; allowed: shape [..., N]")
        yc = np.ascontiguousarray(yarr, dtype=np.complex128).reshape(-1)
        no_flat = _check_no(no, yarr.shape)
        m = self.bits_per_symbol
        if self._two_point_sets:
            # Closed form, exact for both methods: a bit's two candidates (+-a on one axis,
            # a = 1/sqrt(2); BPSK: +-(1+j)/sqrt(2)) give d0 - d1 = 4 a <y, s0> / no.
            gain = (2.0 * np.sqrt(2.0)) / no_flat
            out = np.empty(yc.size * m, dtype=np.float64)
            if not _demap_two_point_kernel(yc, gain, m, out):
                raise ValueError("y: contains NaN or infinite values; allowed: finite complex "
                                 "values")
            return out.reshape(yarr.shape[:-1] + (yarr.shape[-1] * m,))
        if not np.isfinite(yc).all():
            raise ValueError("y: contains NaN or infinite values; allowed: finite complex values")
        out = np.empty(yc.size * m, dtype=np.float64)
        if yc.size:
            if self._levels is not None:
                _demap_qam_kernel(yc, no_flat, self._levels, self._axis_labels, maxlog, out)
            else:
                _demap_generic_kernel(yc, no_flat, self.points, self.labels, maxlog, out)
        return out.reshape(yarr.shape[:-1] + (yarr.shape[-1] * m,))

    def _demap_generic(self, y, no, method: str = "app") -> np.ndarray:
        """Demap with the generic all-points kernel (for testing the QAM fast path)."""
        return demap_points(y, no, self.points, self.labels, method)


def demap_points(y, no, points, labels, method: str = "app") -> np.ndarray:
    """Bit LLRs ``ln P(b=0|y)/P(b=1|y)`` over a labelled point set, ``y = x + w``, ``w ~ CN(0, no)``.

    Equiprobable points; the same LLRs as :meth:`Constellation.demap` with any points and
    labels. Several points may share a label, e.g. a superposition's composite points labelled
    by one layer's bits: the APP sum then marginalises the other layer.

    Parameters
    ----------
    method : {"app", "maxlog"}
        "app" (exact log-sum-exp) or "maxlog"; case-insensitive.

    Input
    -----
    y : complex128 [..., N]
        Received symbols, finite (real input accepted).
    no : float64 [..., N]
        Noise variance per complex symbol, > 0: a scalar or an array broadcastable to ``y``.
    points : complex128 [M]
        The points.
    labels : uint8 [M, m]
        The bits of each point, first bit first.

    Returns
    -------
    llr : float64 [..., N*m]
        LLR of bit ``m*i + k`` (bit ``k`` of symbol ``i``); positive favours 0.
    """
    if not isinstance(method, str) or method.lower() not in DEMAP_METHODS:
        raise ValueError(f"method: got {method!r}; allowed: one of {DEMAP_METHODS}")
    yarr = np.asarray(y)
    yc = np.ascontiguousarray(yarr, dtype=np.complex128).reshape(-1)
    if not np.isfinite(yc).all():
        raise ValueError("y: contains NaN or infinite values; allowed: finite complex values")
    no_flat = _check_no(no, yarr.shape)
    labels = np.ascontiguousarray(labels, dtype=np.uint8)
    m = labels.shape[1]
    out = np.empty(yc.size * m, dtype=np.float64)
    if yc.size:
        _demap_generic_kernel(yc, no_flat, np.ascontiguousarray(points, dtype=np.complex128),
                              labels, method.lower() == "maxlog", out)
    return out.reshape(yarr.shape[:-1] + (yarr.shape[-1] * m,))


def _check_no(no, shape) -> np.ndarray:
    """Validate a noise variance and return it flat: float64 [1] (scalar) or [prod(shape)]."""
    arr = np.asarray(no)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"no: got dtype {arr.dtype}; allowed: a real number or real array > 0")
    arr = arr.astype(np.float64, copy=False)
    if not (np.isfinite(arr).all() and (arr > 0).all()):
        bad = arr[~(np.isfinite(arr) & (arr > 0))].reshape(-1)[0]
        raise ValueError(f"no: contains {bad!r}; allowed: finite values > 0")
    try:
        ok = np.broadcast_shapes(arr.shape, shape) == tuple(shape)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"no: shape {arr.shape} does not broadcast to y.shape {tuple(shape)}; "
                         "allowed: a scalar or an array broadcastable to y.shape")
    if arr.size == 1:
        return arr.reshape(1).copy()
    return np.ascontiguousarray(np.broadcast_to(arr, shape)).reshape(-1)
