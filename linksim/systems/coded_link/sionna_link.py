"""The coded link on Sionna 2 blocks (``backend = "sionna"``): the same chain as
:class:`~linksim.systems.coded_link.link.CodedLink`, run by PyTorch on the CPU or a CUDA GPU.

One frame is, in Sionna's blocks (``sionna.phy``):

1. ``BinarySource`` payload bits ``[B, k - L]``; ``CRCEncoder`` appends the L CRC bits;
2. ``LDPC5GEncoder(k, n)`` (TS 38.212 base graphs and rate matching: bit-exact with linksim's
   encoder, ``tests/fec/test_ldpc_sionna.py``), or nothing for ``code = "none"``;
3. ``Mapper`` (QAM, or PAM for BPSK) to ``n / m`` unit-energy symbols;
4. the channel: ``AWGN``, or for Rayleigh fading ``GenerateFlatFadingChannel(1, 1)`` gains
   (one per frame, per block or per symbol: ``fading``) applied by ``ApplyFlatFadingChannel``
   with its noise, then one-tap ZF equalization ``x_hat = y / h``, ``N0_eff = N0 / |h|^2``
   (perfect CSI);
5. ``Demapper`` ("app" or "maxlog") and ``LDPC5GDecoder``: ``spa`` is ``boxplus-phi`` on the
   flooding schedule, ``nms`` normalized min-sum (alpha = 0.75) and ``oms`` offset min-sum
   (beta = 0.5) on the layered schedule, linksim's defaults (:mod:`linksim.fec.ldpc.decoder`);
   llr_max = 20 as linksim's;
6. counts as the Numba engine's: a frame is in error when u_hat != u, bit errors over the
   payload, ``iterations`` (Sionna's decoder always runs ``num_iter``), and with a CRC
   ``crc_failures`` / ``undetected_errors`` from ``CRCDecoder``.

Eb/N0 -> N0 is :func:`linksim.interop.conventions.noise_variance` (the formula of Sionna's
``ebnodb2no``); inside the chain every LLR stays in Sionna's own convention (demapper to
decoder), so no sign crosses a boundary here.

**Randomness.** Sionna's blocks draw from ``sionna.phy.config.torch_rng(device)``, one
generator per device and process. Each batch reseeds it with a 63-bit seed drawn from the
batch's numpy generator (the runner's per-batch stream), under a process-wide lock, so a batch
is a pure function of (seed, point, batch) on a given device, whatever the worker count.
(CPU and CUDA draw different streams: results agree statistically, not frame by frame.)

**What Sionna has not** (a one-line ``ValueError`` each): Rician fading and imperfect CSI
(``k_factor``, ``csi_error_var``) and per-frame early stopping (Sionna's decoder always runs
``num_iter`` iterations: set ``early_stop = false``), and the fixed-point decoder
(``precision`` other than float32). linksim's six CRCs are Sionna's
(TS 38.212 §5.1). The cipher, BCH and the other systems are Numba only.
"""

from __future__ import annotations

import threading

import numpy as np

from linksim.checks import check_int
from linksim.interop.conventions import noise_variance
from linksim.mapping import Constellation
from linksim.systems.coded_link.link import CodedLink, zero_counts
from linksim.systems.coded_link.spec import PARAMS

__all__ = ["SionnaCodedLink", "SIONNA_DECODERS"]
#: linksim decoder -> (Sionna check-node rule, schedule): the same algorithms as the Numba
#: engine's defaults (:func:`linksim.fec.ldpc.bp_decode`).
SIONNA_DECODERS = {"spa": ("boxplus-phi", "flooding"), "nms": ("nms", "layered"),
                   "oms": ("offset-minsum", "layered")}
#: Min-sum normalization of linksim's nms (``bp_decode``'s alpha).
NMS_ALPHA = 0.75
#: The modulation as Sionna's (constellation type, bits per symbol).
_SIONNA_MODULATION = {"bpsk": ("pam", 1), "qpsk": ("qam", 2), "16qam": ("qam", 4),
                      "64qam": ("qam", 6), "256qam": ("qam", 8)}
#: Sionna's RNG is per process; batches of one process take turns on it.
_RNG_LOCK = threading.Lock()


def _normalized_minsum(msg, mask, llr_clipping=None):
    """Sionna check-node callable: its min-sum scaled by :data:`NMS_ALPHA`."""
    from sionna.phy.fec.ldpc.decoding import cn_update_minsum
    return NMS_ALPHA * cn_update_minsum(msg, mask, llr_clipping)


def _require_sionna():
    try:
        import sionna.phy  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        raise ValueError("backend: got 'sionna' but Sionna is not installed; allowed: 'numba', "
                         "or install the extra: pip install -e \".[sionna]\" (torch==2.13.0 "
                         "first)") from None


class SionnaCodedLink:
    """The coded link on Sionna 2 blocks (module docstring); parameters as
    :class:`~linksim.systems.coded_link.link.CodedLink`, plus ``device``.

    Parameters
    ----------
    code, k, n, modulation, channel, ebno_db, fading, n_blocks, k_factor, csi_error_var,
    decoder, num_iter, early_stop, demapper, crc :
        As :class:`~linksim.systems.coded_link.link.CodedLink`, within what Sionna has
        (module docstring).
    backend : str
        "sionna" (this class).
    device : {"cpu", "cuda"}
        Where the tensors live; "cuda" needs ``torch.cuda.is_available()``.
    """

    def __init__(self, **params):
        _require_sionna()
        import torch
        from sionna.phy.channel import (AWGN, ApplyFlatFadingChannel,
                                        GenerateFlatFadingChannel)
        from sionna.phy.fec.crc import CRCDecoder, CRCEncoder
        from sionna.phy.fec.ldpc import LDPC5GDecoder, LDPC5GEncoder
        from sionna.phy.mapping import BinarySource, Demapper, Mapper

        p = PARAMS.validate(params)
        if p["backend"] != "sionna":
            raise ValueError(f"backend: got {p['backend']!r}; allowed: 'sionna' for "
                             f"SionnaCodedLink")
        # The Numba link checks the rules between parameters (k, n, modulation, CRC length);
        # it is built on the CPU engine only for that.
        reference = CodedLink(**{**p, "backend": "numba", "device": "cpu"})
        self.params = p
        self.k, self.n, self.code = reference.k, reference.n, reference.code
        self.payload_bits, self.crc_length = reference.payload_bits, reference.crc_length
        self.channel, self.fading, self.n_blocks = p["channel"], p["fading"], p["n_blocks"]
        self.n_symbols, self.num_iter = reference.n_symbols, p["num_iter"]
        self.bits_per_symbol = Constellation(p["modulation"]).bits_per_symbol
        if self.channel == "rician" or p["k_factor"] != 0.0:
            raise ValueError(f"channel: got {self.channel!r} with backend='sionna'; allowed: "
                             f"'awgn' or 'rayleigh' (Sionna's flat fading is Rayleigh)")
        if p["csi_error_var"] != 0.0:
            raise ValueError(f"csi_error_var: got {p['csi_error_var']!r} with backend='sionna'; "
                             f"allowed: 0 (the Sionna backend equalizes with perfect CSI)")
        if p["early_stop"] and self.code == "ldpc5g":
            raise ValueError("early_stop: got true with backend='sionna'; allowed: false "
                             "(early_stop = false in a scenario, --no-early-stop for linksim "
                             "bler: Sionna's LDPC decoder always runs num_iter iterations)")
        if p["precision"] != "float32":
            raise ValueError(f"precision: got {p['precision']!r} with backend='sionna'; allowed: "
                             f"'float32' (Sionna's decoder runs in float32)")
        self.device = p["device"]
        if self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError("device: got 'cuda' but torch sees no CUDA GPU on this machine; "
                             "allowed: 'cpu'")

        dev = self.device
        self._torch = torch
        self._source = BinarySource(device=dev)
        self._crc = self._crc_check = None
        if p["crc"] is not None:
            self._crc = CRCEncoder(str(p["crc"]).upper(), device=dev)
            self._crc_check = CRCDecoder(self._crc, device=dev)
        self._encoder = self._decoder = None
        if self.code == "ldpc5g":
            self._encoder = LDPC5GEncoder(self.k, self.n, device=dev)
            rule, schedule = SIONNA_DECODERS[p["decoder"]]
            self._decoder = LDPC5GDecoder(
                self._encoder, cn_update=_normalized_minsum if rule == "nms" else rule,
                cn_schedule=schedule, num_iter=self.num_iter, hard_out=True,
                return_infobits=True, llr_max=20.0, device=dev)
        kind, m = _SIONNA_MODULATION[p["modulation"]]
        self._mapper = Mapper(kind, m, device=dev)
        self._demapper = Demapper(p["demapper"], kind, m, device=dev)
        self._awgn = AWGN(device=dev)
        self._gains = GenerateFlatFadingChannel(1, 1, device=dev)
        self._apply = ApplyFlatFadingChannel(device=dev)
        self.no = noise_variance(p["ebno_db"], m, self.k / self.n)

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"SionnaCodedLink({args})"

    def _fading(self, x):
        """(equalized symbols, effective noise variance) of ``x`` [B, S] over Rayleigh fading
        (``fading``: one gain per frame, per block or per symbol)."""
        torch = self._torch
        batch, symbols = x.shape
        per_frame = {"quasi_static": 1, "block": self.n_blocks, "fast": symbols}[self.fading]
        h = self._gains(batch * per_frame).reshape(batch, per_frame)     # [B, G]
        # Spread the G gains over the S symbols (blocks as equal as the symbols allow).
        index = (torch.arange(symbols, device=x.device) * per_frame) // symbols
        h = h[:, index]                                                  # [B, S]
        y = self._apply(x.reshape(-1, 1), h.reshape(-1, 1, 1), self.no).reshape(batch, symbols)
        power = h.real ** 2 + h.imag ** 2
        return y / h, self.no / power

    def simulate_batch(self, rng: np.random.Generator, n_frames: int) -> dict[str, int]:
        """Simulate ``n_frames`` frames on the device (module docstring); every draw comes from
        Sionna's generator reseeded from ``rng`` (one 63-bit integer drawn first).

        Returns
        -------
        dict[str, int]
            The counts of :meth:`CodedLink.simulate_batch`.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: got {type(rng).__name__}; allowed: a numpy.random.Generator")
        n_frames = check_int("n_frames", n_frames, 0)
        counts = zero_counts(n_frames, self.payload_bits, self.code == "ldpc5g",
                             self._crc is not None)
        if self.code == "ldpc5g":
            counts["iterations"] = n_frames * self.num_iter     # no early stop in Sionna
        if n_frames == 0:
            return counts
        seed = int(rng.integers(0, 2 ** 63 - 1))
        torch = self._torch
        from sionna.phy import config
        with _RNG_LOCK, torch.inference_mode():
            config.torch_rng(self.device).manual_seed(seed)
            payload = self._source([n_frames, self.payload_bits])
            u = self._crc(payload) if self._crc is not None else payload
            c = self._encoder(u) if self._encoder is not None else u
            x = self._mapper(c)
            if self.channel == "awgn":
                y, no = self._awgn(x, self.no), self.no
            else:
                y, no = self._fading(x)
            logits = self._demapper(y, no)
            u_hat = self._decoder(logits) if self._decoder is not None else \
                (logits > 0).to(u.dtype)
            wrong = u_hat != u
            frame_wrong = wrong.any(dim=1)
            bit_errors = wrong[:, : self.payload_bits].sum(dim=1)
            counts["frame_errors"] = int(frame_wrong.sum())
            counts["bit_errors"] = int(bit_errors.sum())
            counts["bit_errors_sq"] = int((bit_errors.to(torch.int64) ** 2).sum())
            if self._crc_check is not None:
                _, crc_ok = self._crc_check(u_hat)
                crc_ok = crc_ok.reshape(n_frames)
                counts["crc_failures"] = int((~crc_ok).sum())
                counts["undetected_errors"] = int((crc_ok & frame_wrong).sum())
        return counts
