"""FF1 format-preserving encryption and the deceptive cipher of the PLD paper.

Spec references
---------------
* NIST SP 800-38G (Dworkin), "Recommendation for Block Cipher Modes of Operation: Methods for
  Format-Preserving Encryption": FF1 = Algorithm 7 (encrypt) / Algorithm 8 (decrypt), the PRF of
  Algorithm 6 (CBC-MAC with a zero IV), NUM / NUM_radix / STR^m_radix of §4.5, and the FF1
  parameters of §5.1 (radix in [2, 2^16], radix^minlen >= 1,000,000, 2 <= minlen <= maxlen < 2^32).
* Notes 003 §3.1 (paper eqs. (1)-(4): m = f(p, k), p = f^-1(m, k), M ⊆ P, condition (4)),
  §3.2 (cipher off, litter on the key layer) and §9 A4 (the cipher and the key space).

Implementation notes
--------------------
* AES comes from ``cryptography.hazmat.primitives.ciphers`` in ECB mode; only the forward
  direction CIPH_K is used (FF1 decryption also uses CIPH_K). The PRF (CBC-MAC, zero IV) is
  built from ECB calls: Y_0 = 0, Y_j = CIPH_K(Y_{j-1} xor X_j).
* :func:`ff1_encrypt` / :func:`ff1_decrypt` are the general-radix reference (Python big
  integers, one numeral string per call). :class:`DeceptiveCipher` uses a NumPy-vectorised
  radix-2 path of the *same* algorithm (it is cross-checked against the reference in the tests).
"""

from __future__ import annotations

from collections import OrderedDict
import numpy as np
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from linksim.checks import check_int

__all__ = [
    "FF1_MIN_DOMAIN",
    "FF1_MAX_RADIX",
    "HKDF_SALT",
    "HKDF_INFO_PREFIX",
    "ff1_minlen",
    "ff1_encrypt",
    "ff1_decrypt",
    "DeceptiveCipher",
    "litter",
    "condition4_fraction",
]

#: SP 800-38G §5.1: radix^minlen >= 1,000,000 (the "domain size" security floor).
FF1_MIN_DOMAIN = 1_000_000
#: SP 800-38G §5.1: radix in [2, 2^16].
FF1_MAX_RADIX = 1 << 16
_MAX_LEN = (1 << 32) - 1  # §5.1: maxlen < 2^32
_NROUNDS = 10  # Algorithm 7 step 6: i = 0..9
#: Frames sharing one key from which the vectorised per-key pass beats the scalar loop.
_VECTOR_MIN = 8

#: HKDF-SHA256 salt of the key expansion of :class:`DeceptiveCipher` (fixed, public constant).
HKDF_SALT = b"linksim/security/DeceptiveCipher/HKDF-salt/v1"
#: HKDF info prefix; ``b" d_P=<d_p> d_K=<d_k>"`` is appended (domain separation per geometry).
HKDF_INFO_PREFIX = b"linksim FF1-AES128 key expansion"


# ------------------------------------------------------------------------------------------------
# validation helpers
# ------------------------------------------------------------------------------------------------
def _check_bytes(name: str, value) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, got {type(value).__name__}")
    return bytes(value)


def ff1_minlen(radix: int) -> int:
    """Smallest numeral-string length FF1 allows at ``radix``, radix^minlen >= 10^6 (SP 800-38G §5.1).

    Parameters
    ----------
    radix : int
        In [2, 2^16].

    Returns
    -------
    minlen : int
        The least ``minlen >= 2`` with ``radix**minlen >= 1_000_000`` (e.g. 6 at radix 10,
        20 at radix 2, 2 at radix >= 1000).
    """
    radix = check_int("radix", radix, 2, FF1_MAX_RADIX)
    n = 2
    while radix**n < FF1_MIN_DOMAIN:
        n += 1
    return n


def _ecb_encryptor(key: bytes):
    return Cipher(algorithms.AES(key), modes.ECB()).encryptor()


def _check_ff1_args(key, tweak, radix, digits, allow_small_domain: bool):
    key = _check_bytes("key", key)
    if len(key) not in (16, 24, 32):
        raise ValueError(f"key must be 16, 24 or 32 bytes (AES-128/192/256), got {len(key)} bytes")
    tweak = _check_bytes("tweak", tweak)
    if len(tweak) > _MAX_LEN:
        raise ValueError(f"tweak must be shorter than 2^32 bytes, got {len(tweak)}")
    radix = check_int("radix", radix, 2, FF1_MAX_RADIX)
    if isinstance(digits, np.ndarray):
        if digits.ndim != 1:
            raise ValueError(f"digits must be 1-D, got shape {digits.shape}")
        if digits.size and not np.issubdtype(digits.dtype, np.integer):
            raise TypeError(f"digits must hold integers, got dtype {digits.dtype}")
        digits = [int(x) for x in digits]
    elif isinstance(digits, (list, tuple)):
        for j, x in enumerate(digits):
            if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, np.integer)):
                raise TypeError(f"digits[{j}] must be an int, got {x!r}")
        digits = [int(x) for x in digits]
    else:
        raise TypeError(f"digits must be a list of ints or a 1-D integer ndarray, got {type(digits).__name__}")
    n = len(digits)
    bad = [x for x in digits if not 0 <= x < radix]
    if bad:
        raise ValueError(f"digits must be in [0, {radix - 1}] for radix {radix}, got {bad[0]}")
    if n > _MAX_LEN:
        raise ValueError(f"len(digits) must be < 2^32, got {n}")
    if allow_small_domain:
        if n < 2:
            raise ValueError(f"len(digits) must be >= 2 (FF1 Feistel needs two halves), got {n}")
    else:
        minlen = ff1_minlen(radix)
        if n < minlen:
            raise ValueError(
                f"len(digits) = {n} is too short for FF1 at radix {radix}: SP 800-38G §5.1 requires "
                f"radix**len >= 1,000,000, i.e. len >= {minlen} (pass allow_small_domain=True to "
                f"relax this below NIST's security floor)"
            )
    return key, tweak, radix, digits


def _ff1(key, tweak, radix, digits, allow_small_domain, decrypt):
    key, tweak, radix, X = _check_ff1_args(key, tweak, radix, digits, allow_small_domain)
    enc = _ecb_encryptor(key)
    ciph = enc.update
    n, t = len(X), len(tweak)
    u = n // 2  # step 1
    v = n - u
    A, B = X[:u], X[u:]  # step 2
    # step 3: b = ceil(ceil(v log2 radix) / 8), computed exactly: ceil(v log2 radix) is the bit
    # length of radix**v - 1 (no floating-point rounding at large v).
    b = ((radix**v - 1).bit_length() + 7) // 8
    d = 4 * -(-b // 4) + 4  # step 4
    P = bytes([1, 2, 1]) + radix.to_bytes(3, "big") + bytes([10, u % 256]) + n.to_bytes(4, "big") + t.to_bytes(4, "big")
    pad = bytes((-t - b - 1) % 16)
    # CBC-MAC state after P and after the constant full blocks of Q = T || [0]^pad || [i] || [NUM(B)]^b
    y = ciph(P)
    head = tweak + pad
    nconst = len(head) // 16
    for j in range(nconst):
        blk = head[16 * j : 16 * j + 16]
        y = ciph(bytes(p ^ q for p, q in zip(y, blk)))
    tail_head = head[16 * nconst :]
    y_int = int.from_bytes(y, "big")
    nblocks = -(-d // 16)

    def num(digs):  # NUM_radix, §4.5
        x = 0
        for dg in digs:
            x = x * radix + dg
        return x

    def strm(x, m):  # STR^m_radix, §4.5
        out = [0] * m
        for j in range(m - 1, -1, -1):
            x, out[j] = divmod(x, radix)
        return out

    def round_y(i, half):
        rest = tail_head + bytes([i]) + num(half).to_bytes(b, "big")  # step 6.i (variable blocks)
        r_int = y_int
        for j in range(0, len(rest), 16):  # step 6.ii: R = PRF(P || Q), CBC-MAC
            R = ciph((r_int ^ int.from_bytes(rest[j : j + 16], "big")).to_bytes(16, "big"))
            r_int = int.from_bytes(R, "big")
        S = R
        if nblocks > 1:  # step 6.iii: R || CIPH(R xor [1]^16) || ...
            S = R + b"".join(ciph((r_int ^ j).to_bytes(16, "big")) for j in range(1, nblocks))
        return int.from_bytes(S[:d], "big")  # step 6.iv

    if not decrypt:
        for i in range(_NROUNDS):  # Algorithm 7
            m = u if i % 2 == 0 else v
            c = (num(A) + round_y(i, B)) % radix**m
            A, B = B, strm(c, m)
    else:
        for i in range(_NROUNDS - 1, -1, -1):  # Algorithm 8
            m = u if i % 2 == 0 else v
            c = (num(B) - round_y(i, A)) % radix**m
            B, A = A, strm(c, m)
    return A + B


def ff1_encrypt(key: bytes, tweak: bytes, radix: int, digits, *, allow_small_domain: bool = False) -> list[int]:
    """FF1.Encrypt(K, T, X) with AES-128/192/256 (NIST SP 800-38G Algorithm 7).

    The general-radix reference: Python big integers, one numeral string per call.

    Parameters
    ----------
    key : bytes
        16 / 24 / 32 bytes (AES-128 / 192 / 256).
    tweak : bytes
        Length 0 .. 2^32-1 (may be empty).
    radix : int
        In [2, 2^16].
    allow_small_domain : bool
        Keyword only (default False). If True the minlen check is relaxed to len >= 2. The
        algorithm is unchanged (still a permutation of the numeral strings), but such domains
        are **below NIST's security floor** -- meant for simulation only.

    Input
    -----
    digits : int [n]
        The numeral string X, a list of ints or a 1-D integer ndarray, each digit in
        [0, radix). Its length must satisfy SP 800-38G §5.1: radix**n >= 1,000,000 (see
        :func:`ff1_minlen`) and n < 2^32.

    Returns
    -------
    y : list[int]
        The ciphertext numeral string Y (same length n and radix as X).

    Raises
    ------
    TypeError, ValueError
        Naming the offending parameter.
    """
    return _ff1(key, tweak, radix, digits, allow_small_domain, decrypt=False)


def ff1_decrypt(key: bytes, tweak: bytes, radix: int, digits, *, allow_small_domain: bool = False) -> list[int]:
    """FF1.Decrypt(K, T, Y) with AES-128/192/256 (NIST SP 800-38G Algorithm 8).

    ``ff1_decrypt(K, T, r, ff1_encrypt(K, T, r, X)) == X``.

    Parameters
    ----------
    key, tweak, radix, allow_small_domain : see ff1_encrypt
        Same values and checks as :func:`ff1_encrypt`.

    Input
    -----
    digits : int [n]
        The ciphertext numeral string Y, a list of ints or a 1-D integer ndarray (same
        checks as :func:`ff1_encrypt`).

    Returns
    -------
    x : list[int]
        The plaintext numeral string X (same length n and radix).
    """
    return _ff1(key, tweak, radix, digits, allow_small_domain, decrypt=True)


# ------------------------------------------------------------------------------------------------
# Deceptive cipher (notes 003 §3.1 / §9 A4)
# ------------------------------------------------------------------------------------------------
class DeceptiveCipher:
    """Keyed permutation f(., k) of {0,1}^d_P with a d_K-bit key (notes 003 §3.1, paper eqs. (1)-(4)).

    FF1-AES128 (NIST SP 800-38G) on the d_P bits as a radix-2 numeral string, the key
    expanded with HKDF-SHA256; :meth:`encrypt` and :meth:`decrypt` work batch-wise. Bits are
    uint8 in {0, 1}, MSB first.

    Parameters
    ----------
    d_p : int
        Plaintext = ciphertext length in bits, in [2, 128].
    d_k : int
        Key length in bits, in [1, 64].
    cache_size : int
        Number of expanded keys (AES contexts) kept in an LRU cache, >= 1 (keyword only).

    Attributes
    ----------
    d_p, d_k, cache_size : int
        As given.

    Notes
    -----
    *Construction.*

    1. Key expansion: the d_K key bits (MSB first) are packed into the integer k and
       ``IKM = bytes([d_K]) || k.to_bytes(8, "big")`` is expanded with HKDF-SHA256
       (salt :data:`HKDF_SALT`, info ``HKDF_INFO_PREFIX + b" d_P=<d_P> d_K=<d_K>"``, length 16) to
       an AES-128 key. HKDF is a PRF of the whole IKM, so every key bit matters.
    2. f(p, k) = FF1-AES128 encryption (SP 800-38G Alg. 7) of the d_P plaintext bits as a radix-2
       numeral string (bit 0 = most significant numeral), empty tweak. f^-1 = Alg. 8.
       Hence M = P = {0,1}^d_P (eq. (3)) and d_M = d_P.

    *Small-domain decision (d_P < 20).* FF1 requires radix^len >= 10^6, i.e. d_P >= 20 at radix
    2; the paper uses d_P = 16. Other radices do not help (2^16 < 10^6 whatever the split). We
    therefore run **the same FF1 Feistel (same PRF, 10 rounds, same round function) with the
    minlen check relaxed** (``allow_small_domain=True`` of :func:`ff1_encrypt`). It is still an
    exact permutation of {0,1}^d_P, which is all the simulator needs (the deception property and
    eqs. (3)-(4)). WARNING: domains below 10^6 points are below NIST's security floor (a
    2^16-entry codebook is enumerable anyway); do not read any cryptographic strength into it.
    Cycle walking over a 20-bit FF1 was rejected: ~16x slower and no meaningful gain on a 2^16
    domain. For d_P >= 20 the cipher is plain, conformant FF1.

    *Deception.* Decrypting with any key (right or wrong) returns an element of {0,1}^d_P: a
    *valid-looking* plaintext, by construction.

    *Where condition (4) can hold.* Condition (4): for a fixed ciphertext m, k -> f^-1(m, k) is
    injective over the key space. This is possible only if 2^d_K <= 2^d_P (pigeonhole: with
    d_K > d_P some two keys decrypt m to the same plaintext, for *every* m). For d_K <= d_P a
    (pseudo)random keyed permutation family satisfies it for a given m only with the birthday
    probability prod_{j<2^d_K}(1 - j/2^d_P) (≈ exp(-2^(2 d_K - d_P - 1))): e.g. ~0.63 at
    d_P = 8, d_K = 4, and essentially 0 at d_K = d_P. :func:`condition4_fraction` measures it
    exhaustively. The PHY metrics (R_d, eps_LF) do not depend on f (notes §9 A4).

    *Throughput* (CPython loop over frames with (nearly) unique keys, NumPy-vectorised over the
    frames of a key shared by >= 8 frames), measured with ``benchmarks/pld_throughput.py`` on
    the 2-core development VM at d_P = 16, d_K = 23, 2e4 frames with a fresh key each:
    ~3.5e4 frames/s (HKDF-SHA256 + AES context set-up, ~15 us per new key, dominates);
    ~1.6e6 frames/s for many frames under one key. Before frames were split by key-sharing,
    a batch with a few birthday collisions fell entirely into the per-key path (~8e3 frames/s).
    """

    def __init__(self, d_p: int, d_k: int, *, cache_size: int = 1 << 16):
        self.d_p = check_int("d_p", d_p, 2, 128)
        self.d_k = check_int("d_k", d_k, 1, 64)
        self.cache_size = check_int("cache_size", cache_size, 1, 1 << 30)
        self._cache: OrderedDict[int, tuple] = OrderedDict()
        n = self.d_p
        self._u = n // 2
        self._v = n - self._u
        self._b = -(-self._v // 8)  # SP 800-38G Alg. 7 step 3 at radix 2
        self._d = 4 * -(-self._b // 4) + 4  # step 4 (<= 12 here, so S is the first block R)
        self._P = bytes([1, 2, 1]) + (2).to_bytes(3, "big") + bytes([10, self._u % 256]) + n.to_bytes(4, "big") + bytes(4)
        self._info = HKDF_INFO_PREFIX + f" d_P={self.d_p} d_K={self.d_k}".encode()

    def __repr__(self) -> str:
        return f"DeceptiveCipher(d_p={self.d_p}, d_k={self.d_k})"

    # -- key handling -------------------------------------------------------------------------
    def expand_key(self, k: int) -> bytes:
        """HKDF-SHA256 expansion of the key integer ``k`` to a 16-byte AES key (notes 003 §3.1).

        ``IKM = bytes([d_K]) || k.to_bytes(8, "big")``; salt and info as in the class docstring.

        Parameters
        ----------
        k : int
            The key bits packed MSB first, 0 <= k < 2^d_K.

        Returns
        -------
        key : bytes
            16 bytes, the AES-128 key.
        """
        k = check_int("k", k, 0, (1 << self.d_k) - 1)
        ikm = bytes([self.d_k]) + k.to_bytes(8, "big")
        return HKDF(algorithm=hashes.SHA256(), length=16, salt=HKDF_SALT, info=self._info).derive(ikm)

    def _context(self, k: int):
        hit = self._cache.get(k)
        if hit is not None:
            self._cache.move_to_end(k)
            return hit
        enc = _ecb_encryptor(self.expand_key(k))
        y0b = enc.update(self._P)  # CBC-MAC state after P
        hit = (enc.update, np.frombuffer(y0b, dtype=np.uint8), int.from_bytes(y0b, "big"))
        self._cache[k] = hit
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return hit

    # -- vectorised radix-2 FF1 under one key ----------------------------------------------
    def _rounds(self, ctx, A: np.ndarray, B: np.ndarray, decrypt: bool):
        ciph, y0, _ = ctx
        u, v, b, d = self._u, self._v, self._b, self._d
        N = A.shape[0]
        mask = {u: np.uint64((1 << u) - 1) if u < 64 else np.uint64(2**64 - 1),
                v: np.uint64((1 << v) - 1) if v < 64 else np.uint64(2**64 - 1)}
        blk = np.zeros((N, 16), dtype=np.uint8)  # Q = [0]^(15-b) || [i] || NUM_2(half)^b (t = 0)
        order = range(_NROUNDS - 1, -1, -1) if decrypt else range(_NROUNDS)
        for i in order:
            half = A if decrypt else B
            blk[:, 15 - b] = i
            blk[:, 16 - b :] = half.astype(">u8").view(np.uint8).reshape(N, 8)[:, 8 - b :]
            R = np.frombuffer(ciph((blk ^ y0).tobytes()), dtype=np.uint8).reshape(N, 16)
            # y = NUM(S), S = R[:d]; only y mod 2^m (m <= 64) matters: the last 8 bytes of S.
            y = R[:, d - 8 : d].copy().view(">u8").reshape(N).astype(np.uint64)
            m = u if i % 2 == 0 else v
            if decrypt:
                c = (B - y) & mask[m]
                B, A = A, c
            else:
                c = (A + y) & mask[m]
                A, B = B, c
        return A, B

    def _rounds_scalar(self, ctx, a: int, b_: int, decrypt: bool):
        """Same as :meth:`_rounds` for one frame, with Python ints (less per-call overhead)."""
        ciph, _, y0 = ctx
        u, v, b, d = self._u, self._v, self._b, self._d
        mu, mv = (1 << u) - 1, (1 << v) - 1
        sh = 8 * b
        if decrypt:
            for i in range(_NROUNDS - 1, -1, -1):
                R = ciph((y0 ^ ((i << sh) | a)).to_bytes(16, "big"))
                y = int.from_bytes(R[d - 8 : d], "big")
                c = (b_ - y) & (mu if i % 2 == 0 else mv)
                b_, a = a, c
        else:
            for i in range(_NROUNDS):
                R = ciph((y0 ^ ((i << sh) | b_)).to_bytes(16, "big"))
                y = int.from_bytes(R[d - 8 : d], "big")
                c = (a + y) & (mu if i % 2 == 0 else mv)
                a, b_ = b_, c
        return a, b_

    # -- public batch API ---------------------------------------------------------------------
    def _prep(self, x_bits, k_bits, xname: str):
        x = self._bits(xname, x_bits, self.d_p)
        k = self._bits("k_bits", k_bits, self.d_k)
        try:
            shape = np.broadcast_shapes(x.shape[:-1], k.shape[:-1])
        except ValueError:
            raise ValueError(
                f"batch shapes of {xname} {x.shape[:-1]} and k_bits {k.shape[:-1]} do not broadcast"
            ) from None
        x = np.broadcast_to(x, shape + (self.d_p,)).reshape(-1, self.d_p)
        k = np.broadcast_to(k, shape + (self.d_k,)).reshape(-1, self.d_k)
        return x, _pack(k), shape

    @staticmethod
    def _bits(name, arr, width):
        a = np.asarray(arr)
        if a.ndim < 1 or a.shape[-1] != width:
            raise ValueError(f"{name} must have shape [..., {width}], got {a.shape}")
        if a.dtype == np.bool_:
            a = a.astype(np.uint8)
        if not np.issubdtype(a.dtype, np.integer):
            raise TypeError(f"{name} must be an integer (uint8) bit array, got dtype {a.dtype}")
        if a.size and (a.min() < 0 or a.max() > 1):
            raise ValueError(f"{name} must hold bits in {{0, 1}}, got values in [{a.min()}, {a.max()}]")
        return a.astype(np.uint8, copy=False)

    def _apply(self, x_bits, k_bits, xname, decrypt):
        x, keys, shape = self._prep(x_bits, k_bits, xname)
        N = x.shape[0]
        out = np.empty((N, self.d_p), dtype=np.uint8)
        if N == 0:
            return out.reshape(shape + (self.d_p,))
        A_all = _pack(x[:, : self._u])
        B_all = _pack(x[:, self._u :])
        A_res = np.empty(N, np.uint64)
        B_res = np.empty(N, np.uint64)
        uniq, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
        # Frames whose key is (nearly) unique in the batch -- the usual fresh-key-per-frame
        # case, with a few birthday collisions -- go through the scalar path; keys shared by
        # many frames get one AES context and one vectorised pass each.
        shared = counts[inv] >= _VECTOR_MIN
        few = np.flatnonzero(~shared)
        if few.size:
            a_l, b_l = A_all[few].tolist(), B_all[few].tolist()
            k_l = keys[few].tolist()
            for i in range(few.size):
                a_l[i], b_l[i] = self._rounds_scalar(self._context(k_l[i]), a_l[i], b_l[i], decrypt)
            A_res[few] = np.array(a_l, dtype=np.uint64)
            B_res[few] = np.array(b_l, dtype=np.uint64)
        groups = ()
        if shared.any():
            big = np.flatnonzero(counts >= _VECTOR_MIN)
            order = np.argsort(inv, kind="stable")
            bounds = np.searchsorted(inv[order], np.arange(uniq.size + 1))
            groups = ((int(uniq[j]), order[bounds[j] : bounds[j + 1]]) for j in big)
        for key, idx in groups:
            A, B = self._rounds(self._context(key), A_all[idx], B_all[idx], decrypt)
            A_res[idx] = A
            B_res[idx] = B
        out[:, : self._u] = _unpack(A_res, self._u)
        out[:, self._u :] = _unpack(B_res, self._v)
        return out.reshape(shape + (self.d_p,))

    def encrypt(self, p_bits, k_bits) -> np.ndarray:
        """Encryption m = f(p, k), batch-wise (paper eq. (1), notes 003 §3.1).

        Input
        -----
        p_bits : uint8 [..., d_p]
            Plaintext bits in {0, 1} (other integer dtypes and bool accepted).
        k_bits : uint8 [..., d_k]
            Key bits in {0, 1}, MSB first. The leading (batch) shapes of ``p_bits`` and
            ``k_bits`` broadcast against each other (e.g. one key [d_k] for a batch).

        Output
        ------
        m_bits : uint8 [..., d_p]
            Ciphertext bits over the broadcast batch shape, each row a permutation image.
        """
        return self._apply(p_bits, k_bits, "p_bits", decrypt=False)

    def decrypt(self, m_bits, k_bits) -> np.ndarray:
        """Decryption p = f^-1(m, k), batch-wise (paper eq. (2), notes 003 §3.1).

        With a wrong key the output is still a valid element of {0,1}^d_P (the deception);
        ``decrypt(encrypt(p, k), k) == p``.

        Input
        -----
        m_bits : uint8 [..., d_p]
            Ciphertext bits in {0, 1}.
        k_bits : uint8 [..., d_k]
            Key bits in {0, 1}, MSB first; batch shapes broadcast as in :meth:`encrypt`.

        Output
        ------
        p_bits : uint8 [..., d_p]
            Plaintext bits over the broadcast batch shape.
        """
        return self._apply(m_bits, k_bits, "m_bits", decrypt=True)


def _pack(bits: np.ndarray) -> np.ndarray:
    """uint8 [N, w] (w <= 64, MSB first) -> uint64 [N]."""
    w = bits.shape[-1]
    weights = (np.uint64(1) << np.arange(w - 1, -1, -1, dtype=np.uint64)) if w else np.zeros(0, np.uint64)
    return (bits.astype(np.uint64) * weights).sum(axis=-1, dtype=np.uint64)


def _unpack(x: np.ndarray, w: int) -> np.ndarray:
    """uint64 [N] -> uint8 [N, w] (MSB first)."""
    shifts = np.arange(w - 1, -1, -1, dtype=np.uint64)
    return ((x[:, None] >> shifts) & np.uint64(1)).astype(np.uint8)


def litter(rng: np.random.Generator, shape) -> np.ndarray:
    """Litter bits for the key layer in cipher-off mode (notes 003 §3.2, §9 A5).

    With the cipher off, Alice sends m = p on the primary layer and a uniformly random *litter*
    sequence on the key layer (same power profile), so that a key-layer erasure cannot reveal the
    cipher state. A receiver whose key decoder erases outputs m as the plaintext.

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes one ``rng.integers(0, 2, size=shape, dtype=uint8)`` call.
    shape : int or tuple of int
        Non-negative sizes, e.g. ``(batch, d_k)``.

    Returns
    -------
    bits : uint8 [*shape]
        i.i.d. uniform bits.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    shp = (shape,) if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool) else shape
    if not isinstance(shp, (tuple, list)) or any(
        isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0 for s in shp
    ):
        raise ValueError(f"shape must be a non-negative int or a tuple of them, got {shape!r}")
    return rng.integers(0, 2, size=tuple(int(s) for s in shp), dtype=np.uint8)


def condition4_fraction(d_p: int, d_k: int) -> float:
    """Exhaustive measurement of paper condition (4) for :class:`DeceptiveCipher` (notes 003 §3.1).

    Parameters
    ----------
    d_p : int
        Plaintext bits, in [2, 16].
    d_k : int
        Key bits, in [1, 16], with ``d_p + d_k <= 22``.

    Returns
    -------
    fraction : float
        In [0, 1]: the fraction of ciphertexts m in {0,1}^d_P for which k -> f^-1(m, k) is
        injective on the full key space {0,1}^d_K. It is exactly 0 when d_K > d_P
        (pigeonhole); for d_K <= d_P it is close to the birthday value
        prod_{j<2^d_K} (1 - j / 2^d_P).
    """
    d_p = check_int("d_p", d_p, 2, 16)
    d_k = check_int("d_k", d_k, 1, 16)
    if d_p + d_k > 22:
        raise ValueError(f"d_p + d_k must be <= 22 for an exhaustive measurement, got {d_p + d_k}")
    cip = DeceptiveCipher(d_p, d_k)
    m = _unpack(np.arange(1 << d_p, dtype=np.uint64), d_p)  # [M, d_p]
    k = _unpack(np.arange(1 << d_k, dtype=np.uint64), d_k)  # [K, d_k]
    p = cip.decrypt(m[None, :, :], k[:, None, :])  # [K, M, d_p]
    pint = _pack(p.reshape(-1, d_p)).reshape(1 << d_k, 1 << d_p)
    s = np.sort(pint, axis=0)
    injective = ~(s[1:] == s[:-1]).any(axis=0) if (1 << d_k) > 1 else np.ones(1 << d_p, bool)
    return float(injective.mean())
