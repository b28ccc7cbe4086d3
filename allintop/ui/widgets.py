"""The dashboard's widgets: the status header and the panel cards.

Every text that came from Prometheus (label values, error messages) goes through
`allintop.text.clean` and is shown as `rich.text.Text`, never parsed as markup.
Updates touch only what changed, and never the layout: a tick repaints values and
sparklines, it does not recompose.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Static

from allintop.config import Panel
from allintop.poller import PanelState
from allintop.text import clean
from allintop.thresholds import Status
from allintop.ui.sparkline import TimeSparkline
from allintop.units import format_value

STATUS_CLASSES = {status: f"-{status.value}" for status in Status}


def value_text(state: PanelState | None, panel: Panel) -> Text:
    """The headline: value and unit, or why there is none."""
    if state is None:
        return Text("…", style="dim")
    if state.value is None:
        return Text(clean(state.reason or "no data", 60), style="italic")
    number, unit = format_value(state.value, panel.unit, panel.decimals)
    text = Text(number, style="bold")
    if unit:
        text.append(" " + unit)
    return text


def detail_text(state: PanelState | None, width: int) -> Text:
    """The line under the value: the top series' name and how many more, or a warning."""
    if state is None or not state.series:
        return Text("")
    if state.total > 1:
        name = clean(state.series[0].name, max(width - 10, 8))
        more = f" +{state.total - 1}" if state.total > 1 else ""
        return Text.assemble((name, ""), (more, "dim"))
    if state.warnings:
        return Text(clean("warning: " + state.warnings[0], width), style="italic")
    return Text("")


class PanelCard(Widget, can_focus=True):
    """One panel: title, current value with unit, sparkline, detail line.

    The status (ok / warning / critical / unknown) is a CSS class, so the colours live
    in the stylesheet and follow the theme.
    """

    def __init__(self, panel: Panel, index: int) -> None:
        super().__init__(id=f"panel-{index}", classes="-unknown")
        self.panel = panel
        self.index = index
        self.state: PanelState | None = None
        self.border_title = None

    def compose(self) -> ComposeResult:
        yield Static(Text(clean(self.panel.title), no_wrap=True), classes="title", markup=False)
        yield Static(value_text(None, self.panel), classes="value", markup=False)
        yield TimeSparkline(classes="spark")
        yield Static("", classes="detail", markup=False)

    def show(self, state: PanelState) -> None:
        """Apply a tick's state; untouched parts are not repainted."""
        previous = self.state
        self.state = state
        if previous is None or previous.status is not state.status:
            shown = self.shown_status(state)
            for status, css in STATUS_CLASSES.items():
                self.set_class(status == shown, css)
            self.set_class(shown == "plain", "-plain")
        value = value_text(state, self.panel)
        if previous is None or value != value_text(previous, self.panel):
            self.query_one(".value", Static).update(value, layout=False)
        detail = detail_text(state, self.size.width)
        if previous is None or detail != detail_text(previous, self.size.width):
            self.query_one(".detail", Static).update(detail, layout=False)
        spark = self.query_one(TimeSparkline)
        if spark.data != state.history:
            spark.data = state.history

    def shown_status(self, state: PanelState) -> Status | str:
        """The colour class: a value with no thresholds to judge it is plain, not green."""
        if self.panel.thresholds is None and state.status is Status.OK:
            return "plain"
        return state.status

    @property
    def value_plain(self) -> str:
        """What the value line shows, as plain text (tests read it)."""
        return value_text(self.state, self.panel).plain


class RowTitle(Static):
    """A row's title bar."""
