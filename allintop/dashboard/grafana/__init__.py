"""Grafana dashboards: a Grafana JSON document read into the dashboard model, and
written back out as a panels.yaml."""
