"""Template variables at run time: a query variable's options asked of its datasource
(its query with the picks before it filled in, filtered and ordered as the dashboard
says), and every query variable refreshed in dependency order.

The datasource is passed in (any object with the three calls of OptionSource), so
nothing here imports a UI or an HTTP client.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from allintop.dashboard.model import Pick, Variable
from allintop.dashboard.templating import (
    compiled,
    filtered,
    kept,
    needed_at_start,
    ordered,
    query_values,
    refresh_order,
)
from allintop.errors import AllintopError
from allintop.promql.interpolate import interpolate, interpolate_text
from allintop.promql.variable_queries import VariableQuery, parse_variable_query
from allintop.promql.variable_values import Value
from allintop.sources.answers import InstantResult, Sample


class OptionSource(Protocol):
    """What a query variable's options are asked of: a Prometheus API client."""

    async def label_values(self, label: str, match: str | None = None, /) -> tuple[str, ...]: ...

    async def label_names(self, match: str | None = None, /) -> tuple[str, ...]: ...

    async def query(self, expr: str, /) -> InstantResult: ...


# -- where a query variable's options come from --


async def fetch_options(
    variable: Variable, values: Mapping[str, Value], source: OptionSource
) -> tuple[str, ...]:
    """The variable's options now: its query asked of `source` with the variables it
    uses filled in from `values`, filtered by its regex, in its order.

    Raises ValueError (a query or regex that cannot be read) or the source's error.
    """
    query = parse_variable_query(variable.query or "")
    found = await _ask(query, values, source)
    regex = interpolate_text(variable.regex, values, "regex") if variable.regex else None
    return ordered(filtered(found, regex), variable.sort)


async def _ask(
    query: VariableQuery, values: Mapping[str, Value], source: OptionSource
) -> Sequence[str]:
    selector = interpolate(query.selector, values) if query.selector else None
    if query.function == "label_values":
        label = interpolate_text(query.label, values)
        return await source.label_values(label, selector)
    if query.function == "label_names":
        return await source.label_names(selector)
    if query.function == "metrics":
        pattern = compiled(interpolate_text(query.argument, values, "regex"))
        return [name for name in await source.label_values("__name__") if pattern.search(name)]
    result = await source.query(interpolate(query.argument, values))
    return [sample_line(sample) for sample in result.samples]


def sample_line(sample: Sample) -> str:
    """A query_result() option, as Grafana writes one: `name{a="1",b="2"} value ms`."""
    labels = dict(sample.labels)
    name = labels.pop("__name__", "")
    pairs = ",".join(f'{key}="{value}"' for key, value in labels.items())
    return f"{name}{{{pairs}}} {_number(sample.value)} {round(sample.timestamp * 1000)}"


def _number(value: float) -> str:
    """A sample value as Prometheus writes it: no exponent, no trailing ".0"."""
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    # The shortest repr, written out positionally (Go's FormatFloat(v, 'f', -1)).
    return format(Decimal(repr(value)), "f").removesuffix(".0")


@dataclass(frozen=True)
class Refreshed:
    """Picks and options after a refresh, and why any variable's could not be asked."""

    picks: Mapping[str, Pick]
    options: Mapping[str, tuple[str, ...]]
    problems: tuple[str, ...] = field(default=())


async def refresh(
    variables: Sequence[Variable],
    picks: Mapping[str, Pick],
    options: Mapping[str, tuple[str, ...]],
    names: Collection[str],
    source: OptionSource,
    *,
    range_: float,
    reset: bool = True,
) -> Refreshed:
    """Ask the query variables `names` for their options, in refresh_order, each
    with the picks of those before it: a pick that is no longer an option changes
    (`kept`); with `reset` False (at start) only a pick not known yet ("") does, so
    that a value given on the command line stays. A variable that cannot be asked
    keeps its options and pick, and says why in `problems`."""
    picks, options = dict(picks), dict(options)
    problems: list[str] = []
    by_name = {variable.name: variable for variable in variables}
    for name in refresh_order(variables, names):
        variable = by_name[name]
        if variable.kind != "query" or not variable.query:
            continue
        values = query_values(variables, picks, options, range_=range_)
        try:
            found = await fetch_options(variable, values, source)
        except (ValueError, AllintopError) as error:
            problems.append(f"{name}: {error}")
            continue
        options[name] = found
        pick = picks.get(name, variable.default)
        if reset or pick == "":
            picks[name] = kept(variable, pick, found)
        if picks.get(name) == "":
            problems.append(f"{name}: its query found no options, so it has no value")
    return Refreshed(picks, options, tuple(problems))


async def at_start(
    variables: Sequence[Variable],
    picks: Mapping[str, Pick],
    source: OptionSource,
    *,
    range_: float,
    repeated: Collection[str] = (),
) -> Refreshed:
    """As Grafana on load: the variables needed_at_start asked for their options (a
    pick not known yet becomes the first option; `repeated`: those rows or panels
    repeat for); the picks given stay."""
    names = needed_at_start(variables, picks, repeated)
    if not names:
        return Refreshed(dict(picks), {})
    return await refresh(variables, picks, {}, names, source, range_=range_, reset=False)
