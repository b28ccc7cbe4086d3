"""The command line: parsing, setting up, and the commands (dashboard, demo, once,
check, import-grafana)."""
