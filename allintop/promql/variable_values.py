"""What a template variable stands for, and how it is written: Grafana's reference
syntaxes ($var, ${var:format}, [[var]]), a value (one, several, All, or text as
written), Grafana's formats of a value, and Grafana's built-in variables.

Pure text: where a value lands in a query is allintop.promql.interpolate's business.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from allintop.promql.intervals import Intervals, grafana_intervals
from allintop.promql.parse import regex_quote

# Grafana's three variable syntaxes: ${var} and ${var:format}, [[var]] and
# [[var:format]], and $var. A name is a word, as in Grafana: "$job_name" is the
# variable "job_name", not "job".
_VARIABLE = re.compile(
    r"\$\{(?P<braced>\w+)(?::(?P<braced_format>[^}]*))?\}"
    r"|\[\[(?P<bracketed>\w+)(?::(?P<bracketed_format>[^\]]*))?\]\]"
    r"|\$(?P<plain>\w+)"
)
# Values that mean "every value" (Grafana's "All"): see AllOf.
ALL_VALUES = frozenset({"all", "All", "$__all"})
_ALL_REGEX = ".*"


@dataclass(frozen=True, slots=True)
class AllOf:
    """A variable's "All" (without an allValue): every one of its `options`, written as
    several values are; with none listed, ".*", every value of the label (as the
    strings "all", "All" and "$__all" are)."""

    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AsWritten:
    """A value that is PromQL text by intent, such as a regex a dashboard's author
    wrote as a custom variable's option or allValue (`nvme.+|sd[a-z]`), or typed in
    a textbox: in a regex matcher it stays a regex (as Grafana writes the single
    value of such a variable); it is still string-escaped, so it cannot end its
    string."""

    text: str


#: What a variable stands for in a query: one value (a literal), several (a
#: multi-value pick), All, or text that goes in as written.
Value = str | tuple[str, ...] | AllOf | AsWritten


def shown(value: Value) -> str:
    """A value as a person reads it: "a + b" for several, "All" for All."""
    if isinstance(value, AllOf):
        return "All"
    if isinstance(value, AsWritten):
        return value.text
    return value if isinstance(value, str) else " + ".join(value)


@dataclass(frozen=True, slots=True)
class Reference:
    """One variable reference in a text, as written ("$job", "${job:csv}", "[[job]]")."""

    start: int
    end: int
    text: str
    name: str
    format: str | None = None
    """"csv" of ${job:csv}; None without one."""


def _reference(match: re.Match[str]) -> Reference:
    name = str(match["braced"] or match["bracketed"] or match["plain"])
    fmt = match["braced_format"] or match["bracketed_format"] or None
    return Reference(match.start(), match.end(), match[0], name, fmt)


def references(text: str) -> list[Reference]:
    """Every variable reference in `text`, in order."""
    return [_reference(match) for match in _VARIABLE.finditer(text)]


def replace_references(text: str, replace: Callable[[Reference], str]) -> str:
    """`text` with each reference replaced by what `replace` makes of it."""
    return _VARIABLE.sub(lambda match: replace(_reference(match)), text)


def is_plain_reference(text: str) -> bool:
    """Whether `text` is one whole reference without a format ("$x", "${x}", "[[x]]")."""
    match = _VARIABLE.fullmatch(text)
    return match is not None and _reference(match).format is None


def formatted(value: Value, fmt: str | None, *, regex: bool) -> str:
    """What a reference stands for before string escaping: in `fmt` if it names one of
    Grafana's formats, else as Grafana's Prometheus datasource writes it, regex-quoted
    where it lands in a regex (`regex`)."""
    if isinstance(value, AsWritten):
        return value.text
    if isinstance(value, str) and value in ALL_VALUES:
        value = AllOf()
    if isinstance(value, AllOf):
        if fmt == "text":
            return "All"
        if not value.options:
            return _ALL_REGEX
        value = value.options
    listed = (value,) if isinstance(value, str) else value
    writer = _FORMATS.get(fmt or "")
    if writer is not None:
        return writer(listed)
    if len(listed) == 1:
        return regex_quote(listed[0]) if regex else listed[0]
    return _regex_format(listed)


def _regex_format(values: tuple[str, ...]) -> str:
    quoted = [regex_quote(value) for value in values]
    return quoted[0] if len(quoted) == 1 else "(" + "|".join(quoted) + ")"


def _glob_format(values: tuple[str, ...]) -> str:
    return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"


def _json_format(values: tuple[str, ...]) -> str:
    return json.dumps(values[0] if len(values) == 1 else list(values), ensure_ascii=False)


def _quoted_format(quote: str, double: bool = False) -> Callable[[tuple[str, ...]], str]:
    def write(values: tuple[str, ...]) -> str:
        escape = quote + quote if double else "\\" + quote
        return ",".join(quote + value.replace(quote, escape) + quote for value in values)

    return write


# Grafana's variable formats (${var:csv}), for lists of values; "text" is as shown.
_FORMATS: Mapping[str, Callable[[tuple[str, ...]], str]] = {
    "regex": _regex_format,
    "pipe": "|".join,
    "csv": ",".join,
    "raw": ",".join,
    "text": " + ".join,
    "glob": _glob_format,
    "json": _json_format,
    "doublequote": _quoted_format('"'),
    "singlequote": _quoted_format("'"),
    "sqlstring": _quoted_format("'", double=True),
}
FORMATS = frozenset(_FORMATS)


def variables_used(expr: str) -> frozenset[str]:
    """The names of the template variables `expr` refers to, in any of the three forms.

    All-digit names are not variables: "$1" is label_replace's capture reference.
    """
    names = (reference.name for reference in references(expr))
    return frozenset(name for name in names if not name.isdigit())


# Grafana's built-in variables, which imported dashboards use (rate(x[$__rate_interval])).
BUILTIN_VARIABLES = frozenset(
    {
        "__interval",
        "__interval_ms",
        "__rate_interval",
        "__rate_interval_ms",
        "__range",
        "__range_s",
        "__range_ms",
    }
)


def builtin_values(range_seconds: float, intervals: Intervals | None = None) -> dict[str, str]:
    """Values for Grafana's built-in variables over a range, with a query's intervals
    (allintop.promql.intervals; None: those of a query whose chart and datasource are
    not known)."""
    if intervals is None:
        intervals = grafana_intervals(range_seconds)
    step_ms = max(1, round(intervals.interval * 1000))
    rate_ms = max(1, round(intervals.rate * 1000))
    range_ms = max(1, round(range_seconds * 1000))
    return {
        "__interval": f"{step_ms}ms",
        "__interval_ms": str(step_ms),
        "__rate_interval": f"{rate_ms}ms",
        "__rate_interval_ms": str(rate_ms),
        "__range": f"{range_ms}ms",
        "__range_s": str(range_ms // 1000),
        "__range_ms": str(range_ms),
    }
