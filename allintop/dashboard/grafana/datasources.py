"""Which datasource a Grafana panel's target queries, and how allintop reaches it.

A target (or its panel) names its datasource in one of several ways: by name
("Prometheus"), by {type, uid}, by a variable ("$datasource", "${DS_PROMETHEUS}" of
an export for sharing), as "-- Mixed --" (each target names its own), or not at all
(the default). From a Grafana server (`allintop --grafana`) each is resolved to one of
the server's datasources, queried through Grafana's datasource proxy; in a file on
its own every Prometheus one is the one default datasource.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from allintop.dashboard.datasource import DEFAULT_DATASOURCE, Auth, Datasource
from allintop.dashboard.grafana.documents import mapping

PROXY_PATH = "/api/datasources/proxy/uid/"
MIXED = "-- Mixed --"


@dataclass(frozen=True)
class GrafanaSource:
    """One of the server's datasources, as /api/datasources lists it."""

    uid: str
    name: str
    type: str
    is_default: bool = False
    scrape_interval: float | None = None
    """Its jsonData.timeInterval, in seconds (Grafana's "Scrape interval")."""


# A dashboard file's own datasource, standing for every Prometheus one it references.
LOCAL = GrafanaSource(uid="", name=DEFAULT_DATASOURCE, type="prometheus", is_default=True)


@dataclass
class References:
    """What resolving one dashboard's datasource references needs, and the datasources
    they came to (by allintop's name for each)."""

    sources: Sequence[GrafanaSource]
    variables: Mapping[str, str] = field(default_factory=dict)
    """Datasource variables: name -> current value (a uid or name)."""
    local: bool = False
    """A file on its own: every Prometheus reference is the one default datasource."""
    kinds: Mapping[str, str] = field(default_factory=dict)
    """Datasource variables: name -> the plugin they choose among ("prometheus")."""
    used: dict[str, GrafanaSource] = field(default_factory=dict)


def on_server(sources: Sequence[GrafanaSource], variables: list[Mapping[str, Any]]) -> References:
    """The references of a dashboard read from a Grafana server with `sources`."""
    return References(sources, _current_values(variables))


def in_file(variables: list[Mapping[str, Any]]) -> References:
    """The references of a dashboard file on its own."""
    return References((LOCAL,), local=True, kinds=_kinds(variables))


def resolve(
    references: References, panel: Mapping[str, Any], target: Mapping[str, Any]
) -> tuple[str | None, str]:
    """allintop's name of the Prometheus datasource the target queries (recorded in
    `references.used`), or None and why it cannot be queried."""
    source = _source(references, panel, target)
    if isinstance(source, str):
        return None, source
    if source.type != "prometheus":
        return None, f"datasource {source.name!r} is {source.type or 'of no type'}: not supported"
    name = _name(source)
    references.used[name] = source
    return name, ""


def proxied(
    references: References, grafana_url: str, auth: Auth
) -> tuple[Datasource, dict[str, Datasource]]:
    """The datasources the references came to, each through Grafana's datasource
    proxy with `auth`: the default one (the server's, else the first), and all."""
    named = {
        name: Datasource(
            url=grafana_url.rstrip("/") + PROXY_PATH + source.uid,
            auth=auth,
            name=name,
            scrape_interval=source.scrape_interval,
        )
        for name, source in references.used.items()
    }
    used = references.used.items()
    default = next((n for n, s in used if s.is_default), next(iter(named)))
    return named[default], named


def _source(
    references: References, panel: Mapping[str, Any], target: Mapping[str, Any]
) -> GrafanaSource | str:
    """The datasource a target's reference means, or why there is none."""
    reference = target.get("datasource") or panel.get("datasource")
    if _uid(reference) == MIXED:  # each target names its own; one that does not: default
        reference = None
    if _is_expression(reference):
        return "a server-side expression (__expr__): not supported"
    if references.local:
        return _local(reference, references)
    return _on_server(reference, references)


def _uid(reference: object) -> str:
    return str(reference.get("uid") or "") if isinstance(reference, Mapping) else str(reference)


# How Grafana names its server-side expressions: the reference's type and uid, its
# name, and a legacy id it still honours.
_EXPRESSION = ("__expr__", "Expression", "-100")


def _is_expression(reference: object) -> bool:
    if isinstance(reference, Mapping):
        return reference.get("type") == "__expr__" or reference.get("uid") in _EXPRESSION
    return reference in _EXPRESSION


def _on_server(reference: object, references: References) -> GrafanaSource | str:
    """The server's datasource a reference means: a name, {type, uid}, a variable
    (`$datasource`, `${DS_PROMETHEUS}`), or nothing (the server's default)."""
    if isinstance(reference, Mapping):
        uid = str(reference.get("uid") or "")
        if not uid:
            return _default(references, str(reference.get("type") or ""))
        text = uid
    elif reference is None or reference in ("", "default"):
        return _default(references, "")
    else:
        text = str(reference)
    if text.startswith("$"):
        value = references.variables.get(_variable(text))
        if value in (None, "", "default") or str(value).startswith("$"):
            # ${DS_PROMETHEUS} of an export: Grafana's import asks; we take the default.
            return _default(references, "prometheus")
        text = str(value)
    for source in references.sources:
        if text in (source.uid, source.name):
            return source
    return f"datasource {text!r} is not on the Grafana server"


def _local(reference: object, references: References) -> GrafanaSource:
    """In a file on its own: the default datasource, unless the reference says it is
    another kind (`{"type": "loki"}`, a variable of loki datasources, a name like
    "Loki"): then a stand-in of that kind, which is not supported."""
    if isinstance(reference, Mapping):
        kind = str(reference.get("type") or "")
        text = str(reference.get("uid") or "")
    else:
        kind, text = "", "" if reference is None else str(reference)
    if text.startswith("$"):
        kind = kind or references.kinds.get(_variable(text), "")
    elif not kind and text.casefold() in _OTHER_KINDS:
        kind = text.casefold()
    if kind in ("", "prometheus", "datasource"):
        return LOCAL
    return GrafanaSource(uid=text, name=text or kind, type=kind)


# Datasource names that say their kind: a target on "Loki" is not PromQL.
_OTHER_KINDS = ("loki", "elasticsearch", "influxdb", "graphite", "tempo", "mysql", "postgres")


def _variable(text: str) -> str:
    """The variable a reference names: "$ds", "${ds}", "${ds:text}" -> "ds"."""
    return text.strip("${}").split(":")[0]


def _default(references: References, kind: str) -> GrafanaSource | str:
    """The server's default datasource (of `kind`, if given and the default is not)."""
    candidates = [s for s in references.sources if not kind or s.type == kind]
    if not candidates:
        return f"the Grafana server has no {kind or 'default'} datasource"
    return min(candidates, key=lambda s: not s.is_default)


_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


def _name(source: GrafanaSource) -> str:
    """A datasource name allintop takes (letters, digits, _ . -), from Grafana's."""
    return _NOT_NAME.sub("-", source.name).strip("-.") or source.uid or "grafana"


def _current_values(variables: list[Mapping[str, Any]]) -> dict[str, str]:
    """Each datasource variable's current value (a uid or name)."""
    found = {}
    for item in variables:
        if item.get("type") == "datasource":
            current = mapping(item.get("current"))
            found[str(item.get("name"))] = str(current.get("value") or current.get("text") or "")
    return found


def _kinds(variables: list[Mapping[str, Any]]) -> dict[str, str]:
    """Each datasource variable's kind of datasource (its `query`: "prometheus", "loki")."""
    return {
        str(item.get("name")): str(item.get("query") or "")
        for item in variables
        if item.get("type") == "datasource"
    }
