"""flask-unsign's wordlist: the keys an attacker tries first, as a compact table.

``flask-unsign --unsign --cookie ...`` recovers a Flask app's key from one session
cookie by trying every entry of the ``flask-unsign-wordlist`` package (55,982 keys
collected from public code on GitHub, GitLab, Stack Overflow and Stack Exchange). Every
key in it is published, so every one is SKY101.

Each line is read as flask-unsign reads it (``flask_unsign.helpers.parse``): the line,
stripped, through ``ast.literal_eval`` (``'...'``, ``"..."``, ``b'...'``, with their
escapes), or the stripped text itself when that fails; bytes that are not UTF-8 stay
bytes. A value that is neither str nor bytes is no key (flask-unsign refuses it).

Reading the list costs about 220 ms (literal_eval and normalising 56k lines): far over
the editor's 10 ms budget. So the package ships ``wordlist.bin``, built from the list
by ``python -m flake8_secret_key.wordlist``: the sorted 64-bit FNV-1a fingerprints of
the entries' normalised forms (``known_keys.normalize``), 8 bytes each (373 KiB for
47,783 distinct forms). It is read only when a hardcoded key is not found in the
documented table, in about 0.5 ms, and searched by bisection. A 64-bit fingerprint
mistakes another key for an entry with a chance of about 47,783 / 2**64 (3e-15) per
key; hashlib's blake2b would do as well but costs the editor 4-5 ms to import (its
OpenSSL module), FNV-1a a loop over the key's bytes. The file's header records the
installed list it was built from (version and size); when the installed list is
another one, it is read in full once per process and its entries are added.
"""

from __future__ import annotations

import ast
import os
import sys
import warnings
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache

from flake8_secret_key.known_keys import normalize

#: Where the package's table lives, beside this module.
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "wordlist.bin")
MAGIC = b"flake8-secret-key wordlist 1\n"
_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = 0xFFFFFFFFFFFFFFFF


def fingerprint(norm: str) -> int:
    """64-bit FNV-1a of a normalised key's UTF-8 bytes (lone surrogates kept)."""
    h = _FNV_OFFSET
    for byte in norm.encode("utf-8", "surrogatepass"):
        h = ((h ^ byte) * _FNV_PRIME) & _MASK
    return h


def parse_line(line: bytes) -> str | bytes | None:
    """One wordlist line as flask-unsign reads it; None when it is no key."""
    try:
        text = line.decode()
    except UnicodeDecodeError:
        return line.strip()  # flask-unsign: the stripped bytes
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes warn, as in flask-unsign
            value = ast.literal_eval(text.strip())
    except (SyntaxError, ValueError):
        return text.strip()
    except (TypeError, MemoryError, RecursionError):
        return None  # flask-unsign stops on such a line; it is no key either way
    return value if isinstance(value, (str, bytes)) else None


def forms(value: str | bytes) -> Iterator[str]:
    """The forms a value is compared under: a str as it is; bytes as Latin-1 text (as
    the documented table compares them) and, when they are UTF-8, as that text too (a
    str key is signed as its UTF-8 bytes). Each text is normalised; one made only of
    spaces, ``-`` and ``_`` (``"-----"``) is kept as it is, after a NUL, a form no
    normalised text can take (it would hold no separator)."""
    texts = [value] if isinstance(value, str) else [value.decode("latin-1")]
    if isinstance(value, bytes):
        try:
            text = value.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not text.isascii():
                texts.append(text)
    for text in texts:
        yield normalize(text) or ("\0" + text if text else "")


def entries(path: str) -> Iterator[str | bytes]:
    """The keys of a wordlist file, in order."""
    with open(path, "rb") as handle:
        for line in handle:
            value = parse_line(line)
            if value is not None:
                yield value


def build(values: Iterable[str | bytes]) -> array[int]:
    """The sorted, distinct fingerprints of the values' non-empty normalised forms."""
    prints = {fingerprint(norm) for value in values for norm in forms(value) if norm}
    return array("Q", sorted(prints))


def _beside_us_size() -> int | None:
    """The size of the list where pip puts it, beside this package, or None: one
    ``stat`` instead of importing ``flask_unsign_wordlist`` to ask where it is."""
    try:
        return os.stat(_BESIDE_US).st_size
    except OSError:
        return None


_BESIDE_US = os.path.join(
    os.path.dirname(os.path.dirname(DATA)), "flask_unsign_wordlist", "wordlists", "all.txt"
)


def installed() -> tuple[str, str, int] | None:
    """(path, version, size) of the installed ``flask-unsign-wordlist``, or None."""
    try:
        import flask_unsign_wordlist  # type: ignore[import-untyped]

        path = flask_unsign_wordlist.get("all")
        return path, str(flask_unsign_wordlist.__version__), os.stat(path).st_size
    except Exception:  # not installed, or a release that moved the list: the table stands
        return None


def encode(table: array[int], version: str, size: int) -> bytes:
    """The bytes of ``wordlist.bin``: a header line, then little-endian fingerprints."""
    if sys.byteorder == "big":
        table = array("Q", table)
        table.byteswap()
    return MAGIC + f"{version} {size} {len(table)}\n".encode("ascii") + table.tobytes()


def decode(data: bytes) -> tuple[Sequence[int], str, int]:
    """(fingerprints, version, size) from ``wordlist.bin``'s bytes; ValueError if bad.

    The fingerprints are a view of ``data`` (no copy: half a millisecond less for
    the editor), but on a big-endian machine, which must swap their bytes.
    """
    if not data.startswith(MAGIC):
        raise ValueError("not a wordlist table")
    end = data.index(b"\n", len(MAGIC))
    version, size, count = data[len(MAGIC) : end].decode("ascii").split()
    body = memoryview(data)[end + 1 :]
    if len(body) != 8 * int(count):
        raise ValueError("a truncated wordlist table")
    if sys.byteorder == "big":
        table = array("Q", body.tobytes())
        table.byteswap()
        return table, version, int(size)
    return body.cast("Q"), version, int(size)


class Wordlist:
    """The fingerprints of every key in the list, searched by bisection."""

    def __init__(self, tables: Iterable[Sequence[int]]) -> None:
        self.tables = [t for t in tables if len(t)]

    def __contains__(self, norm: object) -> bool:
        if not isinstance(norm, str) or not norm:
            return False
        h = fingerprint(norm)
        for table in self.tables:
            at = bisect_left(table, h)
            if at < len(table) and table[at] == h:
                return True
        return False


@lru_cache(maxsize=1)
def load() -> Wordlist:
    """The package's table, plus the installed list when it is another one.

    Never raises: a missing or damaged table leaves the installed list, read in full.
    """
    tables: list[Sequence[int]] = []
    built_from: tuple[str, int] | None = None
    try:
        with open(DATA, "rb") as handle:
            table, version, size = decode(handle.read())
        tables.append(table)
        built_from = (version, size)
    except (OSError, ValueError, UnicodeDecodeError):
        pass
    if built_from is not None and _beside_us_size() == built_from[1]:
        return Wordlist(tables)  # the list installed beside us is the one the table holds
    found = installed()
    if found is not None and found[1:] != built_from:
        try:
            tables.append(build(entries(found[0])))
        except OSError:
            pass
    return Wordlist(tables)


def main() -> int:
    """``python -m flake8_secret_key.wordlist``: rebuild ``wordlist.bin`` from the
    installed list (a maintainer's step after a new release of the list)."""
    found = installed()
    if found is None:
        sys.stderr.write("flask-unsign-wordlist is not installed\n")
        return 1
    path, version, size = found
    table = build(entries(path))
    tmp = f"{DATA}.tmp{os.getpid()}"
    with open(tmp, "wb") as handle:
        handle.write(encode(table, version, size))
    os.replace(tmp, DATA)
    print(f"{DATA}: {len(table)} fingerprints from {path} ({version}, {size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
