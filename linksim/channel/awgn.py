"""Additive white Gaussian noise and SNR bookkeeping.

Noise is circularly-symmetric complex Gaussian ``CN(0, N0)``: real and imaginary parts are
independent ``N(0, N0/2)``. With unit average symbol energy (``Es = 1``), ``SNR = Es/N0 = 1/N0``.

Draw order (part of the reproducibility contract): a complex Gaussian array of shape ``S`` is
drawn as ``rng.standard_normal(S + (2,), dtype=float32)`` (C order; real part first), then
widened to complex128 and scaled by ``sqrt(1/2)``. Above ``_CHUNK`` real draws, the flat array
is cut into consecutive chunks of ``_CHUNK`` (the last shorter), chunk ``i`` drawn from
``rng.spawn(n_chunks)[i]``; the chunks are drawn on a thread pool (NumPy releases the GIL
while it fills an array). The chunking depends on the shape alone, so the numbers are the
same whatever the number of threads. The draws are float32 because the noise is
the costliest part of a link after the decoder (NumPy draws it on one core) and float32 halves
that; each sample is still an exact Gaussian draw rounded to 24 bits (relative 6e-8), far
below anything an error rate can resolve, and the arithmetic after the draw is float64.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numba as nb
import numpy as np

from linksim.checks import check_int, check_real, check_rng

__all__ = ["ebno_to_no", "snr_db_to_no", "awgn", "complex_normal"]


# --------------------------------------------------------------------------------------------
# Shared validators (used by fading.py too)
# --------------------------------------------------------------------------------------------



def _as_complex(name: str, x) -> np.ndarray:
    """``x`` as a finite complex128 array (real input allowed)."""
    arr = np.asarray(x)
    if arr.dtype.kind not in "biufc":
        raise TypeError(f"{name}: got dtype {arr.dtype}; allowed: a complex (or real) numeric array")
    arr = arr.astype(np.complex128, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: contains NaN or infinite values; allowed: finite values")
    return arr


def _as_variance(name: str, v, shape, *, allow_zero: bool) -> np.ndarray:
    """A real variance (scalar or array broadcastable to ``shape``) as float64, validated."""
    arr = np.asarray(v)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: got {v!r} (dtype {arr.dtype}); allowed: a real number or real array")
    arr = arr.astype(np.float64, copy=False)
    good = np.isfinite(arr) & ((arr >= 0) if allow_zero else (arr > 0))
    if not good.all():
        bad = arr[~good].reshape(-1)[0]
        rule = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name}: contains {bad!r}; allowed: finite values {rule}")
    _check_broadcast(name, arr.shape, shape)
    return arr


def _check_broadcast(name: str, have, target) -> None:
    try:
        ok = np.broadcast_shapes(tuple(have), tuple(target)) == tuple(target)
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"{name}: shape {tuple(have)} does not broadcast to {tuple(target)}; "
                         f"allowed: a scalar or an array broadcastable to {tuple(target)}")






def _db_array(name: str, v):
    """Finite dB value(s) as float (scalar) or float64 array."""
    arr = np.asarray(v)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name}: got {v!r} (dtype {arr.dtype}); allowed: a real number or real array (dB)")
    arr = arr.astype(np.float64)
    if not np.isfinite(arr).all():
        raise ValueError(f"{name}: got {v!r}; allowed: finite values in dB")
    return arr


#: Real Gaussian draws per chunk above which noise is drawn in parallel chunks (module doc).
_CHUNK = 1 << 18
_POOL: ThreadPoolExecutor | None = None


def _standard_normal_f32(rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` i.i.d. N(0, 1) float32 draws from ``rng`` (chunked above ``_CHUNK``, see module doc)."""
    global _POOL
    if size <= _CHUNK:
        return rng.standard_normal(size, dtype=np.float32)
    n_chunks = -(-size // _CHUNK)
    children = rng.spawn(n_chunks)
    out = np.empty(size, dtype=np.float32)

    def fill(i):
        chunk = out[i * _CHUNK:(i + 1) * _CHUNK]
        children[i].standard_normal(chunk.size, dtype=np.float32, out=chunk)

    if _POOL is None:
        # As many threads as Numba may use: a worker process limited to one Numba thread (so
        # that N workers do not oversubscribe the cores) draws its noise on one thread too.
        import numba
        _POOL = ThreadPoolExecutor(max_workers=numba.get_num_threads(),
                                   thread_name_prefix="linksim-noise")
    list(_POOL.map(fill, range(n_chunks)))
    return out


def complex_normal(rng: np.random.Generator, shape, variance=1.0) -> np.ndarray:
    """i.i.d. circularly-symmetric complex Gaussian draws CN(0, variance): the one generator
    of noise, channels and artificial noise (draw order: module doc).

    The scaling happens in place: a batch of noise is tens of MB, and every temporary of that
    size costs page faults.

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : tuple of int
    variance : float or float64 [...]
        Broadcastable to ``shape``.

    Returns
    -------
    w : complex128 [*shape]
    """
    shape = tuple(shape)
    g = _standard_normal_f32(rng, int(np.prod(shape, dtype=np.int64)) * 2).astype(np.float64)
    w = g.view(np.complex128).reshape(shape)
    w *= np.sqrt(0.5 * np.asarray(variance, dtype=np.float64))
    return w


@nb.njit(parallel=True, cache=True)
def _add_scaled_noise(x, g, scale, y):  # pragma: no cover - compiled
    """y[i] = x[i] + scale[i] * (g[2i] + j g[2i+1]), in float64 from the float32 draws: the
    numbers of ``x + complex_normal(...)`` (widen, scale, add) in one pass over the batch,
    without its two temporaries.

    x : complex128 [n]; g : float32 [2n]; scale : float64 [1] (every element) or [n];
    y : complex128 [n], written.
    """
    one = scale.size == 1
    for i in nb.prange(x.size):
        s = scale[0] if one else scale[i]
        y[i] = x[i] + complex(np.float64(g[2 * i]) * s, np.float64(g[2 * i + 1]) * s)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------

def ebno_to_no(ebno_db, bits_per_symbol, coderate=1.0):
    """Noise variance for an Eb/N0 in dB, ``N0 = 1 / (10^(ebno_db/10) * bits_per_symbol * coderate)``.

    Unit symbol energy: ``Es = 1 = Eb * bits_per_symbol * coderate``.

    Parameters
    ----------
    ebno_db : float or float64 [...]
        Eb/N0 in dB, finite (any real dtype).
    bits_per_symbol : int
        >= 1 (e.g. ``Constellation.bits_per_symbol``).
    coderate : float
        In (0, 1], information bits per coded bit.

    Returns
    -------
    no : float or float64 [...]
        A float for scalar input, else an array of the shape of ``ebno_db``.
    """
    ebno = _db_array("ebno_db", ebno_db)
    m = check_int("bits_per_symbol", bits_per_symbol, 1)
    r = check_real("coderate", coderate)
    if not 0.0 < r <= 1.0:
        raise ValueError(f"coderate: got {coderate!r}; allowed: a number in (0, 1]")
    no = 1.0 / (10.0 ** (ebno / 10.0) * m * r)
    return float(no) if no.ndim == 0 else no


def snr_db_to_no(snr_db):
    """Noise variance for an SNR in dB with ``Es = 1``, ``N0 = 10^(-snr_db/10)``.

    Parameters
    ----------
    snr_db : float or float64 [...]
        SNR = Es/N0 in dB, finite (any real dtype).

    Returns
    -------
    no : float or float64 [...]
        A float for scalar input, else an array of the shape of ``snr_db``.
    """
    snr = _db_array("snr_db", snr_db)
    no = 10.0 ** (-snr / 10.0)
    return float(no) if no.ndim == 0 else no


def awgn(x, no, rng):
    """AWGN channel ``y = x + w``, ``w ~ CN(0, no)`` i.i.d. per element (module docstring).

    Parameters
    ----------
    rng : numpy.random.Generator
        Consumes ``x.size * 2`` float32 standard normals, real part first (the draw order of
        the module docstring, chunked above ``_CHUNK``).

    Input
    -----
    x : complex128 [...]
        Transmitted symbols, finite (real input accepted).
    no : float64 [...]
        Noise variance per element, > 0: a scalar or an array broadcastable to ``x.shape``.

    Returns
    -------
    y : complex128 [...]
        The shape of ``x``.
    """
    xa = _as_complex("x", x)
    nv = _as_variance("no", no, xa.shape, allow_zero=False)
    check_rng(rng)
    g = _standard_normal_f32(rng, xa.size * 2)
    # sqrt(no / 2) per element, flat: one value for a scalar no (the usual case), else the
    # broadcast array
    scale = np.sqrt(0.5 * nv)
    scale = scale.reshape(1) if scale.size == 1 else np.broadcast_to(scale, xa.shape).ravel()
    y = np.empty(xa.shape, np.complex128)
    _add_scaled_noise(np.ascontiguousarray(xa).reshape(-1), g, scale, y.reshape(-1))
    return y
