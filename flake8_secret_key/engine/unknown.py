"""What the scanner could not follow, by name, for a key it reports as ``unknown``.

A teacher reading ``unknown`` wants to know where to look: ``read from load_key() (a
call the scanner cannot follow)``, ``imported from settings_local``, ``read from the
file instance/key.txt``, ``set to None``. ``why(expr)`` says it in words that follow
"<target> is": a call by its callee, a file by its path when it is a literal, an
import by its module, a name by its name. Nothing here shows a value: calls are named
by their callee only (``nodes.render``), f-strings by the names they hold, and a path
is cut at 80 characters.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence

from flake8_secret_key.engine.nodes import is_none, render, str_const
from flake8_secret_key.engine.scopes import Binding

#: Calls that open a file (the path is their first argument).
_OPENERS = frozenset(
    {"open", "io.open", "codecs.open", "pathlib.Path", "Path", "os.path.join", "pathlib.PurePath"}
)
#: Methods that read what a file holds.
_READS = frozenset({"read", "read_text", "read_bytes", "readline", "strip", "rstrip"})
MAX_DEPTH = 8
MAX_PATH = 80

Qualify = Callable[[ast.AST], "str | None"]
Bindings = Callable[[ast.Name], Sequence[Binding]]


class Explainer:
    """Says what an unknown value comes from, in words."""

    def __init__(self, qualified: Qualify, bindings: Bindings) -> None:
        self.qualified = qualified
        self.bindings = bindings

    def why(self, node: ast.AST, depth: int = 0) -> str:
        """Why ``node``'s value is unknown, after "is" (never the value itself)."""
        found = self._why(node, depth) if depth <= MAX_DEPTH else None
        return found or "set from an expression the scanner cannot follow"

    def _why(self, node: ast.AST, depth: int) -> str | None:
        if is_none(node):
            return "set to None (no key: Flask refuses to sign sessions)"
        if isinstance(node, ast.Constant):
            return f"set to a {type(node.value).__name__}, not a key"
        path = self._file(node)
        if path is not None:
            return f"read from the file {path}" if path else "read from a file"
        if isinstance(node, ast.Name):
            return self._name(node, depth)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, (ast.Attribute, ast.Subscript)):
            module = self._module_of(node)
            shown = render(node)
            if module is not None:
                return f"read from {shown} (imported from {module})"
            what = "an attribute" if isinstance(node, ast.Attribute) else "a subscript"
            return f"read from {shown} ({what} the scanner cannot follow)"
        if isinstance(node, ast.JoinedStr):
            names = [render(v.value) for v in node.values if isinstance(v, ast.FormattedValue)]
            shown = ", ".join(n for n in names if n != "...")[:MAX_PATH] or "expressions"
            return f"built from {shown} (an f-string the scanner cannot follow)"
        if isinstance(node, (ast.BinOp, ast.BoolOp, ast.IfExp)):
            parts = _operands(node)
            inner = next((p for p in parts if not isinstance(p, ast.Constant)), None)
            return None if inner is None else self.why(inner, depth + 1)
        if isinstance(node, ast.NamedExpr):
            return self.why(node.value, depth + 1)
        return None

    def _name(self, node: ast.Name, depth: int) -> str:
        bindings = self.bindings(node)
        imported = next((b.imported for b in bindings if b.imported is not None), None)
        if imported is not None:
            module = imported.rpartition(".")[0] or imported
            return f"imported from {module}"
        values = [b.value for b in bindings]
        if len(values) == 1 and values[0] is not None:
            return self.why(values[0], depth + 1)
        if not bindings:
            return f"set from {node.id}, a name bound nowhere in this file (a star import?)"
        if len(values) > 1:
            return f"set from {node.id}, bound in several places the scanner cannot all follow"
        return (
            f"set from {node.id}, a parameter or a loop, with or except variable the "
            "scanner cannot follow"
        )

    def _call(self, node: ast.Call) -> str:
        shown = render(node.func)
        module = self._module_of(node.func)
        where = f", imported from {module}" if module is not None else ""
        return f"read from {shown}() (a call the scanner cannot follow{where})"

    def _module_of(self, node: ast.AST) -> str | None:
        """The module the head name of ``node`` is imported from, if it is imported."""
        head = node
        while isinstance(head, (ast.Attribute, ast.Subscript, ast.Call)):
            head = head.func if isinstance(head, ast.Call) else head.value
        if not isinstance(head, ast.Name):
            return None
        imported = next((b.imported for b in self.bindings(head) if b.imported), None)
        if imported is None:
            return None
        module, _, name = imported.rpartition(".")
        return module if module and name == head.id else imported

    def _file(self, node: ast.AST) -> str | None:
        """The path of a file ``node`` reads (``open(p).read()``, ``Path(p).read_text()``,
        ``json.load(open(p))["k"]``): "" when it is not a literal; None if no file."""
        current = node
        for _ in range(MAX_DEPTH):
            if isinstance(current, ast.Subscript):
                current = current.value
            elif (
                isinstance(current, ast.Call)
                and isinstance(current.func, ast.Attribute)
                and (current.func.attr in _READS)
            ):
                current = current.func.value
            elif isinstance(current, ast.Call) and self.qualified(current.func) in _OPENERS:
                path = str_const(current.args[0]) if current.args else None
                return "" if path is None else path[:MAX_PATH]
            elif isinstance(current, ast.Call) and len(current.args) == 1:
                current = current.args[0]  # json.load(open(p)), yaml.safe_load(...)
            else:
                return None
        return None


def _operands(node: ast.BinOp | ast.BoolOp | ast.IfExp) -> list[ast.expr]:
    if isinstance(node, ast.BinOp):
        return [node.left, node.right]
    if isinstance(node, ast.BoolOp):
        return list(node.values)
    return [node.body, node.orelse]
