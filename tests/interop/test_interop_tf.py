"""linksim's blocks inside a TensorFlow pipeline (a Keras model and a tf.function), as a
Sionna 0.x / 1.x user would call them: the same BLER as Sionna's own decoder on the same
LLRs. Runs with the [tf] extra (tensorflow-cpu)."""

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
pytest.importorskip("sionna.phy")
import torch  # noqa: E402
from sionna.phy import config  # noqa: E402
from sionna.phy.channel import AWGN  # noqa: E402
from sionna.phy.fec.ldpc import LDPC5GDecoder, LDPC5GEncoder  # noqa: E402
from sionna.phy.mapping import BinarySource, Demapper, Mapper  # noqa: E402
from sionna.phy.utils import ebnodb2no  # noqa: E402

from linksim.interop import tf as ltf  # noqa: E402
from linksim.sim.stats import clopper_pearson  # noqa: E402

pytestmark = pytest.mark.sionna


def test_decoder_in_a_keras_model_gives_sionnas_bler():
    """Logits of a Sionna pipeline (5G LDPC (512, 1024), QPSK, 1.45 dB), as TF tensors through
    a Keras model holding linksim's decoder (spa, no early stop), and through a tf.function;
    Sionna's boxplus-phi decoder on the same LLRs: each BLER in the other's 99 % interval,
    frames with a different outcome within the paired bound (2 + 10 %)."""
    config.seed = 31
    enc = LDPC5GEncoder(512, 1024)
    no = ebnodb2no(1.45, 2, 0.5)
    with torch.inference_mode():
        u = BinarySource()([800, 512])
        y = AWGN()(Mapper("qam", 2)(enc(u)), no)
        logits = Demapper("app", "qam", 2)(y, no)
        theirs = LDPC5GDecoder(enc, cn_update="boxplus-phi", num_iter=20)(logits).numpy()
    layer = ltf.LDPC5GDecoder(enc, decoder="spa", num_iter=20, early_stop=False)
    inputs = tf.keras.Input(shape=(1024,))
    model = tf.keras.Model(inputs, layer(inputs))
    ours = model(tf.constant(logits.numpy())).numpy()
    graph = tf.function(layer)(tf.constant(logits.numpy())).numpy()
    assert ours.shape == (800, 512) and np.array_equal(graph, ours)
    u = u.numpy()
    f_o, f_t = (ours != u).any(1), (theirs != u).any(1)
    e_t = int(f_t.sum())
    assert 10 <= e_t <= 300
    lo, hi = clopper_pearson(e_t, 800, 0.99)
    assert lo <= f_o.mean() <= hi
    assert int((f_o != f_t).sum()) <= 2 + 0.1 * int((f_o | f_t).sum())
    # The demapper and CRC layers on TF tensors.
    llr = ltf.Demapper("app", "qpsk")([tf.constant(y.numpy()), tf.constant(no.numpy())])
    np.testing.assert_allclose(llr.numpy(), logits.numpy(), rtol=1e-4, atol=1e-4)
    bits = np.zeros((3, 40), np.float32)
    payload, ok = ltf.CRCDecoder("CRC6")(tf.constant(bits))      # all-zero is a codeword
    assert payload.shape == (3, 34) and ok.shape == (3, 1) and bool(tf.reduce_all(ok))
