"""linksim beside Sionna: the boundary conventions, linksim's CPU blocks for Sionna 2 (PyTorch)
and Sionna 0.x / 1.x (TensorFlow) pipelines, and stored results for Sionna's ``PlotBER``.

* :mod:`.conventions`: LLR sign, Eb/N0 -> N0, bits, BPSK orientation (the one place they are
  converted);
* :mod:`.blocks`: the NumPy implementation the adapters share;
* :mod:`.torch`: ``LDPC5GDecoder``, ``Demapper``, ``CRCDecoder`` on torch tensors;
* :mod:`.tf`: the same as Keras layers (extra ``[tf]``);
* :mod:`.plotber`: ``plotber_curves`` for ``PlotBER.add``.

The submodules import their frameworks lazily; importing this package needs neither.
"""
