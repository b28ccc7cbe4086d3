"""Explore's prompt: the query in colour as it is typed, the parser's error under
it with a caret at its place, and the completions offered.

The colours are pygments-promql's, through rich's Syntax with its ANSI theme (so they
follow the terminal's palette); the lexer's "error" marks are left out, since a
query being typed is unfinished more often than wrong: the parser says what is wrong,
on the line below.
"""

from __future__ import annotations

from rich.highlighter import Highlighter
from rich.style import Style
from rich.syntax import ANSI_DARK, ANSISyntaxTheme, Syntax
from rich.text import Text
from textual.widgets import Input, OptionList, Static

from allintop.promql.syntax import SyntaxProblem
from allintop.values.text import clean

_THEME = ANSISyntaxTheme(
    {token: Style() if str(token) == "Token.Error" else style for token, style in ANSI_DARK.items()}
)


class PromQLHighlighter(Highlighter):
    """Colours a PromQL query by its tokens."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        if not plain:
            return
        coloured = Syntax(plain, "promql", theme=_THEME, background_color="default").highlight(
            plain
        )
        for span in coloured.spans:
            if span.start < len(plain) and not (span.start == 0 and span.end >= len(plain)):
                text.stylize(span.style, span.start, min(span.end, len(plain)))


class Prompt(Input):
    """The query being typed (Enter runs it: Input.Submitted)."""

    def __init__(self, value: str = "") -> None:
        super().__init__(
            value,
            placeholder="PromQL: Tab completes (^n next), Enter runs, Up: past queries, Esc closes",
            highlighter=PromQLHighlighter(),
            id="explore-prompt",
            select_on_focus=False,
        )


class Problem(Static):
    """The parser's message, with a caret under its place in the query."""

    def show(self, query: str, problem: SyntaxProblem | None) -> None:
        self.display = problem is not None
        if problem is None:
            self.update("")
            return
        self.show_at(query, problem.position(query), problem.message)

    def show_at(self, query: str, position: tuple[int, int], message: str) -> None:
        """`message` at (line, column) of `query` (the server's parse error, say)."""
        self.display = True
        width = max((self.size.width or self.app.size.width) - 2, 20)
        self.update(caret_text(query, position, message, width))


def caret_text(query: str, position: tuple[int, int], message: str, width: int) -> Text:
    """The query's line the error is on, cut to `width` around the place; a caret
    under the place, the message after it, or on a line of its own when it does not
    fit there. Columns count the query as shown (control characters made visible)."""
    line, column = position
    lines = query.splitlines() or [""]
    raw = lines[line - 1] if line <= len(lines) else ""
    shown, before = clean(raw), len(clean(raw[: max(column - 1, 0)]))
    start = max(0, min(before - width // 2, len(shown) - width))  # the place in view
    cut = shown[start : start + width]
    said = f"{clean(message, 200)} (line {line}, column {column})"
    text = Text()
    text.append(("…" + cut[1:]) if start else cut, style="dim")
    text.append("\n" + " " * (before - start))  # unstyled: Textual keeps it so
    text.append("^", style="bold")
    if before - start + 2 + len(said) <= width:
        text.append(" " + said, style="bold")
    else:
        text.append("\n" + said, style="bold")
    return text


class Candidates(OptionList):
    """The completions for what the cursor is on; Tab puts the highlighted one in."""

    names: list[str] = []
    """What is offered, as the server wrote it."""

    def offer(self, names: list[str]) -> None:
        self.names = names
        self.clear_options()
        self.add_options([Text(clean(name, 120)) for name in names])
        self.display = bool(names)
        if names:
            self.highlighted = 0

    def step(self, direction: int) -> None:
        if self.option_count and self.display:
            at = self.highlighted if self.highlighted is not None else 0
            self.highlighted = (at + direction) % self.option_count
