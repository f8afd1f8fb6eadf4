"""The lazy lane refill of the BP kernels (issue 17) decodes every frame exactly as the decoder
before issue 17 (``baseline=True``: the generic kernel with the eager refill): hard decisions,
iteration counts and posteriors bit for bit, for every rule, schedule, precision and stopping
rule, at SNRs where frames stop after a few iterations (many refills) and where they run to
the cap. (The layered min-sum cases run on the specialized kernel, the others on the generic
one with the lazy refill.)"""

import numpy as np
import pytest

from linksim.fec import cached_code
from linksim.fec.ldpc.decoder import bp_decode


@pytest.mark.parametrize("algorithm, schedule", [("nms", "layered"), ("oms", "layered"),
                                                 ("spa", "flooding"), ("nms", "flooding"),
                                                 ("spa", "layered")])
def test_lazy_refill_decodes_every_frame_as_the_eager_one(algorithm, schedule, decoder_llrs):
    code = cached_code("ldpc5g", 200, 400)
    for ebno_db, seed in ((0.5, 1), (2.0, 2), (4.0, 3)):
        llr = decoder_llrs(code, 700, ebno_db, seed)
        for early_stop in (True, False):
            for precision in ("float32", "float64"):
                kw = dict(num_iter=12, algorithm=algorithm, schedule=schedule,
                          early_stop=early_stop, precision=precision, return_posteriors=True)
                eager = bp_decode(code.graph, llr, baseline=True, **kw)
                lazy = bp_decode(code.graph, llr, baseline=False, **kw)
                for a, b in zip(eager, lazy):
                    assert np.array_equal(a, b), (ebno_db, early_stop, precision)


def test_refill_default_is_lazy_and_many_frames_stop_early(decoder_llrs):
    """At 4 dB most frames stop within a few iterations, so lanes are refilled many times per
    call: the case the lazy refill is for. It is the default."""
    code = cached_code("ldpc5g", 200, 400)
    llr = decoder_llrs(code, 700, 4.0, 9)
    hard, iterations = bp_decode(code.graph, llr, num_iter=20, algorithm="nms")
    assert np.mean(iterations) < 5
    eager = bp_decode(code.graph, llr, num_iter=20, algorithm="nms", baseline=True)
    assert np.array_equal(hard, eager[0]) and np.array_equal(iterations, eager[1])
