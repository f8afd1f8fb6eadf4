"""linksim's LDPC and BCH codes against frozen outputs of independent reference libraries.

Issue 10: two oracles of the test suite share their source with the code under test: the 5G
NR base graphs were transcribed from Sionna, and ``linksim.fec.bch`` carries its own galois
reference wrappers. The vectors in ``tests/fec/data/`` were written once by
``tools/make_reference_vectors.py`` (its docstring says how to regenerate them and how each
vector was made) and are checked here without importing Sionna or galois:

``ldpc5g_sionna.npz``  Sionna 2.2.0 ``sionna.phy.fec.ldpc.LDPC5GEncoder`` (RV 0, no output
    interleaver): 28 (k, n) codes, 3 random messages each, with the rate-matched codewords and
    Sionna's Z_c, filler count F and circular buffer length N_cb. The codes cover both base
    graphs (selected by TS 38.212 §7.2.2, and BG1 also forced), all eight lifting-size sets
    of each, filler bits, punctured buffers, rates up to 0.9497 and repetition (n > N_cb - F).
    Sionna refuses the rates of the repetition cases; their codewords are Sionna's compressed
    circular buffer (read from its RV 0..3 outputs) read cyclically per §5.4.2.1.
    Checked: ``LDPC5G(k, n, bg).encode(u)`` equals the codewords bit for bit, and its base graph,
    Z_c, F and N_cb equal Sionna's.

``bch_galois.npz``  galois 0.4.11 ``galois.BCH``: 24 primitive narrow-sense codes (n = 15, 31,
    63, 127 with several k each; n = 255 with k = 239, 131) and 2 shortened ones ((48, 30) from
    (63, 45), (100, 72) from (127, 99)); per code t, d, the mother code, the generator polynomial
    g(x) (coefficients in descending degree, the order of ``BCH.generator_poly``), 4 messages
    with galois's systematic codewords (message first, c[0] the coefficient of x^(n-1)), and 6
    received words with 0..t errors with galois's decoded messages and error counts.
    Checked: ``BCH(n, k)``'s t, d, mother code and generator polynomial, ``encode``, and the
    bounded-distance ``decode``/``decode_codeword`` (every word decoded, ok, to galois's
    message and the sent codeword). The frozen data are also checked for self-consistency with
    plain numpy (g(x) divides x^N - 1 and every codeword; received words lie within t).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from linksim.fec.bch import BCH
from linksim.fec.ldpc import LDPC5G

DATA = Path(__file__).resolve().parent / "data"


def _load(name: str) -> dict[str, np.ndarray]:
    with np.load(DATA / name, allow_pickle=False) as f:
        return {key: f[key] for key in f.files}


LDPC = _load("ldpc5g_sionna.npz")
BCH_REF = _load("bch_galois.npz")
# codes table columns: k, n, bg_arg (0 = None), bg, z, n_filler, n_cb, n of Sionna's encoder
LDPC_ROWS = [tuple(int(v) for v in row) for row in LDPC["codes"]]
# codes table columns: n, k, t, d, n_mother, k_mother
BCH_ROWS = [tuple(int(v) for v in row) for row in BCH_REF["codes"]]


def _bits(packed: np.ndarray, count: int) -> np.ndarray:
    return np.unpackbits(packed, axis=-1, count=count)


# ----------------------------------------------------------------------------- 5G NR LDPC
def test_ldpc_vectors_cover_the_code_space():
    assert LDPC["codes_columns"][0] == "k" and LDPC["codes_columns"].size == 8
    assert 15 <= len(LDPC_ROWS) <= 30
    sets = {1: set(), 2: set()}
    for k, n, bg_arg, bg, z, n_filler, n_cb, _ in LDPC_ROWS:
        sets[bg].add(LDPC5G(k, n, bg_arg or None).i_ls)
    assert sets == {1: set(range(8)), 2: set(range(8))}
    rows = np.array(LDPC_ROWS)
    k, n, bg_arg, bg, z, n_filler, n_cb, n_sionna = rows.T
    assert (n_filler > 0).any() and (n_filler == 0).any()
    assert (n < n_cb - n_filler).any()                       # punctured buffer
    assert (n > n_cb - n_filler).sum() >= 3                  # repetition ...
    assert (n > 2 * (n_cb - n_filler)).any()                 # ... more than twice round
    repeated = n > n_cb - n_filler
    assert (repeated & (bg == 1)).any() and (repeated & (bg == 2)).any()
    assert (bg_arg == 1).any()                               # a forced base graph
    assert k.min() == 12 and k.max() == 8448 and (k[bg == 2].max() == 3840)
    assert (k / n).max() > 0.94
    assert np.array_equal(n_sionna == n, n <= n_cb - n_filler)


def test_ldpc_vectors_are_the_reference_selection(ldpc_sizes):
    """The frozen file holds exactly the "reference" codes of the one LDPC size table (the
    tool writes it from that selection): none unchecked, none missing."""
    frozen = sorted(tuple(row[:3]) for row in LDPC_ROWS)
    assert frozen == sorted((k, n, bg or 0) for k, n, bg in ldpc_sizes("reference"))


@pytest.mark.ldpc_sizes("reference")     # the codes of LDPC_SIZES frozen in ldpc5g_sionna.npz
def test_ldpc_encoder_matches_frozen_sionna(k, n, bg):
    i = [row[:3] for row in LDPC_ROWS].index((k, n, bg or 0))
    k, n, bg_arg, bg, z, n_filler, n_cb, _ = LDPC_ROWS[i]
    code = LDPC5G(k, n, bg_arg or None)
    assert (code.bg, code.z, code.n_filler, code.n_cb) == (bg, z, n_filler, n_cb)
    u = _bits(LDPC[f"u_{i:02d}"], k)
    c_ref = _bits(LDPC[f"c_{i:02d}"], n)
    assert u.shape[0] == c_ref.shape[0] >= 3
    c = code.encode(u)
    assert c.shape == c_ref.shape
    diff = np.flatnonzero((c != c_ref).any(axis=0))
    assert diff.size == 0, f"{diff.size} positions differ, first {diff[:10]}"
    for j in range(u.shape[0]):                              # one message at a time too
        assert np.array_equal(code.encode(u[j]), c_ref[j])


# ----------------------------------------------------------------------------- BCH
def _gf2_mod(a: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Remainder of the GF(2) polynomials in the rows of a (descending degree) by g."""
    r = a.astype(np.uint8).copy()
    deg = g.size - 1
    for i in range(r.shape[-1] - deg):
        hit = r[:, i] == 1
        r[hit, i:i + deg + 1] ^= g
    return r[:, r.shape[-1] - deg:]


def test_bch_vectors_cover_lengths_and_shortening():
    assert list(BCH_REF["codes_columns"]) == ["n", "k", "t", "d", "n_mother", "k_mother"]
    by_n: dict[int, set[int]] = {}
    for n, k, *_ in BCH_ROWS:
        by_n.setdefault(n, set()).add(k)
    for n in (15, 31, 63, 127):
        assert len(by_n[n]) >= 3, n
    assert len(by_n[255]) >= 1
    assert any(n != n_mother for n, _, _, _, n_mother, _ in BCH_ROWS)


def test_bch_frozen_data_are_consistent():
    """The stored g(x) divides x^N - 1 and every stored codeword, messages are systematic, each
    received word lies within t of its codeword, and galois corrected all of them."""
    for i, (n, k, t, d, n_mother, k_mother) in enumerate(BCH_ROWS):
        g = BCH_REF[f"g_{i:02d}"]
        assert g.size == n_mother - k_mother + 1 == n - k + 1 and g[0] == g[-1] == 1
        assert d == 2 * t + 1 and n_mother - n == k_mother - k >= 0
        x_n_1 = np.zeros((1, n_mother + 1), np.uint8)
        x_n_1[0, [0, -1]] = 1
        assert not _gf2_mod(x_n_1, g).any(), (n, k)
        u = _bits(BCH_REF[f"u_{i:02d}"], k)
        c = _bits(BCH_REF[f"c_{i:02d}"], n)
        assert np.array_equal(c[:, :k], u) and not _gf2_mod(c, g).any(), (n, k)
        r = _bits(BCH_REF[f"r_{i:02d}"], n)
        src, n_err = BCH_REF[f"src_{i:02d}"], BCH_REF[f"n_err_{i:02d}"]
        weights = (r != c[src]).sum(axis=1)
        assert np.array_equal(weights, n_err) and weights.max() <= t and (weights == t).any()
        assert np.array_equal(_bits(BCH_REF[f"u_hat_{i:02d}"], k), u[src])


@pytest.mark.parametrize("i", range(len(BCH_ROWS)), ids=[f"n{r[0]}-k{r[1]}" for r in BCH_ROWS])
def test_bch_matches_frozen_galois(i):
    n, k, t, d, n_mother, k_mother = BCH_ROWS[i]
    code = BCH(n, k)
    assert (code.t, code.d, code.n_mother, code.k_mother) == (t, d, n_mother, k_mother)
    assert np.array_equal(code.generator_poly, BCH_REF[f"g_{i:02d}"])
    u = _bits(BCH_REF[f"u_{i:02d}"], k)
    c_ref = _bits(BCH_REF[f"c_{i:02d}"], n)
    assert np.array_equal(code.encode(u), c_ref)
    r = _bits(BCH_REF[f"r_{i:02d}"], n)
    src = BCH_REF[f"src_{i:02d}"]
    u_hat, ok = code.decode(r)
    assert ok.all()
    assert np.array_equal(u_hat, _bits(BCH_REF[f"u_hat_{i:02d}"], k))
    c_hat, ok = code.decode_codeword(r)
    assert ok.all() and np.array_equal(c_hat, c_ref[src])


# ----------------------------------------------------------------------------- independence
def test_this_module_needs_neither_sionna_nor_galois():
    """Importing this test module (which loads the vectors and linksim's codes) pulls in
    neither reference library, so the checks above hold where they are not installed."""
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('refvec', {str(Path(__file__))!r})\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('sionna', 'galois', 'torch'))\n"
        "assert not bad, bad\n"
        "print(len(mod.LDPC_ROWS), len(mod.BCH_ROWS))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(len(LDPC_ROWS)), str(len(BCH_ROWS))]
