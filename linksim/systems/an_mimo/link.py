"""The bit-true link of seed 002 (notes 002 §6): LDPC-coded QAM streams through designed
precoders with Gaussian artificial noise, over the true channels, to LMMSE (or ZF) receivers
and to the worst-case Eve of eq. (4) with LMMSE or joint ML detection.

**The channel pool.** ``n_channels`` draws (seeded ``channel_seed``) are designed once per
process with ``scheme`` from the transmitters' estimates (:mod:`.designs`) and kept. The
link runs on the true channels of the pool.

**Rate selection, backed off from the log-det rates.** Every codeword carries ``k_info``
information bits in ``n_code`` code bits (5G NR LDPC), ``R = k_info / n_sym`` bits per symbol
(``n_sym = n_code / m``). Stream k of user i on channel c is *active* when the transmitter's
own (estimated-channel) LMMSE rate clears the rate with a backoff:
``backoff * log2(1 + SINR_nominal) >= R``; the per-stream LMMSE rates sum to at most the
log-det rate C_R (notes §6 check 2). A stream that is not active carries uncoded random QAM.

**A frame** is one codeword: an active (channel, user, stream) drawn uniformly, every user's
streams filled with QAM symbols (the chosen one LDPC-coded), fresh Gaussian AN and thermal
noise. Frames are therefore independent trials (exact Clopper-Pearson intervals for BLER;
bits are clustered in frames). Bob i (genie: true channel and true interference-plus-AN
covariance, variant (a) of §6) detects and decodes the stream; Eve, seeing only transmitter i
(eq. 4) with her own true channel, detects it (LMMSE or joint ML over the user's streams) and
decodes it with the same code.

**Measured beside the analysis.** Per frame, the unbiased LMMSE estimate of the chosen stream
has error variance ``1 / SINR`` with the analytical post-equalization SINR on the true
channel (``1 / M_kk - 1``), for any symbol distribution (second moments only): the sum of
``SINR |s_hat - s|^2`` over the frame's symbols, whose mean per symbol is 1, is counted at
Bob and at Eve (fixed point, 2^-10), with its per-frame square for the interval. Eve's
leakage per code bit is the LLR estimate ``1 - E[log2(1 + exp(-x LLR))]`` (x = +-1 the code
bit; a lower bound on the mutual information of bit and Eve's observation under this
detector), from the counted ``sum log2(1 + exp(-x LLR))`` (fixed point, 2^-8).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from linksim.channel.awgn import complex_normal
from linksim.checks import check_int
from linksim.sim.metrics import bit_error_counts

__all__ = ["COUNTS", "Pool", "AnMimoLink", "NERR_SCALE", "LOSS_SCALE"]

#: Fixed-point scales of the real-valued sums counted as integers.
NERR_SCALE = 2 ** 10
LOSS_SCALE = 2 ** 8

COUNTS = ("iterations", "eve_frame_errors", "eve_bit_errors", "eve_bit_errors_sq",
          "code_bits", "eve_llr_loss", "eve_llr_loss_sq", "symbols", "bob_nerr", "bob_nerr_sq",
          "eve_nerr", "eve_nerr_sq")


class Pool(NamedTuple):
    """The designed channels, normalized (unit noise, precoders of unit total power).

    Attributes
    ----------
    g : complex128 [C, K, K, n_r, n_t]
        True channels times ``sqrt(w P / s^2)``.
    g_eve : complex128 [C, K, n_e, n_t]
    q, lam : complex128 [C, K, n_t, d_s], [C, K, n_t, d_a]
        Precoders over ``sqrt(P)``.
    cov_bob : complex128 [C, K, n_r, n_r]
        Interference + own AN + noise covariance at each receiver (true channels).
    cov_eve : complex128 [C, K, n_e, n_e]
        AN + noise covariance at Eve for each user.
    sinr_bob, sinr_eve, sinr_nominal : float64 [C, K, d_s]
        Analytical LMMSE SINR per stream at Bob and Eve (true channels) and at Bob on the
        estimates (what the transmitter selects rates from).
    rates : float64 [C, 3, K]
        C_R, C_E, C_S (bits, unclipped) on the true channels.
    active : int64 [A, 3]
        The active (channel, user, stream) triples.
    """

    g: np.ndarray
    g_eve: np.ndarray
    q: np.ndarray
    lam: np.ndarray
    cov_bob: np.ndarray
    cov_eve: np.ndarray
    sinr_bob: np.ndarray
    sinr_eve: np.ndarray
    sinr_nominal: np.ndarray
    rates: np.ndarray
    active: np.ndarray


def _stream_sinr(a, cov):
    """1 / M_kk - 1, M the LMMSE error matrix (:func:`linksim.mimo.detection.lmmse_mse`);
    a [..., n, d], cov [..., n, n] with one batch axis."""
    from linksim.mimo.detection import lmmse_mse
    return 1.0 / np.real(np.diagonal(lmmse_mse(a, cov), axis1=-2, axis2=-1)) - 1.0


def build_pool(params) -> Pool:
    """Design every channel of the pool (the costly step; once per process).

    Parameters
    ----------
    params : mapping
        The link's parameters (:data:`linksim.systems.an_mimo.spec.LINK_SCHEMA`).

    Returns
    -------
    Pool
    """
    from linksim.systems.an_mimo.analysis import covariances
    from linksim.systems.an_mimo.designs import Setting, design, draw_channels, score
    s = Setting.from_params(params)
    k = s.k
    diag = np.arange(k)
    # noise-normalized units: unit noise, precoders of unit power (y = G X s + n)
    scale_r = np.where(np.eye(k, dtype=bool), math.sqrt(s.omega_m * s.p_total / s.noise),
                       math.sqrt(s.omega_i * s.p_total / s.noise))[:, :, None, None]
    scale_e = math.sqrt(s.omega_e * s.p_total / s.noise)
    unit = dict(omega_m=1.0, omega_i=1.0, omega_e=1.0, noise_r=1.0, noise_e=1.0)
    out = {n: [] for n in ("g", "g_eve", "q", "lam", "cov_bob", "cov_eve", "sinr_bob",
                           "sinr_eve", "sinr_nominal", "rates")}
    for c in range(params["n_channels"]):
        d = draw_channels(params["channel_seed"], c, s, params["zeta"])
        q, lam, _ = design(params["scheme"], d, s, zeta=params["zeta"], params=params)
        if lam.shape[-1] != s.d_a:      # a scheme without AN (MT-MSE): zero AN columns
            lam = np.concatenate([lam, np.zeros((k, s.n_t, s.d_a - lam.shape[-1]))], axis=-1)
        qn, ln = q / math.sqrt(s.p_total), lam / math.sqrt(s.p_total)
        g, g_e = d.h_true * scale_r, d.h_eve_true * scale_e
        g_hat, g_e_hat = d.h_hat * scale_r, d.h_eve_hat * scale_e
        _, n_r, _, n_e = covariances(g[None], g_e[None], qn[None], ln[None], **unit)
        _, n_r_hat, _, _ = covariances(g_hat[None], g_e_hat[None], qn[None], ln[None], **unit)
        out["g"].append(g)
        out["g_eve"].append(g_e)
        out["q"].append(qn)
        out["lam"].append(ln)
        out["cov_bob"].append(n_r[0])
        out["cov_eve"].append(n_e[0])
        out["sinr_bob"].append(_stream_sinr(g[diag, diag] @ qn, n_r[0]))
        out["sinr_eve"].append(_stream_sinr(g_e @ qn, n_e[0]))
        out["sinr_nominal"].append(_stream_sinr(g_hat[diag, diag] @ qn, n_r_hat[0]))
        r = score(d, s, q, lam)
        out["rates"].append(np.stack([r.legitimate, r.eve, r.secrecy]))
    arrays = {n: np.stack(v) for n, v in out.items()}
    n_sym = params["n_code"] // _bits_per_symbol(params["modulation"])
    rate = params["k_info"] / n_sym
    ok = params["backoff"] * np.log2(1 + arrays["sinr_nominal"]) >= rate
    return Pool(**arrays, active=np.argwhere(ok))


def _check_zero_forcing(pool: Pool) -> None:
    """Zero-forcing needs the powered streams of every decoded user on independent
    directions; a design may send two streams along one (a rank-deficient Q), which only
    LMMSE can receive."""
    for c, i in {(int(c), int(i)) for c, i, _ in pool.active}:
        a = pool.g[c][i, i] @ pool.q[c, i]
        power = np.sum(np.abs(a) ** 2, axis=0)
        sv = np.linalg.svd(a[:, power > 1e-12 * power.max()], compute_uv=False)
        if sv[-1] <= 1e-9 * sv[0]:
            raise ValueError(
                f"receiver: got 'zf', but the design sends user {i}'s streams on channel {c} "
                f"along dependent directions (effective channel of rank "
                f"{int(np.sum(sv > 1e-9 * sv[0]))} for {len(sv)} powered streams); allowed: "
                f"'lmmse', which receives any design")


def _bits_per_symbol(modulation: str) -> int:
    from linksim.mapping import Constellation
    return Constellation(modulation).bits_per_symbol


class AnMimoLink:
    """The bit-true link (module docstring). Built from the parameters of
    :data:`linksim.systems.an_mimo.spec.LINK_SCHEMA`; the pool is designed on first use."""

    def __init__(self, **params):
        from linksim.fec.code import cached_code
        from linksim.mapping import Constellation
        from linksim.systems.an_mimo.spec import LINK_SCHEMA
        from linksim.systems.an_mimo.studies import check_setting
        params = check_setting({**params, **LINK_SCHEMA.validate(params)})
        self.params = params
        self.constellation = Constellation(params["modulation"])
        m = self.constellation.bits_per_symbol
        if params["n_code"] % m:
            raise ValueError(f"n_code: got {params['n_code']}; allowed: a multiple of the "
                             f"{m} bits per {params['modulation']} symbol")
        self.n_sym = params["n_code"] // m
        self.code = cached_code("ldpc5g", params["k_info"], params["n_code"])
        if params["eve_detector"] == "ml" and \
                self.constellation.num_points ** params["d_s"] > 4096:
            raise ValueError(f"eve_detector: got 'ml' with {self.constellation.num_points}"
                             f"^{params['d_s']} candidates; allowed: 'lmmse', or ml with at "
                             f"most 4096 candidate vectors")
        if params["receiver"] == "zf" and params["d_s"] > params["n_r"]:
            raise ValueError("receiver: got 'zf' with d_s > n_r; allowed: lmmse")
        self._pool = None

    @property
    def pool(self) -> Pool:
        """The designed pool (designed on first access)."""
        if self._pool is None:
            pool = build_pool(self.params)
            if len(pool.active) == 0:
                raise ValueError(
                    f"k_info: got {self.params['k_info']} ({self.params['k_info'] / self.n_sym:.3f}"
                    f" bits per symbol); allowed: a rate that at least one stream of the "
                    f"{self.params['n_channels']} designed channels supports with backoff "
                    f"{self.params['backoff']} (none does: lower k_info or raise the backoff)")
            if self.params["receiver"] == "zf":
                _check_zero_forcing(pool)
            self._pool = pool
        return self._pool

    def simulate_batch(self, rng: np.random.Generator, n_frames: int) -> dict[str, int]:
        """Simulate ``n_frames`` independent frames (one codeword each), every draw from
        ``rng``: the active triple of every frame, then per triple (in index order) the
        payload, the other streams' bits, the AN, Bob's noise and Eve's noise.

        Returns
        -------
        dict[str, int]
            ``frames``, ``frame_errors`` (Bob's codeword wrong), ``bits``, ``bit_errors``,
            ``bit_errors_sq`` and the counts of :data:`COUNTS`.
        """
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"rng: got {type(rng).__name__}; allowed: a numpy.random.Generator")
        n_frames = check_int("n_frames", n_frames, 0)
        counts = {"frames": n_frames, "frame_errors": 0, "bits": n_frames * self.code.k,
                  "bit_errors": 0, "bit_errors_sq": 0, **{c: 0 for c in COUNTS}}
        if n_frames == 0:
            return counts
        pool = self.pool
        pick = rng.integers(0, len(pool.active), size=n_frames)
        for t in np.unique(pick):
            part = self._frames(rng, pool, *pool.active[t], int(np.count_nonzero(pick == t)))
            for key, v in part.items():
                counts[key] += v
        return counts

    def _frames(self, rng, pool: Pool, c: int, i: int, k: int, n: int) -> dict:
        p = self.params
        const, m, n_sym = self.constellation, self.constellation.bits_per_symbol, self.n_sym
        n_users, d_s, d_a = p["k"], p["d_s"], p["d_a"]
        u = rng.integers(0, 2, size=(n, self.code.k), dtype=np.uint8)
        code_bits = self.code.encode(u)                                        # [n, n_code]
        other = rng.integers(0, 2, size=(n, n_users, d_s, n_sym * m), dtype=np.uint8)
        s = const.map(other)                                                   # [n, K, d_s, n_sym]
        s[:, i, k] = const.map(code_bits)
        z = complex_normal(rng, (n, n_users, d_a, n_sym))
        x = pool.q[c][None] @ s + pool.lam[c][None] @ z                        # [n, K, n_t, n_sym]
        g, g_e = pool.g[c], pool.g_eve[c]
        y = (g[i][None] @ x).sum(axis=1)              # every transmitter to receiver i
        y += complex_normal(rng, y.shape)             # unit noise (normalized units)
        y_e = g_e[i] @ x[:, i]
        y_e += complex_normal(rng, y_e.shape)
        out = {}
        bob = self._detect(g[i, i] @ pool.q[c, i], y, pool.cov_bob[c, i], k, p["receiver"])
        eve_lmmse = self._detect(g_e[i] @ pool.q[c, i], y_e, pool.cov_eve[c, i], k, "lmmse")
        for who, (s_hat, _), sinr in (("bob", bob, pool.sinr_bob[c, i, k]),
                                      ("eve", eve_lmmse, pool.sinr_eve[c, i, k])):
            if who == "bob" and p["receiver"] != "lmmse":
                continue
            per_frame = np.rint(np.sum(np.abs(s_hat - s[:, i, k]) ** 2, axis=1) * sinr
                                * NERR_SCALE).astype(np.int64)
            out[f"{who}_nerr"] = int(per_frame.sum())
            out[f"{who}_nerr_sq"] = int(np.dot(per_frame, per_frame))
        out["symbols"] = n * n_sym
        llr_bob = const.demap(bob[0], bob[1][:, None])
        if p["eve_detector"] == "ml":
            from linksim.mimo.detection import ml_llrs
            a_e = np.broadcast_to(g_e[i] @ pool.q[c, i], (n, *g_e[i].shape[:1], d_s))
            cov = np.broadcast_to(pool.cov_eve[c, i], (n, *pool.cov_eve[c, i].shape))
            llr = ml_llrs(a_e, y_e, cov, const)                               # [n, n_sym, d_s*m]
            llr_eve = llr[:, :, k * m:(k + 1) * m].reshape(n, n_sym * m)
        else:
            llr_eve = const.demap(eve_lmmse[0], eve_lmmse[1][:, None])
        u_bob, iterations = self.code.decode(llr_bob, num_iter=p["num_iter"],
                                             algorithm=p["decoder"], return_iterations=True)
        u_eve = self.code.decode(llr_eve, num_iter=p["num_iter"], algorithm=p["decoder"])
        wrong = u_bob != u
        out["frame_errors"] = int(wrong.any(axis=1).sum())
        out.update(bit_error_counts(wrong))
        out["iterations"] = int(np.sum(iterations, dtype=np.int64))
        wrong_e = u_eve != u
        out["eve_frame_errors"] = int(wrong_e.any(axis=1).sum())
        eve_bits = bit_error_counts(wrong_e)
        out["eve_bit_errors"], out["eve_bit_errors_sq"] = eve_bits["bit_errors"], \
            eve_bits["bit_errors_sq"]
        sign = 1.0 - 2.0 * code_bits
        loss = np.logaddexp(0.0, -sign * np.clip(llr_eve, -700, 700)) / math.log(2)
        per_frame = np.rint(loss.sum(axis=1) * LOSS_SCALE).astype(np.int64)
        out["eve_llr_loss"] = int(per_frame.sum())
        out["eve_llr_loss_sq"] = int(np.dot(per_frame, per_frame))
        out["code_bits"] = n * self.code.n
        return out

    @staticmethod
    def _detect(a, y, cov, k, receiver):
        """The chosen stream's estimate [n, n_sym] and its effective noise [n] (unbiased
        LMMSE with the true covariance, or ZF)."""
        from linksim.mimo.detection import lmmse_detect, zf_detect
        n = y.shape[0]
        a_b = np.broadcast_to(a, (n, *a.shape))
        cov_b = np.broadcast_to(cov, (n, *cov.shape))
        if receiver == "zf":
            # a design may switch a stream off (a zero column): it interferes with nothing, and
            # zero-forcing is defined on the streams that carry power
            power = np.sum(np.abs(a) ** 2, axis=0)
            on = np.flatnonzero(power > 1e-12 * power.max())
            s_hat, no_eff = zf_detect(a_b[:, :, on], y, cov_b)
            k = int(np.searchsorted(on, k))
        else:
            s_hat, no_eff, _ = lmmse_detect(a_b, y, cov_b)
        return s_hat[:, k], no_eff[:, k]
