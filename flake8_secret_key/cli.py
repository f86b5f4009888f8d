"""``flake8-secret-key check|report|fix``: one console script, three subcommands.

Each subcommand lives in its own module with ``add_arguments(parser)`` (its
options, on an argparse subparser) and ``run(args) -> int``; this file builds
the parser and dispatches. A run imports only the module of the command it
runs, so ``check`` never loads ``report``'s or ``fix``'s (nor libcst, which
``fix`` imports inside ``run``).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Collection, Sequence
from typing import Any, NoReturn

PROG = "flake8-secret-key"

COMMANDS = {
    "check": ("flake8_secret_key.cmd_check", "report hardcoded secret keys (CI, ruff users)"),
    "report": ("flake8_secret_key.cmd_report", "mark a folder of student submissions"),
    "fix": ("flake8_secret_key.cmd_fix", "rewrite hardcoded keys to environment reads"),
}


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors are one line (what, and where to look)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


class _Version(argparse.Action):
    """``--version``, looked up only when asked for (the lookup scans metadata)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version(PROG)
        except PackageNotFoundError:  # pragma: no cover
            found = "unknown"
        parser.exit(0, f"{PROG} {found}\n")


def build_parser(loaded: Collection[str] = tuple(COMMANDS)) -> argparse.ArgumentParser:
    """The console script's parser. Every command is listed; the options of those
    in ``loaded`` are added, each from its module's ``add_arguments``."""
    parser = _Parser(
        prog=PROG,
        description="Find hardcoded web-framework secret keys and move them to the environment.",
    )
    parser.add_argument("--version", action=_Version, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if name in loaded:
            importlib.import_module(module_name).add_arguments(command)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The command is the first word that is not an option (no option before it takes
    # a value): only its module is imported. A word that names none is argparse's error.
    word = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser([word] if word in COMMANDS else []).parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except BrokenPipeError:  # the reader went away (``| head``): nothing more to say
        _flush_stdout()
        return 0
    except OSError as exc:
        # The commands report the files they read and write themselves; what gets
        # here is the output stream failing (a full disk, a closed terminal).
        _flush_stdout()
        return _failed(exc, f" {args.command}")


def console() -> NoReturn:
    """The console script: ``main()``, and its output flushed before exit, where a
    failure is one line on stderr (not "Exception ignored" noise) and status 2."""
    status = main()
    failure = _flush_stdout()
    if failure is not None and not isinstance(failure, BrokenPipeError):
        status = _failed(failure)
    sys.exit(status)


def _flush_stdout() -> OSError | None:
    """Flush stdout; the error if that fails.

    After a failure, stdout is pointed at devnull (as the signal module's
    documentation shows for a broken pipe): what it still holds is dropped there,
    instead of failing again at exit.
    """
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        return None
    except ValueError:  # closed by whoever called us: nothing to flush
        return None
    except OSError as exc:
        failure = exc
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # a stream without a file descriptor
        pass
    return failure


def _failed(exc: OSError, command: str = "") -> int:
    """Say in one line on stderr that writing failed; the exit status for it."""
    if exc.filename:
        from flake8_secret_key.escape import printable

        where = f"{printable(str(exc.filename))}: "
    else:
        where = "cannot write the output: "
    try:
        sys.stderr.write(f"{PROG}{command}: {where}{exc.strerror or exc}\n")
    except (OSError, ValueError, AttributeError):  # no stderr either: the status says it
        pass
    return 2


if __name__ == "__main__":  # pragma: no cover
    console()
