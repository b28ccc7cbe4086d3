"""A Grafana stat's (and gauge's) layout options, as the model keeps them: textMode,
colorMode, orientation and justifyMode, each one of the values a terminal draws.

A value Grafana has that is not drawn here is read as its nearest ("background_solid"
is the background; "value_and_name" stays as it is), an unknown one as the default.
A singlestat says background or value colouring with `colorBackground` /
`colorValue`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allintop.dashboard.grafana.documents import mapping
from allintop.dashboard.model import (
    COLOR_MODES,
    JUSTIFY_MODES,
    ORIENTATIONS,
    TEXT_MODES,
    ColorMode,
    Justify,
    Orientation,
    TextMode,
)

#: Grafana's colour modes drawn as another: a solid background is the background.
_COLOR_ALIASES = {"background_solid": "background", "background_gradient": "background"}


def text_mode(panel: Mapping[str, Any]) -> TextMode:
    """What each value's cell says (auto: the name too when there are several)."""
    written = str(_options(panel).get("textMode") or "auto")
    return next((mode for mode in TEXT_MODES if mode == written), "auto")


def color_mode(panel: Mapping[str, Any]) -> ColorMode:
    """What the threshold colour paints: the value, its background, or nothing."""
    if panel.get("type") == "singlestat":
        if panel.get("colorBackground"):
            return "background"
        return "value" if panel.get("colorValue") else "none"
    written = str(_options(panel).get("colorMode") or "value")
    written = _COLOR_ALIASES.get(written, written)
    return next((mode for mode in COLOR_MODES if mode == written), "value")


def orientation(panel: Mapping[str, Any]) -> Orientation:
    """Which way several values go: by the tile's shape, stacked, or side by side."""
    written = str(_options(panel).get("orientation") or "auto")
    return next((way for way in ORIENTATIONS if way == written), "auto")


def justify(panel: Mapping[str, Any]) -> Justify:
    """Where the text sits in its cell."""
    written = str(_options(panel).get("justifyMode") or "auto")
    return next((mode for mode in JUSTIFY_MODES if mode == written), "auto")


def _options(panel: Mapping[str, Any]) -> Mapping[str, Any]:
    return mapping(panel.get("options"))
