"""The tables of a scenario file as pydantic models: the top level, ``[sweep]``, ``[stop]``, a
range of ``[sweep.axes]``, ``[output]`` and one ``[[output.predictions]]`` entry.

Each model forbids unknown fields; a field's ``description`` is the ``allowed:`` text of its
problems (:func:`linksim.scenario.fields._format_pydantic_error`), and its validator is a
``_check_*`` function of :mod:`linksim.scenario.fields`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.functional_validators import PlainValidator

from linksim.random import MAX_SEED
from linksim.scenario.fields import (DEFAULT_CONFIDENCE, _NAME_ALLOWED, _check_confidence,
                                     _check_count, _check_description, _check_finite,
                                     _check_mode, _check_name, _check_seconds, _check_seed,
                                     _check_system)


def _V(check):
    return PlainValidator(check)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class _Top(_Section):
    name: Annotated[str, _V(_check_name)] = Field(None, description=_NAME_ALLOWED)
    description: Annotated[str, _V(_check_description)] = Field("", description="a string")
    system: Annotated[str, _V(_check_system)] = Field(
        description="the name of a system of linksim.systems.SYSTEMS, e.g. \"coded_link\"")
    # seed and stop are required for simulation systems only: parse_scenario checks per kind.
    seed: Annotated[int, _V(_check_seed)] = Field(
        None, description=f"an integer in [0, {MAX_SEED}] (the root seed of every random stream)")
    confidence: Annotated[float, _V(_check_confidence)] = Field(
        DEFAULT_CONFIDENCE, description="a number in (0, 1)")
    params: Any = Field(None, description="a table of fixed system parameters")
    sweep: Any = Field(description="a [sweep] table with a [sweep.axes] table of at least one axis")
    stop: Any = Field(None, description="a [stop] table with max_frame_errors and max_frames")
    output: Any = Field(None, description="an [output] table")


class _Sweep(_Section):
    mode: Annotated[str, _V(_check_mode)] = Field("cartesian",
                                                  description="\"cartesian\" or \"zip\"")
    axes: Any = Field(description="a [sweep.axes] table: name = [values] or "
                                  "name = {start = ..., stop = ..., step = ...}")


class _Stop(_Section):
    max_frame_errors: Annotated[int, _V(_check_count)] = Field(
        description="a positive integer: stop a point once this many frame errors are counted")
    max_frames: Annotated[int, _V(_check_count)] = Field(
        description="a positive integer (or an integral float such as 1e5): the most frames "
                    "per point")
    batch_size: Annotated[int, _V(_check_count)] = Field(None, description="a positive integer")
    first_batch_size: Annotated[int, _V(_check_count)] = Field(None,
                                                               description="a positive integer")
    max_seconds: Annotated[float, _V(_check_seconds)] = Field(
        None, description="a positive number of seconds")
    error_count: str | list[str] = Field(
        None, description="the name of a count the system reports, to which max_frame_errors "
                          "applies, or a list of such names (every one must reach it)")


class _Range(_Section):
    start: Annotated[float, _V(_check_finite)] = Field(description="a finite number")
    stop: Annotated[float, _V(_check_finite)] = Field(description="a finite number >= start "
                                                                  "(included)")
    step: Annotated[float, _V(_check_finite)] = Field(description="a finite number > 0")


class _Output(_Section):
    metrics: Any = Field(None, description="an array of metric names")
    x: Any = Field(None, description="the name of a sweep axis")
    predictions: Any = Field(None, description="an array of [[output.predictions]] tables")
    groups: Any = Field(None, description="an array of arrays of recorded metric names (one "
                                          "figure each)")
    series: Any = Field(None, description="an array of sweep axis names whose values split "
                                          "the points into curves")


class _Prediction(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    name: Any = Field(description="the name of a prediction of linksim.theory.PREDICTIONS")
