"""The variables screen: pick the dashboard's template variables."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, Select, SelectionList, Static

from allintop.dashboard import templating
from allintop.dashboard.model import ALL, Pick, Variable
from allintop.live import variables as live_variables
from allintop.live.variables import OptionSource
from allintop.ui.keys import on_modal
from allintop.values.text import clean


class VariablesScreen(ModalScreen[None]):
    """Pick the template variables, in the dashboard's order: one option (or "all")
    from a drop-down, several from a list of ticks (a multi-value variable), free
    text in a box (a textbox, applied with Enter); a constant is shown, not picked.

    Options are the variable's own (custom, interval, datasource) or, for a query
    variable, asked of the datasource when the screen opens. A pick applies at once
    (the dashboard re-queries behind the screen), once the variables that depend
    on it (a chain job -> instance) have been asked for their options again and
    their picks kept where they are still options. Esc closes it.

    Args:
        variables: the dashboard's variables.
        picks: their current picks.
        options: query variables' options as last asked for.
        source: what query variables' options are asked of (the datasource).
        apply: takes every variable's pick and options, on every pick.
        range_: the range their queries' built-ins ($__range) are for.
    """

    BINDINGS = [
        Binding("escape", "app.dashboard", "Back"),
        Binding("slash", "dismiss", "Close"),
        on_modal("save_screen"),
    ]

    def __init__(
        self,
        variables: Sequence[Variable],
        picks: Mapping[str, Pick],
        options: Mapping[str, tuple[str, ...]],
        source: OptionSource,
        apply: Callable[[Mapping[str, Pick], Mapping[str, tuple[str, ...]]], Awaitable[None]],
        *,
        range_: float,
    ) -> None:
        super().__init__()
        self.variables = tuple(variables)
        self.picks = {v.name: picks.get(v.name, v.default) for v in self.variables}
        self.options = dict(options)
        self.source = source
        self.apply = apply
        self.range = range_

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="variables", can_focus=False):
            yield Static("Variables", classes="help-title")
            if not self.variables:
                yield Static("This dashboard has no template variables.", classes="help-colours")
            for variable in self.variables:
                yield Static(_variable_title(variable), markup=False, classes="var-title")
                yield self._picker(variable)
            yield Static(
                "a choice applies at once (a text: enter)  esc: close", classes="help-colours"
            )

    def _picker(self, variable: Variable) -> Widget:
        """The widget a variable is picked with (shown with, for a constant)."""
        pick, ident = self.picks[variable.name], f"var-{variable.name}"
        if variable.kind == "constant":
            return Static(Text(clean(str(pick), 200), style="dim"), id=ident, markup=False)
        if variable.kind == "textbox":
            return Input(clean(str(pick)), id=ident, compact=True)  # shown, not sent raw
        choices = _choices(variable, self.options.get(variable.name), pick)
        if variable.multi:
            return SelectionList[str](*_ticks(choices, pick), id=ident, classes="var-multi")
        value = pick if isinstance(pick, str) and pick else Select.NULL
        return Select(_labelled(choices), value=value, allow_blank=value is Select.NULL, id=ident)

    def on_mount(self) -> None:
        self._load()

    @work(group="variables", exit_on_error=False)
    async def _load(self) -> None:
        """Every query variable's options, asked afresh; a pick not known yet (the
        first option of a query_result variable) is settled and applied."""
        before = dict(self.picks)
        await self._refresh(templating.query_variables(self.variables), reset=False)
        if self.picks != before:
            await self.apply(dict(self.picks), dict(self.options))

    @work(group="variables", exclusive=True, exit_on_error=False)
    async def _changed(self, name: str) -> None:
        """A pick changed: its dependents asked again, then every pick applied."""
        await self._refresh(templating.dependents(self.variables, {name}), reset=True)
        await self.apply(dict(self.picks), dict(self.options))

    async def _refresh(self, names: Collection[str], *, reset: bool) -> None:
        if not names:
            return
        refreshed = await live_variables.refresh(
            self.variables,
            self.picks,
            self.options,
            names,
            self.source,
            range_=self.range,
            reset=reset,
        )
        for problem in refreshed.problems:
            self.notify(clean(problem, 200), severity="error", markup=False)
        self.picks, self.options = dict(refreshed.picks), dict(refreshed.options)
        for variable in self.variables:
            if variable.name in names:
                self._show(variable)

    def _show(self, variable: Variable) -> None:
        """A variable's widget, with its options and pick as they are now."""
        pick = self.picks[variable.name]
        choices = _choices(variable, self.options.get(variable.name), pick)
        widget = self.query_one(f"#var-{variable.name}")
        # Set here, not picked: no Changed message that would read as a new pick.
        if isinstance(widget, SelectionList):
            with widget.prevent(SelectionList.SelectedChanged):
                widget.clear_options()
                widget.add_options(_ticks(choices, pick))
        elif isinstance(widget, Select):
            with widget.prevent(Select.Changed):
                widget.set_options(_labelled(choices))
                if isinstance(pick, str) and pick:
                    widget.value = pick

    def _picked(self, name: str, pick: Pick) -> None:
        if pick != self.picks.get(name):
            self.picks[name] = pick
            self._changed(name)

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.value is not Select.NULL and event.select.id:
            self._picked(event.select.id.removeprefix("var-"), str(event.value))

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        widget = event.selection_list
        name = (widget.id or "").removeprefix("var-")
        variable = next((v for v in self.variables if v.name == name), None)
        if variable is None:
            return
        pick = templating.multi_pick(self.picks[name], widget.selected, variable.include_all)
        self._picked(name, pick)
        ticked = (pick,) if isinstance(pick, str) else pick
        if set(widget.selected) != set(ticked):  # "all" and values exclude each other
            with widget.prevent(SelectionList.SelectedChanged):
                widget.deselect_all()
                for value in ticked:
                    widget.select(value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id:
            self._picked(event.input.id.removeprefix("var-"), event.value)


def _variable_title(variable: Variable) -> Text:
    """Its label (else its name) in bold, and its $name and kind where they say more."""
    text = Text(clean(variable.label or variable.name, 60), style="bold")
    if variable.label and variable.label != variable.name:
        text.append(f"  ${clean(variable.name, 60)}", style="dim")
    if variable.kind in ("constant", "textbox", "interval", "datasource"):
        text.append(f"  {variable.kind}", style="dim")
    elif variable.multi:
        text.append("  several", style="dim")
    return text


def _choices(variable: Variable, asked: tuple[str, ...] | None, pick: Pick) -> list[str]:
    """What a variable offers: "all" first where it does, its options (asked, else
    its own), and its pick too if that is none of them (a --var value), each once."""
    picked = (pick,) if isinstance(pick, str) else pick
    listed = [
        *((ALL,) if variable.include_all else ()),
        *(variable.options if asked is None else asked),
        *(value for value in picked if value and not templating.is_all(value)),
    ]
    return list(dict.fromkeys(listed))


def _labelled(choices: list[str]) -> list[tuple[Text, str]]:
    """Each choice shown as plain text (a label value may hold markup)."""
    return [(Text(clean(value, 60)), value) for value in choices]


def _ticks(choices: list[str], pick: Pick) -> list[tuple[Text, str, bool]]:
    picked = {ALL} if templating.is_all(pick) else set((pick,) if isinstance(pick, str) else pick)
    return [(Text(clean(value, 60)), value, value in picked) for value in choices]
