"""Write the frozen reference vectors of tests/fec/test_reference_vectors.py (issue 10).

Two of linksim's oracles share their source with the code under test: the 5G NR LDPC base
graphs were transcribed from Sionna (tools/make_basegraph_tables.py), and the BCH tests compare
against ``linksim.fec.bch.BCH.encode_reference``/``decode_reference``, which live in the module
they check. This script freezes independent outputs of the two reference libraries into
``tests/fec/data/`` so that the test runs without either library installed:

``ldpc5g_sionna.npz``  Sionna (``sionna.phy.fec.ldpc.LDPC5GEncoder``, redundancy version 0, no
    output interleaver): for each (k, n, bg) of ``LDPC_CODES`` (both base graphs, all eight
    lifting-size sets of each, filler bits, punctured and repeated circular buffers, rates up to
    0.95) three random messages and their rate-matched codewords, and Sionna's Z_c, F, N_cb.
    Sionna refuses rates below 1/5 (BG2) or 1/3 (BG1) ("repetition coding is currently not
    supported"), so for the repetition cases (n > N_cb - F) the script builds Sionna's encoder
    of the same base graph and Z_c at the largest n it accepts, reads its compressed circular
    buffer (N_cb - F bits: filler removed, first 2 Z_c punctured) from its RV 0..3 outputs
    (``call(bits, rv=[i])``, which start at Sionna's k_0 positions and wrap around; overlapping
    reads are checked to agree, and every buffer bit must be covered), and reads that buffer
    cyclically from k_0 = 0 as TS 38.212 §5.4.2.1 prescribes: e_j = w[j mod (N_cb - F)].
    The base graph of a repetition case is passed to Sionna explicitly; it is the one the
    §7.2.2 rule picks for (k, n) (``bg_rule`` below, written here, not imported from linksim).

``bch_galois.npz``  galois (``galois.BCH``, the reference library; nothing from
    ``linksim.fec.bch``): for each (n, k) of ``BCH_CODES`` (primitive n = 15, 31, 63, 127, 255,
    and two shortened codes, encoded by galois's mother code with k - s message bits) n, k, t,
    d, the mother code (N, K), the generator polynomial g(x) (coefficients in DESCENDING degree,
    g[0] = coefficient of x^(N-K), as ``galois.Poly.coeffs`` and ``linksim.fec.bch.BCH
    .generator_poly``), four random messages and their systematic codewords from
    ``galois.BCH.encode`` (message first: c[0..n-1] is c(x) = c[0] x^(n-1) + ... + c[n-1], and
    c[:k] = u, as both libraries order bits), and six received words with 0..t errors (weights
    0, 1, t, t and two random in [0, t]) with galois's decoded messages and error counts
    (``decode(..., output="message", errors=True)``).

Layout: bit arrays are ``np.packbits`` along the last axis (the test unpacks them with the
stored lengths); per-code arrays are named ``<name>_<index:02d>``; ``codes`` is the table of
parameters (columns named in ``codes_columns``); ``source`` records the library versions.
The files are written deterministically (fixed seeds per code; a zip written with a fixed
timestamp and sorted members), so re-running with the same library versions gives the same
bytes (``--check`` verifies that against the committed files).

Usage (from the repository root, with the ``sionna`` extra and galois installed):

    python tools/make_reference_vectors.py            # (re)write both files
    python tools/make_reference_vectors.py --check    # regenerate in memory, compare bytes
    python tools/make_reference_vectors.py --only bch # one of ldpc, bch

Takes about a minute on a CPU (galois compiles GF(2^m) for each m; Sionna builds each
encoder). Sionna runs on the CPU (``device="cpu"``).
"""

from __future__ import annotations

import argparse
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[1] / "tests" / "fec" / "data"
LDPC_FILE = "ldpc5g_sionna.npz"
BCH_FILE = "bch_galois.npz"

def _reference_codes() -> list[tuple[int, int, int | None]]:
    """The (k, n, bg) of the "reference" selection of the one table of LDPC sizes,
    ``LDPC_SIZES`` in ``tests/fec/conftest.py`` (bg None lets both libraries select the base
    graph, TS 38.212 §7.2.2; 1 or 2 forces it): both base graphs, every lifting set, fillers,
    punctured buffers, rates up to 0.9497 and repetition."""
    import importlib.util
    path = Path(__file__).resolve().parents[1] / "tests" / "fec" / "conftest.py"
    spec = importlib.util.spec_from_file_location("_ldpc_sizes", path)
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    return table.select("reference")


LDPC_CODES = _reference_codes()
LDPC_MESSAGES = 3

# (n, k): primitive narrow-sense BCH codes (galois.BCH(n, k)) and two shortened ones.
BCH_CODES = [
    (15, 11), (15, 7), (15, 5),
    (31, 26), (31, 21), (31, 16), (31, 11), (31, 6),
    (63, 57), (63, 51), (63, 45), (63, 36), (63, 30), (63, 18), (63, 10),
    (127, 120), (127, 106), (127, 92), (127, 64), (127, 50), (127, 29), (127, 8),
    (255, 239), (255, 131),
    (48, 30),    # (63, 45) shortened by 15
    (100, 72),   # (127, 99) shortened by 27
]
BCH_MESSAGES = 4


# ------------------------------------------------------------------------------- file format
def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An .npz (readable by ``np.load``) with sorted members and a fixed timestamp.

    ``np.savez_compressed`` stamps each member with the current time, so its bytes change
    from run to run; this writes the same members deterministically.
    """
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name in sorted(arrays):
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]),
                                      allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def pack(bits: np.ndarray) -> np.ndarray:
    bits = np.asarray(bits)
    assert bits.dtype == np.uint8 and bits.size and bits.max() <= 1
    return np.packbits(bits, axis=-1)


# ------------------------------------------------------------------------------- LDPC (Sionna)
def bg_rule(k: int, n: int) -> int:
    """Base graph of TS 38.212 §7.2.2 for code block size k and rate R = k / n."""
    r = k / n
    return 2 if k <= 292 or (k <= 3824 and r <= 0.67) or r <= 0.25 else 1


def _sionna_bits(enc, u: np.ndarray, rv: int | None = None) -> np.ndarray:
    import torch

    with torch.inference_mode():
        x = torch.from_numpy(u.astype(np.float32))
        out = enc(x) if rv is None else enc(x, rv=[rv])[:, 0, :]
    out = out.numpy()
    assert set(np.unique(out)) <= {0.0, 1.0}
    return out.astype(np.uint8)


def _bg_of(enc) -> int:
    """Sionna's base graph, from public attributes: N = 68 Z_c (BG1) or 52 Z_c (BG2)."""
    return {68: 1, 52: 2}[enc.n_ldpc // enc.z]


def ldpc_case(k: int, n: int, bg: int | None, rng: np.random.Generator):
    """(u, c, z, n_filler, n_cb, bg_used, n_sionna) of one code from Sionna."""
    import warnings

    from sionna.phy.fec.ldpc import LDPC5GEncoder

    u = rng.integers(0, 2, (LDPC_MESSAGES, k), dtype=np.uint8)
    bg_sel = bg if bg is not None else bg_rule(k, n)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Effective coderate", UserWarning)   # R > 948/1024
        n_max = 5 * k if bg_sel == 2 else 3 * k     # Sionna: R >= 1/5 (BG2), >= 1/3 (BG1)
        if n <= n_max:                       # Sionna encodes (k, n) itself
            enc = LDPC5GEncoder(k, n, bg=None if bg is None else f"bg{bg}", device="cpu")
            c = _sionna_bits(enc, u)
            n_sionna = n
        else:                                       # repetition: read Sionna's buffer cyclically
            probe = LDPC5GEncoder(k, n_max, bg=f"bg{bg_sel}", device="cpu")
            n_buf = probe.n_cb_comp
            assert n > n_buf, (k, n, "a case below Sionna's minimum rate must repeat")
            n_sionna = min(n_buf, n_max)
            enc = LDPC5GEncoder(k, n_sionna, bg=f"bg{bg_sel}", device="cpu")
            w = np.full((LDPC_MESSAGES, n_buf), 255, np.uint8)
            for rv in range(4):
                (start,) = enc.get_start_positions_comp([rv])
                part = _sionna_bits(enc, u, rv)
                pos = (start + np.arange(n_sionna)) % n_buf
                seen = w[:, pos] != 255
                assert np.array_equal(w[:, pos][seen], part[seen]), "RV reads disagree"
                w[:, pos] = part
                if rv == 0:
                    assert np.array_equal(part, _sionna_bits(enc, u)), "RV 0 != default output"
            assert (w != 255).all(), (k, n, "RV 0..3 reads do not cover the buffer")
            c = w[:, np.arange(n) % n_buf]
    assert c.shape == (LDPC_MESSAGES, n)
    assert np.array_equal(c[:, : min(k - 2 * enc.z, n)], u[:, 2 * enc.z: min(k, n + 2 * enc.z)])
    assert _bg_of(enc) == bg_sel, (k, n, "Sionna picked another base graph than §7.2.2")
    return u, c, enc.z, enc.k_filler, enc.n_cb, bg_sel, n_sionna


def make_ldpc() -> bytes:
    import sionna
    import torch

    arrays: dict[str, np.ndarray] = {}
    rows = []
    for i, (k, n, bg) in enumerate(LDPC_CODES):
        rng = np.random.default_rng([10, k, n, 0 if bg is None else bg])
        u, c, z, n_filler, n_cb, bg_used, n_sionna = ldpc_case(k, n, bg, rng)
        rows.append([k, n, 0 if bg is None else bg, bg_used, z, n_filler, n_cb, n_sionna])
        arrays[f"u_{i:02d}"] = pack(u)
        arrays[f"c_{i:02d}"] = pack(c)
        rep = f", repetition from Sionna's buffer ({n_cb - n_filler} bits)" if n_sionna != n else ""
        print(f"LDPC ({k}, {n}, bg={bg}): BG{bg_used}, Z = {z}, F = {n_filler}{rep}")
    arrays["codes"] = np.array(rows, np.int64)
    arrays["codes_columns"] = np.array(
        ["k", "n", "bg_arg (0 = None)", "bg", "z", "n_filler", "n_cb",
         "n of the Sionna encoder (< n: repetition read from its buffer)"])
    arrays["source"] = np.array(
        f"sionna {sionna.__version__} (torch {torch.__version__}), "
        f"sionna.phy.fec.ldpc.LDPC5GEncoder, rv 0, no interleaver; numpy {np.__version__}; "
        f"written by tools/make_reference_vectors.py")
    return npz_bytes(arrays)


# ------------------------------------------------------------------------------- BCH (galois)
_GALOIS: dict = {}


def _galois_bch(n: int, k: int):
    import galois

    if (n, k) not in _GALOIS:
        _GALOIS[(n, k)] = galois.BCH(n, k)
    return _GALOIS[(n, k)]


def bch_case(n: int, k: int, rng: np.random.Generator):
    import galois

    m = max(3, int(np.ceil(np.log2(n + 1))))
    n_mother = 2 ** m - 1
    s = n_mother - n
    code = _galois_bch(n_mother, k + s)
    assert code.n == n_mother and code.k == k + s
    gf2 = galois.GF(2)
    g = np.asarray(code.generator_poly.coeffs, np.uint8)      # descending degree
    assert g.size == n - k + 1 and g[0] == 1 and g[-1] == 1
    u = rng.integers(0, 2, (BCH_MESSAGES, k), dtype=np.uint8)
    c = np.asarray(code.encode(gf2(u)), np.uint8)            # k - s message bits: shortened
    assert c.shape == (BCH_MESSAGES, n) and np.array_equal(c[:, :k], u)
    t = int(code.t)
    weights = np.array([0, 1, t, t] + list(rng.integers(0, t + 1, 2)), np.int64)
    src = np.arange(weights.size) % BCH_MESSAGES               # received word j is from c[src[j]]
    r = c[src].copy()
    for j, w in enumerate(weights):
        r[j, rng.choice(n, size=int(w), replace=False)] ^= 1
    u_hat, n_err = code.decode(gf2(r), output="message", errors=True)
    u_hat = np.asarray(u_hat, np.uint8)
    n_err = np.asarray(n_err, np.int64)
    assert np.array_equal(n_err, weights) and np.array_equal(u_hat, u[src]), "galois failed <= t"
    return dict(t=t, d=int(code.d), n_mother=n_mother, k_mother=k + s, g=g, u=u, c=c, r=r,
                src=src, u_hat=u_hat, n_err=n_err)


def make_bch() -> bytes:
    import galois

    arrays: dict[str, np.ndarray] = {}
    rows = []
    for i, (n, k) in enumerate(BCH_CODES):
        rng = np.random.default_rng([20, n, k])
        case = bch_case(n, k, rng)
        rows.append([n, k, case["t"], case["d"], case["n_mother"], case["k_mother"]])
        arrays[f"g_{i:02d}"] = case["g"]                       # 0/1, descending degree
        for name in ("u", "c", "r", "u_hat"):
            arrays[f"{name}_{i:02d}"] = pack(case[name])
        arrays[f"src_{i:02d}"] = case["src"]
        arrays[f"n_err_{i:02d}"] = case["n_err"]
        print(f"BCH ({n}, {k}): t = {case['t']}, mother ({case['n_mother']}, {case['k_mother']})")
    arrays["codes"] = np.array(rows, np.int64)
    arrays["codes_columns"] = np.array(["n", "k", "t", "d", "n_mother", "k_mother"])
    arrays["source"] = np.array(
        f"galois {galois.__version__}, galois.BCH(n_mother, k_mother) with its default primitive "
        f"polynomial; encode (systematic, shortened by passing k message bits) and "
        f"decode(output='message', errors=True); numpy {np.__version__}; "
        f"written by tools/make_reference_vectors.py")
    return npz_bytes(arrays)


# ------------------------------------------------------------------------------- main
def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate in memory and compare with the files on disk; write nothing")
    ap.add_argument("--only", choices=("ldpc", "bch"), help="only this file")
    args = ap.parse_args(argv)
    jobs = {"ldpc": (LDPC_FILE, make_ldpc), "bch": (BCH_FILE, make_bch)}
    status = 0
    for key, (fname, make) in jobs.items():
        if args.only and key != args.only:
            continue
        data = make()
        path = DATA_DIR / fname
        if args.check:
            same = path.exists() and path.read_bytes() == data
            print(f"{path}: {'identical' if same else 'DIFFERS'} ({len(data)} bytes regenerated)")
            status |= not same
        else:
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            print(f"wrote {path} ({len(data)} bytes)")
    return status


if __name__ == "__main__":
    sys.exit(main())
