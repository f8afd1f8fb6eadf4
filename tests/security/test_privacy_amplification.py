"""Privacy amplification (linksim.security.privacy_amplification): the Toeplitz hash against the
explicit matrix of scipy.linalg.toeplitz, its GF(2) bilinearity, its 2-universality (exactly by
enumeration, and by Monte Carlo at larger sizes), batching, and the leftover-hash length."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy.linalg import toeplitz

from linksim.security.privacy_amplification import (leftover_hash_length, toeplitz_hash,
                                                    toeplitz_seeds)


def _matrix(seed, n_in):
    """T[i, j] = s[i - j + n_in - 1]: first column s[n_in - 1:], first row s[n_in - 1::-1]."""
    return toeplitz(seed[n_in - 1:], seed[n_in - 1::-1]).astype(np.int64)


SIZES = [(1, 1), (5, 1), (1, 6), (16, 16), (64, 7), (100, 100), (257, 1), (1000, 333),
         (2048, 2048), (16384, 64)]


@pytest.mark.parametrize("n_in, n_out", SIZES)
def test_equals_the_explicit_toeplitz_matrix_mod_2(n_in, n_out):
    rng = np.random.default_rng(n_in * 7919 + n_out)
    x = rng.integers(0, 2, (3, n_in), dtype=np.uint8)
    s = toeplitz_seeds(rng, n_in, n_out, (3,))
    assert s.shape == (3, n_in + n_out - 1)
    got = toeplitz_hash(x, s)
    assert got.shape == (3, n_out) and got.dtype == np.uint8
    for f in range(3):
        t = _matrix(s[f], n_in)
        assert t.shape == (n_out, n_in)
        i, j = np.indices(t.shape)
        assert np.all(t == s[f][i - j + n_in - 1])            # the documented convention
        np.testing.assert_array_equal(got[f], (t @ x[f]) % 2)


def test_exact_at_the_largest_size():
    # n_in = n_out = 16384, all-ones input (every count at its largest, n_in - |i - ...|): the
    # direct integer convolution as reference.
    n = 16384
    rng = np.random.default_rng(1)
    s = rng.integers(0, 2, 2 * n - 1, dtype=np.uint8)
    for x in (np.ones(n, np.uint8), rng.integers(0, 2, n, dtype=np.uint8)):
        want = np.convolve(s.astype(np.int64), x.astype(np.int64))[n - 1:2 * n - 1] % 2
        np.testing.assert_array_equal(toeplitz_hash(x, s), want)


def test_bilinear_over_gf2():
    rng = np.random.default_rng(2)
    n_in, n_out = 300, 120
    x, y = rng.integers(0, 2, (2, 10, n_in), dtype=np.uint8)
    s, r = toeplitz_seeds(rng, n_in, n_out, (2, 10))
    np.testing.assert_array_equal(toeplitz_hash(x ^ y, s),
                                  toeplitz_hash(x, s) ^ toeplitz_hash(y, s))
    np.testing.assert_array_equal(toeplitz_hash(x, s ^ r),
                                  toeplitz_hash(x, s) ^ toeplitz_hash(x, r))
    assert not toeplitz_hash(np.zeros(n_in, np.uint8), s).any()


def test_two_universal_exactly_by_enumeration():
    # n_in = 4, n_out = 3: all 2^6 seeds; for every pair x != x' exactly 2^6 / 2^3 = 8 collide.
    n_in, n_out = 4, 3
    seeds = np.array(list(itertools.product((0, 1), repeat=n_in + n_out - 1)), np.uint8)
    inputs = np.array(list(itertools.product((0, 1), repeat=n_in)), np.uint8)
    keys = toeplitz_hash(inputs[:, None, :], seeds[None, :, :])        # [16, 64, 3]
    assert keys.shape == (16, 64, 3)
    for a, b in itertools.combinations(range(16), 2):
        collisions = np.all(keys[a] == keys[b], axis=-1).sum()
        assert collisions == 8, (inputs[a], inputs[b], collisions)


@pytest.mark.parametrize("n_out", [1, 3, 6])
@pytest.mark.parametrize("distance", [1, 60])
def test_collision_probability_over_random_seeds(n_out, distance):
    # Two fixed inputs at Hamming distance 1 or 60 (n_in = 128), N = 20000 random seeds:
    # collisions ~ Binomial(N, 2^-n_out); tolerance 5 standard deviations (false failure
    # ~6e-7 per case; the seeds are fixed anyway). The band is +-3.5 % of 1/2 at n_out = 1
    # (0.55 would be 14 sd off) and +-28 % of 1/64 at n_out = 6.
    n_in, n = 128, 20_000
    rng = np.random.default_rng(100 + n_out + distance)
    x = rng.integers(0, 2, n_in, dtype=np.uint8)
    x2 = x.copy()
    x2[rng.choice(n_in, distance, replace=False)] ^= 1
    s = toeplitz_seeds(rng, n_in, n_out, (n,))
    both = toeplitz_hash(np.stack([x, x2])[:, None, :], s[None])         # [2, N, n_out]
    hits = np.all(both[0] == both[1], axis=-1).sum()
    p = 2.0**-n_out
    assert abs(hits - n * p) <= 5 * math.sqrt(n * p * (1 - p)), (hits, n * p)


def test_batched_seeds_broadcast():
    rng = np.random.default_rng(4)
    n_in, n_out = 50, 20
    x = rng.integers(0, 2, (2, 3, n_in), dtype=np.uint8)
    one = toeplitz_seeds(rng, n_in, n_out)
    per_frame = toeplitz_seeds(rng, n_in, n_out, (2, 3))
    per_column = toeplitz_seeds(rng, n_in, n_out, (3,))
    got_one = toeplitz_hash(x, one)
    got_frame = toeplitz_hash(x, per_frame)
    got_column = toeplitz_hash(x, per_column)
    for a in range(2):
        for b in range(3):
            np.testing.assert_array_equal(got_one[a, b], _matrix(one, n_in) @ x[a, b] % 2)
            np.testing.assert_array_equal(got_frame[a, b],
                                          _matrix(per_frame[a, b], n_in) @ x[a, b] % 2)
            np.testing.assert_array_equal(got_column[a, b],
                                          _matrix(per_column[b], n_in) @ x[a, b] % 2)
    # one input, many seeds; other dtypes of 0/1 are accepted
    many = toeplitz_hash(x[0, 0].astype(bool), per_frame.astype(np.float32))
    assert many.shape == (2, 3, n_out)
    np.testing.assert_array_equal(many[1, 2], _matrix(per_frame[1, 2], n_in) @ x[0, 0] % 2)
    assert toeplitz_hash(np.zeros((0, n_in), np.uint8), one).shape == (0, n_out)


def test_seeds_are_fair_bits():
    # 2e6 bits: the count of ones within 5 binomial standard deviations of half.
    s = toeplitz_seeds(np.random.default_rng(6), 1000, 1001, (1000,))
    assert s.shape == (1000, 2000) and s.dtype == np.uint8 and set(np.unique(s)) == {0, 1}
    assert abs(s.sum() - s.size / 2) <= 5 * math.sqrt(s.size / 4)


def test_leftover_hash_length():
    assert leftover_hash_length(1000, 300, 2.0**-20) == 660
    assert isinstance(leftover_hash_length(1000, 300, 2.0**-20), int)
    assert leftover_hash_length(100.9, 0, 0.5) == 98                    # floor(98.9)
    assert leftover_hash_length(100, 0, 0.1) == 93                      # floor(100 - 6.64)
    assert leftover_hash_length(10, 20, 1e-3) == 0                      # clipped at 0
    got = leftover_hash_length(np.array([[50.0], [500.0]]), np.array([0.0, 100.0, 490.0]), 0.25)
    np.testing.assert_array_equal(got, [[46, 0, 0], [496, 396, 6]])
    assert got.dtype == np.int64


@pytest.mark.parametrize("call, exc, match", [
    (lambda: toeplitz_hash(np.array([0, 2, 1]), np.zeros(5)), ValueError,
     r"^bits: got values other than 0 and 1; allowed: 0 or 1$"),
    (lambda: toeplitz_hash(np.ones(3), np.full(5, -1)), ValueError, r"^seeds: got values other"),
    (lambda: toeplitz_hash(np.uint8(1), np.zeros(5)), ValueError,
     r"^bits: got shape \(\); allowed: \[\.\.\., length >= 1\]$"),
    (lambda: toeplitz_hash(np.zeros((2, 0)), np.zeros(5)), ValueError, r"^bits: got shape \(2, 0\)"),
    (lambda: toeplitz_hash(np.zeros(6), np.zeros(5)), ValueError,
     r"^seeds: got length 5 with n_in = 6; allowed: n_in \+ n_out - 1 >= n_in"),
    (lambda: toeplitz_hash(np.zeros((2, 4)), np.zeros((3, 5))), ValueError,
     r"^seeds: got leading shape \(3,\) with bits' \(2,\); allowed: leading shapes"),
    (lambda: toeplitz_hash(np.array(["0", "1"]), np.zeros(3)), TypeError, r"^bits: got dtype"),
    (lambda: toeplitz_seeds(None, 4, 4), TypeError, r"^rng: got NoneType"),
    (lambda: toeplitz_seeds(np.random.default_rng(), 0, 4), ValueError, r"^n_in: got 0"),
    (lambda: toeplitz_seeds(np.random.default_rng(), 4, 0), ValueError, r"^n_out: got 0"),
    (lambda: toeplitz_seeds(np.random.default_rng(), 4, 4, (2, -1)), ValueError,
     r"^shape: got \(2, -1\); allowed: a tuple of integers >= 0$"),
    (lambda: leftover_hash_length(-1, 0, 0.1), ValueError, r"^entropy_bits: got -1 "),
    (lambda: leftover_hash_length(10, np.nan, 0.1), ValueError, r"^leaked_bits: got nan"),
    (lambda: leftover_hash_length(10, 0, 0.0), ValueError, r"^epsilon: got 0.0; allowed"),
    (lambda: leftover_hash_length(10, 0, 1.0), ValueError, r"^epsilon: got 1.0; allowed"),
    (lambda: leftover_hash_length([1, 2], [1, 2, 3], 0.1), ValueError,
     r"^leaked_bits: got shape \(3,\) with entropy_bits' \(2,\)"),
])
def test_errors_are_one_line(call, exc, match):
    with pytest.raises(exc, match=match) as info:
        call()
    assert "\n" not in str(info.value)
