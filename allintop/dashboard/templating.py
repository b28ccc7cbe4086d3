"""Template variables as Grafana has them: what each pick is written as in a query
(All, several values, an auto interval, the built-ins) and in a row's or panel's
title, how a query variable's options are filtered (its regex) and ordered, and
which variables are asked again when one they depend on changes (chained
variables). Asking a datasource for the options is
`allintop.live.variables`' part; this is pure.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace

from allintop.dashboard.model import ALL, Dashboard, Pick, Row, Variable
from allintop.promql.interpolate import interpolate, interpolate_text
from allintop.promql.intervals import Intervals
from allintop.promql.variable_queries import parse_variable_query
from allintop.promql.variable_values import (
    ALL_VALUES,
    BUILTIN_VARIABLES,
    AllOf,
    AsWritten,
    Value,
    builtin_values,
    variables_used,
)
from allintop.values.durations import format_duration, parse_duration


def is_all(pick: Pick) -> bool:
    """Whether a pick is "All" ("all", "All", "$__all", alone or among others)."""
    picked = (pick,) if isinstance(pick, str) else pick
    return any(value in ALL_VALUES for value in picked)


# -- what a pick is written as --


def exprs(
    dashboard: Dashboard,
    values: Mapping[str, Pick],
    options: Mapping[str, tuple[str, ...]] | None = None,
    *,
    range_: float | None = None,
    intervals: Sequence[Intervals] | None = None,
) -> list[str]:
    """Every panel's expression, in panel order, with the variables filled in: the
    picks `values`, each variable's `options` as last asked for (what "all" is), and
    Grafana's built-ins for the range (the dashboard's own unless given) and each
    query's `intervals` (allintop.dashboard.timing; None: Grafana's for a query of
    no known chart or datasource)."""
    range_ = dashboard.range if range_ is None else range_
    filled = query_values(dashboard.variables, values, options or {}, range_=range_)
    if intervals is None:
        return [interpolate(panel.expr, filled) for panel in dashboard.queries]
    # A --var for a built-in (a name no variable has) still wins over the computed.
    given = {name: pick for name, pick in values.items() if name in BUILTIN_VARIABLES}
    return [
        interpolate(panel.expr, filled | builtin_values(range_, each) | given)
        for panel, each in zip(dashboard.queries, intervals, strict=True)
    ]


def query_values(
    variables: Sequence[Variable],
    picks: Mapping[str, Pick],
    options: Mapping[str, tuple[str, ...]],
    *,
    range_: float,
    intervals: Intervals | None = None,
) -> dict[str, Value]:
    """What each variable stands for in a query, for interpolate: Grafana's
    built-ins for the range and the query's `intervals` (None: Grafana's for a query
    of no known chart or datasource), then each variable's pick (its default if
    none), with All and "auto" worked out. A query variable without a pick yet ("")
    is left out, so its references stay as written (and Prometheus names them).
    Picks of names that are no variable's pass through as they are."""
    values: dict[str, Value] = dict(builtin_values(range_, intervals))
    values.update(picks)
    for variable in variables:
        pick = picks.get(variable.name, variable.default)
        if pick == "" and variable.kind == "query":  # not known yet: left as written
            values.pop(variable.name, None)
            continue
        values[variable.name] = _value(variable, pick, options.get(variable.name), range_)
        if variable.kind == "interval" and variable.auto:
            values[f"__auto_interval_{variable.name}"] = auto_interval(
                range_, variable.auto_count, variable.auto_min
            )
    return values


def titled(dashboard: Dashboard, values: Mapping[str, Value]) -> Dashboard:
    """The dashboard with $var, ${var} and ${var:format} in its rows', panels' and
    queries' titles filled in from `values` (`title_values`), as Grafana shows them:
    a value as it reads, several joined by " + ", All as "All"; a format as Grafana
    writes it. Unknown variables stay as written. The same dashboard when no title
    names a variable."""
    rows = tuple(_titled_row(row, values) for row in dashboard.rows)
    if rows == dashboard.rows:
        return dashboard
    return replace(dashboard, rows=rows)


def _titled_row(row: Row, values: Mapping[str, Value]) -> Row:
    texts = row.title + "".join(p.title for p in row.panels + row.queries)
    if "$" not in texts and "[[" not in texts:
        return row
    return replace(
        row,
        title=interpolate_text(row.title, values),
        panels=tuple(replace(p, title=interpolate_text(p.title, values)) for p in row.panels),
        queries=tuple(replace(q, title=interpolate_text(q.title, values)) for q in row.queries),
    )


def title_values(
    variables: Sequence[Variable],
    picks: Mapping[str, Pick],
    options: Mapping[str, tuple[str, ...]],
    *,
    range_: float,
) -> dict[str, Value]:
    """What each variable stands for in a title: as in a query (`query_values`), but
    All is all the options even where an allValue writes it otherwise in queries
    (Grafana's title says "All", and ${var:csv} lists them); "All" in any format
    while a query variable's options are not asked for yet."""
    values = query_values(variables, picks, options, range_=range_)
    for variable in variables:
        if variable.name in values and is_all(picks.get(variable.name, variable.default)):
            known = options.get(variable.name) or variable.options
            values[variable.name] = AllOf(known) if known else AsWritten("All")
    return values


def _value(variable: Variable, pick: Pick, asked: tuple[str, ...] | None, range_: float) -> Value:
    if variable.kind == "interval" and variable.auto and pick == "auto":
        return auto_interval(range_, variable.auto_count, variable.auto_min)
    if is_all(pick):
        if variable.all_value is not None:
            return AsWritten(variable.all_value)
        return AllOf(_every_option(variable, asked))
    if isinstance(pick, tuple) and len(pick) == 1:
        pick = pick[0]
    if isinstance(pick, str) and _written_by_hand(variable):
        return AsWritten(pick)
    return pick


def _written_by_hand(variable: Variable) -> bool:
    """Whether the variable's single value is the dashboard author's (or the user's)
    own PromQL text rather than a label's value: a custom, constant or textbox one
    of one value, which Grafana writes into a regex matcher unquoted (Node Exporter
    Full's `diskdevices` is the regex `[a-z]+|nvme[0-9]+n[0-9]+`). Several values, or
    "all" on offer, make them values again, quoted as Grafana quotes them."""
    kinds = ("custom", "constant", "textbox")
    return variable.kind in kinds and not variable.multi and not variable.include_all


def _every_option(variable: Variable, asked: tuple[str, ...] | None) -> tuple[str, ...]:
    """What All without an allValue is written as: the options listed; none (so `.*`)
    for an unfiltered label_values query, whose options are every value of the
    label (shorter, and no value that appears later is left out), and for a query
    whose options have not been asked for yet."""
    if variable.kind != "query":
        return variable.options
    if asked is None or not _lists_options(variable):
        return ()
    return asked


def _lists_options(variable: Variable) -> bool:
    """Whether a query variable's All is its options, not `.*`: where a regex filters
    them, or they are not a label's values."""
    try:
        function = parse_variable_query(variable.query or "").function
    except ValueError:
        return False
    return bool(variable.regex) or function != "label_values"


def needed_at_start(
    variables: Sequence[Variable], picks: Mapping[str, Pick], repeated: Collection[str] = ()
) -> tuple[str, ...]:
    """The query variables whose picks cannot be written until their options are
    asked for: one without a pick yet (""), and "all" of one whose All is its
    options, or that a row or panel repeats for (`repeated`: a copy per option).
    The rest are asked only when the picker opens."""
    names = []
    for variable in variables:
        if variable.kind != "query" or not variable.query:
            continue
        pick = picks.get(variable.name, variable.default)
        listed = variable.all_value is None and _lists_options(variable)
        all_of_options = is_all(pick) and (listed or variable.name in repeated)
        if pick == "" or all_of_options:
            names.append(variable.name)
    return tuple(names)


# Grafana's roundInterval: an interval rounded to one a person would pick (ms).
_ROUNDED = (
    (15, 10),
    (35, 20),
    (75, 50),
    (150, 100),
    (350, 200),
    (750, 500),
    (1_500, 1_000),
    (3_500, 2_000),
    (7_500, 5_000),
    (12_500, 10_000),
    (17_500, 15_000),
    (25_000, 20_000),
    (45_000, 30_000),
    (90_000, 60_000),
    (210_000, 120_000),
    (450_000, 300_000),
    (750_000, 600_000),
    (1_050_000, 900_000),
    (1_500_000, 1_200_000),
    (2_700_000, 1_800_000),
    (5_400_000, 3_600_000),
    (9_000_000, 7_200_000),
    (16_200_000, 10_800_000),
    (32_400_000, 21_600_000),
    (86_400_000, 43_200_000),
    (604_800_000, 86_400_000),
    (1_814_400_000, 604_800_000),
    (3_628_800_000, 2_592_000_000),
)


def auto_interval(range_: float, count: int, minimum: str) -> str:
    """An interval variable's "auto": the range in `count` steps, rounded as Grafana
    rounds it, and at least `minimum` (a duration such as "10s")."""
    wanted = range_ * 1000 / max(1, count)
    rounded = next((to for below, to in _ROUNDED if wanted < below), 31_536_000_000)
    try:
        least = parse_duration(minimum) * 1000
    except ValueError:
        least = 0.0
    return format_duration(max(rounded, least) / 1000)


def js_regex(text: str) -> re.Pattern[str]:
    """Grafana's regex option ("/pattern/flags", or a bare pattern matched whole) as
    a Python pattern; ValueError when it is none."""
    if text.startswith("/") and text.count("/") >= 2:
        body, _, flags = text[1:].rpartition("/")
        if set(flags) <= set("gimsuy"):
            bits = (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0)
            return compiled(body, bits | (re.S if "s" in flags else 0))
    return compiled(f"^(?:{text})$")


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    # JavaScript names a group (?<name>...), Python (?P<name>...).
    parts = pattern.split("(?<")
    python = parts[0] + "".join(
        ("(?<" if part[:1] in ("=", "!") else "(?P<") + part for part in parts[1:]
    )
    try:
        return re.compile(python, flags)
    except re.error as error:
        raise ValueError(f"regex {pattern!r}: {error}") from None


def filtered(found: Iterable[str], regex: str | None) -> tuple[str, ...]:
    """The options `regex` keeps, each once, as Grafana filters them: an option the
    regex does not find is dropped; its group "value", else its first group, else
    the whole option, is what is kept."""
    if not regex:
        return tuple(dict.fromkeys(found))
    pattern = js_regex(regex)
    kept: list[str] = []
    for text in found:
        match = pattern.search(text)
        if match is None:
            continue
        named = match.groupdict()
        if named.get("value") is not None:
            kept.append(named["value"])
        elif named.get("text") is not None:
            kept.append(named["text"])
        elif pattern.groups and match.group(1) is not None:
            kept.append(match.group(1))
        elif not pattern.groups:
            kept.append(text)
    return tuple(dict.fromkeys(kept))


def ordered(options: Sequence[str], sort: str) -> tuple[str, ...]:
    """Options in Grafana's order `sort` (VariableSort), "none" as they came."""
    keys = {
        "alphabetical": lambda text: text,
        "alphabetical-ci": str.casefold,
        "numerical": _numeric_key,
        "natural": _natural_key,
    }
    key = keys.get(sort.removesuffix("-desc"))
    if key is None:
        return tuple(options)
    return tuple(sorted(options, key=key, reverse=sort.endswith("-desc")))


def _numeric_key(text: str) -> float:
    """The option as a number; else its first run of digits (Grafana's); else -1."""
    try:
        return float(text)
    except ValueError:
        pass
    rest = itertools.dropwhile(lambda c: not c.isdigit(), text)
    digits = "".join(itertools.takewhile(str.isdigit, rest))
    return float(digits) if digits else -1.0


def _natural_key(text: str) -> list[tuple[int, int, str]]:
    """ "a2" before "a10": runs of digits compare as numbers."""
    return [
        (1, int(run), "") if digits else (0, 0, run.casefold())
        for digits, chars in itertools.groupby(text, str.isdigit)
        for run in ["".join(chars)]
    ]


# -- chained variables --


def depends(variable: Variable) -> frozenset[str]:
    """The variables its options depend on (its query's and its regex's): when one
    of them changes, its options are asked for again."""
    used = variables_used(variable.query or "") | variables_used(variable.regex or "")
    return frozenset(used - BUILTIN_VARIABLES - {variable.name})


def dependents(variables: Sequence[Variable], changed: Collection[str]) -> frozenset[str]:
    """The variables whose options depend on `changed`, directly or through others
    (a chain job -> node -> instance): what is asked again when those change."""
    found: set[str] = set()
    frontier = set(changed)
    while frontier:
        frontier = {
            v.name
            for v in variables
            if depends(v) & frontier and v.name not in found and v.name not in changed
        }
        found |= frontier
    return frozenset(found)


def refresh_order(variables: Sequence[Variable], names: Collection[str]) -> tuple[str, ...]:
    """`names` in the order their options are asked for: each after those of them
    it depends on, else in dashboard order (a cycle is broken in dashboard order)."""
    pending = [v for v in variables if v.name in names]
    done: list[str] = []
    while pending:
        waiting = {v.name for v in pending}
        ready = next((v for v in pending if not depends(v) & (waiting - {v.name})), pending[0])
        done.append(ready.name)
        pending.remove(ready)
    return tuple(done)


def kept(variable: Variable, pick: Pick, options: Sequence[str]) -> Pick:
    """The pick once the options are new (Grafana's rule): what of it is still an
    option; else "all" when offered, else the first option. With no options (none
    found, or none asked for) it stays as it was."""
    if not options or variable.kind in ("constant", "textbox"):
        return pick
    if is_all(pick) and variable.include_all:
        return ALL
    picked = (pick,) if isinstance(pick, str) else pick
    still = tuple(value for value in picked if value in options)
    if still:
        return still if variable.multi else still[0]
    if variable.include_all:
        return ALL
    return (options[0],) if variable.multi else options[0]


def multi_pick(before: Pick, ticked: Sequence[str], include_all: bool) -> Pick:
    """A multi-value variable's pick from the options ticked now: ticking "all" picks
    All alone; ticking a value while All is ticked picks that value instead;
    nothing ticked is All where offered, else the pick stays."""
    values = tuple(ticked)
    if ALL in values and not is_all(before):
        return ALL
    values = tuple(value for value in values if value != ALL)
    if values:
        return values
    return ALL if include_all else before


def query_variables(variables: Sequence[Variable]) -> tuple[str, ...]:
    """The variables whose options are asked of the datasource."""
    return tuple(v.name for v in variables if v.kind == "query" and v.query)
