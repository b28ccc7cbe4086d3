"""The cyclic GC is off while the dashboard starts (the command line turns it off) and
back on once the first values are painted, with the start's objects frozen out."""

from __future__ import annotations

import gc
from pathlib import Path

from tests.fast.fakeapp import make, settle
from tests.tui.util import wait_for


async def test_the_gc_is_back_on_soon_after_the_first_values(tmp_path: Path) -> None:
    app, _, _ = make(tmp_path)
    gc.disable()  # as `allintop` starts
    frozen = gc.get_freeze_count()
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            # Not before the first values are painted: the collection holds the GIL.
            await wait_for(pilot, gc.isenabled, what="the GC back on")
            assert gc.get_freeze_count() > frozen  # the start's objects left alone
    finally:
        gc.unfreeze()
        gc.enable()
