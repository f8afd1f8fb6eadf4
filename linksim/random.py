"""Seeding: one root seed -> an independent ``numpy.random.Generator`` per (point, batch).

Every random draw in linksim comes from a Generator passed in; nothing touches global RNG
state. The stream of a batch is a pure function of ``(root_seed, point_index, batch_index)``
through ``SeedSequence`` spawn keys, so the same root seed gives the same numbers whatever the
number of workers, the order in which batches run, or whether a run was resumed.
"""

from __future__ import annotations

import numpy as np

from linksim.checks import check_int

__all__ = ["check_seed", "batch_seed_sequence", "batch_rng"]

#: The largest root seed accepted (SeedSequence takes arbitrary non-negative ints, but seeds
#: are stored in SQLite and JSON, which hold signed 64-bit integers).
MAX_SEED = 2**63 - 1


def check_seed(seed) -> int:
    """Validate a root seed and return it as ``int``.

    Raises ``TypeError`` for non-integers (bools included) and ``ValueError`` outside
    ``0 <= seed <= 2**63 - 1``.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: got {seed!r} of type {type(seed).__name__}; "
                        f"allowed: an integer in [0, {MAX_SEED}]")
    seed = int(seed)
    if not 0 <= seed <= MAX_SEED:
        raise ValueError(f"seed: got {seed}; allowed: an integer in [0, {MAX_SEED}]")
    return seed


def batch_seed_sequence(root_seed: int, point_index: int, batch_index: int) -> np.random.SeedSequence:
    """The ``SeedSequence`` of batch ``batch_index`` of sweep point ``point_index``.

    Equivalent to ``SeedSequence(root_seed).spawn(...)[point].spawn(...)[batch]``, but computed
    directly from the spawn key, so no batch needs its predecessors to have been drawn.
    """
    root_seed = check_seed(root_seed)
    key = (check_int("point_index", point_index, 0, 2**63 - 1),
           check_int("batch_index", batch_index, 0, 2**63 - 1))
    return np.random.SeedSequence(root_seed, spawn_key=key)


def batch_rng(root_seed: int, point_index: int, batch_index: int) -> np.random.Generator:
    """An independent PCG64 ``Generator`` for one (point, batch) of a run seeded by ``root_seed``."""
    return np.random.Generator(np.random.PCG64(batch_seed_sequence(root_seed, point_index, batch_index)))
