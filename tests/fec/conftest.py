"""Fixtures of the FEC tests: the one table of 5G NR LDPC code sizes, and shared helpers.

``LDPC_SIZES`` lists every (k, n, bg) that an LDPC test runs over, each with the named
selections that use it. A test takes its cases from the table in one of two ways:

- ``@pytest.mark.ldpc_sizes("encoder")`` on a test with the arguments ``k, n, bg``:
  ``pytest_generate_tests`` below parametrizes it over that selection (ids ``k40-n100`` or
  ``k44-n100-bg1``, bg only where it is forced);
- the ``ldpc_sizes`` fixture: ``ldpc_sizes("graph")`` is the list of (k, n, bg) of a selection,
  for tests that loop over the cases themselves or check what a selection covers.

Selections (each keeps the cases its tests had, so no test got slower):

``encoder``    tests/fec/test_ldpc.py, the encoder and read-out checks (128 messages a case):
               both base graphs, all 8 lifting sets of each, fillers, punctured buffers,
               repetition (n > buffer), the PLD sizes (20, 128) and (20, 500).
``noiseless``  tests/fec/test_ldpc.py, noiseless decoding on every algorithm and schedule.
``graph``      tests/fec/test_ldpc.py, the decoder graph (QCGraph) of 5G codes.
``derate``     tests/fec/test_ldpc.py, de-rate-matching (repetition, puncturing, fillers).
``sionna``     tests/fec/test_ldpc_sionna.py, bit-exact with Sionna's encoder: 1/5 <= k/n <=
               0.95 (Sionna has no repetition and wants R >= 1/3 on BG1); both graphs, all 8
               lifting sets of each, fillers, punctured buffers.
``reference``  tests/fec/test_reference_vectors.py: the codes frozen in
               ``data/ldpc5g_sionna.npz`` (written by ``tools/make_reference_vectors.py``
               from this selection): both graphs, all 8 lifting sets,
               rates up to 0.9497, repetition read from Sionna's circular buffer.

Helpers handed out as fixtures (the test modules do not import each other):

``awgn_llr(rng, cw, ebno_db, rate)``  BPSK (0 -> +1) over real AWGN at Eb/N0, LLR = ln P(0)/P(1)
                                       = 2 y / sigma^2, float32.
``gallager_pcm(rng, n, wc, wr)``      Gallager's (wc, wr)-regular parity-check matrix.
``decoder_llrs(code, frames, ebno_db, seed)``  de-rate-matched decoder LLRs [frames, graph
                                       vars] of random codewords of a 5G ``code``, float32
                                       (awgn_llr on the rate-matched bits).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

SELECTIONS = ("encoder", "noiseless", "graph", "derate", "sionna", "reference")

# (k, n, bg, selections): bg None lets LDPC5G pick the base graph (TS 38.212 §7.2.2), 1 or 2
# forces it. Comments: base graph, Z_c, lifting-size set i_LS, filler bits F, sendable buffer
# N_cb - F, and what the case exercises.
LDPC_SIZES = (
    # ---- BG2
    (12, 40, None, "encoder sionna reference"),         # Z 2, set 0, F 8; smallest k
    (17, 60, None, "encoder sionna reference"),         # Z 3, set 1
    (20, 60, None, "graph"),                            # Z 4, set 0
    (20, 100, None, "sionna"),                          # Z 4, R = 0.2
    (20, 128, None, "encoder noiseless"),               # PLD
    (20, 500, None, "encoder noiseless derate"),        # PLD, repetition (buffer 180 bits)
    (20, 600, None, "reference"),                       # 3.3 passes over the 180-bit buffer
    (30, 90, None, "encoder sionna reference"),         # Z 5, set 2
    (40, 100, None, "encoder sionna reference"),        # Z 7, set 3
    (54, 200, None, "encoder sionna reference"),        # Z 9, set 4
    (66, 130, None, "encoder sionna reference"),        # Z 11, set 5
    (78, 160, None, "encoder sionna reference"),        # Z 13, set 6
    (90, 400, None, "encoder sionna reference"),        # Z 15, set 7
    (100, 130, None, "graph"),                          # Z 18, set 4, high rate
    (100, 300, None, "encoder noiseless derate"),       # Z 18, set 4
    (100, 1200, None, "reference"),                     # Z 18, F 80: 1.5 passes
    (193, 400, None, "encoder sionna"),                 # K_b jumps to 8
    (292, 320, None, "encoder sionna reference"),       # k <= 292 keeps BG2 at R = 0.91
    (512, 1024, None, "encoder sionna noiseless graph derate"),   # Z 64
    (561, 1000, None, "encoder sionna reference"),      # K_b = 9
    (700, 3500, None, "encoder sionna reference"),      # K_b = 10, R = 0.2
    (1000, 2500, None, "sionna"),                       # Z 104
    (1000, 6000, None, "encoder"),                      # R = 1/6, repetition of a 5160-bit buffer
    (3000, 12000, None, "sionna"),                      # R = 0.25, Z 320 (set 2)
    (3000, 15000, None, "encoder"),                     # Z 320, nearly the whole buffer
    (3840, 16000, None, "encoder sionna reference"),    # largest BG2 k, Z 384, no filler
    # ---- BG1
    (44, 100, 1, "encoder sionna reference"),           # forced, Z 2, set 0, no filler
    (44, 200, 1, "reference"),                          # forced, Z 2: 1.5 passes
    (60, 1000, 1, "encoder"),                           # forced, Z 3, set 1, repetition
    (100, 130, 1, "encoder"),                           # forced, Z 5, set 2
    (190, 260, 1, "encoder"),                           # forced, Z 9, set 4
    (240, 300, 1, "encoder"),                           # forced, Z 11, set 5
    (293, 320, None, "encoder sionna reference"),       # k > 292, R > 0.67 -> BG1, Z 14, set 3
    (300, 400, 1, "noiseless"),                         # forced, Z 14
    (300, 2000, 1, "encoder"),                          # forced, Z 14, repetition (916 bits)
    (320, 400, None, "sionna reference"),               # Z 15, set 7
    (320, 400, 1, "encoder"),                           # forced, Z 15, set 7
    (340, 400, None, "sionna reference"),               # Z 16, set 0
    (380, 450, None, "sionna reference"),               # Z 18, set 4
    (420, 500, None, "sionna reference"),               # Z 20, set 2
    (480, 600, None, "sionna reference"),               # Z 22, set 5
    (500, 700, None, "sionna reference"),               # Z 24, set 1
    (572, 700, None, "encoder sionna reference"),       # Z 26, set 6, no filler
    (1000, 1053, None, "reference"),                    # R = 0.9497, just under the 0.95 limit
    (1000, 1200, None, "encoder sionna noiseless graph"),   # Z 48, set 1
    (3000, 4000, None, "noiseless"),                    # Z 144
    (3825, 7650, None, "encoder sionna reference"),     # k > 3824 at R = 1/2 -> BG1
    (4000, 6000, None, "encoder sionna"),               # Z 192
    (4000, 15000, None, "reference"),                   # Z 192, F 224: 1.2 passes
    (8448, 9000, None, "encoder sionna reference"),     # largest k, Z 384, no filler
    (8448, 12000, None, "sionna"),                      # largest k at R = 0.7
    (8448, 30000, None, "encoder"),                     # whole buffer plus a partial repetition
)


def select(selection: str) -> list[tuple[int, int, int | None]]:
    """The (k, n, bg) of ``LDPC_SIZES`` in ``selection``, in table order."""
    if selection not in SELECTIONS:
        raise ValueError(f"selection: got {selection!r}; allowed: one of {SELECTIONS}")
    return [(k, n, bg) for k, n, bg, tags in LDPC_SIZES if selection in tags.split()]


def size_id(case: tuple[int, int, int | None]) -> str:
    k, n, bg = case
    return f"k{k}-n{n}" + (f"-bg{bg}" if bg else "")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "ldpc_sizes(selection): parametrize the arguments k, n, bg over a named "
                   "selection of LDPC_SIZES (tests/fec/conftest.py)")


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("ldpc_sizes")
    if marker is not None:
        cases = select(*marker.args)
        metafunc.parametrize("k, n, bg", cases, ids=[size_id(c) for c in cases])


@pytest.fixture(scope="session")
def ldpc_sizes():
    """``ldpc_sizes(selection)``: the (k, n, bg) of a named selection of ``LDPC_SIZES``."""
    return select


def _awgn_llr(rng, cw, ebno_db: float, rate: float) -> np.ndarray:
    """BPSK (0 -> +1) over real AWGN at Eb/N0: LLR = ln P(0)/P(1) = 2 y / sigma^2 (the same per
    bit for Gray QPSK)."""
    sigma2 = 1.0 / (2.0 * rate * 10 ** (ebno_db / 10))
    y = (1.0 - 2.0 * cw) + rng.normal(0.0, math.sqrt(sigma2), cw.shape)
    return (2.0 * y / sigma2).astype(np.float32)


def _decoder_llrs(code, frames: int, ebno_db: float, seed: int) -> np.ndarray:
    """De-rate-matched LLRs of ``frames`` random codewords of ``code`` at Eb/N0 (awgn_llr)."""
    rng = np.random.default_rng(seed)
    u = rng.integers(0, 2, (frames, code.k), dtype=np.uint8)
    return code.derate_match(_awgn_llr(rng, code.encode(u), ebno_db, code.k / code.n))


def _gallager_pcm(rng, n: int, wc: int, wr: int) -> np.ndarray:
    """Gallager's (wc, wr)-regular construction: wc stacked bands, the first banded, the others
    column permutations of it. Each band has one 1 per column, so no entry is doubled."""
    m_band = n // wr
    band = np.zeros((m_band, n), np.uint8)
    for i in range(m_band):
        band[i, i * wr:(i + 1) * wr] = 1
    return np.vstack([band] + [band[:, rng.permutation(n)] for _ in range(wc - 1)])


@pytest.fixture(scope="session")
def awgn_llr():
    """``awgn_llr(rng, cw, ebno_db, rate)``: float32 LLRs of BPSK codewords over AWGN."""
    return _awgn_llr


@pytest.fixture(scope="session")
def gallager_pcm():
    """``gallager_pcm(rng, n, wc, wr)``: a (wc, wr)-regular parity-check matrix, uint8."""
    return _gallager_pcm


@pytest.fixture(scope="session")
def decoder_llrs():
    """``decoder_llrs(code, frames, ebno_db, seed)``: see the module docstring."""
    return _decoder_llrs
