"""The argparse parser of the console script: for ``--help``, ``--version``, usage
errors and every command line ``arguments.parse`` leaves to it.

Imported only then: argparse loads gettext, locale and re.
"""

from __future__ import annotations

import argparse
import os
import sys

from flake8_secret_key.arguments import apply, declarations
from flake8_secret_key.tuples import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Any, NoReturn


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


def build_parser(
    commands: dict[str, tuple[str, str]], command: str | None = None, alone: bool = False
) -> argparse.ArgumentParser:
    """The parser of ``commands`` (name: module, help); only ``command``'s options are
    added (all with None), and with ``alone`` the other commands are left out."""
    parser = _Parser(
        prog="flake8-secret-key",
        description="Find hardcoded web-framework secret keys and move them to the environment.",
    )
    parser.add_argument("--version", action=_Version, nargs=0, help="show the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, help_text) in commands.items():
        if alone and name != command:
            continue
        sp = sub.add_parser(name, help=help_text, description=help_text)
        assert isinstance(sp, _Parser)
        if command is None or command == name:
            apply(declarations(module_name), sp)
    return parser
