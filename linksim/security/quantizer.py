"""Equiprobable Gray-labelled scalar quantizer of a Gaussian variable, with the soft information
of a side that observes it through a Gaussian channel (notes 001 §5.2 steps 2 and 4, §3.3).

The quantizer of the backward (user-generated) key: user *i* quantizes each ``Y_i`` with ``b``
bits (1 to 4); the base station, which knows ``X_i``, needs the bit LLRs of ``Q(Y_i)`` given
``X_i`` for its BP decoder, and the eavesdropper's exact posteriors ``p(q | y_j)`` are the same
cell probabilities with her own conditional law.

Conventions:

* cells: ``Y ~ N(0, variance)`` is cut at the quantiles ``t_j = sqrt(variance) Phi^{-1}(j / 2^b)``,
  ``j = 1 .. 2^b - 1`` (``t_0 = -inf``, ``t_{2^b} = +inf``), so the ``2^b`` cells are
  equiprobable and ``H(Q) = b`` bits; cell ``j`` is ``[t_j, t_{j+1})`` (a value on a threshold
  goes to the upper cell);
* labels: cell ``j`` carries the binary reflected Gray code ``j XOR (j >> 1)`` written MSB first,
  so neighbouring cells differ in one bit; bits are ``uint8`` in {0, 1}, symbol-major (the ``b``
  bits of symbol 0, then those of symbol 1, ...);
* LLR = ``ln P(bit = 0 | side) / P(bit = 1 | side)``: positive means 0 (as in
  :mod:`linksim.mapping`);
* side information: ``Y | side ~ N(mean, var)``, e.g. ``mean = X_1``, ``var = 5`` for the base
  station of notes 001 §3.3, or ``mean = (cov / var_S) S``, ``var = var_Y - cov^2 / var_S`` for any
  jointly Gaussian ``(Y, S)``.

Cell probabilities ``Phi(b) - Phi(a)`` (``a, b`` the standardized edges) are computed in log space
from :func:`scipy.special.log_ndtr`: as ``log Phi(b) + log(1 - exp(log Phi(a) - log Phi(b)))``
for a cell below the mean, and with the upper tails ``Phi(-a) - Phi(-b)`` for one above it, so a
cell far in either tail keeps its (tiny) probability instead of ``1 - 1 = 0``. A cell narrow
against the conditional deviation (``(b - a)(1 + |m|) < 1e-3``, ``m`` its standardized midpoint)
uses the Taylor form ``(b - a) phi(m) (1 + (b - a)^2 (m^2 - 1) / 24)``, exact to double
precision there, where the difference of two close logarithms would cancel.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from linksim.checks import check_int, check_real, check_real_array

__all__ = ["GaussianQuantizer", "LLR_MAX", "MAX_BITS", "gray_labels"]

#: Largest number of bits per sample.
MAX_BITS = 4

#: Default bound of the LLRs of :meth:`GaussianQuantizer.llrs`, in nats. A bit with
#: ``|LLR| = 50`` is wrong with probability ``e^-50 ~ 2e-22``, far below any rate a simulation
#: can measure, so the clip loses nothing measurable; it keeps very large and infinite values
#: (a cell probability that underflows) out of float32 BP messages and leakage sums.
LLR_MAX = 50.0

# Half-width, in standard deviations, of the integration ranges of conditional_entropy: the
# Gaussian weight beyond it has mass 2 Q(9) = 2.3e-19.
_REACH = 9.0
# Pieces of the composite Gauss-Legendre rule: the core [-9 tau, 9 tau] in _CORE_PIECES equal
# pieces; each threshold's window [t - 9 sigma, t + 9 sigma] in pieces of sigma. Against adaptive
# quadrature (tests) 8 nodes on these pieces agree to 1e-15; 4 nodes on half as many, to 5e-6.
_CORE_PIECES = 48
_WINDOW_PIECES = 18
_GL_NODES = 8
_NARROW = 1e-3
# The largest LLR clip: the bit sums of llrs() are exact while the weaker side stays a normal
# double (e^-708); 700 leaves a margin.
_LLR_EXACT = 700.0


def gray_labels(bits: int) -> np.ndarray:
    """The binary reflected Gray code of every cell index, MSB first (notes 001 §5.2 step 2).

    Parameters
    ----------
    bits : int
        Bits per label, 1 to :data:`MAX_BITS`.

    Returns
    -------
    labels : uint8 [2**bits, bits]
        ``labels[j]`` = binary digits of ``j ^ (j >> 1)``, MSB first; rows ``j`` and ``j + 1``
        differ in exactly one bit.
    """
    b = check_int("bits", bits, 1, MAX_BITS)
    j = np.arange(2**b)
    gray = j ^ (j >> 1)
    shifts = np.arange(b - 1, -1, -1)
    return ((gray[:, None] >> shifts[None, :]) & 1).astype(np.uint8)


def _log_cell_mass(z, width):
    """``log(Phi(z_{j+1}) - Phi(z_j))`` of every cell, from the standardized edges ``z``
    [..., K + 1] (increasing; the outer ones may be infinite) and the widths [..., K] computed
    from the unstandardized edges (no cancellation)."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        lo, hi = z[..., :-1], z[..., 1:]
        log_cdf = special.log_ndtr(z)                  # log Phi(z)
        log_sf = special.log_ndtr(-z)                  # log Phi(-z)
        upper = lo + hi > 0              # the cell lies mostly above the mean: use the upper tails
        big = np.where(upper, log_sf[..., :-1], log_cdf[..., 1:])
        small = np.where(upper, log_sf[..., 1:], log_cdf[..., :-1])
        # log(1 - e^x), x = small - big <= 0: log(-expm1(x)) is accurate to rounding in the
        # absolute sense everywhere (0 at x = -inf); big = -inf means an empty cell
        out = np.where(big == -np.inf, -np.inf, big + np.log(-np.expm1(small - big)))
        mid = 0.5 * lo + 0.5 * hi
        narrow = np.isfinite(width) & (width * (1.0 + np.abs(mid)) < _NARROW)
        if np.any(narrow):
            w, m = np.broadcast_to(width, out.shape)[narrow], mid[narrow]
            # w |m| < 1e-3: (w m)^2 cannot overflow; the next term is below 1e-12 / 1920
            out[narrow] = (np.log(w) - 0.5 * m * m - 0.5 * math.log(2.0 * math.pi)
                           + np.log1p(((w * m) ** 2 - w * w) / 24.0))
    return out


class GaussianQuantizer:
    """A ``b``-bit quantizer, equiprobable cells for ``N(0, variance)``, Gray labels (notes 001 §5.2).

    Cells at the quantiles ``t_j = sqrt(variance) Phi^{-1}(j / 2^b)``, labels the binary
    reflected Gray code MSB first, LLR = ``ln P(0)/P(1)`` (module docstring).

    Parameters
    ----------
    bits : int
        Bits per sample ``b``, 1 to :data:`MAX_BITS` (2 to 16 cells).
    variance : float
        Variance of the zero-mean Gaussian input the cells are designed for, finite, > 0.

    Attributes
    ----------
    bits : int
        ``b``.
    n_cells : int
        ``2**b``.
    variance : float
        The design variance.
    thresholds : float64 [2**b - 1], read-only
        The inner cell edges ``t_1 < ... < t_{2^b - 1}`` (``t_{2^(b-1)} = 0``).
    edges : float64 [2**b + 1], read-only
        ``[-inf, t_1, ..., t_{2^b - 1}, +inf]``: cell ``j`` is ``[edges[j], edges[j + 1])``.
    labels : uint8 [2**b, b], read-only
        :func:`gray_labels`: ``labels[j]`` are the bits of cell ``j``.
    """

    def __init__(self, bits: int, variance: float):
        self.bits = check_int("bits", bits, 1, MAX_BITS)
        self.variance = check_real("variance", variance, lo=0.0, strict_lo=True)
        self.n_cells = 2**self.bits
        sd = math.sqrt(self.variance)
        inner = sd * special.ndtri(np.arange(1, self.n_cells) / self.n_cells)
        inner[(self.n_cells - 1) // 2] = 0.0           # the median exactly (ndtri(0.5) is 0)
        self.thresholds = np.ascontiguousarray(inner, dtype=np.float64)
        self.edges = np.concatenate(([-np.inf], self.thresholds, [np.inf]))
        self.labels = gray_labels(self.bits)
        # [2^b, b]: 1.0 where cell j's label has bit k equal to 0 (resp. 1)
        self._is_zero = (self.labels == 0).astype(np.float64)
        self._is_one = (self.labels == 1).astype(np.float64)
        for arr in (self.thresholds, self.edges, self.labels):
            arr.setflags(write=False)

    def __repr__(self) -> str:
        return f"GaussianQuantizer(bits={self.bits}, variance={self.variance!r})"

    # ----------------------------------------------------------------------------------------
    # hard side: the quantizer itself
    # ----------------------------------------------------------------------------------------

    def cells(self, y) -> np.ndarray:
        """The cell index of each sample, ``j`` with ``t_j <= y < t_{j+1}`` (notes 001 §5.2).

        Input
        -----
        y : float [..., n]
            Samples, real, not NaN (``+-inf`` go to the outer cells).

        Output
        ------
        cells : int64 [..., n]
            Cell indices in ``[0, 2**b)``.
        """
        arr = check_real_array("y", y, allowed="real samples, not NaN")
        return np.searchsorted(self.thresholds, arr, side="right").astype(np.int64)

    def quantize(self, y) -> np.ndarray:
        """The Gray label bits of each sample's cell, symbol-major (notes 001 §5.2 step 2).

        Input
        -----
        y : float [..., n]
            Samples, real, not NaN, at least one dimension.

        Output
        ------
        bits : uint8 [..., n * b]
            Bits ``b*i .. b*i + b - 1`` are the label of sample ``i``, MSB first.
        """
        arr = check_real_array("y", y, allowed="real samples, not NaN")
        if arr.ndim == 0:
            raise ValueError("y: got a 0-d array; allowed: shape [..., n]")
        return self.bits_of(np.searchsorted(self.thresholds, arr, side="right"))

    def bits_of(self, cells) -> np.ndarray:
        """The Gray label bits of cell indices, symbol-major.

        Input
        -----
        cells : int64 [..., n]
            Cell indices in ``[0, 2**b)``, at least one dimension.

        Output
        ------
        bits : uint8 [..., n * b]
            ``labels[cells]`` flattened over the last two axes.
        """
        c = np.asarray(cells)
        if c.dtype.kind not in "iu" or c.ndim == 0:
            raise TypeError(f"cells: got dtype {c.dtype}, shape {c.shape}; allowed: an integer "
                            f"array [..., n] with values in [0, {self.n_cells})")
        if c.size and (c.min() < 0 or c.max() >= self.n_cells):
            raise ValueError(f"cells: got values in [{c.min()}, {c.max()}]; allowed: "
                             f"[0, {self.n_cells})")
        return self.labels[c].reshape(*c.shape[:-1], c.shape[-1] * self.bits)

    def cells_of(self, bits) -> np.ndarray:
        """The cell indices of Gray label bits, the inverse of :meth:`bits_of`.

        Input
        -----
        bits : uint8 [..., n * b]
            Labels, symbol-major, MSB first; values 0 or 1, last axis a multiple of ``b``.

        Output
        ------
        cells : int64 [..., n]
            Cell indices in ``[0, 2**b)``.
        """
        arr = np.asarray(bits)
        if arr.ndim == 0 or arr.shape[-1] % self.bits or arr.dtype.kind not in "biuf":
            raise ValueError(f"bits: got shape {arr.shape} (dtype {arr.dtype}); allowed: "
                             f"0/1 values [..., n * {self.bits}]")
        if np.any((arr != 0) & (arr != 1)):
            raise ValueError("bits: got values other than 0 and 1; allowed: 0 or 1")
        words = arr.reshape(*arr.shape[:-1], arr.shape[-1] // self.bits, self.bits)
        gray = (words.astype(np.int64) << np.arange(self.bits - 1, -1, -1)).sum(axis=-1)
        index = gray.copy()                            # Gray -> binary: XOR of all right shifts
        shift = gray >> 1
        while np.any(shift):
            index ^= shift
            shift >>= 1
        return index

    # ----------------------------------------------------------------------------------------
    # soft side: Y | side ~ N(mean, var)
    # ----------------------------------------------------------------------------------------

    def _standardized(self, mean, var):
        m = check_real_array("mean", mean, lo=-np.inf, lo_open=True, hi=np.inf, hi_open=True,
                             allowed="finite real numbers")
        if m.ndim == 0:
            raise ValueError("mean: got a 0-d array; allowed: shape [..., n]")
        v = check_real_array("var", var, lo=0.0, lo_open=True, hi=np.inf, hi_open=True,
                             allowed="finite variances > 0, a scalar or an array "
                                     "broadcastable to mean")
        try:
            sd = np.broadcast_to(np.sqrt(v), m.shape)
        except ValueError:
            raise ValueError(f"var: got shape {v.shape}; allowed: a scalar or a shape "
                             f"broadcastable to mean's {m.shape}") from None
        with np.errstate(over="ignore"):
            z = (self.edges - m[..., None]) / sd[..., None]
            width = np.diff(self.edges) / sd[..., None]
        return z, width

    def cell_log_probabilities(self, mean, var) -> np.ndarray:
        """``log P(Q = j | side)`` for ``Y | side ~ N(mean, var)`` (notes 001 §5.3 item 2).

        ``log(Phi((t_{j+1} - mean)/sd) - Phi((t_j - mean)/sd))`` in log space (module
        docstring): finite down to about ``-1e300`` (``-inf`` only where even the logarithm
        underflows); each row is a distribution (``logsumexp = 0`` to rounding).

        Input
        -----
        mean : float [..., n]
            Conditional means, finite.
        var : float [..., n]
            Conditional variances, finite, > 0: a scalar or an array broadcastable to ``mean``.

        Output
        ------
        log_p : float64 [..., n, 2**b]
            Natural log of each cell's conditional probability.
        """
        z, width = self._standardized(mean, var)
        return _log_cell_mass(z, width)

    def llrs(self, mean, var, llr_max: float = LLR_MAX) -> np.ndarray:
        """Per-bit LLRs ``ln P(bit = 0 | side) / P(bit = 1 | side)`` (notes 001 §5.2 step 4).

        ``LLR_k = LSE_{j: label_k(j) = 0} log_p_j - LSE_{j: label_k(j) = 1} log_p_j`` over
        :meth:`cell_log_probabilities` (as sums of ``exp(log_p_j - max_j log_p_j)``, exact for
        ``|LLR|`` up to about 700), then clipped to ``+-llr_max``.

        Parameters
        ----------
        llr_max : float
            Clip bound, 0 < llr_max <= 700; :data:`LLR_MAX` = 50 by default.

        Input
        -----
        mean : float [..., n]
            Conditional means of the quantized samples, finite.
        var : float [..., n]
            Conditional variances, finite, > 0: a scalar or an array broadcastable to ``mean``.

        Output
        ------
        llr : float64 [..., n * b]
            LLR of bit ``b*i + k`` (bit ``k``, MSB first, of sample ``i``); positive favours 0.
        """
        bound = check_real("llr_max", llr_max, lo=0.0, hi=_LLR_EXACT, strict_lo=True)
        log_p = self.cell_log_probabilities(mean, var)
        # Relative to the likeliest cell, whose side of each bit sums to >= 1: the other side
        # underflows to 0 only past |LLR| ~ 745, far beyond any clip that is useful.
        p = np.exp(log_p - log_p.max(axis=-1, keepdims=True))
        with np.errstate(divide="ignore"):
            llr = np.log(p @ self._is_zero) - np.log(p @ self._is_one)
        llr = np.clip(llr, -bound, bound)
        return llr.reshape(*llr.shape[:-2], llr.shape[-2] * self.bits)

    # ----------------------------------------------------------------------------------------
    # information: jointly Gaussian (Y, S), Y = gain S + N
    # ----------------------------------------------------------------------------------------

    def entropy(self, variance: float | None = None) -> float:
        """``H(Q)`` in bits for ``Y ~ N(0, variance)``; ``b`` at the design variance.

        Parameters
        ----------
        variance : float or None
            Variance of the input, finite, > 0; None: the design variance (cells equiprobable,
            ``H(Q) = b`` exactly).

        Returns
        -------
        h : float
            Entropy of the cell index in bits, in ``[0, b]``.
        """
        if variance is None:
            return float(self.bits)
        v = check_real("variance", variance, lo=0.0, strict_lo=True)
        p = np.exp(self.cell_log_probabilities(np.zeros(1), v)[0])
        return float(special.entr(p).sum() / math.log(2.0))

    def conditional_entropy(self, gain, noise_var, side_var):
        """``H(Q | S)`` in bits per sample for ``Y = gain S + N`` (notes 001 §3.3).

        ``S ~ N(0, side_var)`` and ``N ~ N(0, noise_var)`` independent; for jointly Gaussian
        ``(Y, S)``, ``gain = cov(Y, S) / var(S)`` and ``noise_var = var(Y) - cov^2 / var(S)``.
        ``H(Q | S) = E_M[h(M)]`` with ``M = gain S ~ N(0, tau^2)`` and ``h(m)`` the entropy of
        the cells under ``N(m, noise_var)``, integrated by a composite 8-point Gauss-Legendre
        rule on ``[-9 tau, 9 tau]`` (mass outside 2.3e-19) cut into 48 equal pieces and, around
        each threshold ``t``, into pieces of ``sqrt(noise_var)`` over ``t +- 9 sqrt(noise_var)``,
        where ``h`` varies. Agrees with adaptive quadrature to about 1e-15 bits from useless to
        near-perfect side information (tests). The cells need not be equiprobable for ``Y``
        (``var(Y) != variance`` is allowed). About 1 to 10 ms per element.

        Parameters
        ----------
        gain : float or array
            ``cov(Y, S) / var(S)``, finite; arrays broadcast together with the others (one
            integration per element).
        noise_var : float or array
            ``var(Y | S)``, finite, >= 0 (0: ``Q`` is a function of ``S``, ``H = 0``).
        side_var : float or array
            ``var(S)``, finite, >= 0 (0, or ``gain = 0``: no side information).

        Returns
        -------
        h : float or float64 [...]
            ``H(Q | S)`` in bits, in ``[0, b]``; a float for scalar arguments.
        """
        g, nv, sv = self._joint(gain, noise_var, side_var)
        out = np.empty(g.shape)
        for idx in np.ndindex(g.shape):
            out[idx] = self._conditional_entropy(float(g[idx]), float(nv[idx]), float(sv[idx]))
        return float(out) if out.ndim == 0 else out

    def plane_conditional_entropies(self, gain, noise_var, side_var) -> np.ndarray:
        """``H(Q_k | S, Q_1 .. Q_{k-1})`` for each bit plane ``k`` (MSB first), bits per sample.

        The reflected Gray code's first ``k`` bits are the label of the cell's group of
        ``2^(b-k)`` neighbours, i.e. of the ``k``-bit equiprobable quantizer of the same
        variance, so by the chain rule each term is ``H(Q^(k) | S) - H(Q^(k-1) | S)`` with
        :meth:`conditional_entropy` of the coarser quantizers (scalar arguments; the sum is
        ``H(Q | S)``). These are the plane rates of multilevel reconciliation
        (:mod:`linksim.security.multilevel`).

        Parameters
        ----------
        gain, noise_var, side_var : float
            As in :meth:`conditional_entropy` (scalars).

        Returns
        -------
        h : float64 [b]
        """
        prefix = [0.0] + [GaussianQuantizer(k, self.variance).conditional_entropy(
            gain, noise_var, side_var) for k in range(1, self.bits)]
        prefix.append(self.conditional_entropy(gain, noise_var, side_var))
        return np.maximum(np.diff(np.asarray(prefix, np.float64)), 0.0)

    def mutual_information(self, gain, noise_var, side_var):
        """``I(Q; S) = H(Q) - H(Q | S)`` in bits per sample, ``Y = gain S + N`` (notes 001 §3.3).

        ``H(Q)`` for ``Y ~ N(0, gain^2 side_var + noise_var)`` (``b`` when that is the design
        variance); ``H(Q | S)`` from :meth:`conditional_entropy`. A key rate of notes 001 §3.3
        is ``I(Q; X_1) - I(Q; Y_2) = H(Q | Y_2) - H(Q | X_1)``.

        Parameters
        ----------
        gain : float or array
            ``cov(Y, S) / var(S)``, finite.
        noise_var : float or array
            ``var(Y | S)``, finite, >= 0.
        side_var : float or array
            ``var(S)``, finite, >= 0; ``gain^2 side_var + noise_var > 0``.

        Returns
        -------
        i : float or float64 [...]
            ``I(Q; S)`` in bits, in ``[0, b]``; a float for scalar arguments.
        """
        g, nv, sv = self._joint(gain, noise_var, side_var)
        out = np.empty(g.shape)
        for idx in np.ndindex(g.shape):
            gi, ni, si = float(g[idx]), float(nv[idx]), float(sv[idx])
            var_y = gi * gi * si + ni
            if var_y <= 0:
                raise ValueError(f"noise_var: got {ni} with gain^2 side_var = {gi * gi * si}; "
                                 "allowed: var(Y) = gain^2 side_var + noise_var > 0")
            h_q = self.entropy(None if var_y == self.variance else var_y)
            out[idx] = max(h_q - self._conditional_entropy(gi, ni, si), 0.0)
        return float(out) if out.ndim == 0 else out

    def _joint(self, gain, noise_var, side_var):
        g = check_real_array("gain", gain, lo=-np.inf, lo_open=True, hi=np.inf, hi_open=True,
                             allowed="finite real numbers")
        nv = check_real_array("noise_var", noise_var, lo=0.0, hi=np.inf, hi_open=True,
                              allowed="finite variances >= 0")
        sv = check_real_array("side_var", side_var, lo=0.0, hi=np.inf, hi_open=True,
                              allowed="finite variances >= 0")
        try:
            return np.broadcast_arrays(g, nv, sv)
        except ValueError:
            raise ValueError(f"gain, noise_var, side_var: got shapes {g.shape}, {nv.shape}, "
                             f"{sv.shape}; allowed: shapes that broadcast together") from None

    def _cell_entropy_bits(self, means, sd):
        """Entropy (bits) of the cells under N(m, sd^2) for each m of ``means`` [N]."""
        p = np.exp(_log_cell_mass((self.edges - means[:, None]) / sd, np.diff(self.edges) / sd))
        return special.entr(p).sum(axis=-1) / math.log(2.0)

    def _conditional_entropy(self, gain, noise_var, side_var):
        if noise_var == 0.0:
            return 0.0
        sd = math.sqrt(noise_var)
        tau = abs(gain) * math.sqrt(side_var)
        if tau == 0.0:
            return float(self._cell_entropy_bits(np.zeros(1), sd)[0])
        reach = _REACH * tau
        window = _REACH * np.linspace(-1.0, 1.0, _WINDOW_PIECES + 1) * sd
        cuts = np.concatenate([np.linspace(-reach, reach, _CORE_PIECES + 1),
                               (self.thresholds[:, None] + window[None, :]).ravel()])
        cuts = np.unique(np.clip(cuts, -reach, reach))
        x, w = np.polynomial.legendre.leggauss(_GL_NODES)
        half = 0.5 * np.diff(cuts)
        centre = 0.5 * (cuts[1:] + cuts[:-1])
        m = (centre[:, None] + half[:, None] * x[None, :]).ravel()
        weight = (half[:, None] * w[None, :]).ravel()
        density = np.exp(-0.5 * (m / tau) ** 2) / (tau * math.sqrt(2.0 * math.pi))
        h = float(np.sum(weight * density * self._cell_entropy_bits(m, sd)))
        return min(max(h, 0.0), float(self.bits))
