"""Two-user region geometry (linksim.optimize.region): Pareto points, the union boundary, the
convex hull, the support function and the symmetric rate (LP duality), refinement and the
chunked grid."""

import numpy as np

from linksim.optimize.region import (evaluate_grid, hull_boundary, hull_vertices,
                                     pareto_points, refine, support, symmetric_on_hull,
                                     union_boundary)


def test_a_small_cloud_by_hand():
    r1 = np.array([0.0, 1.0, 2.0, 0.5, 1.5, 0.2])
    r2 = np.array([2.0, 1.8, 0.0, 1.9, 0.5, 0.1])
    assert list(pareto_points(r1, r2)) == [0, 3, 1, 4, 2]
    np.testing.assert_array_equal(
        union_boundary(r1, r2, [0, 0.5, 0.7, 1.2, 1.5, 1.7, 2, 2.5]),
        [2, 1.9, 1.8, 0.5, 0.5, 0, 0, 0])
    v = hull_vertices(r1, r2)
    np.testing.assert_array_equal(v, [[0, 2], [1, 1.8], [2, 0]])   # (0.5, 1.9) is on a facet
    np.testing.assert_allclose(hull_boundary(v, [0, 0.5, 1.5, 2, 3]), [2, 1.9, 0.9, 0, 0])
    assert abs(symmetric_on_hull(v) - 1.8 / 1.4) < 1e-15        # 1.8 - 1.8 (x - 1) = x


def test_random_clouds_hull_dominates_union_and_duality_gives_the_symmetric_rate():
    rng = np.random.default_rng(7)
    for _ in range(20):
        n = int(rng.integers(5, 400))
        r1, r2 = rng.gamma(2.0, 1.0, (2, n))
        v = hull_vertices(r1, r2)
        x = np.linspace(0, r1.max(), 301)
        hull, union = hull_boundary(v, x), union_boundary(r1, r2, x)
        assert np.all(hull >= union - 1e-12)
        # concave: slopes decrease along the chain
        slopes = np.diff(v[:, 1]) / np.diff(v[:, 0])
        assert np.all(np.diff(slopes) <= 1e-12)
        # every interior vertex is a point of the cloud, and no point is above the hull
        for a, b in v[1:-1]:
            assert np.any((r1 == a) & (r2 == b))
        assert np.all(r2 <= hull_boundary(v, r1) + 1e-12)
        # symmetric rate = min_w h(w) (LP duality on a convex, downward-closed region); h is
        # convex and piecewise linear in w, so its minimum is at a facet normal w = s/(1+s)
        # (s the facet's -slope) or at an end, all evaluated on the raw cloud
        w = np.concatenate([-slopes / (1 - slopes), [0.0, 1.0], np.linspace(0, 1, 101)])
        h = np.array([support(r1, r2, wi)[0] for wi in w])
        assert abs(symmetric_on_hull(v) - h.min()) < 1e-12
        # the union's max-min is below, and the max sum is 2 h(1/2)
        assert np.minimum(r1, r2).max() <= symmetric_on_hull(v) + 1e-12
        assert abs(2 * support(r1, r2, 0.5)[0] - (r1 + r2).max()) < 1e-12


def test_refine_climbs_and_never_returns_worse():
    def f(t):
        return -np.sum((t - np.array([0.3, 0.7])) ** 2)
    value, theta = refine(f, [0.5, 0.5], [(0, 1), (0, 1)])
    assert value > -1e-10 and np.allclose(theta, [0.3, 0.7], atol=1e-4)
    # an optimum outside the box ends on the box
    value, theta = refine(lambda t: t[0] + t[1], [0.5, 0.5], [(0, 1), (0, 1)])
    assert abs(value - 2) < 1e-6 and np.all(theta <= 1)
    # a start that is already the best is kept
    value, theta = refine(lambda t: 0.0 if np.allclose(t, 0.2) else -1.0, [0.2, 0.2],
                          [(0, 1), (0, 1)])
    assert value == 0.0 and np.allclose(theta, 0.2)


def test_evaluate_grid_is_the_cartesian_product_in_c_order():
    axes = [np.linspace(0, 1, 7), np.array([0.0, 2.0]), np.linspace(-1, 1, 5)]

    def f(a, b, c):
        return a + 10 * b + 100 * c, a * b * c
    got = evaluate_grid(f, axes, chunk_sets=3)          # forces one chunk per first value
    a, b, c = np.meshgrid(*axes, indexing="ij")
    np.testing.assert_array_equal(got[0], (a + 10 * b + 100 * c).ravel())
    np.testing.assert_array_equal(got[1], (a * b * c).ravel())
    i = 37
    ia, ib, ic = np.unravel_index(i, (7, 2, 5))
    assert got[0][i] == axes[0][ia] + 10 * axes[1][ib] + 100 * axes[2][ic]
