"""linksim's fast CPU blocks as Keras layers on TensorFlow tensors, with the conventions of
Sionna 0.x / 1.x (TensorFlow): the optional extra ``[tf]`` (``tensorflow-cpu``).

A Sionna 1.x user swaps in linksim's decoder in one line::

    from linksim.interop.tf import LDPC5GDecoder
    decoder = LDPC5GDecoder(encoder, num_iter=20)      # a keras Layer, as Sionna 1.x's
    u_hat = decoder(llr)                               # logits [..., n] -> bits [..., k]

Each layer runs linksim's Numba kernel through ``tf.numpy_function`` (inside ``tf.function``
and Keras models too: the call leaves the graph for NumPy and comes back; not differentiable,
no XLA). Inputs and outputs are those of the Sionna block of the same name (logits in, float
bits out, any leading dimensions); :mod:`linksim.interop.blocks` holds the implementation,
shared with the PyTorch adapter.
"""

from __future__ import annotations

try:
    import tensorflow as tf
except ImportError as exc:   # the optional extra is missing: one line, not a traceback chain
    raise ImportError("linksim.interop.tf needs TensorFlow: pip install -e \".[tf]\" "
                      "(tensorflow-cpu)") from exc

from linksim.interop.blocks import CRCCheckCore, DemapperCore, LDPCDecoderCore, code_size

__all__ = ["LDPC5GDecoder", "Demapper", "CRCDecoder"]


class LDPC5GDecoder(tf.keras.layers.Layer):
    """linksim's 5G NR LDPC decoder as a Keras layer, in place of Sionna 1.x's
    ``LDPC5GDecoder`` (hard output, information bits).

    Parameters
    ----------
    encoder : object with ``k`` and ``n``, or None (then ``k`` and ``n``)
    k, n : int, optional
    decoder : {"nms", "oms", "spa"}
        linksim's algorithm ("spa": flooding sum-product, Sionna's ``boxplus-phi``).
    num_iter : int
    early_stop : bool

    Input: logits float32 [..., n]. Output: float32 [..., k] bits.
    """

    def __init__(self, encoder=None, *, k=None, n=None, decoder: str = "nms",
                 num_iter: int = 20, early_stop: bool = True, **kwargs):
        super().__init__(trainable=False, **kwargs)
        k, n = code_size(encoder, k, n)
        self.core = LDPCDecoderCore(k, n, decoder, num_iter, early_stop)

    def call(self, logits):
        logits = tf.cast(logits, tf.float32)
        out = tf.numpy_function(lambda x: self.core(x), [logits], tf.float32,
                                stateful=False)
        return tf.ensure_shape(out, logits.shape[:-1] + (self.core.k,))


class Demapper(tf.keras.layers.Layer):
    """linksim's demapper as a Keras layer (Sionna 1.x ``Demapper``, soft output).

    Parameters
    ----------
    demapping_method : {"app", "maxlog"}
    modulation : str
        A :data:`linksim.mapping.MODULATIONS` name.

    Inputs: ``[y, no]``: complex64 [..., S], float32 noise variance (scalar or broadcastable).
    Output: float32 logits [..., S * m].
    """

    def __init__(self, demapping_method: str = "app", modulation: str = "qpsk", **kwargs):
        super().__init__(trainable=False, **kwargs)
        self.core = DemapperCore(demapping_method, modulation)

    def call(self, inputs):
        y, no = inputs
        no = tf.cast(no, tf.float32)
        out = tf.numpy_function(lambda a, b: self.core(a, b), [y, no], tf.float32,
                                stateful=False)
        m = self.core.bits_per_symbol
        last = y.shape[-1] * m if y.shape[-1] is not None else None
        return tf.ensure_shape(out, y.shape[:-1] + (last,))


class CRCDecoder(tf.keras.layers.Layer):
    """linksim's CRC check as a Keras layer (Sionna 1.x ``CRCDecoder``).

    Parameters
    ----------
    crc_degree : str
        "CRC24A", "CRC24B", "CRC24C", "CRC16", "CRC11" or "CRC6".

    Input: bits float32 [..., k + L]. Output: (bits [..., k], crc_valid bool [..., 1]).
    """

    def __init__(self, crc_degree: str, **kwargs):
        super().__init__(trainable=False, **kwargs)
        self.core = CRCCheckCore(crc_degree)

    def call(self, bits):
        bits = tf.cast(bits, tf.float32)
        payload, ok = tf.numpy_function(lambda b: self.core(b), [bits], [tf.float32, tf.bool],
                                        stateful=False)
        last = bits.shape[-1] - self.core.length if bits.shape[-1] is not None else None
        return (tf.ensure_shape(payload, bits.shape[:-1] + (last,)),
                tf.ensure_shape(ok, bits.shape[:-1] + (1,)))
