"""LDPC codes: the 5G NR code (TS 38.212) and generic codes from a parity-check matrix / alist.

All codes share the belief-propagation decoders of :mod:`linksim.fec.ldpc.decoder`.
"""

from .alist import LDPCCode, read_alist, write_alist
from .decoder import CN_RULES, KNOWN_LLR, SCHEDULES, QCGraph, bp_decode, checks_satisfied
from .nr5g import K_MAX, K_MIN, LDPC5G, base_graph, lifting_sizes, select_base_graph

__all__ = ["LDPC5G", "LDPCCode", "QCGraph", "KNOWN_LLR", "bp_decode", "checks_satisfied",
           "read_alist", "write_alist", "base_graph", "lifting_sizes", "select_base_graph",
           "CN_RULES", "SCHEDULES", "K_MIN", "K_MAX"]
