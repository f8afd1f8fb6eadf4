"""A point whose task rejects its parameters when it runs (a ValueError/TypeError from the
system, e.g. found only after a costly design) ends the run with one PointError line naming
the point, whether it fails in the first frame run in the parent or in a later point."""

from __future__ import annotations

import pytest

from linksim.sim.executors import InlineExecutor
from linksim.sim.montecarlo import StopRule
from linksim.sim.runner import PointError, run_evaluations, run_points
from linksim.sim.store import Store


def _simulate(params, rng, n_frames):
    if params["rate"] > 1:
        raise ValueError(f"rate: got {params['rate']}; allowed: a rate some stream supports")
    return {"frames": n_frames, "frame_errors": 0, "bits": n_frames, "bit_errors": 0,
            "bit_errors_sq": 0}


def _evaluate(params):
    if params["rate"] > 1:
        raise TypeError("rate: got a rate no design reaches; allowed: <= 1")
    return {"value": params["rate"]}


@pytest.mark.parametrize("rates", [[2.0, 0.5], [0.5, 2.0]])
def test_a_rejected_simulation_point_is_one_line(tmp_path, rates):
    points = [{"rate": r} for r in rates]
    with Store(tmp_path / "s.sqlite") as store, InlineExecutor() as ex:
        with pytest.raises(PointError) as info:
            run_points(_simulate, points, seed=1, stop=StopRule(max_frames=10, batch_size=10),
                       store=store, key="k", executor=ex, labels=["a", "b"], progress=False)
    bad = rates.index(2.0)
    assert str(info.value) == (f"point {bad + 1} ({'ab'[bad]}): rate: got 2.0; allowed: a rate "
                               f"some stream supports")


def test_a_rejected_analysis_point_is_one_line(tmp_path):
    with Store(tmp_path / "s.sqlite") as store, InlineExecutor() as ex:
        with pytest.raises(PointError, match=r"^point 2: rate: got a rate no design"):
            run_evaluations(_evaluate, [{"rate": 0.5}, {"rate": 3.0}], store=store, key="k",
                            executor=ex)


def test_a_numerical_failure_keeps_its_traceback(tmp_path):
    """numpy's LinAlgError is a ValueError, but a singular solve is a bug, not a parameter the
    user chose: it is not turned into a PointError."""
    import numpy as np

    def singular(params, rng, n_frames):
        np.linalg.solve(np.zeros((2, 2)), np.ones(2))

    with Store(tmp_path / "s.sqlite") as store, InlineExecutor() as ex:
        with pytest.raises(np.linalg.LinAlgError):
            run_points(singular, [{}], seed=1, stop=StopRule(max_frames=10, batch_size=10),
                       store=store, key="k", executor=ex, labels=["a"], progress=False)
