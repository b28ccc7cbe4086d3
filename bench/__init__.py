"""allintop's benchmark: `make bench`, i.e. `python -m bench` (see bench/__main__.py).

Starts the real demo stack (Prometheus with its query log on), runs the dashboard in a
real terminal (a private tmux) and a naive client against it, one at a time, and
reports first paint, queries and samples per minute, CPU, peak RSS, tick wall time and
key latency, as text and as JSON under bench/results/ for comparing commits.
"""
