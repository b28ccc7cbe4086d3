"""How a number is shown: durations, digits, units, Grafana's unit ids, thresholds,
value mappings, reducers, and making untrusted text safe. Pure."""
