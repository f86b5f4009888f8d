"""How ``fix`` spells ``os.environ`` where it rewrites a key, and the ``import os`` it adds.

A rewritten value reads ``os.environ["NAME"]`` through a name the module
already binds above it (``import os``, ``import os as o``, ``from os import
environ [as e]``) when that name means only ``os`` / ``os.environ`` at every
rewritten place; otherwise ``fix`` adds ``import os`` after the docstring and
the ``from __future__`` imports, where ``os`` is free. ``OsNames`` answers
those questions for one module; ``fix`` decides what to do with the answers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping

import libcst as cst
from libcst.metadata import (
    BaseAssignment,
    CodeRange,
    ImportAssignment,
    MetadataWrapper,
    Scope,
    ScopeProvider,
)


class OsNames:
    """Which names mean ``os`` / ``os.environ`` where, in one module."""

    def __init__(
        self,
        wrapper: MetadataWrapper,
        positions: Mapping[cst.CSTNode, CodeRange],
        bound: frozenset[str],
    ) -> None:
        self.wrapper = wrapper
        self.module = wrapper.module
        self.positions = positions
        self._scopes: Mapping[cst.CSTNode, Scope | None] | None = None
        self._bound_otherwise = bound

    def bindings(self, before: tuple[int, int]) -> list[tuple[str, str]]:
        """Top-level ``import os [as o]`` / ``from os import environ [as e]`` above ``before``.

        Returns ``(bound name, accessor expression)``, plain ``os`` first.
        """
        found: list[tuple[int, str, str]] = []
        for stmt in self.module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            start = self.positions[stmt].start
            if (start.line, start.column) >= before:
                break
            for small in stmt.body:
                for name, expr in _os_names(small):
                    rank = 0 if name == "os" else 1 if expr.endswith(".environ") else 2
                    found.append((rank, name, expr))
        found.sort(key=lambda f: f[0])
        return [(name, expr) for _, name, expr in found]

    def _assignments(self, node: cst.CSTNode, name: str) -> list[BaseAssignment] | None:
        """What ``name`` can mean at ``node`` (None when scope analysis failed)."""
        if self._scopes is None:
            try:
                self._scopes = self.wrapper.resolve(ScopeProvider)
            except RecursionError:  # too deep for LibCST: the whole file is an error
                raise
            except Exception:  # a safety net only: when it fails, nothing is trusted
                self._scopes = {}
        scope = self._scopes.get(node)
        return None if scope is None else list(scope[name])

    def resolves_to_os(self, node: cst.CSTNode, name: str) -> bool:
        """``name`` (imported above) means only ``os`` / ``os.environ`` at ``node``."""
        if name not in self._bound_otherwise:
            return True
        found = self._assignments(node, name)
        if not found:  # unbound here after all, or scope analysis failed
            return False
        return _only_os(found, name)

    def free_or_os(self, node: cst.CSTNode, name: str) -> bool:
        """``name`` is unbound at ``node``, or bound only to ``os`` / ``os.environ``.

        Scope analysis is slow, so it runs only when the module binds ``name``
        to something else somewhere (a WSGI ``environ`` parameter, ``os = ...``).
        """
        if name not in self._bound_otherwise:
            return True
        found = self._assignments(node, name)
        return found is not None and _only_os(found, name)


def bound_otherwise(text: str) -> frozenset[str]:
    """Names the module binds to anything but ``os`` / ``os.environ`` (anywhere)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names.update(node.names)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name != "os" and not (
                    alias.asname is None and alias.name.startswith("os.")
                ):
                    names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if not (node.module == "os" and not node.level and alias.name == "environ"):
                    names.add(alias.asname or alias.name)
    return frozenset(names)


def _os_names(small: cst.BaseSmallStatement) -> Iterable[tuple[str, str]]:
    """Names an import statement binds to ``os`` / ``os.environ``, with the accessor."""
    if isinstance(small, cst.Import):
        for alias in small.names:
            dotted = _dotted(alias.name)
            if alias.asname is None and dotted.split(".")[0] == "os":
                yield "os", "os.environ"
            elif dotted == "os" and alias.asname is not None:
                asname = alias.asname.name
                if isinstance(asname, cst.Name):
                    yield asname.value, f"{asname.value}.environ"
    elif (
        isinstance(small, cst.ImportFrom)
        and small.module is not None
        and not small.relative
        and _dotted(small.module) == "os"
        and not isinstance(small.names, cst.ImportStar)
    ):
        for alias in small.names:
            if _dotted(alias.name) == "environ":
                bound = alias.asname.name if alias.asname is not None else alias.name
                if isinstance(bound, cst.Name):
                    yield bound.value, bound.value


def _only_os(assignments: Iterable[BaseAssignment], name: str) -> bool:
    """Every one of ``assignments`` is an import binding ``name`` to ``os`` / ``os.environ``."""
    return all(
        isinstance(a, ImportAssignment)
        and isinstance(a.node, (cst.Import, cst.ImportFrom))
        and any(bound == name for bound, _ in _os_names(a.node))
        for a in assignments
    )


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def add_import_os(module: cst.Module) -> cst.Module:
    """``import os`` after the module docstring and ``from __future__`` imports."""
    body = list(module.body)
    at = 0
    if body and _is_docstring(body[0]):
        at = 1
    while at < len(body) and _is_future(body[at]):
        at += 1
    new = cst.SimpleStatementLine([cst.Import([cst.ImportAlias(cst.Name("os"))])])
    if at < len(body) and at > 0:
        # Keep the blank lines that separated the docstring from the code above
        # the new import, so that the next statement's comments stay with it.
        nxt = body[at]
        lines = list(nxt.leading_lines)
        blank = 0
        while blank < len(lines) and lines[blank].comment is None:
            blank += 1
        new = new.with_changes(leading_lines=lines[:blank])
        body[at] = nxt.with_changes(leading_lines=lines[blank:])
    body.insert(at, new)
    return module.with_changes(body=body)


def _is_docstring(stmt: cst.BaseStatement) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Expr)
        and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def _is_future(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, cst.ImportFrom)
        and s.module is not None
        and not s.relative
        and _dotted(s.module) == "__future__"
        for s in stmt.body
    )
