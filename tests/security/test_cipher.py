"""Tests of linksim.security.cipher: NIST SP 800-38G FF1 and the deceptive cipher (notes 003 §3.1-3.2, §9)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linksim.security import (
    DeceptiveCipher,
    condition4_fraction,
    ff1_decrypt,
    ff1_encrypt,
    ff1_minlen,
    litter,
)

# ------------------------------------------------------------------------------------------------
# NIST SP 800-38G FF1 samples (NIST CSRC "Examples with Intermediate Values", FF1samples.pdf,
# Samples 1-9: AES-128/192/256 x {radix 10 no tweak, radix 10 tweak, radix 36 tweak}).
# ------------------------------------------------------------------------------------------------
K128 = "2B7E151628AED2A6ABF7158809CF4F3C"
K192 = K128 + "EF4359D8D580AA4F"
K256 = K192 + "7F036D6F04FC6A94"
T0, T1, T2 = "", "39383736353433323130", "3737373770717273373737"
PT10, PT36 = "0123456789", "0123456789abcdefghi"
NIST_FF1 = [
    (1, K128, T0, 10, PT10, "2433477484"),
    (2, K128, T1, 10, PT10, "6124200773"),
    (3, K128, T2, 36, PT36, "a9tv40mll9kdu509eum"),
    (4, K192, T0, 10, PT10, "2830668132"),
    (5, K192, T1, 10, PT10, "2496655549"),
    (6, K192, T2, 36, PT36, "xbj3kv35jrawxv32ysr"),
    (7, K256, T0, 10, PT10, "6657667009"),
    (8, K256, T1, 10, PT10, "1001623463"),
    (9, K256, T2, 36, PT36, "xs8a0azh2avyalyzuwd"),
]


def _digits(s: str) -> list[int]:
    return [int(c, 36) for c in s]


@pytest.mark.parametrize("sample,key,tweak,radix,pt,ct", NIST_FF1, ids=[f"sample{v[0]}" for v in NIST_FF1])
def test_nist_ff1_samples(sample, key, tweak, radix, pt, ct):
    k, t = bytes.fromhex(key), bytes.fromhex(tweak)
    assert ff1_encrypt(k, t, radix, _digits(pt)) == _digits(ct)
    assert ff1_decrypt(k, t, radix, _digits(ct)) == _digits(pt)
    # ndarray input gives the same result
    assert ff1_encrypt(k, t, radix, np.array(_digits(pt))) == _digits(ct)


def test_ff1_minlen():
    assert ff1_minlen(10) == 6
    assert ff1_minlen(2) == 20
    assert ff1_minlen(36) == 4
    assert ff1_minlen(1000) == 2
    assert ff1_minlen(1 << 16) == 2


@settings(max_examples=40, deadline=None)
@given(
    key_len=st.sampled_from([16, 24, 32]),
    radix=st.sampled_from([2, 3, 10, 26, 36, 255, 256, 1000, 1 << 16]),
    extra=st.integers(0, 12),
    tweak=st.binary(max_size=40),
    seed=st.integers(0, 2**32 - 1),
)
def test_ff1_roundtrip_general(key_len, radix, extra, tweak, seed):
    rng = np.random.default_rng(seed)
    n = ff1_minlen(radix) + extra
    key = rng.bytes(key_len)
    x = rng.integers(0, radix, n).tolist()
    y = ff1_encrypt(key, tweak, radix, x)
    assert len(y) == n and all(0 <= d < radix for d in y)
    assert ff1_decrypt(key, tweak, radix, y) == x


def test_ff1_long_output_block_path():
    # radix 2^16, 20 digits: b = 20 bytes -> d = 28 > 16, so S needs CIPH(R xor [1]^16) (step 6.iii)
    rng = np.random.default_rng(5)
    key = rng.bytes(16)
    x = rng.integers(0, 1 << 16, 20).tolist()
    y = ff1_encrypt(key, b"tw", 1 << 16, x)
    assert y != x and ff1_decrypt(key, b"tw", 1 << 16, y) == x


def test_ff1_small_domain_is_opt_in_permutation():
    key = bytes(range(16))
    with pytest.raises(ValueError, match="1,000,000"):
        ff1_encrypt(key, b"", 2, [0] * 16)
    # radix 2, 8 digits: exhaustive bijection with the check relaxed
    imgs = set()
    for v in range(256):
        x = [(v >> (7 - j)) & 1 for j in range(8)]
        y = ff1_encrypt(key, b"", 2, x, allow_small_domain=True)
        assert ff1_decrypt(key, b"", 2, y, allow_small_domain=True) == x
        imgs.add(tuple(y))
    assert len(imgs) == 256


# ------------------------------------------------------------------------------------------------
# DeceptiveCipher
# ------------------------------------------------------------------------------------------------
def _bits(v: int, w: int) -> np.ndarray:
    return np.array([(v >> (w - 1 - j)) & 1 for j in range(w)], dtype=np.uint8)


def _all_words(w: int) -> np.ndarray:
    v = np.arange(1 << w)
    return ((v[:, None] >> np.arange(w - 1, -1, -1)) & 1).astype(np.uint8)


def _as_int(bits) -> int:
    return int("".join(str(int(b)) for b in bits), 2)


@pytest.mark.parametrize("d_p,d_k", [(20, 8), (33, 16), (64, 64)])
def test_deceptive_matches_reference_ff1(d_p, d_k):
    """The vectorised radix-2 path (both the scalar and grouped code paths) equals Algorithm 7."""
    rng = np.random.default_rng(d_p)
    cip = DeceptiveCipher(d_p, d_k)
    p = rng.integers(0, 2, (12, d_p), dtype=np.uint8)
    k = rng.integers(0, 2, (12, d_k), dtype=np.uint8)
    k[6:] = k[6]  # 6 distinct-ish keys + one shared key -> grouped path
    for keys in (k[:6], k):
        m = cip.encrypt(p[: len(keys)], keys)
        for i in range(len(keys)):
            aes = cip.expand_key(_as_int(keys[i]))
            assert m[i].tolist() == ff1_encrypt(aes, b"", 2, p[i].tolist())


@pytest.mark.parametrize("d_p", [8, 12])
def test_permutation_exhaustive_all_keys_dk4(d_p):
    cip = DeceptiveCipher(d_p, 4)
    P = _all_words(d_p)
    for k in range(16):
        kb = _bits(k, 4)
        m = cip.encrypt(P, kb)
        assert m.dtype == np.uint8 and m.shape == P.shape
        assert len(np.unique(m, axis=0)) == 1 << d_p  # bijection of {0,1}^d_P
        np.testing.assert_array_equal(cip.decrypt(m, kb), P)


def test_permutation_exhaustive_sampled_keys_dk16():
    cip = DeceptiveCipher(12, 16)
    P = _all_words(12)
    rng = np.random.default_rng(16)
    for k in [0, 0xFFFF, *rng.integers(0, 1 << 16, 6).tolist()]:
        kb = _bits(int(k), 16)
        m = cip.encrypt(P, kb)
        assert len(np.unique(m, axis=0)) == 1 << 12
        np.testing.assert_array_equal(cip.decrypt(m, kb), P)


@settings(max_examples=30, deadline=None)
@given(d_p=st.integers(2, 64), d_k=st.integers(1, 64), batch=st.integers(1, 20), seed=st.integers(0, 2**32 - 1))
def test_roundtrip_and_wrong_key_property(d_p, d_k, batch, seed):
    rng = np.random.default_rng(seed)
    cip = DeceptiveCipher(d_p, d_k)
    p = rng.integers(0, 2, (batch, d_p), dtype=np.uint8)
    k = rng.integers(0, 2, (batch, d_k), dtype=np.uint8)
    m = cip.encrypt(p, k)
    assert m.shape == p.shape and m.dtype == np.uint8 and set(np.unique(m)) <= {0, 1}
    np.testing.assert_array_equal(cip.decrypt(m, k), p)
    # wrong key: flip one random key bit -> a valid plaintext (deception), usually != p
    k2 = k.copy()
    k2[np.arange(batch), rng.integers(0, d_k, batch)] ^= 1
    p2 = cip.decrypt(m, k2)
    assert p2.shape == p.shape and p2.dtype == np.uint8 and set(np.unique(p2)) <= {0, 1}
    if d_p >= 32:  # a collision has probability ~2^-d_P per frame (negligible here)
        assert (p2 != p).any(axis=1).all()
    # "for most keys" at small d_P is checked on a fixed example in the next test


def test_wrong_keys_mostly_give_other_plaintexts():
    cip = DeceptiveCipher(16, 40)
    rng = np.random.default_rng(3)
    p = rng.integers(0, 2, 16, dtype=np.uint8)
    k = rng.integers(0, 2, 40, dtype=np.uint8)
    m = cip.encrypt(p, k)
    wrong = rng.integers(0, 2, (2000, 40), dtype=np.uint8)
    p2 = cip.decrypt(m, wrong)
    assert p2.shape == (2000, 16)
    assert (p2 != p).any(axis=1).mean() > 0.99


def test_batch_shapes_broadcast():
    cip = DeceptiveCipher(16, 8)
    rng = np.random.default_rng(0)
    p = rng.integers(0, 2, (3, 4, 16), dtype=np.uint8)
    k = rng.integers(0, 2, (4, 8), dtype=np.uint8)
    m = cip.encrypt(p, k)
    assert m.shape == (3, 4, 16)
    for a in range(3):
        for b in range(4):
            np.testing.assert_array_equal(m[a, b], cip.encrypt(p[a, b], k[b]))
    np.testing.assert_array_equal(cip.decrypt(m, k), p)
    assert cip.encrypt(np.zeros((0, 16), np.uint8), np.zeros((0, 8), np.uint8)).shape == (0, 16)


@pytest.mark.parametrize("d_k", [40, 64])
def test_every_key_bit_matters(d_k):
    cip = DeceptiveCipher(16, d_k)
    rng = np.random.default_rng(7)
    p = rng.integers(0, 2, 16, dtype=np.uint8)
    k = rng.integers(0, 2, d_k, dtype=np.uint8)
    flipped = np.repeat(k[None], d_k, axis=0)
    flipped[np.arange(d_k), np.arange(d_k)] ^= 1
    m0 = cip.encrypt(p, k)
    m = cip.encrypt(p, flipped)
    # a single-bit change leaves the ciphertext unchanged with probability ~2^-16 per position
    assert (m != m0).any(axis=1).all()
    assert len({_as_int(r) for r in m}) > d_k // 2  # and the changes differ between positions


def test_key_expansion_is_deterministic_and_domain_separated():
    a, b = DeceptiveCipher(16, 40), DeceptiveCipher(16, 40)
    assert a.expand_key(12345) == b.expand_key(12345) and len(a.expand_key(0)) == 16
    assert a.expand_key(0) != DeceptiveCipher(16, 41).expand_key(0)
    assert a.expand_key(0) != DeceptiveCipher(24, 40).expand_key(0)


def test_condition4_measurement():
    """Paper condition (4) measured exhaustively (reported in the docstring / hand-off note)."""
    frac = {(d_p, d_k): condition4_fraction(d_p, d_k) for d_p, d_k in [(8, 2), (8, 4), (8, 6), (8, 8), (8, 9), (10, 4)]}
    # pigeonhole: impossible for d_K > d_P
    assert frac[(8, 9)] == 0.0
    # d_K <= d_P: close to the birthday probability of a random permutation family
    for (d_p, d_k), f in frac.items():
        if d_k <= d_p:
            birthday = math.prod(1 - j / 2**d_p for j in range(2**d_k))
            assert abs(f - birthday) < 0.12, (d_p, d_k, f, birthday)
    assert frac[(8, 8)] < 0.01 and frac[(8, 2)] > 0.9
    print("condition (4) fractions:", frac)


def test_litter():
    rng = np.random.default_rng(1)
    x = litter(rng, (1000, 40))
    assert x.shape == (1000, 40) and x.dtype == np.uint8 and set(np.unique(x)) == {0, 1}
    assert abs(x.mean() - 0.5) < 0.02
    assert litter(rng, 5).shape == (5,)
    np.testing.assert_array_equal(litter(np.random.default_rng(9), 7), litter(np.random.default_rng(9), 7))


# ------------------------------------------------------------------------------------------------
# bad inputs
# ------------------------------------------------------------------------------------------------
KEY = bytes(16)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        (dict(key=bytes(15)), ValueError, "key"),
        (dict(key="00" * 16), TypeError, "key"),
        (dict(tweak="abc"), TypeError, "tweak"),
        (dict(radix=1), ValueError, "radix"),
        (dict(radix=(1 << 16) + 1), ValueError, "radix"),
        (dict(radix=True), TypeError, "radix"),
        (dict(radix=10.0), TypeError, "radix"),
        (dict(digits=[0, 1, 2, 3, 4, 10]), ValueError, "digits"),
        (dict(digits=[0, 1, 2, 3, 4, -1]), ValueError, "digits"),
        (dict(digits=[0, 1, 2, 3, 4, 5.0]), TypeError, "digits"),
        (dict(digits=np.zeros((2, 6), int)), ValueError, "digits"),
        (dict(digits=np.zeros(6)), TypeError, "digits"),
        (dict(digits="012345"), TypeError, "digits"),
        (dict(digits=[0, 1, 2, 3, 4]), ValueError, "radix\\*\\*len >= 1,000,000"),
    ],
)
def test_ff1_bad_inputs(kwargs, exc, match):
    args = dict(key=KEY, tweak=b"", radix=10, digits=[0, 1, 2, 3, 4, 5])
    args.update(kwargs)
    for fn in (ff1_encrypt, ff1_decrypt):
        with pytest.raises(exc, match=match):
            fn(args["key"], args["tweak"], args["radix"], args["digits"])


def test_ff1_small_domain_needs_two_digits():
    with pytest.raises(ValueError, match="len\\(digits\\)"):
        ff1_encrypt(KEY, b"", 2, [1], allow_small_domain=True)


@pytest.mark.parametrize(
    "d_p,d_k,exc",
    [(1, 8, ValueError), (129, 8, ValueError), (16, 0, ValueError), (16, 65, ValueError), (16.0, 8, TypeError), (16, True, TypeError)],
)
def test_deceptive_bad_construction(d_p, d_k, exc):
    with pytest.raises(exc, match="d_p|d_k"):
        DeceptiveCipher(d_p, d_k)


def test_deceptive_bad_arrays():
    cip = DeceptiveCipher(16, 8)
    p, k = np.zeros((4, 16), np.uint8), np.zeros((4, 8), np.uint8)
    with pytest.raises(ValueError, match="p_bits"):
        cip.encrypt(np.zeros((4, 15), np.uint8), k)
    with pytest.raises(ValueError, match="k_bits"):
        cip.encrypt(p, np.zeros((4, 9), np.uint8))
    with pytest.raises(ValueError, match="m_bits"):
        cip.decrypt(np.full((4, 16), 2, np.uint8), k)
    with pytest.raises(TypeError, match="k_bits"):
        cip.encrypt(p, np.zeros((4, 8), float))
    with pytest.raises(ValueError, match="broadcast"):
        cip.encrypt(p, np.zeros((3, 8), np.uint8))
    with pytest.raises(ValueError, match="k"):
        cip.expand_key(256)


def test_litter_and_condition4_bad_inputs():
    with pytest.raises(TypeError, match="rng"):
        litter(np.random.RandomState(0), (2, 3))
    with pytest.raises(ValueError, match="shape"):
        litter(np.random.default_rng(0), (2, -1))
    with pytest.raises(ValueError, match="d_p \\+ d_k"):
        condition4_fraction(16, 16)


def test_mixed_shared_and_unique_keys_match_per_frame_encryption():
    """A batch mixing a key shared by many frames (vectorised pass) with unique keys (scalar
    path) gives, frame by frame, what encrypting each frame alone gives."""
    rng = np.random.default_rng(11)
    cip = DeceptiveCipher(16, 23)
    p = rng.integers(0, 2, (40, 16), dtype=np.uint8)
    k = rng.integers(0, 2, (40, 23), dtype=np.uint8)
    k[5:25] = k[5]                                   # 20 frames share one key
    batch = cip.encrypt(p, k)
    single = np.stack([cip.encrypt(p[i:i + 1], k[i:i + 1])[0] for i in range(40)])
    np.testing.assert_array_equal(batch, single)
    np.testing.assert_array_equal(cip.decrypt(batch, k), p)
