"""The report in each format: ``render(rows, fmt)``.

For people: ``table`` (a terminal), ``markdown`` and ``html`` (``report_html``).
For programs: ``csv`` and ``json``, with every column whether or not it was
filled (the count of Python files in skipped venvs is empty, or null, unless it
was counted). Every format shows names from students' disks: control characters
are escaped, and CSV cells cannot become spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import TYPE_CHECKING
from unicodedata import east_asian_width

from flake8_secret_key.escape import json_visible, printable
from flake8_secret_key.report import (
    NUMERIC,
    cells,
    data_columns,
    shown_columns,
    summary,
    summary_line,
)
from flake8_secret_key.report_html import html_page

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from flake8_secret_key.report import Row

FORMATS = ("table", "csv", "json", "markdown", "html", "marks")

#: Longest submission name shown in the table (longer ones are cut).
_TABLE_NAME = 48
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&~])")


def render(rows: Sequence[Row], fmt: str, title: str = "Secret keys") -> str:
    """The whole report in ``fmt`` (one of ``FORMATS``)."""
    renderers: dict[str, Callable[[Sequence[Row], str], str]] = {
        "table": _table,
        "csv": _csv,
        "json": _json,
        "markdown": _markdown,
        "html": html_page,
        "marks": _marks,
    }
    return renderers[fmt](rows, title)


# ------------------------------------------------------------------ table


def _table(rows: Sequence[Row], title: str) -> str:
    """Aligned columns for a terminal, and a summary line."""
    columns = shown_columns(rows)
    right = [key in NUMERIC for key, _ in columns]
    lines_of_cells = [[(h, len(h)) for _, h in columns]]
    for row in rows:
        fitted = [_fit(c) for c in cells(row, columns)]
        name = fitted[0][0]
        if len(name) > _TABLE_NAME:
            fitted[0] = _fit(name[: _TABLE_NAME - 1] + "…")
        lines_of_cells.append(fitted)
    widths = [max(r[i][1] for r in lines_of_cells) for i in range(len(columns))]
    lines = []
    for number, line in enumerate(lines_of_cells):
        padded = []
        for (cell, size), width, to_right in zip(line, widths, right, strict=True):
            pad = " " * (width - size)
            padded.append(pad + cell if to_right and number else cell + pad)
        lines.append("  ".join(padded).rstrip())
    lines.append("")
    lines.append(summary_line(rows))
    return "\n".join(lines) + "\n"


def _fit(text: str) -> tuple[str, int]:
    """``text`` on one line, and the columns it takes in a terminal."""
    text = printable(text)
    return text, _width(text)


def _width(text: str) -> int:
    """The columns ``text`` takes in a terminal: wide and full-width characters take two."""
    if text.isascii():
        return len(text)
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


# ------------------------------------------------------------------ csv and json


def _csv(rows: Sequence[Row], title: str) -> str:
    """RFC 4180, as the csv module writes it: rows end with CRLF, and a field holding
    a comma or a quote is quoted. Control and bidi characters are escaped
    (``printable``: a folder ``a\\rb`` is ``a\\rb``), as in every format."""
    out = io.StringIO()
    writer = csv.writer(out)
    columns = data_columns(rows)
    writer.writerow(key for key, _ in columns)
    for row in rows:
        values = zip(columns, cells(row, columns), strict=True)
        writer.writerow(
            c if key in NUMERIC else _spreadsheet_safe(printable(c)) for (key, _), c in values
        )
    return out.getvalue()


def _spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


#: The marks sheet: one row per student, for a platform's grade import.
MARKS_COLUMNS = ("student_name", "student_id", "username", "submission", "verdict", "feedback")


def _marks(rows: Sequence[Row], title: str) -> str:
    """The marks sheet, a CSV written as ``_csv`` writes one: the student's identity
    (empty outside a platform's export), the verdict and the sentence for the student."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MARKS_COLUMNS)
    for row in rows:
        values = ("" if (v := getattr(row, key)) is None else str(v) for key in MARKS_COLUMNS)
        writer.writerow(_spreadsheet_safe(printable(value)) for value in values)
    return out.getvalue()


def _json(rows: Sequence[Row], title: str) -> str:
    """Every column, the venvs, observations (1-based columns, as ``check``) and file errors."""
    doc = {
        "version": 1,
        "summary": summary(rows),
        "submissions": [
            {
                **{key: getattr(row, key) for key, _ in data_columns(rows)},
                "venvs": list(row.venvs),
                "observations": [
                    {
                        "path": f.path,
                        "line": f.line,
                        "col": f.col + 1,
                        "end_line": f.end_line,
                        "end_col": f.end_col + 1,
                        "code": f.code,
                        "source": f.source,
                        "target": f.target,
                        "message": f.message,
                    }
                    for f in row.observations
                ],
                "file_errors": [{"path": p, "error": e} for p, e in row.file_errors],
                "feedback": row.feedback,
            }
            for row in rows
        ],
    }
    # Readable UTF-8, but controls and bidi characters as JSON escapes: the same data.
    return json_visible(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n"


# ------------------------------------------------------------------ markdown


def _markdown(rows: Sequence[Row], title: str) -> str:
    """A summary line and a table, every cell escaped."""
    lines = [f"**{_md(summary_line(rows))}**", ""]
    columns = shown_columns(rows)
    lines.append("| " + " | ".join(_md(h.title()) for _, h in columns) + " |")
    lines.append("|" + "|".join("---:" if key in NUMERIC else "---" for key, _ in columns) + "|")
    for row in rows:
        shown = [f"`{row.verdict}`" if key == "verdict" else _md(c)
                 for (key, _), c in zip(columns, cells(row, columns), strict=True)]  # fmt: skip
        lines.append("| " + " | ".join(shown) + " |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", printable(text))
