"""zipread reads plain zips as zipfile does, and leaves every other zip to zipfile.

The property: whatever the bytes, when zipread gives a directory, zipfile opens the
same bytes and lists the same entries; when zipread gives an entry's bytes,
zipfile reads the very same bytes without an error. Checked on archives written
by zipfile, then corrupted at random.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flake8_secret_key import submissions, zipread

APP = b'import os\nfrom flask import Flask\napp = Flask(__name__)\napp.secret_key = "dev"\n'
FIELDS = ("filename", "file_size", "compress_size", "external_attr", "CRC", "compress_type",
          "flag_bits", "header_offset")  # fmt: skip


def make_zip(
    entries: list[tuple[str, bytes, int]], comment: bytes = b"", prefix: bytes = b""
) -> bytes:
    """A zip as zipfile writes it; ``prefix`` is put before it (offsets not moved)."""
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w") as zf:
        warnings.simplefilter("ignore")  # duplicate names are wanted here
        for name, data, method in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            info.external_attr = 0o100644 << 16
            zf.writestr(info, data)
        zf.comment = comment
    return prefix + buf.getvalue()


def zipfile_entries(data: bytes) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.infolist()


def zipfile_read(data: bytes, position: int) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(zf.infolist()[position])


def assert_agrees(data: bytes) -> None:
    """What zipread says of ``data`` is what zipfile says."""
    entries = zipread.read_directory(data)
    if entries is None:
        return
    infos = zipfile_entries(data)  # raises if zipfile would refuse what zipread took
    assert len(entries) == len(infos)
    for entry, info in zip(entries, infos, strict=True):
        assert [getattr(entry, f) for f in FIELDS] == [getattr(info, f) for f in FIELDS]
        got = zipread.read_entry(data, entry, entry.file_size + 1)
        if got is not None:
            assert got == zipfile_read(data, entry.position)


# ------------------------------------------------------------------ plain zips are read


def test_reads_a_plain_zip_itself() -> None:
    data = make_zip(
        [
            ("s/app.py", APP, zipfile.ZIP_DEFLATED),
            ("s/README.md", b"# hi\n", zipfile.ZIP_STORED),
            ("s/empty.py", b"", zipfile.ZIP_DEFLATED),
            ("s/caf\u00e9.py", APP, zipfile.ZIP_DEFLATED),  # UTF-8 flag
        ]
    )
    entries = zipread.read_directory(data)
    assert entries is not None
    names = ["s/app.py", "s/README.md", "s/empty.py", "s/caf\u00e9.py"]
    assert [e.filename for e in entries] == names
    assert [zipread.read_entry(data, e, 1 << 20) for e in entries] == [APP, b"# hi\n", b"", APP]
    assert_agrees(data)


def test_names_end_at_a_nul_as_in_zipfile() -> None:
    data = make_zip([("app.py\x00.txt", APP, zipfile.ZIP_DEFLATED)])
    entries = zipread.read_directory(data)
    assert entries is not None and entries[0].filename == "app.py"
    assert_agrees(data)


def test_duplicate_names_are_listed_in_order() -> None:
    data = make_zip([("a.py", b"1", 8), ("a.py", b"2", 8)])
    entries = zipread.read_directory(data)
    assert entries is not None
    assert [zipread.read_entry(data, e, 10) for e in entries] == [b"1", b"2"]


def test_an_entry_at_or_over_the_limit_is_left_to_the_caller() -> None:
    data = make_zip([("a.py", APP, zipfile.ZIP_DEFLATED)])
    (entry,) = zipread.read_directory(data) or []
    assert zipread.read_entry(data, entry, len(APP)) is None
    assert zipread.read_entry(data, entry, len(APP) + 1) == APP


def test_plain_zips_are_read_without_zipfile(tmp_path: Path) -> None:
    """The point of zipread: a plain upload is read from memory, zipfile is not asked."""
    inner = make_zip([("inner/app.py", APP, 8)])
    path = tmp_path / "s.zip"
    path.write_bytes(make_zip([("s/app.py", APP, 8), ("s/inner.zip", inner, 0)]))
    opened: list[object] = []
    real = submissions._open_zipfile
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(submissions, "_open_zipfile", lambda *a: opened.append(a) or real(*a))
        files = list(submissions.Reader(submissions.Submission("s.zip", str(path))).files())
    assert [(f.path, f.data) for f in files] == [
        ("s/app.py", APP),
        ("s/inner.zip/inner/app.py", APP),
    ]
    assert opened == []


# ------------------------------------------------------------------ other zips: zipfile's


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(make_zip([("a.py", APP, 8)], comment=b"a comment"), id="comment"),
        pytest.param(make_zip([("a.py", APP, 8)], prefix=b"#!/bin/sh\n" * 3), id="prepended"),
        pytest.param(make_zip([("a.py", APP, zipfile.ZIP_BZIP2)]), id="bzip2"),
        pytest.param(make_zip([("a.py", APP, zipfile.ZIP_LZMA)]), id="lzma"),
        pytest.param(b"", id="empty"),
        pytest.param(b"not a zip at all, not even close to one", id="text"),
    ],
)
def test_unusual_archives_are_left_to_zipfile(data: bytes) -> None:
    assert zipread.read_directory(data) is None


def test_an_end_record_alone_is_an_empty_zip_as_in_zipfile() -> None:
    data = b"PK\x05\x06" + b"\x00" * 18
    assert zipread.read_directory(data) == [] == zipfile_entries(data)


@pytest.mark.parametrize("field", [20, 24, 42], ids=["compressed", "size", "offset"])
def test_zip64_sizes_and_offsets_are_left_to_zipfile(field: int) -> None:
    data = bytearray(make_zip([("a.py", APP, 8)]))
    struct.pack_into("<L", data, data.find(b"PK\x01\x02") + field, 0xFFFFFFFF)
    assert zipread.read_directory(bytes(data)) is None


def test_zip64_end_records_are_left_to_zipfile() -> None:
    data = make_zip([("a.py", APP, 8)])
    end = len(data) - 22
    locator = struct.pack("<4sLQL", b"PK\x06\x07", 0, 0, 1)  # a zip64 locator before it
    patched = data[:end] + locator + data[end:]
    assert zipread.read_directory(patched) is None


def test_zip64_written_by_zipfile_for_a_small_file_is_read_alike() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf, zf.open("a.py", "w", force_zip64=True) as fh:
        fh.write(APP)
    assert_agrees(buf.getvalue())


def test_encrypted_entries_are_left_to_zipfile() -> None:
    data = bytearray(make_zip([("a.py", APP, 8)]))
    central = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 8, 1)  # flag bit 0: encrypted
    assert zipread.read_directory(bytes(data)) is None


def test_a_bad_crc_is_left_to_zipfile() -> None:
    data = bytearray(make_zip([("a.py", APP, zipfile.ZIP_STORED)]))
    at = data.find(b"secret_key")
    data[at] ^= 1  # the data changes, its CRC does not
    entries = zipread.read_directory(bytes(data))
    assert entries is not None
    assert zipread.read_entry(bytes(data), entries[0], 1 << 20) is None
    with pytest.raises(zipfile.BadZipFile, match="CRC"):
        zipfile_read(bytes(data), 0)


def test_entries_sharing_their_data_are_left_to_zipfile() -> None:
    data = bytearray(make_zip([("a.py", APP, 8), ("b.py", APP, 8)]))
    second = data.find(b"PK\x01\x02", data.find(b"PK\x01\x02") + 4)
    struct.pack_into("<L", data, second + 42, 0)  # b.py's header offset: a.py's
    assert zipread.read_directory(bytes(data)) is None


def test_a_local_name_that_differs_is_left_to_zipfile() -> None:
    data = bytearray(make_zip([("a.py", APP, 8)]))
    data[30] = ord("b")  # the local header's name: b.py
    entries = zipread.read_directory(bytes(data))
    assert entries is not None
    assert zipread.read_entry(bytes(data), entries[0], 1 << 20) is None


def test_a_truncated_deflate_stream_is_left_to_zipfile() -> None:
    raw = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = raw.compress(APP)  # no flush: the stream never ends
    data = bytearray(make_zip([("a.py", APP, zipfile.ZIP_STORED)]))
    entries = zipread.read_directory(bytes(data))
    assert entries is not None
    entry = entries[0]._replace(compress_type=8, compress_size=len(stream))
    assert zipread.read_entry(bytes(data), entry, 1 << 20) is None


# ------------------------------------------------------------------ the property


_NAMES = st.sampled_from(
    ["app.py", "s/app.py", "s/", "caf\u00e9.py", "\u00fc/x.py", "a\x00b.py", "venv/pyvenv.cfg",
     "deep/er/x.py", "x.zip"]
)  # fmt: skip
_ENTRIES = st.lists(
    st.tuples(
        _NAMES,
        st.binary(max_size=300) | st.just(APP * 3),
        st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]),
    ),
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_ENTRIES, st.binary(max_size=3))
def test_agrees_with_zipfile_on_archives_it_wrote(
    entries: list[tuple[str, bytes, int]], comment: bytes
) -> None:
    data = make_zip(entries, comment)
    if not comment:
        assert zipread.read_directory(data) is not None
    assert_agrees(data)


@settings(max_examples=1500, deadline=None)
@given(_ENTRIES, st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), max_size=4))
def test_agrees_with_zipfile_on_corrupted_archives(
    entries: list[tuple[str, bytes, int]], flips: list[tuple[int, int]]
) -> None:
    data = bytearray(make_zip(entries))
    for at, value in flips:
        data[at % len(data)] = value
    try:
        assert_agrees(bytes(data))
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError) as exc:
        # zipfile refused bytes that zipread read: they must not have been read then.
        pytest.fail(f"zipread read what zipfile refuses: {exc!r}")


@settings(max_examples=300, deadline=None)
@given(_ENTRIES, st.integers(1, 200))
def test_agrees_with_zipfile_on_truncated_archives(
    entries: list[tuple[str, bytes, int]], cut: int
) -> None:
    data = make_zip(entries)
    assert_agrees(data[: max(0, len(data) - cut)])
    assert_agrees(data[cut:])
