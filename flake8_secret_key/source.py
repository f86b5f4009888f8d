"""Reading Python source files as Python does: PEP 263 coding cookie, UTF-8 BOM.

``check``, ``report`` and ``fix`` read bytes and decode them here, and ``fix``
encodes back with the same encoding, BOM and line endings.

One departure, to agree with flake8: a second UTF-8 BOM right after the first is
dropped too. Python refuses such a file (U+FEFF is not allowed in source), but
flake8 reads it without a word (its decoder drops one BOM, ``strip_utf_bom`` the
other) and hands the plugin lines without either, so the plugin cannot tell;
``check`` reads the file as flake8 does, and both report its keys. A third BOM
is a syntax error for both.
"""

from __future__ import annotations

import codecs
import io
import tokenize
from typing import NamedTuple

from flake8_secret_key.engine import SourceError


class Decoded(NamedTuple):
    text: str  # without the BOM; line endings untouched
    encoding: str  # the codec name Python would use, e.g. "utf-8", "latin-1"
    bom: bool  # the file starts with a UTF-8 BOM
    newline: str  # the first line ending seen ("\n" if none)
    second_bom: bool = False  # and a second one right after it (dropped, as flake8 does)


def decode(data: bytes) -> Decoded:
    """Decode source bytes; raises ``SourceError`` with a one-line reason."""
    # A coding cookie can only sit in the first two lines: without the word there,
    # the source is UTF-8 and the tokenizer's look can be skipped (the common case).
    encoding = _declared(data) if _first_two_lines(data).find(b"coding") != -1 else "utf-8"
    bom = data.startswith(codecs.BOM_UTF8)
    second = False
    if bom:
        data = data[len(codecs.BOM_UTF8) :]
        encoding = "utf-8"
        second = data.startswith(codecs.BOM_UTF8)
        if second:
            data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        reason = exc.reason if isinstance(exc, UnicodeDecodeError) else exc
        raise SourceError(f"not valid {encoding}: {reason}") from None
    return Decoded(text, encoding, bom, _first_newline(text), second)


def _first_two_lines(data: bytes) -> bytes:
    end = data.find(b"\n")
    if end != -1:
        end = data.find(b"\n", end + 1)
    return data if end == -1 else data[: end + 1]


def _declared(data: bytes) -> str:
    """The PEP 263 coding cookie's codec, as ``tokenize`` reads it."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"cannot read the encoding: {exc.msg}") from None
    return encoding


def encode(decoded: Decoded, text: str) -> bytes:
    """Encode ``text`` back as ``decoded`` was read (same codec, same BOMs)."""
    data = text.encode(decoded.encoding)
    return codecs.BOM_UTF8 * (decoded.bom + decoded.second_bom) + data


def _first_newline(text: str) -> str:
    for i, ch in enumerate(text):
        if ch == "\r":
            return "\r\n" if text[i + 1 : i + 2] == "\n" else "\r"
        if ch == "\n":
            return "\n"
    return "\n"
