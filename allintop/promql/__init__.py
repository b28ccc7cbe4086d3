"""The PromQL side, on a real parser: validation, metric names, interpolation, the
planner that shares sub-queries, and client-side quantiles. Pure."""
