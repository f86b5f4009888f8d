"""The records the settings visitor makes: where a key is set (``Site``), and the
reads of a ``try`` body whose ``except KeyError:`` may make a fallback (``TryBody``).
"""

# No ``from __future__ import annotations``: typing.NamedTuple would compile each
# field's string annotation on the flake8 plugin's start-up (see engine/model.py).

import ast
from typing import NamedTuple

from flake8_secret_key.engine.model import Kind
from flake8_secret_key.engine.scopes import Scope


class TryBody:
    """The reads of a ``try`` body: ``except KeyError:`` there makes a fallback."""

    def __init__(self, start: int, outer: "TryBody | None") -> None:
        self.start = start  # the body's reads are the visitor's reads[start:end]
        self.end = start
        self.outer = outer  # the handler this try sits in, if any


class Site(NamedTuple):
    """A place where a secret-key setting is written."""

    name: str  # the setting: "SECRET_KEY", "secret_key"...
    kind: Kind
    target: str  # how it is written: 'app.config["SECRET_KEY"]'
    at: ast.AST  # where to point (the value, as a rule)
    value: ast.expr | None  # what it is set to (None: a field without default...)
    scope: Scope
    fix: tuple[str, str] = ("", "")  # the fix is fix[0] + an environment read + fix[1]
    handler: TryBody | None = None  # inside ``except KeyError:`` of this try
    receiver: ast.expr | None = None  # for setdefault: the mapping it is called on
    signs: str = "sessions"  # what the key signs, for the library that reads it
    manual: str | None = None  # why ``fix`` leaves it by hand
    gate: str = ""  # only when the module imports this library (Tornado, Sanic)
