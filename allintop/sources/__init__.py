"""Talking to servers: connection settings, the Prometheus and Alertmanager clients,
Grafana's HTTP API, and the pure decoding of what they answer. Nothing here knows
what a dashboard is."""
