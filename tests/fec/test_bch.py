"""Tests of linksim.fec.bch: binary narrow-sense BCH codes (primitive and shortened), systematic
encoding and bounded-distance decoding, checked against galois (the reference: primitive
polynomials, minimal polynomials, generator polynomials, t, d, galois's encoder and decoder) and
against the defining properties of a bounded-distance decoder.

linksim builds its codes without galois; galois builds each field GF(2^m) in seconds the first
time and each ``galois.BCH`` in ~20 ms per root of g(x), so the default tests stick to m <= 7 and
share galois code objects through ``linksim.fec.bch._galois_code``; the sweeps over m = 8..10 are
marked slow.
"""

from __future__ import annotations

import functools
import itertools
import subprocess
import sys

import galois
import numpy as np
import pytest

from linksim.fec import bch as bch_mod
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
    # narrow sense: g(alpha^j) = 0 for j = 1..2t (Horner in GF(2^m) with the code's tables, which
    # test_field_and_minimal_polys_match_galois checks against galois's field), and not j = 2t+1
    exp_t, log_t, q1 = code.exp_table, code.log_table, code.n_mother
    for j in range(1, 2 * t + 2):
        acc = 0
        for coef in code.generator_poly:
            acc = (int(exp_t[(int(log_t[acc]) + j) % q1]) if acc else 0) ^ int(coef)
        assert (acc == 0) == (j <= 2 * t), j


# ---------------------------------------------------------------------------- against galois
def test_primitive_polys_are_galois_bch_defaults():
    """The table is galois.BCH's default (matlab_primitive_poly), and x is primitive for each."""
    assert sorted(bch_mod._PRIMITIVE_POLYS) == list(range(3, 17))
    for m, poly in bch_mod._PRIMITIVE_POLYS.items():
        assert poly == int(galois.matlab_primitive_poly(2, m)), m
        exp_t, log_t = bch_mod._gf_tables(m)       # raises unless x has order 2^m - 1
        q1 = (1 << m) - 1
        assert exp_t.dtype == np.int32 and exp_t.shape == (2 * q1,)
        assert log_t.dtype == np.int32 and log_t.shape == (q1 + 1,)
        assert exp_t[0] == 1 and exp_t[1] == 2 and np.array_equal(exp_t[:q1], exp_t[q1:])
        assert np.array_equal(log_t[exp_t[:q1]], np.arange(q1))
        assert not exp_t.flags.writeable and not log_t.flags.writeable


@pytest.mark.parametrize("m", [4, 5, 6, 7])
def test_field_and_minimal_polys_match_galois(m):
    """GF(2^m) tables and the minimal polynomial of every alpha^j equal galois's."""
    n = (1 << m) - 1
    ref = bch_mod._galois_code(n, max(bch_dimensions(m)))     # t = 1: the cheapest galois code
    gf = ref.extension_field
    assert int(gf.irreducible_poly) == bch_mod._PRIMITIVE_POLYS[m]
    assert int(ref.alpha) == 2
    code = BCH(n, max(bch_dimensions(m)))
    assert np.array_equal(code.exp_table[:n], np.asarray(ref.alpha ** np.arange(n)))
    reps = sorted({min(bch_mod._cyclotomic_coset(j, n)) for j in range(1, n)})
    for j in reps:
        assert bch_mod._minimal_poly(m, j) == int((ref.alpha ** j).minimal_poly()), j


def _assert_matches_galois(n, k, ref, rng):
    """BCH(n, k) has galois's t, d, generator polynomial, field, and encodings."""
    code = BCH(n, k)
    assert (code.t, code.d) == (ref.t, ref.d)
    assert code.d == 2 * code.t + 1
    assert np.array_equal(code.generator_poly, np.asarray(ref.generator_poly.coeffs, np.uint8))
    assert int(ref.extension_field.irreducible_poly) == bch_mod._PRIMITIVE_POLYS[code.m]
    assert int(ref.alpha) == int(code.exp_table[1])
    u = rng.integers(0, 2, (40, k), dtype=np.uint8)
    u[0], u[1] = 0, 1
    assert np.array_equal(code.encode(u), np.asarray(ref.encode(galois.GF2(u)), np.uint8))


@functools.lru_cache(maxsize=None)
def _galois_by_d(n: int, d: int):
    """galois.BCH(n, d=d) (one generator polynomial, no search over d: cheaper than by k)."""
    return galois.BCH(n, d=d)


def _check_sweep_by_design_distance(n, ks):
    """galois.BCH(n, d=2t+1) has dimension k, and d = 2t+2 a smaller one: t is the largest
    design with dimension k, galois's definition for galois.BCH(n, k)."""
    rng = np.random.default_rng(n)
    dims = bch_dimensions(n.bit_length())
    for k in ks:
        t = dims[k]
        ref = _galois_by_d(n, 2 * t + 1)
        assert ref.k == k, (n, k)
        _assert_matches_galois(n, k, ref, rng)
        if 2 * t + 2 <= n:          # k = 1 (repetition code) has no larger design
            try:
                k_next = _galois_by_d(n, 2 * t + 2).k
            except (ValueError, IndexError):   # galois fails on the k = 0 code
                k_next = 0
            assert k_next < k, (n, k)


@pytest.mark.parametrize("n", [15, 31])
def test_all_dimensions_match_galois_bch_n_k(n):
    """Every BCH dimension of length 15 and 31 through galois.BCH(n, k) itself."""
    rng = np.random.default_rng(n)
    for k in sorted(bch_dimensions(n.bit_length())):
        _assert_matches_galois(n, k, bch_mod._galois_code(n, k), rng)


def test_non_dimensions_rejected_like_galois():
    dims = bch_dimensions(4)
    for k in range(1, 15):
        if k in dims:
            continue
        with pytest.raises(ValueError):
            galois.BCH(15, k)
        with pytest.raises(ValueError, match=f"k: got {k} for n=15"):
            BCH(15, k)


@pytest.mark.parametrize("n", [63, 127])
def test_all_dimensions_match_galois(n):
    _check_sweep_by_design_distance(n, sorted(bch_dimensions(n.bit_length())))


@pytest.mark.slow
def test_all_dimensions_match_galois_255():
    _check_sweep_by_design_distance(255, sorted(bch_dimensions(8)))


@pytest.mark.slow
@pytest.mark.parametrize("n", [511, 1023])
def test_some_dimensions_match_galois_long(n):
    ks = sorted(bch_dimensions(n.bit_length()))
    picks = sorted({ks[-1], ks[-2], ks[-3], ks[-6], ks[-12]})     # t = 1, 2, 3, 6, 12-ish
    rng = np.random.default_rng(n)
    for k in picks[-2:]:                                         # galois's own search by k
        _assert_matches_galois(n, k, bch_mod._galois_code(n, k), rng)
    _check_sweep_by_design_distance(n, picks)


def test_construction_is_cached_and_instances_independent():
    a, b = BCH(127, 36), BCH(127, 36)
    assert bch_mod._mother_code.cache_info().currsize >= 1
    assert a.generator_poly is not b.generator_poly
    a.generator_poly[1] ^= 1
    a.exp_table[0] = 7
    assert np.array_equal(b.generator_poly, BCH(127, 36).generator_poly)
    assert BCH(127, 36).exp_table[0] == 1


def test_no_galois_at_runtime():
    """Building, encoding and decoding codes, and a PLD link with BCH + CRC24A, import no galois."""
    code = """
import sys
import numpy as np
from linksim.fec.bch import BCH
from linksim.systems.pld.link import PLDLink
c = BCH(127, 36)
u = np.zeros((3, 36), np.uint8)
c.decode(c.encode(u))
BCH(1000, 10 + 23)
link = PLDLink(p_m=1.5111, p_total=2.0, d_k=23, z_eve_db=-5.0, code_m="bch", code_k="bch",
               crc_k="CRC24A")
assert link.code_k.bch.k == 47, link.code_k
assert "galois" not in sys.modules, sorted(m for m in sys.modules if "galois" in m)
"""
    subprocess.run([sys.executable, "-c", code], check=True)


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
    with pytest.raises(ValueError, match=r"allowed: one of \[.*30.*\] \(nearest: 24, 30\)$"):
        BCH(48, 29)
    with pytest.raises(ValueError, match=r"\(nearest: 1, 4\)$"):
        BCH(7, 2)


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
