"""A small PromQL tokenizer for text being typed: where the names, strings and
brackets are, even when the expression is not finished.

The parser (allintop.promql.parse) is the judge of what an expression means, but it
gives no tokens and no positions, and it rejects every prefix of a valid query. The
completion of a half-typed query, and the place of a parse error, need to know what
is under the cursor: this scanner reads the text a character at a time, by character
class, and never fails. (pygments-promql's lexer, used for colour, marks half-typed
label names and selectors as errors, so it cannot tell these places apart.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["name", "number", "string", "operator", "open", "close", "comma", "other"]

#: Operators of two characters, tried before the one-character ones.
_PAIRS = ("==", "!=", "<=", ">=", "=~", "!~")
_SINGLES = "+-*/%^<>=@"
_OPENS = "({["
_CLOSES = ")}]"
_QUOTES = "\"'`"


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text, and where it starts and ends in the query."""

    kind: Kind
    text: str
    start: int
    end: int
    closed: bool = True
    """False for a string whose closing quote is not typed yet."""

    @property
    def body(self) -> str:
        """A string's inside, without its quotes (escapes as typed)."""
        if self.kind != "string":
            return self.text
        return self.text[1 : len(self.text) - 1 if self.closed else None]


def _name_char(char: str, first: bool) -> bool:
    if char.isascii() and (char.isalpha() or char in "_:"):
        return True
    return not first and char.isascii() and char.isdigit()


def _string_end(text: str, start: int) -> tuple[int, bool]:
    """Where the string opened at `start` ends (after its closing quote), and whether
    it was closed. Backslash escapes are skipped, except in a raw `...` string."""
    quote = text[start]
    k = start + 1
    while k < len(text):
        if text[k] == "\\" and quote != "`":
            k += 2
            continue
        if text[k] == quote:
            return k + 1, True
        k += 1
    return len(text), False


def tokens(text: str) -> list[Token]:
    """The tokens of `text`, whitespace and comments left out."""
    found: list[Token] = []
    k = 0
    while k < len(text):
        char = text[k]
        start = k
        if char.isspace():
            k += 1
            continue
        if char == "#":  # a comment, to the end of the line
            while k < len(text) and text[k] != "\n":
                k += 1
            continue
        if char in _QUOTES:
            k, closed = _string_end(text, k)
            found.append(Token("string", text[start:k], start, k, closed))
            continue
        if _name_char(char, first=True):
            while k < len(text) and _name_char(text[k], first=False):
                k += 1
            found.append(Token("name", text[start:k], start, k))
            continue
        if char.isdigit() or char == ".":  # numbers and durations: 1.5, 0x1f, 5m, 1h30m
            while k < len(text) and (text[k].isalnum() or text[k] in "._"):
                k += 1
            found.append(Token("number", text[start:k], start, k))
            continue
        kind: Kind
        if text.startswith(_PAIRS, k):
            kind, k = "operator", k + 2
        elif char in _SINGLES:
            kind, k = "operator", k + 1
        elif char in _OPENS:
            kind, k = "open", k + 1
        elif char in _CLOSES:
            kind, k = "close", k + 1
        elif char == ",":
            kind, k = "comma", k + 1
        else:
            kind, k = "other", k + 1
        found.append(Token(kind, text[start:k], start, k))
    return found


def one_line(text: str) -> str:
    """`text` on one line, for a one-line prompt: each run of whitespace and comments
    between tokens made one space (none where there was none), the tokens as written."""
    found = tokens(text)
    parts: list[str] = []
    for k, token in enumerate(found):
        if k and token.start > found[k - 1].end:
            parts.append(" ")
        parts.append(token.text)
    return "".join(parts)
