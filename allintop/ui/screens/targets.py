"""The targets screen: every scrape target and its health."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Static

from allintop.live.alerting import scrape_error_summary
from allintop.live.state import DashboardState
from allintop.live.versions import version_note
from allintop.sources.answers import Target
from allintop.ui.screens.live import LiveScreen, ago
from allintop.ui.theme import themed
from allintop.ui.view import DashboardView, SourcesView
from allintop.values.text import clean

HEALTH_STYLES = {"up": "$success", "down": "bold $error"}


class TargetsScreen(LiveScreen):
    """Scrape targets: job, instance, health, last scrape, duration, last error."""

    wants_targets = True  # the app fetches targets every tick while this is open

    def __init__(self, view: SourcesView) -> None:
        super().__init__(view)
        self.sources = view
        self.shown: list[Target] = []
        self.several = False

    BINDINGS = [*LiveScreen.BINDINGS, Binding("g", "app.pop_screen", "Back", show=False)]

    def compose(self) -> ComposeResult:
        yield Static(id="screen-title", markup=False)
        yield Static(id="targets-version", markup=False)
        yield Static(id="targets-note", markup=False)
        yield DataTable(id="targets-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="targets-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        self.several = len(self.sources.datasources) > 1
        labels = ("Job", "Instance", "Health", "Last scrape", "Duration", "Last error")
        for label in ("Datasource", *labels) if self.several else labels:
            table.add_column(label, key=label.lower())
        super().on_mount()

    def refresh_from(self, view: DashboardView) -> None:
        known = view.state
        title = Text.assemble(
            ("Scrape targets", "bold"), f"  {clean(self.sources.datasources_shown)}"
        )
        self.query_one("#screen-title", Static).update(title)
        # One server: its version on its own line (several: each in the health note).
        version = "" if self.several else version_note(next(iter(known.builds.values()), None))
        shown = self.query_one("#targets-version", Static)
        shown.display = bool(version)
        shown.update(Text(clean(version, 200)))
        note = self.query_one("#targets-note", Static)
        if self.several:
            note.display = True
            note.update(self._health(known))
        elif known.targets_error is not None:
            note.display = True
            note.update(Text(f"cannot read the targets: {clean(known.targets_error, 200)}"))
        elif not known.targets_loaded:
            # Not yet answered: a hanging server takes its whole timeout to say so.
            note.display = True
            note.update(Text("asking for the targets…", style="dim"))
        else:
            note.display = not known.targets
            note.update(Text("Prometheus scrapes no targets." if note.display else ""))
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        now = view.clock()
        order = sorted(
            known.targets, key=lambda t: (t.health == "up", t.datasource, t.job, t.instance)
        )
        for target in order:
            style = themed(self, HEALTH_STYLES.get(target.health, "$warning"))
            last = ago(now - target.last_scrape) + " ago" if target.last_scrape else "never"
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

    def _health(self, known: DashboardState) -> Text:
        """One line per datasource: reachable or why not, and its targets up / total."""
        text = Text()
        for name, client in self.sources.datasources.items():
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
            version = version_note(known.builds.get(name), short=True)
            if version:
                text.append(f"  {clean(version, 60)}", style="dim")
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
