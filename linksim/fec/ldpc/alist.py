"""Generic binary LDPC codes from a parity-check matrix, and the alist file format.

alist (D. MacKay's format): ``N M`` / ``max column degree, max row degree`` / the N column
degrees / the M row degrees / N lines of 1-based row indices per column / M lines of 1-based
column indices per row. Lines may be zero-padded to the maximum degree or not; both are read.
"""

from __future__ import annotations

import os

import numpy as np
import scipy.sparse as sp

from .decoder import CN_RULES, QCGraph, bp_decode, checks_satisfied

__all__ = ["read_alist", "write_alist", "LDPCCode"]


def read_alist(path: str | os.PathLike) -> sp.csr_matrix:
    """Read a parity-check matrix from an alist file (MacKay's format, module docstring).

    Lines zero-padded to the maximum degree or not are both read; the row section must
    describe the same matrix as the column section.

    Parameters
    ----------
    path : str or os.PathLike
        The alist file.

    Returns
    -------
    pcm : scipy.sparse.csr_matrix, uint8 [M, N]
        H, entries 0/1.

    Raises
    ------
    ValueError
        Not an alist file, truncated degree lists, wrong entry counts, a column whose
        entries differ from its degree, or column and row sections that disagree.
    """
    with open(path) as fh:
        tokens = [int(t) for t in fh.read().split()]
    if len(tokens) < 4:
        raise ValueError(f"path: {os.fspath(path)!r} is not an alist file (fewer than 4 numbers)")
    n, m, max_col, max_row = tokens[:4]
    col_deg = np.array(tokens[4:4 + n])
    row_deg = np.array(tokens[4 + n:4 + n + m])
    body = tokens[4 + n + m:]
    if len(col_deg) != n or len(row_deg) != m:
        raise ValueError(f"path: {os.fspath(path)!r}: truncated degree lists")
    padded = len(body) == n * max_col + m * max_row
    if not padded and len(body) != col_deg.sum() + row_deg.sum():
        raise ValueError(f"path: {os.fspath(path)!r}: {len(body)} index entries, expected "
                         f"{n * max_col + m * max_row} (padded) or {col_deg.sum() + row_deg.sum()}")
    rows, cols, pos = [], [], 0
    for j in range(n):
        width = max_col if padded else col_deg[j]
        entries = [e for e in body[pos:pos + width] if e > 0]
        if len(entries) != col_deg[j]:
            raise ValueError(f"path: column {j} lists {len(entries)} rows, its degree says {col_deg[j]}")
        rows += [e - 1 for e in entries]
        cols += [j] * len(entries)
        pos += width
    h = sp.csr_matrix((np.ones(len(rows), np.uint8), (rows, cols)), shape=(m, n))
    # The row section must describe the same matrix.
    check_rows, check_cols = [], []
    for i in range(m):
        width = max_row if padded else row_deg[i]
        entries = [e for e in body[pos:pos + width] if e > 0]
        check_rows += [i] * len(entries)
        check_cols += [e - 1 for e in entries]
        pos += width
    h_rows = sp.csr_matrix((np.ones(len(check_rows), np.uint8), (check_rows, check_cols)), shape=(m, n))
    if (h != h_rows).nnz:
        raise ValueError(f"path: {os.fspath(path)!r}: the row and column sections disagree")
    return h


def write_alist(pcm, path: str | os.PathLike) -> None:
    """Write a binary matrix as a zero-padded alist file (MacKay's format, module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (overwritten).

    Input
    -----
    pcm : uint8 [M, N]
        Binary parity-check matrix, dense or scipy.sparse (any dtype holding 0/1).
    """
    h = sp.csc_matrix(pcm, dtype=np.uint8)
    m, n = h.shape
    hr = h.tocsr()
    col_deg = np.diff(h.indptr)
    row_deg = np.diff(hr.indptr)
    lines = [f"{n} {m}", f"{col_deg.max()} {row_deg.max()}",
             " ".join(map(str, col_deg)), " ".join(map(str, row_deg))]
    for j in range(n):
        idx = list(h.indices[h.indptr[j]:h.indptr[j + 1]] + 1)
        lines.append(" ".join(map(str, idx + [0] * (col_deg.max() - len(idx)))))
    for i in range(m):
        idx = list(hr.indices[hr.indptr[i]:hr.indptr[i + 1]] + 1)
        lines.append(" ".join(map(str, idx + [0] * (row_deg.max() - len(idx)))))
    with open(path, "w") as fh:
        fh.write("\n".join(lines) + "\n")


def _gf2_systematic(h: np.ndarray):
    """Reduced row echelon form of ``h`` over GF(2).

    Returns ``(pivots, info, p)``: pivot columns, the k = N - rank information columns, and
    the dense parity map ``p`` uint8 [rank, k] with ``c[pivots] = p @ c[info] mod 2``.
    """
    a = h.astype(bool).copy()
    m, n = a.shape
    pivots, row = [], 0
    for col in range(n):
        if row == m:
            break
        hit = np.flatnonzero(a[row:, col])
        if hit.size == 0:
            continue
        r = row + hit[0]
        if r != row:
            a[[row, r]] = a[[r, row]]
        others = np.flatnonzero(a[:, col])
        others = others[others != row]
        a[others] ^= a[row]
        pivots.append(col)
        row += 1
    pivots = np.array(pivots, np.int64)
    info = np.setdiff1d(np.arange(n), pivots)
    p = a[:row][:, info].astype(np.uint8)
    return pivots, info, p


class LDPCCode:
    """A binary LDPC code given by its parity-check matrix H, ``H c = 0 (mod 2)``.

    Encoding is systematic on the information columns found by GF(2) elimination (dense, so
    meant for codes up to a few thousand bits); decoding uses the same BP kernels as LDPC5G
    (:mod:`linksim.fec.ldpc.decoder`). A :class:`linksim.fec.code.Code`: :meth:`encode` and
    :meth:`decode_llr`.

    Parameters
    ----------
    pcm : array_like [M, N], scipy.sparse matrix, str or os.PathLike
        H as a dense or sparse binary matrix, or the path of an alist file
        (:func:`read_alist`). It must not have full column rank (k >= 1).

    Attributes
    ----------
    n : int
        Code length N.
    k : int
        Dimension N - rank H.
    info_positions : int64 [k]
        The information columns, in increasing order; the codeword holds ``u`` there.
    graph : QCGraph
        The Tanner graph of H (Z = 1).
    pcm : scipy.sparse.csr_matrix, uint8 [M, N]
        H.
    """

    def __init__(self, pcm):
        if isinstance(pcm, (str, os.PathLike)):
            pcm = read_alist(pcm)
        self.pcm = sp.csr_matrix(pcm, dtype=np.uint8)
        if self.pcm.ndim != 2 or 0 in self.pcm.shape:
            raise ValueError(f"pcm: got shape {self.pcm.shape}; allowed: a non-empty 2-D binary matrix")
        self.graph = QCGraph.from_pcm(self.pcm)
        self._pivots, self.info_positions, self._parity_map = _gf2_systematic(self.pcm.toarray())
        self.n = self.pcm.shape[1]
        self.k = int(self.info_positions.size)
        if self.k == 0:
            raise ValueError("pcm: has full column rank, so the code has no information bits")

    def encode(self, u) -> np.ndarray:
        """Systematic encoding: ``c[info_positions] = u`` and ``pcm @ c = 0 (mod 2)``.

        Input
        -----
        u : uint8 [..., k]
            Message bits in {0, 1} (any numeric dtype holding 0/1).

        Output
        ------
        c : uint8 [..., n]
            Codewords.
        """
        u = np.asarray(u)
        if u.shape[-1:] != (self.k,):
            raise ValueError(f"u: got shape {u.shape}; allowed: [..., k] with k = {self.k}")
        if u.size and (u.min() < 0 or u.max() > 1):
            raise ValueError("u: values outside {0, 1}; allowed: bits 0 or 1")
        flat = u.reshape(-1, self.k).astype(np.uint8)
        c = np.zeros((flat.shape[0], self.n), np.uint8)
        c[:, self.info_positions] = flat
        c[:, self._pivots] = (flat.astype(np.int32) @ self._parity_map.T.astype(np.int32)) & 1
        return c.reshape(u.shape[:-1] + (self.n,))

    def _bp(self, llr, num_iter, algorithm, early_stop, schedule, scaling, offset, llr_max):
        """BP on the graph: (hard uint8 [B, n], iterations int32 [B], batch shape)."""
        if algorithm not in CN_RULES:
            raise ValueError(f"algorithm: got {algorithm!r}; allowed: {', '.join(CN_RULES)}")
        llr = np.asarray(llr)
        if llr.shape[-1:] != (self.n,):
            raise ValueError(f"llr: got shape {llr.shape}; allowed: [..., n] with n = {self.n}")
        hard, iters = bp_decode(self.graph, llr.reshape(-1, self.n), num_iter=num_iter,
                                algorithm=algorithm, schedule=schedule, early_stop=early_stop,
                                alpha=0.75 if scaling is None else scaling,
                                beta=0.5 if offset is None else offset, llr_max=llr_max)
        return hard, iters, llr.shape[:-1]

    def decode(self, llr, num_iter: int = 20, algorithm: str = "spa", early_stop: bool = True,
               return_iterations: bool = False, output: str = "info", schedule: str | None = None,
               scaling: float | None = None, offset: float | None = None, llr_max: float = 20.0):
        """Belief-propagation decoding on the Tanner graph of ``pcm`` (:func:`bp_decode`).

        Same algorithms and options as :meth:`linksim.fec.ldpc.LDPC5G.decode`, except the
        default algorithm (SPA here) and the fixed float32 messages. :meth:`decode_llr` is the
        same decoder with the :class:`linksim.fec.code.Code` output.

        Parameters
        ----------
        num_iter : int
            Maximum iterations, >= 1.
        algorithm : {"spa", "nms", "oms"}
            Check-node rule: sum-product, normalized min-sum, offset min-sum.
        early_stop : bool
            Stop a frame once its syndrome is zero.
        return_iterations : bool
            Also return the iterations used per frame.
        output : {"info", "codeword"}
            Return the information bits or the whole hard-decision codeword.
        schedule : {"flooding", "layered"} or None
            None: flooding for SPA, layered for min-sum.
        scaling : float or None
            Min-sum normalization alpha (nms); None: 0.75.
        offset : float or None
            Min-sum offset beta (oms); None: 0.5.
        llr_max : float
            Clipping of the check-node outputs, > 0 (<= 40 for SPA).

        Input
        -----
        llr : float [..., n]
            Channel LLRs ``ln P(b=0|y)/P(b=1|y)`` (positive favours 0).

        Output
        ------
        u_hat : uint8 [..., k]
            Hard decisions on ``info_positions``; uint8 [..., n] with ``output="codeword"``.
        iterations : int32 [...]
            Iterations used per frame; returned only with ``return_iterations``, as
            ``(u_hat, iterations)``.
        """
        if algorithm not in CN_RULES:
            raise ValueError(f"algorithm: got {algorithm!r}; allowed: {', '.join(CN_RULES)}")
        if output not in ("info", "codeword"):
            raise ValueError(f"output: got {output!r}; allowed: 'info' or 'codeword'")
        hard, iters, batch_shape = self._bp(llr, num_iter, algorithm, early_stop, schedule,
                                            scaling, offset, llr_max)
        out = hard if output == "codeword" else hard[:, self.info_positions]
        out = out.reshape(batch_shape + (out.shape[-1],))
        if return_iterations:
            return out, iters.reshape(batch_shape)
        return out

    def decode_llr(self, llr, num_iter: int = 20, algorithm: str = "spa", early_stop: bool = True,
                   schedule: str | None = None, scaling: float | None = None,
                   offset: float | None = None,
                   llr_max: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
        """The :class:`linksim.fec.code.Code` decoder: :meth:`decode` plus the syndrome flag.

        BP decoding on the Tanner graph of ``pcm`` (:func:`linksim.fec.ldpc.bp_decode`).

        Parameters
        ----------
        num_iter, algorithm, early_stop, schedule, scaling, offset, llr_max : see decode
            As :meth:`decode`, with the same defaults (SPA, flooding).

        Input
        -----
        llr : float [batch, n]
            Channel LLRs ``ln P(b=0|y)/P(b=1|y)`` (positive favours 0).

        Output
        ------
        u_hat : uint8 [batch, k]
            The hard decisions on ``info_positions``.
        ok : bool [batch]
            ``pcm @ c_hat = 0 (mod 2)`` for the final hard decisions ``c_hat``: a codeword,
            not necessarily the sent one.
        """
        hard, iters, batch_shape = self._bp(llr, num_iter, algorithm, early_stop, schedule,
                                            scaling, offset, llr_max)
        ok = checks_satisfied(self.graph, hard, iters, num_iter, early_stop)
        return (hard[:, self.info_positions].reshape(batch_shape + (self.k,)),
                ok.reshape(batch_shape))
