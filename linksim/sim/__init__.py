"""Monte Carlo engine: batches, stopping rules, confidence intervals."""

from linksim.sim.montecarlo import (
    REQUIRED_COUNTS,
    PointResult,
    PointTally,
    StopRule,
    run_batch,
    run_point,
)
from linksim.sim.stats import clopper_pearson

__all__ = [
    "REQUIRED_COUNTS",
    "PointResult",
    "PointTally",
    "StopRule",
    "run_batch",
    "run_point",
    "clopper_pearson",
]
