"""Completion of a PromQL query being typed: what the cursor is on (a metric or
function name, a label name, a label's value), the candidates for it from the names
the server knows, and the query with one of them put in.

The place is read from the tokens before the cursor (allintop.promql.tokens); the
names come from the server (allintop.live.explore fetches and caches them).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from allintop.promql.parse import promql_string
from allintop.promql.tokens import Token, tokens

#: PromQL's functions (Prometheus 3's included; a unit test checks the parser knows each).
FUNCTIONS = (
    "abs",
    "absent",
    "absent_over_time",
    "avg_over_time",
    "ceil",
    "changes",
    "clamp",
    "clamp_max",
    "clamp_min",
    "count_over_time",
    "day_of_month",
    "day_of_week",
    "day_of_year",
    "days_in_month",
    "delta",
    "deriv",
    "double_exponential_smoothing",
    "exp",
    "floor",
    "histogram_avg",
    "histogram_count",
    "histogram_fraction",
    "histogram_quantile",
    "histogram_stddev",
    "histogram_stdvar",
    "histogram_sum",
    "hour",
    "idelta",
    "info",
    "increase",
    "irate",
    "label_join",
    "label_replace",
    "last_over_time",
    "ln",
    "log10",
    "log2",
    "mad_over_time",
    "max_over_time",
    "min_over_time",
    "minute",
    "month",
    "predict_linear",
    "present_over_time",
    "quantile_over_time",
    "rate",
    "resets",
    "round",
    "scalar",
    "sgn",
    "sort",
    "sort_by_label",
    "sort_by_label_desc",
    "sort_desc",
    "stddev_over_time",
    "stdvar_over_time",
    "sum_over_time",
    "time",
    "timestamp",
    "vector",
    "year",
)
AGGREGATIONS = (
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
)
#: Keywords followed by a list of label names in parentheses.
LABEL_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
MATCH_OPS = frozenset({"=", "!=", "=~", "!~"})
_WORDS = frozenset(
    {*FUNCTIONS, *AGGREGATIONS, *LABEL_LISTS, "bool", "offset", "and", "or", "unless", "atan2"}
)
#: Candidates offered at most.
MAX_CANDIDATES = 50

Place = Literal["name", "label", "value"]


@dataclass(frozen=True, slots=True)
class Context:
    """What the cursor is on.

    Args:
        place: a metric or function name, a label name, or a label's value.
        prefix: what is typed of it so far.
        start: where the typed part starts (it is replaced by the candidate).
        metric: the metric whose labels these are ("" when none is named).
        label: the label whose values these are (place "value").
        quote: the quote a value's string was opened with ("" when none is typed).
    """

    place: Place
    prefix: str
    start: int
    metric: str = ""
    label: str = ""
    quote: str = ""


def context_at(text: str, cursor: int) -> Context | None:
    """What the cursor at `cursor` in `text` is on; None: nothing to complete there
    (after a number, inside a range's brackets, after a finished expression)."""
    before = tokens(text[:cursor])
    opens: list[tuple[Token, Token | None]] = []  # each open bracket and the token before it
    for k, token in enumerate(before):
        if token.kind == "open":
            opens.append((token, before[k - 1] if k else None))
        elif token.kind == "close" and opens:
            opens.pop()
    last = before[-1] if before else None
    typing = last is not None and last.end == cursor and last.kind in ("name", "string")
    if last is not None and last.kind == "string" and last.closed:
        typing = False
    previous = before[-2] if typing and len(before) > 1 else (last if not typing else None)
    prefix, start = (last.text, last.start) if typing and last is not None else ("", cursor)
    if opens:
        bracket, ahead = opens[-1]
        if bracket.text == "[":
            return None
        if bracket.text == "{":
            metric = ahead.text if ahead is not None and ahead.kind == "name" else ""
            return _in_braces(before, typing, previous, prefix, start, metric)
        if bracket.text == "(" and ahead is not None and ahead.text in LABEL_LISTS:
            if previous is None or previous.kind in ("open", "comma"):
                return Context("label", prefix, start, metric=first_metric(text))
            return None
    if typing and last is not None and last.kind == "name":
        return Context("name", prefix, start)
    return None


def _in_braces(
    before: list[Token], typing: bool, previous: Token | None, prefix: str, start: int, metric: str
) -> Context | None:
    last = before[-1]
    if typing and last.kind == "string" and previous is not None and previous.text in MATCH_OPS:
        label = before[-3].text if len(before) > 2 else ""
        quote = last.text[0]
        return Context("value", last.body, last.start + 1, metric, label, quote)
    if not typing and last.kind == "operator" and last.text in MATCH_OPS and len(before) > 1:
        return Context("value", "", start, metric, before[-2].text)
    if (
        previous is not None
        and previous.kind in ("open", "comma")
        and (not typing or last.kind == "name")
    ):
        return Context("label", prefix, start, metric)
    return None


def first_metric(text: str) -> str:
    """The first metric name the query selects (a name outside braces and label
    lists, not followed by "(" and not a keyword), to ask for the labels a
    `by (...)` may name; "" when none."""
    found = tokens(text)
    inside: list[str] = []  # the open brackets: "{", "labels" (a by/on list), or "("
    for k, token in enumerate(found):
        following = found[k + 1] if k + 1 < len(found) else None
        if token.kind == "open":
            listed = token.text == "(" and k and found[k - 1].text in LABEL_LISTS
            inside.append("labels" if listed else token.text)
        elif token.kind == "close" and inside:
            inside.pop()
        elif token.kind == "name" and token.text not in _WORDS:
            if inside and inside[-1] in ("{", "labels"):
                continue
            if following is None or following.text != "(":
                return token.text
    return ""


def candidates(context: Context, names: Iterable[str]) -> list[str]:
    """The names that fit what is typed: those starting with it first, then those
    containing it, each group sorted; at most MAX_CANDIDATES."""
    prefix = context.prefix
    if context.place == "name":
        names = [*names, *FUNCTIONS, *AGGREGATIONS]
    starting: set[str] = set()
    containing: set[str] = set()
    for name in names:
        if name.startswith(prefix):
            starting.add(name)
        elif prefix and prefix in name:
            containing.add(name)
    return [*sorted(starting), *sorted(containing)][:MAX_CANDIDATES]


def apply(text: str, cursor: int, context: Context, candidate: str) -> tuple[str, int]:
    """`text` with the typed part at the cursor replaced by `candidate`, and where
    the cursor goes: after a function's "(", after a value's closing quote."""
    inserted = candidate
    if context.place == "value":
        quote = context.quote or '"'
        body = promql_string(candidate) if quote == '"' else candidate
        inserted = body + quote if context.quote else quote + body + quote
    elif context.place == "name" and candidate in (*FUNCTIONS, *AGGREGATIONS):
        inserted = candidate + "("
    after = text[cursor:]
    if context.place == "value" and context.quote and after.startswith(context.quote):
        after = after[1:]  # the closing quote was already there
    return text[: context.start] + inserted + after, context.start + len(inserted)
