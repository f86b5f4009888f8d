"""Files a Flask app loads by a name that is not a config name (``engine/loads.py``):
``from_pyfile("settings.conf")``, ``from_file("app.conf", load=json.load)``."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from clirun import check_in

from flake8_secret_key import cmd_report
from flake8_secret_key.cli import main
from flake8_secret_key.engine import DEFAULT_OPTIONS
from flake8_secret_key.engine.loads import Load, candidates, loads_in, observe_with_loads
from flake8_secret_key.options import Config
from flake8_secret_key.submissions import list_submissions

SECRET = "q7Vx-do-not-print-9Kz2"
PYFILE = f'SECRET_KEY = "{SECRET}"\n'
JSON = f'{{"DEBUG": false, "SECRET_KEY": "{SECRET}"}}\n'


def _loads(code: str) -> list[tuple[str, str]]:
    return [(load.name, load.format) for load in loads_in(ast.parse(code))]


#: Calls that load a file, and what the engine names.
MUST_NAME = [
    ('app.config.from_pyfile("settings.conf")', [("settings.conf", "pyfile")]),
    ("app.config.from_pyfile('settings.conf', silent=True)", [("settings.conf", "pyfile")]),
    ('self.config.from_pyfile(filename="x/prod.py.in")', [("x/prod.py.in", "pyfile")]),
    (
        'app.config.from_pyfile(os.path.join(app.root_path, "conf", "a.conf"))',
        [("conf/a.conf", "pyfile")],
    ),
    ('app.config.from_pyfile(BASE / "conf" / "a.conf")', [("conf/a.conf", "pyfile")]),
    ('app.config.from_pyfile("conf\\\\win.conf")', [("conf/win.conf", "pyfile")]),
    ('app.config.from_file("app.conf", load=json.load)', [("app.conf", "json")]),
    ('app.config.from_file("app.conf", json.load)', [("app.conf", "json")]),
    ('app.config.from_file("a.conf", load=tomllib.load, text=False)', [("a.conf", "toml")]),
    ('app.config.from_file("a.conf", load=toml.load)', [("a.conf", "toml")]),
    ('app.config.from_file("a.conf", load=yaml.safe_load)', [("a.conf", "yaml")]),
    ('app.config.from_file("a.yml", load=my_loader)', [("a.yml", "yaml")]),
    ('app.config.from_file("a.json", load=read)', [("a.json", "json")]),
    (
        'app.config.from_pyfile("a.conf")\nif DEV:\n    app.config.from_pyfile("b.conf")',
        [("a.conf", "pyfile"), ("b.conf", "pyfile")],
    ),
]  # fmt: skip

#: Calls that must not name a file.
MUST_NOT_NAME = [
    "ZoneInfo.from_file(f)",  # another library's from_file: no loader
    'tz = ZoneInfo.from_file(open("x"), key="UTC")',
    'Image.from_file("a.png")',
    'Image.from_file("a.json", load=json.load)',  # not a config
    'app.config.from_file("a.conf", load=my_loader)',  # unknown loader and ending
    'app.config.from_envvar("APP_SETTINGS")',  # a name from the environment
    "app.config.from_pyfile(name)",  # a variable
    'app.config.from_pyfile(f"{env}.conf")',  # an f-string
    'app.config.from_pyfile("/etc/app/settings.conf")',  # absolute: not the repository's
    'app.config.from_pyfile("C:\\\\app\\\\settings.conf")',
    "app.config.from_pyfile(os.path.join(BASE, name))",
    "app.config.from_pyfile(*args)",
    'from_pyfile("settings.conf")',  # not a method: somebody's own function
    'loader.from_pyfile("settings.conf")',  # not a config's
    'app.config.from_object("config.Production")',  # a module: read as Python already
    "\"app.config.from_pyfile('settings.conf')\"",  # in a string
]


@pytest.mark.parametrize(("code", "expected"), MUST_NAME)
def test_loads_named(code: str, expected: list[tuple[str, str]]) -> None:
    assert _loads(code) == expected


@pytest.mark.parametrize("code", MUST_NOT_NAME)
def test_loads_not_named(code: str) -> None:
    assert _loads(code) == []


def test_a_loading_module_that_does_not_parse_has_no_loads_and_no_error() -> None:
    assert observe_with_loads(
        'print "x"\napp.config.from_pyfile("a.conf")\n', DEFAULT_OPTIONS
    ) == (
        [],
        [],
    )
    observations, loads = observe_with_loads(
        'app.config.from_pyfile("a.conf")\napp.secret_key = "abc-123-xyz"\n', DEFAULT_OPTIONS
    )
    assert [o.name for o in observations] == ["secret_key"]
    assert loads == [Load("a.conf", "pyfile", 1)]


@pytest.mark.parametrize(
    ("module", "name", "expected"),
    [
        ("app.py", "s.conf", ["s.conf", "instance/s.conf"]),
        ("pkg/__init__.py", "s.conf", ["pkg/s.conf", "pkg/instance/s.conf", "instance/s.conf"]),
        ("pkg/app.py", "../s.conf", ["s.conf", "pkg/s.conf"]),
        ("app.py", "../../etc/passwd", []),
        ("app.py", "../s.conf", ["s.conf"]),
        ("a/b.py", "./c/../d.conf", ["a/d.conf", "a/instance/d.conf", "instance/d.conf"]),
    ],
)
def test_candidates(module: str, name: str, expected: list[str]) -> None:
    assert candidates(module, name) == expected


# ------------------------------------------------------------------ check


def _project(root: Path) -> Path:
    """An app that loads four files under names that are not config names."""
    (root / "instance").mkdir(parents=True)
    (root / "conf").mkdir()
    (root / "app.py").write_text(
        "import json, os, tomllib\n"
        "from flask import Flask\n"
        "app = Flask(__name__, instance_relative_config=True)\n"
        "app.config.from_pyfile('settings.conf')\n"
        "app.config.from_file(os.path.join(app.root_path, 'conf', 'app.conf'), load=json.load)\n"
        "app.config.from_file('conf/t.conf', load=tomllib.load, text=False)\n"
        "app.config.from_pyfile('safe.conf')\n"
    )
    (root / "instance" / "settings.conf").write_text(PYFILE)
    (root / "conf" / "app.conf").write_text(JSON)
    (root / "conf" / "t.conf").write_text(f'SECRET_KEY = "{SECRET}"\n')
    (root / "safe.conf").write_text("import os\nSECRET_KEY = os.environ['SECRET_KEY']\n")
    (root / "notes.conf").write_text(PYFILE)  # loaded by nobody: not read
    return root


def test_check_reads_the_files_an_app_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path)
    status, out = check_in(tmp_path, capsys=capsys)
    assert status == 1
    assert [line.split(": SKY")[0] for line in out.splitlines()] == [
        "./conf/app.conf:1:32",
        "./conf/t.conf:1:14",
        "./instance/settings.conf:1:14",
    ]
    assert {line.split()[1] for line in out.splitlines()} == {"SKY110"}
    for fmt in ("json", "sarif"):
        _, out = check_in(tmp_path, "--format", fmt, capsys=capsys)
        assert "settings.conf" in out and SECRET not in out and SECRET[:8] not in out
    # A module given by name: its own folder is where its files are looked for.
    _, out = check_in(tmp_path, "app.py", capsys=capsys)
    assert len(out.splitlines()) == 3
    # Excluded, or the module excluded: not read.
    _, out = check_in(tmp_path, "--exclude", "t.conf", capsys=capsys)
    assert "t.conf" not in out and len(out.splitlines()) == 2
    assert check_in(tmp_path, "--exclude", "app.py", capsys=capsys)[0] == 0


def test_check_never_leaves_the_folder_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "secrets.conf").write_text(PYFILE)
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "app.py").write_text("app.config.from_pyfile('../secrets.conf')\n")
    assert check_in(tmp_path / "proj", capsys=capsys) == (0, "")
    assert check_in(tmp_path, capsys=capsys)[0] == 1  # the folder holds both


def test_a_loaded_file_checked_already_is_checked_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(
        "app.config.from_pyfile('config.cfg')\napp.config.from_pyfile('config.py')\n"
    )
    (tmp_path / "config.cfg").write_text(PYFILE)
    (tmp_path / "config.py").write_text(PYFILE)
    _, out = check_in(tmp_path, capsys=capsys)
    assert [line.split()[:2] for line in out.splitlines()] == [
        ["./config.cfg:1:14:", "SKY110"],
        ["./config.py:1:14:", "SKY100"],
    ]


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_loaded_file_git_ignores_and_does_not_track_is_not_a_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _project(tmp_path)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("instance/\n")
    _, out = check_in(tmp_path, capsys=capsys)
    assert "settings.conf" not in out and len(out.splitlines()) == 2


def test_a_module_that_only_loads_and_does_not_parse_is_no_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "old.py").write_text('print "py2"\napp.config.from_pyfile("s.conf")\n')
    (tmp_path / "s.conf").write_text(PYFILE)
    assert check_in(tmp_path, capsys=capsys) == (0, "")


# ------------------------------------------------------------------ report


def _verdicts(cohort: Path) -> dict[str, tuple[str, str]]:
    rows = cmd_report.mark_all(list_submissions(str(cohort)), Config())
    return {row.submission: (row.verdict, row.first_location) for row in rows}


def test_report_reads_the_files_an_app_loads(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    _project(cohort / "folder")
    _project(tmp_path / "src")
    with zipfile.ZipFile(cohort / "zipped.zip", "w") as zf:
        for path in sorted((tmp_path / "src").rglob("*")):
            if path.is_file():
                zf.write(path, "proj/" + path.relative_to(tmp_path / "src").as_posix())
    env = cohort / "env"
    env.mkdir()
    (env / "app.py").write_text("app.config.from_pyfile('settings.conf')\n")
    (env / "settings.conf").write_text("import os\nSECRET_KEY = os.environ['SECRET_KEY']\n")
    unloaded = cohort / "unloaded"
    unloaded.mkdir()
    (unloaded / "app.py").write_text("import os\napp.secret_key = os.environ['SECRET_KEY']\n")
    (unloaded / "settings.conf").write_text(PYFILE)
    verdicts = _verdicts(cohort)
    assert verdicts["folder"] == ("hardcoded", "conf/app.conf:1")
    assert verdicts["zipped.zip"] == ("hardcoded", "proj/conf/app.conf:1")
    assert verdicts["env"][0] == "environment"
    assert verdicts["unloaded"][0] == "environment"
    out = tmp_path / "out.json"
    assert main(["report", str(cohort), "--format", "json", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "instance/settings.conf" in text and SECRET[:8] not in text


def test_report_never_reads_a_neighbour_outside_the_submission(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    cohort.mkdir()
    # A submission that is one .py file: the cohort folder is not its own.
    (cohort / "alice.py").write_text("app.config.from_pyfile('bob.conf')\n")
    (cohort / "bob.conf").write_text(PYFILE)
    carol = cohort / "carol"
    carol.mkdir()
    (carol / "app.py").write_text("app.config.from_pyfile('../bob.conf')\n")
    assert _verdicts(cohort)["alice.py"][0] == "no-key"
    assert _verdicts(cohort)["carol"][0] == "no-key"


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symbolic links")
def test_report_never_follows_a_link_to_a_loaded_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "elsewhere.conf").write_text(PYFILE)
    sub = tmp_path / "cohort" / "dave"
    sub.mkdir(parents=True)
    (sub / "app.py").write_text("app.config.from_pyfile('settings.conf')\n")
    os.symlink(tmp_path / "elsewhere.conf", sub / "settings.conf")
    opened: list[str] = []
    real_open = os.open

    def spy(path: str, *args: object, **kwargs: object) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", spy)
    assert _verdicts(tmp_path / "cohort")["dave"][0] == "no-key"
    monkeypatch.undo()
    assert not any(p.endswith("settings.conf") for p in opened)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_report_a_loaded_file_git_ignores_and_does_not_track(tmp_path: Path) -> None:
    sub = tmp_path / "cohort" / "erin"
    sub.mkdir(parents=True)
    (sub / "app.py").write_text("app.config.from_pyfile('settings.conf')\n")
    (sub / "settings.conf").write_text(PYFILE)
    (sub / ".gitignore").write_text("settings.conf\n")
    subprocess.run(["git", "init", "-q"], cwd=sub, check=True)
    assert _verdicts(tmp_path / "cohort")["erin"][0] == "no-key"
    subprocess.run(["git", "add", "-f", "settings.conf"], cwd=sub, check=True)
    assert _verdicts(tmp_path / "cohort")["erin"] == ("hardcoded", "settings.conf:1")


def test_report_reads_a_loaded_file_with_a_config_name_once(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort"
    folder = cohort / "folder"
    folder.mkdir(parents=True)
    (folder / "app.py").write_text("app.config.from_pyfile('config.cfg')\n")
    (folder / "config.cfg").write_text(PYFILE)
    with zipfile.ZipFile(cohort / "zipped.zip", "w") as zf:
        zf.writestr("proj/app.py", "app.config.from_pyfile('config.cfg')\n")
        zf.writestr("proj/config.cfg", PYFILE)
    rows = cmd_report.mark_all(list_submissions(str(cohort)), Config())
    assert [(row.submission, row.findings) for row in rows] == [("folder", 1), ("zipped.zip", 1)]
