"""The `privacy-console` command line: a thin front end over the services (no Qt unless the GUI starts).

Exit status: 0 success, 1 a user error (one clear line on stderr), 2 a usage error.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from console import APP_NAME
from console.buildinfo import version_text
from console.cli import foundation, legal, ops, records, reports, requests
from console.cli.common import EXIT_USAGE, EXIT_USER_ERROR, UsageError
from console.errors import ConsoleError

log = logging.getLogger("cli")

# Each area registers its commands here; the order is the order of `--help`.
_AREAS = [foundation, records, requests, legal, reports, ops]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}: error: {message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="privacy-console",
        description=f"{APP_NAME}: with no command it starts the window.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version_text()}")
    parser.add_argument("--db", metavar="URL",
                        help="database URL (else CONSOLE_DB_URL, else the SQLite file in your data folder)")
    parser.add_argument("--user", metavar="NAME",
                        help="sign in as NAME (password from CONSOLE_PASSWORD or a prompt)")
    parser.add_argument("--demo", action="store_true",
                        help="with the window: load demo data first (like `privacy-console demo`)")
    parser.add_argument("--self-check", action="store_true",
                        help="check this installation on a temporary database and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for area in _AREAS:
        area.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from console.filemodes import private_umask

    # Whatever this process creates (the database, its -wal and -shm, backups, logs, exports)
    # is readable by its user only; the old umask is back when the command ends.
    with private_umask():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    from console.logs import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging()
    try:
        if args.self_check:
            from console.selfcheck import run_self_check

            return run_self_check()
        if args.command is None:
            from console.app import run_gui

            return run_gui(args)
        return int(args.handler(args))
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
