"""The code protocol of :mod:`linksim.fec`: ``encode(u) -> c``, ``decode_llr(llr) -> (u_hat, ok)``.

Every channel code of the package (:class:`linksim.fec.ldpc.LDPC5G`,
:class:`linksim.fec.ldpc.LDPCCode`, :class:`linksim.fec.bch.BCH`) is a :class:`Code`: it has
``k`` and ``n``, ``encode`` and ``decode_llr``. Code that only moves bits through a code (a
system's layer, a test) uses these four names and nothing code-specific, except the decoder
options it chooses to pass (``decode_llr(llr, **options)``, e.g. ``num_iter`` for LDPC).

The soft-input decoder is ``decode_llr`` rather than ``decode`` because each code already
had a ``decode`` with its own signature, and other code calls those. ``LDPC5G.decode`` and
``LDPCCode.decode`` return ``u_hat`` alone (or ``(u_hat, iterations)``). ``BCH.decode``
takes hard bits. They stay as they are. ``decode_llr`` is a thin adapter over each of them.

LLR convention (DESIGN.md, docs/ARCHITECTURE.md, :mod:`linksim.mapping`):
``llr = ln P(b=0 | y) / P(b=1 | y)``. A positive LLR favours 0, and the hard decision is
``llr < 0 -> 1``. Sionna uses the opposite sign; convert at that boundary.

What ``ok`` means
-----------------
* LDPC (``LDPC5G``, ``LDPCCode``): the final hard decisions satisfy every parity check of
  the decoder's graph. For ``LDPC5G`` that graph has the base-graph rows whose parity bits
  are sent; filler bits are known zeros. ``ok`` does not say that the decoded word is the one
  that was sent, only that it is *a* codeword. A CRC (:mod:`linksim.fec.crc`) catches the
  rest.
* BCH: the bounded-distance decoder succeeded. The error locator has degree L <= t and
  exactly L roots among the sent positions. With at most t errors ``ok`` is True and
  ``u_hat`` is the sent message. With more errors the decoder either fails (``ok`` False,
  ``u_hat`` = the received message bits) or miscorrects to another codeword (``ok`` True).

:func:`cached_code` builds a code once per process per ``(kind, k, n)``. The systems use it
(``systems/coded_link``, ``systems/pld``), so one code object serves every link of a sweep.
"""

from __future__ import annotations

import functools
from typing import Protocol, runtime_checkable

import numpy as np

__all__ = ["Code", "CODE_KINDS", "cached_code"]

#: Code families :func:`cached_code` builds: the 5G NR LDPC code and the binary BCH code.
CODE_KINDS = ("ldpc5g", "bch")


@runtime_checkable
class Code(Protocol):
    """A binary block code with a soft-input decoder, ``k`` <-> ``n`` bits (DESIGN.md, "fec/").

    The protocol of DESIGN.md ("fec/: one code protocol encode(u) -> c, decode(llr) ->
    (u_hat, ok) over every code"). Each implementation names its own specification: TS 38.212
    §5.3.2 and §5.4.2.1 for LDPC5G, a parity-check matrix for LDPCCode, Lin & Costello ch. 6
    for BCH. Conventions: bits uint8 in {0, 1}; ``llr = ln P(b=0|y)/P(b=1|y)`` (positive
    favours 0; 0 = no information). Leading dimensions other than one batch axis, ``[..., k]``
    and ``[..., n]``, work too; ``batch`` may be 0.

    The constructor's parameters are each implementation's own; the protocol reads only the
    two attributes below and the two methods.

    Attributes
    ----------
    k : int
        Information bits per codeword (the encoder input, a CRC included if the caller
        attached one).
    n : int
        Code bits per codeword as sent (after rate matching or shortening).
    """

    k: int
    n: int

    def encode(self, u) -> np.ndarray:
        """Encode messages into codewords (the implementation's encoder and its standard).

        Input
        -----
        u : uint8 [batch, k]
            Message bits in {0, 1}.

        Output
        ------
        c : uint8 [batch, n]
            Codewords, as sent.
        """
        ...

    def decode_llr(self, llr) -> tuple[np.ndarray, np.ndarray]:
        """Decode channel LLRs into messages and the decoder's success flag (module docstring).

        Implementations take their decoder settings as keywords, all optional:
        ``decode_llr(llr, **options)`` (LDPC: ``num_iter``, ``algorithm``, ...; BCH: none).

        Input
        -----
        llr : float [batch, n]
            ``ln P(b=0|y)/P(b=1|y)``: positive favours 0, 0 = no information.

        Output
        ------
        u_hat : uint8 [batch, k]
            Decoded message bits.
        ok : bool [batch]
            The decoder's own success flag (module docstring, "What ``ok`` means": syndrome
            satisfied for LDPC, bounded-distance success for BCH).
        """
        ...


@functools.lru_cache(maxsize=64)
def _build(kind: str, k: int, n: int) -> Code:
    if kind == "ldpc5g":
        from linksim.fec.ldpc import LDPC5G
        return LDPC5G(k, n)
    from linksim.fec.bch import BCH
    return BCH(n, k)


def cached_code(kind: str, k: int, n: int) -> Code:
    """The code ``kind`` with ``k`` information and ``n`` code bits, built once per process.

    An LRU cache of 64 codes keyed by ``(kind, k, n)``. The codes are not mutated after
    construction, so every caller may share one object.

    Parameters
    ----------
    kind : {"ldpc5g", "bch"}
        ``"ldpc5g"``: :class:`linksim.fec.ldpc.LDPC5G` ``(k, n)`` (base graph chosen as TS
        38.212 §7.2.2); ``"bch"``: :class:`linksim.fec.bch.BCH` ``(n, k)`` (the mother code's
        field degree is the smallest that fits). The arguments here are ``(k, n)`` for both.
    k : int
        Information bits, as the constructor requires.
    n : int
        Code bits, as the constructor requires. The constructor's ValueError or TypeError
        passes through, and a failed construction is not cached.

    Returns
    -------
    code : Code
        The shared code object.
    """
    if kind not in CODE_KINDS:
        raise ValueError(f"kind: got {kind!r}; allowed: one of {', '.join(CODE_KINDS)}")
    return _build(kind, k, n)
