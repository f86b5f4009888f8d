"""Classes whose attributes are no settings: enumerations.

``class Keys(Enum): SECRET_KEY = auto()`` names a member, not a key: the value of
``Keys.SECRET_KEY`` is the member itself, and Flask never reads it as a setting (a
Flask config class, ``class Config: SECRET_KEY = ...``, is no enum). An enum is a
class with a base from the ``enum`` module (``Enum``, ``IntEnum``, ``StrEnum``,
``Flag``, ``IntFlag``, ``ReprEnum``) or Django's choices, however it is imported
(``import enum``, ``from enum import Enum as E``), or with an enum metaclass, or a
subclass of an enum of the same module. A base that is never imported counts by its
last name (``Enum``), as the module cannot be told.
"""

from __future__ import annotations

import ast

from flake8_secret_key.engine.nodes import dotted
from flake8_secret_key.engine.scopes import Scope

#: Qualified names of the bases (and metaclasses) that make a class an enum.
ENUM_BASES = frozenset(
    {
        *(f"enum.{n}" for n in ("Enum", "IntEnum", "StrEnum", "Flag", "IntFlag", "ReprEnum")),
        *(f"enum.{n}" for n in ("EnumMeta", "EnumType")),
        *(f"django.db.models.{n}" for n in ("Choices", "TextChoices", "IntegerChoices")),
        *(f"django.db.models.enums.{n}" for n in ("Choices", "TextChoices", "IntegerChoices")),
    }
)
#: The last names of those bases, for a base that is never imported.
_LAST_NAMES = frozenset(name.rsplit(".", 1)[1] for name in ENUM_BASES)


def is_enum(node: ast.ClassDef, scope: Scope, enums: set[str]) -> bool:
    """Whether ``node`` (defined in ``scope``) is an enum; its name is added to
    ``enums`` (the module's enum classes, whose subclasses are enums too)."""
    bases = [*node.bases, *(k.value for k in node.keywords if k.arg == "metaclass")]
    for base in bases:
        spelled = dotted(base)
        if spelled is None:
            continue
        head, _, rest = spelled.partition(".")
        imported = _imported_as(scope, head)
        if imported is not None:
            qualified = f"{imported}.{rest}" if rest else imported
            found = qualified in ENUM_BASES
        else:
            found = spelled in enums or spelled.rsplit(".", 1)[-1] in _LAST_NAMES
        if found:
            enums.add(node.name)
            return True
    return False


def is_member(scope: Scope, value: ast.expr) -> bool:
    """Whether a name set to ``value`` in the class ``scope`` is an enum's member: the
    class is an enum, or the value is ``auto()`` (``enum.auto()``), which only members
    are set to."""
    if scope.enum:
        return True
    return isinstance(value, ast.Call) and (dotted(value.func) or "").split(".")[-1] == "auto"


def _imported_as(scope: Scope | None, name: str) -> str | None:
    """What the latest binding of ``name`` seen from ``scope`` imports, if it is an
    import (the class statement runs where it is: its bases are read then)."""
    while scope is not None:
        bindings = scope.bindings.get(name)
        if bindings:
            return bindings[-1].imported
        scope = scope.parent
    return None
