"""Making untrusted text (label values, annotations, server errors) safe to show.

Everything that comes from Prometheus is data, never markup or terminal control:
control characters are replaced by visible escapes here, and the UI renders the
result as plain `rich.text.Text`, so Rich markup in a label value stays literal.
"""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL; tab and newline are folded too, because a
# single-line cell must stay a single line.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_VISIBLE = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\x1b": "\\e"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    return _VISIBLE.get(char, f"\\x{ord(char):02x}")


def clean(text: object, limit: int | None = None) -> str:
    """Return `text` as one printable line, cut to `limit` characters with an ellipsis."""
    out = _CONTROL.sub(_escape, str(text))
    if limit is not None and len(out) > limit:
        out = out[: max(limit - 1, 0)] + "…"
    return out


# A float as Go's %v prints it in a rendered `{{ $value }}`: 0.7273853862887855.
_LONG_DECIMAL = re.compile(r"(?<![\w.])-?\d+\.\d{5,}(?:[eE][-+]?\d+)?(?![\d.])")


def tidy_numbers(text: str) -> str:
    """Long decimals in a rendered annotation, to four significant digits.

    Annotations written with `{{ $value }}` rather than `{{ $value | humanize }}` show
    every digit of a float; this reads numbers in Prometheus' rendered text, nothing
    else.
    """
    return _LONG_DECIMAL.sub(lambda m: f"{float(m[0]):.4g}", text)


# Control characters but tab and newline, which a block of text keeps.
_BLOCK_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_block(text: str) -> str:
    """Like clean(), but keeps the tabs and line breaks of a block of text (a text
    panel's markdown)."""
    return _BLOCK_CONTROL.sub(_escape, text)


def clean_multiline(text: str) -> str:
    """Like clean(), but keeps the line breaks of a prettified expression."""
    return "\n".join(clean(line) for line in text.splitlines())
