"""Binary narrow-sense primitive BCH codes, optionally shortened, with bounded-distance decoding.

``BCH(n, k)`` is the binary BCH code whose generator polynomial g(x) has the roots
alpha, alpha^2, ..., alpha^(2t) (narrow sense) in GF(2^m), alpha a primitive element. The codes
are built here with integers and small numpy tables, no finite-field library at run time
(galois is the reference the tests check every construction against; importing it and compiling
its field costs seconds to tens of seconds per process).

Construction (Lin & Costello, *Error Control Coding*, 2nd ed., sec. 2.5-2.7 and ch. 6.1;
MacWilliams & Sloane ch. 7)
---------------------------------------------------------------------------------------------
1. GF(2^m) = GF(2)[x] / p(x) for the primitive polynomial p(x) of :data:`_PRIMITIVE_POLYS`,
   alpha = x (the integer 2), so that ``exp_table[i]`` = alpha^i as an m-bit integer
   (bit j = coefficient of x^j) and ``log_table`` its inverse. p(x) is the one ``galois.BCH``
   uses by default (``galois.matlab_primitive_poly(2, m)``: Matlab's ``gfprimdf``, Lin &
   Costello Table 2.7), so the field, g(x) and every codeword are bit-identical to galois's.
2. The cyclotomic coset of j modulo N = 2^m - 1 is {j 2^i mod N}; the conjugates
   alpha^(j 2^i) are the roots of the minimal polynomial phi_j(x) = prod (x + alpha^c) over the
   coset, a binary polynomial of degree |coset|.
3. g(x) = LCM(phi_1, ..., phi_2t) = the product of the distinct minimal polynomials of
   alpha^1..alpha^(2t) (even exponents lie in the coset of an odd one), of degree N - K.
4. For a dimension K the designed t is the largest t whose g(x) has degree N - K (galois's
   definition: the largest design distance d = 2t + 1 giving that K); :func:`bch_dimensions`
   lists them. Other K are rejected.

Constructed codes are cached per process (``functools.lru_cache`` on the mother code and on the
parity matrix), so building a code again, e.g. in each PLD link of a sweep, is a dict look-up.

Lengths
-------
* Primitive codes: n = 2^m - 1, m = 3..10, and k one of the BCH dimensions of that length
  (n - deg g for a designed distance 2t + 1); :func:`bch_dimensions` lists them.
* Shortened codes: any other n <= 1023. The mother code is the primitive code of length
  N = 2^m - 1 for the smallest m >= 3 with N >= n (or the ``m`` given), shortened by
  s = N - n: its first s (systematic, message) positions are fixed to zero and not sent, so
  (n, k) = (N - s, K - s) for a BCH dimension K of length N. Example: (48, 30) is (63, 45)
  shortened by 15.

Bit order (the same as galois): a codeword ``c[0..n-1]`` is the polynomial
c(x) = c[0] x^(n-1) + ... + c[n-1]; encoding is systematic with the message first,
``c[:k] = u``, and the parity ``c[k:]`` is the coefficients of u(x) x^(n-k) mod g(x).

Decoding is hard-decision bounded-distance decoding in one Numba kernel over the batch:
syndromes S_1..S_2t = r(alpha^j) (odd j computed, even ones squared), Berlekamp-Massey for the
error locator Lambda(x) of length L, and a Chien search over the n sent positions. The word is
declared a decoding failure (``ok=False``, an erasure at the receiver; the received message
bits are returned as they are) when L > t or when Lambda(x) does not have exactly L roots
among the sent positions; roots landing in the shortened (implicit zero) positions thus mean
failure. Otherwise the L positions are flipped. With at most t errors the transmitted word is
always recovered; with more, the decoder either fails or lands on the unique codeword within
distance t of the received word (a miscorrection, which bounded-distance decoding allows).
The kernel is compiled with ``cache=True``: the first decode in a process loads it from
Numba's on-disk cache (``__pycache__``) instead of compiling it; only the first process after a
change of this file (or with an empty cache) compiles it, once (~10-25 s on 2 busy cores).
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numba as nb
import numpy as np

from linksim.checks import check_int

__all__ = ["BCH", "bch_dimensions", "M_MIN", "M_MAX"]

M_MIN = 3     # smallest field degree: n = 7
M_MAX = 10    # largest field degree: n = 1023

#: Primitive polynomials p(x) over GF(2) of degree m = 3..16, as integers (bit j = coefficient
#: of x^j). They are galois's defaults for ``galois.BCH`` (``galois.matlab_primitive_poly(2, m)``,
#: galois 0.4.x), i.e. Matlab's ``gfprimdf(m)``, which galois cites as Lin & Costello, *Error
#: Control Coding*, 2nd ed., Table 2.7: the lexicographically first primitive polynomial with
#: the fewest terms, except for m = 7, 14, 16. Note that they are NOT the Conway polynomials galois uses for
#: ``galois.GF(2**m)`` (those differ for m = 6, 7, 10, 12, 14, 15, 16). tests/fec/test_bch.py checks
#: every entry against galois and checks that x has order 2^m - 1. Codes use m <= M_MAX; the
#: larger entries are kept so that raising M_MAX needs no new table.
_PRIMITIVE_POLYS = {
    3: 0x0000B,    # x^3 + x + 1
    4: 0x00013,    # x^4 + x + 1
    5: 0x00025,    # x^5 + x^2 + 1
    6: 0x00043,    # x^6 + x + 1
    7: 0x00089,    # x^7 + x^3 + 1
    8: 0x0011D,    # x^8 + x^4 + x^3 + x^2 + 1
    9: 0x00211,    # x^9 + x^4 + 1
    10: 0x00409,   # x^10 + x^3 + 1
    11: 0x00805,   # x^11 + x^2 + 1
    12: 0x01053,   # x^12 + x^6 + x^4 + x + 1
    13: 0x0201B,   # x^13 + x^4 + x^3 + x + 1
    14: 0x04443,   # x^14 + x^10 + x^6 + x + 1
    15: 0x08003,   # x^15 + x + 1
    16: 0x1100B,   # x^16 + x^12 + x^3 + x + 1
}


# ---------------------------------------------------------------------------- GF(2^m), cosets
@functools.lru_cache(maxsize=None)
def _gf_tables(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Exponential and logarithm tables of GF(2^m) = GF(2)[x] / p(x), alpha = x.

    Returns ``(exp_table, log_table)``, read-only: exp_table int32 [2 (2^m - 1)] with
    exp_table[i] = alpha^(i mod (2^m - 1)) (doubled so that a sum of two logs indexes it
    directly), log_table int32 [2^m] with log_table[alpha^i] = i (entry 0 unused, 0).
    Raises RuntimeError if x is not primitive (order != 2^m - 1), which the table excludes.
    """
    m = check_int("m", m, min(_PRIMITIVE_POLYS), max(_PRIMITIVE_POLYS))
    poly = _PRIMITIVE_POLYS[m]
    q1 = (1 << m) - 1
    exp_l = [0] * q1
    x = 1
    for i in range(q1):
        exp_l[i] = x
        x <<= 1                    # times alpha = x
        if x >> m:
            x ^= poly              # reduce by p(x)
    exp_t = np.array(exp_l + exp_l, np.int32)
    log_t = np.zeros(q1 + 1, np.int32)
    log_t[exp_t[:q1]] = np.arange(q1, dtype=np.int32)
    if x != 1 or np.unique(exp_t[:q1]).size != q1:   # pragma: no cover - guards the table
        raise RuntimeError(f"x is not primitive modulo {poly:#x} (m = {m})")
    exp_t.flags.writeable = False
    log_t.flags.writeable = False
    return exp_t, log_t


def _cyclotomic_coset(j: int, q1: int) -> list[int]:
    """The cyclotomic coset {j 2^i mod q1} of 2 modulo q1 = 2^m - 1, in generation order."""
    coset = [j % q1]
    c = (2 * j) % q1
    while c != coset[0]:
        coset.append(c)
        c = (2 * c) % q1
    return coset


@functools.lru_cache(maxsize=None)
def _minimal_poly(m: int, j: int) -> int:
    """Minimal polynomial over GF(2) of alpha^j in GF(2^m), as an integer (bit i = coeff of x^i).

    phi_j(x) = prod over the cyclotomic coset C of j of (x + alpha^c); it is computed in
    GF(2^m) with the log/exp tables and its coefficients are checked to lie in GF(2).
    """
    exp_t, log_t = _gf_tables(m)
    q1 = (1 << m) - 1
    coef = [1]                                   # ascending coefficients, in GF(2^m)
    for c in _cyclotomic_coset(j, q1):
        new = [0] * (len(coef) + 1)              # coef(x) (x + alpha^c)
        for i, a in enumerate(coef):
            new[i + 1] ^= a
            if a:
                new[i] ^= int(exp_t[int(log_t[a]) + c])
        coef = new
    if any(a > 1 for a in coef):                 # pragma: no cover - a coset is closed
        raise RuntimeError(f"minimal polynomial of alpha^{j} in GF(2^{m}) is not binary")
    return sum(a << i for i, a in enumerate(coef))


def _clmul(a: int, b: int) -> int:
    """Product of two GF(2)[x] polynomials given as integers (carry-less multiplication)."""
    out = 0
    while b:
        if b & 1:
            out ^= a
        a <<= 1
        b >>= 1
    return out


@functools.lru_cache(maxsize=None)
def bch_dimensions(m: int) -> dict[int, int]:
    """BCH dimensions of the primitive narrow-sense code of length 2^m - 1 (Lin & Costello ch. 6.1).

    Computed from the cyclotomic cosets of 2 modulo n = 2^m - 1 (deg phi_j = |coset of j|;
    module docstring, construction steps 2-4); no field arithmetic is needed. Cached.

    Parameters
    ----------
    m : int
        Field degree, in [3, 10] (``M_MIN`` .. ``M_MAX``).

    Returns
    -------
    dims : dict[int, int]
        ``{k: t}``: for each achievable dimension k (1 <= k < n) the largest designed
        error-correcting capability t whose generator polynomial (the product of the minimal
        polynomials of alpha^1..alpha^(2t)) has degree n - k.
    """
    m = check_int("m", m, M_MIN, M_MAX)
    n = (1 << m) - 1
    covered = np.zeros(n, bool)
    dims: dict[int, int] = {}
    for t in range(1, n // 2 + 1):
        j = 2 * t - 1                     # even exponents sit in the coset of a smaller one
        while not covered[j]:
            covered[j] = True
            j = (2 * j) % n
        k = n - int(covered.sum())
        if k < 1:
            break
        dims[k] = t                       # later (larger) t with the same k overwrites
    return dims


class _MotherCode(NamedTuple):
    t: int
    generator_poly: np.ndarray     # uint8 [N - K + 1], descending degree, read-only


@functools.lru_cache(maxsize=None)
def _mother_code(m: int, k_mother: int) -> _MotherCode:
    """Designed t and generator polynomial of the primitive narrow-sense BCH(2^m - 1, k_mother).

    g(x) = LCM of the minimal polynomials of alpha^1..alpha^(2t) = the product of the distinct
    ones (one per cyclotomic coset met by an odd exponent 1, 3, ..., 2t - 1), t the largest
    designed capability with deg g = N - k_mother (:func:`bch_dimensions`; k_mother must be
    one of its keys).
    """
    n_mother = (1 << m) - 1
    t = bch_dimensions(m)[k_mother]
    seen: set[int] = set()
    g = 1
    for j in range(1, 2 * t, 2):
        rep = min(_cyclotomic_coset(j, n_mother))
        if rep not in seen:
            seen.add(rep)
            g = _clmul(g, _minimal_poly(m, rep))
    r = n_mother - k_mother
    if g.bit_length() != r + 1:                     # pragma: no cover - guards bch_dimensions
        raise RuntimeError(f"generator degree {g.bit_length() - 1} differs from n - k = {r}")
    coeffs = np.array([(g >> i) & 1 for i in range(r, -1, -1)], np.uint8)
    coeffs.flags.writeable = False
    return _MotherCode(t, coeffs)


@functools.lru_cache(maxsize=256)
def _parity_matrix(n: int, k: int, m: int) -> np.ndarray:
    """Parity matrix uint8 [k, n - k] (read-only) of BCH(n, k) over GF(2^m): row i holds the
    parity bits (codeword order) of x^(n-1-i) mod g(x), the unit message e_i."""
    g_desc = _mother_code(m, k + (1 << m) - 1 - n).generator_poly
    r = n - k
    g_low = 0                                          # g(x) - x^r as an integer
    for i, bit in enumerate(g_desc[::-1][:r]):
        g_low |= int(bit) << i
    top = 1 << (r - 1)
    nbytes = (r + 7) // 8
    buf = bytearray(k * nbytes)                        # row i: x^(n-1-i) mod g(x), big-endian
    a = 1                                              # x^deg mod g(x), deg = 0
    for deg in range(1, n):
        msb = a & top
        a = (a << 1) & ((top << 1) - 1)
        if msb:
            a ^= g_low
        if deg >= r:                     # codeword position n - 1 - deg is a message bit
            i = n - 1 - deg
            buf[i * nbytes:(i + 1) * nbytes] = a.to_bytes(nbytes, "big")
    bits = np.unpackbits(np.frombuffer(bytes(buf), np.uint8).reshape(k, nbytes), axis=1)
    rows = np.ascontiguousarray(bits[:, 8 * nbytes - r:])    # coefficients x^(r-1) .. x^0
    rows.flags.writeable = False
    return rows


@functools.lru_cache(maxsize=None)
def _galois_code(n: int, k: int):
    """``galois.BCH(n, k)``: the reference, used only by :meth:`BCH.encode_reference` and
    :meth:`BCH.decode_reference` (tests, benchmarks); never on the construction/encoding/
    decoding path."""
    import galois  # imported lazily: the reference only

    return galois.BCH(n, k)


class BCH:
    """A binary narrow-sense BCH code, primitive or shortened (Lin & Costello ch. 6).

    A :class:`linksim.fec.code.Code`: :meth:`encode` and :meth:`decode_llr` (soft input, hard
    decision, then bounded-distance :meth:`decode`). Bit order as galois: ``c[0..n-1]`` is
    c(x) = c[0] x^(n-1) + ... + c[n-1], systematic with the message first.

    Construction costs milliseconds (module docstring) and is cached per process: the mother
    code (t, g) by (m, k_mother), the parity matrix by (n, k, m). Nothing imports galois except
    :meth:`encode_reference` and :meth:`decode_reference`.

    Parameters
    ----------
    n : int
        Code length: 2^m - 1 for a primitive code (m = 3..10), or any n in [2, 1023] for a
        shortened one (shortening the primitive code of length 2^m - 1, m the smallest with
        2^m - 1 >= n unless given).
    k : int
        Message length, 1 <= k < n; k + s must be a BCH dimension of length 2^m - 1
        (:func:`bch_dimensions`), s = 2^m - 1 - n the shortening.
    m : int or None
        Field degree of the mother code, in [3, 10] with 2^m - 1 >= n; None picks the
        smallest.

    Attributes
    ----------
    n, k : int
        The (possibly shortened) code's length and dimension.
    m : int
        Field degree; the mother code has length n_mother = 2^m - 1 and dimension k_mother.
    n_mother, k_mother : int
        Length and dimension of the primitive mother code.
    s : int
        Shortening, n_mother - n (0 for a primitive code).
    t : int
        Designed error-correcting capability, the largest t whose generator polynomial has
        degree n_mother - k_mother (galois's ``t``); the decoder corrects <= t errors.
    d : int
        Designed distance 2t + 1 (equal to galois's ``d``, the largest design distance giving
        this dimension, which is odd for binary narrow-sense codes).
    generator_poly : uint8 [n - k + 1]
        Coefficients of g(x) in descending degree (0/1), g(x) = product of the distinct
        minimal polynomials of alpha^1..alpha^(2t).
    parity_matrix : uint8 [k, n - k]
        Row i = parity of the unit message e_i (x^(n-1-i) mod g(x), coefficients
        x^(n-k-1) .. x^0).
    exp_table : int32 [2 (2^m - 1)]
        alpha^i for i mod 2^m - 1 (m-bit integers, bit j = the coefficient of x^j modulo the
        primitive polynomial of m; the same field as galois's).
    log_table : int32 [2^m]
        log_alpha (entry 0 unused).
    """

    def __init__(self, n: int, k: int, m: int | None = None):
        n = check_int("n", n, 2, (1 << M_MAX) - 1, f"primitive lengths 2^m - 1, "
                      f"m = {M_MIN}..{M_MAX}, or shortened ones")
        k = check_int("k", k, 1, n - 1, "k < n")
        if m is None:
            m = M_MIN
            while (1 << m) - 1 < n:
                m += 1
        else:
            m = check_int("m", m, M_MIN, M_MAX)
            if (1 << m) - 1 < n:
                raise ValueError(f"m: got {m} for n={n}; allowed: m with 2^m - 1 >= n, i.e. "
                                 f"m >= {int(np.ceil(np.log2(n + 1)))}, or None")
        n_mother = (1 << m) - 1
        s = n_mother - n
        dims = bch_dimensions(m)
        if k + s not in dims:
            allowed = sorted(kk - s for kk in dims if kk - s >= 1)
            below = [kk for kk in allowed if kk < k]
            above = [kk for kk in allowed if kk > k]
            near = ", ".join(str(v) for v in below[-1:] + above[:1])
            raise ValueError(f"k: got {k} for n={n} (mother code length {n_mother}, shortened by "
                             f"{s}); allowed: one of {allowed} (nearest: {near})")
        k_mother = k + s
        mother = _mother_code(m, k_mother)
        self.n, self.k, self.m, self.s = n, k, m, s
        self.n_mother, self.k_mother = n_mother, k_mother
        self.t = mother.t
        self.d = 2 * self.t + 1
        # Own (writable) copies of the per-process cached, read-only arrays.
        self.generator_poly = mother.generator_poly.copy()
        exp_t, log_t = _gf_tables(m)
        self.exp_table, self.log_table = exp_t.copy(), log_t.copy()
        self.parity_matrix = _parity_matrix(n, k, m).copy()
        self._parity_f32 = self.parity_matrix.astype(np.float32)

    # ------------------------------------------------------------------ structure
    def _check_bits(self, name: str, x, length: int, what: str) -> np.ndarray:
        x = np.asarray(x)
        if x.ndim < 1 or x.shape[-1] != length:
            raise ValueError(f"{name}: got shape {x.shape}; allowed: [..., {what}] with {what} = {length}")
        if not (np.issubdtype(x.dtype, np.integer) or x.dtype == bool):
            raise TypeError(f"{name}: got dtype {x.dtype}; allowed: integer bits (uint8) in {{0, 1}}")
        if x.size and (x.min() < 0 or x.max() > 1):
            raise ValueError(f"{name}: values outside {{0, 1}} (min {x.min()}, max {x.max()}); "
                             f"allowed: bits 0 or 1")
        return np.ascontiguousarray(x, dtype=np.uint8)

    # ------------------------------------------------------------------ encoding
    def encode(self, u) -> np.ndarray:
        """Systematic encoding, parity = u(x) x^(n-k) mod g(x) (module docstring, "Bit order").

        The parity ``c[..., k:]`` is computed as the GF(2) product ``u @ parity_matrix`` (a
        float32 BLAS product, exact for these sizes, then mod 2).

        Input
        -----
        u : uint8 [..., k]
            Message bits in {0, 1} (other integer dtypes and bool accepted).

        Output
        ------
        c : uint8 [..., n]
            Codewords, ``c[..., :k] = u``.
        """
        u = self._check_bits("u", u, self.k, "k")
        u2 = u.reshape(-1, self.k)
        c = np.empty((u2.shape[0], self.n), np.uint8)
        c[:, : self.k] = u2
        par = u2.astype(np.float32) @ self._parity_f32
        c[:, self.k:] = par.astype(np.int32) & 1
        return c.reshape(u.shape[:-1] + (self.n,))

    # ------------------------------------------------------------------ decoding
    def decode_codeword(self, r) -> tuple[np.ndarray, np.ndarray]:
        """Bounded-distance decoding to the codeword, as :meth:`decode` (Lin & Costello ch. 6).

        Input
        -----
        r : uint8 [..., n]
            Received hard bits in {0, 1}.

        Output
        ------
        c_hat : uint8 [..., n]
            The decoded codeword; on failure ``r`` unchanged.
        ok : bool [...]
            Bounded-distance decoding succeeded (:meth:`decode`).
        """
        r = self._check_bits("r", r, self.n, "n")
        r2 = r.reshape(-1, self.n)
        cw = np.empty_like(r2)
        ok = np.empty(r2.shape[0], np.bool_)
        if r2.shape[0]:
            _bd_decode_kernel(r2, self.exp_table, self.log_table, self.t, cw, ok)
        return cw.reshape(r.shape), ok.reshape(r.shape[:-1])

    def decode(self, r) -> tuple[np.ndarray, np.ndarray]:
        """Hard-decision bounded-distance decoding (Lin & Costello ch. 6; module docstring).

        Syndromes S_1..S_2t in GF(2^m), Berlekamp-Massey, Chien search (Numba kernel, parallel
        over the batch).

        Input
        -----
        r : uint8 [..., n]
            Received hard bits in {0, 1}.

        Output
        ------
        u_hat : uint8 [..., k]
            The message of the unique codeword within distance t of ``r`` (the sent one
            whenever <= t errors occurred); on a decoding failure the received message bits
            ``r[..., :k]``.
        ok : bool [...]
            False for a decoding failure (locator length > t, or a root count that differs
            from it, e.g. a root in a shortened position).
        """
        cw, ok = self.decode_codeword(r)
        return np.ascontiguousarray(cw[..., : self.k]), ok

    def decode_llr(self, llr) -> tuple[np.ndarray, np.ndarray]:
        """Hard decisions, then :meth:`decode`: the Code protocol's decoder (Lin & Costello ch. 6).

        The :class:`linksim.fec.code.Code` decoder; the bounded-distance decoder has no
        settings.

        Input
        -----
        llr : float [batch, n]
            ``ln P(b=0|y)/P(b=1|y)``, any floating dtype. The hard decision is
            ``llr < 0 -> 1``, so an LLR of 0 reads as 0. NaN is rejected.

        Output
        ------
        u_hat : uint8 [batch, k]
            As :meth:`decode`: the decoded message, or on failure the received message bits.
        ok : bool [batch]
            Bounded-distance decoding succeeded (:meth:`decode`).
        """
        llr = np.asarray(llr)
        if llr.ndim < 1 or llr.shape[-1] != self.n:
            raise ValueError(f"llr: got shape {llr.shape}; allowed: [..., n] with n = {self.n}")
        if not np.issubdtype(llr.dtype, np.floating):
            raise TypeError(f"llr: got dtype {llr.dtype}; allowed: a floating dtype")
        if np.isnan(llr).any():
            raise ValueError("llr: contains NaN; allowed: real LLRs")
        return self.decode((llr < 0).astype(np.uint8))

    def encode_reference(self, u) -> np.ndarray:
        """The same encoding through ``galois.BCH.encode`` (for tests; imports galois; slow).

        Input
        -----
        u : uint8 [..., k]
            Message bits in {0, 1}.

        Output
        ------
        c : uint8 [..., n]
            Codewords, equal to :meth:`encode`'s.
        """
        u = self._check_bits("u", u, self.k, "k")
        u2 = u.reshape(-1, self.k)
        ref = _galois_code(self.n_mother, self.k_mother)
        c = np.asarray(ref.encode(ref.field(u2)), dtype=np.uint8)
        return c.reshape(u.shape[:-1] + (self.n,))

    def decode_reference(self, r) -> tuple[np.ndarray, np.ndarray]:
        """The same decoding through ``galois.BCH.decode`` (for tests; imports galois; slow).

        galois reports a failure as -1 corrected errors and returns the received message bits;
        this maps it to ``ok=False``.

        Input
        -----
        r : uint8 [..., n]
            Received hard bits in {0, 1}.

        Output
        ------
        u_hat : uint8 [..., k]
            As :meth:`decode`.
        ok : bool [...]
            As :meth:`decode`.
        """
        r = self._check_bits("r", r, self.n, "n")
        r2 = r.reshape(-1, self.n)
        ref = _galois_code(self.n_mother, self.k_mother)
        msg, n_err = ref.decode(ref.field(r2), output="message", errors=True)
        u = np.asarray(msg, dtype=np.uint8).reshape(r.shape[:-1] + (self.k,))
        ok = (np.asarray(n_err) >= 0).reshape(r.shape[:-1])
        return u, ok

    def __repr__(self) -> str:
        short = f", shortened by {self.s} from ({self.n_mother}, {self.k_mother})" if self.s else ""
        return f"BCH(n={self.n}, k={self.k}, t={self.t}, m={self.m}{short})"


@nb.njit(parallel=True, cache=True, error_model="numpy")
def _bd_decode_kernel(r, exp_t, log_t, t, cw, ok):
    """Bounded-distance BCH decoding of r uint8 [B, N] into cw uint8 [B, N], ok bool [B].

    exp_t : int32 [2 (2^m - 1)] and log_t : int32 [2^m] (:func:`_gf_tables`); t : int, the
    designed capability. ``cw`` and ``ok`` are written (outputs); N is the sent length n.
    """
    n_frames, n_len = r.shape
    q1 = exp_t.shape[0] // 2
    two_t = 2 * t
    for b in nb.prange(n_frames):
        for i in range(n_len):
            cw[b, i] = r[b, i]
        # --- syndromes S_j = r(alpha^j): odd j directly, S_2j = S_j^2
        synd = np.zeros(two_t + 1, np.int32)
        for i in range(n_len):
            if r[b, i] != 0:
                p = n_len - 1 - i                 # degree of this position
                p2 = (2 * p) % q1
                e = p
                for j in range(1, two_t + 1, 2):
                    synd[j] ^= exp_t[e]
                    e += p2
                    if e >= q1:
                        e -= q1
        nonzero = False
        for j in range(1, two_t + 1, 2):
            if synd[j] != 0:
                nonzero = True
        if not nonzero:
            ok[b] = True
            continue
        for j in range(2, two_t + 1, 2):
            h = synd[j // 2]
            synd[j] = exp_t[2 * log_t[h]] if h != 0 else 0
        # --- Berlekamp-Massey: connection polynomial C(x), length L
        c = np.zeros(two_t + 1, np.int32)
        bp = np.zeros(two_t + 1, np.int32)
        tmp = np.zeros(two_t + 1, np.int32)
        c[0] = 1
        bp[0] = 1
        big_l = 0
        shift = 1
        b_disc = 1
        for step in range(two_t):
            disc = synd[step + 1]
            for i in range(1, big_l + 1):
                if c[i] != 0 and synd[step + 1 - i] != 0:
                    disc ^= exp_t[log_t[c[i]] + log_t[synd[step + 1 - i]]]
            if disc == 0:
                shift += 1
                continue
            lcoef = log_t[disc] - log_t[b_disc]
            if lcoef < 0:
                lcoef += q1
            if 2 * big_l <= step:
                for i in range(two_t + 1):
                    tmp[i] = c[i]
                for i in range(shift, two_t + 1):
                    if bp[i - shift] != 0:
                        c[i] ^= exp_t[lcoef + log_t[bp[i - shift]]]
                big_l = step + 1 - big_l
                for i in range(two_t + 1):
                    bp[i] = tmp[i]
                b_disc = disc
                shift = 1
            else:
                for i in range(shift, two_t + 1):
                    if bp[i - shift] != 0:
                        c[i] ^= exp_t[lcoef + log_t[bp[i - shift]]]
                shift += 1
        if big_l > t:
            ok[b] = False
            continue
        # --- Chien search over the sent positions: Lambda(alpha^-p) == 0 <=> error at degree p
        cur = np.full(big_l + 1, -1, np.int32)     # log of c_i alpha^(-i p); -1 for c_i = 0
        for i in range(1, big_l + 1):
            if c[i] != 0:
                cur[i] = log_t[c[i]]
        pos = np.zeros(big_l + 1, np.int64)
        count = 0
        for p in range(n_len):
            val = 1
            for i in range(1, big_l + 1):
                if cur[i] >= 0:
                    val ^= exp_t[cur[i]]
                    cur[i] -= i
                    if cur[i] < 0:
                        cur[i] += q1
            if val == 0:
                pos[count] = n_len - 1 - p
                count += 1
                if count == big_l:
                    break
        if count != big_l:
            ok[b] = False                  # too many errors, or roots in shortened positions
            continue
        for i in range(count):
            cw[b, pos[i]] ^= 1
        ok[b] = True
