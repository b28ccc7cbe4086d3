"""allintop: a terminal dashboard for live Prometheus metrics."""

__version__ = "0.1.0"
