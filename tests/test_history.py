"""``--history``: keys in past commits, on repositories built here with git."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from clirun import run_in

from flake8_secret_key import cmd_report, history
from flake8_secret_key.cli import main
from flake8_secret_key.history import History, read_history
from flake8_secret_key.options import Config
from flake8_secret_key.submissions import list_submissions

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

SECRET = "Hx7-history-do-not-print-31q"
HARDCODED = f'app.secret_key = "{SECRET}"\n'
FROM_ENV = 'import os\napp.secret_key = os.environ["SECRET_KEY"]\n'


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        input=stdin,
        capture_output=True,
        check=True,
        env={**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo)},
    )
    return done.stdout.decode().strip()


def init(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit(repo: Path, files: dict[str, str | bytes | None], message: str = "c") -> str:
    """Write (bytes or text) or delete (None) the files, commit them; the commit's hash."""
    for name, content in files.items():
        path = repo / name
        if content is None:
            git(repo, "rm", "-q", "--cached", name)
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        git(repo, "add", "-f", name)
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def keys(history: History) -> list[tuple[str, int, str, bool]]:
    return [(k.path, k.observation.line, k.commit.sha, k.in_head) for k in history.keys]


def test_a_key_added_then_removed(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    first = commit(repo, {"app.py": "x = 1\n" + HARDCODED})
    commit(repo, {"app.py": FROM_ENV})
    history = read_history(str(repo), Config())
    assert keys(history) == [("app.py", 2, first, False)]
    assert history.commits == 2 and history.note is None


def test_a_key_moved_from_the_code_to_env_is_one_key_still_in_head(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    first = commit(repo, {"app.py": HARDCODED})
    commit(repo, {"app.py": FROM_ENV, ".env": f"SECRET_KEY={SECRET}\n"})
    assert keys(read_history(str(repo), Config())) == [("app.py", 1, first, True)]


def test_a_key_only_on_a_side_branch_needs_all(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    commit(repo, {"app.py": FROM_ENV})
    git(repo, "checkout", "-q", "-b", "side")
    side = commit(repo, {"config.py": f'SECRET_KEY = "{SECRET}"\n'})
    git(repo, "checkout", "-q", "main")
    assert keys(read_history(str(repo), Config())) == []
    assert keys(read_history(str(repo), Config(), all_refs=True)) == [
        ("config.py", 1, side, False)
    ]


def test_a_renamed_file_is_the_same_key(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    first = commit(repo, {"app.py": HARDCODED})
    git(repo, "mv", "app.py", "main.py")
    commit(repo, {})
    assert keys(read_history(str(repo), Config())) == [("app.py", 1, first, True)]


def test_a_key_written_by_a_merge_resolution(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    commit(repo, {"config.py": "A = 1\n"})
    git(repo, "checkout", "-q", "-b", "side")
    commit(repo, {"config.py": "A = 2\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, {"config.py": "A = 3\n"})
    subprocess.run(["git", "merge", "-q", "side"], cwd=repo, capture_output=True, check=False)
    merge = commit(repo, {"config.py": f'A = 4\nSECRET_KEY = "{SECRET}"\n'}, "merge")
    assert len(git(repo, "log", "-1", "--format=%P").split()) == 2
    assert keys(read_history(str(repo), Config())) == [("config.py", 2, merge, True)]


def test_a_key_changed_where_a_name_is_bound_is_a_new_key(tmp_path: Path) -> None:
    """Versions that change no line spelling a name are not parsed again, but one that
    binds a name a spelling line uses is (``KEY = "..."`` ... ``app.secret_key = KEY``)."""
    repo = init(tmp_path / "r")
    body = "def f():\n    return 1\n\n\napp.secret_key = KEY\n"
    commit(repo, {"app.py": f'KEY = "{SECRET}"\n' + body})
    commit(repo, {"app.py": f'KEY = "{SECRET}"\n' + body.replace("1", "2")})  # nothing new
    second = commit(repo, {"app.py": 'KEY = "another-key-4f9c2b7e"\n' + body})
    commit(repo, {"app.py": FROM_ENV})
    found = read_history(str(repo), Config())
    assert [(k.commit.sha, k.in_head) for k in found.keys][1:] == [(second, False)]
    assert len(found.keys) == 2


@pytest.mark.parametrize(
    "chain",
    [
        "B = A\nSECRET_KEY = B\n",
        'B = A\nC = B\napp.config["SECRET_KEY"] = C\n',
        "class Config:\n    B = A\n    SECRET_KEY: str = B\n",
    ],
    ids=["two names away", "three names away", "in a class, annotated"],
)
def test_a_key_changed_names_away_from_its_setting_is_a_new_key(
    tmp_path: Path, chain: str
) -> None:
    """The names a spelling line uses are followed through their bindings: a version
    that changes only ``A = "..."`` is parsed again when ``A`` reaches a setting."""
    repo = init(tmp_path / "r")
    body = "\n\ndef f():\n    return 1\n\n\n" + chain
    first = commit(repo, {"config.py": f'A = "{SECRET}"\n' + body})
    commit(repo, {"config.py": f'A = "{SECRET}"\n' + body.replace("1", "2")})  # nothing new
    second = commit(repo, {"config.py": 'A = "another-key-4f9c2b7e"\n' + body})
    commit(repo, {"config.py": FROM_ENV})
    assert [k.commit.sha for k in read_history(str(repo), Config()).keys] == [first, second]


def test_a_name_that_reaches_no_setting_is_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A change to a name no setting uses, or to one bound only to such names, is no
    new key: those versions are not parsed (the shortcut that keeps the history fast)."""
    parsed: list[str] = []
    blob_keys = history._blob_keys

    def counted(data: bytes, path: str, *args: Any) -> Any:
        parsed.append(data.decode().splitlines()[0])
        return blob_keys(data, path, *args)

    monkeypatch.setattr(history, "_blob_keys", counted)
    repo = init(tmp_path / "r")
    tail = "B = A\nSECRET_KEY = B\nOTHER = X\nY = OTHER\n"
    first = commit(repo, {"config.py": f'A = "{SECRET}"\nX = "x1"\nZ = "z1"\n' + tail})
    commit(repo, {"config.py": f'A = "{SECRET}"\nX = "x1"\nZ = "z2"\n' + tail})  # Z: no use
    commit(repo, {"config.py": f'A = "{SECRET}"\nX = "x2"\nZ = "z2"\n' + tail})  # X: no setting
    commit(repo, {"config.py": FROM_ENV})
    assert [k.commit.sha for k in read_history(str(repo), Config()).keys] == [first]
    assert parsed == [f'A = "{SECRET}"', "import os"]


@pytest.mark.parametrize(
    ("new", "rest", "expected"),
    [
        ('A = "k2"', "B = A\nSECRET_KEY = B\n", True),
        ('A = "k2"', "B = A\nC = B\nD = C\napp.secret_key = D\n", True),
        ('self.A = "k2"', "B = self.A\nSECRET_KEY = B\n", True),
        ('A = "k2"', "B = A\nSECRET_KEY = C\n", False),  # B reaches no setting
        ('A = "k2"', "B = A\nA = B\nSECRET_KEY = C\n", False),  # a cycle, no setting
        ('A = "k2"', "if A == B:\n    SECRET_KEY = B\n", False),  # a test binds nothing
        ("C = 1", "B = A\nSECRET_KEY = B\n", False),  # C: used by nothing
    ],
)
def test_may_add_key(new: str, rest: str, expected: bool) -> None:
    prior = {b'A = "k1"', *rest.encode().splitlines()}
    data = f"{new}\n{rest}".encode()
    words = (b"SECRET_KEY", b"secret_key")
    assert history.may_add_key(prior, data, set(data.splitlines()), words) is expected


def test_python2_versions_are_read_line_by_line(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    py2 = f'print "starting"\napp.secret_key = "{SECRET}"\n'
    first = commit(repo, {"app.py": py2})
    commit(repo, {"app.py": py2 + 'print "more"\n'})
    commit(repo, {"app.py": FROM_ENV})
    assert keys(read_history(str(repo), Config())) == [("app.py", 2, first, False)]


def test_binary_and_non_utf8_files(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    latin1 = '# -*- coding: latin-1 -*-\nSECRET_KEY = "cl\xe9-secr\xe8te-31q"\n'.encode("latin-1")
    binary = b"\x00\x01SECRET_KEY = 'x'\xff\xfe" * 10
    first = commit(repo, {"legacy.py": latin1, "blob.py": binary, "data.json": binary})
    commit(repo, {"legacy.py": None})
    assert keys(read_history(str(repo), Config())) == [("legacy.py", 2, first, False)]


def test_env_files_and_test_code_in_the_history(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    fixture = 'app.secret_key = "another-fixture-key-77"\n'
    first = commit(repo, {".env": f"SECRET_KEY={SECRET}\n", "tests/conftest.py": fixture})
    commit(repo, {".env": None, "venv/lib/site.py": HARDCODED, "notes.txt": HARDCODED})
    assert keys(read_history(str(repo), Config())) == [(".env", 1, first, False)]
    assert len(read_history(str(repo), Config(include_tests=True)).keys) == 2


def test_a_thousand_commits(tmp_path: Path) -> None:
    """Built in one ``git fast-import``: commit 500 adds a key, 501 removes it."""
    repo = init(tmp_path / "r")
    stream = []
    for i in range(1, 1001):
        text = f"VERSION = {i}\n" + (HARDCODED if i == 500 else "")
        data = text.encode()
        msg = f"commit {i}\n".encode()
        stream.append(
            b"commit refs/heads/main\nmark :%d\n" % i
            + b"committer t <t@example.com> %d +0000\n" % (1_700_000_000 + i)
            + b"data %d\n%s" % (len(msg), msg)
            + (b"from :%d\n" % (i - 1) if i > 1 else b"")
            + b"M 100644 inline app.py\ndata %d\n%s\n" % (len(data), data)
        )
    git(repo, "fast-import", "--quiet", stdin=b"".join(stream))
    history = read_history(str(repo), Config())
    assert history.commits == 1000
    ((path, line, sha, in_head),) = keys(history)
    assert (path, line, in_head) == ("app.py", 2, False)
    assert git(repo, "log", "-1", "--format=%s", sha) == "commit 500"


def test_no_history_outside_git_and_in_an_empty_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    assert read_history(str(tmp_path / "plain"), Config()).note == (
        "no history: not a git repository"
    )
    empty = init(tmp_path / "empty")
    assert read_history(str(empty), Config()).note == "no history: no commits yet"


def test_a_shallow_clone_says_so(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    commit(repo, {"app.py": HARDCODED})
    commit(repo, {"app.py": FROM_ENV})
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    history = read_history(str(clone), Config())
    assert history.note is not None and history.note.startswith("shallow clone")
    assert history.keys == []


def test_a_hostile_repository_runs_nothing(tmp_path: Path) -> None:
    """Config that would start a program in git log -p (textconv, an external diff,
    fsmonitor, a signature check) is never used."""
    repo = init(tmp_path / "r")
    first = commit(repo, {".gitattributes": "* diff=evil\n", "app.py": HARDCODED})
    commit(repo, {"app.py": FROM_ENV})
    marker = tmp_path / "ran"
    run = f"sh -c 'touch {marker}'"
    for key, value in (
        ("core.fsmonitor", run),
        ("diff.external", run),
        ("diff.evil.textconv", run),
        ("log.showSignature", "true"),
        ("gpg.program", run),
        ("core.pager", run),
    ):
        git(repo, "config", key, value)
    assert keys(read_history(str(repo), Config())) == [("app.py", 1, first, False)]
    assert not marker.exists()


# ------------------------------------------------------------------ commands


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_check_history_in_every_format_without_the_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    repo = init(tmp_path / "r")
    first = commit(repo, {"app.py": HARDCODED})
    commit(repo, {"app.py": FROM_ENV})
    assert run_in(repo, ["check", "--format", fmt], capsys)[0] == 0
    status, out, _ = run_in(repo, ["check", "--history", "--format", fmt], capsys)
    assert status == 1
    assert "SKY120" in out and first[:12] in out
    assert SECRET not in out and SECRET[:10] not in out


def test_check_history_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = init(tmp_path / "r")
    first = commit(repo, {"app.py": HARDCODED})
    commit(repo, {"app.py": FROM_ENV})
    _, out, err = run_in(repo, ["check", "--history"], capsys)
    assert (
        out.startswith(f"./app.py:1:18: SKY120 commit {first[:12]} (20")
        and "removed since, but still in the history" in out
    )
    assert err == ""
    assert run_in(repo, ["check", "--history", "--extend-ignore", "SKY120"], capsys)[0] == 0


def test_check_history_of_a_file_given_by_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = init(tmp_path / "r")
    commit(repo, {"app.py": HARDCODED, "sub/other.py": f'SECRET_KEY = "{SECRET}-2"\n'})
    commit(repo, {"app.py": FROM_ENV})
    _, out, _ = run_in(repo, ["check", "--history", "app.py"], capsys)
    assert [line.split(" ")[0] for line in out.splitlines()] == ["app.py:1:18:"]
    _, out, _ = run_in(repo, ["check", "--history", "sub/other.py"], capsys)
    assert [line.split(" ")[1] for line in out.splitlines()] == ["SKY100", "SKY120"]
    assert out.splitlines()[1].startswith("sub/other.py:1:14: SKY120 ")


def test_check_history_outside_git_is_a_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.py").write_text(FROM_ENV)
    status, out, err = run_in(tmp_path, ["check", "--history"], capsys)
    assert (status, out) == (0, "")
    assert err == ".: no history: not a git repository\n"


def _cohort(tmp_path: Path) -> Path:
    """The five cases of issue 15's "done when", each a git submission."""
    root = tmp_path / "cohort"
    code = init(root / "code")
    commit(code, {"app.py": HARDCODED})
    env = init(root / "env")
    commit(env, {"app.py": FROM_ENV, ".env": f"SECRET_KEY={SECRET}\n"})
    ignored = init(root / "ignored")
    commit(ignored, {"app.py": FROM_ENV, ".gitignore": ".env\n"})
    (ignored / ".env").write_text(f"SECRET_KEY={SECRET}\n")
    removed = init(root / "removed")
    commit(removed, {"app.py": HARDCODED})
    commit(removed, {"app.py": FROM_ENV})
    never = init(root / "never")
    commit(never, {"app.py": FROM_ENV})
    plain = root / "plain"
    plain.mkdir()
    (plain / "app.py").write_text(FROM_ENV)
    return root


def test_report_history_verdicts(tmp_path: Path) -> None:
    root = _cohort(tmp_path)
    rows = cmd_report.mark_all(list_submissions(str(root)), Config(), history="HEAD")
    got = {row.submission: (row.verdict, row.history) for row in rows}
    assert got["code"] == ("hardcoded", "1 still in HEAD")
    assert got["env"] == ("hardcoded", "1 still in HEAD")
    assert got["ignored"] == ("environment", "no key in 1 commit")
    assert got["removed"][0] == "in-history"
    assert (got["removed"][1] or "").startswith(
        "1 key removed from the code but still in the history (first: app.py:1, commit "
    )
    assert got["never"] == ("environment", "no key in 1 commit")
    assert got["plain"] == ("environment", "no history: not a git repository")
    without = cmd_report.mark_all(list_submissions(str(root)), Config())
    assert {row.submission: row.verdict for row in without}["removed"] == "environment"
    assert all(row.history is None for row in without)


@pytest.mark.parametrize("fmt", ["table", "csv", "json", "markdown", "html"])
def test_report_history_in_every_format_without_the_secret(tmp_path: Path, fmt: str) -> None:
    root = _cohort(tmp_path)
    out = tmp_path / "out"
    assert main(["report", str(root), "--history", "--format", fmt, "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "in-history" in text
    assert SECRET not in text and SECRET[:10] not in text


def test_fix_says_a_removed_key_is_in_the_history(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = init(tmp_path / "r")
    commit(repo, {"app.py": HARDCODED})
    (repo / "cfg.py").write_text('SECRET_KEY = "never-committed-8f7a6b5c"\n')  # not committed
    status, out, _ = run_in(repo, ["fix", "."], capsys)
    assert status == 1
    note = [line for line in out.splitlines() if "git history" in line]
    assert note == [
        "The old keys are in the git history (./app.py committed them): treat them as "
        "compromised and give the app a new one; taking the old one out of the history "
        "does not unpublish it (clones, forks, caches keep it). See https://docs.github.com/"
        "en/authentication/keeping-your-account-and-data-secure/"
        "removing-sensitive-data-from-a-repository"
    ]
    assert SECRET not in out
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "app.py").write_text(HARDCODED)
    status, out, _ = run_in(plain, ["fix", "."], capsys)
    assert status == 1 and "git history" not in out


@pytest.mark.parametrize("dry", [False, True])
def test_keep_key_never_keeps_a_committed_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], dry: bool
) -> None:
    # app.py's key is in HEAD: published with the repository, never kept. cfg.py's was
    # never committed: --keep-key keeps it.
    repo = init(tmp_path / "r")
    commit(repo, {"app.py": HARDCODED})
    local = "never-committed-8f7a6b5c-Qz"
    (repo / "cfg.py").write_text(f'JWT_SECRET_KEY = "{local}"\n')
    args = ["fix", ".", "--env-file", ".env", "--keep-key", *(["--check"] if dry else [])]
    status, out, _ = run_in(repo, args, capsys)
    assert status == 1
    assert "SECRET_KEY (a freshly generated key (the old key is in the git history" in out
    assert "JWT_SECRET_KEY (the old key (--keep-key))" in out
    assert SECRET not in out and local not in out
    if not dry:
        env = (repo / ".env").read_text()
        assert SECRET not in env and f"JWT_SECRET_KEY={local}" in env


ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(
    not (ROOT / ".git").exists(), reason="not a git clone of the project (CI runs on one)"
)
def test_check_history_of_this_projects_own_repository(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # A real repository, the one CI checks out: its examples commit keys on purpose.
    status, out, err = run_in(ROOT, ["check", "--history", "examples"], capsys)
    assert status == 1, err
    assert "Traceback" not in err
    found = {(line.split(":")[0], line.split()[1]) for line in out.splitlines()}
    assert ("examples/student_app/app.py", "SKY120") in found
    assert ("examples/student_app/config.py", "SKY120") in found
    assert "p4ssw0rd-for-my-project" not in out + err  # hardcoded, not published: redacted


LOADS = "app.config.from_pyfile('settings.conf')\napp.config.from_file('c.conf', load=json.load)\n"


def test_files_loaded_under_any_name_are_read_in_every_version(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    first = commit(
        repo,
        {
            "app.py": LOADS,
            "instance/settings.conf": f"SECRET_KEY = '{SECRET}'\n",
            "c.conf": '{"JWT_SECRET_KEY": "j-Hx7-history-31q-jwt"}\n',
            "notes.conf": "SECRET_KEY = 'k-Hx7-not-loaded-by-anyone'\n",  # loaded by nobody
        },
    )
    commit(repo, {"instance/settings.conf": "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n"})
    found = keys(read_history(str(repo), Config()))
    assert found == [("c.conf", 1, first, True), ("instance/settings.conf", 1, first, False)]


def test_a_loaded_file_is_found_by_the_modules_of_any_version(tmp_path: Path) -> None:
    """The module that loaded it spells a setting name: its old versions are read
    anyway, and name the file even after the load is gone from HEAD."""
    repo = init(tmp_path / "r")
    first = commit(
        repo,
        {
            "app.py": "app.secret_key = os.environ['K']\n" + LOADS,
            "settings.conf": f"SECRET_KEY = '{SECRET}'\n",
        },
    )
    commit(repo, {"app.py": FROM_ENV, "settings.conf": None})
    assert keys(read_history(str(repo), Config())) == [("settings.conf", 1, first, False)]


def test_no_module_loads_it_no_key(tmp_path: Path) -> None:
    repo = init(tmp_path / "r")
    commit(repo, {"app.py": "x = 1\n", "settings.conf": f"SECRET_KEY = '{SECRET}'\n"})
    commit(repo, {"app.py": "app.config.from_pyfile('other.conf')\n"})
    assert keys(read_history(str(repo), Config())) == []
