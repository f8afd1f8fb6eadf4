"""The bit-true seed-002 link (notes 002 §6): a batch is a pure function of its generator, the
LMMSE outputs have the analytical post-equalization SINR at Bob and Eve (within a 99.9 %
interval over independent frames), and the counts are consistent."""

from __future__ import annotations

import numpy as np
import pytest

from linksim.systems import get_system
from linksim.systems.an_mimo.link import AnMimoLink
from linksim.systems.an_mimo.measures import derived

pytest.importorskip("cvxpy")

SMALL = dict(k=2, n_t=2, n_r=2, n_e=3, d_s=1, d_a=1, p_total_db=20.0, noise_db=-76.0,
             zeta=0.1, n_iter=3, n_channels=2, n_code=128, k_info=32, backoff=1.0)


@pytest.fixture(scope="module")
def link():
    return AnMimoLink(**get_system("an_mimo").complete(SMALL))


def test_batches_are_pure_functions_of_the_generator(link):
    a = link.simulate_batch(np.random.default_rng(5), 60)
    b = link.simulate_batch(np.random.default_rng(5), 60)
    assert a == b
    assert a["frames"] == 60 and a["bits"] == 60 * 32 and a["code_bits"] == 60 * 128
    assert 0 <= a["frame_errors"] <= 60 and 0 <= a["eve_frame_errors"] <= 60
    assert a["bit_errors"] <= a["bits"] and a["bit_errors_sq"] >= a["bit_errors"]
    assert link.simulate_batch(np.random.default_rng(5), 0)["frames"] == 0


def test_measured_sinr_matches_the_analysis_at_bob_and_eve(link):
    """1500 frames of 64 symbols: the interval of the SINR ratio (99.9 %, normal over
    independent frames) must hold 1 at both receivers, and be narrow enough (width < 0.15)
    that an SINR misstated by 10 % would fall outside it."""
    counts = link.simulate_batch(np.random.default_rng(11), 1500)
    import linksim.systems.an_mimo.measures as measures
    old = measures.CONFIDENCE
    measures.CONFIDENCE = 0.999
    try:
        values = derived(get_system("an_mimo").complete(SMALL), counts)["values"]
    finally:
        measures.CONFIDENCE = old
    for who in ("bob", "eve"):
        assert values[f"{who}_sinr_ratio_lo"] <= 1.0 <= values[f"{who}_sinr_ratio_hi"], values
        assert values[f"{who}_sinr_ratio_hi"] - values[f"{who}_sinr_ratio_lo"] < 0.15
    assert values["eve_leakage_per_code_bit_lo"] <= values["eve_leakage_per_code_bit"] \
        <= values["eve_leakage_per_code_bit_hi"] <= 1.0


def test_bad_link_parameters_are_named():
    spec = get_system("an_mimo")
    with pytest.raises(ValueError, match="^n_code"):
        AnMimoLink(**spec.complete({**SMALL, "n_code": 129}))
    with pytest.raises(ValueError, match="^eve_detector"):
        AnMimoLink(**spec.complete({**SMALL, "modulation": "256qam", "d_s": 2, "n_t": 3,
                                    "n_r": 2, "eve_detector": "ml"}))
    with pytest.raises(ValueError, match="^d_s"):
        AnMimoLink(**spec.complete({**SMALL, "d_s": 2}))


def test_zero_forcing_skips_a_stream_the_design_switched_off():
    """A zero column (a stream with no power) makes H^H H singular; ZF over the streams that
    carry power is the same detector as ZF on that stream alone."""
    from linksim.mimo.detection import zf_detect
    rng = np.random.default_rng(4)
    a = np.zeros((3, 2), complex)
    a[:, 1] = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    y = rng.standard_normal((5, 3, 7)) + 1j * rng.standard_normal((5, 3, 7))
    cov = np.eye(3) * 0.3
    s_hat, no_eff = AnMimoLink._detect(a, y, cov, 1, "zf")
    want, want_no = zf_detect(np.broadcast_to(a[:, 1:], (5, 3, 1)), y,
                              np.broadcast_to(cov, (5, 3, 3)))
    assert np.allclose(s_hat, want[:, 0]) and np.allclose(no_eff, want_no[:, 0])


def test_zero_forcing_refuses_a_design_with_dependent_streams():
    """Two powered streams along one transmit direction (rank-1 Q): only LMMSE can receive
    them, and the link says so in one line instead of failing in a solve."""
    from linksim.systems.an_mimo.link import Pool, _check_zero_forcing
    rng = np.random.default_rng(6)
    g = (rng.standard_normal((1, 1, 1, 3, 3)) + 1j * rng.standard_normal((1, 1, 1, 3, 3)))
    v = rng.standard_normal((3, 1)) + 1j * rng.standard_normal((3, 1))
    q = np.hstack([v, 0.1 * v])[None, None]                  # [C=1, K=1, n_t, d_s=2]
    empty = np.zeros((1, 1, 2))
    pool = Pool(g, None, q, None, None, None, empty, empty, empty, None,
                np.array([[0, 0, 0]]))
    with pytest.raises(ValueError, match=r"^receiver: got 'zf'.*rank 1 for 2 powered"):
        _check_zero_forcing(pool)
    q_ok = np.hstack([v, rng.standard_normal((3, 1)) + 0j])[None, None]
    _check_zero_forcing(pool._replace(q=q_ok))
