"""The bit-true physical-layer-deception system of seed 003: cipher, two coded layers, NOM, SIC.

One frame (notes 003 §2.4, §3):

1. Alice draws a d_P-bit plaintext p and, per frame, a fresh d_K-bit key k. With the cipher
   on (probability ``p_cipher_on``) the ciphertext is m = f(p, k), the deceptive FF1 cipher of
   :class:`linksim.security.cipher.DeceptiveCipher`; with it off, m = p and the key layer carries
   a uniformly random **litter** sequence of n_bits coded bits instead of a key codeword
   (§3.2, §9 A5).
2. Each layer is CRC-protected and channel coded to ``n_bits = n * bits_per_symbol`` code bits
   (both layers span the same n complex channel uses; n = 64, QPSK: 128 bits), with its own
   code (``code_m``, ``code_k``: 5G NR LDPC with BP decoding, or binary BCH with hard-decision
   bounded-distance decoding) and its own CRC (``crc_m``, ``crc_k``).
3. The layers are mapped and superposed, x = sqrt(P_M) s_M + sqrt(P_K) s_K
   (:mod:`linksim.multiple_access.noma`), and sent to Bob and Eve over independent channels with
   gains z_Bob, z_Eve (static, the paper's model) or Rayleigh fading of those mean gains
   (quasi-static or block; an extension, §9 A15), noise CN(0, sigma^2).
4. Bob and Eve run the same SIC receiver (§3.5): decode M (K as Gaussian interference, or exact
   joint LLRs); M erased (CRC or bounded-distance failure) -> plaintext lost. Otherwise
   re-encode, subtract, decode K; K erased -> output p_hat = m_hat (the receiver assumes the
   cipher was off); K accepted -> p_hat = f^-1(m_hat, k_hat).
5. Each frame is classified (Table I): per layer success / erasure / undetected error; for the
   plaintext perceived (p_hat = p), deceived (p_hat != p) or lost.

``receiver = "abstract"`` replaces both decoders by Bernoulli erasures at the normal-approximation
probabilities of the frame's SINRs (K is only attempted when M succeeded: the SIC gating), and
keeps everything else (the cipher, the event logic). It checks the event bookkeeping against
eqs. (10)-(11) exactly, independently of any code.

Counts returned by :meth:`PLDLink.simulate_batch` (``r`` is ``bob`` or ``eve``; "on" frames
are the cipher-on frames, on which the paper's metrics are defined):

* ``frames``, ``frame_errors`` (Bob did not perceive p, all frames), ``bits``, ``bit_errors``
  (Bob's plaintext bits, all frames; a lost frame counts the decoder's hard output),
  ``bit_errors_sq`` (sum over frames of the squared per-frame bit errors: the BER interval);
* ``on_frames``, ``off_frames``;
* ``r_m_failures``, ``r_m_erasures``, ``r_m_undetected`` (M layer, all frames);
* ``r_k_trials`` (on frames whose M was decoded correctly: the conditioning of eps_{r,K}),
  ``r_k_failures``, ``r_k_erasures``, ``r_k_undetected``;
* ``r_perceived``, ``r_deceived``, ``r_lost`` (on frames);
* ``effective_deceptions`` (Eve deceived and Bob not deceived: R_d, eq. 11) and ``lf_events``
  (Eve perceived or Bob did not perceive: eps_LF, eqs. 8/10), on frames;
* ``joint_<bob>_<eve>`` for the 3 x 3 plaintext outcomes (perceived / deceived / lost) of Bob
  and Eve on the same on frames, for the independence test;
* cipher off: ``r_off_k_trials`` (off frames with M correct), ``r_off_k_erasures`` (litter
  erased, as it should be), ``r_off_wrong`` (M correct but p_hat != p);
* ``r_perceived_all`` (p_hat = p over all frames: the mixture leakage of notes §9 A14).
"""

from __future__ import annotations

import functools
import math

import numpy as np

from linksim import channel as _channel
from linksim import mimo as _mimo
from linksim.checks import check_choice as _choice
from linksim.checks import check_int as _int
from linksim.mapping import Constellation
from linksim.multiple_access import noma
from linksim.sim.metrics import bit_error_counts
from linksim.systems.pld.spec import CODES, PARAMS

__all__ = ["COUNTS", "OUTCOMES", "LayerCode", "PLDLink"]

OUTCOMES = ("perceived", "deceived", "lost")
#: Key bits the deceptive cipher takes (:class:`linksim.security.cipher.DeceptiveCipher`).
CIPHER_KEY_BITS = 64
RECEIVER_NAMES = ("bob", "eve")

def _counts_names() -> tuple[str, ...]:
    names = ["on_frames", "off_frames", "effective_deceptions", "lf_events"]
    for r in RECEIVER_NAMES:
        names += [f"{r}_m_failures", f"{r}_m_erasures", f"{r}_m_undetected", f"{r}_k_trials",
                  f"{r}_k_failures", f"{r}_k_erasures", f"{r}_k_undetected",
                  *(f"{r}_{o}" for o in OUTCOMES), f"{r}_off_k_trials", f"{r}_off_k_erasures",
                  f"{r}_off_wrong", f"{r}_perceived_all"]
    names += [f"joint_{b}_{e}" for b in OUTCOMES for e in OUTCOMES]
    return tuple(names)


#: Counts beyond frames / frame_errors / bits / bit_errors (module docstring).
COUNTS = _counts_names()


class LayerCode:
    """CRC + channel code of one layer: ``d`` payload bits -> ``n_bits`` code bits.

    ``code="ldpc5g"``: the 5G NR LDPC code of size (d + L, n_bits) with rate matching
    (:class:`linksim.fec.ldpc.LDPC5G`), BP decoding (``decoder``, ``num_iter``).
    ``code="bch"``: the binary BCH code of the largest primitive length 2^m - 1 <= n_bits whose
    dimension is the smallest >= d + L, shortened to exactly d + L information bits; the
    n_bits - n_c spare positions repeat the first code bits (their LLRs are added before the
    hard decision), and the decoder is hard-decision bounded distance
    (:class:`linksim.fec.bch.BCH`): a decoding failure is an erasure, like a CRC failure.
    ``crc``: a :data:`linksim.fec.crc.CRC_NAMES` name, or None (then only a bounded-distance
    failure can erase, and an LDPC layer never reports erasures).

    Only the construction depends on ``code``: it picks the code (``fec``, a
    :class:`linksim.fec.code.Code` from :func:`linksim.fec.cached_code`), its decoder options
    (``decode_options``) and whether the decoder's ``ok`` erases the layer
    (``erase_on_decoder_failure``: True for BCH; False for LDPC, whose syndrome flag is
    ignored, so only the CRC erases, as in the paper's receiver). Encoding and decoding go
    through the protocol alone.
    """

    def __init__(self, code: str, d: int, crc: str | None, n_bits: int, decoder: str = "nms",
                 num_iter: int = 20, name: str = "code"):
        from linksim.fec import cached_code
        from linksim.fec.crc import CRC, CRC_NAMES
        self.code = _choice(name, code, CODES)
        self.d = d
        if crc is None:
            self.crc = None
        else:
            if not isinstance(crc, str) or crc.upper() not in CRC_NAMES:
                raise ValueError(f"crc_{name[-1]}: got {crc!r}; allowed: one of "
                                 f"{', '.join(CRC_NAMES)} or None")
            self.crc = CRC(crc.upper())
        self.crc_length = 0 if self.crc is None else int(self.crc.length)
        self.k_info = d + self.crc_length
        self.n_bits = n_bits
        self.decoder, self.num_iter = decoder, num_iter
        if self.code == "ldpc5g":
            try:
                self.fec = self.ldpc = cached_code("ldpc5g", self.k_info, n_bits)
            except ValueError as exc:
                raise ValueError(f"{name}: 5G LDPC cannot carry d + L = {self.k_info} bits "
                                 f"(payload {d} + CRC {self.crc_length}) in {n_bits} code "
                                 f"bits ({exc}); allowed: another CRC, code or size") from None
            self.decode_options = {"num_iter": num_iter, "algorithm": decoder}
            self.erase_on_decoder_failure = False
        else:
            from linksim.fec.bch import bch_dimensions
            m = int(math.floor(math.log2(n_bits + 1)))
            n_mother = (1 << m) - 1
            dims = sorted(k for k in bch_dimensions(m) if k >= self.k_info)
            if not dims:
                raise ValueError(f"{name}: no BCH code of length {n_mother} carries d + L = "
                                 f"{self.k_info} bits; allowed: d + L <= "
                                 f"{max(bch_dimensions(m))}")
            shortening = dims[0] - self.k_info
            self.fec = self.bch = cached_code("bch", self.k_info, n_mother - shortening)
            self.decode_options = {}
            self.erase_on_decoder_failure = True
        #: Code bits the code itself sends, and the spare ones that repeat its first bits.
        self.n_code = self.fec.n
        self.n_pad = n_bits - self.n_code
        if not 0 <= self.n_pad <= self.n_code:   # pragma: no cover - dims are dense at these sizes
            raise ValueError(f"{name}: code length {self.n_code} does not fit {n_bits} bits")

    def __repr__(self) -> str:
        crc = self.crc.name if self.crc is not None else None
        return f"LayerCode(d={self.d}, crc={crc}, {self.fec!r})"

    def info_bits(self, payload: np.ndarray) -> np.ndarray:
        """Payload uint8 [B, d] -> code input u uint8 [B, d + L] (CRC appended)."""
        return self.crc.encode(payload) if self.crc is not None else payload

    def encode_info(self, u: np.ndarray) -> np.ndarray:
        """Code input u uint8 [B, d + L] -> code bits uint8 [B, n_bits]."""
        c = self.fec.encode(u)
        if not self.n_pad:
            return c
        return np.concatenate([c, c[:, : self.n_pad]], axis=1)

    def decode(self, llr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """LLRs float [B, n_bits] -> (u_hat uint8 [B, d + L], accepted bool [B]).

        ``accepted``: the CRC holds (and, for BCH, bounded-distance decoding succeeded);
        otherwise the layer is *erased*.
        """
        if llr.shape[0] == 0:
            return np.zeros((0, self.k_info), np.uint8), np.zeros(0, bool)
        if self.n_pad:
            comb = llr[:, : self.n_code].copy()
            comb[:, : self.n_pad] += llr[:, self.n_code:]
        else:
            comb = llr
        u_hat, ok = self.fec.decode_llr(comb, **self.decode_options)
        if self.erase_on_decoder_failure:
            ok = np.asarray(ok, bool)
        else:
            ok = np.ones(llr.shape[0], bool)
        if self.crc is not None:
            ok &= np.asarray(self.crc.check(u_hat), bool).reshape(-1)
        return u_hat, ok


class PLDLink:
    """The bit-true PLD system (module docstring). Parameters as declared in
    :data:`linksim.systems.pld.spec.PARAMS` (checked against it, then the rules between them):

    p_m, p_k : layer powers (mW), p_m > 0, p_k >= 0; or p_m and p_total (the budget P_Sigma,
        then P_K = p_total - p_m: the full-power line of Theorem 1).
    d_k : key bits (0..64; 0 = no key layer, the cipher is the identity, litter is sent on the
        K layer if p_k > 0). d_m : ciphertext = plaintext bits (d_P = d_M, eq. 3), 2..64.
    z_bob_db, z_eve_db : channel gains (mean gains for Rayleigh), dB. noise : sigma^2 (mW).
    n : complex channel uses per frame. modulation : per layer (both layers the same).
    code_m, code_k : "ldpc5g" | "bch"; crc_m, crc_k : CRC names or None.
    decoder, num_iter : LDPC BP algorithm and iterations.
    m_llr : "gaussian" (K layer as Gaussian interference, as the analysis) | "joint".
    channel : "static" | "rayleigh"; fading : "quasi_static" | "block"; n_blocks.
    p_cipher_on : probability that a frame is enciphered (1: the paper's conditioning).
    receiver : "bittrue" | "abstract" (Bernoulli erasures at the NA probabilities).
    """

    def __init__(self, p_m=None, p_k=None, p_total=None, d_k=None, z_eve_db=None, z_bob_db=0.0,
                 d_m=16,
                 noise=1.0, n=64, modulation="qpsk", code_m="ldpc5g", code_k="ldpc5g",
                 crc_m="CRC11", crc_k="CRC11", decoder="nms", num_iter=20, m_llr="gaussian",
                 channel="static", fading="quasi_static", n_blocks=1, p_cipher_on=1.0,
                 receiver="bittrue"):
        raw = {key: value for key, value in locals().items() if key in PARAMS}
        # Each value against its declaration (spec.PARAMS), then the rules between them.
        p = PARAMS.validate(raw)
        self.p_m = p["p_m"]
        from linksim.systems.pld.analysis import layer_powers
        self.p_k = layer_powers(p)[1]
        self.n, self.d_m, self.d_k = p["n"], p["d_m"], p["d_k"]
        for name in ("d_k", "d_m"):
            if p[name] > self.n:
                raise ValueError(f"{name}: got {p[name]}; allowed: an integer <= n = {self.n} "
                                 f"(at most one bit per channel use, c4)")
        if self.d_k > 0 and self.p_k == 0:
            raise ValueError(f"p_k: got 0 with d_k={self.d_k}; allowed: p_k > 0 when a key "
                             f"is sent (or d_k = 0 for no key layer)")
        self.z_bob_db, self.z_eve_db = p["z_bob_db"], p["z_eve_db"]
        self.z_bob, self.z_eve = 10 ** (self.z_bob_db / 10), 10 ** (self.z_eve_db / 10)
        self.noise, self.modulation = p["noise"], p["modulation"]
        self.constellation = Constellation(self.modulation)
        self.n_bits = self.n * self.constellation.bits_per_symbol
        self.decoder, self.num_iter, self.m_llr = p["decoder"], p["num_iter"], p["m_llr"]
        self.channel, self.fading, self.n_blocks = p["channel"], p["fading"], p["n_blocks"]
        if self.n_blocks > self.n:
            raise ValueError(f"n_blocks: got {n_blocks}; allowed: an integer in [1, {self.n}] "
                             f"(at most one block per channel use)")
        if self.n_blocks > 1 and (self.channel != "rayleigh" or self.fading != "block"):
            raise ValueError(f"n_blocks: got {n_blocks} with channel={self.channel!r}, "
                             f"fading={self.fading!r}; allowed: > 1 only for block Rayleigh")
        self.p_cipher_on, self.receiver = p["p_cipher_on"], p["receiver"]
        if self.receiver == "abstract" and self.channel == "rayleigh" and self.fading == "block":
            raise ValueError("receiver: got 'abstract' with block fading; allowed: 'abstract' "
                             "only for static or quasi-static channels (the normal "
                             "approximation needs one SINR per frame)")
        self.code_m = LayerCode(code_m, self.d_m, crc_m, self.n_bits, self.decoder,
                                self.num_iter, name="code_m")
        self.code_k = None
        if self.d_k > 0:
            self.code_k = LayerCode(code_k, self.d_k, crc_k, self.n_bits, self.decoder,
                                    self.num_iter, name="code_k")
        #: The checked parameters (P_K resolved from p_total where that was given).
        self.params = {**p, "p_k": self.p_k}

    def __repr__(self) -> str:
        return "PLDLink(" + ", ".join(f"{k}={v!r}" for k, v in self.params.items()) + ")"

    @functools.cached_property
    def cipher(self):
        """The deceptive cipher f of (d_P = d_M, min(d_K, 64)); None for d_K = 0 (identity).
        Longer keys are XOR-folded to 64 bits first (:meth:`_cipher_key`)."""
        if self.d_k == 0:
            return None
        from linksim.security.cipher import DeceptiveCipher
        return DeceptiveCipher(self.d_m, min(self.d_k, CIPHER_KEY_BITS))

    def _cipher_key(self, key: np.ndarray) -> np.ndarray:
        """The cipher's key bits uint8 [B, min(d_K, 64)] from key bits uint8 [B, d_K].

        Keys of at most 64 bits are used as they are (the cipher's key width). A longer key
        (the long blocklengths of issue 15) is zero-padded to a multiple of 64 bits and its
        64-bit chunks are XORed: every key bit still changes the cipher, and since condition
        (4) cannot hold beyond d_K = d_P anyway (the class docstring of
        :class:`linksim.security.cipher.DeceptiveCipher`), nothing the PHY metrics depend on
        is lost.
        """
        if self.d_k <= CIPHER_KEY_BITS:
            return key
        pad = (-self.d_k) % CIPHER_KEY_BITS
        chunks = np.pad(key, ((0, 0), (0, pad))).reshape(key.shape[0], -1, CIPHER_KEY_BITS)
        return np.bitwise_xor.reduce(chunks, axis=1)

    # ---------------------------------------------------------------------------- channels
    def _channel(self, rng, x, z):
        """(y equalized [B, n] complex, noise variance per symbol: scalar or [B, n])."""
        if self.channel == "static":
            # r = sqrt(z) x + w, equalized: x + w / sqrt(z), noise sigma^2 / z per symbol.
            no = self.noise / z
            return _channel.awgn(x, no, rng), no
        h = np.sqrt(z) * _channel.fading_gains(rng, x.shape[0], self.n, fading=self.fading,
                                               n_blocks=self.n_blocks)
        r = _channel.flat_fading(x, h, self.noise, rng)
        return _mimo.equalize(r, h, self.noise)

    # ---------------------------------------------------------------------------- receivers
    def _receive_bittrue(self, y, no):
        """SIC receiver: (u_m_hat, m_ok, u_k_hat, k_ok); K entries only where m_ok."""
        batch = y.shape[0]
        llr_m = noma.primary_llrs(y, no, self.p_m, self.p_k, self.constellation, self.m_llr)
        u_m_hat, m_ok = self.code_m.decode(llr_m)
        u_k_hat = np.zeros((batch, 0 if self.code_k is None else self.code_k.k_info), np.uint8)
        k_ok = np.zeros(batch, bool)
        if self.code_k is not None:
            idx = np.flatnonzero(m_ok)
            if idx.size:
                s_m_hat = self.constellation.map(self.code_m.encode_info(u_m_hat[idx]))
                no_i = no if np.ndim(no) == 0 else no[idx]
                y2 = noma.cancel_primary(y[idx], s_m_hat, self.p_m)
                llr_k = noma.secondary_llrs(y2, no_i, self.p_k, self.constellation)
                u_hat_i, ok_i = self.code_k.decode(llr_k)
                u_k_hat[idx] = u_hat_i
                k_ok[idx] = ok_i
        return u_m_hat, m_ok, u_k_hat, k_ok

    def _receive_abstract(self, rng, z, u_m, u_k_tx, on):
        """Bernoulli erasures at the NA probabilities of each frame's SINRs (eq. 12); litter
        (cipher-off frames, ``on`` False) is always erased, as condition (7) intends."""
        from linksim.systems.pld.analysis import layer_error, sinrs
        g_m, g_k = sinrs(self.p_m, self.p_k, z, self.noise)
        eps_m = np.asarray(layer_error(g_m, self.d_m, self.n), dtype=np.float64)
        eps_k = np.asarray(layer_error(g_k, self.d_k, self.n), dtype=np.float64)
        draws = rng.random((2, z.size))
        m_ok = draws[0] >= eps_m
        # SIC gating: K is only attempted when M succeeded (its draw is unused otherwise).
        k_ok = m_ok & (draws[1] >= eps_k) & on if self.code_k is not None \
            else np.zeros(z.size, bool)
        u_m_hat = u_m.copy()
        u_m_hat[~m_ok, 0] ^= 1          # an erased layer's (unused) hard output is wrong
        u_k_hat = u_k_tx.copy()
        if u_k_hat.shape[1]:
            u_k_hat[~k_ok, 0] ^= 1
        return u_m_hat, m_ok, u_k_hat, k_ok

    # ---------------------------------------------------------------------------- one batch
    def simulate_batch(self, rng: np.random.Generator, n_frames: int,
                       trace: dict | None = None) -> dict[str, int]:
        """Simulate ``n_frames`` frames, every draw from ``rng``; returns the counts of
        :data:`COUNTS` plus frames / frame_errors / bits / bit_errors (module docstring).

        Draw order (fixed): plaintexts [B, d_m], keys [B, d_k], cipher-on flags [B],
        litter [B, n_bits]; then Bob's channel, then Eve's (gains, noise), or for the abstract
        receiver Bob's and Eve's Bernoulli draws (after their gains for Rayleigh).

        ``trace``: a dict to fill with per-frame diagnostics (the runner passes none):
        ``"agreement"`` float64 [B, 2n], the products of the two layers' unit-power symbols
        per real dimension (Re s_M Re s_K, Im s_M Im s_K, interleaved; their mean is the
        pattern projection c of :mod:`.joint`, 0 without a key layer), and ``"bob"``, ``"eve"``
        int8 [B], each receiver's outcome (0 perceived, 1 deceived, 2 lost, :data:`OUTCOMES`).
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: got {type(rng).__name__}; allowed: a numpy.random.Generator")
        batch = _int("n_frames", n_frames, 0)
        counts = {"frames": batch, "frame_errors": 0, "bits": batch * self.d_m, "bit_errors": 0,
                  "bit_errors_sq": 0}
        counts.update({name: 0 for name in COUNTS})
        if batch == 0:
            return counts
        p = rng.integers(0, 2, size=(batch, self.d_m), dtype=np.uint8)
        key = rng.integers(0, 2, size=(batch, self.d_k), dtype=np.uint8)
        on = rng.random(batch) < self.p_cipher_on
        litter_bits = rng.integers(0, 2, size=(batch, self.n_bits), dtype=np.uint8)

        m = p.copy()
        if self.cipher is not None and on.any():
            m[on] = self.cipher.encrypt(p[on], self._cipher_key(key[on]))
        u_m = self.code_m.info_bits(m)
        c_m = self.code_m.encode_info(u_m)
        s_m = self.constellation.map(c_m)
        if self.code_k is not None:
            u_k = self.code_k.info_bits(key)
            c_k = np.where(on[:, None], self.code_k.encode_info(u_k), litter_bits)
        else:
            u_k = np.zeros((batch, 0), np.uint8)
            c_k = litter_bits
        s_k = self.constellation.map(c_k) if self.p_k > 0 else None
        x = noma.superpose(s_m, s_k, self.p_m, self.p_k)
        if trace is not None:
            agreement = np.zeros((batch, 2 * self.n))
            if s_k is not None:
                agreement[:, 0::2] = s_m.real * s_k.real
                agreement[:, 1::2] = s_m.imag * s_k.imag
            trace["agreement"] = agreement

        outcome = {}
        for r, z in (("bob", self.z_bob), ("eve", self.z_eve)):
            if self.receiver == "bittrue":
                rx = self._receive_bittrue(*self._channel(rng, x, z))
            else:
                if self.channel == "static":
                    z_frame = np.full(batch, z)
                else:
                    z_frame = z * np.abs(_channel.fading_gains(rng, batch, 1)[:, 0]) ** 2
                rx = self._receive_abstract(rng, z_frame, u_m, u_k, on)
            outcome[r] = self._classify(r, rx, p, m, key, u_m, u_k, on, counts)

        if trace is not None:
            trace.update({r: o.astype(np.int8) for r, o in outcome.items()})
        on_n = int(on.sum())
        counts["on_frames"], counts["off_frames"] = on_n, batch - on_n
        b, e = outcome["bob"], outcome["eve"]
        counts["effective_deceptions"] = int(np.sum(on & (e == 1) & (b != 1)))
        counts["lf_events"] = int(np.sum(on & ((e == 0) | (b != 0))))
        for i, bo in enumerate(OUTCOMES):
            for j, eo in enumerate(OUTCOMES):
                counts[f"joint_{bo}_{eo}"] = int(np.sum(on & (b == i) & (e == j)))
        return counts

    def _classify(self, r, rx, p, m, key, u_m, u_k, on, counts) -> np.ndarray:
        """Table I events of receiver ``r``; fills its counts and returns its plaintext outcome
        per frame (0 perceived, 1 deceived, 2 lost)."""
        u_m_hat, m_ok, u_k_hat, k_ok = rx
        m_right = np.all(u_m_hat == u_m, axis=1)
        m_success = m_ok & m_right
        counts[f"{r}_m_failures"] = int(np.sum(~m_success))
        counts[f"{r}_m_erasures"] = int(np.sum(~m_ok))
        counts[f"{r}_m_undetected"] = int(np.sum(m_ok & ~m_right))

        m_hat = u_m_hat[:, : self.d_m]
        p_hat = m_hat.copy()                      # K erased: the receiver assumes cipher off
        # K is judged only where M was decoded correctly (SIC subtracts the right codeword);
        # without a key layer K is trivially decoded there.
        trials = on & m_success
        off_trials = ~on & m_success
        counts[f"{r}_k_trials"] = int(trials.sum())
        counts[f"{r}_off_k_trials"] = int(off_trials.sum())
        if self.code_k is not None:
            k_hat = u_k_hat[:, : self.d_k]
            k_right = np.all(u_k_hat == u_k, axis=1)
            accepted = m_ok & k_ok
            # Deciphering with the right key of the right ciphertext returns p (the tested
            # permutation property of f), so only other accepted pairs are decrypted.
            exact = accepted & on & m_right & k_right
            p_hat[exact] = p[exact]
            other = accepted & ~exact
            if other.any():
                p_hat[other] = self.cipher.decrypt(m_hat[other], self._cipher_key(k_hat[other]))
            counts[f"{r}_k_failures"] = int(np.sum(trials & ~(k_ok & k_right)))
            counts[f"{r}_k_erasures"] = int(np.sum(trials & ~k_ok))
            counts[f"{r}_k_undetected"] = int(np.sum(trials & k_ok & ~k_right))
            counts[f"{r}_off_k_erasures"] = int(np.sum(off_trials & ~k_ok))
        perceived = m_ok & np.all(p_hat == p, axis=1)
        outcome = np.where(~m_ok, 2, np.where(perceived, 0, 1))
        for i, name in enumerate(OUTCOMES):
            counts[f"{r}_{name}"] = int(np.sum(on & (outcome == i)))
        counts[f"{r}_off_wrong"] = int(np.sum(off_trials & ~perceived))
        counts[f"{r}_perceived_all"] = int(perceived.sum())
        if r == "bob":
            counts["frame_errors"] = int(np.sum(~perceived))
            counts.update(bit_error_counts(p_hat != p))
        return outcome
