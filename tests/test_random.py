"""linksim.random: one root seed -> an independent, position-determined stream per (point, batch)."""

import numpy as np
import pytest

from linksim.random import MAX_SEED, batch_rng, batch_seed_sequence, check_seed


def test_stream_depends_only_on_seed_and_position():
    a = batch_rng(7, 3, 11).random(5)
    # drawing other batches first, or in another order, changes nothing
    for p, b in [(0, 0), (3, 10), (3, 12), (4, 11)]:
        batch_rng(7, p, b).random(100)
    assert np.array_equal(batch_rng(7, 3, 11).random(5), a)


def test_equivalent_to_nested_spawning():
    """The spawn key (point, batch) is what SeedSequence(root).spawn()[point].spawn()[batch] gives."""
    root = np.random.SeedSequence(123)
    nested = root.spawn(3)[2].spawn(5)[4]
    assert np.array_equal(nested.generate_state(4), batch_seed_sequence(123, 2, 4).generate_state(4))


def test_streams_differ_across_points_batches_and_seeds():
    draws = {key: batch_rng(*key).integers(0, 2**63, size=4).tobytes()
             for key in [(1, 0, 0), (1, 0, 1), (1, 1, 0), (2, 0, 0), (1, 1, 1)]}
    assert len(set(draws.values())) == len(draws)


def test_independent_streams_look_uncorrelated():
    """Correlation of 1e5 normals from neighbouring batches: |r| < 4.4/sqrt(n) is the 99.999 %
    bound under independence (a failure would be a 1e-5 event)."""
    n = 100_000
    x = batch_rng(5, 0, 0).standard_normal(n)
    y = batch_rng(5, 0, 1).standard_normal(n)
    assert abs(np.corrcoef(x, y)[0, 1]) < 4.4 / np.sqrt(n)


@pytest.mark.parametrize("seed,err", [(-1, ValueError), (MAX_SEED + 1, ValueError), (1.5, TypeError),
                                      (True, TypeError), ("3", TypeError), (None, TypeError)])
def test_bad_seed(seed, err):
    with pytest.raises(err, match="seed"):
        check_seed(seed)


@pytest.mark.parametrize("point,batch,name", [(-1, 0, "point_index"), (0, -2, "batch_index"),
                                              (0.5, 0, "point_index"), (0, True, "batch_index")])
def test_bad_indices(point, batch, name):
    with pytest.raises((TypeError, ValueError), match=name):
        batch_rng(1, point, batch)


def test_numpy_integer_seeds_accepted():
    assert check_seed(np.int64(5)) == 5
    assert np.array_equal(batch_rng(np.int64(5), np.int32(1), np.uint8(2)).random(3),
                          batch_rng(5, 1, 2).random(3))
