"""Power-domain superposition of two layers (NOM) and the per-layer soft demappers of a SIC receiver.

Transmit (notes 003 §3.4 [N-2], the corrected form of paper eq. (5)):

    x = sqrt(P_M) s_M + sqrt(P_K) s_K,    E|s_M|^2 = E|s_K|^2 = 1,

and each receiver sees ``r = h x + w`` with ``w ~ CN(0, sigma^2)``, so after one-tap equalization
with perfect CSI ``y = r / h = x + w'`` with per-symbol noise variance ``no = sigma^2 / |h|^2``.

The SIC receiver (notes 003 §3.5) demaps the primary (M) layer first, either

* ``"gaussian"``: with the K layer treated as Gaussian interference, ``y / sqrt(P_M) = s_M + v``,
  ``v ~ CN(0, (P_K + no) / P_M)``. This is what the analysis assumes
  (gamma_M = z P_M / (z P_K + sigma^2), notes 003 §4.1, §9 A3);
* ``"joint"``: exact APP LLRs over the composite constellation
  {sqrt(P_M) a + sqrt(P_K) b}, marginalised over the (uniform) K symbol b;

then, once the M codeword is decoded and its CRC passes, subtracts the re-modulated M layer and
demaps K from ``(y - sqrt(P_M) s_M_hat) / sqrt(P_K)`` with noise ``no / P_K``.

All arrays are batch-first ``[batch, n_symbols]``; LLRs follow the package convention
``ln P(b=0|y)/P(b=1|y)``.
"""

from __future__ import annotations

import numpy as np

from linksim.mapping import Constellation, demap_points

__all__ = ["M_LLR_MODES", "superpose", "primary_llrs", "cancel_primary", "secondary_llrs"]

#: How the M layer's LLRs are computed.
M_LLR_MODES = ("gaussian", "joint")


def _power(name: str, value) -> float:
    v = float(value)
    if not np.isfinite(v) or v < 0:
        raise ValueError(f"{name}: got {value!r}; allowed: a finite power >= 0 (mW)")
    return v


def superpose(s_m, s_k, p_m: float, p_k: float) -> np.ndarray:
    """x = sqrt(P_M) s_M + sqrt(P_K) s_K (notes 003 §3.4 [N-2]).

    Inputs: ``s_m``, ``s_k`` complex [batch, n_symbols] of unit average energy (``s_k`` may be
    None for no key layer); ``p_m``, ``p_k`` the layer powers (mW). Output: complex128, same shape.
    """
    p_m, p_k = _power("p_m", p_m), _power("p_k", p_k)
    x = np.sqrt(p_m) * np.asarray(s_m, dtype=np.complex128)
    if s_k is not None and p_k > 0:
        s_k = np.asarray(s_k, dtype=np.complex128)
        if s_k.shape != x.shape:
            raise ValueError(f"s_k: got shape {s_k.shape}; allowed: the shape of s_m {x.shape}")
        x = x + np.sqrt(p_k) * s_k
    return x


def primary_llrs(y, no, p_m: float, p_k: float, constellation: Constellation,
                 mode: str = "gaussian", secondary: Constellation | None = None) -> np.ndarray:
    """LLRs of the M layer's code bits from equalized symbols ``y`` (module docstring).

    Inputs: ``y`` complex [batch, n_symbols] (= r / h); ``no`` noise variance per symbol
    (scalar or broadcastable to ``y``: sigma^2 / |h|^2); ``p_m``, ``p_k`` (mW, p_m > 0);
    ``constellation`` of the M layer; ``mode`` "gaussian" or "joint"; ``secondary`` the K layer's
    constellation (default: the same as M), used by "joint".
    Output: float64 [batch, n_symbols * bits_per_symbol].
    """
    p_m, p_k = _power("p_m", p_m), _power("p_k", p_k)
    if p_m == 0:
        raise ValueError("p_m: got 0; allowed: > 0 (the primary layer must carry power)")
    if mode not in M_LLR_MODES:
        raise ValueError(f"mode: got {mode!r}; allowed: one of {', '.join(M_LLR_MODES)}")
    y = np.asarray(y)
    no = np.asarray(no, dtype=np.float64)
    if mode == "gaussian" or p_k == 0:
        return constellation.demap(y / np.sqrt(p_m), (p_k + no) / p_m)
    secondary = constellation if secondary is None else secondary
    # Composite points sqrt(P_M) a_i + sqrt(P_K) b_j, labelled by a_i's bits only: the APP
    # sum over each bit set then marginalises the uniform K symbol exactly.
    a, b = constellation.points, secondary.points
    points = (np.sqrt(p_m) * a[:, None] + np.sqrt(p_k) * b[None, :]).reshape(-1)
    labels = np.repeat(constellation.labels, b.size, axis=0)
    return demap_points(y, no, points, labels)


def cancel_primary(y, s_m_hat, p_m: float) -> np.ndarray:
    """SIC: ``y - sqrt(P_M) s_M_hat`` (the re-modulated, decoded M codeword); shapes as ``y``."""
    return np.asarray(y) - np.sqrt(_power("p_m", p_m)) * np.asarray(s_m_hat)


def secondary_llrs(y_cancelled, no, p_k: float, constellation: Constellation) -> np.ndarray:
    """LLRs of the K layer's code bits after SIC: demap ``y / sqrt(P_K)`` with noise
    ``no / P_K`` (p_k > 0). Output float64 [batch, n_symbols * bits_per_symbol]."""
    p_k = _power("p_k", p_k)
    if p_k == 0:
        raise ValueError("p_k: got 0; allowed: > 0 (no key layer to demap)")
    no = np.asarray(no, dtype=np.float64)
    return constellation.demap(np.asarray(y_cancelled) / np.sqrt(p_k), no / p_k)
