"""The lazy lane refill of the BP kernel (issue 17) decodes every frame exactly as the eager
refill it replaced (kept as ``baseline=True``, the baseline): hard decisions, iteration
counts and posteriors bit for bit, for every rule, schedule, precision and stopping rule, at
SNRs where frames stop after a few iterations (many refills) and where they run to the cap."""

import numpy as np
import pytest

from linksim import channel
from linksim.fec import cached_code
from linksim.fec.ldpc.decoder import bp_decode
from linksim.mapping import Constellation


def _decoder_llrs(code, frames, ebno_db, seed):
    rng = np.random.default_rng(seed)
    qpsk = Constellation("qpsk")
    u = rng.integers(0, 2, (frames, code.k), dtype=np.uint8)
    no = channel.ebno_to_no(ebno_db, 2, coderate=code.k / code.n)
    y = channel.awgn(qpsk.map(code.encode(u)), no, rng)
    return code.derate_match(qpsk.demap(y, no).astype(np.float32))


@pytest.mark.parametrize("algorithm, schedule", [("nms", "layered"), ("oms", "layered"),
                                                 ("spa", "flooding"), ("nms", "flooding"),
                                                 ("spa", "layered")])
def test_lazy_refill_decodes_every_frame_as_the_eager_one(algorithm, schedule):
    code = cached_code("ldpc5g", 200, 400)
    for ebno_db, seed in ((0.5, 1), (2.0, 2), (4.0, 3)):
        llr = _decoder_llrs(code, 700, ebno_db, seed)
        for early_stop in (True, False):
            for precision in ("float32", "float64"):
                kw = dict(num_iter=12, algorithm=algorithm, schedule=schedule,
                          early_stop=early_stop, precision=precision, return_posteriors=True)
                eager = bp_decode(code.graph, llr, baseline=True, **kw)
                lazy = bp_decode(code.graph, llr, baseline=False, **kw)
                for a, b in zip(eager, lazy):
                    assert np.array_equal(a, b), (ebno_db, early_stop, precision)


def test_refill_default_is_lazy_and_many_frames_stop_early():
    """At 4 dB most frames stop within a few iterations, so lanes are refilled many times per
    call: the case the lazy refill is for. The default is "lazy"."""
    code = cached_code("ldpc5g", 200, 400)
    llr = _decoder_llrs(code, 700, 4.0, 9)
    hard, iterations = bp_decode(code.graph, llr, num_iter=20, algorithm="nms")
    assert np.mean(iterations) < 5
    eager = bp_decode(code.graph, llr, num_iter=20, algorithm="nms", baseline=True)
    assert np.array_equal(hard, eager[0]) and np.array_equal(iterations, eager[1])
