"""Screens pushed over the dashboard: help, alerts, one alert rule, scrape targets,
variables and contexts.

Live screens re-read the app's latest state after every poll (`refresh_from`), so
they keep updating while open. Every string from Prometheus is cleaned and shown
as plain Text.
"""

from __future__ import annotations

import textwrap
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Input, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import Option

from allintop.dashboard import templating
from allintop.dashboard.model import ALL, Pick, Variable
from allintop.live import variables as live_variables
from allintop.live.alerting import rule_description, rule_rows, scrape_error_summary
from allintop.live.variables import OptionSource
from allintop.promql.parse import prettify
from allintop.sources.answers import AlertRule, Target
from allintop.ui.keys import KEYS, MORE_HELP, on_modal
from allintop.ui.theme import themed
from allintop.values.durations import format_since
from allintop.values.text import clean, tidy_numbers
from allintop.values.units import format_value

if TYPE_CHECKING:
    from allintop.ui.app import DashboardApp

STATE_STYLES = {"firing": "bold $error", "pending": "bold $warning", "inactive": "dim"}
HEALTH_STYLES = {"up": "$success", "down": "bold $error"}


#: Columns of text in the help box (#help: 60 wide, less its border, padding and
#: scrollbar).
HELP_TEXT_WIDTH = 53


def key_list(rows: Sequence[tuple[str, str]], width: int) -> Text:
    """Keys in a bold column, each description wrapped beside it to `width` in all.

    Plain text laid out here, not a Rich table: Textual re-renders a table for every
    line it draws and every height it measures, which made the help slow to open."""
    column = max(cell_len(shown) for shown, _ in rows) + 2
    text = Text()
    for shown, what in rows:
        lines = textwrap.wrap(what, max(width - column, 20)) or [""]
        text.append(shown.ljust(column), style="bold")
        text.append(lines[0] + "\n")
        for line in lines[1:]:
            text.append(" " * column + line + "\n")
    text.rstrip()
    return text


class HelpScreen(ModalScreen[None]):
    """The keys, and what the colours mean; it scrolls when the terminal is short."""

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("question_mark,q", "dismiss", "Close"),
        on_modal("save_screen"),
    ]

    def compose(self) -> ComposeResult:
        rows = [(key.shown, key.help) for key in KEYS] + list(MORE_HELP)
        # Focusable, so the arrows, PgUp / PgDn, Home and End scroll it.
        with VerticalScroll(id="help", can_focus=True):
            yield Static("allintop — keys", classes="help-title")
            yield Static(key_list(rows, HELP_TEXT_WIDTH))
            yield Static(
                "Colours: green meets the panel's target, yellow is between target and "
                "alert level, red meets the alert level, grey has no value (the panel "
                "says why). A panel without thresholds shows its value uncoloured. "
                "▲ marks a firing alert on the panels it concerns, △ a pending one.",
                classes="help-colours",
            )

    def on_mount(self) -> None:
        self.query_one("#help").focus()


def _since(seconds_ago: float | None) -> str:
    return format_since(seconds_ago) if seconds_ago is not None else ""


class LiveScreen(Screen[None]):
    """A full screen that follows the app's state while it is open."""

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("q", "app.quit", "Quit"),
    ]

    @property
    def dashboard(self) -> DashboardApp:
        return self.app  # type: ignore[return-value]

    ready = False
    """True once mounted: a poll can land between push_screen and compose."""

    def on_mount(self) -> None:
        self.ready = True
        self.refresh_from(self.dashboard)

    def refresh_from(self, app: DashboardApp) -> None:
        raise NotImplementedError


class AlertsScreen(LiveScreen):
    """Every alert rule: state, severity, since, value, summary; Enter shows the rule."""

    wants_rules = True  # the app fetches rules every tick while this is open

    def __init__(self) -> None:
        super().__init__()
        self.rules: list[AlertRule] = []

    BINDINGS = [*LiveScreen.BINDINGS, Binding("a", "app.pop_screen", "Back", show=False)]

    def compose(self) -> ComposeResult:
        yield Static(id="screen-title", markup=False)
        yield Static(id="alerts-note", markup=False)
        yield DataTable(id="alerts-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="alerts-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("State", "Alert", "Severity", "Since", "Value", "Summary"):
            table.add_column(label, key=label.lower())
        super().on_mount()

    def refresh_from(self, app: DashboardApp) -> None:
        known = app.state
        self.rules = rule_rows(known.rule_groups)
        title = Text.assemble(("Alert rules", "bold"), f"  {clean(app.datasources_shown)}")
        self.query_one("#screen-title", Static).update(title)
        note = self.query_one("#alerts-note", Static)
        unavailable = known.alerts_unavailable()
        if known.rules_error is not None:
            note.update(Text(f"cannot read the rules: {clean(known.rules_error, 200)}"))
        elif unavailable is not None and not self.rules:
            note.update(
                Text(
                    f"{unavailable}: it serves no alerting rules of its own (VictoriaMetrics "
                    "evaluates rules in vmalert). Alerts show here from a datasource that does."
                )
            )
        elif known.rules_loaded and not self.rules:
            note.update(
                Text(
                    "Prometheus has no alerting rules loaded. List a rule file under "
                    "rule_files: in prometheus.yml, then reload Prometheus (kill -HUP, "
                    "or POST /-/reload with --web.enable-lifecycle)."
                )
            )
        else:
            note.update("")
        empty = (known.rules_loaded or unavailable) and not self.rules
        note.display = bool(known.rules_error is not None or empty)
        self._fill(app)

    def _fill(self, app: DashboardApp) -> None:
        known = app.state
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        now = app.clock()
        for rule in self.rules:
            first = min(
                (a for a in rule.alerts if a.active_since is not None),
                key=lambda a: a.active_since or 0,
                default=None,
            )
            since = _since(now - first.active_since) if first and first.active_since else ""
            value = format_value(first.value, "")[0] if first else ""
            summary = (first.annotations if first else rule.annotations).get("summary", "")
            silenced = known.is_silenced(rule.name)
            state = rule.state + (" (silenced)" if silenced else "")
            table.add_row(
                Text(clean(state), style=themed(self, STATE_STYLES.get(rule.state, ""))),
                Text(clean(rule.name)),
                Text(clean(rule.severity)),
                since,
                value,
                Text(clean(summary, 80)),
                key=rule.name,
            )
        if self.rules:
            table.move_cursor(row=min(cursor, len(self.rules) - 1))
        self._detail()

    def on_data_table_row_highlighted(self) -> None:
        self._detail()

    def _selected(self) -> AlertRule | None:
        table = self.query_one(DataTable)
        if not self.rules or table.cursor_row >= len(self.rules):
            return None
        return self.rules[table.cursor_row]

    def _detail(self) -> None:
        rule = self._selected()
        detail = self.query_one("#alerts-detail", Static)
        if rule is None:
            detail.update("")
            return
        text = Text()
        description, rendered = rule_description(rule)
        if description:
            text.append(clean(description, 300))
            if not rendered:
                text.append("  (the rule's template: filled in when it fires)", style="dim")
            text.append("\n")
        labels = ", ".join(f"{clean(k)}={clean(v, 60)}" for k, v in sorted(rule.labels.items()))
        text.append(f"labels: {labels or '—'}", style="dim")
        text.append(f"   instances: {len(rule.alerts)}   enter: rule expression", style="dim")
        detail.update(text)

    def on_data_table_row_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.app.push_screen(RuleScreen(rule, self.dashboard.clock()))


class RuleScreen(ModalScreen[None]):
    """One alert rule: its expression (highlighted), annotations and instances."""

    BINDINGS = [
        Binding("escape", "app.dashboard", "Dashboard"),
        Binding("enter,q", "dismiss", "Back to the alerts"),
        on_modal("save_screen"),
    ]

    def __init__(self, rule: AlertRule, now: float) -> None:
        super().__init__()
        self.rule = rule
        self.now = now

    def compose(self) -> ComposeResult:
        rule = self.rule
        try:
            expr = prettify(rule.query)
        except ValueError:
            expr = rule.query
        with VerticalScroll(id="rule"):
            yield Static(
                Text.assemble(
                    (clean(rule.name), "bold"),
                    "  ",
                    (clean(rule.state), themed(self.app, STATE_STYLES.get(rule.state, ""))),
                    # The rule's `for:`, not how long it has been active (that is "since").
                    (
                        f"  fires after {format_since(rule.duration)} pending"
                        if rule.duration
                        else "  fires at once (no for:)"
                    ),
                ),
                markup=False,
            )
            from rich.syntax import Syntax  # pygments: loaded only when a rule is shown

            yield Static(Syntax(clean_multiline(expr), "promql", word_wrap=True), id="rule-expr")
            yield Static(self._annotations(), markup=False)
            yield Static(self._instances(), markup=False)

    def _annotations(self) -> Text:
        """The rule's annotations as its instances render them (Prometheus fills in
        {{ $value }} and {{ $labels }} per instance); the templates when none is active."""
        rule = self.rule
        text = Text()
        if not rule.alerts:
            if rule.annotations:
                text.append("annotations (templates, filled in when it fires)\n", style="dim")
            for key, value in sorted(rule.annotations.items()):
                text.append(f"{clean(key)}: ", style="bold")
                text.append(clean(value, 300) + "\n")
            return text
        distinct = list(dict.fromkeys(tuple(sorted(a.annotations.items())) for a in rule.alerts))
        for number, rendered in enumerate(distinct[:MAX_RENDERED]):
            if len(distinct) > 1:
                text.append(f"instance {number + 1}\n", style="dim")
            for key, value in rendered:
                text.append(f"{clean(key)}: ", style="bold")
                text.append(clean(tidy_numbers(value), 300) + "\n")
        if len(distinct) > MAX_RENDERED:
            text.append(f"… and {len(distinct) - MAX_RENDERED} more\n", style="dim")
        return text

    def _instances(self) -> Table | Text:
        if not self.rule.alerts:
            return Text("No active instances.", style="dim")
        table = Table("state", "since", "value", "labels", box=None, padding=(0, 1))
        for alert in self.rule.alerts:
            since = _since(self.now - alert.active_since) if alert.active_since else ""
            labels = ", ".join(
                f"{clean(k)}={clean(v, 60)}"
                for k, v in sorted(alert.labels.items())
                if k != "alertname"
            )
            table.add_row(
                Text(clean(alert.state), style=themed(self.app, STATE_STYLES.get(alert.state, ""))),
                since,
                format_value(alert.value, "")[0],
                Text(labels),
            )
        return table


#: Instances whose rendered annotations the rule screen lists.
MAX_RENDERED = 5


def clean_multiline(text: str) -> str:
    """Like clean(), but keeps the line breaks of a prettified expression."""
    return "\n".join(clean(line) for line in text.splitlines())


class TargetsScreen(LiveScreen):
    """Scrape targets: job, instance, health, last scrape, duration, last error."""

    wants_targets = True  # the app fetches targets every tick while this is open

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[Target] = []

    BINDINGS = [*LiveScreen.BINDINGS, Binding("g", "app.pop_screen", "Back", show=False)]

    def compose(self) -> ComposeResult:
        yield Static(id="screen-title", markup=False)
        yield Static(id="targets-note", markup=False)
        yield DataTable(id="targets-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="targets-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.several = len(self.dashboard.datasources) > 1
        labels = ("Job", "Instance", "Health", "Last scrape", "Duration", "Last error")
        for label in ("Datasource", *labels) if self.several else labels:
            table.add_column(label, key=label.lower())
        super().on_mount()

    def refresh_from(self, app: DashboardApp) -> None:
        known = app.state
        title = Text.assemble(("Scrape targets", "bold"), f"  {clean(app.datasources_shown)}")
        self.query_one("#screen-title", Static).update(title)
        note = self.query_one("#targets-note", Static)
        if self.several:
            note.display = True
            note.update(self._health(app))
        elif known.targets_error is not None:
            note.display = True
            note.update(Text(f"cannot read the targets: {clean(known.targets_error, 200)}"))
        else:
            note.display = known.targets_loaded and not known.targets
            note.update(Text("Prometheus scrapes no targets." if note.display else ""))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        now = app.clock()
        order = sorted(
            known.targets, key=lambda t: (t.health == "up", t.datasource, t.job, t.instance)
        )
        for target in order:
            style = themed(self, HEALTH_STYLES.get(target.health, "$warning"))
            last = _since(now - target.last_scrape) + " ago" if target.last_scrape else "never"
            where = [Text(clean(target.datasource))] if self.several else []
            table.add_row(
                *where,
                Text(clean(target.job)),
                Text(clean(target.instance)),
                Text(clean(target.health), style=style),
                last,
                f"{target.last_scrape_duration * 1000:.1f} ms",
                Text(
                    clean(scrape_error_summary(target.last_error), 60),
                    style=themed(self, "$error"),
                ),
            )
        self.shown = order
        if known.targets:
            table.move_cursor(row=min(cursor, len(known.targets) - 1))
        self._detail()

    def _health(self, app: DashboardApp) -> Text:
        """One line per datasource: reachable or why not, and its targets up / total."""
        known = app.state
        text = Text()
        for name, client in app.datasources.items():
            if text:
                text.append("\n")
            text.append(f"{clean(name)} ", style="bold")
            text.append(f"{clean(client.host)}  ")
            problem = known.health.get(name)
            if problem is not None:
                text.append(f"cannot read the targets: {clean(problem, 160)}", style="bold")
                continue
            if name not in known.health:
                text.append("…", style="dim")
                continue
            own = [t for t in known.targets if t.datasource == name]
            up = sum(1 for t in own if t.health == "up")
            down = len(own) - up
            style = themed(self, HEALTH_STYLES["down" if down else "up"])
            text.append(f"{up}/{len(own)} targets up", style=style)
        return text

    def on_data_table_row_highlighted(self) -> None:
        self._detail()

    def _detail(self) -> None:
        """The highlighted target's full scrape URL and error."""
        table = self.query_one(DataTable)
        detail = self.query_one("#targets-detail", Static)
        shown = self.shown
        if not shown or table.cursor_row >= len(shown):
            detail.update("")
            return
        target = shown[table.cursor_row]
        text = Text(clean(target.scrape_url))
        if target.last_error:
            text.append("\n" + clean(target.last_error, 400), style=themed(self, "$error"))
        detail.update(text)


class VariablesScreen(ModalScreen[None]):
    """Pick the template variables, in the dashboard's order: one option (or "all")
    from a drop-down, several from a list of ticks (a multi-value variable), free
    text in a box (a textbox, applied with Enter); a constant is shown, not picked.

    Options are the variable's own (custom, interval, datasource) or, for a query
    variable, asked of the datasource when the screen opens. A pick applies at once
    (the dashboard re-queries behind the screen), once the variables that depend
    on it (a chain job -> instance) have been asked for their options again and
    their picks kept where they are still options. Esc closes it.

    Args:
        variables: the dashboard's variables.
        picks: their current picks.
        options: query variables' options as last asked for.
        source: what query variables' options are asked of (the datasource).
        apply: takes every variable's pick and options, on every pick.
        range_: the range their queries' built-ins ($__range) are for.
        step: the step their queries' built-ins ($__interval) are for.
    """

    DEFAULT_CSS = """
    VariablesScreen .var-multi {
        height: auto;
        max-height: 8;
    }
    """

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("slash", "dismiss", "Close"),
        on_modal("save_screen"),
    ]

    def __init__(
        self,
        variables: Sequence[Variable],
        picks: Mapping[str, Pick],
        options: Mapping[str, tuple[str, ...]],
        source: OptionSource,
        apply: Callable[[Mapping[str, Pick], Mapping[str, tuple[str, ...]]], Awaitable[None]],
        *,
        range_: float,
        step: float,
    ) -> None:
        super().__init__()
        self.variables = tuple(variables)
        self.picks = {v.name: picks.get(v.name, v.default) for v in self.variables}
        self.options = dict(options)
        self.source = source
        self.apply = apply
        self.range = range_
        self.step = step

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="variables", can_focus=False):
            yield Static("Variables", classes="help-title")
            if not self.variables:
                yield Static("This dashboard has no template variables.", classes="help-colours")
            for variable in self.variables:
                yield Static(_variable_title(variable), markup=False, classes="var-title")
                yield self._picker(variable)
            yield Static(
                "a choice applies at once (a text: enter)  esc: close", classes="help-colours"
            )

    def _picker(self, variable: Variable) -> Widget:
        """The widget a variable is picked with (shown with, for a constant)."""
        pick, ident = self.picks[variable.name], f"var-{variable.name}"
        if variable.kind == "constant":
            return Static(Text(clean(str(pick), 200), style="dim"), id=ident, markup=False)
        if variable.kind == "textbox":
            return Input(str(pick), id=ident, compact=True)
        choices = _choices(variable, self.options.get(variable.name), pick)
        if variable.multi:
            return SelectionList[str](*_ticks(choices, pick), id=ident, classes="var-multi")
        value = pick if isinstance(pick, str) and pick else Select.NULL
        return Select(_labelled(choices), value=value, allow_blank=value is Select.NULL, id=ident)

    def on_mount(self) -> None:
        self._load()

    @work(group="variables", exit_on_error=False)
    async def _load(self) -> None:
        """Every query variable's options, asked afresh; a pick not known yet (the
        first option of a query_result variable) is settled and applied."""
        before = dict(self.picks)
        await self._refresh(templating.query_variables(self.variables), reset=False)
        if self.picks != before:
            await self.apply(dict(self.picks), dict(self.options))

    @work(group="variables", exclusive=True, exit_on_error=False)
    async def _changed(self, name: str) -> None:
        """A pick changed: its dependents asked again, then every pick applied."""
        await self._refresh(templating.dependents(self.variables, {name}), reset=True)
        await self.apply(dict(self.picks), dict(self.options))

    async def _refresh(self, names: Collection[str], *, reset: bool) -> None:
        if not names:
            return
        refreshed = await live_variables.refresh(
            self.variables,
            self.picks,
            self.options,
            names,
            self.source,
            range_=self.range,
            step=self.step,
            reset=reset,
        )
        for problem in refreshed.problems:
            self.notify(clean(problem, 200), severity="error", markup=False)
        self.picks, self.options = dict(refreshed.picks), dict(refreshed.options)
        for variable in self.variables:
            if variable.name in names:
                self._show(variable)

    def _show(self, variable: Variable) -> None:
        """A variable's widget, with its options and pick as they are now."""
        pick = self.picks[variable.name]
        choices = _choices(variable, self.options.get(variable.name), pick)
        widget = self.query_one(f"#var-{variable.name}")
        # Set here, not picked: no Changed message that would read as a new pick.
        if isinstance(widget, SelectionList):
            with widget.prevent(SelectionList.SelectedChanged):
                widget.clear_options()
                widget.add_options(_ticks(choices, pick))
        elif isinstance(widget, Select):
            with widget.prevent(Select.Changed):
                widget.set_options(_labelled(choices))
                if isinstance(pick, str) and pick:
                    widget.value = pick

    def _picked(self, name: str, pick: Pick) -> None:
        if pick != self.picks.get(name):
            self.picks[name] = pick
            self._changed(name)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.select.id:
            self._picked(event.select.id.removeprefix("var-"), str(event.value))

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        widget = event.selection_list
        name = (widget.id or "").removeprefix("var-")
        variable = next((v for v in self.variables if v.name == name), None)
        if variable is None:
            return
        pick = templating.multi_pick(self.picks[name], widget.selected, variable.include_all)
        self._picked(name, pick)
        ticked = (pick,) if isinstance(pick, str) else pick
        if set(widget.selected) != set(ticked):  # "all" and values exclude each other
            with widget.prevent(SelectionList.SelectedChanged):
                widget.deselect_all()
                for value in ticked:
                    widget.select(value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id:
            self._picked(event.input.id.removeprefix("var-"), event.value)


def _variable_title(variable: Variable) -> Text:
    """Its label (else its name) in bold, and its $name and kind where they say more."""
    text = Text(clean(variable.label or variable.name, 60), style="bold")
    if variable.label and variable.label != variable.name:
        text.append(f"  ${clean(variable.name, 60)}", style="dim")
    if variable.kind in ("constant", "textbox", "interval", "datasource"):
        text.append(f"  {variable.kind}", style="dim")
    elif variable.multi:
        text.append("  several", style="dim")
    return text


def _choices(variable: Variable, asked: tuple[str, ...] | None, pick: Pick) -> list[str]:
    """What a variable offers: "all" first where it does, its options (asked, else
    its own), and its pick too if that is none of them (a --var value), each once."""
    picked = (pick,) if isinstance(pick, str) else pick
    listed = [
        *((ALL,) if variable.include_all else ()),
        *(variable.options if asked is None else asked),
        *(value for value in picked if value and not templating.is_all(value)),
    ]
    return list(dict.fromkeys(listed))


def _labelled(choices: list[str]) -> list[tuple[Text, str]]:
    """Each choice shown as plain text (a label value may hold markup)."""
    return [(Text(clean(value, 60)), value) for value in choices]


def _ticks(choices: list[str], pick: Pick) -> list[tuple[Text, str, bool]]:
    picked = {ALL} if templating.is_all(pick) else set((pick,) if isinstance(pick, str) else pick)
    return [(Text(clean(value, 60)), value, value in picked) for value in choices]


class ContextsScreen(ModalScreen[None]):
    """Pick a context of the user config: Enter switches the dashboard to its servers
    (the switch closes this screen); Esc closes it."""

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("c", "dismiss", "Close"),
        on_modal("save_screen"),
    ]

    def __init__(self, names: tuple[str, ...], current: str | None) -> None:
        super().__init__()
        self.names = names
        self.current = current

    def compose(self) -> ComposeResult:
        options = [
            Option(Text(clean(name, 60) + ("  (current)" if name == self.current else "")), name)
            for name in self.names
        ]
        with Vertical(id="contexts"):
            yield Static("Contexts", classes="help-title")
            yield OptionList(*options, id="context-list")
            yield Static("enter: switch   esc: close", classes="help-colours")

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        if self.current in self.names:
            listing.highlighted = self.names.index(self.current)
        listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == self.current:
            self.dismiss()
        elif event.option.id is not None:
            self.app.switch_context(event.option.id)  # type: ignore[attr-defined]
