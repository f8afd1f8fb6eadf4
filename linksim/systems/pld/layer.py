"""One PLD layer alone over AWGN: the calibration link of the code-aware error model (issue 15).

A layer of the bit-true PLD system (:class:`linksim.systems.pld.link.LayerCode`: ``d`` payload
bits, CRC, 5G LDPC or BCH to ``n * bits_per_symbol`` code bits, the same padding and the same
decoder) is sent alone, unit-power symbols, over complex AWGN at ``sinr_db``:

    y = s + w,   w ~ CN(0, N0),   N0 = 10^(-sinr_db / 10),

and decoded with the true noise variance. Each frame's outcome is success, **erasure** (CRC or
bounded-distance failure) or **undetected error** (a wrong word accepted). This is the key
layer after perfect SIC exactly.

With ``interference`` = f > 0 the impairment is split: a second layer of the same code family
(``interference_d`` payload bits and ``interference_crc``, a fresh random codeword each
frame; ``interference_d`` = 0: uniformly random symbols) with power f / gamma is superposed,
and noise of power (1 - f) / gamma added,

    y = s + sqrt(f / gamma) s_I + w,   w ~ CN(0, (1 - f) / gamma),

and the layer is decoded with the interference treated as Gaussian (the message layer's
first SIC stage, :func:`linksim.multiple_access.noma.primary_llrs`). This is the message
layer of a PLD link exactly, at receiver gain z: gamma = z P_M / (z P_K + sigma^2) and
f = z P_K / (z P_K + sigma^2). The interfering codeword's structure matters: when both layers
use the same code, the destructive positions form a codeword of it.

The counts are i.i.d. Bernoulli trials per frame (fresh payload and noise), so the
Clopper-Pearson interval of each rate is exact. Stored by the runner like any study, a
calibration sweep is computed once and read back by :func:`.error_model.load_calibration`.

Counts of :meth:`PLDLayerLink.simulate_batch`: ``frames``, ``frame_errors`` (failures: erased
or wrong), ``erasures``, ``undetected``, ``successes`` (frames - frame_errors: a calibration
that must resolve the success probability near BLER 1, where it decides an eavesdropper's
leakage, stops on ``error_count = ["frame_errors", "successes"]``), ``bits`` /
``bit_errors`` / ``bit_errors_sq`` (payload bits of the hard output); with a twin receiver
(``twin``, ``twin_gain_db``), ``twin_failures`` and ``both_failures`` (0 without one).

With ``sic`` (and an interfering codeword, ``interference_d`` > 0) the receiver goes on as the
PLD receiver does (§3.5): where the layer was decoded correctly it subtracts it and decodes the
interfering layer from y - s = sqrt(f / gamma) s_I + w (exact LLRs, the same noise w), counting
``sic_trials`` (frames decoded correctly), ``sic_failures`` (of those, the interfering layer
erased or wrong) and ``sic_undetected`` (wrong but accepted). This is the key layer of a PLD
receiver *given* its message layer was decoded: not the key layer alone over AWGN, because the
frames on which M succeeds are those whose noise favoured M, which is not independent of how
it treats K (the noise is shared). The rate sic_failures / sic_trials is one binomial
proportion (frames are i.i.d.).
"""

from __future__ import annotations

import numpy as np

from linksim import channel as _channel
from linksim.checks import check_int as _int
from linksim.mapping import Constellation
from linksim.multiple_access import noma
from linksim.sim.metrics import bit_error_counts
from linksim.systems.pld.link import LayerCode
from linksim.systems.pld.spec import LAYER_PARAMS

__all__ = ["COUNTS", "PLDLayerLink"]

#: Counts beyond frames / frame_errors / bits / bit_errors (module docstring).
COUNTS = ("erasures", "undetected", "successes", "twin_failures", "both_failures",
          "sic_trials", "sic_failures", "sic_undetected")


class PLDLayerLink:
    """One coded PLD layer over AWGN (module docstring).

    Parameters
    ----------
    sinr_db : float
        SINR of the layer, dB (unit-power symbols, N0 = 10^(-sinr_db/10)).
    d : int
        Payload bits of the layer.
    crc : str or None
        CRC name (:data:`linksim.fec.crc.CRC_NAMES`) or None.
    code : str
        "ldpc5g" or "bch".
    decoder, num_iter :
        LDPC BP algorithm and its iterations.
    modulation : str
        Constellation of the layer.
    n : int
        Complex channel uses per frame.
    interference : float
        Share f of the impairment that is the interfering layer, in [0, 0.99].
    interference_d : int
        Payload bits of the interfering layer (0: random symbols).
    interference_crc : str or None
        CRC of the interfering layer.
    twin : bool
        A second receiver of the same frames, decoded alike: the measured joint table of two
        receivers under one interfering codeword (counts ``twin_failures``,
        ``both_failures``).
    twin_gain_db : float
        The twin's gain relative to the first receiver (dB; its interference share follows).
    sic : bool
        Also decode the interfering layer after cancelling the layer (module docstring).
    """

    def __init__(self, sinr_db=None, d=16, crc="CRC11", code="ldpc5g", decoder="nms",
                 num_iter=20, modulation="qpsk", n=64, interference=0.0, interference_d=0,
                 interference_crc="CRC11", twin=False, twin_gain_db=0.0, sic=False):
        raw = {key: value for key, value in locals().items() if key in LAYER_PARAMS}
        p = LAYER_PARAMS.validate(raw)
        self.sinr_db, self.d, self.n = p["sinr_db"], p["d"], p["n"]
        self.constellation = Constellation(p["modulation"])
        self.n_bits = self.n * self.constellation.bits_per_symbol
        self.code = LayerCode(p["code"], self.d, p["crc"], self.n_bits, p["decoder"],
                              p["num_iter"], name="code")
        impairment = 10.0 ** (-self.sinr_db / 10)
        self.f = p["interference"]
        self.p_i = self.f * impairment
        self.no = (1.0 - self.f) * impairment
        self.interferer = None
        if self.f > 0 and p["interference_d"] > 0:
            self.interferer = LayerCode(p["code"], p["interference_d"], p["interference_crc"],
                                        self.n_bits, p["decoder"], p["num_iter"],
                                        name="interference")
        #: The twin receiver's noise variance (None: no twin): gain ratio g = 10^(twin/10)
        #: relative to the first receiver, so after equalization its noise is N0 / g.
        self.twin_no = self.no / 10.0 ** (p["twin_gain_db"] / 10) if p["twin"] else None
        if p["sic"] and self.interferer is None:
            raise ValueError(f"sic: got true with interference={self.f!r} and interference_d="
                             f"{p['interference_d']!r}; allowed: true only with interference > 0 "
                             f"and interference_d >= 1 (an interfering codeword to decode)")
        self.sic = p["sic"]
        self.params = p

    def __repr__(self) -> str:
        return "PLDLayerLink(" + ", ".join(f"{k}={v!r}" for k, v in self.params.items()) + ")"

    def _decode(self, y, no):
        """(u_hat, accepted) of equalized symbols ``y`` with noise variance ``no``."""
        if self.f > 0:
            llr = noma.primary_llrs(y, no, 1.0, self.p_i, self.constellation)
        else:
            llr = noma.secondary_llrs(y, no, 1.0, self.constellation)
        return self.code.decode(llr)

    def simulate_batch(self, rng: np.random.Generator, n_frames: int) -> dict[str, int]:
        """``n_frames`` frames, every draw from ``rng``: payloads uint8 [B, d] first, then (with
        interference) the interfering layer's payloads [B, d_I] or random bits [B, n_bits],
        then the channel's noise, then (with a twin) the twin's noise. Returns the counts of
        the module docstring."""
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: got {type(rng).__name__}; allowed: a numpy.random.Generator")
        batch = _int("n_frames", n_frames, 0)
        counts = {"frames": batch, "frame_errors": 0, "bits": batch * self.d, "bit_errors": 0,
                  "bit_errors_sq": 0, "erasures": 0, "undetected": 0, "successes": 0,
                  "twin_failures": 0, "both_failures": 0, "sic_trials": 0, "sic_failures": 0,
                  "sic_undetected": 0}
        if batch == 0:
            return counts
        payload = rng.integers(0, 2, size=(batch, self.d), dtype=np.uint8)
        u = self.code.info_bits(payload)
        s = self.constellation.map(self.code.encode_info(u))
        x = s
        if self.f > 0:
            if self.interferer is not None:
                bits = rng.integers(0, 2, size=(batch, self.interferer.d), dtype=np.uint8)
                u_i = self.interferer.info_bits(bits)
                bits = self.interferer.encode_info(u_i)
            else:
                bits = rng.integers(0, 2, size=(batch, self.n_bits), dtype=np.uint8)
            x = noma.superpose(s, self.constellation.map(bits), 1.0, self.p_i)
        y = _channel.awgn(x, self.no, rng)
        u_hat, ok = self._decode(y, self.no)
        right = np.all(u_hat == u, axis=1)
        if self.sic:
            decoded = np.flatnonzero(ok & right)
            counts["sic_trials"] = int(decoded.size)
            if decoded.size:
                # The decoded layer is the sent one on these frames: cancel it exactly.
                y2 = noma.cancel_primary(y[decoded], s[decoded], 1.0)
                llr = noma.secondary_llrs(y2, self.no, self.p_i, self.constellation)
                u_i_hat, ok_i = self.interferer.decode(llr)
                right_i = np.all(u_i_hat == u_i[decoded], axis=1)
                counts["sic_failures"] = int(np.sum(~(ok_i & right_i)))
                counts["sic_undetected"] = int(np.sum(ok_i & ~right_i))
        if self.twin_no is not None:
            # The second receiver: the same frame (signal and interference), its own noise.
            u2, ok2 = self._decode(_channel.awgn(x, self.twin_no, rng), self.twin_no)
            fail2 = ~(ok2 & np.all(u2 == u, axis=1))
            counts["twin_failures"] = int(fail2.sum())
            counts["both_failures"] = int(np.sum(fail2 & ~(ok & right)))
        counts["erasures"] = int(np.sum(~ok))
        counts["undetected"] = int(np.sum(ok & ~right))
        counts["frame_errors"] = int(np.sum(~(ok & right)))
        counts["successes"] = batch - counts["frame_errors"]
        counts.update(bit_error_counts(u_hat[:, : self.d] != payload))
        return counts
