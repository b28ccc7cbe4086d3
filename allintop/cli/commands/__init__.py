"""The commands: the dashboard, the demo, once and check, import-grafana, and the list
of a Grafana server's dashboards. Each runs on what allintop.cli.setup resolved."""
