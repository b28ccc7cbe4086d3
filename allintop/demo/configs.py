"""The files the demo stack writes: Prometheus' configuration, the alert rules, and
where Prometheus finds an Alertmanager.

The rules are the seed's six, shipped in allintop/demo/alerts.yml; demos and tests
shorten their ``for:``, their group's ``interval:`` and the ``[5m]`` windows in their
expressions, on the loaded YAML and the parsed PromQL, never on the text.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from allintop.errors import ConfigError
from allintop.promql.parse import with_windows

JOB_NAME = "backend-api-dev"  # the seed's scrape target name
NODE_JOB = "node"
SELF_JOB = "prometheus"


def load_rules() -> dict[str, Any]:
    """The seed's six alert rules, as shipped in allintop/demo/alerts.yml."""
    text = resources.files("allintop.demo").joinpath("alerts.yml").read_text()
    rules: dict[str, Any] = yaml.safe_load(text)
    return rules


def render_rules(
    rules: dict[str, Any],
    rule_for: str | None = None,
    rule_interval: str | None = None,
    rule_window: str | None = None,
) -> str:
    """The rules file, with every ``for:``, group ``interval:`` and ``[5m]``-style
    range window in the expressions optionally replaced."""
    rules = copy.deepcopy(rules)
    for group in rules["groups"]:
        if rule_interval is not None:
            group["interval"] = rule_interval
        for rule in group["rules"]:
            if rule_for is not None:
                rule["for"] = rule_for
            if rule_window is not None:
                rule["expr"] = with_windows(rule["expr"], rule_window)
    return yaml.safe_dump(rules, sort_keys=False, allow_unicode=True)


def static_job(name: str, target: str) -> dict[str, Any]:
    """A scrape job of one target."""
    return {"job_name": name, "static_configs": [{"targets": [target]}]}


def prometheus_config(
    *,
    backend_target: str | None,
    rule_files: Sequence[str] = (),
    extra_scrape_configs: Sequence[dict[str, Any]] = (),
    alertmanager_url: str | None = None,
    query_log: Path | None = None,
    external_labels: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """prometheus.yml: the backend's job (if any) and the others, the rules, the
    Alertmanager to send alerts to."""
    # 1 s everywhere: the dashboard and the tests see a change within a second or two.
    # scrape_timeout must not exceed scrape_interval, so it is set explicitly.
    glob: dict[str, Any] = {
        "scrape_interval": "1s",
        "scrape_timeout": "1s",
        "evaluation_interval": "1s",
    }
    if query_log is not None:
        glob["query_log_file"] = str(Path(query_log).absolute())
    if external_labels:
        glob["external_labels"] = dict(external_labels)
    config: dict[str, Any] = {"global": glob}
    if alertmanager_url:
        config["alerting"] = {"alertmanagers": [alertmanager_config(alertmanager_url)]}
    config["rule_files"] = list(rule_files)
    backend = [static_job(JOB_NAME, backend_target)] if backend_target else []
    config["scrape_configs"] = [*backend, *extra_scrape_configs]
    return config


def alertmanager_config(url: str) -> dict[str, Any]:
    """Where Prometheus finds the Alertmanager at `url` (ConfigError if it is no URL)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"not an Alertmanager URL: {url!r}", "use e.g. http://127.0.0.1:9093")
    config: dict[str, Any] = {
        "scheme": parts.scheme,
        "static_configs": [{"targets": [parts.netloc]}],
    }
    if parts.path.strip("/"):
        config["path_prefix"] = parts.path
    return config
