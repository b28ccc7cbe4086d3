"""The silences view: `l` on the alerts screen. The active and pending silences
Alertmanager holds, asked of it when the view opens and after each change; `x`
expires the highlighted one (after a confirmation), `+` extends it by an hour."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from allintop.errors import PrometheusError
from allintop.live.silencing import format_matcher, when
from allintop.sources.answers import Silence
from allintop.sources.protocols import Silencer
from allintop.ui.keys import on_modal
from allintop.ui.view import DashboardView
from allintop.values.durations import format_left
from allintop.values.text import clean

#: What `+` adds to a silence's end.
EXTEND_BY = 3600.0
_ORDER = {"active": 0, "pending": 1}


class SilencesScreen(ModalScreen[None]):
    """Active and pending silences: expire (x, confirmed) or extend (+) them."""

    CSS_PATH = "silences.tcss"
    BINDINGS = [
        Binding("escape,l", "dismiss", "Back to the alerts"),
        Binding("x,delete", "expire", "Expire"),
        Binding("plus", "extend", "Extend 1h", key_display="+"),
        Binding("r", "reload", "Reload"),
        on_modal("save_screen"),
    ]

    def __init__(self, view: DashboardView, alertmanager: Silencer | None) -> None:
        super().__init__()
        self.view = view
        self.alertmanager = alertmanager
        self.silences: list[Silence] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="silences"):
            yield Static(id="silences-title")
            yield DataTable(id="silences-table", cursor_type="row", zebra_stripes=True)
            yield Static(id="silences-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("ID", "State", "Ends", "Left", "By", "Matchers", "Comment"):
            table.add_column(label, key=label.lower())
        self.action_reload()

    def _say(self, text: str, style: str = "") -> None:
        self.query_one("#silences-note", Static).update(Text(clean(text, 400), style=style))

    def action_reload(self) -> None:
        title = self.query_one("#silences-title", Static)
        if self.alertmanager is None:
            title.update(Text("Silences", "bold"))
            self._say(
                "no Alertmanager configured: start allintop with --alertmanager URL, or "
                "give the datasource an alertmanager: in panels.yaml",
                "bold",
            )
            return
        title.update(Text.assemble(("Silences", "bold"), f"  {clean(self.alertmanager.host)}"))
        self._load(self.alertmanager)

    @work(exclusive=True, group="silences")
    async def _load(self, alertmanager: Silencer, said: str = "") -> None:
        try:
            found = await alertmanager.all_silences()
        except PrometheusError as error:
            self._say(f"cannot list the silences: {error.message}", "bold")
            return
        self.silences = sorted(
            (s for s in found if s.state in _ORDER),
            key=lambda s: (_ORDER[s.state], s.ends_at or 0),
        )
        self._fill()
        keys = "x: expire   +: extend by 1h   r: reload   esc: back"
        none = "no active or pending silences. " if not self.silences else ""
        self._say(f"{said}   {none}{keys}" if said else f"{none}{keys}", "dim" if not said else "")

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        now = self.view.clock()
        for silence in self.silences:
            left = format_left(silence.ends_at - now) if silence.ends_at else ""
            matchers = ", ".join(format_matcher(m) for m in silence.matchers)
            table.add_row(
                Text(clean(silence.id[:8])),
                Text(clean(silence.state), style="bold" if silence.state == "active" else "dim"),
                when(silence.ends_at, now),
                left,
                Text(clean(silence.created_by, 24)),
                Text(clean(matchers, 60)),
                Text(clean(silence.comment, 60)),
                key=silence.id,
            )
        if self.silences:
            table.move_cursor(row=min(cursor, len(self.silences) - 1))

    def _selected(self) -> Silence | None:
        row = self.query_one(DataTable).cursor_row
        return self.silences[row] if 0 <= row < len(self.silences) else None

    def action_expire(self) -> None:
        silence = self._selected()
        if silence is None or self.alertmanager is None:
            return
        matchers = ", ".join(format_matcher(m) for m in silence.matchers)
        question = f"Expire the silence {silence.id[:8]} ({matchers}) now?"
        alertmanager = self.alertmanager

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(alertmanager, silence, expire=True)

        self.app.push_screen(Confirm(question), answered)

    def action_extend(self) -> None:
        silence = self._selected()
        if silence is None or self.alertmanager is None:
            return
        self._change(self.alertmanager, silence, expire=False)

    @work(exclusive=True, group="silence-change")
    async def _change(self, alertmanager: Silencer, silence: Silence, *, expire: bool) -> None:
        try:
            if expire:
                await alertmanager.expire_silence(silence.id)
                said = f"expired {silence.id[:8]}"
            else:
                end = max(silence.ends_at or 0, self.view.clock()) + EXTEND_BY
                extended = Silence(
                    silence.id,
                    silence.matchers,
                    silence.created_by,
                    silence.comment,
                    end,
                    silence.state,
                    silence.starts_at,
                )
                await alertmanager.create_silence(extended)
                said = f"extended {silence.id[:8]} to {when(end, self.view.clock())}"
        except PrometheusError as error:
            hint = f" ({error.hint})" if error.hint else ""
            self._say(f"{error.message}{hint}", "bold")
            return
        self._load(alertmanager, said)
        await self.app.run_action("refresh")  # the dashboard follows at once


class Confirm(ModalScreen[bool]):
    """A yes / no question: y or Enter says yes, n or Esc no."""

    CSS_PATH = "silences.tcss"
    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm"):
            yield Static(Text(clean(self.question, 300)))
            yield Static(Text("y / enter: yes    n / esc: no", "dim"))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
