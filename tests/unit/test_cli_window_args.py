"""Starting the window reads only the window's options; anything else goes to the full parser."""

from __future__ import annotations

import sys

from console.cli import _window_args


def test_the_window_options_alone_start_the_window_without_loading_commands() -> None:
    before = {m for m in sys.modules if m.startswith("console.cli.") and m != "console.cli.common"}
    args = _window_args(["--user", "ada", "--db=sqlite:///x.db", "--demo"])
    assert args is not None and args.command is None
    assert (args.user, args.db, args.demo) == ("ada", "sqlite:///x.db", True)
    after = {m for m in sys.modules if m.startswith("console.cli.") and m != "console.cli.common"}
    assert after == before  # building the window's parser imported no command module


def test_a_command_or_an_unknown_word_goes_to_the_full_parser() -> None:
    assert _window_args(["--user", "ada", "dsr", "pause", "1", "--version", "1"]) is None
    assert _window_args(["--version"]) is None
    assert _window_args(["--help"]) is None
    assert _window_args(["--user"]) is None  # missing value: the full parser says so
    assert _window_args(["--demo=yes"]) is None
