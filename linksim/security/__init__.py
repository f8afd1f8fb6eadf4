"""Security layer of linksim: the deceptive cipher of the PLD paper (notes 003 §3.1-3.2, §9 A4)
built on NIST SP 800-38G FF1."""

from linksim.security.cipher import (
    FF1_MAX_RADIX,
    FF1_MIN_DOMAIN,
    HKDF_INFO_PREFIX,
    HKDF_SALT,
    DeceptiveCipher,
    condition4_fraction,
    ff1_decrypt,
    ff1_encrypt,
    ff1_minlen,
    litter,
)

__all__ = [
    "FF1_MAX_RADIX",
    "FF1_MIN_DOMAIN",
    "HKDF_INFO_PREFIX",
    "HKDF_SALT",
    "DeceptiveCipher",
    "condition4_fraction",
    "ff1_decrypt",
    "ff1_encrypt",
    "ff1_minlen",
    "litter",
]
