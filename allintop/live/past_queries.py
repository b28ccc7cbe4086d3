"""The queries run in Explore, kept across runs and recalled with Up, as a shell
keeps its history.

One query a line, oldest first, in `$XDG_STATE_HOME/allintop/explore_history`
(~/.local/state/allintop/ by default). A query of several lines is kept as one line of
JSON (a string), so every line of the file is one query; a line that is not JSON is
taken as typed. A file that cannot be read or written costs the history, never the
dashboard: the error is returned for the caller to say once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

FILE_NAME = "explore_history"
#: Queries kept: the oldest go first.
MAX_QUERIES = 500


def state_dir(environ: Mapping[str, str] | None = None, home: Path | None = None) -> Path:
    """$XDG_STATE_HOME/allintop, else ~/.local/state/allintop (the XDG default)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_STATE_HOME", "")
    if base and os.path.isabs(base):  # the spec ignores a relative one
        return Path(base) / "allintop"
    return (home or Path.home()) / ".local" / "state" / "allintop"


def default_path() -> Path:
    return state_dir() / FILE_NAME


def _decoded(line: str) -> str:
    if line.startswith('"'):
        try:
            value = json.loads(line)
        except ValueError:
            return line
        return value if isinstance(value, str) else line
    return line


def _encoded(query: str) -> str:
    single = "\n" not in query and "\r" not in query and not query.startswith('"')
    return query if single else json.dumps(query, ensure_ascii=False)


class PastQueries:
    """The past queries in `path`, oldest first; `add` appends one and writes the file.

    Args:
        path: the history file (default_path()).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.queries: list[str] = []
        self.error: str | None = None
        """Why the file could not be read or written, if it could not."""
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return
        except OSError as error:
            self.error = f"{path}: {error.strerror or error}"
            return
        self.queries = [_decoded(line) for line in text.splitlines() if line.strip()]
        self.queries = self.queries[-MAX_QUERIES:]

    def add(self, query: str) -> None:
        """Keep `query` as the newest (moved there if it was kept already)."""
        query = query.strip()
        if not query:
            return
        if query in self.queries:
            self.queries.remove(query)
        self.queries.append(query)
        del self.queries[:-MAX_QUERIES]
        self._write()

    def _write(self) -> None:
        text = "".join(_encoded(query) + "\n" for query in self.queries)
        partial = self.path.with_name(self.path.name + ".partial")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_text(text, encoding="utf-8")
            partial.replace(self.path)  # whole, or not at all: another allintop may read it
        except OSError as error:
            self.error = f"{self.path}: {error.strerror or error}"
        else:
            self.error = None


class Recall:
    """Walking the past queries with Up and Down from what is being typed.

    Up goes to older queries, Down back to newer ones and at last to what was typed
    before the first Up.
    """

    def __init__(self, past: PastQueries) -> None:
        self.past = past
        self._at: int | None = None  # index into past.queries; None: the text typed
        self._typed = ""

    def older(self, current: str) -> str | None:
        """The query before the one shown (None: no older one)."""
        queries = self.past.queries
        if self._at is None:
            if not queries:
                return None
            self._typed, self._at = current, len(queries) - 1
        elif self._at == 0:
            return None
        else:
            self._at -= 1
        return queries[self._at]

    def newer(self) -> str | None:
        """The query after the one shown, or the text typed (None: at it already)."""
        if self._at is None:
            return None
        if self._at + 1 < len(self.past.queries):
            self._at += 1
            return self.past.queries[self._at]
        self._at = None
        return self._typed

    def reset(self) -> None:
        """Typing starts again from the newest."""
        self._at = None
