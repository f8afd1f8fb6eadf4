"""linksim: a bit-true link-level PHY simulator for physical-layer security and coding research.

See ``DESIGN.md`` (shared) for the layer map and the array / LLR conventions:
arrays are batch-first NumPy, bits are ``uint8`` in {0, 1}, LLR = ln P(b=0|y) / P(b=1|y).
"""

__version__ = "0.1.0"
