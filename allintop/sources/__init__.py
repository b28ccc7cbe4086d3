"""Talking to servers: connection settings, the Prometheus and Alertmanager clients on
one HTTP base, the pure decoding of what they answer into plain dataclasses (answers),
the Protocols the live dashboard asks of a client, and Grafana's HTTP API."""
