"""Grafana's `$__interval` and `$__rate_interval` for one query, from the range shown,
the points its chart can draw and its datasource's scrape interval.

Grafana's rules, as its Prometheus datasource applies them:

- `$__interval` is the range over the query's max data points (its chart's width,
  or the panel's `maxDataPoints`), never below the lower limit: the panel's own min
  interval when it has one, else the datasource's scrape interval;
- `$__rate_interval` is max($__interval + scrape interval, 4 x scrape interval), the
  panel's min interval standing for the scrape interval when set: a rate() window
  then always holds at least four scrapes, and a point's window reaches the
  previous point's.

Grafana also rounds `$__interval` to a "nice" value; the range over the points is
kept as it is here (a terminal chart's width is not Grafana's pixel width, so the
nice rounding would not make the numbers equal anyway). Pure arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The scrape interval assumed when neither the datasource's settings nor its
#: targets say one (Prometheus' own default, and Grafana's).
DEFAULT_SCRAPE = 15.0
#: Max data points of a query whose chart's width is not known (`once`, a
#: variable's query): the history's resolution, what a backfill asks for.
DEFAULT_POINTS = 200


@dataclass(frozen=True, slots=True)
class Intervals:
    """A query's `$__interval` and `$__rate_interval`, in seconds."""

    interval: float
    rate: float


def grafana_intervals(
    range_: float,
    points: int = DEFAULT_POINTS,
    scrape: float = DEFAULT_SCRAPE,
    min_interval: float | None = None,
) -> Intervals:
    """Grafana's intervals for a query over `range_` seconds drawn in `points` points,
    on a datasource that scrapes every `scrape` seconds, with the panel's own min
    interval (`min_interval`; None or 0: none)."""
    least = min_interval if min_interval else scrape
    interval = max(range_ / max(points, 1), least)
    return Intervals(interval, rate_interval(interval, least))


def rate_interval(interval: float, scrape: float) -> float:
    """Grafana's `$__rate_interval`: max($__interval + scrape, 4 x scrape)."""
    return max(interval + scrape, 4 * scrape)
