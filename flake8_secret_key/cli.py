"""``flake8-secret-key check|report|fix``: one console script, three subcommands.

Each subcommand lives in its own module with ``add_arguments(arguments)`` (the
options it declares: see ``arguments``) and ``run(args) -> int``; this file only
dispatches, so ``check`` never pays for ``fix``'s libcst import, and a plain
command line never pays for argparse.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

from flake8_secret_key.arguments import declarations, parse
from flake8_secret_key.tuples import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import NoReturn

COMMANDS = {
    "check": ("flake8_secret_key.cmd_check", "report hardcoded secret keys (CI, ruff users)"),
    "report": ("flake8_secret_key.cmd_report", "mark a folder of student submissions"),
    "fix": ("flake8_secret_key.cmd_fix", "rewrite hardcoded keys to environment reads"),
}


def build_parser(command: str | None = None, alone: bool = False) -> argparse.ArgumentParser:
    """The argparse parser; only ``command``'s options are added (all with None), and
    with ``alone`` the other commands are left out altogether."""
    from flake8_secret_key.argparser import build_parser

    return build_parser(COMMANDS, command, alone)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = _plain(args_list)
    if args is None:  # --help, a usage error, anything unusual: argparse
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


def _plain(args_list: Sequence[str]) -> argparse.Namespace | None:
    """The namespace of a plain ``COMMAND ...`` line, parsed without argparse."""
    if not args_list or args_list[0] not in COMMANDS:
        return None
    args = parse(declarations(COMMANDS[args_list[0]][0]), args_list[1:])
    if args is not None:  # what the top-level parser adds
        args.version = None
        args.command = args_list[0]
    return args


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
