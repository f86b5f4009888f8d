"""Options shared by every front end, parsed once into a frozen ``Config``.

The flake8 plugin, ``check``, ``report`` and ``fix`` all build a ``Config`` here,
so the same option means the same thing everywhere and results never disagree.
"""

# No ``from __future__ import annotations``: typing.NamedTuple would compile each
# field's string annotation on the flake8 plugin's start-up (see engine/model.py).

import argparse
import os
import re
from collections.abc import Iterable
from typing import NamedTuple

from flake8_secret_key.engine import DEFAULT_NAMES, Options
from flake8_secret_key.known_keys import BUILTIN, KnownKeys

#: What ``is_test_path`` means by a test file's name.
_TEST_FILE = r"(^test_.*|.*_test|^conftest)\.pyi?$"  # compiled at first use
_TEST_DIRS = frozenset({"tests", "test"})
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"


class OptionError(ValueError):
    """A bad option value; its text is the one-line message for the user."""


class Config(NamedTuple):
    """Everything a front end needs to run the engine on a file."""

    engine: Options = Options()
    include_tests: bool = False

    def wants(self, path: str) -> bool:
        """Whether ``path`` is scanned (test code is skipped unless asked for)."""
        return self.include_tests or not is_test_path(path)


def is_test_path(path: str) -> bool:
    """``test_*.py``, ``*_test.py``, ``conftest.py``, or anything under tests/ or test/."""
    if "test" not in path:  # most paths: no split, no regex
        return False
    parts = path.replace("\\", "/").split("/")
    if re.match(_TEST_FILE, parts[-1]):
        return True
    return any(part in _TEST_DIRS for part in parts[:-1])


def parse_names(value: str | Iterable[str] | None) -> frozenset[str]:
    """``--secret-key-names``: comma (or newline) separated identifiers."""
    if value is None:
        return frozenset(DEFAULT_NAMES)
    items = value if not isinstance(value, str) else re.split(r"[,\s]+", value)
    names = frozenset(n.strip() for n in items if n.strip())
    bad = sorted(n for n in names if not re.fullmatch(_NAME, n))
    if bad:
        raise OptionError(f"--secret-key-names: not an identifier: {', '.join(bad)}")
    if not names:
        raise OptionError("--secret-key-names: give at least one name")
    return names


def read_known_keys_file(path: str | None) -> KnownKeys:
    """``--secret-key-known-keys-file``: one key per line; ``#`` starts a comment line."""
    if not path:
        return BUILTIN
    try:
        with open(path, encoding="utf-8-sig") as handle:
            keys = [ln.rstrip("\r\n") for ln in handle if not ln.lstrip().startswith("#")]
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OptionError(
            f"--secret-key-known-keys-file: cannot read {os.fspath(path)}: {reason}"
        ) from None
    return KnownKeys(keys)


def add_engine_arguments(parser: argparse.ArgumentParser, verb: str = "check") -> None:
    """The engine's options, spelled the same for check, report and fix.

    ``include_tests`` defaults to None, so that ``check`` can tell an absent flag
    from a given one when it merges pyproject.toml.
    """
    parser.add_argument(
        "--secret-key-names",
        metavar="NAMES",
        help="setting names that hold a secret key, comma separated "
        f"(default: {', '.join(DEFAULT_NAMES)})",
    )
    parser.add_argument(
        "--secret-key-known-keys-file",
        "--known-keys-file",
        dest="secret_key_known_keys_file",
        metavar="FILE",
        help="a file of further published keys, one per line, reported as SKY101 "
        "(e.g. the key of your own course template; default: none)",
    )
    parser.add_argument(
        "--include-tests",
        "--secret-key-include-tests",
        dest="include_tests",
        action="store_true",
        default=None,
        help=f"also {verb} test code (test_*.py, *_test.py, conftest.py, tests/, test/)",
    )


def config_from_args(args: argparse.Namespace) -> Config:
    """The ``Config`` of the options ``add_engine_arguments`` declared (no pyproject)."""
    return make_config(
        names=args.secret_key_names,
        known_keys_file=args.secret_key_known_keys_file,
        include_tests=bool(args.include_tests),
    )


def make_config(
    names: str | Iterable[str] | None = None,
    known_keys_file: str | None = None,
    include_tests: bool = False,
) -> Config:
    """Build a ``Config``; raises ``OptionError`` with a one-line message."""
    engine = Options(names=parse_names(names), known_keys=read_known_keys_file(known_keys_file))
    return Config(engine=engine, include_tests=include_tests)
