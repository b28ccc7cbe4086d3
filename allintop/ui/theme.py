"""Theme colours for Rich text built in Python.

Widget colours live in allintop.tcss; text assembled in code (the header, the alerts
bar, table cells) resolves the same theme variables here, so `$error` is the theme's
red whatever the theme is.

A theme variable is Textual CSS, not a Rich style: `auto 60%` (a contrast colour at
60 % over the background), `#E0E0E0 50%`, `ansi_red`. Each is turned into a colour
Rich can parse, and whatever cannot be turned into one is left out rather than
raised: a missing colour must never take the screen down.
"""

from __future__ import annotations

import os

from rich.errors import StyleSyntaxError
from rich.style import Style
from textual.color import Color, ColorParseError
from textual.dom import DOMNode

#: Grafana's colour names, as the theme's nearest colours.
GRAFANA_COLOURS = {
    "green": "$success",
    "red": "$error",
    "yellow": "$warning",
    "orange": "$warning",
    "blue": "$primary",
    "purple": "$accent",
    "text": "$text",
}

#: Below this opacity an ANSI colour (which cannot be blended) is shown dim.
DIM_BELOW = 0.75

_cache: dict[tuple[str, str], str] = {}


def no_colour() -> bool:
    """NO_COLOR (set by --no-color too): https://no-color.org, any value counts."""
    return "NO_COLOR" in os.environ


def themed(node: DOMNode, style: str) -> str:
    """Replace `$variable` words in a Rich style by the app theme's colours.

    The result always parses as a Rich style: a variable whose value is not a
    colour is dropped (the text keeps its other attributes).
    """
    if "$" not in style:
        return style
    app = node.app
    key = (str(app.theme), style)
    if key not in _cache:
        _cache[key] = resolve(style, app.get_css_variables())
    return _cache[key]


def resolve(style: str, variables: dict[str, str]) -> str:
    """`style` with each `$name` replaced by a Rich colour from `variables`."""
    background = _parse(variables.get("background", "")) or Color(0, 0, 0)
    words = []
    for word in style.split():
        if word.startswith("$"):
            word = rich_colour(variables.get(word[1:], ""), background)
        elif word in ("on",) or _valid(word):
            pass
        else:
            word = ""
        if word:
            words.append(word)
    return _tidy(words)


def rich_colour(value: str, background: Color) -> str:
    """A theme variable's value as a Rich colour ("" when it is none).

    `auto N%` is the readable contrast colour over `background` at N % opacity;
    `COLOUR N%` is that colour blended over the background; ANSI colours cannot be
    blended, so a faint one is the colour, dim.
    """
    words = value.split()
    if not words:
        return ""
    alpha = _alpha(words[1]) if len(words) > 1 else 1.0
    if alpha is None:
        return ""
    if words[0] == "auto":
        if background.ansi is not None:
            return "default dim" if alpha < DIM_BELOW else "default"
        return (background + background.get_contrast_text(alpha)).hex
    colour = _parse(words[0])
    if colour is None:
        return ""
    if colour.ansi is not None:
        name = colour.rich_color.name
        return f"{name} dim" if alpha < DIM_BELOW else name
    if alpha < 1.0 and background.ansi is None:
        colour = background + colour.with_alpha(alpha * colour.a)
    return colour.hex


def _alpha(word: str) -> float | None:
    try:
        return min(max(float(word.rstrip("%")) / 100, 0.0), 1.0)
    except ValueError:
        return None


def _parse(text: str) -> Color | None:
    try:
        return Color.parse(text)
    except ColorParseError:
        return None


def _valid(text: str) -> bool:
    try:
        Style.parse(text)
    except StyleSyntaxError:
        return False
    return True


def _tidy(words: list[str]) -> str:
    """Drop an `on` left without a colour after it, and check the whole parses."""
    while words and words[-1] == "on":
        words.pop()
    text = " ".join(words)
    return text if _valid(text) else ""
