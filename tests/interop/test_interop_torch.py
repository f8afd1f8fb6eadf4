"""linksim's blocks inside a Sionna 2 (PyTorch) pipeline: the decoder, demapper and CRC
adapters against Sionna's own blocks on the same tensors."""

import numpy as np
import pytest

pytest.importorskip("sionna.phy")
import torch  # noqa: E402
from sionna.phy import config  # noqa: E402
from sionna.phy.channel import AWGN  # noqa: E402
from sionna.phy.fec.crc import CRCDecoder, CRCEncoder  # noqa: E402
from sionna.phy.fec.ldpc import LDPC5GDecoder, LDPC5GEncoder  # noqa: E402
from sionna.phy.mapping import BinarySource, Demapper, Mapper  # noqa: E402
from sionna.phy.utils import ebnodb2no  # noqa: E402

from linksim.interop import torch as lt  # noqa: E402
from linksim.sim.stats import clopper_pearson  # noqa: E402

pytestmark = pytest.mark.sionna


@pytest.fixture(scope="module")
def pipeline():
    """A Sionna 2 pipeline's tensors: 5G LDPC (512, 1024), QPSK, AWGN at 1.45 dB (BLER
    about 0.09): payload u, received y, noise no and the demapper's logits."""
    config.seed = 23
    enc = LDPC5GEncoder(512, 1024)
    no = ebnodb2no(1.45, 2, 0.5)
    with torch.inference_mode():
        u = BinarySource()([800, 512])
        y = AWGN()(Mapper("qam", 2)(enc(u)), no)
        logits = Demapper("app", "qam", 2)(y, no)
    return enc, u, y, no, logits


def test_decoder_in_a_sionna_pipeline_gives_sionnas_bler(pipeline):
    """linksim's decoder (spa, flooding, no early stop) swapped for Sionna's boxplus-phi
    decoder on the same logits: each BLER in the other's 99 % interval (same frames, so a
    paired check is the sharper one: frames with a different outcome <= 2 + 10 % of those
    failing in either, the bound of tests/fec/test_ldpc_sionna.py; 0 measured)."""
    enc, u, _, _, logits = pipeline
    with torch.inference_mode():
        theirs = LDPC5GDecoder(enc, cn_update="boxplus-phi", num_iter=20)(logits)
    ours = lt.LDPC5GDecoder(enc, decoder="spa", num_iter=20, early_stop=False)(logits)
    assert ours.shape == theirs.shape == (800, 512) and ours.dtype == logits.dtype
    assert ours.device == logits.device
    f_o, f_t = (ours != u).any(1).numpy(), (theirs != u).any(1).numpy()
    e_o, e_t = int(f_o.sum()), int(f_t.sum())
    assert 10 <= e_t <= 300
    lo, hi = clopper_pearson(e_t, 800, 0.99)
    assert lo <= e_o / 800 <= hi
    assert int((f_o != f_t).sum()) <= 2 + 0.1 * int((f_o | f_t).sum())
    # The default (layered nms, early stop) decodes too, and leading dims are kept.
    nms = lt.LDPC5GDecoder(k=512, n=1024)(logits.reshape(2, 400, 1024))
    assert nms.shape == (2, 400, 512)
    assert (nms.reshape(800, 512) != u).any(1).float().mean() < 0.3
    with pytest.raises(ValueError, match="^encoder: got None"):
        lt.LDPC5GDecoder()
    with pytest.raises(ValueError, match=r"^logits: got shape \(800, 1000\)"):
        lt.LDPC5GDecoder(enc)(logits[:, :1000])


def test_demapper_and_crc_equal_sionnas(pipeline):
    _, _, y, no, logits = pipeline
    ours = lt.Demapper("app", "qpsk")(y, no)
    assert ours.shape == logits.shape
    np.testing.assert_allclose(ours.numpy(), logits.numpy(), rtol=1e-4, atol=1e-4)
    maxlog = lt.Demapper("maxlog", "qpsk")(y, float(no))
    np.testing.assert_allclose(maxlog.numpy(), logits.numpy(), rtol=1e-4, atol=1e-4)  # QPSK
    config.seed = 2
    with torch.inference_mode():
        crc = CRCEncoder("CRC16")
        bits = crc(BinarySource()([40, 100]))
        bits[7, 3] = 1 - bits[7, 3]
        p_t, ok_t = CRCDecoder(crc)(bits)
    p_o, ok_o = lt.CRCDecoder("CRC16")(bits)
    assert torch.equal(p_o, p_t) and torch.equal(ok_o, ok_t) and int((~ok_o).sum()) == 1
