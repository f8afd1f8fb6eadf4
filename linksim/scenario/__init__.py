"""Scenario files: one TOML file per study, parsed and validated before anything runs.

A scenario names a system (:data:`linksim.systems.SYSTEMS`), its fixed parameters, a sweep over
some of its parameters, a stopping rule per sweep point, a root seed and what to report::

    name = "ldpc_awgn_qpsk"      # optional; default: the file stem; [A-Za-z0-9_.-]+
    description = "..."          # optional
    system = "coded_link"
    seed = 1                     # 0 <= seed <= 2**63 - 1
    confidence = 0.95            # optional, in (0, 1)

    [params]                     # fixed system parameters
    k = 512
    n = 1024

    [sweep]
    mode = "cartesian"           # or "zip" (element-wise; equal-length axes)
    [sweep.axes]
    ebno_db = { start = 0.0, stop = 3.0, step = 0.5 }   # stop included
    decoder = ["nms", "spa"]

    [stop]
    max_frame_errors = 100
    max_frames = 1e5
    batch_size = 1000            # optional; also first_batch_size, max_seconds

    [output]                     # optional
    metrics = ["bler", "ber"]    # linksim.systems.metrics_of(system)
    x = "ebno_db"                # default: the first axis
    groups = [["bler", "ber"]]   # optional: one figure per inner array (default: one per metric)
    series = ["k"]               # optional: axes splitting the points into curves (default:
                                 # linksim.series.series_axes)
    [[output.predictions]]       # name = a prediction of the system or of
    name = "..."                 # linksim.theory.PREDICTIONS; other keys are options to it

A system of kind ``"analysis"`` (closed forms, optimizers; see :mod:`linksim.systems`) is
evaluated once per point, deterministically: its scenario has no ``[stop]`` table and no
``[[output.predictions]]`` (both are rejected), ``seed`` is optional and unused, and
``output.metrics`` names the system's quantities (default: all of them, in the system's order)::

    name = "pld_power_split"
    system = "pld_point"
    [params]
    z_eve_db = -3.0
    d_k = 8
    [sweep]
    mode = "zip"
    [sweep.axes]
    p_m = [0.1, 0.2, 0.3, 0.4]
    p_k = [0.9, 0.8, 0.7, 0.6]
    [output]
    metrics = ["r_d", "eps_lf", "eps_bob_m"]
    groups = [["r_d"], ["eps_lf", "eps_bob_m"]]

Validation goes beyond types: every sweep point is built by its system (each distinct parameter
combination once, cached per process), and the system's complaint is reported where the bad
value was written (``params.k`` or ``sweep.axes.k[2]``). All problems are collected and raised
together as one :class:`ScenarioError`, one line each: ``field.path: got <value>; allowed: <what>``.

Nothing a file can hold ends in a traceback at run time (issue 9). Before a point is built, the
numerical limits apply (see :mod:`linksim.scenario.limits`, with the reasons): values in dB
(``*_db``) within +-:data:`DB_LIMIT`, each system's own limits (``SystemSpec.limits``: e.g. the
coded link's ``num_iter``, the PLD layer SINRs, the ``grid`` of the PLD studies and the size
of their line searches), and a batch of frames (min(batch_size, max_frames) x code bits per
frame) within :data:`MAX_BATCH_BYTES`. Each ``[[output.predictions]]`` entry is checked with the scenario: its
options against the prediction's keyword parameters (names and the types of their defaults), and
the prediction at every point (:func:`linksim.theory.check_prediction`). The file itself may not
nest arrays or tables more than :data:`MAX_DEPTH` levels; a UTF-8 byte-order mark is dropped.

The scenario :attr:`Scenario.hash` identifies what is simulated (system, every point's full
parameters, stopping rule, seed; for an analysis system only the system and the points); the
results store keys its batches (and evaluations) by it.

The package, one concern per module (the names above are re-exported here):

- :mod:`~linksim.scenario.fields`: :class:`ScenarioError`, how values and field paths are shown,
  the problem collector and the checks of single fields (name, system, seed, counts, ...).
- :mod:`~linksim.scenario.sections`: the tables of the file as pydantic models.
- :mod:`~linksim.scenario.sweep`: ``[sweep]``: axes and ranges, cartesian/zip points, canonical
  JSON.
- :mod:`~linksim.scenario.limits`: the numerical limits (:data:`DB_LIMIT`, the systems' own,
  batch memory).
- :mod:`~linksim.scenario.points`: every point through its system and each prediction at
  every point (cached per process).
- :mod:`~linksim.scenario.output`: ``[output]``: metrics or quantities, x, groups, series,
  predictions.
- :mod:`~linksim.scenario.model`: the validated :class:`Scenario`.
- :mod:`~linksim.scenario.load`: :func:`parse_scenario` and :func:`load_scenario`, step by step.
"""

# Re-exports: the public names (those of __all__, and the limits the command line and the tests
# use) and the per-process caches of the point and prediction checks (tests clear them).
from linksim.scenario.fields import DEFAULT_CONFIDENCE, MAX_COUNT, MODES, ScenarioError
from linksim.scenario.limits import (BYTES_PER_FRAME_BIT, DB_LIMIT, MAX_BATCH_BYTES,
                                     batch_memory_problem, db_problem, max_batch_frames,
                                     value_limit)
from linksim.scenario.load import MAX_DEPTH, MAX_FILE_BYTES, load_scenario, parse_scenario
from linksim.scenario.model import Scenario
from linksim.scenario.output import DEFAULT_METRICS
from linksim.scenario.points import MAX_POINT_PROBLEMS, _point_error, _prediction_error
from linksim.scenario.sweep import MAX_AXIS_VALUES, MAX_POINTS

__all__ = ["ScenarioError", "Scenario", "load_scenario", "parse_scenario", "MODES",
           "MAX_AXIS_VALUES", "MAX_POINTS", "DEFAULT_METRICS", "DEFAULT_CONFIDENCE"]
