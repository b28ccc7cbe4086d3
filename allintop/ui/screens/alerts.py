"""The alerts screen: every alert rule and its state; Enter shows one rule (its
expression, annotations and instances)."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from allintop.live.alerting import rule_description, rule_rows
from allintop.live.alertmanagers import rule_silenced, rule_silences
from allintop.live.silencing import silence_note
from allintop.promql.parse import prettify
from allintop.sources.answers import AlertRule
from allintop.ui.keys import ALERTS_KEYS, on_modal
from allintop.ui.screens.live import LiveScreen, ago
from allintop.ui.theme import themed
from allintop.ui.view import DashboardView, SourcesView
from allintop.values.durations import format_since
from allintop.values.text import clean, clean_multiline, tidy_numbers
from allintop.values.units import format_value

STATE_STYLES = {"firing": "bold $error", "pending": "bold $warning", "inactive": "dim"}
#: Instances whose rendered annotations the rule screen lists.
MAX_RENDERED = 5


class AlertsScreen(LiveScreen):
    """Every alert rule: state, severity, since, value, summary; Enter shows the rule."""

    wants_rules = True  # the app fetches rules every tick while this is open

    def __init__(self, view: SourcesView) -> None:
        super().__init__(view)
        self.sources = view
        self.rules: list[AlertRule] = []
        self.shown: list[str] = []  # the rules' keys, in the table's order

    BINDINGS = [
        *LiveScreen.BINDINGS,
        Binding("a", "app.pop_screen", "Back", show=False),
        *(key.binding() for key in ALERTS_KEYS),
    ]

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

    def refresh_from(self, view: DashboardView) -> None:
        known = view.state
        self.rules = rule_rows(known.rule_groups)
        title = Text.assemble(("Alert rules", "bold"), f"  {clean(self.sources.datasources_shown)}")
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
        elif not known.rules_loaded and not self.rules:
            # Not yet answered: a hanging server takes its whole timeout to say so.
            note.update(Text("asking for the rules…", style="dim"))
        else:
            note.update("")
        empty = not self.rules
        note.display = bool(known.rules_error is not None or empty)
        self._fill(view)

    def _fill(self, view: DashboardView) -> None:
        known = view.state
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        # The cursor stays on its rule when the rules sort anew (one fires, or is silenced).
        held = self.shown[cursor] if 0 <= cursor < len(self.shown) else None
        # Two datasources may list a rule of the same name: each is its own row.
        names = [f"{rule.datasource}/{rule.name}" for rule in self.rules]
        cursor = names.index(held) if held in names else cursor
        self.shown = names
        table.clear()
        now = view.clock()
        for rule in self.rules:
            first = min(
                (a for a in rule.alerts if a.active_since is not None),
                key=lambda a: a.active_since or 0,
                default=None,
            )
            since = ago(now - first.active_since) if first and first.active_since else ""
            value = format_value(first.value, "")[0] if first else ""
            summary = (first.annotations if first else rule.annotations).get("summary", "")
            silenced = rule_silenced(known.suppression_of(rule.datasource), rule)
            state = rule.state + (" (silenced)" if silenced else "")
            table.add_row(
                Text(clean(state), style=themed(self, STATE_STYLES.get(rule.state, ""))),
                Text(clean(rule.name)),
                Text(clean(rule.severity)),
                since,
                value,
                Text(clean(summary, 80)),
                key=f"{rule.datasource}/{rule.name}",
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
        now = self.view.clock()
        suppression = self.view.state.suppression_of(rule.datasource)
        for silence in rule_silences(suppression, rule):
            text.append(f"silenced {clean(silence_note(silence, now), 200)}\n", style="bold")
        labels = ", ".join(f"{clean(k)}={clean(v, 60)}" for k, v in sorted(rule.labels.items()))
        if len(self.sources.datasources) > 1 and rule.datasource:
            text.append(f"datasource: {clean(rule.datasource)}   ", style="dim")
        text.append(f"labels: {labels or '—'}", style="dim")
        text.append(f"   instances: {len(rule.alerts)}   enter: rule expression", style="dim")
        text.append("   S: silence   l: silences", style="dim")
        detail.update(text)

    def action_silence(self) -> None:
        """The silence form for the highlighted rule."""
        from allintop.ui.screens.silence_form import SilenceForm

        rule = self._selected()
        if rule is None:
            self.notify("no alert rule to silence", severity="warning")
            return
        alertmanager = self.sources.alertmanager_of(rule.datasource)
        self.app.push_screen(SilenceForm(rule, self.view, alertmanager))

    def action_silences(self) -> None:
        """The silences Alertmanager holds, to expire or extend."""
        from allintop.ui.screens.silences import SilencesScreen

        rule = self._selected()  # the highlighted rule's datasource's Alertmanager
        alertmanager = self.sources.alertmanager_of(rule.datasource if rule else "")
        self.app.push_screen(SilencesScreen(self.view, alertmanager))

    def on_data_table_row_selected(self) -> None:
        rule = self._selected()
        if rule is not None:
            self.app.push_screen(RuleScreen(rule, self.view.clock()))


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
            since = ago(self.now - alert.active_since) if alert.active_since else ""
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
