"""Several named datasources in panels.yaml: entries, the default, per-row and
per-panel `datasource:`, datasource variables and repeated rows (dashboard.panels_yaml)."""

from __future__ import annotations

import textwrap

import pytest

from allintop.dashboard.datasource import DEFAULT_DATASOURCE, Datasource
from allintop.dashboard.loading import load_text
from allintop.errors import ConfigError

SEVERAL = textwrap.dedent(
    """\
    datasources:
      eu:
        url: http://prom-eu:9090
        headers: {X-Scope-OrgID: team-a}
      us:
        url: http://prom-us:9090/prometheus
        default: true
        timeout: 3s
      thanos:
        url: http://thanos:10902
        partial_response: false
        dedup: true
    variables:
      cluster: {type: datasource, values: [eu, us]}
      job: {default: all}
    rows:
      - title: Default
        panels:
          - {title: A, expr: up}
      - title: Europe
        datasource: eu
        panels:
          - {title: B, expr: up}
          - {title: C, expr: up, datasource: thanos}
      - title: Chosen
        panels:
          - {title: D, expr: up, datasource: $cluster}
      - title: Cluster $cluster
        repeat: $cluster
        panels:
          - {title: E, expr: 'up{job=~"$job"}'}
          - {title: F, expr: up, datasource: thanos}
    """
)


def test_named_datasources_with_one_default() -> None:
    dashboard = load_text(SEVERAL, "panels.yaml")
    assert list(dashboard.sources) == ["eu", "us", "thanos"]
    assert dashboard.datasource.name == "us"
    assert dashboard.datasource.url == "http://prom-us:9090/prometheus"
    assert dashboard.datasource.timeout == 3.0
    assert dashboard.sources["eu"].headers == {"X-Scope-OrgID": "team-a"}
    assert dashboard.sources["thanos"].query_params == {
        "partial_response": "false",
        "dedup": "true",
    }
    assert dashboard.sources["eu"].query_params == {}


def test_each_panel_is_bound_by_itself_its_row_or_the_default() -> None:
    dashboard = load_text(SEVERAL, "panels.yaml")
    titles = [panel.title for panel in dashboard.queries]
    bound = list(zip(titles, dashboard.query_datasources({"cluster": "eu"}), strict=True))
    assert bound == [
        ("A", "us"),
        ("B", "eu"),
        ("C", "thanos"),
        ("D", "eu"),  # the variable's choice
        ("E", "eu"),  # the repeated row: once per datasource, whatever the choice
        ("F", "thanos"),
        ("E", "us"),
        ("F", "thanos"),
    ]
    # The datasource variable's default is the default datasource.
    assert dashboard.variable_values()["cluster"] == "us"
    assert dashboard.query_datasources(dashboard.variable_values())[3] == "us"


def test_a_repeated_row_appears_once_per_datasource_the_variable_offers() -> None:
    dashboard = load_text(SEVERAL, "panels.yaml")
    repeated = [row for row in dashboard.rows if row.title.startswith("Cluster")]
    assert [row.title for row in repeated] == ["Cluster eu", "Cluster us"]
    assert [[p.datasource for p in row.queries] for row in repeated] == [
        ["eu", "thanos"],
        ["us", "thanos"],
    ]


def test_first_datasource_is_the_default_when_none_is_marked() -> None:
    text = "datasources: {a: 'http://a:9090', b: {url: 'http://b:9090'}}\n" + _ROWS
    dashboard = load_text(text, "p.yaml")
    assert dashboard.datasource == Datasource(url="http://a:9090", name="a")


def test_one_datasource_keeps_working_and_is_the_default() -> None:
    dashboard = load_text("datasource: {url: 'http://p:9090', dedup: false}\n" + _ROWS, "p.yaml")
    assert dashboard.datasource.name == DEFAULT_DATASOURCE
    assert dict(dashboard.sources) == {DEFAULT_DATASOURCE: dashboard.datasource}
    assert dashboard.datasource.query_params == {"dedup": "false"}
    assert dashboard.query_datasources({}) == [DEFAULT_DATASOURCE]


def test_with_default_switches_the_default_and_names_the_choices() -> None:
    dashboard = load_text(SEVERAL, "panels.yaml").with_default("eu")
    assert dashboard.datasource.name == "eu"
    assert dashboard.query_datasources(dashboard.variable_values())[0] == "eu"
    assert dashboard.variable_values()["cluster"] == "eu"  # it followed the default
    with pytest.raises(ConfigError) as caught:
        dashboard.with_default("asia")
    assert "no datasource 'asia'" in str(caught.value)
    assert "eu, us, thanos" in str(caught.value)


_ROWS = "rows: [{title: R, panels: [{title: P, expr: up}]}]\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "datasources: {a: 'http://a:9090'}\nrows: [{title: R, datasource: b, "
            "panels: [{title: P, expr: up}]}]\n",
            'p.yaml:2: rows[0].datasource: unknown datasource "b"',
        ),
        (
            "datasources: {prom: 'http://a:9090'}\nrows: [{title: R, "
            "panels: [{title: P, expr: up, datasource: prm}]}]\n",
            'did you mean "prom"?',
        ),
        (
            "datasources: {a: 'http://a:9090'}\nrows: [{title: R, "
            "panels: [{title: P, expr: up, datasource: $nope}]}]\n",
            '"$nope" is not a datasource variable',
        ),
        (
            "datasource: 'http://a:9090'\ndatasources: {a: 'http://a:9090'}\n" + _ROWS,
            "give either datasource: (one) or datasources: (several, by name), not both",
        ),
        (
            "datasources: {a: {url: 'http://a:9090', default: true}, "
            "b: {url: 'http://b:9090', default: true}}\n" + _ROWS,
            "several defaults: a, b",
        ),
        (
            "datasources: {a: {url: 'http://a:9090', dedupe: true}}\n" + _ROWS,
            'did you mean "dedup"?',
        ),
        (
            "datasources: {a: 'http://a:9090'}\n"
            "variables: {ds: {type: datasource, values: [a, b]}}\n" + _ROWS,
            'variables.ds.values[1]: unknown datasource "b"',
        ),
        (
            "datasources: {a: 'http://a:9090'}\nvariables: {ds: {type: dashboard}}\n" + _ROWS,
            'unknown variable type "dashboard"',
        ),
        (
            "datasources: {a: 'http://a:9090'}\nrows: [{title: R, repeat: a, "
            "panels: [{title: P, expr: up}]}]\n",
            'repeat takes a variable: "a" is none',
        ),
        (
            "datasources: {'a b': 'http://a:9090'}\n" + _ROWS,
            '"a b" cannot be a datasource name',
        ),
        (
            "datasources: {a: {url: 'http://a:9090', headers: {Authorization: x}}}\n" + _ROWS,
            "a secret header inline in the file",
        ),
    ],
)
def test_bad_datasource_config_gives_one_clear_error(text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_text(text, "p.yaml")
    assert expected in str(caught.value)
