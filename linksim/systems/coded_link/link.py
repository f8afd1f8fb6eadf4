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

import numpy as np

from linksim import channel as _channel
from linksim import mimo as _mimo
from linksim.checks import check_int
from linksim.fec import cached_code
from linksim.fec.crc import CRC
from linksim.fec.ldpc.layered_minsum import FIXED_POINT, RULES as LAYERED_RULES
from linksim.mapping import Constellation
from linksim.sim.metrics import bit_error_counts
from linksim.systems.coded_link.spec import PARAMS

__all__ = ["CodedLink", "zero_counts"]


def zero_counts(n_frames: int, payload_bits: int, ldpc: bool, crc: bool) -> dict[str, int]:
    """The counts of a coded-link batch before any frame is judged, the same for every engine.

    Parameters
    ----------
    n_frames, payload_bits : int
        Frames of the batch and payload bits per frame (``bits`` = their product).
    ldpc : bool
        An LDPC code: ``iterations`` is counted.
    crc : bool
        A CRC: ``crc_failures`` and ``undetected_errors`` are counted.
    """
    counts = {"frames": n_frames, "frame_errors": 0, "bits": n_frames * payload_bits,
              "bit_errors": 0, "bit_errors_sq": 0}
    if ldpc:
        counts["iterations"] = 0
    if crc:
        counts["crc_failures"] = 0
        counts["undetected_errors"] = 0
    return counts


class CodedLink:
    """Bit-true coded link over AWGN or flat fading (see the module docstring for the chain).

    Every parameter is declared in :data:`linksim.systems.coded_link.spec.PARAMS` (kind,
    default, bounds); the constructor checks each against it, then the rules between them.

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
    precision : {"float32", "float64", "int16", "int8"}
        Arithmetic of the decoder's messages; the fixed-point types (saturating integers,
        :mod:`linksim.fec.ldpc.layered_minsum`) need decoder "nms" or "oms".
    demapper : {"app", "maxlog"}
        Exact or max-log LLR demapping.
    crc : str or None
        CRC attached inside the ``k`` information bits (``linksim.fec.crc.CRC`` names, e.g.
        ``"CRC24A"``); the payload is then ``k - L`` bits.
    backend : {"numba"}
        This class is the Numba engine; ``"sionna"`` is
        :class:`~linksim.systems.coded_link.sionna_link.SionnaCodedLink`.
    device : {"cpu"}
        The Numba engine runs on the CPU.

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
                 early_stop: bool = True, demapper: str = "app", crc: str | None = None,
                 backend: str = "numba", device: str = "cpu", precision: str = "float32"):
        # Each value against its declaration (spec.PARAMS), then the rules between them.
        p = PARAMS.validate({key: value for key, value in locals().items() if key in PARAMS})
        if p["backend"] != "numba":
            raise ValueError(f"backend: got {p['backend']!r} for CodedLink; allowed: 'numba' "
                             f"(the Sionna backend is SionnaCodedLink, built by the system "
                             f"for backend = 'sionna')")
        if p["device"] != "cpu":
            raise ValueError(f"device: got {p['device']!r} with backend='numba'; allowed: "
                             f"'cpu' (the Numba engine runs on the CPU; device 'cuda' needs "
                             f"backend = 'sionna')")
        self.code, self.k = p["code"], p["k"]
        if p["n"] is None and self.code == "ldpc5g":
            raise TypeError("n: missing; allowed: an integer >= k (code bits per frame) "
                            "for code='ldpc5g'")
        self.n = self.k if p["n"] is None else p["n"]
        if self.k > self.n:
            raise ValueError(f"k: got k={self.k} > n={self.n}; allowed: k <= n")
        if self.code == "none" and self.n != self.k:
            raise ValueError(f"n: got n={self.n} with k={self.k} and code='none'; "
                             f"allowed: n == k (uncoded)")

        self.modulation = p["modulation"]
        self.constellation = Constellation(self.modulation)
        m = self.constellation.bits_per_symbol
        if self.n % m:
            raise ValueError(f"n: got {self.n}, not a multiple of the {m} bits per symbol of "
                             f"modulation {self.modulation!r}; allowed: n % {m} == 0")
        self.n_symbols = self.n // m

        self.channel, self.ebno_db, self.fading = p["channel"], p["ebno_db"], p["fading"]
        self.n_blocks, self.k_factor = p["n_blocks"], p["k_factor"]
        if self.k_factor != 0.0 and self.channel != "rician":
            raise ValueError(f"k_factor: got {k_factor!r} with channel={self.channel!r}; "
                             f"allowed: a non-zero K-factor only with channel='rician'")
        self.csi_error_var = p["csi_error_var"]
        if self.csi_error_var != 0.0 and self.channel == "awgn":
            raise ValueError(f"csi_error_var: got {csi_error_var!r} with channel='awgn'; "
                             f"allowed: 0 (channel estimation applies to fading channels only)")
        self.decoder, self.num_iter = p["decoder"], p["num_iter"]
        self.early_stop, self.demapper = p["early_stop"], p["demapper"]
        self.precision = p["precision"]
        if self.precision in FIXED_POINT and self.decoder not in LAYERED_RULES:
            raise ValueError(f"precision: got {self.precision!r} with decoder={self.decoder!r}; "
                             f"allowed: fixed point with decoder 'nms' or 'oms' (layered "
                             f"min-sum), 'float32' or 'float64' with any decoder")

        self.crc_name = p["crc"]
        self.crc = None if self.crc_name is None else CRC(self.crc_name)
        crc_len = 0 if self.crc is None else int(self.crc.length)
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
                "demapper": self.demapper, "crc": self.crc_name, "backend": "numba",
                "device": "cpu", "precision": self.precision}

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
        n_frames = check_int("n_frames", n_frames, 0)
        counts = zero_counts(n_frames, self.payload_bits, self.code == "ldpc5g",
                             self.crc is not None)
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
                                                 precision=self.precision,
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
