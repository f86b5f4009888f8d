"""What the flake8 plugin loads: flake8 starts anew for every check an editor makes.

Each row runs the plugin in a fresh interpreter, as flake8 does (import, then one
file), and lists the modules that are loaded at first use only: they must not be
loaded when the file does not need them, and must be when it does (so that the
absence is not vacuous).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

#: The visitor and the classifier: loaded by the first file that spells a setting name.
ENGINE = (
    "flake8_secret_key.engine.observer",
    "flake8_secret_key.engine.settings",
    "flake8_secret_key.engine.values",
)
#: Loaded at first use only, each by the first file that needs it.
DEFERRED = (
    "flake8_secret_key.guessable",  # a key neither documented nor in the wordlist
    "flake8_secret_key.wordlist",  # a key that is not documented
    "flake8_secret_key.engine.enums",  # a class statement
    "flake8_secret_key.engine.weak_random",  # a key drawn at start-up
    "flake8_secret_key.engine.unknown",  # a key the scanner cannot follow
    "flake8_secret_key.engine.loads",  # check and report only
    *ENGINE,
    "libcst",  # fix only
)


def python(code: str, *args: str, stdin: str = "") -> str:
    """The output of ``python -c code args`` in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def loaded_by_plugin(source: str | None) -> set[str]:
    """Which of ``DEFERRED`` the plugin loads: imported, then run on ``source``."""
    code = """\
        import ast, sys
        from flake8_secret_key.checker import SecretKeyChecker
        source = sys.stdin.read()
        if source:
            lines = source.splitlines(True)
            checker = SecretKeyChecker(tree=ast.parse(source), filename="app.py", lines=lines)
            found = list(checker.run())
            assert bool(found) == ("secret_key" in source.lower()), found
        print(" ".join(m for m in sys.argv[1:] if m in sys.modules))
        """
    return set(python(code, *DEFERRED, stdin=source or "").split())


@pytest.mark.parametrize(
    ("source", "loaded"),
    [
        (None, set()),  # flake8's import of the plugin
        ("import os\nclass A:\n    x = os.environ\n", set()),  # most files: no setting name
        ('app.secret_key = "dev"\n', {*ENGINE}),  # documented: the Flask tutorial's key
        ('app.secret_key = "dev key"\n', {*ENGINE, "flake8_secret_key.wordlist"}),
        (
            'app.secret_key = "my-super-secret-key-2024"\n',  # published nowhere
            {*ENGINE, "flake8_secret_key.wordlist", "flake8_secret_key.guessable"},
        ),
        ('class Config:\n    SECRET_KEY = "dev"\n', {*ENGINE, "flake8_secret_key.engine.enums"}),
    ],
)
def test_the_plugin_loads_only_what_the_file_needs(source: str | None, loaded: set[str]) -> None:
    assert loaded_by_plugin(source) == loaded


def test_the_plugins_named_tuples_have_evaluated_annotations() -> None:
    """``typing.NamedTuple`` compiles each string annotation (``from __future__ import
    annotations``) into a ``ForwardRef`` as the class is made, so on every start of
    flake8: a tenth of the plugin's import. The modules it imports write them evaluated."""
    code = """\
        import sys, typing
        import flake8_secret_key.checker
        import flake8_secret_key.engine.observer  # as by the first file spelling a name
        for name, module in sorted(sys.modules.items()):
            for cls in vars(module).values() if name.startswith("flake8_secret_key") else ():
                if isinstance(cls, type) and hasattr(cls, "_fields") and cls.__module__ == name:
                    types = cls.__annotations__.values()
                    refs = [t for t in types if isinstance(t, typing.ForwardRef)]
                    print(f"{name}.{cls.__name__}", len(refs))
        """
    refs = dict(line.split() for line in python(code).splitlines())
    assert "flake8_secret_key.engine.values.Value" in refs  # the test sees them
    assert {name for name, count in refs.items() if count != "0"} == set()


def test_the_entry_points_loaded_at_first_use_are_the_functions() -> None:
    """Whichever module is imported first, ``engine.observe`` and the package's
    ``observe`` are the function (PEP 562 ``__getattr__``), in a fresh interpreter."""
    code = """\
        import flake8_secret_key.scan  # imports the engine's observer module first
        import flake8_secret_key
        from flake8_secret_key.engine import observe, observe_text, parse, split_lines
        assert flake8_secret_key.observe is observe and callable(observe)
        found = observe(parse("SECRET_KEY = 'k'\\n"))
        print(len(found), callable(observe_text), split_lines("a\\n"))
        """
    assert python(code) == "1 True ['a\\n']\n"
