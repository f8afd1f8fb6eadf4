"""Binary narrow-sense primitive BCH codes, optionally shortened, with bounded-distance decoding.

``BCH(n, k)`` is the binary BCH code whose generator polynomial g(x) has the roots
alpha, alpha^2, ..., alpha^(2t) (narrow sense) in GF(2^m), alpha primitive, built by
``galois.BCH`` (its generator polynomial, its designed error-correcting capability t, its
field GF(2^m) with its irreducible polynomial and primitive element).

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
"""

from __future__ import annotations

import functools

import numba as nb
import numpy as np

__all__ = ["BCH", "bch_dimensions", "M_MIN", "M_MAX"]

M_MIN = 3     # smallest field degree: n = 7
M_MAX = 10    # largest field degree: n = 1023


def _check_int(name: str, value, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: got {value!r} of type {type(value).__name__}; allowed: an integer {what}")
    if not lo <= value <= hi:
        raise ValueError(f"{name}: got {value}; allowed: an integer {what}")
    return int(value)


@functools.lru_cache(maxsize=None)
def bch_dimensions(m: int) -> dict[int, int]:
    """BCH dimensions of the primitive binary narrow-sense code of length n = 2^m - 1.

    Returns a dict ``{k: t}``: for each achievable dimension k (1 <= k < n) the largest
    designed error-correcting capability t whose generator polynomial (the product of the
    minimal polynomials of alpha^1..alpha^(2t)) has degree n - k. Computed from the
    cyclotomic cosets of 2 modulo n; no field arithmetic is needed.
    """
    m = _check_int("m", m, M_MIN, M_MAX, f"in [{M_MIN}, {M_MAX}]")
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


@functools.lru_cache(maxsize=None)
def _galois_code(n: int, k: int):
    import galois  # imported lazily: constructing a field costs seconds the first time

    return galois.BCH(n, k)


class BCH:
    """A binary narrow-sense BCH code (primitive or shortened) with bounded-distance decoding.

    Parameters
    ----------
    n : int   code length: 2^m - 1 for a primitive code (m = 3..10), or any n in [2, 1023]
        for a shortened one (shortening the primitive code of length 2^m - 1, m the smallest
        with 2^m - 1 >= n unless given).
    k : int   message length; k + s must be a BCH dimension of length 2^m - 1
        (:func:`bch_dimensions`), s = 2^m - 1 - n the shortening.
    m : int or None   field degree of the mother code, in [3, 10] with 2^m - 1 >= n;
        None picks the smallest.

    Attributes
    ----------
    n, k : the (possibly shortened) code's length and dimension.
    m : field degree; the mother code has length n_mother = 2^m - 1 and dimension k_mother.
    s : shortening, n_mother - n (0 for a primitive code).
    t : designed error-correcting capability (galois's ``t``); the decoder corrects <= t errors.
    d : designed distance 2t + 1 (galois's ``d`` may be larger, its Bose distance).
    generator_poly : uint8 [n - k + 1], coefficients of g(x) in descending degree (int 0/1).
    parity_matrix : uint8 [k, n - k], row i = parity of the unit message e_i.
    exp_table : int32 [2 (2^m - 1)], alpha^i (integer representation of galois's field).
    log_table : int32 [2^m], log_alpha (entry 0 unused).
    """

    def __init__(self, n: int, k: int, m: int | None = None):
        n = _check_int("n", n, 2, (1 << M_MAX) - 1, f"in [2, {(1 << M_MAX) - 1}] (primitive "
                       f"lengths 2^m - 1, m = {M_MIN}..{M_MAX}, or shortened ones)")
        k = _check_int("k", k, 1, n - 1, f"in [1, n - 1] = [1, {n - 1}]")
        if m is None:
            m = M_MIN
            while (1 << m) - 1 < n:
                m += 1
        else:
            m = _check_int("m", m, M_MIN, M_MAX, f"in [{M_MIN}, {M_MAX}]")
            if (1 << m) - 1 < n:
                raise ValueError(f"m: got {m} for n={n}; allowed: m with 2^m - 1 >= n, i.e. "
                                 f"m >= {int(np.ceil(np.log2(n + 1)))}, or None")
        n_mother = (1 << m) - 1
        s = n_mother - n
        dims = bch_dimensions(m)
        if k + s not in dims:
            allowed = sorted(kk - s for kk in dims if kk - s >= 1)
            raise ValueError(f"k: got {k} for n={n} (mother code length {n_mother}, shortened by "
                             f"{s}); allowed: one of {allowed}")
        k_mother = k + s
        code = _galois_code(n_mother, k_mother)
        self._galois = code
        self.n, self.k, self.m, self.s = n, k, m, s
        self.n_mother, self.k_mother = n_mother, k_mother
        self.t = int(code.t)
        self.d = 2 * self.t + 1
        self.generator_poly = np.asarray(code.generator_poly.coeffs, dtype=np.uint8)
        if self.generator_poly.size != n - k + 1:     # pragma: no cover - guards galois
            raise RuntimeError("galois generator polynomial degree differs from n - k")

        # GF(2^m) tables in galois's representation of the field and its primitive element.
        q1 = n_mother
        alpha = int(code.alpha)
        poly = int(code.extension_field.irreducible_poly)
        exp_t = np.zeros(2 * q1, np.int32)
        log_t = np.zeros(q1 + 1, np.int32)
        x = 1
        for i in range(q1):
            exp_t[i] = x
            log_t[x] = i
            x = _gf2m_mul(x, alpha, poly, m)
        if x != 1 or np.unique(exp_t[:q1]).size != q1:   # pragma: no cover - guards galois
            raise RuntimeError("alpha is not a primitive element")
        exp_t[q1:] = exp_t[:q1]
        self.exp_table, self.log_table = exp_t, log_t

        self.parity_matrix = self._build_parity_matrix()
        self._parity_f32 = self.parity_matrix.astype(np.float32)

    # ------------------------------------------------------------------ structure
    def _build_parity_matrix(self) -> np.ndarray:
        """Rows x^(n-1-i) mod g(x), i = 0..k-1, as parity bits in codeword order."""
        r = self.n - self.k
        g_low = self.generator_poly[::-1][:r].astype(bool)     # g_0..g_{r-1}
        a = np.zeros(r, bool)                                   # ascending coefficients
        a[0] = True                                             # x^0 (r >= 1)
        rows = np.zeros((self.k, r), np.uint8)
        for deg in range(1, self.n):
            msb = a[r - 1]
            a[1:] = a[:-1].copy()
            a[0] = False
            if msb:
                a ^= g_low
            if deg >= r:                     # codeword position n - 1 - deg is a message bit
                rows[self.n - 1 - deg] = a[::-1]
        return rows

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
        """Systematic encoding: ``u`` uint8 [..., k] -> ``c`` uint8 [..., n], ``c[..., :k] = u``.

        The parity ``c[..., k:]`` is u(x) x^(n-k) mod g(x), computed as the GF(2) product
        ``u @ parity_matrix`` (a float32 BLAS product, exact for these sizes, then mod 2).
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
        """Bounded-distance decoding to the codeword: ``r`` uint8 [..., n] -> (c_hat uint8 [..., n], ok bool [...]).

        See :meth:`decode`; on failure ``c_hat`` is ``r`` unchanged.
        """
        r = self._check_bits("r", r, self.n, "n")
        r2 = r.reshape(-1, self.n)
        cw = np.empty_like(r2)
        ok = np.empty(r2.shape[0], np.bool_)
        if r2.shape[0]:
            _bd_decode_kernel(r2, self.exp_table, self.log_table, self.t, cw, ok)
        return cw.reshape(r.shape), ok.reshape(r.shape[:-1])

    def decode(self, r) -> tuple[np.ndarray, np.ndarray]:
        """Hard-decision bounded-distance decoding: ``r`` uint8 [..., n] -> (u_hat uint8 [..., k], ok bool [...]).

        Syndromes S_1..S_2t in GF(2^m), Berlekamp-Massey, Chien search (Numba kernel, parallel
        over the batch). ``ok`` is False for a decoding failure (locator length > t, or a root
        count that differs from it, e.g. a root in a shortened position); then ``u_hat`` is the
        received message bits ``r[..., :k]``. ``ok`` True means ``u_hat`` is the message of the
        unique codeword within distance t of ``r`` (the sent one whenever <= t errors occurred).
        """
        cw, ok = self.decode_codeword(r)
        return np.ascontiguousarray(cw[..., : self.k]), ok

    def encode_reference(self, u) -> np.ndarray:
        """``galois.BCH.encode`` of ``u`` uint8 [..., k] -> uint8 [..., n] (for tests; slow)."""
        u = self._check_bits("u", u, self.k, "k")
        u2 = u.reshape(-1, self.k)
        c = np.asarray(self._galois.encode(self._galois.field(u2)), dtype=np.uint8)
        return c.reshape(u.shape[:-1] + (self.n,))

    def decode_reference(self, r) -> tuple[np.ndarray, np.ndarray]:
        """The same decoding through ``galois.BCH.decode`` (for tests; slow).

        ``r`` uint8 [..., n] -> (u_hat uint8 [..., k], ok bool [...]). galois reports a failure
        as -1 corrected errors and returns the received message bits; this maps it to
        ``ok=False``.
        """
        r = self._check_bits("r", r, self.n, "n")
        r2 = r.reshape(-1, self.n)
        msg, n_err = self._galois.decode(self._galois.field(r2), output="message", errors=True)
        u = np.asarray(msg, dtype=np.uint8).reshape(r.shape[:-1] + (self.k,))
        ok = (np.asarray(n_err) >= 0).reshape(r.shape[:-1])
        return u, ok

    def __repr__(self) -> str:
        short = f", shortened by {self.s} from ({self.n_mother}, {self.k_mother})" if self.s else ""
        return f"BCH(n={self.n}, k={self.k}, t={self.t}, m={self.m}{short})"


def _gf2m_mul(a: int, b: int, poly: int, m: int) -> int:
    """Carry-less product of a and b reduced by the degree-m polynomial ``poly`` (Python ints)."""
    out = 0
    while b:
        if b & 1:
            out ^= a
        b >>= 1
        a <<= 1
        if a >> m:
            a ^= poly
    return out


@nb.njit(parallel=True, cache=True, error_model="numpy")
def _bd_decode_kernel(r, exp_t, log_t, t, cw, ok):
    """Bounded-distance BCH decoding of r uint8 [B, N] into cw uint8 [B, N], ok bool [B]."""
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
