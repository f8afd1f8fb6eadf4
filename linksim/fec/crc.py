"""Cyclic redundancy checks of 3GPP TS 38.212 §5.1 (5G NR).

The six generator polynomials of TS 38.212 §5.1 are available by name:

======== ==== ================================================================ ==========
name      L   g(D)                                                             ``poly``
======== ==== ================================================================ ==========
CRC24A    24  D^24+D^23+D^18+D^17+D^14+D^11+D^10+D^7+D^6+D^5+D^4+D^3+D+1       0x864CFB
CRC24B    24  D^24+D^23+D^6+D^5+D+1                                            0x800063
CRC24C    24  D^24+D^23+D^21+D^20+D^17+D^15+D^13+D^12+D^8+D^4+D^2+D+1          0xB2B117
CRC16     16  D^16+D^12+D^5+1                                                  0x1021
CRC11     11  D^11+D^10+D^9+D^5+1                                              0x621
CRC6       6  D^6+D^5+1                                                        0x21
======== ==== ================================================================ ==========

``poly`` is the usual "normal" integer form: bit ``i`` is the coefficient of ``D^i``, the
leading ``D^L`` term left out (as in the CRC catalogues).

The 38.212 CRC is the plain systematic cyclic code: zero initial register, no bit reflection,
no final XOR. For input bits ``a_0 .. a_{A-1}`` the parity bits ``p_0 .. p_{L-1}`` are the
coefficients of ``(a_0 D^{A+L-1} + ... + a_{A-1} D^L) mod g(D)``, ``p_0`` being the coefficient
of ``D^{L-1}``; they are appended in that order (``b_k = a_k`` for ``k < A``, ``b_k = p_{k-A}``
after).

Implementation: the CRC is linear over GF(2), so the parity of a message is the XOR of the
parities of its unit vectors. For each message length ``k`` a table ``T[j, v]`` (the parity of
byte ``v`` placed at byte position ``j``) is built once from the recurrence
``D^{i+1} mod g = D * (D^i mod g) mod g`` and cached; a Numba kernel then packs each frame eight
bits at a time and XORs one table entry per byte. It also validates that every bit is 0 or 1
in the same pass. Measured on one core at k = 8448, batch 1000: about 5 Gbit/s of message
bits for ``encode`` and ``check``, 5-8x a float32 ``bits @ G`` BLAS product (no float copy
of the batch is made either).
"""

from __future__ import annotations

import functools
import sys

import numba
import numpy as np

__all__ = ["CRC", "CRC_NAMES", "CRC_POLYNOMIALS"]

#: Name -> (L, poly without the leading D^L term), TS 38.212 §5.1.
CRC_POLYNOMIALS: dict[str, tuple[int, int]] = {
    "CRC24A": (24, 0x864CFB),
    "CRC24B": (24, 0x800063),
    "CRC24C": (24, 0xB2B117),
    "CRC16": (16, 0x1021),
    "CRC11": (11, 0x621),
    "CRC6": (6, 0x21),
}

#: The accepted CRC names, in the order of TS 38.212 §5.1.
CRC_NAMES: tuple[str, ...] = tuple(CRC_POLYNOMIALS)

# The 8-bytes-at-a-time packing below reads a row as uint64 words; its byte order matters.
_LITTLE_ENDIAN = sys.byteorder == "little"

# Maximal number of distinct (name, k) tables kept (a table is 1 KiB per 8 message bits).
_CACHE_SIZE = 64


# --------------------------------------------------------------------------------------------
# Tables (built once per (name, k), cached)
# --------------------------------------------------------------------------------------------

def _unit_parities(length: int, poly: int, k: int) -> np.ndarray:
    """Parities of the k unit messages, as ints: entry i is ``D^{k-1-i+L} mod g(D)``.

    Built by the recurrence ``r_0 = D^L mod g = poly``, ``r_{j+1} = D * r_j mod g``: shift
    left by one; if the ``D^L`` coefficient appears, subtract (XOR) ``g``.
    """
    full = (1 << length) | poly
    rows = np.empty(k, dtype=np.uint32)
    r = poly
    for j in range(k):
        rows[k - 1 - j] = r
        r <<= 1
        if r >> length:
            r ^= full
    return rows


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _byte_table(name: str, k: int) -> np.ndarray:
    """``T[j, v]`` (uint32, shape [ceil(k/8), 256]): parity of byte value ``v`` (MSB first)
    occupying message bits ``8j .. 8j+7``; message bits beyond ``k`` contribute nothing."""
    length, poly = CRC_POLYNOMIALS[name]
    nbytes = -(-k // 8)
    rows = np.zeros(8 * nbytes, dtype=np.uint32)
    rows[:k] = _unit_parities(length, poly, k)
    rows = rows.reshape(nbytes, 8)
    values = np.arange(256)
    table = np.zeros((nbytes, 256), dtype=np.uint32)
    for b in range(8):
        selected = ((values >> (7 - b)) & 1).astype(bool)
        table[:, selected] ^= rows[:, b:b + 1]
    table.setflags(write=False)
    return table


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _generator_matrix(name: str, k: int) -> np.ndarray:
    length, poly = CRC_POLYNOMIALS[name]
    rows = _unit_parities(length, poly, k)
    shifts = np.arange(length - 1, -1, -1, dtype=np.uint32)
    g = ((rows[:, None] >> shifts) & 1).astype(np.uint8)
    g.setflags(write=False)
    return g


# --------------------------------------------------------------------------------------------
# Kernel
# --------------------------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True)
def _syndrome_kernel(bits, k, table, little_endian, out):  # pragma: no cover - compiled
    """CRC syndromes of frames: ``out[i] = parity(bits[i, :k]) XOR int(bits[i, k:])`` (MSB first).

    bits : uint8 [n, ncols], C-contiguous, ncols - k <= 32 (k message bits, then 0..32 tail
    bits); k : int; table : uint32 [ceil(k/8), 256] (:func:`_byte_table`); little_endian :
    bool; out : uint32 [n], written.

    Returns -1 when every entry of ``bits`` is 0 or 1, else the first row holding another value
    (``out`` is then incomplete).
    """
    n, ncols = bits.shape
    nfull = k // 8
    magic = np.uint64(0x8040201008040201)
    high = np.uint64(0xFEFEFEFEFEFEFEFE)
    for i in range(n):
        acc = np.uint32(0)
        if little_endian:
            # Eight 0/1 bytes b_0..b_7 (little-endian word) -> b_0 b_1 .. b_7 (MSB first):
            # (x * magic) >> 56, exact since the partial products never overlap or carry.
            words = bits[i, :8 * nfull].view(np.uint64)
            orw = np.uint64(0)
            for j in range(nfull):
                x = words[j]
                orw |= x
                acc ^= table[j, (x * magic) >> np.uint64(56)]
            if orw & high:
                return i
        else:
            orb = np.uint8(0)
            for j in range(nfull):
                v = 0
                for b in range(8):
                    x = bits[i, 8 * j + b]
                    orb |= x
                    v = (v << 1) | (x & 1)
                acc ^= table[j, v]
            if orb > 1:
                return i
        orb = np.uint8(0)
        if k > 8 * nfull:  # partial last byte, padded with zeros on the right
            v = 0
            for c in range(8 * nfull, 8 * nfull + 8):
                x = bits[i, c] if c < k else np.uint8(0)
                orb |= x
                v = (v << 1) | (x & 1)
            acc ^= table[nfull, v]
        tail = np.uint32(0)
        for c in range(k, ncols):
            x = bits[i, c]
            orb |= x
            tail = (tail << np.uint32(1)) | np.uint32(x & 1)
        if orb > 1:
            return i
        out[i] = acc ^ tail
    return -1


# --------------------------------------------------------------------------------------------
# Input validation
# --------------------------------------------------------------------------------------------

def _as_bit_rows(bits, param: str = "bits") -> tuple[np.ndarray, tuple[int, ...]]:
    """Validate a bit array and return it as C-contiguous uint8 [n, last] plus its leading
    shape. Non-uint8 input is checked for 0/1 here; uint8 input is checked by the kernel."""
    if isinstance(bits, np.ndarray):
        arr = bits
    else:
        try:
            arr = np.asarray(bits)
        except (ValueError, TypeError) as exc:
            raise TypeError(f"{param}: could not be converted to an array ({exc}); "
                            "allowed: an array of 0/1 bits, shape [..., k]") from None
    kind = arr.dtype.kind
    if kind not in "buif":
        raise TypeError(f"{param}: got dtype {arr.dtype}; allowed: uint8 bits in {{0, 1}} "
                        "(other integer, bool and float dtypes are accepted if 0/1 valued)")
    if arr.ndim == 0:
        raise ValueError(f"{param}: got a 0-d array (scalar); allowed: an array of shape "
                         "[..., k] with k >= 1")
    if arr.dtype == np.bool_:
        arr = arr.view(np.uint8)
    elif arr.dtype != np.uint8:
        bad = (arr != 0) & (arr != 1)
        if bad.any():
            idx = tuple(int(t) for t in np.argwhere(bad)[0])
            raise ValueError(f"{param}: got value {arr[idx]!r} at index {idx}; "
                             "allowed: bits in {0, 1}")
        arr = arr.astype(np.uint8)
    lead = arr.shape[:-1]
    rows = np.ascontiguousarray(arr.reshape(-1, arr.shape[-1]) if arr.size else
                                np.zeros((int(np.prod(lead)), arr.shape[-1]), np.uint8))
    return rows, lead


def _raise_bad_row(rows: np.ndarray, row: int, lead: tuple[int, ...], param: str):
    col = int(np.flatnonzero(rows[row] > 1)[0])
    idx = (np.unravel_index(row, lead) if lead else ()) + (col,)
    idx = tuple(int(t) for t in idx)
    raise ValueError(f"{param}: got value {int(rows[row, col])} at index {idx}; "
                     "allowed: bits in {0, 1}")


# --------------------------------------------------------------------------------------------
# Public class
# --------------------------------------------------------------------------------------------

class CRC:
    """Attach and check the parity bits of a CRC on batches of frames (TS 38.212 §5.1).

    Parameters
    ----------
    name : str
        One of ``"CRC24A"``, ``"CRC24B"``, ``"CRC24C"``, ``"CRC16"``, ``"CRC11"``, ``"CRC6"``
        (case-insensitive).

    Attributes
    ----------
    name : str
        The canonical (upper-case) name.
    length : int
        L, the number of parity bits (24, 24, 24, 16, 11, 6).
    poly : int
        The generator polynomial without its leading ``D^L`` term, bit ``i`` = coefficient of
        ``D^i`` (e.g. ``0x864CFB`` for CRC24A). ``(1 << length) | poly`` is the full g(D).

    Notes
    -----
    Zero initial register, no reflection, no final XOR (38.212 §5.1). Parity bits are appended
    MSB first: ``p_0`` is the coefficient of ``D^{L-1}`` of ``a(D) D^L mod g(D)`` where
    ``a(D) = a_0 D^{k-1} + ... + a_{k-1}``. Work per call is vectorized over any leading
    batch dimensions (a Numba kernel over frames); per-``k`` tables are built once and cached.

    Examples
    --------
    >>> crc = CRC("CRC24A")
    >>> c = crc.encode(np.zeros((4, 100), np.uint8))   # shape (4, 124)
    >>> bool(crc.check(c).all())
    True
    """

    __slots__ = ("name", "length", "poly")

    def __init__(self, name: str):
        if not isinstance(name, str):
            raise TypeError(f"name: got {name!r} of type {type(name).__name__}; allowed: one of "
                            f"{', '.join(repr(n) for n in CRC_NAMES)}")
        key = name.strip().upper()
        if key not in CRC_POLYNOMIALS:
            raise ValueError(f"name: got {name!r}; allowed: one of "
                             f"{', '.join(repr(n) for n in CRC_NAMES)}")
        self.name: str = key
        self.length: int
        self.poly: int
        self.length, self.poly = CRC_POLYNOMIALS[key]

    def __repr__(self) -> str:
        return f"CRC({self.name!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, CRC) and other.name == self.name

    def __hash__(self) -> int:
        return hash(("CRC", self.name))

    # ----------------------------------------------------------------------------------------
    def generator_matrix(self, k: int) -> np.ndarray:
        """Systematic parity generator of the CRC for ``k`` message bits (TS 38.212 §5.1).

        Parameters
        ----------
        k : int
            Message length, >= 1.

        Output
        ------
        G : uint8 [k, L]
            Read-only, cached per k. ``parity(a) = a @ G mod 2``; row ``i`` holds the parity
            bits of the unit message ``e_i`` (i.e. of ``D^{k-1-i+L} mod g(D)``), MSB first.
        """
        return _generator_matrix(self.name, self._check_k(k))

    def _check_k(self, k) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"k: got {k!r} of type {type(k).__name__}; allowed: an integer >= 1")
        if k < 1:
            raise ValueError(f"k: got {k}; allowed: an integer >= 1 (at least one message bit)")
        return int(k)

    def _syndromes(self, rows: np.ndarray, k: int, lead, param: str) -> np.ndarray:
        out = np.empty(rows.shape[0], dtype=np.uint32)
        bad = _syndrome_kernel(rows, k, _byte_table(self.name, k), _LITTLE_ENDIAN, out)
        if bad >= 0:
            _raise_bad_row(rows, bad, lead, param)
        return out

    def _unpack(self, values: np.ndarray) -> np.ndarray:
        shifts = np.arange(self.length - 1, -1, -1, dtype=np.uint32)
        return ((values[:, None] >> shifts) & 1).astype(np.uint8)

    # ----------------------------------------------------------------------------------------
    def parity(self, bits) -> np.ndarray:
        """The L parity bits of each message, without the message (TS 38.212 §5.1).

        Input
        -----
        bits : uint8 [..., k]
            Message bits ``a_0 .. a_{k-1}``, k >= 1; uint8 in {0, 1} preferred, bool / other
            integer / float arrays are accepted if every value is 0 or 1.

        Output
        ------
        parity : uint8 [..., L]
            ``p_0 .. p_{L-1}`` (``p_0`` is the coefficient of ``D^{L-1}``).
        """
        rows, lead = _as_bit_rows(bits)
        k = rows.shape[1]
        if k < 1:
            raise ValueError(f"bits: got last dimension k = {k}; allowed: k >= 1")
        par = self._unpack(self._syndromes(rows, k, lead, "bits"))
        return par.reshape(lead + (self.length,))

    def encode(self, bits) -> np.ndarray:
        """Attach the CRC, ``b = [a_0 .. a_{k-1}, p_0 .. p_{L-1}]`` (TS 38.212 §5.1).

        Input
        -----
        bits : uint8 [..., k]
            Message bits, k >= 1; uint8 in {0, 1} preferred, bool / other integer / float
            arrays are accepted if every value is 0 or 1.

        Output
        ------
        b : uint8 [..., k + L]
            The message followed by its L parity bits, MSB (``p_0``, coefficient of
            ``D^{L-1}``) first.

        Raises
        ------
        TypeError
            ``bits`` is not numeric (complex, object, strings...).
        ValueError
            A value is not 0/1, ``bits`` is 0-d, or ``k == 0``.
        """
        rows, lead = _as_bit_rows(bits)
        k = rows.shape[1]
        if k < 1:
            raise ValueError(f"bits: got last dimension k = {k}; allowed: k >= 1")
        syn = self._syndromes(rows, k, lead, "bits")
        out = np.empty((rows.shape[0], k + self.length), dtype=np.uint8)
        out[:, :k] = rows
        out[:, k:] = self._unpack(syn)
        return out.reshape(lead + (k + self.length,))

    def check(self, bits):
        """Check CRC-attached frames: True where the CRC passes (TS 38.212 §5.1).

        Input
        -----
        bits : uint8 [..., k + L]
            Frames ``[a_0 .. a_{k-1}, p_0 .. p_{L-1}]`` as produced by :meth:`encode` (same
            dtype rules), k >= 1: the last dimension must be at least ``L + 1``.

        Output
        ------
        ok : bool [...]
            True where the L trailing bits equal the CRC of the leading k bits (equivalently,
            ``b(D) mod g(D) == 0``). For 1-D input a ``numpy.bool_`` scalar.
        """
        rows, lead = _as_bit_rows(bits)
        n = rows.shape[1]
        if n < self.length + 1:
            raise ValueError(f"bits: got last dimension {n}; allowed: at least L + 1 = "
                             f"{self.length + 1} for {self.name} (k >= 1 message bits plus "
                             f"{self.length} parity bits)")
        syn = self._syndromes(rows, n - self.length, lead, "bits")
        ok = (syn == 0).reshape(lead)
        return ok[()] if ok.ndim == 0 else ok
