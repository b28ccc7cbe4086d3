"""A seeded monkey: random keys on the real app, among random things happening to its
Prometheus (ticks, a tick held in flight, a server that fails for a while, an
incident, series vanishing or turning NaN, a resized terminal), and the app must
never crash nor report an internal error.

Each run is one seed: `random.Random(seed)` picks the terminal's size, every key and
every event, none of them from what the app shows, so a seed replays the same
sequence (the failure message lists it); not the same timing, though: the keys come
faster than the app settles, as a quick typist's do, and a race may take a few
replays. Crashes found this way are kept below as minimal reproductions of each,
fixed.
"""

from __future__ import annotations

import asyncio
import dataclasses
import math
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from textual import events
from textual.command import CommandPalette

from allintop.dashboard.loading import load_dashboard
from allintop.dashboard.model import Dashboard
from allintop.errors import (
    ConfigError,
    HTTPStatusError,
    PrometheusError,
    QueryError,
    RequestTimeout,
    Unreachable,
)
from allintop.live.datasources import ContextSwitch, Datasources, Setup
from allintop.ui.app import DashboardApp
from allintop.ui.cards.stat import StatCard
from tests.fakeprom import FakePrometheus, FakeSeries
from tests.fast import tileapp
from tests.fast.fakeapp import DASHBOARD, Clock, healthy, incident, settle
from tests.tui.util import wait_for

# What the fast tier runs (about 3 s a run). To hunt with more, e.g. seeds 100 to 199
# on every board, 150 steps each: MONKEY_SEEDS=100-200 MONKEY_STEPS=150
# MONKEY_BOARDS=fast,tiles,two,variables.
_first, _, _last = os.environ.get("MONKEY_SEEDS", "0-4").partition("-")
SEEDS = range(int(_first), int(_last or int(_first) + 1))
TESTED = os.environ.get("MONKEY_BOARDS", "fast,tiles").split(",")
STEPS = int(os.environ.get("MONKEY_STEPS", "60"))

SIZES = [(80, 24), (120, 40), (200, 60)]
# What a terminal is resized to besides: the usual sizes and a few a split pane makes.
RESIZES = [*SIZES, (60, 20), (100, 30), (40, 12), (24, 8)]

# Every key of allintop/ui/keys.py but q (and ctrl+c), weighted: escape often, so
# screens get closed and the dashboard's own keys get their turn.
KEY_WEIGHTS: dict[str, int] = {
    "escape": 10,
    "question_mark": 3,
    "p": 2,
    "r": 3,
    "plus": 2,
    "minus": 2,
    "t": 2,
    "a": 3,
    "g": 3,
    "slash": 3,
    "c": 2,
    "e": 2,
    "E": 2,
    "enter": 7,
    "space": 4,
    "pageup": 2,
    "pagedown": 2,
    "home": 2,
    "end": 2,
    "s": 1,
    "R": 1,
    "tab": 4,
    "shift+tab": 3,
    "up": 3,
    "down": 4,
    "left": 3,
    "right": 3,
    "ctrl+p": 2,
}
KEYS, KEY_ODDS = list(KEY_WEIGHTS), list(KEY_WEIGHTS.values())
# The character of each key that has one, as Pilot.press sends it.
CHARS = {"escape": "\x1b", "question_mark": "?", "plus": "+", "minus": "-", "slash": "/"}
CHARS |= {"space": " ", "tab": "\t"} | {key: key for key in KEYS if len(key) == 1}

# Keys that go deeper together than random keys often do: switch context (to another
# or to one that cannot be opened), open an alert's rule, pick a variable, run a
# command from the palette.
MACROS = [
    ("c", "down", "enter"),
    ("c", "down", "down", "enter"),
    ("a", "down", "enter"),
    ("slash", "enter", "down", "enter"),
    ("slash", "tab", "enter", "down", "enter"),
    ("ctrl+p", "down", "down", "enter"),
    ("ctrl+p", "t", "enter"),
    ("ctrl+p", "t", "enter", "space", "a"),  # typing on as the palette closes
    ("g", "down", "end"),
]

# How often the next key comes before the app is idle again.
QUICK = 0.8

EVENT_WEIGHTS: dict[str, int] = {
    "tick": 10,  # time moves on, a tick runs
    "wait": 2,  # real time passes: the app's own timers fire
    "hold": 3,  # the next ticks' queries wait (released a few steps later)
    "fail": 3,  # every call fails (recovers a few steps later)
    "incident": 2,
    "vanish": 2,  # a metric's series are gone
    "odd": 2,  # a metric's values turn NaN, infinite or absent
    "healthy": 2,  # every series, alert and target as at the start
    "resize": 4,
    "edit": 1,  # panels.yaml changes on disk (a panels.yaml dashboard only)
}
EVENTS, EVENT_ODDS = list(EVENT_WEIGHTS), list(EVENT_WEIGHTS.values())

FAILURES: list[Callable[[], PrometheusError]] = [
    lambda: Unreachable("cannot connect to prometheus.test:9090: connection refused"),
    lambda: RequestTimeout("prometheus.test:9090 did not answer within 5s"),
    lambda: HTTPStatusError(503, "HTTP 503 Service Unavailable"),
    lambda: QueryError("execution", "query processing would load too many samples", 422),
]


def _edits(text: str, panel: str, row: str | None) -> list[str]:
    """panels.yaml as a user may save it meanwhile: `panel` (its lines) deleted,
    broken, as it was; and a row more and a row fewer (`row` and all after it deleted)."""
    assert panel in text
    edits = [text.replace(panel, ""), text.replace("rows:", "rows: [oops"), text]
    edits.append(text + "  - title: Extra\n    panels:\n      - {title: Up, expr: up}\n")
    if row is not None:
        edits.append(text.split(row)[0])
    return edits


REQUESTS = "      - title: Requests\n        expr: service:requests:rate\n        unit: req/s\n"


@dataclass
class Run:
    """One monkey run: the app, its fake Prometheus and clock, and what happened."""

    app: DashboardApp
    fake: FakePrometheus  # the one the events happen to
    clock: Clock
    healthy: Callable[[], FakePrometheus]  # the fake as at the start, afresh
    incident: Callable[[FakePrometheus, float], None] | None  # None: no incident here
    panels_yaml: Path | None = None  # the file `edit` rewrites with one of `edits`
    edits: Sequence[str] = ()
    log: list[str] = field(default_factory=list)
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    """Every notification: (severity, title, message)."""


def _contexts(sources: Callable[[], Datasources], board: Callable[[], Dashboard]) -> ContextSwitch:
    """Two contexts on the same fake Prometheus (so the monkey's events still reach
    the one shown), and one that cannot be opened (a missing token, say)."""

    def open_context(name: str, path: Path | None) -> Setup:
        if name == "broken":
            raise ConfigError("context broken: no token for prod", "set PROM_TOKEN")
        return Setup(dataclasses.replace(board(), context=name), sources())

    return ContextSwitch(("prod", "staging", "broken"), open_context)


def _yaml_board(
    tmp_path: Path,
    text: str,
    edits: Sequence[str],
    fakes: Mapping[str, FakePrometheus],
    healthy: Callable[[], FakePrometheus],
    incident: Callable[[FakePrometheus, float], None] | None,
) -> Run:
    """A panels.yaml board on `fakes` (by datasource; the events happen to the last)."""
    path = tmp_path / "panels.yaml"
    path.write_text(text)
    dashboard = load_dashboard(path)

    def sources() -> Datasources:
        return Datasources(fakes, dashboard.datasource.name)

    clock = Clock()
    app = DashboardApp(
        dashboard,
        sources(),
        clock=clock,
        monotonic=clock.monotonic,
        contexts=_contexts(sources, lambda: load_dashboard(path)),
    )
    fake = list(fakes.values())[-1]
    return Run(app, fake, clock, healthy, incident, path, edits)


def _fast_board(tmp_path: Path) -> Run:
    edits = _edits(DASHBOARD, REQUESTS, "  - title: Hosts")
    return _yaml_board(tmp_path, DASHBOARD, edits, {"default": healthy()}, healthy, incident)


def _panels_board(tmp_path: Path) -> Run:
    fake = tileapp.fake()
    board = tileapp.dashboard()
    clock = Clock()

    def sources() -> Datasources:
        return Datasources({board.datasource.name: fake}, board.datasource.name)

    app = tileapp.PanelsApp(
        board,
        sources(),
        clock=clock,
        monotonic=clock.monotonic,
        contexts=_contexts(sources, tileapp.dashboard),
    )
    return Run(app, fake, clock, tileapp.fake, incident)


# The fast tier's dashboard on two datasources: the events happen to "us" only.
TWO = DASHBOARD.replace(
    "rows:\n",
    "datasources:\n  eu: {url: http://eu:9090, default: true}\n  us: {url: http://us:9090}\n"
    "rows:\n",
).replace("        unit: B\n", "        unit: B\n        datasource: us\n")


def _two_board(tmp_path: Path) -> Run:
    fakes = {"eu": healthy(), "us": healthy()}
    edits = _edits(TWO, REQUESTS, "  - title: Hosts")
    return _yaml_board(tmp_path, TWO, edits, fakes, healthy, incident)


def _variables_board(tmp_path: Path) -> Run:
    from tests.fast import test_variables

    text = test_variables.CHAINED
    latency = text.splitlines(keepends=True)[-1]
    region = text.replace("  region: {type: constant, value: eu-1}\n", "")  # a variable fewer
    edits = [*_edits(text, latency, None), region]
    fakes = {"default": test_variables.fake()}
    return _yaml_board(tmp_path, text, edits, fakes, test_variables.fake, None)


BOARDS: dict[str, Callable[[Path], Run]] = {
    "fast": _fast_board,
    "tiles": _panels_board,
    "two": _two_board,
    "variables": _variables_board,
}


def _watch_notifications(run: Run) -> None:
    """Every notification the app (or a screen) raises, noted before it is shown."""
    app = run.app
    notify = app.notify

    def noted(message, *, title="", severity="information", **options):  # type: ignore[no-untyped-def]
        run.notes.append((str(severity), str(title), str(message)))
        return notify(message, title=title, severity=severity, **options)

    app.notify = noted  # type: ignore[method-assign]


def _bugs(run: Run) -> list[tuple[str, str, str]]:
    """The notifications that report a bug rather than a server's or a file's error."""
    return [
        note
        for note in run.notes
        if note[0] == "error"
        and any(word in note[2].lower() for word in ("internal error", "bug", "traceback"))
    ]


def send(app: DashboardApp, key: str) -> None:
    """The key, as `pilot.press` sends it, but without its two waits for an idle CPU
    (40 ms at least): a `pilot.pause()` after it lets the app handle it."""
    app.post_message(events.Key(key, CHARS.get(key)))


async def _settle_a_little(pilot, app: DashboardApp, within: float) -> None:
    """Let queries out land, for `within` seconds at most (a held tick never does)."""
    deadline = time.monotonic() + within
    while app.waiting() and time.monotonic() < deadline:
        await pilot.pause(0.01)


def _healthy(run: Run) -> None:
    """Every series, alert and target as at the start."""
    fresh = run.healthy()
    fake = run.fake
    fake.metrics, fake.alert_list = fresh.metrics, fresh.alert_list
    fake.rule_groups, fake.target_list = fresh.rule_groups, fresh.target_list


async def _event(pilot, run: Run, name: str, rng: random.Random) -> str:
    """Do event `name`; what was done, for the log."""
    app, fake, clock = run.app, run.fake, run.clock
    if name == "tick":
        seconds = rng.choice([0.5, 1.0, 1.0, 2.0, 5.0, 15.0, 60.0, 400.0])
        clock.now += seconds
        app.action_refresh()
        await _settle_a_little(pilot, app, 0.0 if fake.gate else 1.0)
        return f"tick +{seconds}s"
    if name == "wait":
        seconds = rng.choice([0.05, 0.25])
        await pilot.pause(seconds)
        return f"wait {seconds}s"
    if name == "incident":  # on the series as they were at the start
        since = clock.now - rng.choice([0.0, 90.0, 4000.0])
        if run.incident is not None:
            _healthy(run)
            run.incident(fake, since)
        return "incident"
    if name == "vanish":
        metric = rng.choice(sorted(fake.metrics))
        fake.metrics[metric] = []
        return f"vanish {metric}"
    if name == "odd":
        metric = rng.choice(sorted(fake.metrics))
        value = rng.choice([math.nan, math.inf, -math.inf, None, 0.0, -1.0, 1e300])
        fake.metrics[metric] = [
            FakeSeries(series.labels, lambda t, v=value: v) for series in fake.metrics[metric]
        ]
        return f"odd {metric}={value}"
    if name == "healthy":
        _healthy(run)
        return "healthy"
    if name == "resize":
        width, height = rng.choice(RESIZES)
        await pilot.resize_terminal(width, height)
        return f"resize {width}x{height}"
    if name == "edit":
        number = rng.randrange(5)
        if run.panels_yaml is not None and number < len(run.edits):
            run.panels_yaml.write_text(run.edits[number])
        return f"edit #{number}"
    raise AssertionError(name)


async def _monkey(pilot, run: Run, rng: random.Random, steps: int) -> None:
    app, fake = run.app, run.fake
    held_until = failing_until = -1
    for step in range(steps):
        if fake.gate is not None and step >= held_until:
            fake.gate.set()
            fake.gate = None
            run.log.append("release")
        if fake.fail is not None and step >= failing_until:
            fake.fail = None
            run.log.append("recover")
        roll = rng.random()
        keys: Sequence[str] = ()
        if roll < 0.65:
            keys = [rng.choices(KEYS, KEY_ODDS)[0]]
        elif roll < 0.7:
            keys = rng.choice(MACROS)
        for key in keys:
            run.log.append(key)
            send(app, key)
            if len(keys) > 1:
                await pilot.pause(0)
        if not keys:
            name = rng.choices(EVENTS, EVENT_ODDS)[0]
            if name == "hold":
                held_until = step + rng.randint(1, 8)
                if fake.gate is None:
                    fake.gate = asyncio.Event()
                run.log.append(f"hold until {held_until}")
            elif name == "fail":
                failing_until = step + rng.randint(1, 12)
                fake.fail = rng.choice(FAILURES)()
                run.log.append(f"fail {type(fake.fail).__name__} until {failing_until}")
            else:
                run.log.append(await _event(pilot, run, name, rng))
        # Mostly a quick typist (the messages sent so far handled, no wait for the
        # app to be idle), at times one who waits.
        await pilot.pause(0 if rng.random() < QUICK else None)
        if app.return_code is not None or not app.is_running:
            run.log.append("(the app stopped)")
            return
    # The end: back to the dashboard, and q quits.
    for _ in range(4):
        if len(app.screen_stack) == 1:
            break
        run.log.append("escape")
        await pilot.press("escape")
        await pilot.pause()
    if len(app.screen_stack) == 1 and app.is_running:
        run.log.append("q")
        await pilot.press("q")
        await pilot.pause()


async def monkey(board: str, seed: int, tmp_path: Path, steps: int = STEPS) -> Run:
    """Run the monkey on `board` with `seed`; raises (with the replay) if the app broke."""
    rng = random.Random(seed)
    run = BOARDS[board](tmp_path)
    _watch_notifications(run)
    size = rng.choice(SIZES)
    run.log.append(f"size {size[0]}x{size[1]}")
    app = run.app
    try:
        async with app.run_test(size=size, notifications=True) as pilot:
            await asyncio.wait_for(_monkey(pilot, run, rng, steps), 60)
    except Exception as error:
        raise AssertionError(f"{board} seed {seed} crashed: {error!r}\n{_replay(run)}") from error
    assert app.return_code in (None, 0), f"{board} seed {seed}: exit code\n{_replay(run)}"
    assert not _bugs(run), f"{board} seed {seed}: {_bugs(run)}\n{_replay(run)}"
    return run


def _replay(run: Run) -> str:
    return "steps: " + ", ".join(run.log)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("board", TESTED)
async def test_random_keys_never_crash_the_app(
    board: str, seed: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # where `s` saves its screenshots
    run = await monkey(board, seed, tmp_path)
    print(_replay(run))


# -- what the monkey found: a minimal reproduction of each, fixed -------------------


ROW_EDITS = {
    "a row fewer": DASHBOARD.split("  - title: Hosts")[0],
    "a row more": DASHBOARD + "  - title: Extra\n    panels:\n      - {title: Up, expr: up}\n",
}


async def _reloaded_and_alive(pilot, run: Run) -> None:
    """Until the reload says so (or the app has ended): it did, and the app runs on."""
    app = run.app

    def reloaded() -> bool:
        return any(note[2].startswith("reloaded") for note in run.notes)

    await wait_for(pilot, lambda: reloaded() or app.return_code is not None)
    await pilot.pause()
    assert app.return_code is None and reloaded()


@pytest.mark.parametrize("edit", ROW_EDITS)
async def test_a_reload_that_adds_or_removes_a_row_while_scrolled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, edit: str
) -> None:
    run = _fast_board(tmp_path)
    _watch_notifications(run)
    app = run.app
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot, app)
        await pilot.press("end")
        assert app.board.scroll_y > 0
        # The interleaving the monkey met (fast seed 11, once in 5 replays on a busy
        # machine), made certain: the screen lays the emptied rows out (their scroll
        # drops to 0) before the new ones are mounted.
        remove = app.board.remove_children

        async def remove_then_lay_out(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            await remove(*args, **kwargs)
            await asyncio.sleep(0.2)

        monkeypatch.setattr(app.board, "remove_children", remove_then_lay_out)
        # The user edits panels.yaml and presses R.
        (tmp_path / "panels.yaml").write_text(ROW_EDITS[edit])
        await pilot.press("R")
        await _reloaded_and_alive(pilot, run)


async def test_keys_while_a_reload_mounts_a_row_more(tmp_path: Path, monkeypatch) -> None:
    # The keys moved between the new rows on the old dashboard's page (IndexError):
    # fast seed 5, two seed 21. The new rows' removal of the old ones is held here.
    run = _fast_board(tmp_path)
    _watch_notifications(run)
    app = run.app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        held, release = asyncio.Event(), asyncio.Event()
        remove = app.board.remove_children

        async def held_remove(*args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            held.set()
            await release.wait()
            await remove(*args, **kwargs)

        monkeypatch.setattr(app.board, "remove_children", held_remove)
        (tmp_path / "panels.yaml").write_text(ROW_EDITS["a row more"])
        await pilot.press("R")
        await wait_for(pilot, held.is_set, what="the reload to remove the rows")
        await pilot.press("down", "up", "right", "left", "space", "pagedown", "end", "home")
        release.set()
        await _reloaded_and_alive(pilot, run)


async def test_the_palette_opening_as_panels_yaml_is_reloaded(tmp_path: Path) -> None:
    run = _fast_board(tmp_path)
    _watch_notifications(run)
    app = run.app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert run.panels_yaml is not None
        run.panels_yaml.write_text(DASHBOARD + "\n")  # saved again by the user's editor
        send(app, "ctrl+p")
        app.config_watch.check()  # what the app's timer runs every CONFIG_CHECK second
        await _reloaded_and_alive(pilot, run)


async def test_enter_then_escape_in_the_palette(tmp_path: Path) -> None:
    run = _fast_board(tmp_path)
    app = run.app
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, app)
        for key in ["ctrl+p", "a", "enter", "escape"]:  # typed quickly
            send(app, key)
            await pilot.pause(0)
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))
        await pilot.pause()
        # Still running; the command chosen with Enter ("a": the alerts) may have run.
        assert app.return_code is None and len(app.screen_stack) <= 2, app.screen_stack


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(Unreachable("cannot connect to us:9090"), id="unreachable"),
        pytest.param(HTTPStatusError(503, "HTTP 503"), id="http-503"),
        pytest.param(QueryError("execution", "too many samples", 422), id="query"),
    ],
)
async def test_an_error_from_one_of_two_datasources_is_shown_not_an_internal_error(
    tmp_path: Path, error: PrometheusError
) -> None:
    run = _two_board(tmp_path)  # the Hosts row on "us", the rest on "eu"
    _watch_notifications(run)
    app, us, clock = run.app, run.fake, run.clock
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        us.fail = error
        before = app.ticks
        clock.now += 1
        app.action_refresh()
        await wait_for(pilot, lambda: app.ticks > before or bool(_bugs(run)))
        await pilot.press("g")  # the targets screen: every datasource's targets asked
        await wait_for(pilot, lambda: "us" in app.state.health or bool(_bugs(run)))
        assert not _bugs(run), _bugs(run)
        memory = next(c for c in app.query(StatCard) if c.target.title == "Memory")
        assert error.short in memory.value_plain + memory.detail_plain
