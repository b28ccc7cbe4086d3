"""A Grafana stat's textMode, colorMode, orientation and justifyMode: read from the
dashboard, written by import-grafana, read back from panels.yaml, refused when wrong."""

from __future__ import annotations

import json

import pytest

from allintop.dashboard.grafana import convert as grafana
from allintop.dashboard.grafana import to_yaml as grafana_import
from allintop.dashboard.loading import load_text
from allintop.dashboard.model import Panel
from allintop.errors import ConfigError


def _board(**panel: object) -> dict[str, object]:
    stat = {"title": "Up", "type": "stat", "targets": [{"refId": "A", "expr": "up"}], **panel}
    return {"title": "Synthetic", "panels": [stat]}


def _tile(**panel: object) -> Panel:
    converted = grafana.from_file(_board(**panel), "synthetic.json")
    tile = converted.layout[0][1][0].panel
    assert tile is not None
    return tile


def _options(tile: Panel) -> tuple[str, str, str, str]:
    return (tile.text_mode, tile.color_mode, tile.orientation, tile.justify)


def test_grafanas_stat_options_are_read() -> None:
    options = {
        "textMode": "value_and_name",
        "colorMode": "background",
        "orientation": "horizontal",
        "justifyMode": "center",
        "graphMode": "none",
    }
    tile = _tile(options=options)
    assert _options(tile) == ("value_and_name", "background", "horizontal", "center")
    assert tile.graph is False


def test_defaults_and_values_only_grafana_draws() -> None:
    assert _options(_tile()) == ("auto", "value", "auto", "auto")
    # Grafana 10's solid and gradient backgrounds are a background here; an unknown
    # word is the default, not an error (the dashboard is someone else's).
    assert _tile(options={"colorMode": "background_solid"}).color_mode == "background"
    assert _tile(options={"textMode": "value_and_nam"}).text_mode == "auto"


def test_a_singlestat_says_background_or_value_colouring() -> None:
    single = {"type": "singlestat"}
    assert _tile(**single, colorBackground=True).color_mode == "background"
    assert _tile(**single, colorValue=True).color_mode == "value"
    assert _tile(**single).color_mode == "none"


def test_import_grafana_writes_them_and_panels_yaml_reads_them_back() -> None:
    options = {"textMode": "name", "colorMode": "none", "orientation": "vertical"}
    text = json.dumps(_board(options=options))
    written = grafana_import.to_yaml(grafana_import.convert(text, "x.json"), "x.json")
    assert "text_mode: name" in written and "color_mode: none" in written
    assert "justify" not in written  # the default is not written
    back = load_text(written, "imported.yaml").rows[0].layout[0]
    assert _options(back) == ("name", "none", "vertical", "auto")


def test_a_wrong_word_in_panels_yaml_is_one_clear_error() -> None:
    text = "rows:\n  - title: R\n    panels:\n      - title: A\n        expr: up\n"
    with pytest.raises(ConfigError) as error:
        load_text(text + "        color_mode: backgroud\n", "x.yaml")
    message = str(error.value) + str(getattr(error.value, "hint", ""))
    assert "x.yaml:6" in message and 'color_mode: unknown value "backgroud"' in message
    assert '"background"' in message
