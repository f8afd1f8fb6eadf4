"""Multilevel reconciliation (linksim.security.multilevel) and the quantizer's plane rates:
the chain rule, the offsets' syndrome, multistage decoding, and its place in the key link."""

import numpy as np
import pytest

from linksim.security.multilevel import MultilevelReconciliation, _plane_llr
from linksim.security.quantizer import GaussianQuantizer, gray_labels
from linksim.security.reconciliation import choose_code
from linksim.systems.key_agreement.link import KeyLink


def test_gray_prefixes_are_the_coarser_quantizers_labels():
    """The property the plane rates rest on: the first k bits of cell j's label are the
    label of cell j >> (b - k) of the k-bit quantizer (its cells are unions of 2^(b-k)
    neighbours, at the same quantiles)."""
    for b in (2, 3, 4):
        fine = GaussianQuantizer(b, 3.0)
        for k in range(1, b):
            coarse = GaussianQuantizer(k, 3.0)
            j = np.arange(2 ** b)
            assert np.array_equal(fine.labels[:, :k], coarse.labels[j >> (b - k)])
            assert np.allclose(coarse.thresholds, fine.thresholds[2 ** (b - k) - 1::2 ** (b - k)])


def test_plane_entropies_sum_to_the_conditional_entropy():
    """Chain rule: sum_k H(Q_k | X, Q_<k) = H(Q | X) (P = 100, alpha = 0.2: Y = X + N(0, 5)),
    each term in [0, 1], and conditioning on the planes above lowers each plane's entropy
    below its bit-interleaved H(Q_k | X) (estimated here by Monte Carlo, 1e5 samples, so the
    margin asserted, 0.02 bits, is 10 standard errors)."""
    q = GaussianQuantizer(4, 105.0)
    h = q.plane_conditional_entropies(1.0, 5.0, 100.0)
    assert abs(h.sum() - q.conditional_entropy(1.0, 5.0, 100.0)) < 1e-12
    assert np.all((h >= 0) & (h <= 1))
    rng = np.random.default_rng(0)
    x = rng.standard_normal(100_000) * 10.0
    y = x + rng.standard_normal(100_000) * np.sqrt(5.0)
    bits = q.quantize(y[None])[0]
    s = (1 - 2 * bits.astype(float)) * q.llrs(x[None], 5.0)[0]
    h_bicm = np.log2(1 + np.exp(-s)).reshape(-1, 4).mean(axis=0)
    assert abs(h[0] - h_bicm[0]) < 0.02                    # the MSB has nothing above it
    assert np.all(h[2:] < h_bicm[2:] - 0.02)


def test_plane_llr_is_the_conditional_llr():
    """Brute force: P(Q_k = 0 | planes above = d) / P(Q_k = 1 | d) from the cell masses."""
    rng = np.random.default_rng(1)
    labels = gray_labels(3)
    log_p = np.log(rng.dirichlet(np.ones(8), size=(2, 5)))
    decided = rng.integers(0, 2, (2, 5, 2))
    alive = np.all(labels[None, None, :, :2] == decided[..., None, :], axis=-1)
    got = _plane_llr(np.where(alive, log_p, -np.inf), labels[:, 2])
    p = np.exp(log_p) * alive
    want = np.log((p * (labels[:, 2] == 0)).sum(-1) / (p * (labels[:, 2] == 1)).sum(-1))
    assert np.allclose(got, want, atol=1e-12)


def test_offsets_reveal_the_block_syndrome_and_multistage_decoding_recovers_q():
    """Three planes of 64 symbols (two codes and a plane published in full): pcm q = pcm t for
    codes with their own parity-check matrix (a rate-matched 5G code's is refused), and with
    sharp cell probabilities around the truth the decoder returns q and converges."""
    from linksim.systems.key_agreement.link import _code
    rng = np.random.default_rng(2)
    q = rng.integers(0, 2, (4, 192), dtype=np.uint8)
    own = MultilevelReconciliation([_code("random", 64, 0.3, 0), _code("random", 64, 0.5, 1),
                                    None], 64)
    t = own.public_message(q, np.random.default_rng(7))
    h = own.pcm
    assert h.shape[1] == 192 and h.shape[0] >= 64
    assert np.array_equal(h @ q.T % 2, h @ t.T % 2)
    codes = [choose_code(64, 0.3)[0], choose_code(64, 0.5)[0], None]
    ml = MultilevelReconciliation(codes, 64)
    assert ml.n == 192 and ml.k == codes[0].k + codes[1].k
    with pytest.raises(ValueError, match="codes\\[0\\]: got a parity-check matrix of"):
        ml.pcm
    t = ml.public_message(q, rng)
    labels = gray_labels(3)
    value = {tuple(row): j for j, row in enumerate(labels)}
    truth = np.array([[value[tuple(sym)] for sym in frame.reshape(-1, 3)] for frame in q])
    log_p = np.where(np.arange(8) == truth[..., None], 0.0, -4.0)
    log_p += rng.normal(0, 0.3, log_p.shape)
    q_hat, ok = ml.reconcile(t, log_p, labels, num_iter=50)
    assert ok.all() and np.array_equal(q_hat, q)


def test_one_plane_multilevel_is_the_single_code_link():
    """b = 1: one plane, the same code and the same draws, so the same counts."""
    a = KeyLink(n_sym=512).simulate_batch(np.random.default_rng(3), 20)
    b = KeyLink(n_sym=512, reconciliation="multilevel").simulate_batch(
        np.random.default_rng(3), 20)
    assert a == b


@pytest.mark.parametrize("params, message", [
    (dict(strategy="fw_fw", reconciliation="multilevel"), "reconciliation: got 'multilevel'"),
    (dict(reconciliation="multilevel", syndrome_rate=0.3), "syndrome_rate: got 0.3"),
])
def test_multilevel_bad_parameters_are_one_line_errors(params, message):
    with pytest.raises(ValueError, match=message):
        KeyLink(**params)
