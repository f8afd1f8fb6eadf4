"""Multiple access in the power domain: superposition of layers and successive interference
cancellation (SIC).

:mod:`linksim.multiple_access.noma` superposes two layers (NOM) and gives the SIC receiver's
per-layer soft demappers (Gaussian-interference or exact joint LLRs for the primary layer).
"""
