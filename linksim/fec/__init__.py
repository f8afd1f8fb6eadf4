"""Channel codes and CRCs: every code is a :class:`linksim.fec.code.Code`
(``encode(u) -> c``, ``decode_llr(llr) -> (u_hat, ok)``); :func:`cached_code` builds one once
per process."""

from .code import CODE_KINDS, Code, cached_code

__all__ = ["Code", "CODE_KINDS", "cached_code"]
