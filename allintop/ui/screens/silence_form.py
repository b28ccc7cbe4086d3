"""The silence form: `S` on the alerts screen, for the highlighted alert rule.

Matchers are prefilled from the rule's instances (allintop.live.silencing.prefill):
alertname and the labels they share are ticked, the instance-specific ones are
listed unticked, to add. Each matcher is text (`name="value"`, `!=`, `=~`, `!~`) and
is dropped by unticking it or emptying it. The comment has the focus; Enter creates
the silence when the form is valid, Esc closes the form only (every letter types).
As it is edited, the form says which current alerts the matchers silence.
"""

from __future__ import annotations

import os
import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Static

from allintop.dashboard.datasource import DEFAULT_DATASOURCE
from allintop.errors import PrometheusError
from allintop.live.silencing import (
    DEFAULT_DURATION,
    PRESETS,
    covered,
    default_author,
    ends_at,
    format_matcher,
    parse_matcher,
    prefill,
    problems,
    when,
)
from allintop.sources.answers import AlertRule, Silence, SilenceMatcher
from allintop.sources.protocols import Silencer
from allintop.ui.view import DashboardView
from allintop.values.durations import format_left
from allintop.values.text import clean

#: Current alerts the preview names before it counts the rest.
PREVIEW_NAMED = 3
NO_ALERTMANAGER = (
    "no Alertmanager configured: start allintop with --alertmanager URL, or give "
    "the datasource an alertmanager: in panels.yaml"
)


class SilenceForm(ModalScreen[str | None]):
    """A new silence for one alert rule; dismissed with the new silence's id, or None."""

    CSS_PATH = "silences.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        # Enter creates from any field (a checkbox or a preset button too).
        Binding("enter", "submit", "Create", priority=True),
    ]

    def __init__(self, rule: AlertRule, view: DashboardView, alertmanager: Silencer | None) -> None:
        super().__init__()
        self.rule = rule
        self.view = view
        self.alertmanager = alertmanager
        self.start = prefill(rule)
        self.sending = False

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="silence-form"):
            yield Static(self._title(), id="silence-title")
            yield Static(
                Text('matchers: tick to include; edit as name="value", !=, =~ or !~', "dim")
            )
            for number, matcher in enumerate((*self.start.matchers, *self.start.optional)):
                with Horizontal(classes="matcher-row"):
                    yield Checkbox(value=number < len(self.start.matchers), compact=True)
                    yield Input(format_matcher(matcher), classes="matcher", compact=True)
            yield Input(placeholder='another matcher: name="value"', id="more", compact=True)
            with Horizontal(classes="field", id="ends-row"):
                yield Static("ends after", classes="field-label")
                yield Input(DEFAULT_DURATION, id="duration", compact=True)
                for preset in PRESETS:
                    if preset != DEFAULT_DURATION:
                        yield Button(preset, classes="preset", name=preset, compact=True)
                yield Static(id="silence-ends")
            with Horizontal(classes="field"):
                yield Static("comment", classes="field-label")
                yield Input(placeholder="why (required)", id="comment", compact=True)
            with Horizontal(classes="field"):
                yield Static("created by", classes="field-label")
                yield Input(default_author(os.environ), id="author", compact=True)
            # What stops Enter, or what Alertmanager said, above the preview: a long
            # preview would push it below the screen, where Enter seems to do nothing.
            yield Static(id="silence-problems")
            yield Static(id="silence-preview")
            yield Static(Text("enter: create   esc: cancel", "dim"))

    def _title(self) -> Text:
        title = Text.assemble(("Silence ", "bold"), (clean(self.rule.name), "bold"))
        active = self.start.active
        if active:
            title.append(f"   {active} instance{'s' if active > 1 else ''} firing or pending")
        else:
            title.append("   nothing fires now: the silence covers it when it does", "dim")
        if self.start.optional:
            title.append("\ninstance-specific labels are listed unticked, to add", "dim")
        return title

    def on_mount(self) -> None:
        self.query_one("#comment", Input).focus()
        self._show()

    @on(Input.Changed)
    @on(Checkbox.Changed)
    def _edited(self) -> None:
        self._show()

    @on(Button.Pressed, ".preset")
    def _preset(self, event: Button.Pressed) -> None:
        self.query_one("#duration", Input).value = event.button.name or DEFAULT_DURATION

    def _matchers(self) -> tuple[list[SilenceMatcher], list[str]]:
        """The included matchers, and what is wrong in those that do not read."""
        found, wrong = [], []
        for number, row in enumerate(self.query(".matcher-row").results(Horizontal)):
            text = row.query_one(Input).value
            if row.query_one(Checkbox).value and text.strip():
                try:
                    found.append(parse_matcher(text))
                except ValueError as error:
                    wrong.append(f"matcher {number + 1}: {error}")
        more = self.query_one("#more", Input).value
        if more.strip():
            try:
                found.append(parse_matcher(more))
            except ValueError as error:
                wrong.append(str(error))
        return found, wrong

    def draft(self, now: float | None = None) -> tuple[Silence | None, list[str]]:
        """The silence the form holds at `now` (None: the clock's), and what stops it
        being sent."""
        now = self.view.clock() if now is None else now
        matchers, wrong = self._matchers()
        try:
            end: float | None = ends_at(self.query_one("#duration", Input).value, now)
        except ValueError as error:
            end, wrong = None, [*wrong, str(error)]
        silence = Silence(
            "",
            tuple(matchers),
            self.query_one("#author", Input).value.strip(),
            self.query_one("#comment", Input).value.strip(),
            end,
            "",
            now,
        )
        return silence, wrong + problems(silence, now)

    def _show(self) -> None:
        # One reading of the clock for the end and the time left: a second, later one
        # shaved a just-entered 2h to "(1h59m)".
        now = self.view.clock()
        silence, wrong = self.draft(now)
        ends = self.query_one("#silence-ends", Static)
        if silence is not None and silence.ends_at is not None and silence.ends_at > now:
            ends.update(
                Text(f"ends {when(silence.ends_at, now)} ({format_left(silence.ends_at - now)})")
            )
        else:
            ends.update("")
        self.query_one("#silence-preview", Static).update(self._preview(silence))
        self.query_one("#silence-problems", Static).update(
            Text("\n".join(clean(w, 200) for w in wrong), style="italic")
        )

    def _preview(self, silence: Silence | None) -> Text:
        """Which of Prometheus' current alerts the matchers silence."""
        if silence is None or not silence.matchers:
            return Text()
        state = self.view.state
        # The rule's datasource's alerts, with the labels its Alertmanager sees.
        source = self.rule.datasource
        hit = covered(
            silence.matchers, state.alerts_of(source), state.suppression_of(source).external
        )
        if not hit:
            return Text(
                "⚠ matches no alert firing or pending now (allowed: it silences those "
                "that match later)",
                style="bold",
            )
        text = Text(f"silences {len(hit)} current alert{'s' if len(hit) > 1 else ''}:", "bold")
        for alert in hit[:PREVIEW_NAMED]:
            labels = ", ".join(
                f"{k}={v}" for k, v in sorted(alert.labels.items()) if k != "alertname"
            )
            text.append(f"\n  {clean(alert.name)} {clean(alert.state)} {{{clean(labels, 90)}}}")
        if len(hit) > PREVIEW_NAMED:
            text.append(f"\n  … and {len(hit) - PREVIEW_NAMED} more")
        return text

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_submit(self) -> None:
        silence, wrong = self.draft()
        if wrong or silence is None or self.sending:
            self._show()
            self._say_seen()
            return
        if self.alertmanager is None:
            source = self.rule.datasource  # named when the config names datasources
            named = source not in ("", DEFAULT_DATASOURCE)
            said = f"{NO_ALERTMANAGER} (the rule's datasource: {source})" if named else ""
            self._say(Text(clean(said or NO_ALERTMANAGER, 300), style="bold"))
            return
        self.sending = True
        self._say(Text(f"creating the silence on {self.alertmanager.host}…"))
        self._create(self.alertmanager, silence)

    def _say(self, text: Text) -> None:
        """What Enter led to, on the problems line, scrolled into sight."""
        self.query_one("#silence-problems", Static).update(text)
        self._say_seen()

    def _say_seen(self) -> None:
        self.query_one("#silence-problems", Static).scroll_visible(animate=False)

    @work(exclusive=True, group="silence")
    async def _create(self, alertmanager: Silencer, silence: Silence) -> None:
        try:
            silence_id = await alertmanager.create_silence(silence)
        except PrometheusError as error:
            self.sending = False
            said = error.message + (f"\n{error.hint}" if error.hint else "")
            self._say(Text(clean(said, 400), "bold"))
            return
        note = f"silenced {self.rule.name} until {when(silence.ends_at, time.time())}"
        self.app.notify(clean(note), title="Alertmanager")
        self.dismiss(silence_id)
        await self.app.run_action("refresh")  # shown silenced now, not on the next tick
