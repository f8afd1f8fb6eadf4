"""5G NR LDPC code: TS 38.212 §5.2.2 (segmentation sizes), §5.3.2 (encoding), §5.4.2 (rate matching).

``LDPC5G(k, n)`` is one code block: ``k`` information bits (the code block size K' of the
standard, CRC included if the caller attached one) to ``n`` rate-matched coded bits (E).

Construction
------------
* Base graph (§7.2.2 / §6.2.2, with the code block size for A and R = k/n):
  BG2 if k <= 292, or k <= 3824 and R <= 0.67, or R <= 0.25; otherwise BG1. It can be forced.
* K_b = 22 for BG1; for BG2 K_b = 10, 9, 8, 6 for k > 640, > 560, > 192, else (§5.2.2).
  Z_c is the smallest lifting size Z = a * 2^j <= 384 (Table 5.3.2-1) with K_b * Z >= k;
  its set index i_LS picks the shift column of the base graph, and P_ij = V_ij mod Z_c.
* K = 22 Z_c (BG1) or 10 Z_c (BG2) systematic bits: the k information bits, then F = K - k
  filler bits (value 0, never transmitted). The mother code has N = 66 Z_c (BG1) or 50 Z_c
  (BG2) bits after the first 2 Z_c systematic bits, which are always punctured.
* H is the base graph lifted by Z_c: entry V of row i, column j becomes the Z x Z identity
  cyclically shifted so that check ``i*Z + t`` involves bit ``j*Z + (t + P) mod Z``.

Encoding (§5.3.2) uses the QC structure, no generator matrix. The four core parity blocks
sit on a dual-diagonal: summing the four core block rows cancels every core parity block
except the first, which then follows from one inverse cyclic shift; the other three follow
row by row; each extension row i >= 4 then defines parity block K_b + i directly. Only the rows
that the rate matcher reads are computed.

Rate matching (§5.4.2.1) with N_cb = N (no limited buffer) and redundancy version 0
(k_0 = 0): the output is read cyclically from the circular buffer ``d = c[2 Z_c:]``, skipping
filler bits, until E = n bits are out; n larger than the buffer repeats it. The bit
interleaver of §5.4.2.2 is not applied (it only matters with higher-order modulation over
channels that treat bit positions differently, and the link layer can add it).

Decoding de-rate-matches LLRs (repeated bits add up, punctured bits get 0), drops the
filler columns from H (they are known zeros, so they carry no information) and the rows
whose parity bits are never sent, and runs a belief-propagation decoder from
:mod:`linksim.fec.ldpc.decoder`.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources

import numba as nb
import numpy as np
import scipy.sparse as sp

from linksim.checks import check_int

from .decoder import CN_RULES, KNOWN_LLR, QCGraph, bp_decode, checks_satisfied

__all__ = ["LDPC5G", "base_graph", "lifting_sizes", "select_base_graph", "K_MIN", "K_MAX",
           "MAX_CODERATE"]

K_MIN = 12          # smallest code block size handled (the smallest CRC-protected 5G block)
# Highest code rate: a UE need not decode above an effective rate of 0.95 (TS 38.214
# §5.1.3.1). Near it, rate matching can even make small codes non-injective: the rate-matched
# encoders of (k, n) = (19, 21) and (24, 26) have GF(2) rank k - 1 (two messages, one codeword).
MAX_CODERATE = 0.95
K_MAX = 8448        # K_cb for BG1 (§5.2.2)
K_MAX_BG2 = 3840    # 10 * 384
_N_MAX = 8 * 68 * 384   # cap on n: up to 8 passes around the largest circular buffer
_LIFTING_SET_BASES = (2, 3, 5, 7, 9, 11, 13, 15)   # Table 5.3.2-1, a for i_LS = 0..7
_BG_SHAPE = {1: (46, 68), 2: (42, 52)}
_CORE = 4  # number of core parity block columns (dual diagonal)


def lifting_sizes() -> list[tuple[int, int]]:
    """All (Z_c, i_LS) pairs of the lifting sizes, Z = a * 2^j <= 384 (TS 38.212 Table 5.3.2-1).

    Returns
    -------
    pairs : list[tuple[int, int]]
        The 51 pairs ``(Z_c, i_LS)``, sorted by Z_c; i_LS = 0..7 for a = 2, 3, 5, 7, 9, 11,
        13, 15.
    """
    pairs = []
    for i_ls, a in enumerate(_LIFTING_SET_BASES):
        z = a
        while z <= 384:
            pairs.append((z, i_ls))
            z *= 2
    return sorted(pairs)


@functools.lru_cache(maxsize=None)
def base_graph(bg: int) -> np.ndarray:
    """The shift values V_ij of base graph ``bg`` for every i_LS (TS 38.212 Tables 5.3.2-2, 5.3.2-3).

    Data: Table 5.3.2-2 (BG1) and 5.3.2-3 (BG2), shipped in ``data/bg{1,2}.csv``. Cached.

    Parameters
    ----------
    bg : int
        Base graph, 1 or 2.

    Returns
    -------
    table : int16 [rows, cols, 8]
        Read-only; ``table[i, j, i_LS]`` = V_ij, -1 for a zero block. [46, 68, 8] for BG1,
        [42, 52, 8] for BG2.
    """
    if bg not in _BG_SHAPE:
        raise ValueError(f"bg: got {bg!r}; allowed: 1 or 2")
    table = np.full(_BG_SHAPE[bg] + (8,), -1, dtype=np.int16)
    text = resources.files(__package__).joinpath(f"data/bg{bg}.csv").read_text()
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    for rec in csv.DictReader(rows):
        table[int(rec["row"]), int(rec["col"])] = [int(rec[f"v{i}"]) for i in range(8)]
    table.setflags(write=False)
    return table


def select_base_graph(k: int, coderate: float) -> int:
    """Base graph for code block size ``k`` and rate ``coderate`` (TS 38.212 §7.2.2).

    BG2 if k <= 292, or k <= 3824 and R <= 0.67, or R <= 0.25; otherwise BG1 (the standard
    states it for the transport block size A; here k stands for it).

    Parameters
    ----------
    k : int
        Code block size (information bits, CRC included).
    coderate : float
        Code rate R = k / n.

    Returns
    -------
    bg : int
        1 or 2.
    """
    if k <= 292 or (k <= 3824 and coderate <= 0.67) or coderate <= 0.25:
        return 2
    return 1


class LDPC5G:
    """A 5G NR LDPC code block with rate matching (TS 38.212 §5.2.2, §5.3.2, §5.4.2.1).

    One code block: ``k`` information bits (K' of the standard, CRC included if the caller
    attached one) to ``n`` rate-matched bits (E); redundancy version 0, no limited buffer, no
    bit interleaver (module docstring). A :class:`linksim.fec.code.Code`: :meth:`encode` and
    :meth:`decode_llr`.

    Parameters
    ----------
    k : int
        Information bits, 12 <= k <= 8448 (<= 3840 with BG2).
    n : int
        Rate-matched output bits, k / n <= 0.95 (n > the buffer repeats it). Small codes close
        to that rate may still be non-injective (see MAX_CODERATE).
    bg : {1, 2} or None
        Base graph; None selects it as the standard does (:func:`select_base_graph`).

    Attributes
    ----------
    k, n, bg : int
        As given (bg as selected).
    z : int
        Lifting size Z_c.
    i_ls : int
        Set index i_LS of Z_c (Table 5.3.2-1).
    k_b : int
        K_b used to pick the lifting size (§5.2.2).
    k_cols : int
        Systematic block columns of the base graph, 22 (BG1) or 10 (BG2).
    k_ldpc : int
        K = k_cols * Z, systematic bits with the filler bits.
    n_filler : int
        F = K - k filler bits (known zeros, never sent).
    n_ldpc : int
        Lifted column count, 68 Z (BG1) or 52 Z (BG2).
    n_cb : int
        Circular buffer length N_cb = n_ldpc - 2 Z.
    coderate : float
        k / n.
    graph : QCGraph
        The decoder's graph: the block rows whose parity is sent, with the entries of the
        block columns made only of filler bits dropped.
    """

    def __init__(self, k: int, n: int, bg: int | None = None):
        k = check_int("k", k, K_MIN, K_MAX, "5G NR code block sizes")
        n = check_int("n", n, k + 1, _N_MAX, "n > k")
        if k / n > MAX_CODERATE:
            n_min = -(-k * 1000 // 950)
            raise ValueError(f"n: got {n} for k={k}, rate {k / n:.3f}; allowed: rate k/n <= "
                             f"{MAX_CODERATE} (TS 38.214 §5.1.3.1), i.e. n >= {n_min}")
        if bg is None:
            bg = select_base_graph(k, k / n)
        elif bg not in (1, 2) or isinstance(bg, bool):
            raise ValueError(f"bg: got {bg!r}; allowed: 1, 2 or None (chosen as TS 38.212 §7.2.2)")
        if bg == 2 and k > K_MAX_BG2:
            raise ValueError(f"k: got {k} with base graph 2 (rate {k / n:.3f}; §7.2.2 picks BG2 for "
                             f"R <= 0.25); allowed: k <= {K_MAX_BG2} for BG2. Segment the transport "
                             f"block (§5.2.2) or force bg=1")
        self.k, self.n, self.bg = k, n, bg
        self.coderate = k / n

        if bg == 1:
            self.k_b = 22
        else:
            self.k_b = 10 if k > 640 else 9 if k > 560 else 8 if k > 192 else 6
        self.z, self.i_ls = next((z, i) for z, i in lifting_sizes() if self.k_b * z >= k)
        z = self.z
        self.k_cols = 22 if bg == 1 else 10          # systematic block columns of the graph
        self.k_ldpc = self.k_cols * z
        self.n_filler = self.k_ldpc - k
        n_rows_bg, n_cols_bg = _BG_SHAPE[bg]
        self.n_ldpc = n_cols_bg * z
        self.n_cb = self.n_ldpc - 2 * z

        # Shift table of this code: P_ij = V_ij mod Z for i_LS
        v = base_graph(bg)[:, :, self.i_ls].astype(np.int64)
        self._shifts = np.where(v >= 0, v % z, -1)

        # Rate matching: circular buffer positions (codeword indices) that are sent, in order.
        buf = np.arange(2 * z, self.n_ldpc)
        is_filler = (buf >= k) & (buf < self.k_ldpc)
        sendable = buf[~is_filler]
        self._tx_index = sendable[np.arange(n) % sendable.size]       # int64 [n]
        last_col = int(self._tx_index.max()) + 1
        n_cols_used = max(-(-last_col // z), self.k_cols + _CORE)     # at least the core
        self._n_rows_used = n_cols_used - self.k_cols
        self._n_cols_used = n_cols_used
        self._encoder_tables = self._build_encoder_tables()

        # Decoder graph: the block rows whose parity is sent and the block columns they touch.
        used = self._shifts[: self._n_rows_used, :n_cols_used].copy()
        # A block column made only of filler bits (known zeros) adds nothing to any check:
        # dropping its entries is exact and saves their edges. Partial filler blocks stay.
        first_full, end_full = -(-k // z), self.k_ldpc // z
        used[:, first_full:end_full] = -1
        r_idx, c_idx = np.nonzero(used >= 0)
        self.graph = QCGraph(r_idx, c_idx, used[r_idx, c_idx], z, self._n_rows_used, n_cols_used)

    # ------------------------------------------------------------------ structure
    def pcm_rows(self, n_rows: int) -> sp.csr_matrix:
        """The first ``n_rows`` block rows of the lifted parity-check matrix H (TS 38.212 §5.3.2).

        Parameters
        ----------
        n_rows : int
            Block rows, 1 .. the base graph's rows (46 for BG1, 42 for BG2).

        Output
        ------
        pcm : scipy.sparse.csr_matrix, uint8 [n_rows*Z, n_ldpc]
            Those rows of H.
        """
        shifts = self._shifts[:n_rows]
        r_idx, c_idx = np.nonzero(shifts >= 0)
        return QCGraph(r_idx, c_idx, shifts[r_idx, c_idx], self.z, n_rows,
                       shifts.shape[1]).to_pcm()

    @property
    def pcm(self) -> sp.csr_matrix:
        """scipy.sparse.csr_matrix, uint8 [rows*Z, n_ldpc]: the mother code's lifted H (§5.3.2)."""
        return self.pcm_rows(self._shifts.shape[0])

    @property
    def n_rows_used(self) -> int:
        """int: base-graph rows whose parity bits are (at least partly) transmitted."""
        return self._n_rows_used

    def _build_encoder_tables(self):
        """Solve order of the parity blocks: a list of (entries, target column, target shift).

        Step 0 is the sum of the four core rows, which leaves only parity block K_b with a single
        shift (all other core parity blocks appear twice with equal shifts and cancel mod 2).
        Steps 1-3 peel the remaining core rows, each with one unknown core parity block. Every
        extension row i >= 4 has an identity on column K_b + i and gives that block.
        """
        s, kc = self._shifts, self.k_cols
        core_cols = range(kc, kc + _CORE)

        # Step 0: XOR of core rows; entries (col, shift) cancel in pairs.
        counts: dict[tuple[int, int], int] = {}
        for r in range(_CORE):
            for c in np.flatnonzero(s[r] >= 0):
                key = (int(c), int(s[r, c]))
                counts[key] = counts.get(key, 0) ^ 1
        summed = [key for key, odd in counts.items() if odd]
        core_left = [key for key in summed if key[0] in core_cols]
        if len(core_left) != 1 or core_left[0][0] != kc:
            raise RuntimeError(f"base graph {self.bg}: core rows do not reduce to one parity block "
                               f"({core_left}); the base-graph table is corrupt")
        steps = [([key for key in summed if key[0] != kc], kc, core_left[0][1])]

        known = set(range(kc)) | {kc}
        pending = list(range(_CORE))
        while not known.issuperset(core_cols):   # the last core row is implied by the sum
            for r in pending:
                unknown = [c for c in np.flatnonzero(s[r] >= 0) if c not in known]
                if len(unknown) == 1:
                    target = int(unknown[0])
                    entries = [(int(c), int(s[r, c])) for c in np.flatnonzero(s[r] >= 0) if c != target]
                    steps.append((entries, target, int(s[r, target])))
                    known.add(target)
                    pending.remove(r)
                    break
            else:
                raise RuntimeError(f"base graph {self.bg}: core parity blocks cannot be peeled")
        for r in range(_CORE, s.shape[0]):
            target = kc + r
            if s[r, target] != 0 or np.any(s[r, target + 1:] >= 0):
                raise RuntimeError(f"base graph {self.bg}: row {r} is not an identity extension row")
            entries = [(int(c), int(s[r, c])) for c in np.flatnonzero(s[r] >= 0) if c != target]
            steps.append((entries, target, 0))

        ptr = np.zeros(len(steps) + 1, np.int64)
        cols, shifts, targets, target_shifts = [], [], [], []
        for i, (entries, target, tshift) in enumerate(steps):
            ptr[i + 1] = ptr[i] + len(entries)
            cols += [c for c, _ in entries]
            shifts += [p for _, p in entries]
            targets.append(target)
            target_shifts.append(tshift)
        return (ptr, np.array(cols, np.int64), np.array(shifts, np.int64),
                np.array(targets, np.int64), np.array(target_shifts, np.int64))

    # ------------------------------------------------------------------ encoding
    def _mother_codeword(self, u: np.ndarray, n_cols: int) -> np.ndarray:
        u2 = u.reshape(-1, self.k)
        cw = np.zeros((u2.shape[0], n_cols * self.z), np.uint8)
        cw[:, : self.k] = u2
        ptr, cols, shifts, targets, tshifts = self._encoder_tables
        n_steps = n_cols - self.k_cols   # one step per parity block column
        _encode_kernel(cw, self.z, ptr[: n_steps + 1], cols, shifts, targets[:n_steps], tshifts[:n_steps])
        return cw

    def _check_bits(self, u) -> np.ndarray:
        u = np.asarray(u)
        if u.ndim < 1 or u.shape[-1] != self.k:
            raise ValueError(f"u: got shape {u.shape}; allowed: [..., k] with k = {self.k}")
        if not (np.issubdtype(u.dtype, np.integer) or u.dtype == bool):
            raise TypeError(f"u: got dtype {u.dtype}; allowed: integer bits (uint8) in {{0, 1}}")
        if u.size and (u.min() < 0 or u.max() > 1):
            raise ValueError("u: values outside {0, 1}; allowed: bits 0 or 1")
        return np.ascontiguousarray(u, dtype=np.uint8)

    def mother_codeword(self, u) -> np.ndarray:
        """The full mother codeword, filler and punctured bits included (TS 38.212 §5.3.2).

        ``pcm @ c = 0 (mod 2)`` holds for it; :meth:`encode` sends a part of it.

        Input
        -----
        u : uint8 [..., k]
            Information bits in {0, 1} (other integer dtypes and bool accepted).

        Output
        ------
        c : uint8 [..., n_ldpc]
            The codeword: ``c[..., :k] = u``, filler bits 0, then the parity bits.
        """
        u = self._check_bits(u)
        cw = self._mother_codeword(u, self._shifts.shape[1])
        return cw.reshape(u.shape[:-1] + (self.n_ldpc,))

    def encode(self, u) -> np.ndarray:
        """Encode and rate-match (TS 38.212 §5.3.2, §5.4.2.1).

        Input
        -----
        u : uint8 [..., k]
            Information bits in {0, 1} (other integer dtypes and bool accepted).

        Output
        ------
        c : uint8 [..., n]
            The first n bits read cyclically from the circular buffer, fillers skipped.
        """
        u = self._check_bits(u)
        cw = self._mother_codeword(u, self._n_cols_used)
        return _gather_kernel(cw, self._tx_index).reshape(u.shape[:-1] + (self.n,))

    # ------------------------------------------------------------------ decoding
    def derate_match(self, llr) -> np.ndarray:
        """De-rate-matching: rate-matched LLRs onto the decoder graph (inverse of TS 38.212 §5.4.2.1).

        Repetitions are summed, punctured and unsent bits get 0, and filler bits (known zeros)
        get ``KNOWN_LLR``. Column j of the graph is codeword bit j.

        Input
        -----
        llr : float [..., n]
            Rate-matched LLRs ``ln P(b=0|y)/P(b=1|y)``, any floating dtype.

        Output
        ------
        llr_graph : float32 [B, graph.n_vars]
            B = the product of the leading dimensions (flattened).
        """
        llr = np.asarray(llr)
        if llr.ndim < 1 or llr.shape[-1] != self.n:
            raise ValueError(f"llr: got shape {llr.shape}; allowed: [..., n] with n = {self.n}")
        if not np.issubdtype(llr.dtype, np.floating):
            raise TypeError(f"llr: got dtype {llr.dtype}; allowed: a floating dtype")
        dtype = llr.dtype if llr.dtype in (np.float32, np.float64) else np.float32
        flat = np.ascontiguousarray(llr.reshape(-1, self.n), dtype=dtype)
        return _derate_kernel(flat, self._tx_index, self.graph.n_vars, self.k, self.k_ldpc)

    def _bp(self, llr, num_iter, algorithm, early_stop, schedule, scaling, offset, llr_max,
            precision, return_posteriors=False):
        """BP on the decoder graph: (hard uint8 [B, n_vars], iterations int32 [B], batch shape),
        and the posteriors [B, n_vars] after them with ``return_posteriors``."""
        if algorithm not in CN_RULES:
            raise ValueError(f"algorithm: got {algorithm!r}; allowed: {', '.join(CN_RULES)}")
        llr = np.asarray(llr)
        batch_shape = llr.shape[:-1]
        dec_llr = self.derate_match(llr)
        got = bp_decode(self.graph, dec_llr, num_iter=num_iter, algorithm=algorithm,
                        schedule=schedule, early_stop=early_stop,
                        alpha=0.75 if scaling is None else scaling,
                        beta=0.5 if offset is None else offset, llr_max=llr_max,
                        precision=precision, return_posteriors=return_posteriors)
        return (*got[:2], batch_shape, *got[2:])

    def decode(self, llr, num_iter: int = 20, algorithm: str = "nms", early_stop: bool = True,
               return_iterations: bool = False, schedule: str | None = None,
               scaling: float | None = None, offset: float | None = None, llr_max: float = 20.0,
               precision: str = "float32"):
        """De-rate-match and BP-decode rate-matched LLRs (receiver of TS 38.212 §5.3.2, §5.4.2.1).

        The standard does not specify the receiver; :func:`linksim.fec.ldpc.bp_decode` is
        the decoder. :meth:`decode_llr` is the same decoder with the
        :class:`linksim.fec.code.Code` output.

        Parameters
        ----------
        num_iter : int
            Maximum iterations, >= 1.
        algorithm : {"spa", "nms", "oms"}
            "spa" (sum-product, flooding by default), "nms" (normalized min-sum, layered by
            default, ``scaling`` alpha = 0.75) or "oms" (offset min-sum, layered, ``offset``
            beta = 0.5).
        early_stop : bool
            Stop a frame once its syndrome is zero.
        return_iterations : bool
            Also return the iterations used per frame.
        schedule : {"flooding", "layered"} or None
            Overrides the algorithm's default schedule.
        scaling : float or None
            Min-sum normalization alpha (nms); None: 0.75.
        offset : float or None
            Min-sum offset beta (oms); None: 0.5.
        llr_max : float
            Clipping of the check-node outputs, > 0 (<= 40 for SPA).
        precision : {"float32", "float64", "int16", "int8"}
            Arithmetic of the messages.

        Input
        -----
        llr : float [..., n]
            Rate-matched LLRs ``ln P(b=0|y)/P(b=1|y)`` (positive favours 0).

        Output
        ------
        u_hat : uint8 [..., k]
            The information bits of the final hard decisions.
        iterations : int32 [...]
            Iterations used per frame; returned only with ``return_iterations``, as
            ``(u_hat, iterations)``.
        """
        hard, iters, batch_shape = self._bp(llr, num_iter, algorithm, early_stop, schedule,
                                            scaling, offset, llr_max, precision)
        u_hat = hard[:, : self.k].reshape(batch_shape + (self.k,))
        if return_iterations:
            return u_hat, iters.reshape(batch_shape)
        return u_hat

    def decode_llr(self, llr, num_iter: int = 20, algorithm: str = "nms", early_stop: bool = True,
                   schedule: str | None = None, scaling: float | None = None,
                   offset: float | None = None, llr_max: float = 20.0,
                   precision: str = "float32") -> tuple[np.ndarray, np.ndarray]:
        """The :class:`linksim.fec.code.Code` decoder: :meth:`decode` plus the syndrome flag.

        The receiver side of TS 38.212 §5.3.2 and §5.4.2.1 (de-rate-matching, BP decoding);
        the standard does not specify the receiver.

        Parameters
        ----------
        num_iter, algorithm, early_stop, schedule, scaling, offset, llr_max, precision : see decode
            As :meth:`decode`, with the same defaults.

        Input
        -----
        llr : float [batch, n]
            Rate-matched LLRs ``ln P(b=0|y)/P(b=1|y)`` (positive favours 0).

        Output
        ------
        u_hat : uint8 [batch, k]
            The information bits of the final hard decisions, the same as :meth:`decode`
            gives.
        ok : bool [batch]
            The hard decisions satisfy every check of the decoder graph
            (``graph.syndrome(hard) == 0``): the base-graph rows whose parity bits are sent,
            filler bits known zeros. A codeword, not necessarily the sent one.
        """
        hard, iters, batch_shape = self._bp(llr, num_iter, algorithm, early_stop, schedule,
                                            scaling, offset, llr_max, precision)
        ok = checks_satisfied(self.graph, hard, iters, num_iter, early_stop)
        return hard[:, : self.k].reshape(batch_shape + (self.k,)), ok.reshape(batch_shape)

    def decode_posteriors(self, llr, num_iter: int = 20, algorithm: str = "nms",
                          early_stop: bool = True, schedule: str | None = None,
                          scaling: float | None = None, offset: float | None = None,
                          llr_max: float = 20.0, precision: str = "float32"):
        """:meth:`decode_llr` plus the decoder's final posterior LLRs of the information bits
        (an eavesdropper's soft output; :func:`linksim.fec.ldpc.bp_decode`,
        ``return_posteriors``).

        Parameters
        ----------
        num_iter, algorithm, early_stop, schedule, scaling, offset, llr_max, precision : see decode
            As :meth:`decode`, with the same defaults.

        Input
        -----
        llr : float [batch, n]

        Output
        ------
        u_hat : uint8 [batch, k]
        ok : bool [batch]
        posteriors : float32 or float64 [batch, k]
            ``ln P(b=0|.)/P(b=1|.)`` of each information bit as BP ends (``u_hat`` is its sign),
            in ``precision``.
        """
        hard, iters, batch_shape, post = self._bp(llr, num_iter, algorithm, early_stop,
                                                  schedule, scaling, offset, llr_max,
                                                  precision, return_posteriors=True)
        ok = checks_satisfied(self.graph, hard, iters, num_iter, early_stop)
        shape = batch_shape + (self.k,)
        return (hard[:, : self.k].reshape(shape), ok.reshape(batch_shape),
                post[:, : self.k].reshape(shape))

    def __repr__(self) -> str:
        return (f"LDPC5G(k={self.k}, n={self.n}, bg={self.bg}, Zc={self.z}, i_LS={self.i_ls}, "
                f"filler={self.n_filler}, rows used={self._n_rows_used})")


@nb.njit(parallel=True, cache=True, error_model="numpy")
def _encode_kernel(cw, z, ptr, cols, shifts, targets, tshifts):
    """Fill the parity blocks of ``cw`` [B, cols*Z] in solve order (see _build_encoder_tables).

    cw : uint8 [B, n_cols*Z], systematic bits set, parity blocks written; z : int; ptr : int64
    [n_steps + 1] (entries of step s are ``ptr[s]:ptr[s+1]``); cols, shifts : int64 [E];
    targets, tshifts : int64 [n_steps] (block column and shift of each solved block).

    A block entry with shift P applied to block column j gives, at position t, bit
    ``cw[j*Z + (t + P) mod Z]``. The solved block with shift Q satisfies
    ``target[(t + Q) mod Z] = acc[t]``. Each cyclic shift is two contiguous runs, so the XOR
    loops vectorize.
    """
    n_frames = cw.shape[0]
    for b in nb.prange(n_frames):
        acc = np.empty(z, np.uint8)
        row = cw[b]
        for step in range(targets.size):
            acc[:] = 0
            for e in range(ptr[step], ptr[step + 1]):
                base = cols[e] * z
                p = shifts[e]
                for t in range(z - p):
                    acc[t] ^= row[base + p + t]
                for t in range(z - p, z):
                    acc[t] ^= row[base + p + t - z]
            base = targets[step] * z
            q = tshifts[step]
            for t in range(z - q):
                row[base + q + t] = acc[t]
            for t in range(z - q, z):
                row[base + q + t - z] = acc[t]


@nb.njit(parallel=True, cache=True)
def _gather_kernel(cw, tx_index):
    """Rate matching's selection ``cw[:, tx_index]`` on all cores: uint8 [B, N] -> [B, n]."""
    out = np.empty((cw.shape[0], tx_index.size), np.uint8)
    for b in nb.prange(cw.shape[0]):
        for i in range(tx_index.size):
            out[b, i] = cw[b, tx_index[i]]
    return out


@nb.njit(parallel=True, cache=True)
def _derate_kernel(llr, tx_index, n_vars, k, k_ldpc):
    """Scatter-add rate-matched LLRs [B, n] onto codeword positions [B, n_vars]; fillers known.

    llr : float32 or float64 [B, n] (each value rounded to float32 as it is read, so the sums
    are the same either way; reading float64 directly saves a converted copy of the batch);
    tx_index : int64 [n], codeword position of each sent bit; n_vars, k, k_ldpc : int (fillers
    are positions k .. k_ldpc-1, set to KNOWN_LLR). Returns float32 [B, n_vars].
    """
    n_frames, n = llr.shape
    out = np.zeros((n_frames, n_vars), np.float32)
    for b in nb.prange(n_frames):
        for j in range(k, k_ldpc):
            out[b, j] = KNOWN_LLR
        for i in range(n):
            out[b, tx_index[i]] += np.float32(llr[b, i])
    return out
