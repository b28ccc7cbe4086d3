"""What the dashboard asks now: its panels' expressions for the variables picked, the
refresh and the range chosen, and the datasource each panel is bound to.

The app keeps one `Queries` and changes it as the user does (a pick on the variables
screen, `+`/`-`, `t`) or the dashboard changes (panels.yaml reloaded, another context);
each change that alters a query means a new poller (`poller`). No Textual.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from allintop.dashboard import repeats, templating, timing
from allintop.dashboard.model import Dashboard, Pick
from allintop.live import state as reduce
from allintop.live import variables as live_variables
from allintop.live.fanout import FanOut
from allintop.live.state import DashboardState
from allintop.live.variables import OptionSource, Refreshed
from allintop.sources.protocols import PollSource

#: What `+` and `-` step the refresh interval through, in seconds.
REFRESH_CHOICES = (1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0)
#: What `t` cycles the time range through, in seconds.
RANGE_CHOICES = (300.0, 900.0, 1800.0, 3600.0, 10800.0, 21600.0, 43200.0, 86400.0)


@dataclass
class Queries:
    """The dashboard's queries as asked now.

    Args:
        dashboard: the dashboard shown.
        given: the variables given on the command line (--var): another context's
            dashboard starts again from these.
        refresh: seconds between polls.
        range: the time range shown, in seconds.
    """

    dashboard: Dashboard
    given: Mapping[str, Pick]
    refresh: float
    range: float
    variables: dict[str, Pick] = field(default_factory=dict)
    """Each variable's pick."""
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Query variables' options as last asked for: what "all" of a filtered one is."""
    exprs: list[str] = field(default_factory=list)
    """Each panel's expression, the variables filled in."""
    bindings: list[str] = field(default_factory=list)
    """Each panel's datasource, as the poller last made (`poller`) binds it."""
    loaded: Dashboard | None = None
    """The dashboard as loaded, its repeated rows and panels not made yet: `dashboard`
    is it with their copies for the picks (allintop.dashboard.repeats)."""
    columns: int | None = None
    """The terminal's width, which the charts' widths (and so $__interval) follow;
    None: not known (allintop.dashboard.timing)."""
    learned: dict[str, float] = field(default_factory=dict)
    """Each datasource's scrape interval as its targets say it."""

    @classmethod
    def start(
        cls,
        dashboard: Dashboard,
        given: Mapping[str, Pick],
        refresh: float | None = None,
        range_: float | None = None,
        columns: int | None = None,
    ) -> Queries:
        """The queries at start: --var's picks, else the defaults; --refresh and
        --range, else the dashboard's own; for a terminal `columns` wide."""
        queries = cls(
            dashboard, dict(given), refresh or dashboard.refresh, range_ or dashboard.range
        )
        queries.columns = columns
        queries.variables = dashboard.variable_values(given)
        queries.loaded = dashboard
        queries.dashboard = queries.repeated()
        queries.exprs = queries.filled()
        return queries

    def repeated(self) -> Dashboard:
        """The loaded dashboard with its repeats made for the picks and options now."""
        loaded = self.loaded or self.dashboard
        return repeats.expand(loaded, self.variables, self.options)

    def filled(self) -> list[str]:
        """The expressions for the picks, options, range, terminal width and scrape
        intervals as they are now."""
        intervals = timing.query_intervals(
            self.dashboard,
            self.variables,
            range_=self.range,
            columns=self.columns,
            learned=self.learned,
        )
        return templating.exprs(
            self.dashboard, self.variables, self.options, range_=self.range, intervals=intervals
        )

    def titled(self) -> Dashboard:
        """The dashboard as shown: $var in its titles filled in with the picks."""
        values = templating.title_values(
            self.dashboard.variables,
            self.variables,
            self.options,
            range_=self.range,
        )
        return templating.titled(self.dashboard, values)

    def poller(self, clients: Mapping[str, PollSource]) -> FanOut:
        """A poller for the panels as bound now: each panel on its datasource (a
        datasource variable's pick included)."""
        self.bindings = self.dashboard.query_datasources(self.variables)
        return FanOut(
            clients,
            self.dashboard.queries,
            self.exprs,
            self.bindings,
            step=self.refresh,
            range_=self.range,
        )

    def configured(
        self, state: DashboardState, *, several: bool, keep_panels: bool = False
    ) -> DashboardState:
        """`state` for the panels, queries and bindings as they are now (`several`:
        on more than one datasource); the panels' states kept if `keep_panels`. The
        queries' titles say the picks (the zoom shows them)."""
        return reduce.configure(
            state,
            self.titled().queries,
            self.exprs,
            self.bindings,
            several=several,
            keep_panels=keep_panels,
        )

    def pick(
        self, values: Mapping[str, Pick], options: Mapping[str, tuple[str, ...]] | None = None
    ) -> bool:
        """New picks (and options: what "all" is); whether they change a query or a
        panel's datasource, which a new poller must then ask."""
        self.variables.update(values)
        self.options.update(options or {})
        repeated = self.repeated()
        if repeated != self.dashboard:  # other copies of a repeat: other panels
            self.dashboard = repeated
            self.exprs = self.filled()
            return True
        exprs = self.filled()
        bindings = self.dashboard.query_datasources(self.variables)
        if exprs == self.exprs and bindings == self.bindings:
            return False
        self.exprs = exprs
        return True

    def learn(self, learned: Mapping[str, float]) -> bool:
        """Scrape intervals learnt from the datasources' targets (a datasource not
        named keeps what was learnt of it); whether they change a query."""
        if all(self.learned.get(name) == value for name, value in learned.items()):
            return False
        self.learned.update(learned)
        return self._refilled()

    def resize(self, columns: int) -> bool:
        """The terminal is `columns` wide now; whether that changes a query."""
        if columns == self.columns:
            return False
        self.columns = columns
        return self._refilled()

    def _refilled(self) -> bool:
        exprs = self.filled()
        if exprs == self.exprs:
            return False
        self.exprs = exprs
        return True

    async def at_start(self, source: OptionSource) -> Refreshed | None:
        """As Grafana on load: the query variables whose picks need their options,
        asked of `source` (one without a pick yet, a query_result variable, gets its
        first option; "all" of a filtered one, its options); None if none does."""
        repeated = repeats.repeats(self.loaded or self.dashboard)
        variables = self.dashboard.variables
        if not templating.needed_at_start(variables, self.variables, repeated):
            return None
        return await live_variables.at_start(
            variables,
            self.variables,
            source,
            range_=self.range,
            repeated=repeated,
        )

    def step_refresh(self, direction: int) -> None:
        """`+` / `-`: the next slower (1) or faster (-1) refresh interval."""
        self.refresh = next_choice(REFRESH_CHOICES, self.refresh, direction)

    def next_range(self) -> bool:
        """`t`: the next time range, round to the first after the last; whether that
        changes a query ($__range, and $__interval, which is the range over points)."""
        index = RANGE_CHOICES.index(self.range) if self.range in RANGE_CHOICES else -1
        self.range = RANGE_CHOICES[(index + 1) % len(RANGE_CHOICES)]
        return self._refilled()

    def moves_datasources(self, dashboard: Dashboard, available: Collection[str]) -> bool:
        """Whether `dashboard` (panels.yaml reloaded) names other datasources than
        those running (`available`): they apply only when allintop starts again."""
        bound = dashboard.query_datasources(self.variables)
        return dict(dashboard.sources) != dict(self.dashboard.sources) or not set(bound) <= set(
            available
        )

    def take(self, dashboard: Dashboard, *, switched: bool = False) -> None:
        """Ask `dashboard` now (reloaded, or another context's). What was chosen here
        is kept (variables that still mean something on it; refresh and range unless
        the file changes them), but for a switch to another context's servers
        (`switched`): their variables start again from their defaults and --var."""
        old = self.dashboard
        if dashboard.refresh != old.refresh:
            self.refresh = dashboard.refresh
        if dashboard.range != old.range:
            self.range = dashboard.range
        kept = self.given if switched else self.variables
        if switched:
            self.learned = {}  # other servers: their targets will say their own
        self.variables = dashboard.variable_values(applicable(dashboard, kept))
        self.loaded = dashboard
        self.options = {}
        self.dashboard = self.repeated()
        self.exprs = self.filled()


def next_choice(choices: tuple[float, ...], current: float, direction: int) -> float:
    """The choice after `current` (direction 1) or before it (-1), held at the ends."""
    if direction > 0:
        return next((c for c in choices if c > current), choices[-1])
    return next((c for c in reversed(choices) if c < current), choices[0])


def applicable(dashboard: Dashboard, values: Mapping[str, Pick]) -> dict[str, Pick]:
    """The values that still mean something on `dashboard`: of its variables, and for
    a datasource variable one of the datasources it offers."""
    kinds = {variable.name: variable for variable in dashboard.variables}
    return {
        name: value
        for name, value in values.items()
        if name in kinds and (kinds[name].kind != "datasource" or value in kinds[name].values)
    }
