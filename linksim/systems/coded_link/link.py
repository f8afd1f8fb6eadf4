"""The coded point-to-point link: bits -> (CRC) -> LDPC -> QAM -> AWGN / flat fading -> back.

One frame of :class:`CodedLink` is

1. ``k - L`` random payload bits (``L`` = CRC length, 0 without CRC); with a CRC the payload is
   extended by its ``L`` parity bits to the ``k`` information bits ``u`` of the channel code;
2. channel coding of ``u`` to ``n`` code bits (5G NR LDPC with rate matching, or ``code="none"``:
   ``n == k`` and ``u`` goes straight to the mapper);
3. Gray mapping to ``n / m`` unit-energy symbols (``m`` bits per symbol);
4. the channel: AWGN ``y = x + w``, or flat fading ``y = h x + w`` (Rayleigh or Rician,
   quasi-static / block / fast) followed by a (possibly imperfect) channel estimate,
   one-tap equalization and a per-symbol effective noise variance, ``w ~ CN(0, N0)``;
5. LLR demapping (exact APP or max-log) and decoding (BP on the LDPC graph, or hard decision);
6. counting: a frame is in error when ``u_hat != u``; bit errors are counted over the payload.

``N0`` follows from ``Eb/N0`` with code rate ``k / n`` information bits per code bit
(``k`` includes the CRC bits, as in 3GPP link curves; 1 for ``code="none"``), so
``Es/N0 = Eb/N0 * m * k / n``.
"""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from linksim import channel as _channel
from linksim import mimo as _mimo
from linksim.checks import check_choice as _choice
from linksim.fec import cached_code
from linksim.mapping import MODULATIONS, Constellation
from linksim.sim.metrics import bit_error_counts

__all__ = ["CODES", "CHANNELS", "FADINGS", "DECODERS", "DEMAPPERS", "PARAMS", "CodedLink",
           "simulate_batch"]

CODES = ("ldpc5g", "none")
CHANNELS = ("awgn", "rayleigh", "rician")
FADINGS = ("quasi_static", "block", "fast")
DECODERS = ("nms", "oms", "spa")
DEMAPPERS = ("app", "maxlog")

#: Names (and defaults) of the keyword parameters of :class:`CodedLink`; ``k`` and ``ebno_db``
#: have no default.
PARAMS = {
    "code": "ldpc5g", "k": None, "n": None, "modulation": "qpsk", "channel": "awgn",
    "ebno_db": None, "fading": "quasi_static", "n_blocks": 1, "k_factor": 0.0,
    "csi_error_var": 0.0, "decoder": "nms", "num_iter": 20, "early_stop": True,
    "demapper": "app", "crc": None,
}


def _int(name: str, value, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; "
                        f"allowed: an integer >= {minimum}")
    if value < minimum:
        raise ValueError(f"{name}: got {value}; allowed: an integer >= {minimum}")
    return int(value)


def _real(name: str, value, minimum: float | None = None) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; "
                        f"allowed: a finite real number")
    v = float(value)
    if not math.isfinite(v):
        raise ValueError(f"{name}: got {value!r}; allowed: a finite real number")
    if minimum is not None and v < minimum:
        raise ValueError(f"{name}: got {value!r}; allowed: a finite number >= {minimum}")
    return v


class CodedLink:
    """Bit-true coded link over AWGN or flat fading (see the module docstring for the chain).

    Parameters
    ----------
    code : {"ldpc5g", "none"}
        Channel code. ``"none"`` sends the ``k`` information bits uncoded (``n`` must equal
        ``k``; ``n=None`` means ``k``).
    k : int
        Information bits per frame at the channel-code input (CRC bits included).
    n : int
        Code bits per frame; must be a multiple of the modulation's bits per symbol and
        ``>= k``. Required for ``code="ldpc5g"`` (whose own ``(k, n)`` limits apply).
    modulation : str
        One of ``linksim.mapping.MODULATIONS``.
    channel : {"awgn", "rayleigh", "rician"}
    ebno_db : float
        Eb/N0 in dB per information bit (code rate ``k / n``).
    fading : {"quasi_static", "block", "fast"}
        Time variation of the fading over a frame (ignored for AWGN).
    n_blocks : int
        Number of independent fading blocks per frame for ``fading="block"``.
    k_factor : float
        Rician K-factor (linear, >= 0); only with ``channel="rician"``.
    csi_error_var : float
        Variance of the channel-estimation error ``h_hat - h`` (0: perfect CSI); fading only.
    decoder : {"nms", "oms", "spa"}
        LDPC belief-propagation algorithm.
    num_iter : int
        Maximum number of BP iterations.
    early_stop : bool
        Stop BP once all parity checks hold.
    demapper : {"app", "maxlog"}
        Exact or max-log LLR demapping.
    crc : str or None
        CRC attached inside the ``k`` information bits (``linksim.fec.crc.CRC`` names, e.g.
        ``"CRC24A"``); the payload is then ``k - L`` bits.

    Notes
    -----
    :meth:`simulate_batch` returns the counts ``frames``, ``frame_errors`` (``u_hat != u``),
    ``bits`` and ``bit_errors`` (over the payload), ``iterations`` (sum over frames of BP
    iterations, LDPC only) and, with a CRC, ``crc_failures`` (frames whose CRC check fails)
    and ``undetected_errors`` (frames in error whose CRC check passes).
    """

    def __init__(self, code: str = "ldpc5g", k: int | None = None, n: int | None = None,
                 modulation: str = "qpsk", channel: str = "awgn", ebno_db: float | None = None,
                 fading: str = "quasi_static", n_blocks: int = 1, k_factor: float = 0.0,
                 csi_error_var: float = 0.0, decoder: str = "nms", num_iter: int = 20,
                 early_stop: bool = True, demapper: str = "app", crc: str | None = None):
        self.code = _choice("code", code, CODES)
        if k is None:
            raise TypeError("k: missing; allowed: a positive integer (information bits per frame)")
        self.k = _int("k", k, 1)
        if n is None:
            if self.code == "ldpc5g":
                raise TypeError("n: missing; allowed: an integer >= k (code bits per frame) "
                                "for code='ldpc5g'")
            n = self.k
        self.n = _int("n", n, 1)
        if self.k > self.n:
            raise ValueError(f"k: got k={self.k} > n={self.n}; allowed: k <= n")
        if self.code == "none" and self.n != self.k:
            raise ValueError(f"n: got n={self.n} with k={self.k} and code='none'; "
                             f"allowed: n == k (uncoded)")

        if not isinstance(modulation, str):
            raise TypeError(f"modulation: got {modulation!r}; allowed: one of "
                            f"{', '.join(MODULATIONS)}")
        self.modulation = _choice("modulation", modulation, tuple(MODULATIONS))
        self.constellation = Constellation(self.modulation)
        m = self.constellation.bits_per_symbol
        if self.n % m:
            raise ValueError(f"n: got {self.n}, not a multiple of the {m} bits per symbol of "
                             f"modulation {self.modulation!r}; allowed: n % {m} == 0")
        self.n_symbols = self.n // m

        self.channel = _choice("channel", channel, CHANNELS)
        if ebno_db is None:
            raise TypeError("ebno_db: missing; allowed: a finite real number (dB)")
        self.ebno_db = _real("ebno_db", ebno_db)
        self.fading = _choice("fading", fading, FADINGS)
        self.n_blocks = _int("n_blocks", n_blocks, 1)
        self.k_factor = _real("k_factor", k_factor, 0.0)
        if self.k_factor != 0.0 and self.channel != "rician":
            raise ValueError(f"k_factor: got {k_factor!r} with channel={self.channel!r}; "
                             f"allowed: a non-zero K-factor only with channel='rician'")
        self.csi_error_var = _real("csi_error_var", csi_error_var, 0.0)
        if self.csi_error_var != 0.0 and self.channel == "awgn":
            raise ValueError(f"csi_error_var: got {csi_error_var!r} with channel='awgn'; "
                             f"allowed: 0 (channel estimation applies to fading channels only)")
        self.decoder = _choice("decoder", decoder, DECODERS)
        self.num_iter = _int("num_iter", num_iter, 1)
        if not isinstance(early_stop, (bool, np.bool_)):
            raise TypeError(f"early_stop: got {early_stop!r}; allowed: True or False")
        self.early_stop = bool(early_stop)
        self.demapper = _choice("demapper", demapper, DEMAPPERS)

        if crc is None:
            self.crc = None
            self.crc_name = None
            crc_len = 0
        else:
            if not isinstance(crc, str):
                raise TypeError(f"crc: got {crc!r}; allowed: a CRC name such as 'CRC24A', "
                                f"or None")
            from linksim.fec.crc import CRC, CRC_NAMES
            if crc.upper() not in CRC_NAMES:
                raise ValueError(f"crc: got {crc!r}; allowed: one of {', '.join(CRC_NAMES)} "
                                 f"or None")
            self.crc_name = crc.upper()
            self.crc = CRC(self.crc_name)
            crc_len = int(self.crc.length)
            if crc_len >= self.k:
                raise ValueError(f"k: got {self.k} with crc={crc!r} of length {crc_len}; "
                                 f"allowed: k > {crc_len} (the payload is k - {crc_len} bits)")
        self.crc_length = crc_len
        self.payload_bits = self.k - crc_len

        self.coderate = self.k / self.n
        self.no = float(_channel.ebno_to_no(self.ebno_db, m, coderate=self.coderate))
        # The (immutable, shared) 5G LDPC code of size (k, n), built once per process.
        self.ldpc = cached_code("ldpc5g", self.k, self.n) if self.code == "ldpc5g" else None

        if self.channel != "awgn":
            # Let the channel module validate the fading configuration before anything runs.
            _channel.fading_gains(np.random.default_rng(0), 1, self.n_symbols,
                                  fading=self.fading, n_blocks=self.n_blocks,
                                  k_factor=self.k_factor)

    @property
    def params(self) -> dict:
        """The constructor arguments (normalised), e.g. to rebuild or to record the link."""
        return {"code": self.code, "k": self.k, "n": self.n, "modulation": self.modulation,
                "channel": self.channel, "ebno_db": self.ebno_db, "fading": self.fading,
                "n_blocks": self.n_blocks, "k_factor": self.k_factor,
                "csi_error_var": self.csi_error_var, "decoder": self.decoder,
                "num_iter": self.num_iter, "early_stop": self.early_stop,
                "demapper": self.demapper, "crc": self.crc_name}

    def __repr__(self) -> str:
        args = ", ".join(f"{key}={value!r}" for key, value in self.params.items())
        return f"CodedLink({args})"

    def simulate_batch(self, rng: np.random.Generator, n_frames: int) -> dict[str, int]:
        """Simulate ``n_frames`` independent frames, every draw from ``rng``.

        Draw order (fixed, so a batch is a pure function of the generator state): payload bits
        ``[n_frames, k - L]``, then for fading the gains ``[n_frames, n / m]``, then the noise,
        then the channel-estimation error.

        Returns
        -------
        dict[str, int]
            ``frames``, ``frame_errors``, ``bits``, ``bit_errors``, ``bit_errors_sq`` (sum over
            frames of squared per-frame bit errors); ``iterations`` for LDPC;
            ``crc_failures`` and ``undetected_errors`` with a CRC.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: got {type(rng).__name__}; allowed: a numpy.random.Generator")
        n_frames = _int("n_frames", n_frames, 0)
        counts = {"frames": n_frames, "frame_errors": 0, "bits": n_frames * self.payload_bits,
                  "bit_errors": 0, "bit_errors_sq": 0}
        if self.code == "ldpc5g":
            counts["iterations"] = 0
        if self.crc is not None:
            counts["crc_failures"] = 0
            counts["undetected_errors"] = 0
        if n_frames == 0:
            return counts

        payload = rng.integers(0, 2, size=(n_frames, self.payload_bits), dtype=np.uint8)
        u = self.crc.encode(payload) if self.crc is not None else payload
        c = self.ldpc.encode(u) if self.ldpc is not None else u
        x = self.constellation.map(c)

        if self.channel == "awgn":
            y = _channel.awgn(x, self.no, rng)
            llr = self.constellation.demap(y, self.no, method=self.demapper)
        else:
            h = _channel.fading_gains(rng, n_frames, self.n_symbols, fading=self.fading,
                                      n_blocks=self.n_blocks, k_factor=self.k_factor)
            y = _channel.flat_fading(x, h, self.no, rng)
            h_hat = _mimo.estimate_channel(h, rng, error_var=self.csi_error_var)
            x_hat, no_eff = _mimo.equalize(y, h_hat, self.no, error_var=self.csi_error_var)
            llr = self.constellation.demap(x_hat, no_eff, method=self.demapper)

        if self.ldpc is not None:
            u_hat, iterations = self.ldpc.decode(llr, num_iter=self.num_iter,
                                                 algorithm=self.decoder,
                                                 early_stop=self.early_stop,
                                                 return_iterations=True)
            counts["iterations"] = int(np.sum(iterations, dtype=np.int64))
        else:
            u_hat = (llr < 0).astype(np.uint8)

        wrong = u_hat != u
        frame_err = wrong.any(axis=-1)
        counts["frame_errors"] = int(frame_err.sum())
        counts.update(bit_error_counts(wrong[:, :self.payload_bits]))
        if self.crc is not None:
            crc_ok = np.asarray(self.crc.check(u_hat), dtype=bool)
            counts["crc_failures"] = int((~crc_ok).sum())
            counts["undetected_errors"] = int((crc_ok & frame_err).sum())
        return counts


@functools.lru_cache(maxsize=32)
def _cached_link(key: tuple) -> CodedLink:
    return CodedLink(**dict(key))


def simulate_batch(params: dict, rng: np.random.Generator, batch: int) -> dict[str, int]:
    """System entry point for ``linksim.sim``: simulate ``batch`` frames of ``CodedLink(**params)``.

    The built link is cached per distinct ``params`` (the LDPC code is also cached per
    ``(k, n)``, so sweeping ``ebno_db`` does not rebuild it). ``params`` keys are those of
    :data:`PARAMS`; unknown keys raise ``TypeError``.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params: got {type(params).__name__}; allowed: a dict of CodedLink "
                        f"parameters")
    unknown = sorted(set(params) - set(PARAMS))
    if unknown:
        raise TypeError(f"params: unknown key(s) {unknown}; allowed: {', '.join(PARAMS)}")
    try:
        key = tuple(sorted(params.items()))
        hash(key)
    except TypeError:
        raise TypeError(f"params: values must be scalars (str, int, float, bool, None); "
                        f"got {params!r}") from None
    return _cached_link(key).simulate_batch(rng, batch)
