"""The scope model on its own: a snippet, a use of a name, the bindings it resolves to.

Each binding is named by the value it was assigned (``ast.unparse``), by the module it
imports, or ``?`` when the statement gives no value (a loop, a parameter...).
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from flake8_secret_key.engine.scopes import live_bindings
from flake8_secret_key.engine.settings import SettingsVisitor


def resolve(src: str, name: str, line: int) -> list[str]:
    """What the load of ``name`` on ``line`` of ``src`` may be bound to."""
    tree = ast.parse(textwrap.dedent(src))
    visitor = SettingsVisitor(frozenset({"SECRET_KEY"}))
    visitor.run(tree)
    uses = [(n, u) for n, u in visitor.uses.items() if n.id == name and n.lineno == line]
    assert len(uses) == 1, f"expected one load of {name} on line {line}"
    found = live_bindings(name, uses[0][1])
    return [ast.unparse(b.value) if b.value else b.imported or "?" for b in found]


# fmt: off
CASES = [
    # (source, name, line of the use, what it may be bound to)
    pytest.param('K = "a"\nuse(K)', "K", 2, ["'a'"], id="simple"),
    pytest.param('K = "a"\nK = "b"\nuse(K)', "K", 3, ["'b'"], id="the later binding hides"),
    pytest.param('use(K)\nK = "a"', "K", 1, [], id="bound below: unbound here"),
    pytest.param('K = "a"\nuse(K)\nK = "b"', "K", 2, ["'a'"], id="bound again below"),
    pytest.param(
        'if c:\n    K = "a"\nelse:\n    K = "b"\nuse(K)', "K", 5, ["'a'", "'b'"], id="if/else"
    ),
    pytest.param(
        'K = env()\nif not K:\n    K = "dev"\nuse(K)', "K", 4, ["env()", "'dev'"],
        id="rebound in a branch",
    ),
    pytest.param(
        'if c:\n    K = "a"\nelse:\n    K = "b"\n    use(K)', "K", 5, ["'b'"],
        id="the other arm never reaches",
    ),
    pytest.param(
        'K = "a"\nif c:\n    K = "b"\nelse:\n    use(K)', "K", 5, ["'a'"],
        id="a binding in the other arm after the one on the path",
    ),
    pytest.param(
        'try:\n    K = env()\nexcept KeyError:\n    K = "dev"\nuse(K)', "K", 5,
        ["env()", "'dev'"], id="try/except",
    ),
    pytest.param(
        'K = "a"\ndef f():\n    K = "b"\n    use(K)', "K", 4, ["'b'"], id="function local"
    ),
    pytest.param(
        'def f():\n    K = vault()\ndef g():\n    K = "b"\n    use(K)', "K", 5, ["'b'"],
        id="the same name in two functions",
    ),
    pytest.param(
        'def f():\n    use(K)\nK = "a"\nK = "b"', "K", 2, ["'b'"],
        id="module name bound below the function: as at the end of the module",
    ),
    pytest.param(
        'K = "a"\ndef f():\n    use(K)\nif c:\n    K = "b"', "K", 3, ["'a'", "'b'"],
        id="enclosing scope: the last binding and the branches after it",
    ),
    pytest.param(
        'def f():\n    use(K)\n    K = "b"', "K", 2, [], id="a local bound later: local, unbound"
    ),
    pytest.param(
        'K = "a"\nclass C:\n    K = "b"\n    use(K)', "K", 4, ["'b'"], id="class body"
    ),
    pytest.param(
        'K = "a"\nclass C:\n    K = "b"\n    def m(self):\n        use(K)', "K", 5, ["'a'"],
        id="class scope invisible from methods",
    ),
    pytest.param(
        'K = "a"\nclass C:\n    use(K)\n    K = "b"', "K", 3, ["'a'"],
        id="class body falls through to the module",
    ),
    pytest.param(
        'K = "a"\ndef f():\n    global K\n    K = "b"\n    use(K)', "K", 5, ["'a'", "'b'"],
        id="global",
    ),
    pytest.param(
        'def f():\n    K = "a"\n    def g():\n        nonlocal K\n        K = "b"\n    use(K)',
        "K", 6, ["'a'", "'b'"], id="nonlocal",
    ),
    pytest.param(
        'K = "a"\nx = [K for K in keys]', "K", 2, ["?"], id="comprehension variable",
    ),
    pytest.param(
        'K = "a"\nx = [y for y in K]', "K", 2, ["'a'"], id="comprehension sees the module",
    ),
    pytest.param('if (K := "a"):\n    use(K)', "K", 2, ["'a'"], id="walrus"),
    pytest.param(
        'x = [(K := "a") for y in z]\nuse(K)', "K", 2, ["'a'"], id="walrus in a comprehension",
    ),
    pytest.param("import os as o\nuse(o)", "o", 2, ["os"], id="import as"),
    pytest.param("import os.path\nuse(os)", "os", 2, ["os"], id="import a submodule"),
    pytest.param("from os import environ\nuse(environ)", "environ", 2, ["os.environ"],
                 id="from import"),
    pytest.param(
        "from os import environ\ndef app(environ, start):\n    use(environ)", "environ", 3,
        ["?"], id="a parameter hides the import",
    ),
    pytest.param('for K in ks:\n    pass\nuse(K)', "K", 3, ["?"], id="loop variable"),
    pytest.param('A = B = "a"\nuse(A)', "A", 2, ["'a'"], id="chained assignment"),
    pytest.param('A, B = "a", "b"\nuse(B)', "B", 2, ["'b'"], id="unpacking"),
    pytest.param('A, B = pair\nuse(B)', "B", 2, ["?"], id="unpacking an unknown"),
    pytest.param('K: str\nuse(K)', "K", 2, [], id="an annotation binds nothing"),
    pytest.param('K = "a"\nK += "b"\nuse(K)', "K", 3, ["?"], id="augmented assignment"),
    pytest.param('K = "a"\nuse(lambda: K)', "K", 2, ["'a'"], id="lambda"),
]
# fmt: on


@pytest.mark.parametrize(("src", "name", "line", "expected"), CASES)
def test_resolution(src: str, name: str, line: int, expected: list[str]) -> None:
    assert resolve(src, name, line) == expected
