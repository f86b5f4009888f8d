"""``flake8-secret-key check|report|fix``: one console script, three subcommands.

Each subcommand lives in its own module with ``add_arguments(parser)`` and
``run(args) -> int``; this file only dispatches, so ``check`` never pays for
``fix``'s libcst import.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence

from flake8_secret_key.tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, NoReturn

COMMANDS = {
    "check": ("flake8_secret_key.cmd_check", "report hardcoded secret keys (CI, ruff users)"),
    "report": ("flake8_secret_key.cmd_report", "mark a folder of student submissions"),
    "fix": ("flake8_secret_key.cmd_fix", "rewrite hardcoded keys to environment reads"),
}


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without ``shutil``.

    argparse builds a formatter for every option it adds, not only for
    ``--help``, and the default one imports shutil (and with it bz2 and lzma):
    3 ms of every run. The width is found as ``shutil.get_terminal_size`` would.
    """

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    stdout = sys.__stdout__
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80 if stdout else 80
    except (ValueError, OSError):
        return 80


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line (what, and where to look)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class _Version(argparse.Action):
    """``--version``, looked up only when asked for (the lookup scans metadata)."""

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("flake8-secret-key")
        except PackageNotFoundError:  # pragma: no cover
            found = "unknown"
        parser.exit(0, f"flake8-secret-key {found}\n")


def build_parser(command: str | None = None, alone: bool = False) -> argparse.ArgumentParser:
    """The parser; only ``command``'s options are added (all with None), and with
    ``alone`` the other commands are left out altogether."""
    parser = _Parser(
        prog="flake8-secret-key",
        description="Find hardcoded web-framework secret keys and move them to the environment.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        if alone and name != command:
            continue
        sp = sub.add_parser(name, help=help_text, description=help_text)
        assert isinstance(sp, _Parser)
        if command is None or command == name:
            importlib.import_module(module_name).add_arguments(sp)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in args_list if a in COMMANDS), None)
    # The command first: the others' parsers are not built (a quarter of a ms
    # each). Anything else (a typo, --help) gets them all, to list them.
    parser = build_parser(command, alone=bool(args_list) and args_list[0] == command)
    args = parser.parse_args(args_list)
    module = importlib.import_module(COMMANDS[args.command][0])
    # What is loaded by now lives until exit: the collector need not go through it
    # again and again, and forked workers do not copy its pages by looking at it.
    gc.freeze()
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        sys.stderr.write("flake8-secret-key: interrupted\n")
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): nothing more to say
        return 0
    except OSError as exc:
        # The commands report the files they read and write themselves; what gets
        # here is the output stream failing (a full disk, a closed terminal).
        return _failed(exc, f" {args.command}")


def _failed(exc: OSError, command: str = "") -> int:
    """Say in one line on stderr that writing failed; the exit status for it."""
    if exc.filename:
        from flake8_secret_key.submissions import printable

        where = f"{printable(str(exc.filename))}: "
    else:
        where = "cannot write the output: "
    try:
        sys.stderr.write(f"flake8-secret-key{command}: {where}{exc.strerror or exc}\n")
    except (OSError, ValueError, AttributeError):  # no stderr either: the status says it
        pass
    return 2


def console() -> NoReturn:
    """The console script: ``main()``, then an exit that skips tearing Python down.

    Freeing every object one by one at exit costs some 5 ms after a ``report`` of
    a cohort, a twentieth of the whole run; mypy ends the same way. Nothing is
    lost: the files the commands write are closed by then, workers are reaped,
    and stdout and stderr are flushed here (a failure to is one line on stderr).
    """
    status = main()
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (``| head``)
        pass
    except OSError as exc:
        status = _failed(exc)
    except ValueError:  # stdout was closed by whoever called us: nothing to flush
        pass
    try:
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass
    os._exit(status)


if __name__ == "__main__":  # pragma: no cover
    console()
