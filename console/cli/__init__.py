"""The `privacy-console` command line: a thin front end over the services (no Qt unless the GUI starts).

Exit status: 0 success, 1 a user error (one clear line on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import importlib
import io
import logging
import os
import sys
from collections.abc import Sequence

from console import APP_NAME
from console.buildinfo import version_text
from console.cli.common import EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, UsageError
from console.errors import ConsoleError

log = logging.getLogger("cli")

# Each area (console.cli.<area>) registers its commands; the order is the order of `--help`.
# They are imported only when a command is given: starting the window needs none of them.
_AREAS = ["foundation", "records", "requests", "legal", "reports", "ops", "team"]
# The area of each top-level command: a command imports its own area only (the others' services
# are a good part of a command's start-up time); tests check this against what the areas register.
COMMAND_AREAS = {
    "init": "foundation",
    "user": "foundation",
    "audit": "foundation",
    "policy": "foundation",
    "demo": "foundation",
    "source": "records",
    "batch": "records",
    "import": "records",
    "search": "records",
    "subject": "records",
    "dsr": "requests",
    "my-work": "requests",
    "legal": "legal",
    "report": "reports",
    "backup": "ops",
    "restore": "ops",
    "check": "ops",
    "config": "ops",
    "team": "team",
}
_GLOBAL_WITH_VALUE = ("--db", "--user")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def command_area(words: Sequence[str]) -> str | None:
    """The area of the command these words run; None (every area) for help, or a word unknown."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in _GLOBAL_WITH_VALUE:
            skip = True
        elif word in ("-h", "--help"):
            return None
        elif not word.startswith("-"):
            return COMMAND_AREAS.get(word)
    return None


def build_parser(area: str | None = None, *, commands: bool = True) -> argparse.ArgumentParser:
    """The command line's parser: every area's commands, or only those of ``area``."""
    parser = _Parser(
        prog="privacy-console",
        description=f"{APP_NAME}: with no command it starts the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version_text()}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="database URL (else CONSOLE_DB_URL, else the SQLite file in your data folder)",
    )
    parser.add_argument(
        "--user",
        metavar="NAME",
        help="sign in as NAME (password from CONSOLE_PASSWORD or a prompt)",
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="with the window: load demo data first (like `privacy-console demo`)",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="check this installation on a temporary database and exit",
    )
    if not commands:
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in _AREAS if area is None else [area]:
        importlib.import_module(f"console.cli.{name}").register(sub)
    return parser


_WINDOW_OPTIONS = {"--db": True, "--user": True, "--demo": False, "--self-check": False}


def _window_args(words: list[str]) -> argparse.Namespace | None:
    """The options when the words are only the window's own options (no command), else None:
    then the full parser, with every command, reads them."""
    i = 0
    while i < len(words):
        name, eq, _value = words[i].partition("=")
        if name not in _WINDOW_OPTIONS or (eq and not _WINDOW_OPTIONS[name]):
            return None
        i += 1 if eq or not _WINDOW_OPTIONS[name] else 2
    if i > len(words):
        return None  # an option without its value: the full parser says so
    args = build_parser(commands=False).parse_args(words)
    args.command = None
    return args


def main(argv: Sequence[str] | None = None) -> int:
    from console.filemodes import private_umask

    # Whatever this process creates (the database, its -wal and -shm, backups, logs, exports)
    # is readable by its user only; the old umask is back when the command ends.
    with private_umask():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    from console.logs import setup_logging

    words = list(sys.argv[1:] if argv is None else argv)
    bad = _not_utf8(words)
    if bad is not None:
        sys.stderr.write(f"privacy-console: error: {bad}\n")
        return EXIT_USAGE
    args = _window_args(words) or build_parser(command_area(words)).parse_args(words)
    setup_logging()
    try:
        if args.self_check:
            from console.selfcheck import run_self_check

            return run_self_check()
        if args.command is None:
            from console.app import run_gui

            return run_gui(args)
        code = int(args.handler(args))
        sys.stdout.flush()  # here, where a closed pipe is caught, not at interpreter exit
        return code
    except BrokenPipeError:
        # The reader stopped reading (`search --json | head`): what it wanted, it has.
        _silence_stdout()
        return EXIT_OK
    except UsageError as exc:
        sys.stderr.write(f"privacy-console: {exc}\n")
        return EXIT_USAGE
    except ConsoleError as exc:
        sys.stderr.write(f"privacy-console: {exc}\n")
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("privacy-console: interrupted\n")
        return EXIT_USER_ERROR
    except Exception as exc:  # a bug: log it whole, show one line
        log.exception("unexpected error in command %s", args.command)
        from console.logs import log_file_path

        sys.stderr.write(
            f"privacy-console: unexpected error ({type(exc).__name__}); details in {log_file_path()}\n"
        )
        return EXIT_USER_ERROR


def _not_utf8(words: list[str]) -> str | None:
    """Why an argument cannot be used: bytes that are not UTF-8 reach Python as lone surrogates,
    which no database, file name or report can hold."""
    for number, word in enumerate(words, start=1):
        try:
            word.encode("utf-8")
        except UnicodeEncodeError:
            shown = os.fsencode(word) if os.name != "nt" else word.encode("utf-8", "replace")
            return (
                f"argument {number} ({shown!r}) is not valid UTF-8 text; the console reads "
                "and keeps text as UTF-8 (rename the file, or type the text again)."
            )
    return None


def _silence_stdout() -> None:
    """Point stdout at the null device, so the interpreter's last flush cannot fail loudly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (tests capture stdout): nothing will be flushed to a pipe
