"""The cyclic garbage collector at start.

Start-up creates some 100,000 objects that live as long as the process, and the
cyclic GC's passes over them were about a tenth of the first paint: the command line
starts with the GC off (allintop.cli.commands.dashboard), and the app turns it back on
once its first values are painted, or after GC_OFF_AT_MOST seconds should they be
slow to come (a hanging server).
"""

from __future__ import annotations

import gc

#: Seconds the cyclic GC stays off at start, at most.
GC_OFF_AT_MOST = 5.0
#: Seconds after the first values are handed to the cards: the collection holds the
#: GIL for some 70 ms, and right after the refresh it held up the thread writing the
#: frame to the terminal, and the late answers of the first poll.
GC_AFTER_PAINT = 0.5


def collect_garbage_again() -> None:
    """One collection for the start's garbage, then what is left is long-lived
    (modules, widgets, styles) and is frozen out of every later collection, and the
    GC is back on. Does nothing once it is on."""
    if not gc.isenabled():
        gc.collect()
        gc.freeze()
        gc.enable()
