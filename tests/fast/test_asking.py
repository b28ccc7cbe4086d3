"""The alerts and targets screens while the server has not answered yet: they say
they are asking, not a bare table's headings for a whole timeout."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.fast.fakeapp import make
from tests.tui.util import screen_text, wait_for


@pytest.mark.parametrize(("key", "what"), [("a", "rules"), ("g", "targets")])
async def test_a_screen_says_it_is_asking_until_the_answer(
    tmp_path: Path, key: str, what: str
) -> None:
    app, fake, _ = make(tmp_path)
    fake.gate = asyncio.Event()  # the server hangs
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.press(key)
        await wait_for(pilot, lambda: f"asking for the {what}…" in screen_text(app))
        fake.gate.set()
        await wait_for(pilot, lambda: "asking for the" not in screen_text(app), what="the answer")
