"""linksim's fast CPU blocks as callables on PyTorch tensors, with Sionna 2's conventions.

A Sionna 2 user swaps in linksim's decoder in one line::

    from linksim.interop.torch import LDPC5GDecoder
    decoder = LDPC5GDecoder(encoder, num_iter=20)     # was sionna.phy.fec.ldpc.LDPC5GDecoder
    u_hat = decoder(llr)                              # Sionna logits [..., n] -> bits [..., k]

Each callable takes and returns what Sionna's block of the same name does (logits in, float
bits out, any leading dimensions, the input's device and float dtype); the work runs on the
CPU in linksim's Numba kernels (:mod:`linksim.interop.blocks`), so tensors on a GPU make a
round trip through host memory. Not differentiable (hard decisions), like Sionna's decoder
with ``hard_out=True``.
"""

from __future__ import annotations

import numpy as np

from linksim.interop.blocks import CRCCheckCore, DemapperCore, LDPCDecoderCore, code_size

__all__ = ["LDPC5GDecoder", "Demapper", "CRCDecoder"]


def _numpy(tensor) -> np.ndarray:
    return tensor.detach().cpu().numpy()


def _like(array: np.ndarray, reference):
    """``array`` as a tensor on ``reference``'s device (float tensors keep its real dtype)."""
    import torch
    out = torch.from_numpy(np.ascontiguousarray(array))
    if reference.is_floating_point() and out.is_floating_point():
        out = out.to(reference.dtype)
    return out.to(reference.device)


class LDPC5GDecoder:
    """linksim's 5G NR LDPC decoder in place of ``sionna.phy.fec.ldpc.LDPC5GDecoder``.

    Parameters
    ----------
    encoder : object with ``k`` and ``n`` (e.g. Sionna's ``LDPC5GEncoder``), or None
        The code; or give ``k`` and ``n``.
    k, n : int, optional
        Information and rate-matched code bits, when no encoder is given.
    decoder : {"nms", "oms", "spa"}
        linksim's algorithm (layered normalized / offset min-sum, flooding sum-product, which
        is Sionna's ``cn_update="boxplus-phi"``).
    num_iter : int
        Maximum BP iterations.
    early_stop : bool
        Per-frame early stopping (Sionna's decoder has none).

    Input: logits float [..., n] (Sionna's ``ln P(1)/P(0)``). Output: float [..., k] hard
    information bits, on the input's device and dtype.
    """

    def __init__(self, encoder=None, *, k=None, n=None, decoder: str = "nms",
                 num_iter: int = 20, early_stop: bool = True):
        k, n = code_size(encoder, k, n)
        self.core = LDPCDecoderCore(k, n, decoder, num_iter, early_stop)

    def __call__(self, logits):
        return _like(self.core(_numpy(logits)), logits)


class Demapper:
    """linksim's demapper in place of ``sionna.phy.mapping.Demapper`` (hard_out=False).

    Parameters
    ----------
    demapping_method : {"app", "maxlog"}
    modulation : str
        A :data:`linksim.mapping.MODULATIONS` name ("qpsk", "16qam", ...: Sionna's "qam" with
        2, 4, ... bits per symbol; "bpsk": Sionna's "pam" with 1).

    Input: y complex [..., S], no float (scalar or broadcastable). Output: float32 logits
    [..., S * m] on y's device.
    """

    def __init__(self, demapping_method: str = "app", modulation: str = "qpsk"):
        self.core = DemapperCore(demapping_method, modulation)

    def __call__(self, y, no):
        import torch
        no_np = _numpy(no) if isinstance(no, torch.Tensor) else np.asarray(no)
        out = torch.from_numpy(self.core(_numpy(y), no_np))
        return out.to(y.device)


class CRCDecoder:
    """linksim's CRC check in place of ``sionna.phy.fec.crc.CRCDecoder``.

    Parameters
    ----------
    crc_degree : str
        "CRC24A", "CRC24B", "CRC24C", "CRC16", "CRC11" or "CRC6".

    Input: bits float [..., k + L]. Output: (bits [..., k], crc_valid bool [..., 1]).
    """

    def __init__(self, crc_degree: str):
        self.core = CRCCheckCore(crc_degree)

    def __call__(self, bits):
        import torch
        payload, ok = self.core(_numpy(bits))
        return _like(payload, bits), torch.from_numpy(ok).to(bits.device)
