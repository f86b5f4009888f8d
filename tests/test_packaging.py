"""The package as shipped: every subpackage in the distribution, no module past reading.

An editable install (what CI and the tests use) finds any subpackage by itself; a
plain ``pip install .`` ships only the packages that ``pyproject.toml`` names, so a
new subpackage that the configuration misses would break every user's install.
"""

from __future__ import annotations

import sys
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(sys.version_info < (3, 11), reason="tomllib")
def test_every_package_is_shipped() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "flake8_secret_key").rglob("__init__.py")
    ]
    assert "flake8_secret_key.engine" in packages
    missed = [p for p in packages if not any(fnmatchcase(p, pattern) for pattern in include)]
    assert missed == []


def test_no_module_is_over_600_lines() -> None:
    """Modules are split where their concerns part, before they grow past reading."""
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in (ROOT / "flake8_secret_key").rglob("*.py")
    }
    assert {path: size for path, size in sizes.items() if size > 600} == {}
