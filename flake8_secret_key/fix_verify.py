"""What ``fix`` checks before it hands back new text: only the keys changed.

LibCST round-trips almost every file byte for byte, but not every one: it
drops a form feed at the start of a statement and the space in ``except
ValueError :`` (issue 13), and its positions are off on such lines. So ``fix``
rewrites a file only when

1. ``parse_module(text).code == text`` (``check_round_trip``), and
2. the new text is the old one with each rewritten range replaced and, when
   ``import os`` is added, that one line inserted at a line start
   (``check_only_edits``): a slip of LibCST's or ours never reaches a file.

LibCST walks trees recursively, so a statement nested a few hundred levels
deep (``1 + 1 + ...`` with 400 terms) exhausts Python's recursion limit;
``too_deep`` names the line for the one-line error. Every failure here is a
``SourceError``: the file is left untouched, the other files are still fixed.

Only plain text and ``ast`` here; ``fix`` does the LibCST part.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import NamedTuple

from flake8_secret_key.engine import SourceError, Span, split_lines

#: How the errors end: what to do (``fix`` adds "left untouched").
_BY_HAND = "fix its keys by hand"
#: An ``ast`` depth worth naming as the cause of a RecursionError.
_DEEP = 100


class Edit(NamedTuple):
    """One rewritten range (LibCST's range: parentheses excluded) and its texts."""

    span: Span
    old: str  # the node's code without its parentheses, as LibCST prints it
    new: str


def check_round_trip(code: str, text: str) -> None:
    """LibCST prints ``text`` back exactly, or a ``SourceError`` naming the line."""
    if code != text:
        line = _line_at(text, _common_prefix(code, text))
        raise SourceError(
            f"LibCST cannot rewrite this file exactly: it would change line {line} "
            f"(a form feed or spacing it does not keep; {_BY_HAND})"
        )


def check_only_edits(
    text: str, new_text: str, edits: Sequence[Edit], added_line: str | None
) -> None:
    """``new_text`` is ``text`` with ``edits`` applied (and ``added_line`` inserted).

    Raises ``SourceError`` otherwise: that would be a bug (ours or LibCST's),
    and no file may be written because of it.
    """
    expected = _apply(text, edits)
    if added_line is not None:
        new_text = _without_line(new_text, expected, added_line)
    if new_text != expected:
        line = _line_at(expected, _common_prefix(new_text, expected))
        raise SourceError(
            f"the rewrite would change more than the keys, near line {line} "
            f"(please report; {_BY_HAND})"
        )


def too_deep(text: str) -> SourceError:
    """The error for a file that exhausted the recursion limit in LibCST."""
    depth, line = _deepest(text)
    # Below that, the depth is LibCST's own (e.g. "a" "b" ... nests there, not in ast).
    where = f"line {line} nests {depth} levels deep" if depth >= _DEEP else "it nests too deeply"
    return SourceError(
        f"LibCST cannot rewrite this file: {where} for Python's recursion limit ({_BY_HAND})"
    )


# --------------------------------------------------------------------------- helpers


def _apply(text: str, edits: Sequence[Edit]) -> str:
    """``text`` with each edit's range replaced; each range must hold ``old``."""
    starts = _line_starts(text)
    pieces: list[str] = []
    at = 0
    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.col)):
        start = _offset(starts, edit.span.line, edit.span.col)
        end = _offset(starts, edit.span.end_line, edit.span.end_col)
        if start < at or end < start or text[start:end] != edit.old:
            raise SourceError(
                f"the value on line {edit.span.line} is not where LibCST says it is "
                f"(please report; {_BY_HAND})"
            )
        pieces += [text[at:start], edit.new]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in split_lines(text):
        starts.append(starts[-1] + len(line))
    return starts


def _offset(starts: Sequence[int], line: int, col: int) -> int:
    if not 1 <= line <= len(starts):
        return -1
    return starts[line - 1] + col


def _without_line(new_text: str, expected: str, line: str) -> str:
    """``new_text`` without ``line`` where it departs from ``expected`` (a line start)."""
    at = _common_prefix(new_text, expected)
    start = max(new_text.rfind("\n", 0, at), new_text.rfind("\r", 0, at)) + 1
    if new_text.startswith(line, start):
        return new_text[:start] + new_text[start + len(line) :]
    return new_text


def _common_prefix(a: str, b: str) -> int:
    """Length of the common prefix (bisection on slices: fast on large files)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _line_at(text: str, offset: int) -> int:
    """The 1-based line holding ``offset`` (lines as Python's tokenizer counts them)."""
    return len(split_lines(text[:offset] + "x"))


def _deepest(text: str) -> tuple[int, int]:
    """The deepest ``ast`` node's depth, as LibCST nests it, and its line (0, 0 on failure).

    Walked with a list, not recursion: this runs after a RecursionError.
    """
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return 0, 0
    best = (0, 0)
    stack: list[tuple[ast.AST, int, int]] = [(tree, 0, 0)]
    while stack:
        node, depth, outer_line = stack.pop()
        line: int = getattr(node, "lineno", outer_line)
        if depth > best[0]:
            best = (depth, line)
        # ``a and b and c`` is one BoolOp in ast, nested pairs in LibCST.
        step = len(node.values) if isinstance(node, ast.BoolOp) else 1
        stack.extend((child, depth + step, line) for child in ast.iter_child_nodes(node))
    return best
