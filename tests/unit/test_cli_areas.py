"""A command loads only its own area of the command line (issue 19: a command's fixed cost)."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys

import pytest

from console import cli


def _commands(area: str) -> set[str]:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(f"console.cli.{area}").register(sub)
    return set(sub.choices)


@pytest.mark.parametrize("area", sorted(set(cli.COMMAND_AREAS.values())))
def test_every_command_is_listed_under_the_area_that_registers_it(area: str) -> None:
    listed = {c for c, a in cli.COMMAND_AREAS.items() if a == area}
    assert _commands(area) == listed


def test_the_full_parser_has_no_command_outside_the_list() -> None:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == set(cli.COMMAND_AREAS)


@pytest.mark.parametrize(
    ("words", "area"),
    [
        (["dsr", "list"], "requests"),
        (["--db", "sqlite:///x.db", "--user", "dsr", "subject", "find"], "records"),
        (["--user=ana", "--json", "import"], "records"),
        (["--help"], None),
        (["dsr", "--help"], "requests"),
        (["nosuch"], None),
        ([], None),
    ],
)
def test_the_area_of_a_command_line(words: list[str], area: str | None) -> None:
    assert cli.command_area(words) == area


def test_a_request_command_does_not_import_the_records_services() -> None:
    code = (
        "import sys; from console import cli; cli.build_parser(cli.command_area(['dsr', 'list']));"
        "print(sorted(m for m in ('console.cli.records', 'console.cli.legal', "
        "'console.services.sources', 'polars', 'openpyxl', 'reportlab', 'PySide6') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
