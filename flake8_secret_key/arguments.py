"""The commands' options, declared once: a plain command line is parsed here,
anything else by argparse.

argparse loads gettext, locale and re: a third of ``report``'s start-up, which a
teacher pays on every run and a pre-commit hook on every commit. Most command
lines are a command, options spelled in full and paths. Each command declares its
options with ``add_argument`` on an ``Arguments``, which records the calls;
``parse`` reads such a line from the record, and ``apply`` replays the record into
an argparse parser for everything else.

``parse`` answers only where argparse would give the very same namespace, and
gives up (None) on anything it does not know for sure: ``--help``, an
abbreviation, a short option glued to its value, ``--``, a value that starts with
``-``, a value that fails its type or choices, a missing or extra argument, paths
on both sides of an option, two options of one exclusive group, or a declaration
it does not understand. argparse then parses the whole line, errors and all. The
tests compare both on generated command lines.
"""

from __future__ import annotations

import importlib

from flake8_secret_key.tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    import argparse
    from argparse import Namespace
    from collections.abc import Sequence
    from typing import Any
else:  # the commands only read its attributes, as they do argparse's Namespace
    from types import SimpleNamespace as Namespace

#: ``action=`` values ``parse`` knows; a command declaring another is left to argparse.
_ACTIONS = frozenset({"store", "store_true", "append"})


class Declared(NamedTuple):
    """One ``add_argument`` call."""

    flags: tuple[str, ...]
    kwargs: dict[str, Any]
    group: int | None = None  # the mutually exclusive group it belongs to


class Arguments:
    """What a command's ``add_arguments`` declares, recorded (the subset of
    ``argparse.ArgumentParser`` that the commands use)."""

    def __init__(self) -> None:
        self.declared: list[Declared] = []
        self._groups = 0

    def add_argument(self, *flags: str, **kwargs: Any) -> None:
        self.declared.append(Declared(flags, kwargs))

    def add_mutually_exclusive_group(self) -> _Group:
        self._groups += 1
        return _Group(self, self._groups)


class _Group:
    def __init__(self, owner: Arguments, number: int) -> None:
        self.owner = owner
        self.number = number

    def add_argument(self, *flags: str, **kwargs: Any) -> None:
        self.owner.declared.append(Declared(flags, kwargs, self.number))


def declarations(module_name: str) -> list[Declared]:
    """What the command module ``module_name`` declares in its ``add_arguments``."""
    arguments = Arguments()
    importlib.import_module(module_name).add_arguments(arguments)
    return arguments.declared


def apply(declared: Sequence[Declared], parser: argparse.ArgumentParser) -> None:
    """Add the recorded arguments to an argparse parser, in their order."""
    groups: dict[int, Any] = {}
    for item in declared:
        target: Any = parser
        if item.group is not None:
            target = groups.get(item.group)
            if target is None:
                target = groups[item.group] = parser.add_mutually_exclusive_group()
        target.add_argument(*item.flags, **item.kwargs)


class _Option(NamedTuple):
    dest: str
    action: str
    positional: bool
    nargs: str | None
    declared: Declared


def _options(declared: Sequence[Declared]) -> list[_Option] | None:
    """What ``parse`` needs of each declaration; None if one is beyond it."""
    out = []
    positionals = 0
    for item in declared:
        kwargs = item.kwargs
        action = kwargs.get("action", "store")
        nargs = kwargs.get("nargs")
        positional = not item.flags[0].startswith("-")
        if action not in _ACTIONS or kwargs.get("required") or kwargs.get("const") is not None:
            return None
        if nargs not in ((None, "*") if positional else (None,)):
            return None
        if action == "append" and not isinstance(kwargs.get("default", []), list):
            return None  # argparse would try to append to it
        if positional:
            positionals += 1
            if action != "store" or len(item.flags) != 1 or positionals > 1:
                return None  # how argparse shares words among positionals: not here
            if "choices" in kwargs:
                return None
            dest = item.flags[0]
        else:
            longs = [f for f in item.flags if f.startswith("--")]
            dest = (longs or item.flags)[0].lstrip("-").replace("-", "_")
        out.append(_Option(kwargs.get("dest", dest), action, positional, nargs, item))
    return out


def parse(declared: Sequence[Declared], argv: Sequence[str]) -> Namespace | None:
    """The namespace argparse would give for ``argv`` (a command's arguments), or
    None where this is not sure of it."""
    options = _options(declared)
    if options is None:
        return None
    by_flag = {flag: o for o in options if not o.positional for flag in o.declared.flags}
    given: dict[str, Any] = {}
    seen: list[_Option] = []
    words: list[str] = []
    runs = 0  # runs of positional words, between options
    last_was_word = False
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if not token.startswith("-") or token == "-":
            words.append(token)
            runs += not last_was_word
            last_was_word = True
            continue
        last_was_word = False
        flag, equals, value = token.partition("=")
        option = by_flag.get(flag if (equals and flag.startswith("--")) else token)
        if option is None:
            return None  # --help, --, an abbreviation, -j4, an unknown option...
        if option.action == "store_true":
            if equals:
                return None
            given[option.dest] = True
        else:
            if not equals:
                if index >= len(argv) or argv[index].startswith("-"):
                    return None
                value = argv[index]
                index += 1
            if not value:
                return None
            converted = _convert(option, value)
            if converted is _UNSURE:
                return None
            if option.action == "append":  # onto a copy of the default, as argparse does
                if option.dest not in given:
                    given[option.dest] = list(option.declared.kwargs.get("default") or [])
                given[option.dest].append(converted)
            else:
                given[option.dest] = converted
        seen.append(option)
    if not _exclusive(seen) or runs > 1:
        return None
    result = Namespace()
    for option in options:
        if option.positional:
            if not _positional(option, words, given):
                return None
        elif option.dest not in given:
            value = _default(option)
            if value is _UNSURE:
                return None
            given[option.dest] = value
        setattr(result, option.dest, given[option.dest])
    return None if words else result


_UNSURE = object()


def _convert(option: _Option, text: str) -> Any:
    kwargs = option.declared.kwargs
    convert = kwargs.get("type")
    if convert is not None:
        try:
            value = convert(text)
        except Exception:  # argparse says what is wrong with it
            return _UNSURE
    else:
        value = text
    choices = kwargs.get("choices")
    if choices is not None and value not in choices:
        return _UNSURE
    return value


def _default(option: _Option) -> Any:
    kwargs = option.declared.kwargs
    if option.action == "store_true":
        return kwargs.get("default", False)
    value = kwargs.get("default")  # the very object, as argparse hands it out
    if isinstance(value, str) and kwargs.get("type") is not None:
        return _UNSURE  # argparse converts a string default: leave that to it
    return value


def _positional(option: _Option, words: list[str], given: dict[str, Any]) -> bool:
    """Take the positional's words out of ``words`` into ``given``; False if unsure."""
    if option.nargs is None:
        if not words:
            return False
        value = _convert(option, words.pop(0))
    else:
        taken = words[:]
        del words[:]
        if not taken:
            value = option.declared.kwargs.get("default")
            if value is None:
                value = []
            elif isinstance(value, str):
                return False
        else:
            value = [_convert(option, word) for word in taken]
            if _UNSURE in value:
                return False
    if value is _UNSURE:
        return False
    given[option.dest] = value
    return True


def _exclusive(seen: Sequence[_Option]) -> bool:
    """No two options of one mutually exclusive group were given."""
    groups: dict[int, str] = {}
    for option in seen:
        group = option.declared.group
        if group is not None and groups.setdefault(group, option.dest) != option.dest:
            return False
    return True
