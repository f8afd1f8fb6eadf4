"""linksim's CPU blocks in Sionna's conventions, on NumPy arrays: the one implementation the
PyTorch (:mod:`linksim.interop.torch`) and TensorFlow (:mod:`linksim.interop.tf`) adapters
wrap. Every conversion goes through :mod:`linksim.interop.conventions`.

Each block takes and returns what Sionna's block of the same name does: logits
``ln P(1)/P(0)`` in, float32 bits (0.0 / 1.0) out, any leading dimensions ``[..., n]``.
"""

from __future__ import annotations

import numpy as np

from linksim.interop import conventions

__all__ = ["LDPCDecoderCore", "DemapperCore", "CRCCheckCore", "code_size"]


def _lead(shape, last: int, name: str) -> tuple[int, ...]:
    if len(shape) < 1 or shape[-1] != last:
        raise ValueError(f"{name}: got shape {tuple(shape)}; allowed: [..., {last}]")
    return tuple(shape[:-1])


def code_size(encoder, k, n) -> tuple[int, int]:
    """``(k, n)`` of an adapter's code: an encoder's ``k`` and ``n`` attributes (e.g. Sionna's
    ``LDPC5GEncoder``), or the integers given.

    Parameters
    ----------
    encoder : object with ``k`` and ``n``, or None
    k, n : int or None
        Used when ``encoder`` is None; both required then.
    """
    if encoder is not None:
        return int(encoder.k), int(encoder.n)
    if k is None or n is None:
        raise ValueError("encoder: got None and no k, n; allowed: an LDPC encoder with k and n "
                         "attributes (e.g. Sionna's LDPC5GEncoder), or k= and n=")
    return int(k), int(n)


class LDPCDecoderCore:
    """linksim's 5G NR LDPC decoder (:meth:`linksim.fec.ldpc.LDPC5G.decode`) on Sionna logits.

    Parameters
    ----------
    k, n : int
        Information and rate-matched code bits (as Sionna's ``LDPC5GEncoder(k, n)``).
    decoder : {"nms", "oms", "spa"}
        linksim's algorithm: layered normalized min-sum (alpha 0.75), layered offset min-sum
        (beta 0.5), or flooding sum-product (Sionna's ``boxplus-phi``).
    num_iter : int
        Maximum BP iterations.
    early_stop : bool
        Stop each frame once its syndrome is zero (linksim's per-frame lanes).
    """

    def __init__(self, k: int, n: int, decoder: str = "nms", num_iter: int = 20,
                 early_stop: bool = True):
        from linksim.fec import cached_code
        from linksim.fec.ldpc.decoder import CN_RULES
        if decoder not in CN_RULES:
            raise ValueError(f"decoder: got {decoder!r}; allowed: one of {', '.join(CN_RULES)}")
        self.code = cached_code("ldpc5g", int(k), int(n))
        self.k, self.n = self.code.k, self.code.n
        self.decoder, self.num_iter, self.early_stop = decoder, int(num_iter), bool(early_stop)

    def __call__(self, logits: np.ndarray) -> np.ndarray:
        """float [..., n] logits -> float32 [..., k] hard information bits."""
        logits = np.asarray(logits)
        lead = _lead(logits.shape, self.n, "logits")
        llr = conventions.from_sionna_llr(logits.reshape(-1, self.n).astype(np.float32))
        u_hat = self.code.decode(np.ascontiguousarray(llr), num_iter=self.num_iter,
                                 algorithm=self.decoder, early_stop=self.early_stop)
        return conventions.bits_to_float(u_hat).reshape(lead + (self.k,))


class DemapperCore:
    """linksim's demapper (:meth:`linksim.mapping.Constellation.demap`) with Sionna's output.

    Parameters
    ----------
    method : {"app", "maxlog"}
    modulation : str
        A :data:`linksim.mapping.MODULATIONS` name; the labels are Sionna's 5G QAM labels
        (identical for QPSK to 256-QAM; BPSK is Sionna's real PAM, rotated to linksim's here).
    """

    def __init__(self, method: str = "app", modulation: str = "qpsk"):
        from linksim.mapping import Constellation
        self.constellation = Constellation(modulation)
        self.method, self.modulation = method, modulation
        self.bits_per_symbol = self.constellation.bits_per_symbol

    def __call__(self, y: np.ndarray, no) -> np.ndarray:
        """complex [..., S] symbols, noise variance (scalar or broadcastable) -> float32
        [..., S * m] logits."""
        y = conventions.to_linksim_symbols(np.asarray(y), self.modulation)
        no = np.broadcast_to(np.asarray(no, dtype=np.float64), y.shape)
        llr = self.constellation.demap(y, no, method=self.method)
        return conventions.to_sionna_llr(llr).astype(np.float32)


class CRCCheckCore:
    """linksim's CRC check (:meth:`linksim.fec.crc.CRC.check`) as Sionna's ``CRCDecoder``.

    Parameters
    ----------
    name : str
        A :data:`linksim.fec.crc.CRC_NAMES` name (Sionna's ``crc_degree``).
    """

    def __init__(self, name: str):
        from linksim.fec.crc import CRC
        self.crc = CRC(name)
        self.length = int(self.crc.length)

    def __call__(self, bits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """float [..., k + L] bits -> (float32 [..., k] payload, bool [..., 1] CRC valid)."""
        hard = conventions.bits_to_uint8(bits)
        ok = np.asarray(self.crc.check(hard), dtype=bool)
        return conventions.bits_to_float(hard[..., : -self.length]), ok[..., None]
