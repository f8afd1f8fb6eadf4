"""The one timing rule of the benchmarks: a warm-up call, then the best wall time of several.

Benchmarks run as scripts (``python benchmarks/NAME.py``), so their directory is on the path
and they import this module as ``from timing import best``.
"""

from __future__ import annotations

import time

__all__ = ["best"]


def best(fn, repeat: int = 3) -> float:
    """Seconds of the fastest of ``repeat`` calls of ``fn()``, after one untimed warm-up call
    (Numba compilation, torch kernels, caches).

    Parameters
    ----------
    fn : callable
        Called with no arguments.
    repeat : int
        Timed calls, >= 1.
    """
    fn()
    fastest = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        fastest = min(fastest, time.perf_counter() - t0)
    return fastest
