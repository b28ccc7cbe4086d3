"""How a Grafana panel shows its numbers, as allintop shows them: unit, decimals,
thresholds, value mappings, the reducer, min and max, a stat's sparkline, stacking.

Grafana 7 on writes these in the panel's `fieldConfig.defaults`; older panels wrote
them on the panel itself (a singlestat's `format`, `thresholds: "80,90"` and
`colors`, `valueName`, `valueMaps`; a graph's `yaxes` and threshold lines). Both are
read. What is shown otherwise is listed by `semantics_dropped`, one line each.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from allintop.dashboard.grafana.documents import dicts, mapping, number
from allintop.dashboard.model import PanelKind
from allintop.values import mappings, reducers, units
from allintop.values.thresholds import Step, Thresholds, from_steps
from allintop.values.unit_ids import APPROXIMATED

# Grafana unit ids that say no more than no unit at all: a panel's unit is otherwise
# Grafana's id as it is (allintop.values.units formats Grafana's ids: allintop.values.unit_ids).
UNITS = {"short": "", "none": "", "string": ""}


def defaults(panel: Mapping[str, Any]) -> Mapping[str, Any]:
    """Its fieldConfig's defaults: what every series of the panel shows."""
    return mapping(mapping(panel.get("fieldConfig")).get("defaults"))


def unit(panel: Mapping[str, Any]) -> str:
    """Its Grafana unit id, as it is: fieldConfig's, a singlestat's `format`, a graph's
    left axis' format ("short" and "none" are no unit)."""
    written = _written_unit(panel)
    return UNITS.get(written, written)


def _written_unit(panel: Mapping[str, Any]) -> str:
    axes = panel.get("yaxes")
    axis = mapping(axes[0]) if isinstance(axes, list) and axes else {}
    found = defaults(panel).get("unit") or panel.get("format") or axis.get("format")
    return str(found) if isinstance(found, str) else ""


def decimals(panel: Mapping[str, Any]) -> int | None:
    """Its decimals (fieldConfig's, or a legacy panel's), within the 0..10 allowed."""
    found = number(defaults(panel).get("decimals", panel.get("decimals")))
    return None if found is None else max(0, min(10, round(found)))


def reducer(panel: Mapping[str, Any]) -> str:
    """The Grafana reducer's name, as allintop.values.reducers takes it: a stat's
    reduceOptions.calcs, a singlestat's valueName ("current" is lastNotNull, "avg"
    mean); "lastNotNull" when it says none or one allintop does not know."""
    written, legacy = _written_reducer(panel)
    return reducers.normalise(written, legacy=legacy)


def _written_reducer(panel: Mapping[str, Any]) -> tuple[str, bool]:
    """The reducer as the panel names it, and whether that is a singlestat's valueName."""
    calcs = mapping(mapping(panel.get("options")).get("reduceOptions")).get("calcs")
    if isinstance(calcs, list) and calcs:
        return str(calcs[0]), False
    if panel.get("valueName"):
        return str(panel["valueName"]), True
    return reducers.DEFAULT, False


def value_mappings(panel: Mapping[str, Any]) -> tuple[mappings.ValueMapping, ...]:
    """Its value mappings: fieldConfig's, else a singlestat's valueMaps / rangeMaps."""
    return mappings.from_grafana(
        defaults(panel).get("mappings"),
        panel.get("valueMaps"),
        panel.get("rangeMaps"),
        panel.get("mappingType"),
    )


def value_range(panel: Mapping[str, Any], kind: PanelKind) -> tuple[float | None, float | None]:
    """Its min and max: fieldConfig's, a singlestat gauge's; a gauge in percent without
    them spans 0..100 (0..1 in percentunit), as Grafana's does."""
    field = defaults(panel)
    gauge = mapping(panel.get("gauge"))
    gauge = gauge if gauge.get("show") else {}  # a singlestat's hidden gauge: no range
    low = number(field.get("min", panel.get("minValue", gauge.get("minValue"))))
    high = number(field.get("max", panel.get("maxValue", gauge.get("maxValue"))))
    full = {"percent": 100.0, "percentunit": 1.0}.get(unit(panel))
    if kind in ("gauge", "bargauge") and full is not None:
        low = 0.0 if low is None else low
        high = full if high is None else high
    return low, high


def sparkline(panel: Mapping[str, Any]) -> bool:
    """Whether a stat shows its sparkline: graphMode "area", a singlestat's sparkline."""
    if panel.get("type") == "singlestat":
        return bool(mapping(panel.get("sparkline")).get("show"))
    return str(mapping(panel.get("options")).get("graphMode") or "area") != "none"


def stacked(panel: Mapping[str, Any]) -> bool:
    """Whether Grafana stacks the series: a graph's `stack`, a time series' stacking."""
    if panel.get("type") == "graph":
        return bool(panel.get("stack"))
    stacking = mapping(defaults(panel).get("custom")).get("stacking")
    return isinstance(stacking, Mapping) and stacking.get("mode") not in (None, "none")


# -- thresholds --


def thresholds(panel: Mapping[str, Any]) -> tuple[Thresholds | None, str | None]:
    """Its thresholds, and what of them was approximated: fieldConfig's colour steps,
    a singlestat's "80,90" with its three colours, or a graph's threshold lines."""
    if not _coloured(panel):
        return None, None
    field = defaults(panel)
    block = mapping(field.get("thresholds"))
    if isinstance(block.get("steps"), list):
        steps: list[Step] = [
            (str(step.get("color") or ""), number(step.get("value")))
            for step in dicts(block["steps"])
            if step.get("value") is None or number(step.get("value")) is not None
        ]
        low, high = number(field.get("min")), number(field.get("max"))
        return from_steps(steps, str(block.get("mode") or "absolute"), low, high)
    legacy = panel.get("thresholds")
    if isinstance(legacy, str | int | float) and not isinstance(legacy, bool):
        return from_steps(_singlestat_steps(str(legacy), panel.get("colors")))
    if isinstance(legacy, list):
        steps, note = _graph_steps(dicts(legacy))
        found, approximated = from_steps(steps)
        return found, "; ".join(n for n in (note, approximated) if n) or None
    return None, None


def _coloured(panel: Mapping[str, Any]) -> bool:
    """Whether Grafana shows its thresholds at all: a stat, gauge or bar gauge colours
    by them unless told otherwise, a singlestat when it colours its value, background
    or gauge, a graph draws its threshold lines; a time series only when it draws them
    or colours by them (every new panel has steps green, red 80 it does not show)."""
    kind = str(panel.get("type") or "")
    field = defaults(panel)
    color = mapping(field.get("color"))
    by_thresholds = color.get("mode") in (None, "thresholds")
    if kind == "singlestat":
        gauge = mapping(panel.get("gauge"))
        return bool(panel.get("colorValue") or panel.get("colorBackground") or gauge.get("show"))
    if kind == "graph":
        return True
    if kind in ("stat", "gauge", "bargauge"):
        return by_thresholds and mapping(panel.get("options")).get("colorMode") != "none"
    style = mapping(mapping(field.get("custom")).get("thresholdsStyle"))
    return color.get("mode") == "thresholds" or style.get("mode") not in (None, "off")


# A singlestat's colours when it names none (Grafana's defaults).
_SINGLESTAT_COLORS = ("#299c46", "rgba(237, 129, 40, 0.89)", "#d44a3a")


def _singlestat_steps(text: str, colors: object) -> list[Step]:
    """ "80,90" with colours [below, between, above] as colour steps."""
    values = [number(part) for part in text.split(",")]
    palette = [str(c) for c in colors] if isinstance(colors, list) else []
    palette += list(_SINGLESTAT_COLORS[len(palette) :])
    starts = [v for v in values if v is not None][: len(palette) - 1]
    return [(palette[0], None), *((palette[i + 1], v) for i, v in enumerate(starts))]


def _graph_steps(items: list[Mapping[str, Any]]) -> tuple[list[Step], str | None]:
    """A graph's threshold lines ({op: gt|lt, value, colorMode}) as colour steps: those
    above ("gt") rise from ok; those below ("lt"), when all are, fall to ok."""
    lines = [
        (str(i.get("op") or "gt"), _graph_color(i), number(i.get("value")))
        for i in items
        if number(i.get("value")) is not None
    ]
    above = sorted(((c, v) for op, c, v in lines if op != "lt"), key=lambda s: s[1] or 0.0)
    below = sorted(((c, v) for op, c, v in lines if op == "lt"), key=lambda s: s[1] or 0.0)
    if below and not above:
        colors = [color for color, _ in below] + ["ok"]
        starts = [value for _, value in below]
        return [(colors[0], None), *zip(colors[1:], starts, strict=True)], None
    note = "threshold lines below a value (lt) among ones above (gt): left out" if below else None
    return [("ok", None), *above], note


def _graph_color(item: Mapping[str, Any]) -> str:
    mode = str(item.get("colorMode") or "critical")
    return str(item.get("fillColor") or item.get("lineColor") or "") if mode == "custom" else mode


# -- what is shown otherwise --


def semantics_dropped(panel: Mapping[str, Any]) -> list[str]:
    """What of its unit, thresholds, mappings and reducer is shown otherwise, and why."""
    dropped = []
    written = unit(panel)
    if written in APPROXIMATED:
        dropped.append(f"unit {written!r}: {APPROXIMATED[written]}")
    elif written and not units.is_known(written):
        dropped.append(
            f"unit {written!r}: not one allintop knows, shown as the number, then {written!r}"
        )
    note = thresholds(panel)[1]
    if note:
        dropped.append(f"thresholds: {note}")
    for line in mappings.unsupported(defaults(panel).get("mappings")):
        dropped.append(f"value mappings: {line}")
    calc, _ = _written_reducer(panel)
    if not reducers.is_known(calc):
        dropped.append(f"reducer {calc!r}: not computed here, the last value is shown instead")
    overridden = sorted(_overridden(panel) & _SEMANTIC_PROPERTIES)
    if overridden:
        dropped.append(
            f"field overrides of {', '.join(overridden)}: each series shows the panel's own"
        )
    return dropped


_SEMANTIC_PROPERTIES = {"unit", "decimals", "thresholds", "mappings", "min", "max"}


def _overridden(panel: Mapping[str, Any]) -> set[str]:
    """The properties its field overrides set ("unit", "custom.width", ...)."""
    overrides = mapping(panel.get("fieldConfig")).get("overrides")
    return {
        str(item.get("id"))
        for override in dicts(overrides)
        for item in dicts(override.get("properties"))
    }
