"""Tests of linksim.fec.bch: binary narrow-sense BCH codes (primitive and shortened), systematic
encoding and bounded-distance decoding, checked against galois (generator divisibility with
galois.Poly, galois's encoder and decoder) and against the defining properties of a
bounded-distance decoder.

galois builds each field GF(2^m) in a few seconds the first time, so the tests stick to m = 5, 6, 7
and share code objects through ``linksim.fec.bch``'s cache.
"""

from __future__ import annotations

import itertools

import galois
import numpy as np
import pytest

from linksim.fec.bch import BCH, bch_dimensions


def _add_errors(rng, c, weights):
    """Flip ``weights[b]`` distinct random positions of row b of c (uint8 [B, n])."""
    r = c.copy()
    n = c.shape[1]
    order = np.argsort(rng.random(c.shape), axis=1)
    mask = np.arange(n)[None, :] < np.asarray(weights)[:, None]
    flips = np.zeros_like(mask)
    np.put_along_axis(flips, order, mask, axis=1)
    r ^= flips.astype(np.uint8)
    return r


def _is_codeword(code, c):
    """Every row of c (uint8 [B, n]) is a codeword: its parity is the encoder's for its message."""
    return np.all(code.encode(c[:, : code.k]) == c, axis=1)


# ---------------------------------------------------------------------------- construction
def test_dimensions_table_matches_known_codes():
    assert bch_dimensions(4) == {11: 1, 7: 2, 5: 3, 1: 7}
    assert bch_dimensions(5) == {26: 1, 21: 2, 16: 3, 11: 5, 6: 7, 1: 15}
    d6 = bch_dimensions(6)
    assert d6[57] == 1 and d6[51] == 2 and d6[45] == 3 and d6[39] == 4 and d6[30] == 6


@pytest.mark.parametrize("n,k,t,s", [(63, 45, 3, 0), (63, 30, 6, 0), (127, 64, 10, 0),
                                     (31, 16, 3, 0), (48, 30, 3, 15), (31, 21, 2, 0)])
def test_attributes(n, k, t, s):
    code = BCH(n, k)
    assert (code.n, code.k, code.t, code.s) == (n, k, t, s)
    assert code.t == bch_dimensions(code.m)[code.k_mother]
    assert code.generator_poly.dtype == np.uint8 and code.generator_poly.size == n - k + 1
    assert code.generator_poly[0] == 1 and code.generator_poly[-1] == 1
    assert code.parity_matrix.shape == (k, n - k)
    # narrow sense: g(alpha^j) = 0 for j = 1..2t, in galois's field
    gf = code._galois.extension_field      # galois's representation of GF(2^m)
    g = galois.Poly(code.generator_poly.astype(int), field=gf)
    alpha = gf(int(code.exp_table[1]))
    assert np.all(g(alpha ** np.arange(1, 2 * t + 1)) == 0)


def test_shortening_with_explicit_m():
    code = BCH(60, 39, m=7)          # (127, 106) shortened by 67
    assert (code.n_mother, code.k_mother, code.s, code.t) == (127, 106, 67, 3)
    with pytest.raises(ValueError, match="k: got 39 for n=60"):
        BCH(60, 39)                  # m = 6 by default, and 42 is no BCH dimension of length 63


# ---------------------------------------------------------------------------- encoding
@pytest.mark.parametrize("n,k", [(63, 45), (63, 30), (127, 64), (31, 16), (48, 30)])
def test_encode_matches_galois_and_divisible(n, k):
    rng = np.random.default_rng(n * 1000 + k)
    code = BCH(n, k)
    u = rng.integers(0, 2, (200, k), dtype=np.uint8)
    c = code.encode(u)
    assert c.dtype == np.uint8 and c.shape == (200, n)
    assert np.array_equal(c[:, :k], u)
    assert np.array_equal(c, code.encode_reference(u))
    g = galois.Poly(code.generator_poly.astype(int))
    for row in c[:20]:
        assert galois.Poly(row.astype(int)) % g == galois.Poly.Zero()


def test_encode_batch_shapes():
    code = BCH(31, 16)
    rng = np.random.default_rng(1)
    u = rng.integers(0, 2, (3, 4, 16), dtype=np.uint8)
    c = code.encode(u)
    assert c.shape == (3, 4, 31)
    assert np.array_equal(c[1, 2], code.encode(u[1, 2]))
    assert code.encode(np.zeros((0, 16), np.uint8)).shape == (0, 31)
    assert code.encode(u.astype(bool)).dtype == np.uint8
    u_hat, ok = code.decode(c)
    assert u_hat.shape == (3, 4, 16) and ok.shape == (3, 4) and ok.dtype == bool
    u1, ok1 = code.decode(c[0, 0])
    assert u1.shape == (16,) and ok1.shape == () and bool(ok1)
    u0, ok0 = code.decode(np.zeros((0, 31), np.uint8))
    assert u0.shape == (0, 16) and ok0.shape == (0,)


# ---------------------------------------------------------------------------- decoding
@pytest.mark.parametrize("n,k", [(31, 21), (31, 16)])
def test_exhaustive_single_and_double_errors(n, k):
    code = BCH(n, k)
    rng = np.random.default_rng(7)
    u = rng.integers(0, 2, k, dtype=np.uint8)
    c = code.encode(u)
    pats = [(i,) for i in range(n)] + list(itertools.combinations(range(n), 2))
    r = np.repeat(c[None], len(pats), axis=0)
    for row, p in enumerate(pats):
        r[row, list(p)] ^= 1
    u_hat, ok = code.decode(r)
    assert ok.all()
    assert np.array_equal(u_hat, np.broadcast_to(u, u_hat.shape))


@pytest.mark.parametrize("n,k", [(63, 45), (63, 30), (127, 64), (48, 30), (31, 16)])
def test_random_errors_up_to_t_are_corrected(n, k):
    code = BCH(n, k)
    rng = np.random.default_rng(n + 3 * k)
    b = 3000
    u = rng.integers(0, 2, (b, k), dtype=np.uint8)
    c = code.encode(u)
    w = rng.integers(0, code.t + 1, b)
    r = _add_errors(rng, c, w)
    c_hat, ok = code.decode_codeword(r)
    assert ok.all()
    assert np.array_equal(c_hat, c)
    u_hat, _ = code.decode(r)
    assert np.array_equal(u_hat, u)


@pytest.mark.parametrize("n,k", [(63, 45), (31, 21), (48, 30), (127, 64)])
def test_beyond_t_fails_or_lands_within_t(n, k):
    code = BCH(n, k)
    rng = np.random.default_rng(11 * n + k)
    b = 4000
    u = rng.integers(0, 2, (b, k), dtype=np.uint8)
    c = code.encode(u)
    w = rng.integers(code.t + 1, code.t + 4, b)
    r = _add_errors(rng, c, w)
    c_hat, ok = code.decode_codeword(r)
    # failures leave the word as received
    assert np.array_equal(c_hat[~ok], r[~ok])
    # a success is a codeword within distance t of what was received (possibly a miscorrection)
    assert _is_codeword(code, c_hat[ok]).all()
    assert (np.sum(c_hat[ok] != r[ok], axis=1) <= code.t).all()
    # a t+1 pattern cannot land back on the sent codeword
    assert not np.any(np.all(c_hat == c, axis=1) & ok)
    assert (~ok).any()


def test_shortened_root_in_implicit_zeros_is_failure():
    """A word one flip (in the implicit zero prefix) from a mother codeword must be a failure."""
    code = BCH(48, 30)                       # (63, 45) shortened by 15
    mother = BCH(63, 45)
    rng = np.random.default_rng(5)
    b = 300
    um = rng.integers(0, 2, (b, 45), dtype=np.uint8)
    um[:, :15] = 0
    um[np.arange(b), rng.integers(0, 15, b)] = 1          # exactly one 1 in the prefix
    x = mother.encode(um)
    r = _add_errors(rng, x[:, 15:], rng.integers(0, code.t, b))   # distance <= t from x
    c_hat, ok = code.decode_codeword(r)
    assert not ok.any()
    assert np.array_equal(c_hat, r)
    _, ok_ref = code.decode_reference(r)
    assert not ok_ref.any()


@pytest.mark.parametrize("n,k", [(63, 45), (48, 30), (63, 30)])  # one field: galois JITs per field
def test_agrees_with_galois_decoder(n, k):
    """Same flags and same messages as galois.BCH.decode on 600 words with 0..t+2 errors.

    galois reports a failure as -1 corrected errors and returns the received message bits,
    which decode() does too, so outputs are compared on every word.
    """
    code = BCH(n, k)
    rng = np.random.default_rng(100 + n + k)
    b = 600
    u = rng.integers(0, 2, (b, k), dtype=np.uint8)
    r = _add_errors(rng, code.encode(u), rng.integers(0, code.t + 3, b))
    u_hat, ok = code.decode(r)
    u_ref, ok_ref = code.decode_reference(r)
    assert np.array_equal(ok, ok_ref)
    assert np.array_equal(u_hat, u_ref)
    assert ok.any() and (~ok).any()


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("n,k,exc,words", [
    (1024, 512, ValueError, "n: got 1024"),
    (1, 1, ValueError, "n: got 1"),
    (63.0, 45, TypeError, "n: got 63.0"),
    (True, 1, TypeError, "n: got True"),
    (63, 44, ValueError, "k: got 44"),
    (63, 63, ValueError, "k: got 63"),
    (63, 0, ValueError, "k: got 0"),
    (48, 31, ValueError, "k: got 31"),
    (63, "45", TypeError, "k: got '45'"),
])
def test_bad_parameters(n, k, exc, words):
    with pytest.raises(exc, match=words):
        BCH(n, k)


def test_bad_k_lists_allowed():
    with pytest.raises(ValueError, match=r"allowed: one of \[.*30.*\]"):
        BCH(48, 29)


def test_bad_m():
    with pytest.raises(ValueError, match="m: got 5 for n=48"):
        BCH(48, 30, m=5)
    with pytest.raises(ValueError, match="m: got 11"):
        BCH(48, 30, m=11)


@pytest.mark.parametrize("method", ["encode", "decode", "decode_codeword", "decode_reference"])
def test_bad_arrays(method):
    code = BCH(31, 16)
    length = 16 if method == "encode" else 31
    name = "u" if method == "encode" else "r"
    f = getattr(code, method)
    with pytest.raises(ValueError, match=f"{name}: got shape"):
        f(np.zeros((4, length + 1), np.uint8))
    with pytest.raises(ValueError, match=f"{name}: got shape"):
        f(np.uint8(1))
    with pytest.raises(TypeError, match=f"{name}: got dtype float64"):
        f(np.zeros((4, length)))
    bad = np.zeros((4, length), np.int64)
    bad[2, 3] = 2
    with pytest.raises(ValueError, match=f"{name}: values outside"):
        f(bad)
    bad[2, 3] = -1
    with pytest.raises(ValueError, match=f"{name}: values outside"):
        f(bad)
