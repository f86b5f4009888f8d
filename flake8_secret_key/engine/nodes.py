"""Small questions about ``ast`` nodes, shared by the visitor and the classifier.

Each answers from one node (and its near children), never by walking a subtree, so
that it costs the same on any tree.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

#: Longest literal value the engine computes (``"k" * 10**9`` is not built).
MAX_VALUE = 4096


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def head_name(node: ast.AST) -> ast.Name | None:
    """The name a chain of attributes starts from (``os`` in ``os.environ.get``)."""
    while isinstance(node, ast.Attribute):
        node = node.value
    return node if isinstance(node, ast.Name) else None


def render(node: ast.AST, depth: int = 0) -> str:
    """A short, safe rendering of a receiver: ``self.app``, ``get_app().config``."""
    if depth > 8:
        return "..."
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{render(node.value, depth + 1)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{render(node.func, depth + 1)}()"
    if isinstance(node, ast.Subscript):
        key = str_const(node.slice)
        inner = f'"{key}"' if key is not None and len(key) <= 40 else "..."
        return f"{render(node.value, depth + 1)}[{inner}]"
    return "..."


def render_read(node: ast.AST, env_var: str) -> str:
    """How a message names an environment read: ``os.environ.get("SECRET_KEY")``."""
    if isinstance(node, ast.Call):
        return f'{render(node.func)}("{env_var}")'
    if isinstance(node, ast.Subscript):
        return f'{render(node.value)}["{env_var}"]'
    return f"the read of {env_var}"


def str_const(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def literal_text(node: ast.AST) -> str | bytes | None:
    """The value of a str/bytes constant or placeholder-free f-string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = [str_const(v) for v in node.values]
        if all(part is not None for part in parts):
            return "".join(part for part in parts if part is not None)
    return None


def capped(value: object) -> str | bytes | None:
    """``value`` if it is a str or bytes small enough to keep, else None."""
    if isinstance(value, (str, bytes)) and len(value) <= MAX_VALUE:
        return value
    return None


def is_number(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, (int, float, complex))


def is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def is_ellipsis(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is Ellipsis


def argument(node: ast.Call, index: int, keyword: str) -> ast.expr | None:
    """The ``index``-th positional argument, or the one passed as ``keyword=``."""
    if len(node.args) > index:
        return node.args[index]
    return keyword_argument(node, keyword)


def keyword_argument(node: ast.Call, keyword: str) -> ast.expr | None:
    for kw in node.keywords:
        if kw.arg == keyword:
            return kw.value
    return None


def pair_targets(target: ast.expr, value: ast.expr) -> Iterator[tuple[ast.expr, ast.expr]]:
    """``a, b = x, y`` pairs each target with its value; other targets get ``value``.

    An unpacking whose sides do not match (``a, b = pair``, ``a, *b = x, y, z``)
    pairs nothing.
    """
    if isinstance(target, (ast.Tuple, ast.List)):
        if (
            isinstance(value, (ast.Tuple, ast.List))
            and len(value.elts) == len(target.elts)
            and not any(isinstance(e, ast.Starred) for e in target.elts)
        ):
            yield from zip(target.elts, value.elts, strict=True)
        return
    yield target, value


def catches_missing(handler: ast.ExceptHandler) -> bool:
    """``except KeyError`` (or LookupError, Exception, a bare except)."""
    if handler.type is None:
        return True
    caught = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    names = {(dotted(c) or "").rsplit(".", 1)[-1] for c in caught}
    return bool(names & {"KeyError", "LookupError", "Exception", "BaseException"})


def within(inner: ast.AST, outer: ast.AST) -> bool:
    """Whether ``inner``'s position lies inside ``outer``'s."""
    a = (getattr(inner, "lineno", 0), getattr(inner, "col_offset", 0))
    b = (getattr(outer, "lineno", 0), getattr(outer, "col_offset", 0))
    ea = (getattr(inner, "end_lineno", 0) or 0, getattr(inner, "end_col_offset", 0) or 0)
    eb = (getattr(outer, "end_lineno", 0) or 0, getattr(outer, "end_col_offset", 0) or 0)
    return b <= a and ea <= eb
