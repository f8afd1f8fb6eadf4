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
    """Superposition of the two layers, x = sqrt(P_M) s_M + sqrt(P_K) s_K (notes 003 §3.4 [N-2]).

    Parameters
    ----------
    p_m : float
        Power of the primary (M) layer, mW, finite, >= 0.
    p_k : float
        Power of the key (K) layer, mW, finite, >= 0; 0 leaves the K layer out.

    Input
    -----
    s_m : complex128 [batch, n_symbols]
        Primary-layer symbols of unit average energy.
    s_k : complex128 [batch, n_symbols]
        Key-layer symbols of unit average energy, the shape of ``s_m``; None for no key layer.

    Returns
    -------
    x : complex128 [batch, n_symbols]
        The transmitted symbols.
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
    """LLRs of the M layer's code bits from equalized symbols, first SIC stage (notes 003 §3.5).

    ``"gaussian"`` treats the K layer as Gaussian interference, ``y / sqrt(P_M) = s_M + v``,
    ``v ~ CN(0, (P_K + no) / P_M)`` (notes 003 §4.1, §9 A3); ``"joint"`` computes exact APP
    LLRs over the composite constellation, marginalised over the uniform K symbol (module
    docstring). With ``p_k == 0`` both are the plain demapper.

    Parameters
    ----------
    p_m : float
        Primary-layer power, mW, finite, > 0.
    p_k : float
        Key-layer power, mW, finite, >= 0.
    constellation : Constellation
        The M layer's constellation.
    mode : {"gaussian", "joint"}
        How the M layer's LLRs are computed (:data:`M_LLR_MODES`).
    secondary : Constellation or None
        The K layer's constellation, used by "joint"; None: the same as M.

    Input
    -----
    y : complex128 [batch, n_symbols]
        Equalized symbols, ``r / h``.
    no : float64 [batch, n_symbols]
        Noise variance per symbol, ``sigma^2 / |h|^2``: a scalar or an array broadcastable
        to ``y``.

    Returns
    -------
    llr : float64 [batch, n_symbols * bits_per_symbol]
        ``ln P(b=0|y)/P(b=1|y)`` of the M layer's bits.
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
    """Successive interference cancellation, ``y - sqrt(P_M) s_M_hat`` (notes 003 §3.5).

    Parameters
    ----------
    p_m : float
        Primary-layer power, mW, finite, >= 0.

    Input
    -----
    y : complex128 [batch, n_symbols]
        Equalized symbols.
    s_m_hat : complex128 [batch, n_symbols]
        The re-modulated, decoded M codeword (unit average energy).

    Returns
    -------
    y_cancelled : complex128 [batch, n_symbols]
        ``y`` with the M layer removed (NumPy broadcasting of the two inputs).
    """
    return np.asarray(y) - np.sqrt(_power("p_m", p_m)) * np.asarray(s_m_hat)


def secondary_llrs(y_cancelled, no, p_k: float, constellation: Constellation) -> np.ndarray:
    """LLRs of the K layer after SIC: demap ``y / sqrt(P_K)``, noise ``no / P_K`` (notes 003 §3.5).

    Parameters
    ----------
    p_k : float
        Key-layer power, mW, finite, > 0.
    constellation : Constellation
        The K layer's constellation.

    Input
    -----
    y_cancelled : complex128 [batch, n_symbols]
        Symbols after :func:`cancel_primary`.
    no : float64 [batch, n_symbols]
        Noise variance per symbol: a scalar or an array broadcastable to ``y_cancelled``.

    Returns
    -------
    llr : float64 [batch, n_symbols * bits_per_symbol]
        ``ln P(b=0|y)/P(b=1|y)`` of the K layer's bits.
    """
    p_k = _power("p_k", p_k)
    if p_k == 0:
        raise ValueError("p_k: got 0; allowed: > 0 (no key layer to demap)")
    no = np.asarray(no, dtype=np.float64)
    return constellation.demap(np.asarray(y_cancelled) / np.sqrt(p_k), no / p_k)
