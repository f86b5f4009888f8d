"""flake8 on ``examples/``: every classic mistake of the student app, nothing on the fix.

``--isolated`` because the project's ``setup.cfg`` excludes ``examples`` from its
self-lint (and turns SKY900 on); the examples are checked as a user would.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+[0-9]+) ")

STUDENT: list[tuple[str, int, int, str]] = [
    # create_app(): the Flask tutorial's from_mapping(SECRET_KEY="dev")
    ("examples/student_app/__init__.py", 9, 20, "SKY101"),
    # app.secret_key = the key from the Flask documentation
    ("examples/student_app/app.py", 10, 18, "SKY101"),
    # app.config["WTF_CSRF_SECRET_KEY"] = KEY, a constant bound to a literal
    ("examples/student_app/app.py", 11, 37, "SKY100"),
    # os.environ.get("SECRET_KEY") or "you-will-never-guess" (the Mega-Tutorial)
    ("examples/student_app/config.py", 8, 50, "SKY102"),
    # JWT_SECRET_KEY = "my-jwt-secret-2024"
    ("examples/student_app/config.py", 9, 22, "SKY100"),
    # os.environ.get("SECRET_KEY", "dev")
    ("examples/student_app/config.py", 15, 47, "SKY102"),
]
#: SECURITY_PASSWORD_SALT = os.urandom(16): off by default.
STUDENT_SKY900 = ("examples/student_app/app.py", 12, 40, "SKY900")

#: The student's own secrets (the published ones may be named by their source).
STUDENT_SECRETS = ("my-jwt-secret-2024", "p4ssw0rd-for-my-project")


def flake8(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def findings(proc: subprocess.CompletedProcess[str]) -> list[tuple[str, int, int, str]]:
    assert proc.stderr == ""
    out = []
    for text in proc.stdout.splitlines():
        match = LINE.match(text)
        assert match, f"unexpected output line: {text!r}"
        path = match["path"].replace("\\", "/")
        out.append((path, int(match["line"]), int(match["col"]), match["code"]))
    return out


def test_student_app_default_codes() -> None:
    proc = flake8("examples/student_app")
    assert proc.returncode == 1
    # Only SKY codes: the example is otherwise clean, so the output is about keys.
    assert sorted(findings(proc)) == STUDENT
    for secret in STUDENT_SECRETS:
        assert secret not in proc.stdout


def test_student_app_with_sky900() -> None:
    proc = flake8("--extend-select", "SKY900", "examples/student_app")
    assert sorted(findings(proc)) == sorted([*STUDENT, STUDENT_SKY900])


@pytest.mark.parametrize("extra", [[], ["--extend-select", "SKY900"]])
def test_fixed_app_is_clean(extra: list[str]) -> None:
    proc = flake8(*extra, "examples/fixed_app")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_fixed_app_mirrors_the_student_app() -> None:
    # The fix is the same app: same files, same settings, keys from the environment.
    student = sorted(p.name for p in (ROOT / "examples" / "student_app").glob("*.py"))
    fixed = sorted(p.name for p in (ROOT / "examples" / "fixed_app").glob("*.py"))
    assert student == fixed == ["__init__.py", "app.py", "config.py"]
    for name in fixed:
        text = (ROOT / "examples" / "fixed_app" / name).read_text(encoding="utf-8")
        assert 'os.environ["SECRET_KEY"]' in text
