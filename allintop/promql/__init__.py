"""The PromQL side, on a real parser: validation, metric names, template variables and
their interpolation, Grafana's variable queries, the planner that shares sub-queries,
and client-side quantiles. Pure."""
