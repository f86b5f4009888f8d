"""Which binding a name refers to: scopes and bindings, resolved as Python does.

The settings visitor builds these while it walks the module once: a ``Scope`` for
the module, each class, function, lambda and comprehension, and in each scope every
``Binding`` of every name, in order. Each load of a name is recorded as a ``Use``.
The value classifier asks ``live_bindings`` what a use can refer to, after the walk.

The policy, in one place:

* In the use's own scope, the bindings written before it count; the latest one on
  the use's own path (not inside a branch the use is not in) hides the ones before
  it. After ``if c: KEY = "a"`` / ``else: KEY = env`` both branches count; after
  ``KEY = "a"`` / ``KEY = env`` only the second.
* A binding in another arm of the same ``if``/``try``/``match`` as the use never
  reaches it.
* An enclosing scope counts as it is at its end (functions run later): its last
  binding outside any branch, and the branch bindings after it.
* Class scopes are invisible from the functions inside them; ``global`` and
  ``nonlocal`` send a name to the module or the enclosing function.
* A module or class scope with no binding before the use falls through to the
  enclosing scope; a function scope does not (the name is local).
"""

# No ``from __future__ import annotations``: typing.NamedTuple would compile each
# field's string annotation on the flake8 plugin's start-up (see engine/model.py).

import ast
from typing import NamedTuple

#: One arm of a compound statement: (id of the statement, which arm).
Block = tuple[int, str]


class Binding(NamedTuple):
    """One way a name gets a value."""

    name: str
    value: ast.expr | None  # what was assigned, when the statement says (else unknown)
    order: int  # when, in the module's walk (see ``Use.order``)
    blocks: tuple[Block, ...]  # the arms it sits in, within its scope
    imported: str | None = None  # for an import: the dotted name it binds


class Scope:
    """A module, class, function (or lambda) or comprehension scope."""

    def __init__(self, kind: str, parent: "Scope | None" = None, settings_class: bool = False):
        self.kind = kind  # "module", "class", "function" or "comprehension"
        self.parent = parent
        self.settings_class = settings_class  # a pydantic BaseSettings subclass
        self.enum = False  # an enum class: its attributes are members, no settings
        self.bindings: dict[str, list[Binding]] = {}  # every binding of each name, in order
        self.globals: set[str] = set()  # declared ``global`` here
        self.nonlocals: set[str] = set()  # declared ``nonlocal`` here

    def module(self) -> "Scope":
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def store_scope(self, name: str) -> "Scope":
        """Where a store of ``name`` here binds it (``global``/``nonlocal``, walrus)."""
        if name in self.globals:
            return self.module()
        if name in self.nonlocals:
            scope = self.parent
            while scope is not None:
                if scope.kind == "function" and name in scope.bindings:
                    return scope
                scope = scope.parent
        return self


class Use(NamedTuple):
    """Where a name is loaded: its scope, when, and in which arms."""

    scope: Scope
    order: int  # the bindings whose order is up to this one came before it
    blocks: tuple[Block, ...]


def live_bindings(name: str, use: Use) -> list[Binding]:
    """The bindings ``name`` may refer to at ``use`` (empty: unbound, or a builtin)."""
    scope: Scope | None = use.scope
    at: Use | None = use
    if name in use.scope.globals:
        scope, at = use.scope.module(), None
    while scope is not None:
        if at is None and scope.kind == "class":  # invisible from the functions inside
            scope = scope.parent
            continue
        found = scope.bindings.get(name)
        if found:
            reaching = _reaching(found, at)
            if reaching or scope.kind == "function":
                return reaching
        scope, at = scope.parent, None
    return []


def _reaching(bindings: list[Binding], use: Use | None) -> list[Binding]:
    """The bindings of one scope that can reach ``use`` (None: the scope's end)."""
    if use is None:
        earlier = bindings
        path: tuple[Block, ...] = ()
    else:
        path = use.blocks
        earlier = [b for b in bindings if b.order <= use.order and not _other_arm(b.blocks, path)]
    for i in range(len(earlier) - 1, -1, -1):  # the latest on the use's path hides the rest
        if earlier[i].blocks == path[: len(earlier[i].blocks)]:
            return earlier[i:]
    return earlier


def _other_arm(blocks: tuple[Block, ...], path: tuple[Block, ...]) -> bool:
    """Whether ``blocks`` lead into another arm of a statement that ``path`` is in."""
    for mine, theirs in zip(blocks, path, strict=False):
        if mine != theirs:
            return mine[0] == theirs[0]
    return False
