"""``flake8-secret-key report``: verdicts, formats, escaping, redaction, order, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import textwrap
import threading
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flake8_secret_key import cmd_report, workers
from flake8_secret_key.cli import main
from flake8_secret_key.engine import SourceError, observe_text
from flake8_secret_key.escape import printable, unsafe
from flake8_secret_key.options import make_config
from flake8_secret_key.redact import REDACTED, redact_context
from flake8_secret_key.report import VERDICTS, Row
from flake8_secret_key.report_formats import FORMATS, _spreadsheet_safe, render
from flake8_secret_key.submissions import Submission, list_submissions

HOSTILE = "<script>alert(1)</script>.py"
#: Every secret value written in the cohort: none may appear in any output.
SECRETS = (
    "hunter2-literal-secret",
    "fallback-secret-value",
    "via-module-secret",
    "multi-line-secret-part-one",
    "multi-line-secret-part-two",
    "comment-copy-of-secret",
    "fstring-secret-body",
    "hostile-secret-value",
    "hostile-zip-secret",
)


def src(text: str) -> bytes:
    return textwrap.dedent(text).lstrip().encode()


FLASK = "from flask import Flask\napp = Flask(__name__)\n"
COHORT: dict[str, bytes] = {
    "published/app.py": src(FLASK + 'app.secret_key = "dev"\n'),
    "hardcoded/app.py": src(FLASK + 'app.secret_key = "hunter2-literal-secret"\n'),
    "fallback/app.py": src(
        "import os\n"
        + FLASK
        + 'app.secret_key = os.getenv("SECRET_KEY", "fallback-secret-value")\n'
    ),
    "generated/app.py": src("import os\n" + FLASK + "app.secret_key = os.urandom(24)\n"),
    "unknown/app.py": src(FLASK + 'app.secret_key = open("key.txt").read()\n'),
    "emptykey/app.py": src(FLASK + "app.secret_key = ''\n"),
    "environment/app.py": src(
        "import os\n" + FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\n'
    ),
    "prefixed/app.py": src(FLASK + "app.config.from_prefixed_env()\n"),
    "nokey/app.py": src(FLASK + "@app.route('/')\ndef index():\n    return 'hi'\n"),
    "syntax/app.py": src("SECRET_KEY = (\n"),
    "empty/README.md": b"nothing here\n",
    "mixed/config.py": src('import os\nSECRET_KEY = os.environ["SECRET_KEY"]\n'),
    "mixed/app.py": src(
        FLASK
        + 'KEY = "via-module-secret"\n\n\n\n\n\n'
        + "app.secret_key = KEY  # was comment-copy-of-secret\n"
    ),
    "mixed/more.py": src(
        'JWT_SECRET_KEY = """multi-line-secret-part-one\nmulti-line-secret-part-two"""\n'
        "# the old one was comment-copy-of-secret\n"
        'x = f"fstring-secret-body{1}"; WTF_CSRF_SECRET_KEY = "comment-copy-of-secret"\n'
    ),
    "partial/app.py": src(FLASK + 'app.secret_key = "dev"\n'),
    "partial/broken.py": src("SECRET_KEY = [\n"),
    "<script>alert(1)<" + "/script>.py": src(  # a folder "<script>alert(1)<", a file "script>.py"
        FLASK + 'app.secret_key = "hostile-secret-value"  # </pre><script>alert(2)</script>\n'
    ),
    "evil/" + HOSTILE: src(FLASK + 'app.secret_key = "hostile-secret-value"\n'),
}
EXPECTED = {
    "<script>alert(1)<": "hardcoded",
    "corrupt.zip": "error",
    "empty": "error",
    "emptykey": "empty-key",
    "environment": "environment",
    "evil": "hardcoded",
    "fallback": "fallback",
    "generated": "generated",
    "hardcoded": "hardcoded",
    "mixed": "hardcoded",
    "nokey": "no-key",
    "partial": "published-key",
    "prefixed": "environment",
    "published": "published-key",
    "syntax": "error",
    "unknown": "unknown",
    "zipped.zip": "hardcoded",
    "zipped-env.zip": "environment",
}


def build_cohort(root: Path) -> Path:
    for rel, data in COHORT.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "corrupt.zip").write_bytes(b"PK\x03\x04 not really a zip")
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("proj/" + HOSTILE, FLASK + 'app.secret_key = "hostile-zip-secret"\n')
        zf.writestr("proj/venv/pyvenv.cfg", "")
        zf.writestr("proj/venv/lib/site-packages/flask/app.py", "SECRET_KEY = 'x'\n")
    (root / "zipped.zip").write_bytes(zipped.getvalue())
    env = io.BytesIO()
    with zipfile.ZipFile(env, "w") as zf:
        zf.writestr("app.py", COHORT["environment/app.py"])
    (root / "zipped-env.zip").write_bytes(env.getvalue())
    return root


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_cohort(tmp_path_factory.mktemp("cohort"))


@pytest.fixture(scope="module")
def rows(cohort: Path) -> list[Row]:
    subs = list_submissions(str(cohort))
    return cmd_report.mark_all(subs, make_config(), jobs=1, context=True)


def run_report(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, str, str]:
    code = main(["report", *args])
    out, err = capsysbinary.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


# ------------------------------------------------------------------ verdicts


def test_each_verdict(rows: list[Row]) -> None:
    assert {r.submission: r.verdict for r in rows} == EXPECTED
    # in-history needs --history and a git submission: tests/test_history.py
    assert set(EXPECTED.values()) == set(VERDICTS) - {"in-history"}


def test_rows_are_sorted_by_name(rows: list[Row]) -> None:
    names = [r.submission for r in rows]
    assert names == sorted(names, key=lambda n: (n.casefold(), n))


def test_columns(rows: list[Row]) -> None:
    by = {r.submission: r for r in rows}
    partial = by["partial"]
    assert (partial.findings, partial.first_location) == (1, "app.py:3")
    assert (partial.python_files, partial.syntax_errors) == (2, 1)
    mixed = by["mixed"]
    assert mixed.first_location == "app.py:9"  # the worst one decides, not the first file
    assert mixed.findings == 3  # via, JWT, WTF (the environment read is not a finding)
    zipped = by["zipped.zip"]
    assert (zipped.first_location, zipped.venvs) == (f"proj/{HOSTILE}:3", ("proj/venv",))
    assert (zipped.skipped_venvs, zipped.skipped_python_files) == (1, None)  # not counted
    assert by["evil"].first_location == f"{HOSTILE}:3"
    assert by["environment"].first_location == "app.py:4"
    assert by["nokey"].first_location == ""


def test_error_reasons(rows: list[Row]) -> None:
    by = {r.submission: r for r in rows}
    assert by["corrupt.zip"].error.startswith("corrupt zip")
    assert by["empty"].error == "no Python files found"
    assert by["syntax"].error == (
        "none of the 1 Python files could be parsed (app.py: syntax error at line 1: "
        "'(' was never closed)"
    )
    assert all(r.error == "" for r in rows if r.verdict != "error")


def test_tests_are_skipped_unless_asked(tmp_path: Path) -> None:
    (tmp_path / "alice" / "tests").mkdir(parents=True)
    (tmp_path / "alice" / "app.py").write_text(
        "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n"
    )
    (tmp_path / "alice" / "tests" / "conftest.py").write_text("SECRET_KEY = 'testing-only'\n")
    subs = list_submissions(str(tmp_path))
    assert cmd_report.mark_all(subs, make_config())[0].verdict == "environment"
    with_tests = make_config(include_tests=True)
    assert cmd_report.mark_all(subs, with_tests)[0].verdict == "hardcoded"


def test_agrees_with_the_engine_on_each_file(rows: list[Row], cohort: Path) -> None:
    """The report does not detect anything itself: its findings are the engine's."""
    by = {r.submission: r for r in rows}
    for rel, data in COHORT.items():
        name, _, path = rel.partition("/")
        try:
            expected = [(o.line, o.col) for o in observe_text(data.decode())]
        except ValueError:
            continue
        got = [(f.line, f.col) for f in by[name].observations if f.path == path]
        assert got == expected, rel


# ------------------------------------------------------------------ formats


def test_csv_reads_back(rows: list[Row]) -> None:
    records = list(csv.DictReader(io.StringIO(render(rows, "csv"))))
    assert [r["submission"] for r in records] == [r.submission for r in rows]
    assert {r["submission"]: r["verdict"] for r in records} == EXPECTED
    evil = next(r for r in records if r["submission"] == "evil")
    assert evil["first_location"] == f"{HOSTILE}:3"
    assert evil["python_files"] == "1"


def test_csv_cells_cannot_become_formulas() -> None:
    row = Row("=HYPERLINK(1)", "error", 0, "", 0, 0, "-1+1")
    (record,) = csv.DictReader(io.StringIO(render([row], "csv")))
    assert record["submission"] == "'=HYPERLINK(1)" and record["error"] == "'-1+1"


@settings(max_examples=200, deadline=None)
@given(
    names=st.lists(st.text(), min_size=1, max_size=4),
    location=st.text(),
    reason=st.text(st.characters(blacklist_categories=["Cs"])),
)
def test_csv_reads_back_as_written(names: list[str], location: str, reason: str) -> None:
    """Any text, quotes and commas included, reads back into the cell it was written
    to, as the csv module writes it (rows end with CRLF); control and bidi characters
    read back escaped."""
    rows = [Row(name, "error", 0, location, 0, 0, reason) for name in names]
    text = render(rows, "csv")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len(records) == len(rows) + 1
    by = [dict(zip(records[0], r, strict=True)) for r in records[1:]]
    assert [r["submission"] for r in by] == [_spreadsheet_safe(printable(n)) for n in names]
    assert {r["first_location"] for r in by} == {_spreadsheet_safe(printable(location))}
    assert {r["error"] for r in by} == {_spreadsheet_safe(printable(reason))}
    assert not unsafe().search(text.replace("\r\n", ""))
    again = io.StringIO(newline="")
    csv.writer(again).writerows(records)
    assert again.getvalue() == text


def test_csv_escapes_a_carriage_return_in_a_student_name(tmp_path: Path) -> None:
    """A bare carriage return in a field splits the row in a spreadsheet; a student can
    put one in a folder or file name. It is shown escaped, as in every format."""
    sub = tmp_path / "cohort" / "bad\rname"
    sub.mkdir(parents=True)
    (sub / "a\rp.py").write_text('app.secret_key = "abc123xyz-Zq8Lx3Vt"\n')
    cohort = str(tmp_path / "cohort")
    cmd = [sys.executable, "-m", "flake8_secret_key.cli", "report", cohort, "--format", "csv"]
    proc = subprocess.run(cmd, capture_output=True)
    assert proc.returncode == 0 and proc.stderr == b""
    (record,) = csv.DictReader(io.StringIO(proc.stdout.decode("utf-8"), newline=""))
    assert record["submission"] == "bad\\rname" and record["verdict"] == "hardcoded"
    assert record["first_location"] == "a\\rp.py:1"


def test_json_parses(rows: list[Row]) -> None:
    doc = json.loads(render(rows, "json"))
    assert doc["version"] == 1
    assert doc["summary"] == {v: list(EXPECTED.values()).count(v) for v in VERDICTS}
    subs = {s["submission"]: s for s in doc["submissions"]}
    assert subs.keys() == EXPECTED.keys()
    (finding,) = subs["hardcoded"]["observations"]
    assert (finding["path"], finding["line"], finding["code"]) == ("app.py", 3, "SKY100")
    assert subs["partial"]["file_errors"][0]["path"] == "broken.py"
    mixed = [(o["path"], o["line"]) for o in subs["mixed"]["observations"]]
    assert mixed == [("app.py", 9), ("config.py", 2), ("more.py", 1), ("more.py", 4)]


def test_table_is_aligned(rows: list[Row]) -> None:
    lines = render(rows, "table").splitlines()
    header, body = lines[0], lines[1 : len(rows) + 1]
    start = header.index("VERDICT")
    assert all(line[start:].split()[0] in VERDICTS for line in body)
    assert lines[-1].startswith(f"{len(rows)} submissions: 2 published-key, 5 hardcoded")


def test_table_counts_wide_characters_as_two_columns() -> None:
    rows = [
        Row("学生学生学生一", "hardcoded", 1, "app.py:3", 2, 0, ""),  # 14 columns
        Row("abcdefghijkl", "no-key", 0, "", 1, 0, ""),
        Row("\uff46\uff55\uff4c\uff4c", "environment", 0, "app.py:5", 1, 0, ""),  # "full", 8
    ]
    lines = render(rows, "table").splitlines()
    assert lines[0].startswith("SUBMISSION      VERDICT ")
    assert lines[1].startswith("学生学生学生一  hardcoded ")
    assert lines[2].startswith("abcdefghijkl    no-key ")
    assert lines[3].startswith("\uff46\uff55\uff4c\uff4c        environment ")


def test_table_and_markdown_show_no_control_characters() -> None:
    row = Row("a\x1b[2Jb", "error", 0, "", 0, 0, "x\ny")
    table, markdown = render([row], "table"), render([row], "markdown")
    assert "\x1b" not in table and "a\\x1b[2Jb" in table and "x\\ny" in table
    assert "\x1b" not in markdown and "a\\\\x1b\\[2Jb" in markdown
    assert "x\\\\ny" in markdown  # a backslash, escaped for Markdown


def test_markdown_table(rows: list[Row]) -> None:
    lines = render(rows, "markdown").splitlines()
    table = [ln for ln in lines if ln.startswith("|")]
    assert len(table) == len(rows) + 2
    assert all(ln.count(" | ") == 7 for ln in table if not ln.startswith("|-"))
    assert "\\<script\\>alert(1)\\</script\\>.py" in "\n".join(lines)


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []
        self.attrs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.scripts += tag == "script"
        self.attrs.extend(name for name, _ in attrs)
        for name, value in attrs:
            if name in ("src", "href") and value:
                assert value.startswith("#"), value  # nothing from the network

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_self_contained_and_escaped(rows: list[Row]) -> None:
    page_text = render(rows, "html")
    page = Page()
    page.feed(page_text)
    page.close()
    assert page.scripts == 1  # ours
    assert "<script>alert" not in page_text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.py" in page_text
    text = "".join(page.text)
    assert HOSTILE in text  # shown to the reader, as text
    assert "<script>alert(1)<" in text  # the folder's name too
    assert not [a for a in page.attrs if a.startswith("on")]  # no event handlers
    assert set(page.tags) <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "h3",
        "p",
        "code",
        "svg",
        "text",
        "rect",
        "div",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "span",
        "section",
        "strong",
        "pre",
        "ul",
        "li",
        "script",
    }
    assert "http://" not in page_text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in page_text


def test_html_has_chart_table_and_context(rows: list[Row]) -> None:
    page = render(rows, "html")
    assert page.count("<rect") == len(VERDICTS)
    assert page.count("<tr>") == len(rows) + 1
    assert REDACTED in page and 'class="hit"' in page
    assert "Content-Security-Policy" in page


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_in_any_format(rows: list[Row], fmt: str) -> None:
    text = render(rows, fmt)
    for secret in SECRETS:
        assert secret not in text, (fmt, secret)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_secret_through_the_command(
    cohort: Path, capsysbinary: pytest.CaptureFixture[bytes], fmt: str
) -> None:
    code, out, err = run_report(capsysbinary, str(cohort), "--format", fmt, "--jobs", "1")
    assert code == 0 and err == ""
    assert "corrupt.zip" in out
    for secret in SECRETS:
        assert secret not in out


# ------------------------------------------------------------------ redaction


def context_text(code: str, which: int = 0) -> str:
    observations = observe_text(code)
    lines = redact_context(code, observations, observations[which])
    return "\n".join(line.text for line in lines)


def test_redacts_the_value_and_strings_on_context_lines() -> None:
    code = 'a = "neighbour-string"\napp.secret_key = "the-secret-value"\nb = 1\n'
    text = context_text(code)
    assert "the-secret-value" not in text and "neighbour-string" not in text
    assert text.count(REDACTED) == 2 and "b = 1" in text


def test_setting_and_variable_names_stay_readable() -> None:
    code = 'import os\napp.config["SECRET_KEY"] = os.environ.get("FLASK_KEY", "the-fallback")\n'
    observations = observe_text(code)
    (line,) = [
        ln
        for ln in redact_context(code, observations, observations[0], names=["SECRET_KEY"])
        if ln.hit
    ]
    assert line.text == f'app.config["SECRET_KEY"] = os.environ.get("FLASK_KEY", {REDACTED})'


def test_a_value_spelling_a_name_is_still_redacted() -> None:
    code = 'app.secret_key = "SECRET_KEY"\nx = "SECRET_KEY"\n'
    observations = observe_text(code)
    lines = redact_context(code, observations, observations[0], names=["SECRET_KEY"])
    assert all("SECRET_KEY" not in ln.text for ln in lines)


def test_redacts_through_a_module_constant_far_away() -> None:
    code = 'KEY = "far-away-secret"\n' + "x = 1\n" * 20 + "app.secret_key = KEY\n"
    text = context_text(code)
    assert "far-away-secret" not in text and "KEY = " + REDACTED in text


def test_redacts_copies_in_comments() -> None:
    code = 'app.secret_key = "copied-secret"  # copied-secret\n'
    assert "copied-secret" not in context_text(code)


def test_redacts_fallback_and_bytes() -> None:
    code = 'import os\napp.secret_key = os.environ.get("SECRET_KEY", b"bytes-secret")\n'
    assert "bytes-secret" not in context_text(code)


def test_redacts_multi_line_values() -> None:
    code = 'SECRET_KEY = (\n    "part-one-secret"\n    "part-two-secret"\n)\n'
    text = context_text(code)
    assert "part-one" not in text and "part-two" not in text


def test_untokenizable_text_hides_everything_after_a_quote() -> None:
    code = 'app.secret_key = "abcdefgh"\nx = "unterminated-secret\n'
    observations = observe_text('app.secret_key = "abcdefgh"\n')
    text = "\n".join(ln.text for ln in redact_context(code, observations, observations[0]))
    assert "unterminated-secret" not in text and "abcdefgh" not in text


@settings(max_examples=150, deadline=None)
@given(
    secret=st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\"\\'{}"
        ),
        min_size=4,
        max_size=30,
    ).filter(lambda s: s.strip() == s and len(s.strip()) >= 4),
    form=st.sampled_from(
        [
            'app.secret_key = "{s}"',
            'app.config["SECRET_KEY"] = b"{s}"',
            'import os\napp.secret_key = os.getenv("SECRET_KEY", "{s}")',
            'K = "{s}"\napp.secret_key = K',
            'app.config.update(SECRET_KEY=f"{s}")',
            'SECRET_KEY = """{s}"""  # {s}',
        ]
    ),
)
def test_secret_never_in_context(secret: str, form: str) -> None:
    code = form.replace("{s}", secret) + "\n"
    try:
        observations = observe_text(code)
    except SourceError:  # e.g. non-ASCII in a bytes literal
        assume(False)
    for obs in observations:
        for line in redact_context(code, observations, obs):
            assert secret not in line.text


# ------------------------------------------------------------------ running


def test_stable_order_with_two_jobs(
    cohort: Path, capsysbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[int] = []
    real = cmd_report._parallel

    def spy(*args: object, **kwargs: object) -> list[Row]:
        used.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cmd_report, "_parallel", spy)
    monkeypatch.setattr(cmd_report, "PARALLEL_MIN", 2)
    _, serial, _ = run_report(capsysbinary, str(cohort), "--format", "json", "--jobs", "1")
    assert used == []
    for _ in range(2):
        _, parallel, _ = run_report(capsysbinary, str(cohort), "--format", "json", "--jobs", "2")
        assert parallel == serial
    assert used == [1, 1]


def test_small_cohorts_stay_in_one_process(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> list[Row]:
        raise AssertionError("processes started for a small cohort")

    monkeypatch.setattr(cmd_report, "_parallel", boom)
    subs = list_submissions(str(cohort))[:3]
    assert len(cmd_report.mark_all(subs, make_config(), jobs=4)) == 3


def _explode(sub: Submission, config: object, *want: bool) -> Row:
    if sub.name == "hardcoded":
        raise RuntimeError("engine bug")
    return REAL_MARK(sub, config, *want)  # type: ignore[arg-type]


def _die(sub: Submission, config: object, *want: bool) -> Row:
    if sub.name == "hardcoded":
        os._exit(3)
    return REAL_MARK(sub, config, *want)  # type: ignore[arg-type]


REAL_MARK = cmd_report._mark


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_scanner_bug_is_an_error_row(
    cohort: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    monkeypatch.setattr(cmd_report, "_mark", _explode)
    monkeypatch.setattr(cmd_report, "PARALLEL_MIN", 2)
    rows = cmd_report.mark_all(list_submissions(str(cohort)), make_config(), jobs=jobs)
    by = {r.submission: r for r in rows}
    assert by["hardcoded"].verdict == "error"
    assert by["hardcoded"].error == "internal error (RuntimeError): please report"
    assert by["published"].verdict == "published-key"


@pytest.mark.skipif(sys.platform != "linux", reason="relies on fork to inherit the patch")
def test_a_dead_worker_is_an_error_row(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cmd_report, "_mark", _die)
    monkeypatch.setattr(cmd_report, "PARALLEL_MIN", 2)
    rows = cmd_report.mark_all(list_submissions(str(cohort)), make_config(), jobs=2)
    by = {r.submission: r for r in rows}
    assert by["hardcoded"].verdict == "error" and "crashed" in by["hardcoded"].error
    assert {n: r.verdict for n, r in by.items() if n != "hardcoded"} == {
        n: v for n, v in EXPECTED.items() if n != "hardcoded"
    }


def test_exit_0_with_findings_and_output_file(
    cohort: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    out_file = tmp_path / "report.html"
    code, out, err = run_report(capsysbinary, str(cohort), "--format", "html", "-o", str(out_file))
    assert (code, out, err) == (0, "", "")
    assert out_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/cohort"], "SUBMISSIONS: no such folder: /nonexistent/cohort"),
        (["--known-keys-file", "/nonexistent/keys.txt", "."], "--secret-key-known-keys-file"),
        (["--secret-key-names", "not an identifier!", "."], "--secret-key-names"),
        (["-o", "/nonexistent/dir/out.txt", "."], "cannot write /nonexistent/dir/out.txt"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    capsysbinary: pytest.CaptureFixture[bytes],
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_report(capsysbinary, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("flake8-secret-key report: ")
    assert message in err


def test_a_file_is_not_a_cohort(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    (tmp_path / "x.zip").write_bytes(b"")
    code, _, err = run_report(capsysbinary, str(tmp_path / "x.zip"))
    assert code == 2 and "not a folder" in err


def test_bad_jobs_is_a_usage_error(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["report", ".", "--jobs", "-1"])
    assert info.value.code == 2


def test_silent_when_stderr_is_not_a_terminal(
    cohort: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _, err = run_report(capsysbinary, str(cohort), "--jobs", "1")
    assert code == 0 and err == ""


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    cmd_report.mark_all(list_submissions(str(cohort)), make_config(), jobs=1)
    assert f"/{len(EXPECTED)}" in fake.getvalue()


def test_progress_bar_with_workers_and_no_thread(
    cohort: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.setattr(cmd_report, "PARALLEL_MIN", 2)
    threads: list[int] = []
    steps: list[int] = []
    real_run = workers.run

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.active_count())  # forking with threads can deadlock
        step = args[6]
        return real_run(*args[:6], lambda n: (steps.append(n), step(n)), **kwargs)

    monkeypatch.setattr(workers, "run", spy)
    rows = cmd_report.mark_all(list_submissions(str(cohort)), make_config(), jobs=2)
    assert {r.submission: r.verdict for r in rows} == EXPECTED
    assert threads == [1]
    assert sum(steps) == len(EXPECTED) and f"/{len(EXPECTED)}" in fake.getvalue()


def test_no_tqdm_means_silence(cohort: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm -> ImportError
    rows = cmd_report.mark_all(list_submissions(str(cohort)), make_config(), jobs=1)
    assert len(rows) == len(EXPECTED) and fake.getvalue() == ""


def test_start_up_imports_nothing_heavy() -> None:
    """The standard library's small modules are imported as any module would (zipfile,
    ast, csv, json, html): only third-party packages and the worker pool wait until used."""
    code = (
        "import sys, flake8_secret_key.cli, flake8_secret_key.cmd_report\n"
        "heavy = {'concurrent.futures', 'tqdm', "
        "'multiprocessing', 'libcst', 'flake8', 'pickle', "
        "'flake8_secret_key.workers'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_console_script_end_to_end(cohort: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "flake8_secret_key.cli", "report", str(cohort), "--format", "csv"],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert proc.returncode == 0 and proc.stderr == b""
    records = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8"))))
    assert len(records) == len(EXPECTED)


# ------------------------------------------------------------------ skipped venvs


def _venv_cohort(root: Path) -> Path:
    for rel, text in {
        "alice/app.py": FLASK + 'app.secret_key = "hunter2-literal-secret"\n',
        "alice/venv/pyvenv.cfg": "home = /usr/bin\n",
        "alice/venv/lib/site-packages/flask/app.py": "SECRET_KEY = 'x'\n",
        "alice/venv/lib/site-packages/flask/cli.py": "",
        "bob/app.py": "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n",
        "carol/.venv/pyvenv.cfg": "",
        "carol/.venv/bin/tool.py": "",
    }.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_skipped_venvs_are_counted_and_their_files_only_when_asked(tmp_path: Path) -> None:
    subs = list_submissions(str(_venv_cohort(tmp_path)))
    plain = {r.submission: r for r in cmd_report.mark_all(subs, make_config())}
    assert [(r.skipped_venvs, r.skipped_python_files) for r in plain.values()] == [
        (1, None),
        (0, None),
        (1, None),
    ]
    counted = cmd_report.mark_all(subs, make_config(), count_skipped_files=True)
    assert [(r.venvs, r.skipped_python_files) for r in counted] == [
        (("venv",), 2),
        ((), 0),
        ((".venv",), 1),
    ]
    # A submission that is nothing but a venv says so in its error.
    assert plain["carol"].verdict == "error"
    assert plain["carol"].error == ("no Python files found outside 1 virtual environment (.venv)")


def test_skipped_venv_columns_in_each_format(tmp_path: Path) -> None:
    subs = list_submissions(str(_venv_cohort(tmp_path)))
    plain = cmd_report.mark_all(subs, make_config())
    counted = cmd_report.mark_all(subs, make_config(), count_skipped_files=True)
    # CSV and JSON keep one schema: the file count is empty (null) unless counted.
    records = list(csv.DictReader(io.StringIO(render(plain, "csv"))))
    assert [(r["skipped_venvs"], r["skipped_python_files"]) for r in records] == [
        ("1", ""),
        ("0", ""),
        ("1", ""),
    ]
    records = list(csv.DictReader(io.StringIO(render(counted, "csv"))))
    assert [r["skipped_python_files"] for r in records] == ["2", "0", "1"]
    doc = json.loads(render(plain, "json"))
    assert [(s["skipped_venvs"], s["venvs"], s["skipped_python_files"])
            for s in doc["submissions"]] == [(1, ["venv"], None), (0, [], None),
                                             (1, [".venv"], None)]  # fmt: skip
    # For people, the file-count column appears only when it was counted.
    for fmt in ("table", "markdown", "html"):
        assert "files in venvs" not in render(plain, fmt).lower(), fmt
        assert "files in venvs" in render(counted, fmt).lower(), fmt
    assert "<code>venv/</code>" in render(plain, "html")


def test_count_skipped_files_on_the_command_line(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    cohort = _venv_cohort(tmp_path)
    assert main(["report", str(cohort), "--format", "csv", "--count-skipped-files"]) == 0
    records = list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode())))
    assert [r["skipped_python_files"] for r in records] == ["2", "0", "1"]


def test_json_columns_are_one_based_like_check(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "app.py").write_text(
        FLASK + 'app.secret_key = "hunter2-literal-secret"\n'
    )
    assert main(["report", str(tmp_path), "--format", "json"]) == 0
    (sub,) = json.loads(capsysbinary.readouterr().out)["submissions"]
    (from_report,) = sub["observations"]
    assert main(["check", str(tmp_path / "alice"), "--format", "json"]) == 1
    (from_check,) = json.loads(capsysbinary.readouterr().out)
    keys = ("line", "col", "end_line", "end_col", "code", "target", "message")
    assert {k: from_report[k] for k in keys} == {k: from_check[k] for k in keys}
    assert (from_report["col"], from_report["end_col"]) == (18, 42)


# ------------------------------------------------------------------ exports


def _zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("jobs", [1, 2])
def test_exports_are_split_by_the_workers_as_by_the_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    hard = src(FLASK + 'app.secret_key = "hunter2-literal-secret"\n')
    env = src("import os\n" + FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\n')
    (tmp_path / "zips.zip").write_bytes(
        _zip_bytes({"Bob.zip": _zip_bytes({"app.py": hard}), "amy.zip": _zip_bytes({"a.py": env})})
    )
    (tmp_path / "folders.zip").write_bytes(
        _zip_bytes({"carl/app.py": hard, "dora/app.py": env, "dora/venv/pyvenv.cfg": b""})
    )
    (tmp_path / "single.zip").write_bytes(_zip_bytes({"proj/app.py": hard}))
    (tmp_path / "zips.zip-old").mkdir()  # sorts between "zips.zip" and its members
    (tmp_path / "zips.zip-old" / "app.py").write_bytes(env)
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 not a zip")
    monkeypatch.setattr(cmd_report, "PARALLEL_MIN", 2)
    eager = cmd_report.mark_all(list_submissions(str(tmp_path)), make_config(), jobs=jobs)
    lazy_subs = list_submissions(str(tmp_path), split_exports=False)
    assert [s.name for s in lazy_subs] == [
        "broken.zip", "folders.zip", "single.zip", "zips.zip", "zips.zip-old",
    ]  # fmt: skip
    lazy = cmd_report.mark_all(lazy_subs, make_config(), jobs=jobs, split_exports=True)
    assert lazy == eager
    assert [(r.submission, r.verdict) for r in lazy] == [
        ("broken.zip", "error"),
        ("folders.zip/carl", "hardcoded"),
        ("folders.zip/dora", "environment"),
        ("single.zip", "hardcoded"),
        ("zips.zip-old", "environment"),
        ("zips.zip/amy.zip", "environment"),
        ("zips.zip/Bob.zip", "hardcoded"),
    ]
    assert lazy[2].venvs == ("venv",)


def test_the_progress_bar_grows_by_the_members_of_an_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = src("import os\n" + FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\n')
    (tmp_path / "export.zip").write_bytes(_zip_bytes({f"s{i}/app.py": env for i in range(5)}))
    (tmp_path / "solo").mkdir()
    (tmp_path / "solo" / "app.py").write_bytes(env)
    fake = FakeTTY()
    monkeypatch.setattr(sys, "stderr", fake)
    subs = list_submissions(str(tmp_path), split_exports=False)
    rows = cmd_report.mark_all(subs, make_config(), split_exports=True)
    assert len(rows) == 6
    assert "/2 " in fake.getvalue() and "/7 " in fake.getvalue()  # 2 listed, 5 members found
