"""Exact key equivocation by enumeration (linksim.security.key_equivocation) against brute
force over every block, and its limiting cases."""

import numpy as np
import pytest

from linksim.security.key_equivocation import (block_log_posteriors, key_equivocation,
                                               linear_words)

def _bits(w, n):
    return np.array([(w >> j) & 1 for j in range(n)], np.uint8)

def test_linear_words_is_the_gf2_product_of_every_block():
    rng = np.random.default_rng(0)
    m = rng.integers(0, 2, (2, 5, 7)).astype(np.uint8)      # a batch of two 5 x 7 maps
    words = linear_words(m)
    assert words.shape == (2, 128)
    for f in range(2):
        for w in range(128):
            want = (m[f] @ _bits(w, 7)) % 2
            assert words[f, w] == sum(int(v) << r for r, v in enumerate(want))

def test_block_log_posteriors_is_the_product_over_symbols():
    rng = np.random.default_rng(1)
    lp = np.log(rng.dirichlet(np.ones(4), size=(3, 3)))     # 3 frames, 3 symbols, b = 2
    got = block_log_posteriors(lp)
    assert got.shape == (3, 64)
    for f in range(3):
        for w in range(64):
            want = sum(lp[f, t, (w >> (2 * t)) & 3] for t in range(3))
            assert abs(got[f, w] - want) < 1e-12
    np.testing.assert_allclose(np.exp(got).sum(axis=1), 1.0, atol=1e-12)

def test_equivocation_against_brute_force():
    """H(K | e, M q = m) computed by looping over the 2^N blocks by hand."""
    rng = np.random.default_rng(2)
    n_sym, b, key_bits = 4, 2, 3
    n = n_sym * b
    lp = np.log(rng.dirichlet(np.ones(4) * 0.7, size=(5, n_sym)))
    pub = rng.integers(0, 2, (5, 3, n)).astype(np.uint8)
    key = rng.integers(0, 2, (5, key_bits, n)).astype(np.uint8)
    true = rng.integers(0, 1 << n, 5)
    post = block_log_posteriors(lp)
    pub_words, key_words = linear_words(pub), linear_words(key)
    seen = pub_words[np.arange(5), true]
    got = key_equivocation(post, pub_words == seen[:, None], key_words, key_bits)
    for f in range(5):
        mass = np.zeros(1 << key_bits)
        for w in range(1 << n):
            q = _bits(w, n)
            m = (pub[f] @ q) % 2
            if sum(int(v) << r for r, v in enumerate(m)) != seen[f]:
                continue
            k = (key[f] @ q) % 2
            mass[sum(int(v) << r for r, v in enumerate(k))] += np.exp(post[f, w])
        mass /= mass.sum()
        h = -sum(p * np.log2(p) for p in mass if p > 0)
        assert abs(got["entropy"][f] - h) < 1e-10
        assert abs(got["min_entropy"][f] + np.log2(mass.max())) < 1e-10
        assert abs(got["leakage"][f] - max(key_bits - h, 0)) < 1e-10
        assert abs(got["distance"][f] - 0.5 * np.abs(mass - 1 / 8).sum()) < 1e-12

def test_limiting_cases():
    n = 8
    flat = np.full((1, n, 2), np.log(0.5))              # b = 1, uniform posterior
    post = block_log_posteriors(flat)
    everything = np.ones_like(post, bool)
    # a key of independent bits from a uniform block: no leakage at all
    eye = np.eye(n, dtype=np.uint8)[None, :4]
    got = key_equivocation(post, everything, linear_words(eye), 4)
    assert abs(got["entropy"][0] - 4) < 1e-12 and got["leakage"][0] < 1e-12
    # publishing exactly the key's bits leaks them all
    words = linear_words(eye)
    same = words == words[:, 5:6]
    got = key_equivocation(post, same, words, 4)
    assert got["entropy"][0] < 1e-12 and abs(got["leakage"][0] - 4) < 1e-12
    assert abs(got["distance"][0] - (1 - 1 / 16)) < 1e-12
    # a key longer than the block's remaining entropy: 8 bits, 3 published -> 5 left
    pub = np.eye(n, dtype=np.uint8)[None, :3]
    pw = linear_words(pub)
    got = key_equivocation(post, pw == pw[:, 7:8], linear_words(np.eye(n, dtype=np.uint8)[None]),
                           8)
    assert abs(got["entropy"][0] - 5) < 1e-12 and abs(got["leakage"][0] - 3) < 1e-12

@pytest.mark.parametrize("call, message", [
    (lambda: linear_words(np.ones((2, 21), np.uint8)), "block: got 21 bits"),
    (lambda: linear_words(np.full((2, 3), 2)), "matrix: values outside"),
    (lambda: block_log_posteriors(np.zeros((1, 3, 3))), "label_log_post: got shape"),
    (lambda: key_equivocation(np.zeros((1, 4)), np.zeros((1, 4), bool), np.zeros(4, int), 2),
     "consistent: got a frame with no consistent block"),
    (lambda: key_equivocation(np.zeros((1, 4)), np.ones((1, 4), bool), np.zeros(4, int), 30),
     "key_bits: got 30"),
])
def test_bad_inputs_are_one_line_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
