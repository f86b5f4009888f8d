"""SKY110: keys in committed env and config files, read by ``check`` and ``report``."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from clirun import check_in

from flake8_secret_key import cmd_report
from flake8_secret_key.cli import main
from flake8_secret_key.config_files import analyze_config, config_kind, is_template
from flake8_secret_key.engine import DEFAULT_OPTIONS, Kind, Source
from flake8_secret_key.options import Config
from flake8_secret_key.rules import code_for
from flake8_secret_key.submissions import list_submissions

SECRET = "q7Vx-do-not-print-9Kz2"

#: (file name, content, [(line, 1-based col, source)]) that must fire.
MUST_FIRE: list[tuple[str, str, list[tuple[int, int, str]]]] = [
    (".env", f"SECRET_KEY={SECRET}\n", [(1, 12, "literal")]),
    (".env", f'export SECRET_KEY="{SECRET}"  # prod\n', [(1, 19, "literal")]),
    (".env", f"SECRET_KEY='{SECRET}'\n", [(1, 12, "literal")]),
    (".env", "# top\n\nJWT_SECRET_KEY = dev\n", [(3, 18, "published")]),
    (".env", f'A=1\nSECRET_KEY="{SECRET}\nsecond line"\nB=2\n', [(2, 12, "literal")]),
    (".env", f"FLASK_SECRET_KEY={SECRET}\n", [(1, 18, "literal")]),
    (".env.production", f"SECRET_KEY={SECRET}\n", [(1, 12, "literal")]),
    ("prod.env", f"SECRET_KEY={SECRET}\n", [(1, 12, "literal")]),
    (".flaskenv", f"FLASK_APP=app\nSECRET_KEY={SECRET}\n", [(2, 12, "literal")]),
    (".env.example", "SECRET_KEY=8f3a9c1d2e8b7f6a5c4d\n", [(1, 12, "literal")]),
    ("instance/config.cfg", f'SECRET_KEY = "{SECRET}"\n', [(1, 14, "literal")]),
    ("app.cfg", "DEBUG = True\nSECRET_KEY = b'dev'\n", [(2, 14, "published")]),
    ("settings.ini", f"[settings]\nDEBUG=True\nSECRET_KEY={SECRET}\n", [(3, 12, "literal")]),
    ("settings.ini", f"[settings]\nsecret_key = {SECRET}\n", [(2, 14, "literal")]),
    (
        "docker-compose.yml",
        f"services:\n  web:\n    environment:\n      SECRET_KEY: {SECRET}\n",
        [(4, 19, "literal")],
    ),
    (
        "docker-compose.prod.yaml",
        f'services:\n  web:\n    environment:\n      - "SECRET_KEY={SECRET}"\n',
        [(4, 9, "literal")],
    ),
    (
        "compose.yaml",
        f"services:\n  w:\n    environment:\n      - JWT_SECRET_KEY={SECRET}\n",
        [(4, 9, "literal")],
    ),
    (
        "app.yaml",
        f"runtime: python312\nenv_variables:\n  SECRET_KEY: '{SECRET}'\n",
        [(3, 15, "literal")],
    ),
    ("app.json", json.dumps({"env": {"SECRET_KEY": {"value": SECRET}}}), [(1, 34, "literal")]),
    ("app.json", json.dumps({"env": {"SECRET_KEY": SECRET}}), [(1, 24, "literal")]),
    ("config.json", f'{{\n  "SECRET_KEY": "{SECRET}"\n}}\n', [(2, 17, "literal")]),
    ("instance/config.toml", f'DEBUG = true\nSECRET_KEY = "{SECRET}"\n', [(2, 14, "literal")]),
    ("settings.ini.dist", "[settings]\nSECRET_KEY=8f3a9c1d2e8b7f6a5c4d\n", [(2, 12, "literal")]),
    (".env", f"SECRET_KEY=${{PROD_KEY:-{SECRET}}}\n", [(1, 12, "fallback")]),
    (
        "docker-compose.yml",
        "services:\n  web:\n    environment:\n      SECRET_KEY: ${SECRET_KEY-dev}\n",
        [(4, 19, "fallback")],
    ),
]

#: (file name, content) that must not fire.
MUST_NOT_FIRE: list[tuple[str, str]] = [
    (".env", "SECRET_KEY=\n"),
    (".env", "SECRET_KEY=''\n"),
    (".env", "SECRET_KEY\n"),
    (".env", f"# SECRET_KEY={SECRET}\n"),
    (".env", "SECRET_KEY=${PROD_SECRET_KEY}\n"),
    (".env", f"STRIPE_SECRET_KEY={SECRET}\nSECRET_KEY_FILE=/run/key\n"),
    (".env", "this is not = a dotenv line SECRET_KEY\n"),
    (".env.example", "SECRET_KEY=change-me\n"),
    (".env.example", "SECRET_KEY=your-secret-key-here\n"),
    (".env.sample", "SECRET_KEY=<generate one>\n"),
    (".env.template", "SECRET_KEY=xxxxxxxxxxxxxxxxxxxx\n"),
    (".env.dist", "SECRET_KEY=dev\n"),
    ("config.cfg.example", 'SECRET_KEY = "replace-me-with-a-key"\n'),
    ("instance/config.cfg", 'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\n'),
    ("setup.cfg", f"[flake8]\nsecret-key-names = SECRET_KEY\nSECRET_KEY={SECRET}\n"),
    ("tool.cfg", f"[section]\nSECRET_KEY: {SECRET}\n"),
    ("tox.ini", f"[testenv]\nsetenv = SECRET_KEY={SECRET}\n"),
    ("settings.ini", "[settings]\nSECRET_KEY=\n"),
    (
        "docker-compose.yml",
        "services:\n  web:\n    environment:\n      SECRET_KEY: ${SECRET_KEY}\n",
    ),
    ("docker-compose.yml", "services:\n  web:\n    environment:\n      SECRET_KEY: $SECRET_KEY\n"),
    (
        "docker-compose.yml",
        "services:\n  w:\n    environment:\n      SECRET_KEY: ${SECRET_KEY:-}\n",
    ),
    ("docker-compose.yml", "services:\n  w:\n    environment:\n      SECRET_KEY: ${A:-${B}}\n"),
    ("app.yaml", f"env_variables:\n  SECRET_KEY: ${{X:-{SECRET}}}\n"),  # no interpolation
    (".env.example", "SECRET_KEY=${SECRET_KEY:-change-me}\n"),
    ("docker-compose.yml", "services:\n  web:\n    environment:\n      SECRET_KEY:\n"),
    ("docker-compose.yml", "services:\n  web:\n    environment:\n      - SECRET_KEY\n"),
    ("docker-compose.yml", "services:\n  web:\n    environment:\n      - SECRET_KEY=\n"),
    ("docker-compose.yml", f"services:\n  web:\n    image: x\n# SECRET_KEY: {SECRET}\n"),
    ("docker-compose.yml", f"services: [\n  SECRET_KEY: {SECRET}\n"),  # not YAML
    ("docker-compose.yml", f"x-other:\n  SECRET_KEY: {SECRET}\nservices: {{}}\n"),
    ("app.yaml", "env_variables:\n  SECRET_KEY: ''\n"),
    ("app.json", json.dumps({"env": {"SECRET_KEY": {"generator": "secret"}}})),
    ("app.json", json.dumps({"env": {"SECRET_KEY": {"description": "set me", "required": True}}})),
    ("config.json", json.dumps({"secret_key": SECRET})),  # from_file loads upper case only
    ("config.json", json.dumps({"nested": {"SECRET_KEY": SECRET}})),
    ("config.json", '{"SECRET_KEY": '),  # not JSON
    ("package.json", json.dumps({"scripts": {"x": "echo SECRET_KEY"}})),
    ("config.toml", f'[app]\nSECRET_KEY = "{SECRET}"\n'),
    ("config.yaml", f"SECRET_KEY: {SECRET}\n"),  # no Flask loader reads it by that name
    ("README.md", f"SECRET_KEY={SECRET}\n"),
]


def _observed(name: str, text: str) -> list[tuple[int, int, str]]:
    found, error = analyze_config(text.encode("utf-8"), name, DEFAULT_OPTIONS)
    assert error is None
    assert all(
        o.kind is Kind.CONFIG_ENTRY
        for o in found
        if o.source in (Source.LITERAL, Source.PUBLISHED)
    )
    return [(o.line, o.col + 1, o.source.value) for o in found if code_for(o) is not None]


@pytest.mark.parametrize(("name", "text", "expected"), MUST_FIRE)
def test_must_fire(name: str, text: str, expected: list[tuple[int, int, str]]) -> None:
    assert _observed(name, text) == expected


@pytest.mark.parametrize(("name", "text"), MUST_NOT_FIRE)
def test_must_not_fire(name: str, text: str) -> None:
    assert _observed(name, text) == []


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        (".env", "dotenv"), (".env.local", "dotenv"), (".flaskenv", "dotenv"),
        ("staging.env", "dotenv"), (".env.example", "dotenv"), ("config.cfg", "pyfile"),
        ("setup.cfg", None), ("settings.ini", "ini"), ("docker-compose.override.yml", "compose"),
        ("compose.yaml", "compose"), ("app.yaml", "appengine"), ("app.json", "heroku"),
        ("config.json", "json"), ("config.toml", "toml"), ("app.py", None), (".envrc", None),
        ("mkdocs.yml", None), ("style.css", None), (".env.dist", "dotenv"),
    ],
)  # fmt: skip
def test_config_kind(name: str, kind: str | None) -> None:
    assert config_kind(name) == kind


def test_templates() -> None:
    assert is_template(".env.example") and is_template("config.cfg.dist")
    assert not is_template(".env") and not is_template(".env.production")


def test_a_multiline_yaml_anchor_and_binary_input_never_raise() -> None:
    hostile = [
        b"\x00\xff" * 100 + b"SECRET_KEY=x",
        b"services: &a [*a, SECRET_KEY]\n",
        b"services:\n  web:\n    environment: !!python/object:os.system ls\n SECRET_KEY",
        b"a: &a [" + b"*a," * 50 + b"] # SECRET_KEY",
        "[settings]\nSECRET_KEY=\u00e9\u202e\n".encode("utf-16"),
    ]
    for name in (".env", "docker-compose.yml", "app.yaml", "settings.ini", "x.cfg", "a.json"):
        for data in hostile:
            _, error = analyze_config(data, name, DEFAULT_OPTIONS)
            assert error is None


# ------------------------------------------------------------------ check


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd, check=True, capture_output=True,
    )  # fmt: skip


def test_check_reports_sky110_and_never_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    (tmp_path / "app.py").write_text("import os\nSECRET_KEY = os.environ['SECRET_KEY']\n")
    for fmt in ("text", "json", "sarif", "github"):
        status, out = check_in(tmp_path, "--format", fmt, capsys=capsys)
        assert status == 1
        assert "SKY110" in out
        assert SECRET not in out and SECRET[:8] not in out
    status, out = check_in(tmp_path, capsys=capsys)
    assert out.startswith("./.env:1:12: SKY110 SECRET_KEY in a config file kept with the code ")


def test_check_ignore_and_noqa(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".env").write_text(f"SECRET_KEY={SECRET}  # noqa: SKY110\n")
    assert check_in(tmp_path, capsys=capsys)[0] == 0
    (tmp_path / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    assert check_in(tmp_path, "--extend-ignore", "SKY110", capsys=capsys)[0] == 0


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_gitignored_untracked_env_is_not_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _git(tmp_path, "init", "-q")
    (tmp_path / ".gitignore").write_text(".env\n*.local.env\n")
    (tmp_path / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "dev.local.env").write_text(f"SECRET_KEY={SECRET}\n")
    (tmp_path / "sub" / "prod.env").write_text(f"SECRET_KEY={SECRET}\n")
    status, out = check_in(tmp_path, capsys=capsys)
    assert status == 1
    assert [line.split(":")[0] for line in out.splitlines()] == ["./sub/prod.env"]
    _, out = check_in(tmp_path / "sub", capsys=capsys)  # a folder inside the repository
    assert [line.split(":")[0] for line in out.splitlines()] == ["./prod.env"]
    # Committed all the same (git add -f): it is in the repository, so it is reported.
    _git(tmp_path, "add", "-f", ".env")
    _, out = check_in(tmp_path, capsys=capsys)
    assert [line.split(":")[0] for line in out.splitlines()] == ["./.env", "./sub/prod.env"]
    # A file given by name is always checked.
    assert check_in(tmp_path, "sub/dev.local.env", capsys=capsys)[0] == 1


def test_outside_git_every_config_file_is_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".gitignore").write_text(".env\n")
    (tmp_path / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    assert check_in(tmp_path, capsys=capsys)[0] == 1


def test_venvs_and_tests_are_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / "venv" / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    assert check_in(tmp_path, capsys=capsys)[0] == 0
    assert check_in(tmp_path, "--include-tests", capsys=capsys)[0] == 1


def test_the_plugin_and_check_of_python_files_import_no_parser(tmp_path: Path) -> None:
    code = (
        "import sys; import flake8_secret_key.checker; "
        "from flake8_secret_key.cli import main; main(['check', 'app.py']); "
        "heavy = ('yaml', 'dotenv', 'subprocess', 'configparser', 'json', 'tomllib'); "
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)"
    )
    (tmp_path / "app.py").write_text("SECRET_KEY = 'x'\n")
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.stderr == "[]\n"


# ------------------------------------------------------------------ report


def _cohort(tmp_path: Path) -> Path:
    root = tmp_path / "cohort"
    app = "import os\napp.secret_key = os.environ['SECRET_KEY']\n"
    for name in ("code", "env", "ignored", "never", "zipped"):
        (root / name).mkdir(parents=True)
        (root / name / "app.py").write_text(app)
    (root / "code" / "app.py").write_text(f"app.secret_key = '{SECRET}'\n")
    (root / "env" / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    (root / "ignored" / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    (root / "ignored" / ".gitignore").write_text(".env\n")
    if shutil.which("git"):
        _git(root / "ignored", "init", "-q")
        _git(root / "ignored", "add", "app.py", ".gitignore")
        _git(root / "ignored", "commit", "-qm", "first")
    with zipfile.ZipFile(root / "zipped.zip", "w") as zf:
        zf.writestr("proj/app.py", app)
        zf.writestr("proj/.env", "SECRET_KEY=dev\n")
    shutil.rmtree(root / "zipped")
    return root


def test_report_verdicts_with_env_files(tmp_path: Path) -> None:
    root = _cohort(tmp_path)
    rows = cmd_report.mark_all(list_submissions(str(root)), Config())
    verdicts = {row.submission: (row.verdict, row.first_location) for row in rows}
    assert verdicts["code"] == ("hardcoded", "app.py:1")
    assert verdicts["env"] == ("hardcoded", ".env:1")
    assert verdicts["never"][0] == "environment"
    assert verdicts["zipped.zip"] == ("published-key", "proj/.env:1")
    if shutil.which("git"):
        assert verdicts["ignored"][0] == "environment"


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown", "html"])
def test_report_never_prints_the_secret(tmp_path: Path, fmt: str) -> None:
    root = _cohort(tmp_path)
    out = tmp_path / "out"
    assert main(["report", str(root), "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "SKY110" in text or fmt in ("table", "csv", "markdown")
    assert SECRET not in text and SECRET[:8] not in text


def test_report_reads_nothing_but_named_config_files(tmp_path: Path) -> None:
    sub = tmp_path / "cohort" / "s"
    sub.mkdir(parents=True)
    (sub / "app.py").write_text("x = 1\n")
    (sub / "notes.txt").write_text(textwrap.dedent(f"SECRET_KEY={SECRET}\n"))
    rows = cmd_report.mark_all(list_submissions(str(tmp_path / "cohort")), Config())
    assert rows[0].verdict == "no-key"


def test_html_context_of_config_files_shows_names_only(tmp_path: Path) -> None:
    sub = tmp_path / "cohort" / "s"
    sub.mkdir(parents=True)
    (sub / "app.py").write_text("app.config.from_pyfile('settings.conf')\n")
    (sub / ".env").write_text(
        f"# old key {SECRET}\nDATABASE_URL=postgres://u:hunter2pass@db/x\n"
        f'export SECRET_KEY="{SECRET}"\nDEBUG=1\n'
    )
    (sub / "docker-compose.yml").write_text(
        f"services:\n  web:\n    environment:\n      - SECRET_KEY={SECRET}\n"
        "      - API_TOKEN=tok-hunter2pass\n"
    )
    (sub / "config.json").write_text(
        f'{{\n  "PASSWORD": "hunter2pass",\n  "SECRET_KEY": "{SECRET}"\n}}\n'
    )
    (sub / "settings.conf").write_text(f"# {SECRET}\nSECRET_KEY = '{SECRET}'\n")
    rows = cmd_report.mark_all(list_submissions(str(tmp_path / "cohort")), Config(), context=True)
    shown = {f.path: [line.text for line in f.context] for f in rows[0].observations if f.code}
    assert shown == {
        ".env": [
            "#«redacted»",
            "DATABASE_URL=«redacted»",
            "export SECRET_KEY=«redacted»",
            "DEBUG=«redacted»",
        ],
        "config.json": ["{", '  "PASSWORD": «redacted»', '  "SECRET_KEY": «redacted»', "}"],
        "docker-compose.yml": [
            "  web:",
            "    environment:",
            "      - SECRET_KEY=«redacted»",
            "      - API_TOKEN=«redacted»",
        ],
        "settings.conf": ["#«redacted»", "SECRET_KEY = «redacted»"],  # Python: as in .py
    }
    out = tmp_path / "report.html"
    assert main(["report", str(tmp_path / "cohort"), "--format", "html", "-o", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "DATABASE_URL=" in page and "hunter2" not in page and SECRET[:8] not in page
