"""Bit-true random binning on the Gaussian interference channel, with the eavesdropper's exact
leakage (seed 000, notes 000 §1.8, §2.5, §5.2-§5.4 E2): the simulation system ``ic_binning``.

**Model** (real, unit noise; notes §1.7, §6 item 2). Transmitter 1 sends message
``W in [0, M)``, ``M = round(2^{nR})``, with a uniform dummy index ``W' in [0, M')``,
``M' = round(2^{nR'})`` (any sizes; the effective rates ``log2(M)/n``, ``log2(M')/n`` are
reported), as the codeword ``V_1^n(W, W')`` of a Gaussian codebook drawn afresh for every frame,
entries i.i.d. ``N(0, (1 - lam1) beta1 P)``, plus i.i.d. artificial noise ``A_1 ~ N(0, lam1
beta1 P)``. Transmitter 2 sends ``X_2 = V_2 + A_2`` with powers ``(1 - lam2) beta2 P_2`` and
``lam2 beta2 P_2`` (``P_2 = p2``, or ``p``)::

    Y_1 = X_1 + rho1 X_2 + Z_1   (Bob),      Y_2 = rho2 X_1 + X_2 + Z_2   (Eve = Rx 2).

* ``eve = "genie"``: Eve knows the codebook and Tx 2's codeword ``V_2^n`` (i.i.d. Gaussian,
  fresh per block), the conditioning of the rate formula; her channel from ``V_1`` is AWGN,
  ``Y_2 - V_2 = rho2 V_1 + N``, ``N ~ N(0, s2)``, ``s2 = 1 + rho2^2 lam1 beta1 P + lam2 beta2
  P_2``: the leakage is ``I(W; Y_2^n | V_2^n)``, per codebook, averaged over codebooks.
* ``eve = "marginal"``: Tx 2 sends from its own Gaussian codebook of ``M_2 M_2'`` codewords
  (``rate2``, ``dummy_rate2``), fresh per frame; Eve knows both codebooks, not the codewords,
  and marginalizes over Tx 2's (a log-sum-exp over both codebooks): the paper's
  ``I(W; Y_2^n)`` (notes §1.5, §6 item 3). Cost ``M M' M_2 M_2' n`` per sample.

**A frame** is one codebook (Tx 1's, and Tx 2's in marginal mode) and ``samples`` independent
blocks ``(W, W', Y^n)`` drawn from the true joint law. For each block Eve's exact likelihoods
give the information density ``i = log2 p(y | w) - log2 p(y)`` (notes §1.3; its mean is
``I(W; Y^n)`` for the frame's codebook), the L1 term ``(1/M) sum_w |p(y | w)/p(y) - 1|`` (its
mean is ``d(P_WY, P_W P_Y)``, the y being draws of ``P_Y``; §5.3 item 2) and her ML message
decision. Bob decodes ``(W, W')`` jointly by minimum distance over the ``M M'`` codewords (ML
with his interference and AN treated as Gaussian noise); a message error is ``W_hat != W``.
Frames are independent (fresh codebooks), so the leakage's interval is the normal one over
frames of the per-frame means (:func:`linksim.sim.stats.frame_mean_ci`, 99 %): an interval
for the leakage averaged over random codebooks, with the codebook-to-codebook spread in it.

**Counts** (non-negative integers): ``frames``; ``frame_errors``, frames with a message error
at Bob; ``bits = bit_errors = 0`` (M need not be a power of two); ``blocks``; ``bob_errors``,
``bob_index_errors`` (``(W, W')`` wrong) and ``eve_errors``, each with its per-frame sum of
squares (``*_sq``: the blocks of a frame share a codebook); the per-frame mean information
density in fixed point (:data:`FIXED_SCALE`), signed, as ``density_pos`` and ``density_neg``
(sums of the positive and negative parts) and ``density_sq``; ``l1`` and ``l1_sq`` likewise.

**Predictions** (:func:`derived`). Rigorous, on the codebook-averaged genie leakage
``E_C I(W; Y^n | V_2^n, C)`` (hence on the marginal one, which is at most it), with
``SC(K) = E log2(1 + (2^{i(X^n; Y^n)} - 1) / K)`` the soft-covering bound
(:func:`soft_covering_bound`) on the mean divergence of the output of K random codewords from the
i.i.d. output:

* upper: ``min(log2 M, SC(M'))``: ``I(W; Y^n) <= H(W)``, and ``I(W; Y^n) <= E_w D(P_{Y|w} ||
  P_Y^iid) <= SC(M')`` (Hayashi 2006, Thm. 1; Cuff 2013, soft covering); ``SC(M') <= SC(1) = n
  I_E``, so this is below the genie bound ``n I_E``;
* lower (genie only): ``n I_E - SC(M M') - min(log2 M', n I_E)``, from ``I(W; Y) = I(V; Y) -
  I(V; Y | W)``, ``E_C I(V; Y) = n I_E - E_C D(Q_C || P_Y^iid)`` and ``I(V; Y | W) <= H(W')``;
* asymptotic (not a bound at finite n; notes §5.2, resolvability): ``n [f(R + R') - f(R')]``
  with ``f(r) = lim (1/n) I(V_1^n; Y^n)`` for a codebook of rate r: ``min(r, I_E)`` for the
  genie (``I_E = I(V_1; Y_2 | V_2)``, eq. 21), and for the marginal eavesdropper, whose
  interference is a codebook of rate ``r_2``, the multiple-access count
  ``f(r) = min(r + r_2, r_2 + I(V_1; Y_2 | V_2), r + I(V_2; Y_2 | V_1), I(V_1, V_2; Y_2)) -
  min(r_2, I(V_2; Y_2 | V_1))`` (the pairs of codewords jointly typical with Y; with ``r_2 >=
  I(V_2; Y_2 | V_1)`` it is ``min(r, I(V_1; Y_2))``, with ``r_2 = 0`` the genie's). So the total
  leakage decays to 0 for ``R' > I_E`` and grows like ``n (I_E - R')`` (at most ``n R``) below.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from linksim.security.leakage import binned_leakage_terms, pinsker_lower_bound
from linksim.sim.metrics import Metric
from linksim.sim.stats import frame_mean_ci
from linksim.systems.base import Limit

__all__ = ["COUNTS", "METRICS", "FIXED_SCALE", "CONFIDENCE", "MAX_CODEBOOK_WORK",
           "MAX_FRAME_WORK", "BinningLink", "codebook_size", "cost_limit", "derived",
           "leakage_rates", "soft_covering_bound"]

#: The counts a batch returns beyond the engine's four (module docstring).
COUNTS = ("blocks", "bob_errors", "bob_errors_sq", "bob_index_errors", "bob_index_errors_sq",
          "eve_errors", "eve_errors_sq", "density_pos", "density_neg", "density_sq", "l1",
          "l1_sq")

METRICS = {m.name: m for m in (
    Metric("bob_bler", "bob_errors", "blocks", "rate", "Bob's message error rate (ML over the "
           "M M' codewords)", cluster_sq="bob_errors_sq"),
    Metric("bob_index_bler", "bob_index_errors", "blocks", "rate",
           "Bob's (W, W') error rate", cluster_sq="bob_index_errors_sq"),
    Metric("eve_bler", "eve_errors", "blocks", "rate", "Eve's ML message error rate",
           cluster_sq="eve_errors_sq"),
)}

#: Fixed-point scale of the per-frame means (information density in bits, L1 term): a
#: resolution of 6e-8 per frame, far below any interval here.
FIXED_SCALE = 2 ** 24

#: Two-sided level of the intervals of :func:`derived`.
CONFIDENCE = 0.99

#: Largest ``codewords x n`` Eve weighs per sample: ``M M' n`` (genie), ``M M' M_2 M_2' n``
#: (marginal); measured (genie, 64 samples, one core): M M' n = 2^16 takes ~10 ms per frame,
#: 655360 (n = 20, R = 0.25, R' = 0.5) ~70 ms.
MAX_CODEBOOK_WORK = 2 ** 20

#: Largest ``samples x codewords`` of a frame (the likelihood table; ~5 s per frame).
MAX_FRAME_WORK = 2 ** 27

#: Elements of the likelihood tables computed at once (float64; 8 MiB each).
_CHUNK = 2 ** 20

#: Gauss-Laguerre nodes of :func:`soft_covering_bound` (96 and 200 agree to 1e-9 at n <= 64).
_NODES = 128


def codebook_size(n: int, rate: float) -> int:
    """``round(2^{n rate})`` (halves up), at least 1."""
    return max(1, int(math.floor(2.0 ** (n * rate) + 0.5)))


def _sizes(params) -> tuple[int, int, int]:
    n = params["n"]
    k2 = 1
    if params.get("eve") == "marginal":
        k2 = codebook_size(n, params["rate2"]) * codebook_size(n, params["dummy_rate2"])
    return codebook_size(n, params["rate"]), codebook_size(n, params["dummy_rate"]), k2


def cost_limit(params) -> Limit | None:
    """The work limits of a point (:data:`MAX_CODEBOOK_WORK`, :data:`MAX_FRAME_WORK`), or None
    within them (or when a value has the wrong type: the builder reports that)."""
    try:
        n, samples = params.get("n", 8), params.get("samples", 64)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (n, samples)):
            return None
        m, md, k2 = _sizes({"eve": "genie", "rate": 0.25, "dummy_rate": 0.25, "rate2": 0.25,
                            "dummy_rate2": 0.25, **params, "n": n})
    except (TypeError, ValueError, OverflowError):
        return None
    work = m * md * k2 * n
    if work > MAX_CODEBOOK_WORK:
        name = "dummy_rate" if "dummy_rate" in params else "n"
        what = "M M' n" if k2 == 1 else "M M' M_2 M_2' n"
        return Limit(name, f"{what} <= {MAX_CODEBOOK_WORK} (codewords Eve weighs per sample "
                           f"times n; lower n or the rates)", detail=f", {what} = {work}")
    if samples * m * md * k2 > MAX_FRAME_WORK:
        return Limit("samples", f"samples x codewords <= {MAX_FRAME_WORK} per frame",
                     detail=f", samples x codewords = {samples * m * md * k2}")
    return None


def soft_covering_bound(n: int, snr: float, k: int) -> float:
    """``SC(K) = E log2(1 + (2^{i(X^n; Y^n)} - 1) / K)``: the soft-covering bound on the
    expected divergence ``E_C D(Q_C || P_Y^n)`` between the output of K i.i.d. codewords and the
    i.i.d. output, for ``X ~ N(0, snr)`` over ``Y = X + Z``, ``Z ~ N(0, 1)`` (Hayashi 2006,
    Thm. 1; Jensen over the other K - 1 codewords). ``SC(1) = n C(snr)``; it decreases in K.

    The information density of n uses is ``n C(snr) + a (A - B)``, ``A, B`` independent
    chi-square(n), ``a = (log2 e / 2) sqrt(snr / (1 + snr))`` (the quadratic form ``y^2 / (1 +
    snr) - z^2`` of two standard normals with correlation ``1 / sqrt(1 + snr)``); the
    expectation is a product Gauss-Laguerre rule in ``A/2`` and ``B/2``.
    """
    if snr <= 0:
        return 0.0
    c = 0.5 * math.log2(1 + snr)
    a = 0.5 * math.log2(math.e) * math.sqrt(snr / (1 + snr))
    x, w = special.roots_genlaguerre(_NODES, n / 2 - 1)
    w = w / math.gamma(n / 2)
    s = n * c + 2 * a * (x[:, None] - x[None, :])
    g = s if k == 1 else np.logaddexp2(math.log2(k - 1), s) - math.log2(k)
    return float(w @ g @ w)


def leakage_rates(params) -> dict:
    """The mutual informations of a point from the log-det engine (:mod:`.rates`), bits per
    use: ``i_b = I(V_1; Y_1)``, ``i_e_genie = I(V_1; Y_2 | V_2)`` (the rate formula's
    leakage term), ``i_e_gaussian = I(V_1; Y_2)`` (Tx 2's signal as Gaussian noise),
    ``i_v2 = I(V_2; Y_2 | V_1)``, ``i_joint = I(V_1, V_2; Y_2)``, and ``eve_snr``, the SNR of
    the genie eavesdropper's AWGN channel from ``V_1``."""
    from linksim.systems.ic_secrecy.rates import ic_model, rate_terms, two_user_gains
    p, p2 = params["p"], params["p"] if params["p2"] is None else params["p2"]
    model = ic_model(two_user_gains(params["rho1"], params["rho2"]), [p, p2],
                     [params["lam1"], params["lam2"]], [params["beta1"], params["beta2"]])
    terms = rate_terms(model, 2)
    noise = 1 + params["rho2"] ** 2 * params["lam1"] * params["beta1"] * p \
        + params["lam2"] * params["beta2"] * p2
    return {"i_b": float(terms["legit1"]), "i_e_genie": float(terms["leak1_2"]),
            "i_e_gaussian": float(model.mutual_information("v1", "y2")),
            "i_v2": float(model.mutual_information("v2", "y2", "v1")),
            "i_joint": float(model.mutual_information(["v1", "v2"], "y2")),
            "eve_snr": params["rho2"] ** 2 * (1 - params["lam1"]) * params["beta1"] * p / noise}


class BinningLink:
    """Random binning over the Gaussian IC with the eavesdropper's exact leakage (module
    docstring).

    Parameters: those of :data:`linksim.systems.ic_secrecy.spec.BINNING_SCHEMA` (defaults
    filled in, each checked), then the rules between them: the real channel only, and the
    work limits of :func:`cost_limit`.

    ``simulate_batch(rng, n_frames)`` returns the counts of the module docstring; every draw
    comes from ``rng`` in a fixed order, so a batch is a pure function of its generator.
    """

    def __init__(self, **params):
        from linksim.systems.ic_secrecy.spec import BINNING_SCHEMA
        v = BINNING_SCHEMA.validate(BINNING_SCHEMA.complete(params, "ic_binning"))
        if v["complex_valued"]:
            raise ValueError("complex_valued: got True; allowed: False (the binning link is "
                             "the paper's real channel)")
        limit = cost_limit(v)
        if limit is not None:
            raise ValueError(f"{limit.name}: got {v[limit.name]!r}{limit.detail}; allowed: "
                             f"{limit.allowed}")
        self.params = v
        self.n, self.samples, self.eve = v["n"], v["samples"], v["eve"]
        self.m, self.m_dummy, self.k2 = _sizes(v)
        p, p2 = v["p"], v["p"] if v["p2"] is None else v["p2"]
        self.pv1 = (1 - v["lam1"]) * v["beta1"] * p
        self.pa1 = v["lam1"] * v["beta1"] * p
        self.pv2 = (1 - v["lam2"]) * v["beta2"] * p2
        self.pa2 = v["lam2"] * v["beta2"] * p2
        self.rho1, self.rho2 = v["rho1"], v["rho2"]
        self.eve_noise = 1 + self.rho2 ** 2 * self.pa1 + self.pa2

    def simulate_batch(self, rng, n_frames: int) -> dict:
        counts = dict.fromkeys(("frames", "frame_errors", "bits", "bit_errors", *COUNTS), 0)
        counts["frames"] = int(n_frames)
        codewords = self.m * self.m_dummy
        per_frame = self.samples * codewords * self.k2
        done = 0
        while done < n_frames:
            chunk = max(1, min(n_frames - done, _CHUNK // per_frame))
            got = self._frames(rng, chunk)
            done += chunk
            bob = got["bob"]
            counts["frame_errors"] += int(np.count_nonzero(bob))
            counts["blocks"] += chunk * self.samples
            for name in ("bob", "bob_index", "eve"):
                e = got[name].astype(np.int64)
                counts[f"{name}_errors"] += int(e.sum())
                counts[f"{name}_errors_sq"] += int(np.dot(e, e))
            dens = [int(v) for v in np.rint(got["density"] * FIXED_SCALE)]
            counts["density_pos"] += sum(v for v in dens if v > 0)
            counts["density_neg"] += sum(-v for v in dens if v < 0)
            counts["density_sq"] += sum(v * v for v in dens)
            l1 = [int(v) for v in np.rint(got["l1"] * FIXED_SCALE)]
            counts["l1"] += sum(l1)
            counts["l1_sq"] += sum(v * v for v in l1)
        return counts

    def _draw(self, rng, frames: int) -> dict:
        """The draws of ``frames`` frames, in a fixed order: Tx 1's codebooks ``book1``
        [frames, M M', n] (codeword ``w M' + w'``), Tx 2's ``book2`` [frames, K_2, n] (marginal
        mode, else None), the indices ``w``, ``wd`` [frames, samples], Tx 2's codewords ``v2``
        and the outputs ``y1``, ``y2`` [frames, samples, n]."""
        n, s, m, md, k2 = self.n, self.samples, self.m, self.m_dummy, self.k2
        book1 = rng.standard_normal((frames, m * md, n)) * math.sqrt(self.pv1)
        book2 = (rng.standard_normal((frames, k2, n)) * math.sqrt(self.pv2)
                 if self.eve == "marginal" else None)
        w = rng.integers(0, m, (frames, s))
        wd = rng.integers(0, md, (frames, s))
        a1, a2, z1, z2 = rng.standard_normal((4, frames, s, n))
        if self.eve == "marginal":
            v2 = np.take_along_axis(book2, rng.integers(0, k2, (frames, s, 1)), 1)
        else:
            v2 = rng.standard_normal((frames, s, n)) * math.sqrt(self.pv2)
        x1 = np.take_along_axis(book1, (w * md + wd)[..., None], 1) + math.sqrt(self.pa1) * a1
        x2 = v2 + math.sqrt(self.pa2) * a2
        return {"book1": book1, "book2": book2, "w": w, "wd": wd, "v2": v2,
                "y1": x1 + self.rho1 * x2 + z1, "y2": self.rho2 * x1 + x2 + z2}

    def _eve_log_likelihoods(self, d: dict) -> np.ndarray:
        """Eve's ``log p(y_2 | codeword (w, w'))`` up to a per-sample constant, [frames,
        samples, M, M']: AWGN from ``V_1`` given ``V_2`` (genie), or Tx 2's codebook
        marginalized (:meth:`_marginal`)."""
        book1, frames = d["book1"], d["book1"].shape[0]
        if self.eve == "genie":
            energy = np.einsum("fcn,fcn->fc", book1, book1)
            ll = (self.rho2 * np.matmul(d["y2"] - d["v2"], book1.transpose(0, 2, 1))
                  - 0.5 * self.rho2 ** 2 * energy[:, None, :]) / self.eve_noise
        else:
            ll = np.stack([self._marginal(d["y2"][f], book1[f], d["book2"][f])
                           for f in range(frames)])
        return ll.reshape(frames, self.samples, self.m, self.m_dummy)

    def _frames(self, rng, frames: int) -> dict:
        """``frames`` codebooks and ``samples`` blocks each: per-frame means of the density and
        the L1 term, and per-frame error counts, arrays [frames]."""
        d = self._draw(rng, frames)
        book1, w, md = d["book1"], d["w"], self.m_dummy
        # Bob: minimum distance over the M M' codewords, argmax y.c - |c|^2 / 2
        energy = np.einsum("fcn,fcn->fc", book1, book1)
        score = np.matmul(d["y1"], book1.transpose(0, 2, 1)) - 0.5 * energy[:, None, :]
        best = np.argmax(score, axis=-1)
        density, l1, decided = binned_leakage_terms(self._eve_log_likelihoods(d), w)
        return {"density": density.mean(axis=1), "l1": l1.mean(axis=1),
                "bob": ((best // md) != w).sum(axis=1),
                "bob_index": (best != w * md + d["wd"]).sum(axis=1),
                "eve": (decided != w).sum(axis=1)}

    def _marginal(self, y, book1, book2) -> np.ndarray:
        """Eve's ``log p(y | v_1(c))`` up to a per-sample constant, Tx 2's codeword
        marginalized: ``log sum_k exp(-|y - rho2 v_1(c) - v_2(k)|^2 / (2 s2))`` [samples, C]."""
        r = self.rho2
        e1 = np.einsum("cn,cn->c", book1, book1)
        e2 = np.einsum("kn,kn->k", book2, book2)
        first = (r * (y @ book1.T) - 0.5 * r * r * e1) / self.eve_noise        # [S, C]
        second = (y @ book2.T - 0.5 * e2) / self.eve_noise                     # [S, K]
        cross = (r / self.eve_noise) * (book1 @ book2.T)                       # [C, K]
        out = np.empty(first.shape)
        step = max(1, _CHUNK // (first.shape[1] * second.shape[1]))
        for lo in range(0, y.shape[0], step):
            t = second[lo:lo + step, None, :] - cross[None]
            top = t.max(axis=-1, keepdims=True)
            out[lo:lo + step] = first[lo:lo + step] + np.log(np.exp(t - top).sum(-1)) + top[..., 0]
        return out


def _asymptotic_rate(r: float, mode: str, rates: dict, r2: float) -> float:
    """``f(r) = lim (1/n) I(V_1^n; Y^n)`` for a codebook of rate r (module docstring)."""
    ie = rates["i_e_genie"]
    if mode == "genie":
        return min(r, ie)
    return min(r + r2, r2 + ie, r + rates["i_v2"], rates["i_joint"]) - min(r2, rates["i_v2"])


def derived(params: dict, counts: dict) -> dict:
    """The measured leakage beside its predictions, for one point (module docstring).

    Values (bits unless stated): ``leakage`` (``I(W; Y^n)``, total) with ``_lo``/``_hi`` (99 %
    normal interval over frames) and ``leakage_per_use`` likewise; ``l1`` (``d(P_WY, P_W
    P_Y)``, in [0, 2]) with its interval; ``pinsker`` ``= (log2 e / 2) max(l1_lo, 0)^2`` (the
    least leakage the distance implies), ``pinsker_gap = leakage_hi - pinsker`` and
    ``pinsker_ok`` (1 when the gap is >= 0); ``bob_bler``, ``eve_bler``, ``eve_chance`` (``1 -
    1/M``); ``m``, ``m_dummy``, ``m2`` (Tx 2's codewords, marginal), ``rate_eff``,
    ``dummy_rate_eff``, ``rate2_eff``; ``i_b``, ``i_e`` (the leakage rate of the asymptotic
    prediction: ``i_e_genie`` for the genie, ``f(inf)`` for the marginal eavesdropper),
    ``i_e_genie``, ``i_e_gaussian``; ``prediction_asymptotic`` (``n [f(R+R') - f(R')]``, not a
    bound) and ``prediction_asymptotic_per_use``; ``bound_entropy`` (``log2 M``),
    ``bound_genie`` (``n I(V_1; Y_2 | V_2)``), ``upper_bound`` (``min(log2 M, SC(M'))``),
    ``lower_bound`` (genie only, else None) and ``within_bounds`` (1 when the interval meets
    ``[lower_bound, upper_bound]``).
    """
    from linksim.systems.ic_secrecy.spec import BINNING_SCHEMA
    params = BINNING_SCHEMA.complete(params, "ic_binning")
    n = params["n"]
    m, md, k2 = _sizes(params)
    rates = leakage_rates(params)
    values = {"m": m, "m_dummy": md, "m2": k2 if params["eve"] == "marginal" else None,
              "rate_eff": math.log2(m) / n, "dummy_rate_eff": math.log2(md) / n,
              "rate2_eff": math.log2(k2) / n if params["eve"] == "marginal" else None,
              "i_b": rates["i_b"], "i_e_genie": rates["i_e_genie"],
              "i_e_gaussian": rates["i_e_gaussian"]}
    r2 = math.log2(k2) / n
    f = lambda r: _asymptotic_rate(r, params["eve"], rates, r2)   # noqa: E731
    values["i_e"] = f(math.inf)
    r, rd = values["rate_eff"], values["dummy_rate_eff"]
    values["prediction_asymptotic"] = n * (f(r + rd) - f(rd))
    values["prediction_asymptotic_per_use"] = f(r + rd) - f(rd)
    snr, ie = rates["eve_snr"], rates["i_e_genie"]
    values["bound_entropy"] = math.log2(m)
    values["bound_genie"] = n * ie
    values["upper_bound"] = min(math.log2(m), soft_covering_bound(n, snr, md))
    values["lower_bound"] = (max(0.0, n * ie - soft_covering_bound(n, snr, m * md)
                                 - min(math.log2(md), n * ie))
                             if params["eve"] == "genie" else None)
    frames = counts.get("frames", 0)
    leak = l1 = None
    if frames >= 2 and "density_sq" in counts:
        total = (counts["density_pos"] - counts["density_neg"]) / FIXED_SCALE
        leak = frame_mean_ci(total, counts["density_sq"] / FIXED_SCALE ** 2, frames, 1.0,
                             CONFIDENCE)
        l1 = frame_mean_ci(counts["l1"] / FIXED_SCALE, counts["l1_sq"] / FIXED_SCALE ** 2,
                           frames, 1.0, CONFIDENCE)
    for suffix, v in zip(("", "_lo", "_hi"), leak or (None,) * 3):
        values[f"leakage{suffix}"] = v
    for suffix, v in zip(("", "_lo", "_hi"), leak or (None,) * 3):
        values[f"leakage_per_use{suffix}"] = None if v is None else v / n
    for suffix, v in zip(("", "_lo", "_hi"), l1 or (None,) * 3):
        values[f"l1{suffix}"] = v
    if leak is not None:
        pinsker = float(pinsker_lower_bound(l1[1]))
        values.update(pinsker=pinsker, pinsker_gap=leak[2] - pinsker,
                      pinsker_ok=int(leak[2] >= pinsker))
        low = values["lower_bound"] or 0.0
        values["within_bounds"] = int(leak[1] <= values["upper_bound"] and leak[2] >= low)
    else:
        values.update(pinsker=None, pinsker_gap=None, pinsker_ok=None, within_bounds=None)
    blocks = counts.get("blocks", 0)
    values["bob_bler"] = counts.get("bob_errors", 0) / blocks if blocks else None
    values["eve_bler"] = counts.get("eve_errors", 0) / blocks if blocks else None
    values["eve_chance"] = 1 - 1 / m
    return {"predictions": {}, "values": values}
