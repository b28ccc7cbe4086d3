"""The dashboard's keys: one table for the bindings, the help screen and the palette.

Each key is written down once, here; the app's BINDINGS, the help screen's list and
the command palette's commands are all built from it, so they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True)
class Key:
    """One dashboard action and the keys that run it.

    Args:
        keys: Textual key names, comma-separated.
        action: the app action the keys run.
        name: the command's name in the command palette.
        help: what it does, for the help screen and the palette.
        label: the footer's word for it; empty leaves it out of the footer, whose
            80 columns hold only the keys used most.
        display: the keys as written for a person ("+", "?").
    """

    keys: str
    action: str
    name: str
    help: str
    label: str = ""
    display: str | None = None

    @property
    def shown(self) -> str:
        return self.display or self.keys

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.label or self.name,
            show=bool(self.label),
            key_display=self.display,
            tooltip=self.help,
        )


KEYS: tuple[Key, ...] = (
    Key("q", "quit", "Quit", "quit allintop", "Quit"),
    Key("question_mark", "help", "Help", "the keys and what the colours mean", "Help", "?"),
    Key("p", "pause", "Pause", "pause / resume polling", "Pause"),
    Key("r", "refresh", "Refresh", "refresh now"),
    Key("plus,equals_sign", "refresh_interval(1)", "Slower", "slower refresh (… 5m)", "", "+"),
    Key("minus", "refresh_interval(-1)", "Faster", "faster refresh (1s …)", "", "-"),
    Key("t", "range", "Range", "next time range (5m … 24h)", "Range"),
    Key("a", "alerts", "Alerts", "alerts: every rule and its state", "Alerts"),
    Key("g", "targets", "Targets", "scrape targets and their health", "Targets"),
    Key("slash", "variables", "Variables", "template variables (e.g. job)", "Vars", "/"),
    Key("c", "contexts", "Contexts", "switch to another context (its servers) of config.yaml"),
    Key("enter", "zoom", "Zoom", "zoom: the focused panel's full chart", "Zoom"),
    Key("e", "explore", "Explore", "explore: run a PromQL query of your own (Tab completes)"),
    Key("E", "explore(True)", "Explore panel", "the focused panel's query in Explore, to edit"),
    Key(
        "space",
        "toggle_row",
        "Collapse / expand",
        "collapse or expand the focused row (also a click, or Enter, on its title)",
        "",
        "space",
    ),
    Key(
        "right_square_bracket",
        "tab(1)",
        "Next tab",
        "next tab of a dashboard with tabs (a Grafana TabsLayout)",
        "",
        "]",
    ),
    Key("left_square_bracket", "tab(-1)", "Previous tab", "previous tab", "", "["),
    Key("pagedown", "page(1)", "Page down", "scroll down a screen", "", "PgDn"),
    Key("pageup", "page(-1)", "Page up", "scroll up a screen", "", "PgUp"),
    Key("home", "edge(-1)", "Top", "to the top of the dashboard", "", "Home"),
    Key("end", "edge(1)", "Bottom", "to the bottom of the dashboard", "", "End"),
    Key("s", "save_screen", "Screenshot", "save the screen as an SVG file"),
    Key("R", "reload", "Reload config", "reload panels.yaml (also done on every save)"),
)
"""Every dashboard action, in the order the help screen and the palette list them."""


#: The alerts screen's own keys (its actions, not the app's): its bindings, and beside
#: the app's keys on the help screen and, on that screen, in the palette.
ALERTS_KEYS: tuple[Key, ...] = (
    Key("S", "silence", "Silence alert", "on the alerts screen: silence the highlighted alert"),
    Key("l", "silences", "Silences", "on the alerts screen: the silences; expire or extend one"),
)


def on_modal(action: str) -> Binding:
    """The binding of the app's `action`, for a modal screen: a modal screen hides
    the app's bindings, and some keys (s: screenshot) work on every screen."""
    key = next(key for key in KEYS if key.action == action)
    return Binding(key.keys, f"app.{key.action}", key.name, show=False, tooltip=key.help)


PALETTE_KEY = Key("ctrl+p", "command_palette", "Commands", "every action, by name", "", "^p")


def app_bindings() -> list[BindingType]:
    """The dashboard's bindings: every key of the table, and those that are not
    actions of their own (quit, the palette, the arrows)."""
    return [
        *(key.binding() for key in KEYS),
        # Over SSH, Ctrl-C is how a terminal tool is left; Textual's default only hints.
        Binding("ctrl+c", "quit", show=False, priority=True),
        Binding(
            PALETTE_KEY.keys,
            PALETTE_KEY.action,
            PALETTE_KEY.name,
            show=False,  # the footer shows it on its right, whatever `show` says
            priority=True,
            tooltip=PALETTE_KEY.help,
        ),
        Binding("up", "move(0, -1)", show=False),
        Binding("down", "move(0, 1)", show=False),
        Binding("left", "move(-1, 0)", show=False),
        Binding("right", "move(1, 0)", show=False),
    ]


# Keys that are not actions of their own: listed on the help screen only.
MORE_HELP: tuple[tuple[str, str], ...] = (
    ("tab / arrows", "move between panels (and the titles of rows that fold)"),
    ("click a ▾/▸ title", "collapse / expand that row"),
    ("esc", "back to the dashboard"),
    ("in Explore", "Tab complete, Enter run, Up/Down past queries, ^s save as a panel"),
    (PALETTE_KEY.shown, "command palette: " + PALETTE_KEY.help),
)
