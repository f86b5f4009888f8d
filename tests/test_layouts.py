"""Learning platforms' exports (``--layout``): Canvas, Blackboard, Moodle, GitHub Classroom.

Each platform's export of the same five students is built here, as its platform
names files (late and resubmitted attempts, names with spaces, accents and
apostrophes, a student's own zip inside the export), as a folder and as the zip the
platform gives; each must give the same five rows, with the same verdicts, and the
students' identities as the platform wrote them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from flake8_secret_key.cli import main
from flake8_secret_key.layouts import Identity, LayoutError, list_cohort
from flake8_secret_key.reading import Reader

FLASK = "from flask import Flask\napp = Flask(__name__)\n"
PUBLISHED = FLASK + 'app.secret_key = "dev"\n'
HARDCODED = FLASK + 'app.secret_key = "platform-literal-secret"\n'
ENVIRONMENT = "import os\n" + FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\n'
FALLBACK = "import os\n" + FLASK + 'app.secret_key = os.getenv("K", "platform-fallback")\n'
NO_KEY = FLASK + "@app.route('/')\ndef index():\n    return 'hi'\n"
SECRETS = ("platform-literal-secret", "platform-fallback")


def project_zip(text: str) -> bytes:
    """A student's own upload: a zip of their project folder."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project/app.py", text)
        zf.writestr("project/README.md", "# my app\n")
    return buf.getvalue()


#: The five students: (key, name, username), the verdict expected.
STUDENTS = {
    "jdoe": ("Jane Doe", "published-key"),
    "sobrien": ("Siobhán O'Brien", "hardcoded"),
    "jnunez": ("José Núñez", "environment"),
    "amlefevre": ("Anne-Marie Lefèvre", "fallback"),
    "lwei": ("Li Wei", "no-key"),
}

# Canvas "Download Submissions": <lastfirst>[_LATE]_<user id>_<attachment id>_<file>;
# a file uploaded again is renamed app-1.py.
CANVAS_IDS = {"jdoe": "1001", "sobrien": "1002", "jnunez": "1003", "amlefevre": "1004",
              "lwei": "1005"}  # fmt: skip
CANVAS_NAMES = {"jdoe": "doejane", "sobrien": "obriensiobhán", "jnunez": "núñezjosé",
                "amlefevre": "lefèvreanne-marie", "lwei": "weili"}  # fmt: skip
CANVAS: dict[str, bytes | str] = {
    "doejane_1001_90001_app.py": PUBLISHED,
    "doejane_1001_90002_config.py": "DEBUG = True\n",
    "obriensiobhán_LATE_1002_90003_app-1.py": HARDCODED,
    "obriensiobhán_LATE_1002_90004_notes.txt": "late, sorry\n",
    "núñezjosé_1003_90005_project.zip": project_zip(ENVIRONMENT),
    "lefèvreanne-marie_1004_90006_app.py": FALLBACK,
    "weili_1005_90007_app.py": NO_KEY,
    "weili_1005_90008_app-2.py": NO_KEY,
}


def receipt(name: str, user: str) -> str:
    return (
        f"Name: {name} ({user})\nAssignment: Flask Lab 1\nDate Submitted: Monday\n"
        "Current Grade: Needs Grading\n\nSubmission Field:\nThere is no student submission "
        "text data for this assignment.\n\nComments:\nThere are no student comments for "
        "this assignment.\n\nFiles:\n\tOriginal filename: app.py\n"
    )


# Blackboard: <assignment>_<username>_attempt_<date>_<file>, and a receipt per attempt.
BB_FIRST = "Flask Lab 1_{user}_attempt_2026-11-28-09-00-00"
BB = "Flask Lab 1_{user}_attempt_2026-11-30-17-45-12"
BLACKBOARD: dict[str, bytes | str] = {
    BB.format(user="jdoe") + ".txt": receipt("Jane Doe", "jdoe"),
    BB.format(user="jdoe") + "_app.py": PUBLISHED,
    BB.format(user="jdoe") + "_config.py": "DEBUG = True\n",
    # an earlier attempt (an environment read) that the latest one replaced
    BB_FIRST.format(user="sobrien") + ".txt": receipt("Siobhán O'Brien", "sobrien"),
    BB_FIRST.format(user="sobrien") + "_app.py": ENVIRONMENT,
    BB.format(user="sobrien") + ".txt": receipt("Siobhán O'Brien", "sobrien"),
    BB.format(user="sobrien") + "_app.py": HARDCODED,
    BB.format(user="jnunez") + ".txt": receipt("José Núñez", "jnunez"),
    BB.format(user="jnunez") + "_project.zip": project_zip(ENVIRONMENT),
    BB.format(user="amlefevre") + ".txt": receipt("Anne-Marie Lefèvre", "amlefevre"),
    BB.format(user="amlefevre") + "_app.py": FALLBACK,
    BB.format(user="lwei") + ".txt": receipt("Li Wei", "lwei"),
    BB.format(user="lwei") + "_app.py": NO_KEY,
}

# Moodle "Download all submissions", in folders: <Full Name>_<participant id>_<plugin>_/
MOODLE_IDS = {"jdoe": "501", "sobrien": "502", "jnunez": "503", "amlefevre": "504",
              "lwei": "505"}  # fmt: skip
MOODLE: dict[str, bytes | str] = {
    "Jane Doe_501_assignsubmission_file_/app.py": PUBLISHED,
    "Jane Doe_501_assignsubmission_file_/config.py": "DEBUG = True\n",
    "Jane Doe_501_assignsubmission_onlinetext_/onlinetext.html": "<p>done</p>",
    "Siobhán O'Brien_502_assignsubmission_file_/src/app.py": HARDCODED,
    "José Núñez_503_assignsubmission_file_/project.zip": project_zip(ENVIRONMENT),
    "Anne-Marie Lefèvre_504_assignsubmission_file_/app.py": FALLBACK,
    "Li Wei_505_assignsubmission_file_/app.py": NO_KEY,
}
#: Moodle without "download submissions in folders": the same, flat.
MOODLE_FLAT = {rel.replace("_/", "_", 1).replace("/", "_"): data for rel, data in MOODLE.items()}

# GitHub Classroom (gh classroom clone student-repos): <assignment>-<username>/, git repos.
CLASSROOM: dict[str, bytes | str] = {
    "flask-lab-jdoe/app.py": PUBLISHED,
    "flask-lab-sobrien/app.py": HARDCODED,
    "flask-lab-jnunez/app.py": ENVIRONMENT,
    "flask-lab-amlefevre/app.py": FALLBACK,
    "flask-lab-lwei/app.py": NO_KEY,
}
for _user in STUDENTS:
    CLASSROOM[f"flask-lab-{_user}/.git/HEAD"] = "ref: refs/heads/main\n"

EXPORTS = {
    "canvas": CANVAS,
    "blackboard": BLACKBOARD,
    "moodle": MOODLE,
    "moodle-flat": MOODLE_FLAT,
    "classroom": CLASSROOM,
}


def expected_identity(platform: str, user: str) -> Identity:
    name = STUDENTS[user][0]
    if platform == "canvas":
        return Identity(CANVAS_NAMES[user], CANVAS_IDS[user], "")
    if platform == "blackboard":
        return Identity(name, "", user)
    if platform.startswith("moodle"):
        return Identity(name, MOODLE_IDS[user], "")
    return Identity("", "", user)


def write_tree(root: Path, files: dict[str, bytes | str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def write_zip(path: Path, files: dict[str, bytes | str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel, data in files.items():
            zf.writestr(rel, data)
    return path


def report(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, str, str]:
    code = main(["report", "--jobs", "1", *args])
    out, err = capsysbinary.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


def report_json(capsysbinary: pytest.CaptureFixture[bytes], *args: str) -> list[dict[str, object]]:
    code, out, err = report(capsysbinary, "--format", "json", *args)
    assert code == 0, err
    rows: list[dict[str, object]] = json.loads(out)["submissions"]
    return rows


def student_of(platform: str, row: dict[str, object]) -> str:
    """Which of the five students a row is, from its identity alone."""
    found = Identity(str(row["student_name"]), str(row["student_id"]), str(row["username"]))
    matches = [u for u in STUDENTS if expected_identity(platform, u) == found]
    assert len(matches) == 1, (platform, found)
    return matches[0]


# ------------------------------------------------------------------ done when


@pytest.mark.parametrize("platform", sorted(EXPORTS))
@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_each_export_gives_the_same_five_rows(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], platform: str, as_zip: bool
) -> None:
    files = EXPORTS[platform]
    root = "flask-lab-submissions" if platform == "classroom" else "export"
    if as_zip:
        target = write_zip(tmp_path / f"{root}.zip", files)
    else:
        target = write_tree(tmp_path / root, files)
    rows = report_json(capsysbinary, str(target))
    assert len(rows) == 5
    verdicts = {student_of(platform.removesuffix("-flat"), row): row["verdict"] for row in rows}
    assert verdicts == {user: verdict for user, (_, verdict) in STUDENTS.items()}
    for row in rows:
        assert row["feedback"]
    _, out, err = report(capsysbinary, str(target))
    assert "read as a" in err and "(5 students)" in err
    assert not any(secret in out for secret in SECRETS)


def test_the_platforms_zip_alone_in_a_folder(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    write_zip(tmp_path / "cohort" / "submissions.zip", CANVAS)
    rows = report_json(capsysbinary, str(tmp_path / "cohort"))
    assert sorted(r["submission"] for r in rows) == sorted(
        f"{CANVAS_NAMES[u]}_{CANVAS_IDS[u]}" for u in STUDENTS
    )


# ------------------------------------------------------------------ grouping


def parts_read(target: Path, layout: str = "auto") -> dict[str, list[str]]:
    """Each submission's name -> the paths its reader yields."""
    cohort = list_cohort(str(target), layout)
    return {s.name: [f.path for f in Reader(s).files()] for s in cohort.submissions}


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_canvas_groups_files_late_and_resubmitted(tmp_path: Path, as_zip: bool) -> None:
    if as_zip:
        target = write_zip(tmp_path / "c.zip", CANVAS)
    else:
        target = write_tree(tmp_path / "c", CANVAS)
    read = parts_read(target)
    assert read["doejane_1001"] == ["app.py", "config.py"]  # two uploads, one row
    assert read["obriensiobhán_1002"] == ["app.py"]  # LATE, and -1 off the name shown
    assert read["núñezjosé_1003"] == ["project.zip/project/app.py"]  # the student's zip
    assert read["weili_1005"] == ["app-2.py", "app.py"]  # app.py exists: -2 stays


def test_blackboard_marks_the_latest_attempt_named_from_its_receipt(tmp_path: Path) -> None:
    cohort = list_cohort(str(write_tree(tmp_path / "bb", BLACKBOARD)))
    sub = next(s for s in cohort.submissions if s.name == "sobrien")
    assert sub.identity == Identity("Siobhán O'Brien", "", "sobrien")
    assert [part for _, part in sub.parts] == ["app.py"]
    assert "2026-11-30" in sub.parts[0][0]


def test_moodle_participant_with_two_plugin_folders_is_one_row(tmp_path: Path) -> None:
    read = parts_read(write_zip(tmp_path / "m.zip", MOODLE))
    assert read["Jane Doe_501"] == ["app.py", "config.py"]
    assert read["Siobhán O'Brien_502"] == ["src/app.py"]


def test_classroom_identity_from_the_repository_name(tmp_path: Path) -> None:
    cohort = list_cohort(str(write_tree(tmp_path / "anything", CLASSROOM)))
    assert {s.name: s.identity for s in cohort.submissions}["flask-lab-amlefevre"] == Identity(
        "", "", "amlefevre"
    )
    # on disk, each repository is a folder of its own (its git history can be read)
    assert all(os.path.isdir(s.path) and not s.parts for s in cohort.submissions)


# ------------------------------------------------------------------ never mistaken


ORDINARY = {
    "alice/app.py": PUBLISHED,
    "bob.py": NO_KEY,
    "lab1-carol/app.py": NO_KEY,
    "lab1-dave/app.py": NO_KEY,
    "team_2/app.py": NO_KEY,
    "2024_01_hw.py": NO_KEY,
}


@pytest.mark.parametrize(
    "files",
    [
        ORDINARY,
        # folders sharing a prefix but no git repositories: not GitHub Classroom
        {"lab1-carol/app.py": NO_KEY, "lab1-dave/app.py": NO_KEY},
        # git repositories without a shared assignment prefix
        {"alice/.git/HEAD": "x", "bob/.git/HEAD": "x"},
    ],
    ids=["ordinary", "prefix-without-git", "git-without-prefix"],
)
def test_an_ordinary_folder_is_never_an_export(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes], files: dict[str, bytes | str]
) -> None:
    root = write_tree(tmp_path / "cohort", files)
    cohort = list_cohort(str(root))
    assert cohort.note is None
    assert all(s.identity is None and not s.parts for s in cohort.submissions)
    code, out, err = report(capsysbinary, "--format", "csv", str(root))
    assert code == 0 and err == ""
    assert out.splitlines()[0].startswith("submission,verdict,")  # the columns of today


def test_a_few_platform_names_in_an_ordinary_folder_get_a_note(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "cohort", {**ORDINARY, "smithbob_12_34_app.py": NO_KEY})
    cohort = list_cohort(str(root))
    assert cohort.note is not None and "Canvas" in cohort.note and "\n" not in cohort.note
    assert all(s.identity is None for s in cohort.submissions)


def test_an_ambiguous_folder_is_reported_not_guessed(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    root = write_tree(tmp_path / "cohort", {**CANVAS, "alice/app.py": HARDCODED})
    code, out, err = report(capsysbinary, str(root))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "ambiguous layout" in err and "--layout canvas" in err
    # told which layout, it reads the students, and the stray folder as a submission
    rows = report_json(capsysbinary, "--layout", "canvas", str(root))
    assert len(rows) == 6
    alice = next(r for r in rows if r["submission"] == "alice")
    assert alice["verdict"] == "hardcoded" and alice["student_name"] is None
    # and as folders, each entry is a submission, as before
    assert len(report_json(capsysbinary, "--layout", "folders", str(root))) == len(CANVAS) + 1


def test_a_layout_that_fits_nothing_is_a_usage_error(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    root = write_tree(tmp_path / "cohort", ORDINARY)
    for layout in ("canvas", "blackboard", "moodle", "classroom"):
        code, _, err = report(capsysbinary, "--layout", layout, str(root))
        assert code == 2 and err.count("\n") == 1 and f"--layout {layout}" in err
    with pytest.raises(LayoutError):
        list_cohort(str(root), "moodle")


def test_explicit_classroom_needs_no_git(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "c", {"lab1-carol/app.py": NO_KEY, "lab1-dave/app.py": NO_KEY})
    cohort = list_cohort(str(root), "classroom")
    assert [s.identity for s in cohort.submissions] == [
        Identity("", "", "carol"),
        Identity("", "", "dave"),
    ]


# ------------------------------------------------------------------ identity columns


@pytest.fixture
def canvas_export(tmp_path: Path) -> Path:
    return write_zip(tmp_path / "submissions.zip", CANVAS)


def test_identity_columns_in_every_format(
    canvas_export: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    _, out, _ = report(capsysbinary, "--format", "csv", str(canvas_export))
    header = next(csv.reader(io.StringIO(out)))
    assert header[:4] == ["submission", "student_name", "student_id", "username"]
    table = report(capsysbinary, str(canvas_export))[1]
    assert "STUDENT" in table.splitlines()[0] and "obriensiobhán" in table and "1002" in table
    markdown = report(capsysbinary, "--format", "markdown", str(canvas_export))[1]
    assert "| Student | Student Id | Username |" in markdown
    page = report(capsysbinary, "--format", "html", str(canvas_export))[1]
    assert "<th>Student Id</th>" in page and "<td>1002</td>" in page
    assert "Feedback for the student" in page
    rows = report_json(capsysbinary, str(canvas_export))
    assert {r["student_id"] for r in rows} == set(CANVAS_IDS.values())


def test_hostile_names_are_escaped_in_every_format(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    files = {"Eve\x1b[31m Evil\u202e_506_assignsubmission_file_/app.py": HARDCODED,
             "Li Wei_505_assignsubmission_file_/app.py": NO_KEY}  # fmt: skip
    export = write_zip(tmp_path / "m.zip", files)
    for fmt in ("table", "csv", "json", "markdown", "html", "marks"):
        code, out, _ = report(capsysbinary, "--format", fmt, str(export))
        assert code == 0
        assert "\x1b" not in out and "\u202e" not in out, fmt
        assert "platform-literal-secret" not in out


def test_links_and_fifos_in_an_export_folder_are_never_opened(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "c", CANVAS)
    outside = write_tree(tmp_path / "outside", {"app.py": HARDCODED}) / "app.py"
    (root / "doejane_1001_90009_extra.py").symlink_to(outside)
    os.mkfifo(root / "weili_1005_90010_pipe.py")
    read = parts_read(root)
    assert read["doejane_1001"] == ["app.py", "config.py", "extra.py"]
    reader = Reader(next(s for s in list_cohort(str(root)).submissions if s.name == "weili_1005"))
    errors = {f.path: f.error for f in reader.files()}
    assert errors["pipe.py"] is not None and "not read" in errors["pipe.py"]


def test_zip_caps_apply_to_an_export_zip(tmp_path: Path) -> None:
    bomb = b"\0" * (8 * 1024 * 1024)
    export = write_zip(tmp_path / "c.zip", {**CANVAS, "doejane_1001_90011_big.py": bomb})
    cohort = list_cohort(str(export))
    jane = next(s for s in cohort.submissions if s.name == "doejane_1001")
    with pytest.raises(Exception, match="compressed more than"):
        list(Reader(jane).files())


def test_an_unsafe_entry_is_an_error_row_and_the_students_are_marked(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    export = write_zip(tmp_path / "c.zip", {**CANVAS, "../evil_1_2_app.py": HARDCODED})
    rows = report_json(capsysbinary, "--layout", "canvas", str(export))
    assert len(rows) == 6
    evil = next(r for r in rows if r["student_name"] is None)
    assert evil["verdict"] == "error" and "'..'" in str(evil["error"])
    # auto: the unsafe name is no student's, and does not hide the export
    assert len(report_json(capsysbinary, str(export))) == 6


def test_a_blackboard_attempt_without_files_is_an_error_row(tmp_path: Path) -> None:
    files = {**BLACKBOARD, BB.format(user="tk") + ".txt": receipt("Tom Kat", "tk")}
    cohort = list_cohort(str(write_zip(tmp_path / "bb.zip", files)))
    tom = next(s for s in cohort.submissions if s.name == "tk")
    assert tom.identity == Identity("Tom Kat", "", "tk")
    assert list(Reader(tom).files()) == []  # never the whole export


def test_names_that_fit_two_platforms_are_ambiguous(tmp_path: Path) -> None:
    # a Blackboard assignment named "Lab_1_2" reads as Canvas's <name>_<id>_<id>_ too
    files = {f"Lab_1_2_{u}_attempt_2026-11-30-17-45-12_app.py": NO_KEY for u in ("ann", "bo")}
    with pytest.raises(LayoutError, match="fit Canvas and Blackboard alike") as info:
        list_cohort(str(write_tree(tmp_path / "x", files)))
    assert "--layout canvas or --layout blackboard" in str(info.value)
    cohort = list_cohort(str(tmp_path / "x"), "blackboard")
    assert [s.identity.username for s in cohort.submissions if s.identity] == ["ann", "bo"]


def test_one_entry_is_never_detected(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "x", {"lab_1_2_app.py": NO_KEY})
    cohort = list_cohort(str(root))
    assert [s.name for s in cohort.submissions] == ["lab_1_2_app.py"]
    assert cohort.note is not None and "its one entry is named as in a Canvas" in cohort.note


def test_desktop_junk_does_not_hide_an_export(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "x", {**CANVAS, "Thumbs.db": b"\0", "desktop.ini": "[x]"})
    assert len(list_cohort(str(root)).submissions) == 5


def test_explicit_layout_reads_the_zip_alone_in_a_folder(tmp_path: Path) -> None:
    write_zip(tmp_path / "cohort" / "bb.zip", BLACKBOARD)
    cohort = list_cohort(str(tmp_path / "cohort"), "blackboard")
    assert sorted(s.name for s in cohort.submissions) == sorted(STUDENTS)


def test_two_canvas_resubmissions_never_share_a_name(tmp_path: Path) -> None:
    files = {"weili_1005_1_app-1.py": NO_KEY, "weili_1005_2_app-2.py": NO_KEY}
    read = parts_read(write_zip(tmp_path / "c.zip", files))
    assert read == {"weili_1005": ["app-2.py", "app.py"]}


def test_identities_survive_the_worker_processes(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    files = {f"student{n}_{2000 + n}_{n}_app.py": NO_KEY for n in range(30)}
    export = write_zip(tmp_path / "c.zip", files)
    code, out, err = report(capsysbinary, "--format", "json", "--jobs", "2", str(export))
    assert code == 0, err
    rows = json.loads(out)["submissions"]
    assert len(rows) == 30
    assert {r["student_id"] for r in rows} == {str(2000 + n) for n in range(30)}
    assert all(r["verdict"] == "no-key" and r["feedback"] for r in rows)


def test_history_is_each_classroom_repository_and_no_other_export(
    tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    canvas = write_tree(tmp_path / "canvas", CANVAS)
    os.mkdir(canvas / ".git")  # the teacher's own repository around the export
    rows = report_json(capsysbinary, "--history", str(canvas))
    assert {r["history"] for r in rows} == {"no history: a platform's export holds no git history"}
    files = {rel: data for rel, data in CLASSROOM.items() if "/.git/" not in rel}
    classroom = write_tree(tmp_path / "flask-lab-submissions", files)
    for repo in classroom.iterdir():
        git = ["git", "-C", str(repo), "-c", "user.name=s", "-c", "user.email=s@example.org"]
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "lab"]):
            subprocess.run([*git, *command], check=True, capture_output=True)
    rows = report_json(capsysbinary, "--history", str(classroom))
    assert len(rows) == 5 and all(r["username"] for r in rows)
    assert {r["history"] for r in rows} >= {"1 still in HEAD", "no key in 1 commit"}
