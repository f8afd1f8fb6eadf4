"""Tests of linksim.fec.crc (3GPP TS 38.212 §5.1 CRCs)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linksim.fec.crc import CRC, CRC_NAMES

# Generator polynomials written out from the exponent lists of TS 38.212 §5.1 (independently of
# the hex constants in the module under test).
EXPONENTS = {
    "CRC24A": [24, 23, 18, 17, 14, 11, 10, 7, 6, 5, 4, 3, 1, 0],
    "CRC24B": [24, 23, 6, 5, 1, 0],
    "CRC24C": [24, 23, 21, 20, 17, 15, 13, 12, 8, 4, 2, 1, 0],
    "CRC16": [16, 12, 5, 0],
    "CRC11": [11, 10, 9, 5, 0],
    "CRC6": [6, 5, 0],
}


def full_poly(name: str) -> int:
    """g(D) as an int including the leading D^L term."""
    return sum(1 << e for e in EXPONENTS[name])


def ref_crc_int(bits, width: int, gfull: int) -> int:
    """Independent bit-serial reference: long division of m(D) * D^L by g(D).

    Shift register, zero init, no reflection, no final XOR; bits enter MSB (a_0) first and L
    zeros are appended. Returns the remainder as an int (bit L-1 = coefficient of D^{L-1}).
    """
    reg = 0
    for b in list(int(v) for v in bits) + [0] * width:
        reg = (reg << 1) | b
        if reg >> width:
            reg ^= gfull
    return reg


def int_to_bits(value: int, width: int) -> np.ndarray:
    return np.array([(value >> (width - 1 - i)) & 1 for i in range(width)], dtype=np.uint8)


def bits_to_int(bits) -> int:
    return int("".join(str(int(b)) for b in bits), 2)


def ascii_bits(text: bytes) -> np.ndarray:
    """Bits of a byte string, MSB first per byte."""
    return np.unpackbits(np.frombuffer(text, dtype=np.uint8))


# --------------------------------------------------------------------------------------------
# Polynomials and check values
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CRC_NAMES)
def test_attributes_match_38212_polynomials(name):
    crc = CRC(name)
    assert crc.name == name
    assert crc.length == max(EXPONENTS[name])
    assert (1 << crc.length) | crc.poly == full_poly(name)
    assert crc.poly < (1 << crc.length)


# "123456789" check values. All of these parameterisations are width=L, init=0, refin=false,
# refout=false, xorout=0 -- exactly the 38.212 convention:
#   CRC24A: CRC-24/LTE-A  poly 0x864CFB  check 0xCDE703  (reveng catalogue)
#   CRC24B: CRC-24/LTE-B  poly 0x800063  check 0x23EF52  (reveng catalogue)
#   CRC24C: CRC-24/NR-C   poly 0xB2B117  check 0xF48279  (as listed by CRC libraries, e.g. CRCpp)
#   CRC16:  CRC-16/XMODEM poly 0x1021    check 0x31C3    (reveng catalogue)
#   CRC11:  CRC-11/NR     poly 0x621     check 0x5CA     (as listed by CRC libraries)
#   CRC6:   CRC-6/NR      poly 0x21      check 0x15      (as listed by CRC libraries)
# The last three are additionally recomputed here by the independent bit-serial reference.
# NB: CRC-11/UMTS (poly 0x307, check 0x061) is NOT the 38.212 CRC11 (poly 0x621).
CHECK_VALUES = {
    "CRC24A": 0xCDE703,
    "CRC24B": 0x23EF52,
    "CRC24C": 0xF48279,
    "CRC16": 0x31C3,
    "CRC11": 0x5CA,
    "CRC6": 0x15,
}


@pytest.mark.parametrize("name", CRC_NAMES)
def test_check_value_123456789(name):
    crc = CRC(name)
    msg = ascii_bits(b"123456789")
    expected = int_to_bits(CHECK_VALUES[name], crc.length)
    assert ref_crc_int(msg, crc.length, full_poly(name)) == CHECK_VALUES[name]
    np.testing.assert_array_equal(crc.parity(msg), expected)
    word = crc.encode(msg)
    assert word.dtype == np.uint8 and word.shape == (72 + crc.length,)
    np.testing.assert_array_equal(word[:72], msg)
    np.testing.assert_array_equal(word[72:], expected)
    assert crc.check(word)


def test_reference_reproduces_catalogue_values_of_other_parameterisations():
    """The reference shift register itself matches catalogue entries (init 0, no reflection,
    no xorout), including CRC-11/UMTS, which differs from the 38.212 CRC11."""
    msg = ascii_bits(b"123456789")
    assert ref_crc_int(msg, 11, (1 << 11) | 0x307) == 0x061       # CRC-11/UMTS
    assert ref_crc_int(msg, 8, (1 << 8) | 0x07) == 0xF4             # CRC-8/SMBUS
    assert ref_crc_int(msg, 32, (1 << 32) | 0xAF) == 0xBD0BE338     # CRC-32/XFER
    assert bits_to_int(CRC("CRC11").parity(msg)) != 0x061


# --------------------------------------------------------------------------------------------
# Agreement with an independent reference
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CRC_NAMES)
@pytest.mark.parametrize("k", [1, 2, 7, 8, 9, 20, 63, 64, 65, 100, 500, 1001])
def test_encode_matches_bit_serial_reference(name, k):
    crc = CRC(name)
    rng = np.random.default_rng(1000 + k)
    msgs = rng.integers(0, 2, size=(4, k), dtype=np.uint8)
    words = crc.encode(msgs)
    assert words.shape == (4, k + crc.length) and words.dtype == np.uint8
    np.testing.assert_array_equal(words[:, :k], msgs)
    for m, w in zip(msgs, words):
        assert bits_to_int(w[k:]) == ref_crc_int(m, crc.length, full_poly(name))
    assert crc.check(words).all()


@pytest.mark.parametrize("name", CRC_NAMES)
def test_generator_matrix(name):
    crc = CRC(name)
    k = 37
    g = crc.generator_matrix(k)
    assert g.shape == (k, crc.length) and g.dtype == np.uint8
    assert not g.flags.writeable
    rng = np.random.default_rng(5)
    msgs = rng.integers(0, 2, size=(10, k), dtype=np.uint8)
    np.testing.assert_array_equal((msgs.astype(np.int64) @ g) % 2, crc.parity(msgs))
    # Row i is the CRC of the unit vector e_i.
    for i in (0, 17, k - 1):
        e = np.zeros(k, np.uint8)
        e[i] = 1
        assert bits_to_int(g[i]) == ref_crc_int(e, crc.length, full_poly(name))


def test_all_zero_and_long_messages():
    crc = CRC("CRC24A")
    np.testing.assert_array_equal(crc.parity(np.zeros((2, 8448), np.uint8)), 0)
    rng = np.random.default_rng(7)
    m = rng.integers(0, 2, size=8448, dtype=np.uint8)
    assert bits_to_int(crc.parity(m)) == ref_crc_int(m, 24, full_poly("CRC24A"))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(CRC_NAMES), k=st.integers(1, 300), seed=st.integers(0, 2**32 - 1))
def test_linearity(name, k, seed):
    """Parity is linear over GF(2): p(a xor b) = p(a) xor p(b)."""
    crc = CRC(name)
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, 2, size=(2, k), dtype=np.uint8)
    np.testing.assert_array_equal(crc.parity(a ^ b), crc.parity(a) ^ crc.parity(b))


# --------------------------------------------------------------------------------------------
# Error detection
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CRC_NAMES)
@pytest.mark.parametrize("k", [1, 20, 500])
def test_every_single_bit_flip_detected(name, k):
    crc = CRC(name)
    rng = np.random.default_rng(k)
    word = crc.encode(rng.integers(0, 2, size=k, dtype=np.uint8))
    n = word.size
    corrupted = word[None, :] ^ np.eye(n, dtype=np.uint8)      # [n, n]: flip position i in row i
    assert crc.check(word)
    assert not crc.check(corrupted).any()


@pytest.mark.parametrize("name", CRC_NAMES)
def test_every_burst_up_to_L_detected(name):
    """Any error burst of length b <= L (first and last bit in error) is detected."""
    crc = CRC(name)
    L = crc.length
    k = 300
    n = k + L
    rng = np.random.default_rng(11)
    word = crc.encode(rng.integers(0, 2, size=k, dtype=np.uint8))
    errors = []
    for b in range(1, L + 1):
        starts = np.unique(np.concatenate([[0, n - b], rng.integers(0, n - b + 1, size=40)]))
        for s in starts:
            e = np.zeros(n, np.uint8)
            e[s:s + b] = rng.integers(0, 2, size=b, dtype=np.uint8)
            e[s] = e[s + b - 1] = 1
            errors.append(e)
    errors = np.array(errors)
    assert not crc.check(word[None, :] ^ errors).any()


@pytest.mark.parametrize("name", CRC_NAMES)
def test_burst_equal_to_generator_is_undetected(name):
    """The L + 1 bound is tight: an error pattern equal to a shifted g(D) passes the check."""
    crc = CRC(name)
    L, k = crc.length, 50
    word = crc.encode(np.random.default_rng(3).integers(0, 2, size=k, dtype=np.uint8))
    g_bits = int_to_bits(full_poly(name), L + 1)
    e = np.zeros(k + L, np.uint8)
    e[10:10 + L + 1] = g_bits
    assert crc.check(word ^ e)


# --------------------------------------------------------------------------------------------
# Cross-checks with galois and Sionna
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", CRC_NAMES)
def test_galois_polynomial_remainder(name):
    galois = pytest.importorskip("galois")
    GF2 = galois.GF(2)
    crc = CRC(name)
    L = crc.length
    g = galois.Poly([1 if e in EXPONENTS[name] else 0 for e in range(L, -1, -1)], field=GF2)
    rng = np.random.default_rng(21)
    for k in (5, 40, 333):
        m_bits = rng.integers(0, 2, size=k, dtype=np.uint8)
        m_bits[0] = 1
        m = galois.Poly(m_bits, field=GF2)              # a_0 is the coefficient of D^{k-1}
        r = (m * galois.Poly.Degrees([L], field=GF2)) % g
        coeffs = np.zeros(L, np.uint8)
        rc = np.asarray(r.coeffs, dtype=np.uint8)
        coeffs[L - rc.size:] = rc                       # pad to L coefficients, D^{L-1} first
        np.testing.assert_array_equal(crc.parity(m_bits), coeffs)


@pytest.mark.sionna
@pytest.mark.parametrize("name", CRC_NAMES)
def test_sionna_bit_exact(name):
    pytest.importorskip("sionna.phy")
    torch = pytest.importorskip("torch")
    from sionna.phy.fec.crc import CRCDecoder, CRCEncoder

    crc = CRC(name)
    rng = np.random.default_rng(99)
    msgs = rng.integers(0, 2, size=(64, 3, 123), dtype=np.uint8)
    enc = CRCEncoder(name, device="cpu")
    theirs = enc(torch.tensor(msgs, dtype=torch.float32)).cpu().numpy()
    np.testing.assert_array_equal(crc.encode(msgs), theirs.astype(np.uint8))
    # Their checker agrees with ours on corrupted frames too.
    words = crc.encode(msgs)
    words[::2, :, 5] ^= 1
    _, valid = CRCDecoder(enc, device="cpu")(torch.tensor(words, dtype=torch.float32))
    np.testing.assert_array_equal(crc.check(words), valid.cpu().numpy()[..., 0])


# --------------------------------------------------------------------------------------------
# Shapes, dtypes, vectorisation
# --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["CRC24A", "CRC6"])
def test_batch_shape_matches_per_row(name):
    crc = CRC(name)
    k = 45
    rng = np.random.default_rng(8)
    msgs = rng.integers(0, 2, size=(2, 3, k), dtype=np.uint8)
    words = crc.encode(msgs)
    assert words.shape == (2, 3, k + crc.length)
    par = crc.parity(msgs)
    assert par.shape == (2, 3, crc.length)
    words[1, 2, 0] ^= 1
    ok = crc.check(words)
    assert ok.shape == (2, 3) and ok.dtype == np.bool_
    for i in range(2):
        for j in range(3):
            row = crc.encode(msgs[i, j])
            np.testing.assert_array_equal(row, crc.encode(msgs[i, j][None])[0])
            np.testing.assert_array_equal(par[i, j], row[k:])
            if (i, j) == (1, 2):
                assert not crc.check(words[i, j])
            else:
                np.testing.assert_array_equal(words[i, j], row)
                assert crc.check(words[i, j])
    assert ok.sum() == 5 and not ok[1, 2]


def test_input_dtypes_and_layouts():
    crc = CRC("CRC16")
    rng = np.random.default_rng(4)
    msgs = rng.integers(0, 2, size=(5, 30), dtype=np.uint8)
    expected = crc.encode(msgs)
    for variant in (msgs.astype(bool), msgs.astype(np.int64), msgs.astype(np.float32),
                    msgs.astype(np.float64), msgs.tolist(), np.asfortranarray(msgs)):
        out = crc.encode(variant)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out, expected)
    wide = np.zeros((5, 60), np.uint8)
    wide[:, ::2] = msgs
    np.testing.assert_array_equal(crc.encode(wide[:, ::2]), expected)   # non-contiguous
    np.testing.assert_array_equal(crc.check(expected.astype(np.float32)), True)


def test_empty_batch_and_scalar_check_result():
    crc = CRC("CRC24B")
    assert crc.encode(np.zeros((0, 10), np.uint8)).shape == (0, 34)
    assert crc.check(np.zeros((0, 3, 34), np.uint8)).shape == (0, 3)
    r = crc.check(crc.encode(np.ones(10, np.uint8)))
    assert isinstance(r, np.bool_) and r


def test_name_is_case_insensitive_and_equality():
    assert CRC("crc24a") == CRC("CRC24A")
    assert CRC("crc24a").name == "CRC24A"
    assert CRC("CRC24A") != CRC("CRC24B")
    assert repr(CRC("CRC6")) == "CRC('CRC6')"


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------

def test_unknown_name():
    with pytest.raises(ValueError, match=r"name.*CRC32.*CRC24A.*CRC24B.*CRC24C.*CRC16.*CRC11.*CRC6"):
        CRC("CRC32")
    with pytest.raises(TypeError, match="name"):
        CRC(24)


@pytest.mark.parametrize("bad, exc, pattern", [
    (np.array([0, 2, 1], np.uint8), ValueError, r"bits.*value 2 at index \(1,\).*\{0, 1\}"),
    (np.array([[0, 1], [1, 3]], np.uint8), ValueError, r"bits.*value 3 at index \(1, 1\)"),
    (np.array([0, 1, -1]), ValueError, r"bits.*-1.*\{0, 1\}"),
    (np.array([0.0, 0.5, 1.0]), ValueError, r"bits.*0\.5.*\{0, 1\}"),
    (np.array([0.0, np.nan]), ValueError, r"bits.*nan"),
    (np.array([0, 1], dtype=complex), TypeError, r"bits.*complex"),
    (np.array(["0", "1"]), TypeError, r"bits.*dtype"),
    (np.array([0, 1], dtype=object), TypeError, r"bits.*dtype"),
    (np.uint8(1), ValueError, r"bits.*0-d"),
    (np.zeros((3, 0), np.uint8), ValueError, r"bits.*k = 0.*k >= 1"),
])
def test_bad_bits_encode(bad, exc, pattern):
    crc = CRC("CRC24A")
    with pytest.raises(exc, match=pattern):
        crc.encode(bad)
    with pytest.raises(exc, match=r"bits"):
        crc.parity(bad)


def test_bad_bits_check():
    crc = CRC("CRC11")
    with pytest.raises(ValueError, match=r"bits.*11.*at least L \+ 1 = 12"):
        crc.check(np.zeros(11, np.uint8))
    with pytest.raises(ValueError, match=r"bits.*at least"):
        crc.check(np.zeros((4, 0), np.uint8))
    word = crc.encode(np.zeros((2, 20), np.uint8))
    word[1, -1] = 7                                     # bad value in the parity part
    with pytest.raises(ValueError, match=r"bits.*value 7 at index \(1, 30\)"):
        crc.check(word)
    with pytest.raises(ValueError, match=r"bits"):
        crc.check(np.full(40, 0.25))


def test_bad_k_generator_matrix():
    crc = CRC("CRC6")
    with pytest.raises(ValueError, match=r"k.*0.*>= 1"):
        crc.generator_matrix(0)
    with pytest.raises(TypeError, match=r"k.*1\.5"):
        crc.generator_matrix(1.5)
    with pytest.raises(TypeError, match=r"k"):
        crc.generator_matrix(True)
