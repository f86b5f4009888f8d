"""Reading a cohort: folders, zips, exports, hostile archives, venvs."""

from __future__ import annotations

import io
import os
import stat
import tracemalloc
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pytest

from flake8_secret_key import reading, zips
from flake8_secret_key.reading import Reader
from flake8_secret_key.submissions import SourceFile, Submission, SubmissionError, list_submissions

APP = b'from flask import Flask\napp = Flask(__name__)\napp.secret_key = "s3cr3t-value"\n'


def make_zip(entries: Iterable[tuple[str | zipfile.ZipInfo, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def write_tree(root: Path, files: dict[str, bytes]) -> Path:
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def read(sub: Submission) -> tuple[list[str], int]:
    """The paths read, and the Python files counted in skipped venvs."""
    reader = Reader(sub, count_skipped_files=True)
    paths = [f.path for f in reader.files()]
    return paths, reader.skipped_files


def venvs(sub: Submission, count_skipped_files: bool = False) -> tuple[list[str], int]:
    """The skipped venvs a reader lists, and its count of the Python files in them."""
    reader = Reader(sub, count_skipped_files=count_skipped_files)
    for _ in reader.files():
        pass
    return reader.venvs, reader.skipped_files


def read_zip(tmp_path: Path, data: bytes, name: str = "s.zip") -> tuple[list[str], int]:
    path = tmp_path / name
    path.write_bytes(data)
    return read(Submission(name, str(path)))


def refused(tmp_path: Path, data: bytes) -> str:
    with pytest.raises(SubmissionError) as info:
        read_zip(tmp_path, data)
    text = str(info.value)
    assert "\n" not in text
    return text


# ------------------------------------------------------------------ listing


def test_children_are_submissions_sorted_hidden_ignored(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "bob/app.py": APP,
            "Alice/app.py": APP,
            ".git/x": b"",
            "__MACOSX/._x": b"",
            "carol.py": APP,
            "notes.pdf": b"%PDF",
        },
    )
    (tmp_path / "dave.zip").write_bytes(make_zip([("app.py", APP)]))
    names = [s.name for s in list_submissions(str(tmp_path))]
    assert names == ["Alice", "bob", "carol.py", "dave.zip", "notes.pdf"]


def test_other_files_are_listed_and_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (sub,) = list_submissions(str(tmp_path))
    with pytest.raises(SubmissionError, match=r"not a folder, a \.zip or a Python file"):
        read(sub)


def test_single_python_file_submission(tmp_path: Path) -> None:
    (tmp_path / "carol.py").write_bytes(APP)
    (sub,) = list_submissions(str(tmp_path))
    assert read(sub) == (["carol.py"], 0)


# ------------------------------------------------------------------ exports


def test_zip_of_zips_is_an_export(tmp_path: Path) -> None:
    inner_a = make_zip([("app.py", APP), ("venv/pyvenv.cfg", b""), ("venv/lib/x.py", b"")])
    inner_b = make_zip([("proj/main.py", APP)])
    (tmp_path / "export.zip").write_bytes(make_zip([("alice.zip", inner_a), ("bob.zip", inner_b)]))
    subs = list_submissions(str(tmp_path))
    assert [s.name for s in subs] == ["export.zip/alice.zip", "export.zip/bob.zip"]
    assert read(subs[0]) == (["app.py"], 1)
    assert read(subs[1]) == (["proj/main.py"], 0)


def test_zip_of_folders_is_an_export(tmp_path: Path) -> None:
    data = make_zip(
        [
            ("alice/app.py", APP),
            ("bob/src/app.py", APP),
            ("bob/.venv/pyvenv.cfg", b""),
            ("bob/.venv/lib/site.py", b""),
            ("__MACOSX/alice/._app.py", b"\x00"),
        ]
    )
    (tmp_path / "export.zip").write_bytes(data)
    subs = list_submissions(str(tmp_path))
    assert [s.name for s in subs] == ["export.zip/alice", "export.zip/bob"]
    assert read(subs[0]) == (["app.py"], 0)
    assert read(subs[1]) == (["src/app.py"], 1)


def test_export_folder_holding_the_students_zip(tmp_path: Path) -> None:
    """Moodle: one folder per student, holding the zip they uploaded."""
    upload = make_zip([("project/app.py", APP)])
    data = make_zip(
        [
            ("Alice_1_assignsubmission_file_/project.zip", upload),
            ("Bob_2_assignsubmission_file_/app.py", APP),
        ]
    )
    (tmp_path / "export.zip").write_bytes(data)
    subs = list_submissions(str(tmp_path))
    assert len(subs) == 2
    assert read(subs[0]) == (["project.zip/project/app.py"], 0)


@pytest.mark.parametrize(
    "entries",
    [
        [("project/app.py", APP), ("project/README.md", b"")],  # one wrapping folder
        [("app.py", APP), ("templates/index.html", b"")],  # files at the top
        [("app.py", APP)],
    ],
)
def test_a_students_own_zip_is_one_submission(
    tmp_path: Path, entries: list[tuple[str, bytes]]
) -> None:
    (tmp_path / "alice.zip").write_bytes(make_zip(entries))
    assert [s.name for s in list_submissions(str(tmp_path))] == ["alice.zip"]


def test_zip_inside_a_zip_is_read_one_level_only(tmp_path: Path) -> None:
    deepest = make_zip([("deep.py", APP)])
    middle = make_zip([("mid.py", APP), ("deeper.zip", deepest)])
    paths, _ = read_zip(tmp_path, make_zip([("top.py", APP), ("middle.zip", middle)]))
    assert paths == ["top.py", "middle.zip/mid.py"]


def test_zip_inside_a_folder_submission_is_read(tmp_path: Path) -> None:
    write_tree(tmp_path / "alice", {"main.py": APP})
    (tmp_path / "alice" / "upload.zip").write_bytes(make_zip([("app.py", APP)]))
    assert read(Submission("alice", str(tmp_path / "alice"))) == (
        ["main.py", "upload.zip/app.py"],
        0,
    )


# ------------------------------------------------------------------ hostile zips


def test_corrupt_zip(tmp_path: Path) -> None:
    assert "corrupt zip" in refused(tmp_path, b"PK\x03\x04 this is not a zip")


def test_truncated_zip(tmp_path: Path) -> None:
    data = make_zip([("app.py", APP * 50)])
    assert "corrupt zip" in refused(tmp_path, data[: len(data) // 2])


def test_corrupt_member_data(tmp_path: Path) -> None:
    data = bytearray(make_zip([("app.py", APP * 50)]))
    offset = data.index(b"app.py") + len("app.py") + 5  # inside the compressed data
    data[offset : offset + 20] = b"\xff" * 20
    assert "corrupt zip" in refused(tmp_path, bytes(data))


def test_corrupt_nested_zip_names_it(tmp_path: Path) -> None:
    text = refused(tmp_path, make_zip([("app.py", APP), ("inner.zip", b"not a zip")]))
    assert text.startswith("inner.zip: corrupt zip")


def test_corrupt_export_member(tmp_path: Path) -> None:
    (tmp_path / "export.zip").write_bytes(
        make_zip([("a.zip", b"junk"), ("b.zip", make_zip([("app.py", APP)]))])
    )
    a, b = list_submissions(str(tmp_path))
    with pytest.raises(SubmissionError, match="corrupt zip"):
        read(a)
    assert read(b) == (["app.py"], 0)


def test_bomb_by_ratio(tmp_path: Path) -> None:
    text = refused(tmp_path, make_zip([("app.py", b"\0" * (10 * 1024 * 1024))]))
    assert "100:1" in text and "app.py" in text


def test_bomb_by_ratio_inside_nested_zip(tmp_path: Path) -> None:
    inner = make_zip([("app.py", b"\0" * (10 * 1024 * 1024))])
    assert "100:1" in refused(tmp_path, make_zip([("inner.zip", inner)]))


def test_bomb_by_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zips, "MAX_TOTAL", 100_000)
    entries = [(f"m{i}.py", os.urandom(30_000)) for i in range(5)]
    text = refused(tmp_path, make_zip(entries))
    assert "uncompressed" in text and "cap of 0 MB" in text


def test_total_cap_names_200_mb() -> None:
    infos = []
    for i in range(11):  # 11 x 19 MB: each under the per-file cap, together over 200 MB
        info = zipfile.ZipInfo(f"m{i}.py")
        info.file_size = info.compress_size = 19 * 1024 * 1024
        infos.append(info)
    with pytest.raises(SubmissionError, match="cap of 200 MB"):
        zips.plan_zip(infos)
    zips.plan_zip(infos[:10])  # 190 MB is fine


def test_total_cap_spans_nested_zips(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zips, "MAX_TOTAL", 150_000)
    inner = make_zip([(f"m{i}.py", os.urandom(30_000)) for i in range(2)])  # ~60 KB
    outer = make_zip([("a.zip", inner), ("b.zip", inner)])  # 120 KB: under the cap
    paths, _ = read_zip(tmp_path, make_zip([("a.zip", inner)]), "one.zip")
    assert len(paths) == 2  # one nested zip fits
    text = refused(tmp_path, outer)  # both, with their contents, do not (240 KB)
    assert "uncompressed" in text and "cap 0 MB" in text


def test_ratio_is_checked_while_reading_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zips, "check_ratio", lambda info, shown: None)
    text = refused(tmp_path, make_zip([("app.py", b"\0" * (10 * 1024 * 1024))]))
    assert "100:1" in text


def test_entry_larger_than_its_header() -> None:
    data = make_zip([("app.py", APP * 10)])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("app.py")
        info.file_size = 10  # the header lies: the data is longer
        with pytest.raises((SubmissionError, zipfile.BadZipFile)):
            zips.read_entry(zf, info, zips.Budget(), "")


def test_a_lying_header_is_a_corrupt_zip(tmp_path: Path) -> None:
    data = bytearray(make_zip([("app.py", APP * 10)]))
    central = data.index(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # its uncompressed size
    assert "corrupt zip" in refused(tmp_path, bytes(data))


@pytest.mark.parametrize(
    "name", ["../x.py", "/etc/x.py", "a/../../x.py", "..\\x.py", "C:/x.py", "C:\\x.py"]
)
def test_traversal_and_absolute_entries(tmp_path: Path, name: str) -> None:
    text = refused(tmp_path, make_zip([("app.py", APP), (zipfile.ZipInfo(name), APP)]))
    assert "refused" in text and ("absolute" in text or "'..'" in text)


def test_traversal_in_one_export_member_spares_the_others(tmp_path: Path) -> None:
    (tmp_path / "export.zip").write_bytes(
        make_zip([("alice/../../x.py", APP), ("bob/app.py", APP)])
    )
    alice, bob = list_submissions(str(tmp_path))
    with pytest.raises(SubmissionError, match=r"\.\."):
        read(alice)
    assert read(bob) == (["app.py"], 0)


def test_symlink_entry(tmp_path: Path) -> None:
    link = zipfile.ZipInfo("app.py")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    text = refused(tmp_path, make_zip([(link, b"/etc/passwd")]))
    assert "symbolic link" in text


def test_control_characters_in_names_stay_on_one_line(tmp_path: Path) -> None:
    text = refused(tmp_path, make_zip([(zipfile.ZipInfo("../\x1b[2J\nx.py"), APP)]))
    assert "\x1b" not in text and "\\x1b" in text


# ------------------------------------------------------------------ venvs


VENV_LAYOUTS = {
    "venv": {
        "venv/pyvenv.cfg": b"",
        "venv/lib/python3.11/site-packages/flask/app.py": APP,
        "venv/bin/activate_this.py": APP,
    },
    "env": {
        "env/pyvenv.cfg": b"",
        "env/lib/python3.11/site-packages/a.py": APP,
        "env/lib/python3.11/site-packages/b.py": APP,
        "env/bin/x.py": APP,
    },
    ".venv": {
        ".venv/pyvenv.cfg": b"",
        ".venv/lib/site-packages/a.py": APP,
        ".venv/lib/site-packages/b.py": APP,
        ".venv/lib/site-packages/c.py": APP,
    },
    "myenv": {
        "myenv/pyvenv.cfg": b"",
        "myenv/Lib/site-packages/a.py": APP,
        "myenv/Scripts/x.py": APP,
    },
    "windows-no-cfg": {
        "venv/Lib/site-packages/flask/app.py": APP,
        "venv/Lib/site-packages/flask/sessions.py": APP,
    },
    "dist-packages": {
        "lib/python3/dist-packages/x.py": APP,
        "lib/python3/dist-packages/y.py": APP,
    },
    "tools": {".git/hooks/x.py": APP, "__pycache__/app.py": APP, "node_modules/a/b.py": APP},
}
EXPECTED_SKIPPED = {
    "venv": 2,
    "env": 3,
    ".venv": 3,
    "myenv": 2,
    "windows-no-cfg": 2,
    "dist-packages": 2,
    "tools": 0,
}
EXPECTED_VENVS = {
    "venv": ["venv"],
    "env": ["env"],
    ".venv": [".venv"],
    "myenv": ["myenv"],
    "windows-no-cfg": ["venv/Lib/site-packages"],
    "dist-packages": ["lib/python3/dist-packages"],
    "tools": [],
}


@pytest.mark.parametrize("layout", sorted(VENV_LAYOUTS))
def test_venvs_skipped_in_folders(tmp_path: Path, layout: str) -> None:
    root = write_tree(tmp_path / "alice", {"app.py": APP, **VENV_LAYOUTS[layout]})
    assert read(Submission("alice", str(root))) == (["app.py"], EXPECTED_SKIPPED[layout])


@pytest.mark.parametrize("layout", sorted(VENV_LAYOUTS))
def test_venvs_skipped_in_zips(tmp_path: Path, layout: str) -> None:
    entries = [("proj/app.py", APP)] + [("proj/" + k, v) for k, v in VENV_LAYOUTS[layout].items()]
    assert read_zip(tmp_path, make_zip(entries)) == (["proj/app.py"], EXPECTED_SKIPPED[layout])


@pytest.mark.parametrize("layout", sorted(VENV_LAYOUTS))
def test_skipped_venvs_are_listed_alike_in_folders_and_zips(tmp_path: Path, layout: str) -> None:
    root = write_tree(tmp_path / "alice", {"app.py": APP, **VENV_LAYOUTS[layout]})
    zipped = tmp_path / "bob.zip"
    zipped.write_bytes(make_zip([("proj/" + k, v) for k, v in VENV_LAYOUTS[layout].items()]))
    expected = EXPECTED_VENVS[layout]
    # Without count_skipped_files nothing under a venv is listed, so nothing is counted.
    assert venvs(Submission("alice", str(root))) == (expected, 0)
    assert venvs(Submission("bob.zip", str(zipped))) == ([f"proj/{v}" for v in expected], 0)


def test_venvs_in_a_zip_inside_a_folder_are_shown_under_the_zip(tmp_path: Path) -> None:
    inner = make_zip([("app.py", APP), ("venv/pyvenv.cfg", b""), ("venv/bin/x.py", APP)])
    root = write_tree(tmp_path / "alice", {"upload.zip": inner, ".venv/pyvenv.cfg": b""})
    assert venvs(Submission("alice", str(root)), count_skipped_files=True) == (
        [".venv", "upload.zip/venv"],
        1,
    )


def test_symlinks_in_a_folder_are_not_followed(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"private.py": APP})
    root = write_tree(tmp_path / "alice", {"app.py": APP})
    (root / "leak.py").symlink_to(outside / "private.py")
    (root / "dir").symlink_to(outside)
    assert read(Submission("alice", str(root))) == (["app.py"], 0)


def test_unreadable_file_is_a_file_error(tmp_path: Path) -> None:
    got = reading._read_file(str(tmp_path / "gone.py"), "gone.py")
    assert got.path == "gone.py" and got.data == b""
    assert got.error is not None and got.error.startswith("cannot read:")


def test_oversized_file_is_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "MAX_FILE", 10)
    (tmp_path / "big.py").write_bytes(APP)
    got = reading._read_file(str(tmp_path / "big.py"), "big.py")
    assert got.error is not None and "not read" in got.error


def test_files_not_wanted_are_not_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tree = {"app.py": APP, "tests/test_app.py": APP, "conftest.py": APP, "notes.txt": b"x"}
    inner = make_zip(tree.items())
    outer = make_zip([*tree.items(), ("inner.zip", inner)])
    write_tree(tmp_path / "folder", {**tree, "inner.zip": inner})
    (tmp_path / "s.zip").write_bytes(outer)
    (tmp_path / "test_alone.py").write_bytes(APP)
    opened: list[str] = []
    real_file, real_entry = reading._read_file, zips.read_entry

    def read_file(full: str, rel: str) -> SourceFile:
        opened.append(rel)
        return real_file(full, rel)

    def read_entry(
        zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: zips.Budget, shown: str
    ) -> bytes:
        opened.append(shown + info.filename)
        return real_entry(zf, info, budget, shown)

    monkeypatch.setattr(reading, "_read_file", read_file)
    monkeypatch.setattr(reading, "read_entry", read_entry)
    asked: list[str] = []

    def wants(path: str) -> bool:
        asked.append(path)
        return "test" not in path

    for name in ("folder", "s.zip", "test_alone.py"):
        reader = Reader(Submission(name, str(tmp_path / name)), wants=wants)
        paths = [f.path for f in reader.files()]
        assert paths == ([] if name == "test_alone.py" else ["app.py", "inner.zip/app.py"])
    assert sorted(asked) == sorted(
        ["app.py", "conftest.py", "tests/test_app.py"] * 2
        + ["inner.zip/app.py", "inner.zip/conftest.py", "inner.zip/tests/test_app.py"] * 2
        + ["test_alone.py"]
    )
    assert "test" not in " ".join(opened)  # what is not wanted is never read
    assert opened.count("app.py") == 2 and "inner.zip" in opened  # the zip itself is read
    # Without wants, every Python file is read, as before.
    reader = Reader(Submission("folder", str(tmp_path / "folder")))
    assert [f.path for f in reader.files()] == [
        "app.py",
        "conftest.py",
        "tests/test_app.py",
        "inner.zip/app.py",
        "inner.zip/conftest.py",
        "inner.zip/tests/test_app.py",
    ]


def test_the_listing_says_which_submissions_are_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_tree(tmp_path / "cohort", {"alice/app.py": APP, "carol.py": APP})
    (root / "bob.zip").write_bytes(make_zip([("app.py", APP)]))
    (root / "dave").symlink_to(root / "alice")  # a link is never followed (issue 13)
    subs = list_submissions(str(root))
    assert [(s.name, s.folder) for s in subs] == [
        ("alice", True),
        ("bob.zip", False),
        ("carol.py", False),
        ("dave", False),
    ]

    def no_stat(path: str) -> bool:
        raise AssertionError(f"isdir({path!r}): the reader asks lstat, which opens nothing")

    monkeypatch.setattr(os.path, "isdir", no_stat)
    paths = [[f.path for f in Reader(s).files()] for s in subs[:3]]
    assert paths == [["app.py"], ["app.py"], ["carol.py"]]
    with pytest.raises(SubmissionError, match=r"^a symbolic link: not followed"):
        list(Reader(subs[3]).files())
    monkeypatch.undo()
    # Built by hand, without the listing's answer: the reader looks.
    assert [f.path for f in Reader(Submission("alice", str(root / "alice"))).files()] == ["app.py"]


def test_a_zip_is_read_from_its_file_not_whole(tmp_path: Path) -> None:
    """Only the directory and the entries wanted are read: a large upload costs no memory."""
    path = tmp_path / "s.zip"
    path.write_bytes(make_zip([("app.py", APP), ("video.mp4", os.urandom(8 * 1024 * 1024))]))
    tracemalloc.start()
    try:
        assert read(Submission("s.zip", str(path))) == (["app.py"], 0)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1024 * 1024


def test_fifo_is_never_opened(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "alice", {"app.py": APP})
    os.mkfifo(root / "pipe.py")
    assert read(Submission("alice", str(root))) == (["app.py"], 0)


def test_undecodable_file_names_become_text(tmp_path: Path) -> None:
    root = tmp_path / "cohort"
    root.mkdir()
    os.mkdir(os.path.join(os.fsencode(root), b"caf\xe9"))
    (sub,) = list_submissions(str(root))
    assert sub.name == "caf\ufffd"
    sub.name.encode("utf-8")


@pytest.mark.parametrize(
    ("member", "error"),
    [("bob.zip", "bob.zip is missing from the export"), ("carol/", "no Python files found")],
)
def test_a_member_gone_from_the_export_is_a_one_line_error_row(
    tmp_path: Path, member: str, error: str
) -> None:
    # Listed once, gone when read (the export was replaced in between): the row says
    # which member is missing, in one line, and names nothing raw.
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w") as zf:
        zf.writestr("alice/app.py", 'app.secret_key = "Xk9fQ2mZp7LwQ1vB"\n')
    from flake8_secret_key.cmd_report import mark
    from flake8_secret_key.options import Config
    from flake8_secret_key.submissions import Submission

    row = mark(Submission(f"export.zip/{member}", str(export), member, False), Config())
    assert (row.verdict, row.error) == ("error", error)
