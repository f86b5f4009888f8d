"""How text from the code being checked, or from a student's disk, is shown.

Subscript keys, environment-variable names, file and folder names: whoever wrote
the code or named the folder chose every character. Shown raw, an escape
sequence recolours the terminal or retitles its window, a CR LF forges a finding
line in a CI log, and a right-to-left override (U+202E) shows ``y<U+202E>gnp.py``
as ``yypng.py``. So every output shows such characters escaped, spelled as
``repr`` spells them (``\\x1b``, ``\\r``, ``\\u202e``): the text stays on one line and
reads the same everywhere.

Escaped: every character of the Unicode categories Cc (controls: C0, DEL, C1),
Cf (invisible format characters: bidi overrides, embeddings and isolates, zero
widths, the BOM...), Zl and Zp (line and paragraph separators), and Cs (lone
surrogates). The ranges are those of Unicode 15.1 (Python 3.13); a test checks
them against the running Python's ``unicodedata``. Backslashes are left alone.
"""

from __future__ import annotations

import re

_C0 = "\x00-\x1f"
_RANGES = (
    "\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
#: One character that is never shown raw (``unsafe()`` compiles it).
UNSAFE = f"[{_C0}{_RANGES}]"
#: The same outside C0, which ``json.dumps`` escapes itself (its indentation is raw LF).
_JSON_UNSAFE = f"[{_RANGES}]"

_compiled: dict[str, re.Pattern[str]] = {}


def unsafe(pattern: str = UNSAFE) -> re.Pattern[str]:
    """``pattern``, compiled at first use: compiling these classes costs the flake8
    plugin's start-up a millisecond, and most texts never need them (see ``printable``)."""
    found = _compiled.get(pattern)
    if found is None:
        found = _compiled[pattern] = re.compile(pattern)
    return found


_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _spelled(match: re.Match[str]) -> str:
    char = match.group()
    point = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if point < 0x100:
        return f"\\x{point:02x}"
    if point < 0x10000:
        return f"\\u{point:04x}"
    return f"\\U{point:08x}"


def printable(text: str) -> str:
    """``text`` with every control, invisible format and bidi character escaped."""
    if text.isprintable():  # every character escaped here is one isprintable() refuses
        return text
    return unsafe().sub(_spelled, text)


def _json_spelled(match: re.Match[str]) -> str:
    point = ord(match.group())
    if point < 0x10000:
        return f"\\u{point:04x}"
    point -= 0x10000  # a UTF-16 surrogate pair, as JSON spells code points past the BMP
    return f"\\u{0xD800 + (point >> 10):04x}\\u{0xDC00 + (point & 0x3FF):04x}"


def json_visible(document: str) -> str:
    """A JSON document (``json.dumps(..., ensure_ascii=False)``) with every character
    that ``printable`` escapes written as a JSON escape: the same data, nothing raw.

    Past C0 (which ``json.dumps`` escapes), JSON's own syntax is ASCII: such a
    character can only be inside a string.
    """
    return unsafe(_JSON_UNSAFE).sub(_json_spelled, document)
