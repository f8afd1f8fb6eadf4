"""Tests of the code protocol of linksim.fec (linksim/fec/code.py): every code is a ``Code``
(``k``, ``n``, ``encode(u) -> c``, ``decode_llr(llr) -> (u_hat, ok)``). Noiseless words decode
with ok=True. A BCH word with more than t errors and random LLRs on an LDPC code give ok=False.
``cached_code`` builds one object per (kind, k, n).
LLR convention: ln P(b=0)/P(b=1), positive favours 0.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from linksim.fec import CODE_KINDS, Code, cached_code
from linksim.fec.bch import BCH
from linksim.fec.crc import CRC
from linksim.fec.ldpc import LDPC5G, LDPCCode


@pytest.fixture(scope="module")
def make_code(gallager_pcm):
    """``make_code(name)``: a new code of the kind ``name`` (one of CODES)."""

    def make(name: str):
        if name == "ldpc5g":
            return LDPC5G(40, 128)
        if name == "ldpc5g_repeat":
            return LDPC5G(20, 500)                  # n beyond the circular buffer: repetition
        if name == "ldpc_alist":
            return LDPCCode(gallager_pcm(np.random.default_rng(5), 120, 3, 6))
        if name == "ldpc_sparse":
            return LDPCCode(sp.csr_matrix(LDPC5G(20, 60).pcm))
        if name == "bch":
            return BCH(63, 45)
        if name == "bch_short":
            return BCH(48, 30)                      # (63, 45) shortened by 15
        raise AssertionError(name)

    return make


CODES = ["ldpc5g", "ldpc5g_repeat", "ldpc_alist", "ldpc_sparse", "bch", "bch_short"]


@pytest.mark.parametrize("name", CODES)
def test_every_code_is_a_code(name, make_code):
    code = make_code(name)
    assert isinstance(code, Code)
    assert isinstance(code.k, int) and isinstance(code.n, int) and 0 < code.k < code.n


def test_objects_without_the_protocol_are_not_codes():
    assert not isinstance(CRC("CRC11"), Code)
    assert not isinstance(object(), Code)


@pytest.mark.parametrize("name", CODES)
def test_noiseless_round_trip(name, make_code):
    code = make_code(name)
    rng = np.random.default_rng(11)
    u = rng.integers(0, 2, (25, code.k), dtype=np.uint8)
    c = code.encode(u)
    assert c.shape == (25, code.n) and c.dtype == np.uint8
    llr = 20.0 * (1.0 - 2.0 * c)                          # high SNR: LLR > 0 <-> bit 0
    u_hat, ok = code.decode_llr(llr)
    assert u_hat.shape == (25, code.k) and u_hat.dtype == np.uint8
    assert ok.shape == (25,) and ok.dtype == bool
    np.testing.assert_array_equal(u_hat, u)
    assert ok.all()
    # The sign convention: with the opposite sign the decoder does not return u.
    assert not np.array_equal(code.decode_llr(-llr)[0], u)


@pytest.mark.parametrize("name", CODES)
def test_empty_batch(name, make_code):
    code = make_code(name)
    c = code.encode(np.zeros((0, code.k), np.uint8))
    assert c.shape == (0, code.n)
    u_hat, ok = code.decode_llr(np.zeros((0, code.n)))
    assert u_hat.shape == (0, code.k) and ok.shape == (0,)


@pytest.mark.parametrize("name", ["bch", "bch_short"])
def test_bch_up_to_t_errors_decode_with_ok(name, make_code):
    code = make_code(name)
    rng = np.random.default_rng(12)
    u = rng.integers(0, 2, (40, code.k), dtype=np.uint8)
    llr = 4.0 * (1.0 - 2.0 * code.encode(u))
    within = llr.copy()
    for row in range(40):
        within[row, rng.choice(code.n, code.t, replace=False)] *= -1
    u_hat, ok = code.decode_llr(within)
    assert ok.all()
    np.testing.assert_array_equal(u_hat, u)


def test_bch_beyond_t_errors_gives_ok_false():
    """BCH(127, 64), t = 10: t + 1 .. t + 6 errors. A word then lies within t of another
    codeword with probability about 2^-15, so with this seed every word fails. On failure
    u_hat is the received message bits."""
    code = BCH(127, 64)
    assert code.t == 10
    rng = np.random.default_rng(13)
    u = rng.integers(0, 2, (60, code.k), dtype=np.uint8)
    c = code.encode(u)
    llr = 4.0 * (1.0 - 2.0 * c)
    for row in range(60):
        llr[row, rng.choice(code.n, code.t + 1 + row % 6, replace=False)] *= -1
    u_hat, ok = code.decode_llr(llr)
    assert not ok.any()
    np.testing.assert_array_equal(u_hat, (llr[:, : code.k] < 0).astype(np.uint8))
    # decode_llr is decode of the hard decisions.
    u2, ok2 = code.decode((llr < 0).astype(np.uint8))
    np.testing.assert_array_equal(u2, u_hat)
    np.testing.assert_array_equal(ok2, ok)


@pytest.mark.parametrize("name", ["ldpc5g_big", "ldpc_alist_big"])
def test_ldpc_random_llrs_give_ok_false(name, gallager_pcm):
    """Random LLRs (no codeword sent): BP does not reach a word that satisfies all checks
    (measured rate about 0 for these sizes; the seed is fixed)."""
    code = LDPC5G(100, 300) if name == "ldpc5g_big" else \
        LDPCCode(gallager_pcm(np.random.default_rng(6), 300, 3, 6))
    rng = np.random.default_rng(14)
    llr = rng.normal(0.0, 4.0, (200, code.n))
    u_hat, ok = code.decode_llr(llr)
    assert u_hat.shape == (200, code.k)
    assert not ok.any()


@pytest.mark.parametrize("early_stop", [True, False])
@pytest.mark.parametrize("name", ["ldpc5g", "ldpc_alist"])
def test_ldpc_ok_is_the_syndrome_of_the_decisions(name, early_stop, make_code):
    """ok equals a zero syndrome of the final hard decisions, on a batch that mixes decoded,
    undecoded and random frames, with and without early stop; u_hat equals decode()."""
    code = make_code(name)
    rng = np.random.default_rng(15)
    u = rng.integers(0, 2, (300, code.k), dtype=np.uint8)
    x = 1.0 - 2.0 * code.encode(u)
    sigma = np.repeat([0.5, 0.9, 1.3], 100)[:, None]
    llr = 2.0 * (x + sigma * rng.normal(size=x.shape)) / sigma ** 2
    llr[-30:] = rng.normal(0.0, 4.0, (30, code.n))
    u_hat, ok = code.decode_llr(llr, num_iter=8, early_stop=early_stop)
    np.testing.assert_array_equal(u_hat, code.decode(llr, num_iter=8, early_stop=early_stop))
    if isinstance(code, LDPC5G):
        from linksim.fec.ldpc import bp_decode
        hard, _ = bp_decode(code.graph, code.derate_match(llr), num_iter=8, algorithm="nms",
                            early_stop=early_stop)
    else:
        hard = code.decode(llr, num_iter=8, early_stop=early_stop, output="codeword")
    expect = ~code.graph.syndrome(hard).any(axis=-1)
    np.testing.assert_array_equal(ok, expect)
    assert 0 < ok.sum() < ok.size                       # both outcomes occur
    assert ok[:100].all()


def test_decode_llr_options_pass_through(make_code):
    code = make_code("ldpc5g")
    rng = np.random.default_rng(16)
    llr = rng.normal(2.0, 3.0, (50, code.n))
    for kw in ({"algorithm": "spa"}, {"algorithm": "oms", "num_iter": 3},
               {"schedule": "flooding", "scaling": 0.8}):
        np.testing.assert_array_equal(code.decode_llr(llr, **kw)[0], code.decode(llr, **kw))
    with pytest.raises(ValueError, match="algorithm"):
        code.decode_llr(llr, algorithm="bp")
    with pytest.raises(TypeError):
        make_code("bch").decode_llr(np.zeros((1, 63)), num_iter=5)   # BCH has no options


def test_bch_decode_llr_checks_its_input(make_code):
    code = make_code("bch")
    with pytest.raises(ValueError, match="llr"):
        code.decode_llr(np.zeros((2, 62)))
    with pytest.raises(TypeError, match="llr"):
        code.decode_llr(np.zeros((2, 63), np.uint8))
    with pytest.raises(ValueError, match="NaN"):
        code.decode_llr(np.full((2, 63), np.nan))


def test_cached_code_returns_one_shared_object():
    a = cached_code("ldpc5g", 40, 128)
    assert a is cached_code("ldpc5g", 40, 128) and isinstance(a, LDPC5G) and (a.k, a.n) == (40, 128)
    b = cached_code("bch", 30, 48)
    assert b is cached_code("bch", 30, 48) and isinstance(b, BCH) and (b.k, b.n) == (30, 48)
    assert all(isinstance(cached_code(kind, 30, 48), Code) for kind in CODE_KINDS)
    with pytest.raises(ValueError, match="^kind"):
        cached_code("polar", 40, 128)
    with pytest.raises(ValueError, match="^k"):
        cached_code("bch", 31, 48)


def test_systems_share_the_cached_code():
    """The coded link and the PLD layer code take their code from the one cache."""
    from linksim.systems.coded_link.link import CodedLink
    from linksim.systems.pld.link import LayerCode

    link = CodedLink(k=40, n=128, ebno_db=2.0)
    layer = LayerCode("ldpc5g", 29, "CRC11", 128)
    assert link.ldpc is layer.fec is cached_code("ldpc5g", 40, 128)
    bch_layer = LayerCode("bch", 16, "CRC11", 128)
    assert bch_layer.fec is cached_code("bch", bch_layer.k_info, bch_layer.n_code)
    assert isinstance(layer.fec, Code) and isinstance(bch_layer.fec, Code)
