from allintop.values.text import clean


def test_escape_sequences_become_visible_text():
    assert clean("\x1b[31mred\x1b[0m") == "\\e[31mred\\e[0m"


def test_control_characters_and_newlines_fold_to_one_line():
    assert clean("a\nb\tc\x07d\x9b") == "a\\nb\\tc\\x07d\\x9b"


def test_markup_is_left_alone_for_plain_text_rendering():
    assert clean("[bold red]x[/]") == "[bold red]x[/]"


def test_limit_cuts_with_an_ellipsis():
    assert clean("abcdef", 4) == "abc…"
    assert clean("abc", 4) == "abc"
