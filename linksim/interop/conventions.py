"""The conventions at the boundary between linksim and Sionna, converted in this one place.

=================  =========================================  ===================================
quantity           linksim                                     Sionna (0.x, 1.x on TF; 2.x on torch)
=================  =========================================  ===================================
LLR                ``ln P(b=0|y) / P(b=1|y)`` (DESIGN.md)      "logits" ``ln P(b=1|y) / P(b=0|y)``
                                                               (demapper output, decoder input)
hard decision      ``llr < 0 -> 1``                            ``logit > 0 -> 1``
noise              ``N0``, complex noise variance per symbol   ``no``, the same quantity
Eb/N0 -> N0        ``N0 = 1 / (Eb/N0 * m * k / n)``            ``ebnodb2no(ebno_db, m, k / n)``,
                   (:func:`linksim.channel.ebno_to_no`)        the same formula
shapes             ``[batch, n]`` (frames first)               ``[..., n]`` (any leading dims)
bits               uint8                                       float32 0.0 / 1.0
BPSK points        (1 + j) / sqrt 2 for bit 0 (on the          +1 for bit 0 (real PAM)
                   diagonal, as linksim's QPSK axes)
QAM labels         TS 38.211 Gray labels, QPSK to 256-QAM      the same (checked point by point)
=================  =========================================  ===================================

So only the LLR sign, the bit dtype and the BPSK orientation differ; the functions below are the one place where
they are converted (the Sionna backend of the coded link and :mod:`linksim.interop` use them).
"""

from __future__ import annotations

import numpy as np

from linksim.channel import ebno_to_no

__all__ = ["to_sionna_llr", "from_sionna_llr", "noise_variance", "bits_to_float",
           "bits_to_uint8", "to_linksim_symbols"]


def to_sionna_llr(llr):
    """Sionna logits ``ln P(1)/P(0)`` from linksim LLRs ``ln P(0)/P(1)``: the negation.

    Parameters
    ----------
    llr : array-like or tensor (numpy, torch or TF), any shape
        linksim LLRs. The result has the input's type, shape and dtype.
    """
    return -llr


def from_sionna_llr(logits):
    """linksim LLRs ``ln P(0)/P(1)`` from Sionna logits ``ln P(1)/P(0)``: the negation.

    Parameters
    ----------
    logits : array-like or tensor, any shape
        Sionna logits. The result has the input's type, shape and dtype.
    """
    return -logits


def noise_variance(ebno_db: float, bits_per_symbol: int, coderate: float) -> float:
    """``N0`` (Sionna's ``no``) of unit-energy symbols at ``ebno_db``:
    1 / (10^(ebno_db/10) * bits_per_symbol * coderate), as Sionna's ``ebnodb2no``.

    Parameters
    ----------
    ebno_db : float
        Eb/N0 per information bit, dB.
    bits_per_symbol : int
        Code bits per symbol.
    coderate : float
        Information bits per code bit, in (0, 1].
    """
    return float(ebno_to_no(ebno_db, bits_per_symbol, coderate=coderate))


def bits_to_float(bits: np.ndarray) -> np.ndarray:
    """uint8 bits [...] -> float32 0.0 / 1.0 [...] (Sionna's bit tensors).

    Parameters
    ----------
    bits : uint8 array [...]
    """
    return np.asarray(bits, dtype=np.float32)


def bits_to_uint8(bits) -> np.ndarray:
    """Sionna's float bits [...] (numpy, or a tensor with ``.numpy()``) -> uint8 [...].

    Parameters
    ----------
    bits : float array or tensor [...] of 0.0 / 1.0
    """
    if hasattr(bits, "detach"):
        bits = bits.detach().cpu().numpy()
    elif hasattr(bits, "numpy"):
        bits = bits.numpy()
    return (np.asarray(bits) > 0.5).astype(np.uint8)


def to_linksim_symbols(y: np.ndarray, modulation: str) -> np.ndarray:
    """Received symbols of a Sionna mapper in linksim's orientation: BPSK rotated by
    e^{j pi / 4} (Sionna's +-1 onto linksim's +-(1 + j)/sqrt 2, a rotation, so the noise is
    unchanged); every other modulation as it is.

    Parameters
    ----------
    y : complex array [...]
    modulation : str
        A :data:`linksim.mapping.MODULATIONS` name.
    """
    if modulation == "bpsk":
        return np.asarray(y) * np.exp(1j * np.pi / 4)
    return np.asarray(y)
