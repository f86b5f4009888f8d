"""The marks sheet (``--format marks``) and the feedback sentences (``--feedback-file``)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from flake8_secret_key.cli import main
from flake8_secret_key.feedback import (
    DEFAULT_FEEDBACK,
    SESSIONS_DOC,
    FeedbackError,
    load_feedback,
    parse_feedback,
)
from flake8_secret_key.report import VERDICTS

FLASK = "from flask import Flask\napp = Flask(__name__)\n"
CANVAS = {
    "doejane_1001_90001_app.py": FLASK + 'app.secret_key = "dev"\n',
    "doejane_1001_90002_config.py": "DEBUG = True\n",
    "o'briensiobhán_LATE_1002_90003_app-1.py": FLASK + 'app.secret_key = "feedback-secret"\n',
    "weili_1005_90007_app.py": FLASK,
}


def report(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, str, str]:
    code = main(["report", "--jobs", "1", *args])
    out, err = capsysbinary.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "submissions.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in CANVAS.items():
            zf.writestr(name, text)
    return path


def marks(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_every_verdict_has_a_sentence_for_the_student() -> None:
    assert set(DEFAULT_FEEDBACK) == set(VERDICTS)
    for verdict, sentence in DEFAULT_FEEDBACK.items():
        assert SESSIONS_DOC in sentence, verdict
        assert "\n" not in sentence and len(sentence) < 400
    for verdict in ("published-key", "hardcoded", "fallback", "no-key"):
        assert 'os.environ["SECRET_KEY"]' in DEFAULT_FEEDBACK[verdict]


def test_the_marks_sheet_imports_as_csv_one_row_per_student(
    export: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, _ = report(capsysbinary, "--format", "marks", str(export))
    assert code == 0 and out.endswith("\r\n")
    rows = marks(out)
    assert [r["student_id"] for r in rows] == ["1001", "1002", "1005"]
    assert list(rows[0]) == [
        "student_name", "student_id", "username", "submission", "verdict", "feedback"
    ]  # fmt: skip
    by_id = {r["student_id"]: r for r in rows}
    assert by_id["1001"]["student_name"] == "doejane"
    assert by_id["1001"]["verdict"] == "published-key"
    assert by_id["1002"]["student_name"] == "o'briensiobhán"
    assert by_id["1002"]["feedback"] == DEFAULT_FEEDBACK["hardcoded"]
    assert by_id["1005"]["verdict"] == "no-key"
    assert "feedback-secret" not in out


def test_the_marks_sheet_of_a_plain_folder(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "app.py").write_text(FLASK)
    rows = marks(report(capsysbinary, "--format", "marks", str(tmp_path))[1])
    assert rows == [
        {"student_name": "", "student_id": "", "username": "", "submission": "alice",
         "verdict": "no-key", "feedback": DEFAULT_FEEDBACK["no-key"]}
    ]  # fmt: skip


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_same_sentences_in_json_html_and_marks(
    export: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    course = tmp_path / "feedback.txt"
    course.write_text(
        "# lab 3\n\nhardcoded: See the lab 3 notes, section 2: keys & <secrets>.\n",
        encoding="utf-8",
    )
    args = ("--feedback-file", str(course), str(export))
    doc = json.loads(report(capsysbinary, "--format", "json", *args)[1])
    from_json = {r["submission"]: r["feedback"] for r in doc["submissions"]}
    from_marks = {r["submission"]: r["feedback"] for r in marks(
        report(capsysbinary, "--format", "marks", *args)[1])}  # fmt: skip
    assert from_json == from_marks
    assert from_json["o'briensiobhán_1002"] == "See the lab 3 notes, section 2: keys & <secrets>."
    assert from_json["weili_1005"] == DEFAULT_FEEDBACK["no-key"]  # not replaced: the default
    page = Text()
    page.feed(report(capsysbinary, "--format", "html", *args)[1])
    shown = "".join(page.text)
    assert all(sentence in shown for sentence in from_json.values())


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("hardcoded the key is in the code\n", "line 1: no 'verdict:'"),
        ("\n# x\nsecret: no\n", "line 3: unknown verdict 'secret'"),
        ("hardcoded: a\nhardcoded: b\n", "line 2: hardcoded is given twice"),
        ("no-key:   \n", "the sentence for no-key is empty"),
    ],
)
def test_a_bad_feedback_file_is_one_line_and_exit_2(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], text: str, says: str
) -> None:
    with pytest.raises(FeedbackError, match=says):
        parse_feedback(text)
    bad = tmp_path / "f.txt"
    bad.write_text(text, encoding="utf-8")
    code, out, err = report(capsysbinary, "--feedback-file", str(bad), str(tmp_path))
    assert code == 2 and out == "" and err.count("\n") == 1 and says in err


def test_an_unreadable_or_undecodable_feedback_file(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, _, err = report(capsysbinary, "--feedback-file", str(tmp_path / "no"), str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "cannot read" in err
    latin = tmp_path / "latin.txt"
    latin.write_bytes("hardcoded: clé\n".encode("latin-1"))
    with pytest.raises(FeedbackError, match="not UTF-8"):
        load_feedback(str(latin))


def test_a_feedback_sentence_cannot_become_a_formula_or_a_control(
    export: Path, tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    course = tmp_path / "f.txt"
    course.write_text('no-key: =HYPERLINK("x")\x1b[31m\n', encoding="utf-8")
    out = report(capsysbinary, "--format", "marks", "--feedback-file", str(course), str(export))[1]
    assert "\x1b" not in out
    assert marks(out)[-1]["feedback"].startswith("'=HYPERLINK")
