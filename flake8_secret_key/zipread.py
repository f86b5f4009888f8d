"""A lean reader for the plain zips most students upload; ``zipfile`` for all others.

``zipfile`` is general and careful, and it costs: 4-7 ms to import (it brings
shutil, bz2, lzma and threading) and some 30 us of Python per entry opened,
which on a cohort was more than parsing the students' code. Most uploads are
the plain kind: one disk, no archive comment, no zip64, no encryption, entries
stored or deflated. For those this module reads the central directory and the
entries from the bytes in memory with ``struct`` and ``zlib`` alone.

It never decides anything that ``zipfile`` would decide differently: it
accepts only what it can read exactly as ``zipfile`` does, and answers ``None``
for everything else (an unusual archive, an entry whose local header, size,
CRC or deflate stream does not check out), so that the caller asks ``zipfile``,
which then reads it or gives its own error. A result from here is always the
one ``zipfile`` gives (``tests/test_zipread.py`` compares the two on generated
and corrupted archives).
"""

from __future__ import annotations

import itertools
import os
import struct
import zlib

from flake8_secret_key.tuples import NamedTuple

_END = struct.Struct("<4s4H2LH")  # end of central directory record
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # central directory file header
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header
_EXTRA = struct.Struct("<HH")
_END_SIG = b"PK\x05\x06"
_ZIP64_LOCATOR_SIG = b"PK\x06\x07"
_CENTRAL_SIG = b"PK\x01\x02"
_LOCAL_SIG = b"PK\x03\x04"

#: Flag bits: encrypted, compressed patched data, strong encryption.
_UNREADABLE_FLAGS = 0x01 | 0x20 | 0x40
_UTF8_FLAG = 0x800
#: Extra fields that change an entry's sizes, offset or name (zip64; Info-ZIP's
#: Unicode path, which newer Pythons read): left to zipfile.
_MEANINGFUL_EXTRAS = frozenset({0x0001, 0x7075})
#: The highest "version needed to extract" zipfile accepts (6.3).
_MAX_EXTRACT_VERSION = 63
_STORED, _DEFLATED = 0, 8
#: zip64 uses these as "see the extra field".
_ZIP64_MARK = 0xFFFFFFFF


class Entry(NamedTuple):
    """One file of the archive, with the attributes of ``zipfile.ZipInfo`` it needs."""

    filename: str  # as zipfile gives it: cut at a NUL, "/"-separated
    file_size: int
    compress_size: int
    external_attr: int
    CRC: int
    compress_type: int
    flag_bits: int
    header_offset: int
    end_offset: int  # where the next entry (or the central directory) starts
    raw_name: bytes
    position: int  # its place in the central directory (zipfile's infolist())


def read_directory(data: bytes) -> list[Entry] | None:
    """The entries of the zip ``data``, in central-directory order; None unless plain.

    Plain: the end record is the last 22 bytes (no comment), one disk, no zip64
    records or fields, the central directory right before the end record (no
    data prepended to the archive), and every entry readable (stored or
    deflated, not encrypted) with a name that decodes.
    """
    end = len(data) - _END.size
    if end < 0:
        return None
    sig, disk, cd_disk, here, count, cd_size, cd_offset, comment = _END.unpack_from(data, end)
    if sig != _END_SIG or comment or disk or cd_disk or here != count:
        return None
    if cd_offset + cd_size != end:  # data before the archive, or a lie
        return None
    if end >= 20 and data[end - 20 : end - 16] == _ZIP64_LOCATOR_SIG:
        return None
    rows = _central_rows(data, cd_offset, end)
    if rows is None or len(rows) != count:
        return None
    starts = sorted([row[-1] for row in rows] + [cd_offset])
    after = dict(itertools.pairwise(starts))
    if len(after) != count or starts[-1] != cd_offset:  # shared data, or past the directory
        return None
    make = Entry._make
    entries: list[Entry] = []
    for position, (raw, flags, size, csize, attr, crc, method, offset) in enumerate(rows):
        if raw.isascii():  # most names: the same in cp437 and UTF-8
            name = raw.decode("ascii")
        else:
            try:
                name = raw.decode("utf-8" if flags & _UTF8_FLAG else "cp437")
            except UnicodeDecodeError:
                return None
        if "\0" in name:  # as ZipInfo does: the name ends at a NUL
            name = name[: name.index("\0")]
        if os.sep != "/":  # pragma: no cover (Windows)
            name = name.replace(os.sep, "/")
        end_offset = after[offset]
        entries.append(
            make((name, size, csize, attr, crc, method, flags, offset, end_offset, raw, position))
        )
    return entries


_Row = tuple[bytes, int, int, int, int, int, int, int]


def _central_rows(data: bytes, pos: int, end: int) -> list[_Row] | None:
    """The central directory's headers from ``pos`` to ``end``; None unless all plain.

    Each row: raw name, flags, size, compressed size, attributes, CRC, method, offset.
    """
    unpack = _CENTRAL.unpack_from
    rows: list[_Row] = []
    while pos < end:
        if pos + _CENTRAL.size > end:
            return None
        (sig, _, _, version, _, flags, method, _, _, crc, csize, size, name_len, extra_len,
         comment_len, _, _, attr, offset) = unpack(data, pos)  # fmt: skip
        if (
            sig != _CENTRAL_SIG
            or version > _MAX_EXTRACT_VERSION
            or flags & _UNREADABLE_FLAGS
            or (method != _DEFLATED and method != _STORED)
            or csize == _ZIP64_MARK
            or size == _ZIP64_MARK
            or offset == _ZIP64_MARK
        ):
            return None
        name_at = pos + _CENTRAL.size
        extra_at = name_at + name_len
        pos = extra_at + extra_len + comment_len
        if pos > end:
            return None
        if extra_len and not _plain_extra(data[extra_at : extra_at + extra_len]):
            return None
        rows.append((data[name_at:extra_at], flags, size, csize, attr, crc, method, offset))
    return rows


def _plain_extra(extra: bytes) -> bool:
    """Whether an extra field is well formed and holds nothing zipfile acts on."""
    pos = 0
    while len(extra) - pos >= _EXTRA.size:
        kind, size = _EXTRA.unpack_from(extra, pos)
        pos += _EXTRA.size + size
        if pos > len(extra) or kind in _MEANINGFUL_EXTRAS:
            return False
    return True


def read_entry(data: bytes, entry: Entry, limit: int) -> bytes | None:
    """The entry's bytes when everything checks out, else None (ask zipfile).

    ``limit``: the caller reads no more than this many bytes; an entry that
    says it is as large or larger is left to the caller's bounded reading.
    """
    if entry.file_size >= limit:
        return None
    pos = entry.header_offset
    if pos + _LOCAL.size > entry.end_offset:
        return None
    sig, _, _, flags, _, _, _, _, _, _, name_len, extra_len = _LOCAL.unpack_from(data, pos)
    name_at = pos + _LOCAL.size
    if sig != _LOCAL_SIG or (flags ^ entry.flag_bits) & _UTF8_FLAG:
        return None
    if data[name_at : name_at + name_len] != entry.raw_name:
        return None
    start = name_at + name_len + extra_len
    stop = start + entry.compress_size
    if stop > entry.end_offset:
        return None
    if entry.compress_type == _STORED:
        out = data[start:stop]
    else:
        inflate = zlib.decompressobj(-15)
        try:
            out = inflate.decompress(data[start:stop], limit)
        except zlib.error:
            return None
        if not inflate.eof:
            return None
    if len(out) != entry.file_size or zlib.crc32(out) != entry.CRC:
        return None
    return out
