"""A dashboard's annotation queries (Grafana's `annotations.list`, panels.yaml's
`annotations:`): PromQL whose series mark moments and spans on the time axis.

Only what the model holds; what an answer becomes (events, regions) is
allintop.live.annotations, which asks Prometheus for them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Grafana's step for an annotation query that gives none (its Prometheus datasource's).
DEFAULT_STEP = 60.0
#: Grafana's colour for an annotation that names none.
DEFAULT_COLOR = "red"


@dataclass(frozen=True)
class Annotation:
    """One annotation query, as Grafana's Prometheus datasource evaluates it: a range
    query of `expr` over the dashboard's range at `step`; each point of a series
    with a value above 0 is an event, and events a step apart or less are one
    region.

    `title_format` and `text_format` are legend templates ("{{instance}}") over the
    series' labels; `tag_keys` are the labels whose values are its tags. With
    `use_value_for_time`, a point's value is the event's time (in milliseconds).
    `enable` False: not asked nor drawn; `hide`: Grafana hides its toggle (drawn
    all the same). `color` is Grafana's iconColor (a name or #rrggbb)."""

    name: str
    expr: str
    datasource: str | None = None
    """A datasource's name, or "$var"; None: the default."""
    step: float = DEFAULT_STEP
    title_format: str = ""
    text_format: str = ""
    tag_keys: tuple[str, ...] = ()
    use_value_for_time: bool = False
    enable: bool = True
    hide: bool = False
    color: str = DEFAULT_COLOR
    line: int = 0
    """Where it starts in its file, for messages."""
