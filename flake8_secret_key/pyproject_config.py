"""``[tool.flake8-secret-key]`` in the nearest ``pyproject.toml``, for ``check``.

The keys mirror ``check``'s long options without the dashes in front::

    [tool.flake8-secret-key]
    names = ["SECRET_KEY", "MY_SIGNING_KEY"]   # --secret-key-names
    known-keys-file = "ci/known-keys.txt"      # relative to this pyproject.toml
    include-tests = false
    select = ["SKY"]                           # or "SKY1,SKY900"
    ignore = []
    extend-select = ["SKY900"]
    extend-ignore = []
    exclude = ["migrations", "*_pb2.py"]
    extend-exclude = []
    format = "text"

The search walks up from the first path checked (or the cwd) and stops at the
first ``pyproject.toml``, or at the root of the repository (a folder holding
``.git`` or ``.hg``): a ``pyproject.toml`` above the repository belongs to some
other project. The command line wins over the file.

This module only reads and type-checks the table; ``cmd_check`` validates the
values (code prefixes, format names) for both sources the same way. The TOML
parser is imported only when a ``pyproject.toml`` mentions the table.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any, NamedTuple

from flake8_secret_key.options import OptionError

TABLE = "flake8-secret-key"

_LIST_KEYS = (
    "names", "select", "ignore", "extend-select", "extend-ignore", "exclude", "extend-exclude",
)  # fmt: skip
_STR_KEYS = ("known-keys-file", "format")
_BOOL_KEYS = ("include-tests",)
KEYS: tuple[str, ...] = (*_LIST_KEYS, *_STR_KEYS, *_BOOL_KEYS)


class ProjectOptions(NamedTuple):
    """The table's values (None: not set), and the file they came from."""

    path: str | None = None
    names: tuple[str, ...] | None = None
    known_keys_file: str | None = None
    include_tests: bool | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    extend_ignore: tuple[str, ...] | None = None
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] | None = None
    format: str | None = None

    def where(self, key: str) -> str:
        """How an error message names one key of the table."""
        return f"{self.path}: [tool.{TABLE}] {key}"


def find_pyproject(start: str) -> str | None:
    """The nearest ``pyproject.toml`` at or above ``start``, within its repository."""
    here = os.path.abspath(start)
    if not os.path.isdir(here):
        here = os.path.dirname(here)
    while True:
        candidate = os.path.join(here, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        if any(os.path.exists(os.path.join(here, vcs)) for vcs in (".git", ".hg")):
            return None
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def _toml_loads() -> Callable[[str], dict[str, Any]] | None:
    """``tomllib.loads`` (3.11+), else ``tomli.loads`` if installed, else None."""
    try:
        import tomllib

        return tomllib.loads
    except ImportError:
        pass
    try:
        import tomli  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    loads: Callable[[str], dict[str, Any]] = tomli.loads
    return loads


def load(start: str, warn: Callable[[str], None]) -> ProjectOptions:
    """Read the table from the nearest ``pyproject.toml``; raises ``OptionError``.

    ``warn`` gets a one-line warning when the table cannot be read at all
    (Python 3.10 without ``tomli``); the run then goes on with the command line.
    """
    path = find_pyproject(start)
    if path is None:
        return ProjectOptions()
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise OptionError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if data.find(TABLE.encode()) == -1:  # not "in": see engine.may_hold_setting_bytes
        return ProjectOptions(path=path)
    loads = _toml_loads()
    if loads is None:
        warn(
            f"{path}: [tool.{TABLE}] ignored: reading TOML on Python 3.10 needs tomli "
            f"(pip install tomli); using the command line only"
        )
        return ProjectOptions(path=path)
    try:
        document = loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:  # TOMLDecodeError is a ValueError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OptionError(f"{path}: not valid TOML: {reason}") from None
    tool = document.get("tool")
    table = tool.get(TABLE) if isinstance(tool, dict) else None
    if table is None:
        return ProjectOptions(path=path)
    if not isinstance(table, dict):
        raise OptionError(f"{path}: tool.{TABLE} must be a table")
    return _parse(table, path)


def _parse(table: dict[str, Any], path: str) -> ProjectOptions:
    options = ProjectOptions(path=path)
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            hint = f" (did you mean {key.replace('_', '-')}?)" if "_" in key else ""
            raise OptionError(
                f"{options.where(key)}: unknown key{hint}; known keys: {', '.join(KEYS)}"
            )
        field = key.replace("-", "_")
        if key in _LIST_KEYS:
            values[field] = _string_list(value, options.where(key))
        elif key in _BOOL_KEYS:
            if not isinstance(value, bool):
                raise OptionError(f"{options.where(key)}: expected true or false")
            values[field] = value
        else:
            if not isinstance(value, str):
                raise OptionError(f"{options.where(key)}: expected a string")
            values[field] = value
    known = values.get("known_keys_file")
    if known:
        values["known_keys_file"] = os.path.join(os.path.dirname(path), known)
    return options._replace(**values)


def _string_list(value: object, where: str) -> tuple[str, ...]:
    """A TOML list of strings, or one string of comma separated items."""
    if isinstance(value, str):
        items = re.split(r"[,\s]+", value)
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = value
    else:
        raise OptionError(f"{where}: expected a list of strings")
    return tuple(item.strip() for item in items if item.strip())
