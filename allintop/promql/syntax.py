"""A query's syntax error as the parser states it, and the place it is at.

The parser (promql_parser, through allintop.promql.parse) says what is wrong but not
where. The place is found with the parser too: the query is cut after each of its
tokens (allintop.promql.tokens), and the first cut the parser rejects for a reason
other than "not finished yet" ends at the culprit. When every cut could still be
finished, what is missing is at the end.
"""

from __future__ import annotations

from dataclasses import dataclass

from allintop.promql.parse import parse_error
from allintop.promql.tokens import Token, tokens

#: The parser's words for a query that is only unfinished (a prefix of a valid one).
_UNFINISHED = ("unclosed", "end of input", "unterminated", "unexpected end")
#: The parser's generic message: after an operator it only means "unfinished".
_GENERIC = "invalid promql query"
#: Cuts tried at most: a longer query gets its caret at the end.
MAX_CUTS = 200


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    """The parser's message, and the offset in the query it points at."""

    message: str
    offset: int

    def position(self, text: str) -> tuple[int, int]:
        """(line, column), both from 1, as Prometheus gives a parse error's place."""
        before = text[: self.offset]
        line = before.count("\n") + 1
        return line, self.offset - (before.rfind("\n") + 1) + 1


def problem(text: str) -> SyntaxProblem | None:
    """None when `text` parses; else the parser's message and where it points."""
    if not text.strip():
        return SyntaxProblem("empty query", 0)
    message = parse_error(text)
    if message is None:
        return None
    found = tokens(text)
    named = _unknown_function(message, found)
    if named is not None:
        return SyntaxProblem(message, named.start)
    opens: list[str] = []  # the brackets open: "(", "[", "{", or "by" for a label list
    for k, token in enumerate(found[:MAX_CUTS]):
        before = found[k - 1] if k else None
        waits = False  # a label list just closed: the expression it groups is to come
        if token.kind == "open":
            listed = token.text == "(" and before is not None and before.text in _LISTS
            opens.append("by" if listed else token.text)
        elif token.kind == "close" and opens:
            waits = opens.pop() == "by"
        if not waits and _culprit(text[: token.end], token, before, message, opens):
            return SyntaxProblem(message, token.start)
    return SyntaxProblem(message, len(text.rstrip()))


def _unknown_function(message: str, found: list[Token]) -> Token | None:
    """The call the parser names in "unknown function with name 'foo'"."""
    if not message.startswith("unknown function"):
        return None
    name = message.rstrip("'").rpartition("'")[2]
    calls = (t for k, t in enumerate(found[:-1]) if t.text == name and found[k + 1].text == "(")
    return next(calls, None)


def _culprit(cut: str, last: Token, before: Token | None, message: str, opens: list[str]) -> bool:
    """Whether the query goes wrong at `last`, the end of `cut`: the cut fails as the
    whole query does, and not only for being unfinished. Inside parentheses the
    parser says "unclosed" before anything else: the cut is tried with them closed
    too."""
    tried = [cut]
    if opens and all(bracket == "(" for bracket in opens):
        tried.append(cut + ")" * len(opens))
    return any(
        parse_error(text) == message and not _could_finish(text, last, before) for text in tried
    )


def _could_finish(cut: str, last: Token, before: Token | None) -> bool:
    """Whether `cut` (ending with `last`) is valid PromQL or only unfinished."""
    error = parse_error(cut)
    if error is None or any(word in error for word in _UNFINISHED):
        return True
    if error != _GENERIC:
        return False
    # The generic message: an operator, a comma or a keyword still waiting for what
    # follows is unfinished; anything else there is the culprit.
    if last.kind in ("operator", "open", "comma"):
        # Two operators in a row: only a sign (+, -) may follow another.
        doubled = before is not None and before.kind == "operator" and last.kind == "operator"
        return not doubled or last.text in ("+", "-")
    return last.kind == "name" and last.text in _WAITING


_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_WAITING = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool"}
    | {"and", "or", "unless", "atan2"}
)
