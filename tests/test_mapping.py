"""Tests for linksim.mapping: 38.211 constellations, Gray labelling, exact and max-log demapping."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import logsumexp

from linksim.mapping import MODULATIONS, Constellation

QAMS = ("qpsk", "16qam", "64qam", "256qam")


def _rng(seed=0):
    return np.random.default_rng(seed)


def _random_bits(rng, shape):
    return rng.integers(0, 2, size=shape, dtype=np.uint8)


def _brute_llr(const, y, no, maxlog=False):
    """Reference LLRs: for every symbol, a log-sum-exp (or max) over all M points in numpy."""
    y = np.asarray(y, dtype=np.complex128)
    no = np.broadcast_to(np.asarray(no, dtype=np.float64), y.shape)
    metric = -np.abs(y[..., None] - const.points) ** 2 / no[..., None]  # [..., N, M]
    out = np.empty(y.shape + (const.bits_per_symbol,))
    for k in range(const.bits_per_symbol):
        zero = const.labels[:, k] == 0
        if maxlog:
            out[..., k] = metric[..., zero].max(-1) - metric[..., ~zero].max(-1)
        else:
            out[..., k] = logsumexp(metric[..., zero], axis=-1) - logsumexp(metric[..., ~zero], axis=-1)
    return out.reshape(y.shape[:-1] + (-1,))


# ---------------------------------------------------------------------------------------------
# Construction
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", MODULATIONS)
def test_attributes_and_unit_energy(name):
    c = Constellation(name.upper())
    m = {"bpsk": 1, "qpsk": 2, "16qam": 4, "64qam": 6, "256qam": 8}[name]
    assert c.name == name and c.bits_per_symbol == m
    assert c.points.dtype == np.complex128 and c.points.shape == (2**m,)
    assert c.labels.dtype == np.uint8 and c.labels.shape == (2**m, m)
    assert np.mean(np.abs(c.points) ** 2) == pytest.approx(1.0, abs=1e-14)
    # labels[i] is i in binary, MSB first; all points distinct
    weights = 1 << np.arange(m - 1, -1, -1)
    np.testing.assert_array_equal(c.labels.astype(int) @ weights, np.arange(2**m))
    assert len(np.unique(np.round(c.points, 12))) == 2**m
    assert not c.points.flags.writeable and not c.labels.flags.writeable


def test_modulations_tuple():
    assert MODULATIONS == ("bpsk", "qpsk", "16qam", "64qam", "256qam")


@pytest.mark.parametrize("name", QAMS)
def test_gray_nearest_neighbours_differ_in_one_bit(name):
    c = Constellation(name)
    dist = np.abs(c.points[:, None] - c.points[None, :])
    np.fill_diagonal(dist, np.inf)
    dmin = dist.min()
    hamming = (c.labels[:, None, :] != c.labels[None, :, :]).sum(-1)
    nn = np.isclose(dist, dmin, rtol=1e-9)
    assert nn.any(axis=1).all()
    assert (hamming[nn] == 1).all()
    # every interior point of a square QAM has 4 nearest neighbours
    assert nn.sum(1).max() == (2 if name == "qpsk" else 4)


def _spec_point(name, b):
    """TS 38.211 §5.1.2-5.1.6 written out term by term."""
    s = [1 - 2 * int(v) for v in b]
    if name == "bpsk":
        return (s[0] + 1j * s[0]) / np.sqrt(2)
    if name == "qpsk":
        return (s[0] + 1j * s[1]) / np.sqrt(2)
    if name == "16qam":
        return (s[0] * (2 - s[2]) + 1j * s[1] * (2 - s[3])) / np.sqrt(10)
    if name == "64qam":
        return (s[0] * (4 - s[2] * (2 - s[4])) + 1j * s[1] * (4 - s[3] * (2 - s[5]))) / np.sqrt(42)
    if name == "256qam":
        return (s[0] * (8 - s[2] * (4 - s[4] * (2 - s[6])))
                + 1j * s[1] * (8 - s[3] * (4 - s[5] * (2 - s[7])))) / np.sqrt(170)
    raise AssertionError(name)


@pytest.mark.parametrize("name", MODULATIONS)
def test_points_match_38211_formulas(name):
    c = Constellation(name)
    expected = np.array([_spec_point(name, lab) for lab in c.labels])
    np.testing.assert_allclose(c.points, expected, rtol=0, atol=1e-15)
    # and through map()
    np.testing.assert_allclose(c.map(c.labels.reshape(-1)), expected, rtol=0, atol=1e-15)


def test_38211_spot_values():
    r10, r42, r170 = np.sqrt(10), np.sqrt(42), np.sqrt(170)
    c16, c64, c256 = Constellation("16qam"), Constellation("64qam"), Constellation("256qam")
    assert c16.map(np.array([0, 0, 0, 0], np.uint8))[0] == pytest.approx((1 + 1j) / r10)
    assert c16.map(np.array([0, 0, 1, 1], np.uint8))[0] == pytest.approx((3 + 3j) / r10)
    assert c16.map(np.array([1, 0, 1, 1], np.uint8))[0] == pytest.approx((-3 + 3j) / r10)
    assert c16.map(np.array([1, 1, 0, 0], np.uint8))[0] == pytest.approx((-1 - 1j) / r10)
    assert c64.map(np.zeros(6, np.uint8))[0] == pytest.approx((3 + 3j) / r42)
    assert c64.map(np.array([0, 0, 1, 0, 1, 0], np.uint8))[0] == pytest.approx((7 + 3j) / r42)
    assert c256.map(np.zeros(8, np.uint8))[0] == pytest.approx((5 + 5j) / r170)
    assert c256.map(np.array([1, 1, 1, 1, 1, 1, 1, 1], np.uint8))[0] == pytest.approx((-15 - 15j) / r170)
    bp = Constellation("bpsk").map(np.array([0, 1], np.uint8))
    np.testing.assert_allclose(bp, np.array([1 + 1j, -1 - 1j]) / np.sqrt(2))


# ---------------------------------------------------------------------------------------------
# Map / demap
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", MODULATIONS)
def test_map_shapes_and_dtypes(name):
    c = Constellation(name)
    m = c.bits_per_symbol
    bits = _random_bits(_rng(1), (3, 2, 5 * m))
    x = c.map(bits)
    assert x.shape == (3, 2, 5) and x.dtype == np.complex128
    # bool and wider integer inputs map identically
    np.testing.assert_array_equal(c.map(bits.astype(bool)), x)
    np.testing.assert_array_equal(c.map(bits.astype(np.int64)), x)
    llr = c.demap(x, 0.1)
    assert llr.shape == bits.shape and llr.dtype == np.float64
    assert c.map(np.zeros((4, 0), np.uint8)).shape == (4, 0)
    assert c.demap(np.zeros((4, 0), np.complex128), 1.0).shape == (4, 0)


@pytest.mark.parametrize("name", MODULATIONS)
def test_map_demap_high_snr_hard_decisions(name):
    c = Constellation(name)
    rng = _rng(2)
    bits = _random_bits(rng, (8, 600 * c.bits_per_symbol))
    x = c.map(bits)
    no = 1e-4  # min distance^2 / no >= 0.047/1e-4 ~ 470 for 256-QAM: no errors in 4800 symbols
    y = x + np.sqrt(no / 2) * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))
    for method in ("app", "maxlog"):
        llr = c.demap(y, no, method=method)
        np.testing.assert_array_equal((llr < 0).astype(np.uint8), bits)


@pytest.mark.parametrize("name", MODULATIONS)
@pytest.mark.parametrize("method", ["app", "maxlog"])
def test_llr_equals_brute_force(name, method):
    c = Constellation(name)
    rng = _rng(3)
    bits = _random_bits(rng, (4, 50 * c.bits_per_symbol))
    x = c.map(bits)
    no = rng.uniform(0.01, 2.0, size=x.shape)  # per-symbol noise variance
    y = x + np.sqrt(no / 2) * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))
    maxlog = method == "maxlog"
    ref = _brute_llr(c, y, no, maxlog=maxlog)
    np.testing.assert_allclose(c.demap(y, no, method), ref, rtol=1e-10, atol=1e-10)
    # scalar and row-broadcast noise variances
    np.testing.assert_allclose(c.demap(y, 0.3, method), _brute_llr(c, y, 0.3, maxlog), rtol=1e-10, atol=1e-10)
    no_row = no[:, :1]
    np.testing.assert_allclose(c.demap(y, no_row, method), _brute_llr(c, y, no_row, maxlog),
                               rtol=1e-10, atol=1e-10)
    # the I/Q-factorised QAM kernel equals the generic all-points kernel
    np.testing.assert_allclose(c._demap_generic(y, no, method), ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("name", MODULATIONS)
def test_app_llr_stable_at_extreme_snr(name):
    """Tiny noise variances and far-off observations: the naive sums of exps underflow, the
    kernel must still return the exact (large, finite) log-sum-exp difference."""
    c = Constellation(name)
    rng = _rng(4)
    y = (rng.uniform(-1.5, 1.5, 200) + 1j * rng.uniform(-1.5, 1.5, 200)).reshape(2, 100)
    for no in (1e-6, 1e-3):
        llr = c.demap(y, no)
        assert np.isfinite(llr).all()
        np.testing.assert_allclose(llr, _brute_llr(c, y, no), rtol=1e-9, atol=1e-6)


@pytest.mark.parametrize("name", MODULATIONS)
def test_maxlog_close_to_app(name):
    c = Constellation(name)
    rng = _rng(5)
    bits = _random_bits(rng, (2, 400 * c.bits_per_symbol))
    x = c.map(bits)
    for no in (1.0, 0.1, 1e-3):
        y = x + np.sqrt(no / 2) * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))
        app, ml = c.demap(y, no, "app"), c.demap(y, no, "maxlog")
        # |LSE - max| <= ln(#terms) for each of the two bit sets: always |app - maxlog| <= ln(M/2)
        assert np.max(np.abs(app - ml)) <= np.log(c.num_points / 2) + 1e-12
    # high SNR: the relative difference vanishes
    big = np.abs(app) > 10
    assert big.mean() > 0.9
    assert np.max(np.abs(app - ml)[big] / np.abs(app[big])) < 0.1


def test_sign_convention_positive_means_zero():
    for name in MODULATIONS:
        c = Constellation(name)
        m = c.bits_per_symbol
        llr0 = c.demap(c.map(np.zeros(m, np.uint8)), 1e-3)
        llr1 = c.demap(c.map(np.ones(m, np.uint8)), 1e-3)
        assert (llr0 > 0).all() and (llr1 < 0).all()
    # BPSK closed form: y = (1+j)/sqrt2 * s + w -> LLR = 4 Re(y (1-j)/sqrt2) / no
    y = np.array([0.3 - 0.1j, -0.2 + 0.05j])
    expected = 4 * np.real(y * (1 - 1j) / np.sqrt(2)) / 0.5
    np.testing.assert_allclose(Constellation("bpsk").demap(y, 0.5), expected, rtol=1e-12)


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(MODULATIONS), n=st.integers(1, 40), seed=st.integers(0, 2**32 - 1))
def test_map_is_label_lookup(name, n, seed):
    c = Constellation(name)
    bits = _random_bits(np.random.default_rng(seed), (n * c.bits_per_symbol,))
    idx = bits.reshape(n, -1).astype(int) @ (1 << np.arange(c.bits_per_symbol - 1, -1, -1))
    np.testing.assert_array_equal(c.map(bits), c.points[idx])


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

def test_bad_name():
    with pytest.raises(ValueError, match=r"name.*'8psk'.*bpsk"):
        Constellation("8psk")
    with pytest.raises(TypeError, match="name"):
        Constellation(16)


def test_bad_bits():
    c = Constellation("16qam")
    with pytest.raises(ValueError, match=r"bits.*multiple of bits_per_symbol=4"):
        c.map(np.zeros(6, np.uint8))
    with pytest.raises(ValueError, match=r"bits.*value 2.*0 and 1"):
        c.map(np.array([0, 1, 2, 0], np.uint8))
    with pytest.raises(ValueError, match=r"bits.*value -1"):
        c.map(np.array([0, 1, -1, 0]))
    with pytest.raises(TypeError, match=r"bits.*float"):
        c.map(np.zeros(4))


def test_bad_demap_inputs():
    c = Constellation("qpsk")
    y = np.zeros((2, 3), np.complex128)
    with pytest.raises(ValueError, match=r"method.*'exact'.*app.*maxlog"):
        c.demap(y, 1.0, method="exact")
    for bad in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="no"):
            c.demap(y, bad)
    with pytest.raises(ValueError, match="no"):
        c.demap(y, np.array([1.0, 0.0, 1.0]))
    with pytest.raises(ValueError, match=r"no: shape \(2,\)"):
        c.demap(y, np.ones(2))
    with pytest.raises(ValueError, match=r"no: shape"):
        c.demap(y, np.ones((1, 1, 3)))
    with pytest.raises(ValueError, match="y"):
        c.demap(np.array([np.nan + 0j]), 1.0)
    for name in ("bpsk", "qpsk", "16qam"):      # closed-form kernel and QAM kernel alike
        with pytest.raises(ValueError, match="^y: contains NaN or infinite"):
            Constellation(name).demap(np.array([[0.1 + 0j, 1 + 1j * np.inf]]), 1.0)
    with pytest.raises(TypeError, match="no"):
        c.demap(y, 1j)


# ---------------------------------------------------------------------------------------------
# Agreement with Sionna
# ---------------------------------------------------------------------------------------------

def _sionna():
    pytest.importorskip("torch")
    return pytest.importorskip("sionna.phy.mapping")


@pytest.mark.sionna
@pytest.mark.parametrize("name", QAMS)
def test_map_bit_exact_with_sionna(name):
    import torch
    sm = _sionna()
    c = Constellation(name)
    m = c.bits_per_symbol
    bits = _random_bits(_rng(6), (3, 200 * m))
    ours = c.map(bits)
    theirs = sm.Mapper("qam", m, precision="double")(torch.from_numpy(bits.astype(np.int32))).numpy()
    np.testing.assert_array_equal(ours, theirs)  # bit-exact in double precision
    theirs32 = sm.Mapper("qam", m)(torch.from_numpy(bits.astype(np.int32))).numpy()
    np.testing.assert_allclose(ours, theirs32, rtol=3e-7, atol=0)  # float32 rounding


@pytest.mark.sionna
@pytest.mark.parametrize("name", QAMS)
@pytest.mark.parametrize("method", ["app", "maxlog"])
def test_demap_agrees_with_sionna(name, method):
    import torch
    sm = _sionna()
    c = Constellation(name)
    m = c.bits_per_symbol
    rng = _rng(7)
    x = c.map(_random_bits(rng, (3, 300 * m)))
    no = rng.uniform(0.02, 0.5, size=x.shape)
    y = x + np.sqrt(no / 2) * (rng.standard_normal(x.shape) + 1j * rng.standard_normal(x.shape))
    ours = c.demap(y, no, method)
    # Sionna's LLR is ln P(1)/P(0): ours = -theirs.
    theirs64 = sm.Demapper(method, "qam", m, precision="double")(
        torch.from_numpy(y), torch.from_numpy(no)).numpy()
    np.testing.assert_allclose(ours, -theirs64, rtol=1e-9, atol=1e-9)
    theirs32 = sm.Demapper(method, "qam", m)(
        torch.from_numpy(y.astype(np.complex64)), torch.from_numpy(no.astype(np.float32))).numpy()
    # float32 on their side: relative 1e-4, plus an absolute floor for LLRs near 0 (their metric
    # |y-c|^2/no is rounded to ~6e-8 relative before the subtraction).
    scale = np.abs(y[..., None] - c.points).max() ** 2 / no.min()
    np.testing.assert_allclose(ours, -theirs32.astype(np.float64), rtol=1e-4, atol=3e-7 * scale)
