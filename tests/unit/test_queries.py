"""What the dashboard asks (allintop.live.queries), without Textual: the picks filled
into the expressions, refresh and range stepping, and what a reloaded dashboard or
another context's keeps of what was chosen."""

from __future__ import annotations

from allintop.dashboard.loading import load_text
from allintop.live.queries import RANGE_CHOICES, REFRESH_CHOICES, Queries

BOARD = """\
refresh: 5s
range: 15m
variables:
  job: {type: custom, values: [api, node], default: api}
  env: {type: constant, value: prod}
rows:
  - title: Jobs
    panels:
      - {title: Up, expr: 'up{job="$job", env="$env"}'}
"""


def _queries(text: str = BOARD, **given: str) -> Queries:
    return Queries.start(load_text(text, "panels.yaml"), given)


def test_the_start_takes_var_over_the_defaults_and_fills_the_expressions() -> None:
    queries = _queries(job="node")
    assert queries.variables == {"job": "node", "env": "prod"}
    assert queries.exprs == ['up{job="node", env="prod"}']
    assert (queries.refresh, queries.range) == (5.0, 900.0)


def test_a_pick_that_changes_a_query_says_so_and_one_that_does_not_does_not() -> None:
    queries = _queries()
    queries.bindings = ["default"]  # as the poller binds them
    assert queries.pick({"job": "node"})
    assert queries.exprs == ['up{job="node", env="prod"}']
    assert not queries.pick({"job": "node"})


def test_refresh_steps_and_range_cycles_through_their_choices() -> None:
    queries = _queries()
    queries.step_refresh(1)
    assert queries.refresh == 10.0
    queries.refresh = REFRESH_CHOICES[-1]
    queries.step_refresh(1)
    assert queries.refresh == REFRESH_CHOICES[-1]  # held at the end
    queries.range = RANGE_CHOICES[-1]
    queries.next_range()
    assert queries.range == RANGE_CHOICES[0]  # round to the first


def test_a_reload_keeps_the_picks_that_still_mean_something() -> None:
    queries = _queries(job="node")
    queries.pick({"job": "api"})
    reloaded = load_text(BOARD.replace("range: 15m", "range: 1h"), "panels.yaml")
    queries.take(reloaded)
    assert queries.variables["job"] == "api" and queries.range == 3600.0
    renamed = load_text(BOARD.replace("job", "kind"), "panels.yaml")
    queries.take(renamed)
    assert "job" not in queries.variables and queries.variables["kind"] == "api"


def test_another_context_starts_again_from_var() -> None:
    queries = _queries(job="node")
    queries.pick({"job": "api"})
    queries.take(load_text(BOARD, "other.yaml"), switched=True)
    assert queries.variables["job"] == "node"
