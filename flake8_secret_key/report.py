"""Cohort results and their output formats: table, csv, json, markdown, html.

One ``Row`` per submission, with a verdict (worst first):

``published-key``  a published example key (SKY101)
``hardcoded``      a hardcoded key (SKY100)
``fallback``       read from the environment with a hardcoded fallback (SKY102)
``generated``      generated at start-up (SKY900)
``unknown``        read from somewhere the engine cannot follow (a file, another module)
``environment``    set, and only from the environment: the right way
``no-key``         no secret-key setting found
``error``          nothing could be read or parsed; the row says why

The worst observation of a submission decides its verdict. Nothing here ever
holds a secret value: observations carry positions, and the only source text
kept (the HTML context lines) is redacted by ``redact_context`` before it leaves
the worker that read the file.
"""

from __future__ import annotations

from flake8_secret_key.engine import Observation, Source, split_lines
from flake8_secret_key.submissions import printable, sort_key
from flake8_secret_key.tuples import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Sequence

VERDICTS: tuple[str, ...] = (
    "published-key",
    "hardcoded",
    "fallback",
    "generated",
    "unknown",
    "environment",
    "no-key",
    "error",
)
RANK = {v: i for i, v in enumerate(VERDICTS)}
VERDICT_FOR_SOURCE: dict[Source, str] = {
    Source.PUBLISHED: "published-key",
    Source.LITERAL: "hardcoded",
    Source.FALLBACK: "fallback",
    Source.GENERATED: "generated",
    Source.UNKNOWN: "unknown",
    Source.ENVIRONMENT: "environment",
}
FORMATS = ("table", "csv", "json", "markdown", "html")

REDACTED = "«redacted»"
#: Lines of context shown before and after a finding in the HTML report.
CONTEXT = 2
#: Longest context line shown (longer ones are cut).
MAX_LINE = 160
#: Most lines of a multi-line value shown (the rest is elided).
MAX_VALUE_LINES = 3


class ContextLine(NamedTuple):
    """One redacted source line around a finding."""

    number: int
    text: str
    hit: bool  # the line of the finding itself


class Finding(NamedTuple):
    """One observation of a submission, without its value."""

    path: str  # relative to the submission
    line: int
    col: int
    end_line: int
    end_col: int
    code: str | None  # None for environment and unknown observations
    source: str  # Source value: "literal", "environment", ...
    target: str
    message: str
    context: tuple[ContextLine, ...] = ()


class Row(NamedTuple):
    """The result for one submission."""

    submission: str
    verdict: str
    findings: int  # observations with a SKY code
    first_location: str  # "path:line" of the observation that decided the verdict
    python_files: int
    syntax_errors: int  # files that could not be read, decoded or parsed
    error: str  # why the verdict is "error" ("" otherwise)
    observations: tuple[Finding, ...] = ()
    file_errors: tuple[tuple[str, str], ...] = ()  # (path, one-line reason)
    venvs: tuple[str, ...] = ()  # virtual environments skipped, not scanned
    skipped_python_files: int | None = None  # the Python files in them, when counted

    @property
    def skipped_venvs(self) -> int:
        return len(self.venvs)


def error_row(name: str, reason: str) -> Row:
    return Row(name, "error", 0, "", 0, 0, reason)


def sort_rows(rows: Iterable[Row]) -> list[Row]:
    """Rows in the report's one order (``submissions.sort_submissions``'s)."""
    return sorted(rows, key=lambda row: sort_key(row.submission))


def decide(
    observations: Sequence[Finding],
    python_files: int,
    file_errors: Sequence[tuple[str, str]],
    venvs: Sequence[str] = (),
) -> tuple[str, str, str]:
    """(verdict, first location, error reason) for a submission's observations."""
    if observations:
        worst = min(observations, key=lambda f: (_source_rank(f.source), f.path, f.line, f.col))
        return VERDICT_FOR_SOURCE[Source(worst.source)], f"{worst.path}:{worst.line}", ""
    if python_files == 0:
        return "error", "", f"no Python files found{_venvs_skipped(venvs)}"
    if len(file_errors) == python_files:
        path, why = file_errors[0]
        return (
            "error",
            "",
            (f"none of the {python_files} Python files could be parsed ({path}: {why})"),
        )
    return "no-key", "", ""


def _venvs_skipped(venvs: Sequence[str]) -> str:
    if not venvs:
        return ""
    shown = ", ".join(venvs[:3]) + (", ..." if len(venvs) > 3 else "")
    noun = "environment" if len(venvs) == 1 else "environments"
    return f" outside {len(venvs)} virtual {noun} ({shown})"


def _source_rank(source: str) -> int:
    return RANK[VERDICT_FOR_SOURCE[Source(source)]]


def summary(rows: Iterable[Row]) -> dict[str, int]:
    """Count of submissions per verdict, every verdict listed, worst first."""
    counts = dict.fromkeys(VERDICTS, 0)
    for row in rows:
        counts[row.verdict] += 1
    return counts


# ------------------------------------------------------------------ redaction


def redact_context(
    text: str,
    file_observations: Sequence[Observation],
    obs: Observation,
    also: Iterable[str] = (),
    names: Iterable[str] = (),
) -> tuple[ContextLine, ...]:
    """A few lines around ``obs`` in which every secret is redacted.

    Redacted: the value span and the reported span of every non-environment
    observation of the file, every string literal on the lines shown (except
    those spelling exactly one of ``names`` or an environment variable the file
    reads: ``os.environ["SECRET_KEY"]`` stays readable), and any other
    occurrence of those values, or of the texts in ``also`` (the values found in
    the submission's other files), on the lines shown (e.g. in a comment).
    """
    lines = [ln.rstrip("\r\n") for ln in split_lines(text)]
    wanted = _context_numbers(obs, len(lines))
    spans = _value_spans(file_observations)
    secrets = sorted(set(_secret_texts(lines, spans)) | set(also), key=len, reverse=True)
    keep = set(names) | {o.env_var for o in file_observations if o.env_var}
    strings, tokenized = _string_spans(text, keep)
    spans.extend(strings)
    out = []
    for number in wanted:
        raw = lines[number - 1]
        if tokenized:
            shown = _redact_line(raw, number, spans, secrets)
        else:  # could not tokenize: hide everything after the first quote
            import re

            shown = re.sub(r"""['"].*""", REDACTED, _redact_line(raw, number, spans, secrets))
        out.append(ContextLine(number, _clip(shown), number == obs.line))
    return tuple(out)


def secret_texts(text: str, file_observations: Sequence[Observation]) -> list[str]:
    """The texts of a file's secret values, to redact wherever else they appear."""
    lines = [ln.rstrip("\r\n") for ln in split_lines(text)]
    return _secret_texts(lines, _value_spans(file_observations))


def _value_spans(file_observations: Sequence[Observation]) -> list[tuple[int, int, int, int]]:
    """Where the values are: each observation's span, and its value's span.

    A fallback read in place (``os.getenv("K", "x")``) reports the fallback literal
    itself, so the rest of the call stays readable; through a module name
    (``KEY = os.getenv(...)``) the whole value is hidden.
    """
    spans: list[tuple[int, int, int, int]] = []
    for o in file_observations:
        if o.source is Source.ENVIRONMENT:
            continue
        spans.append((o.line, o.col, o.end_line, o.end_col))
        if not (o.source is Source.FALLBACK and o.via is None):
            spans.append((*o.value,))
    return spans


def _context_numbers(obs: Observation, count: int) -> list[int]:
    numbers = set(range(obs.line - CONTEXT, obs.line + CONTEXT + 1))
    value = obs.value
    end = min(value.end_line, value.line + MAX_VALUE_LINES - 1)
    numbers.update(range(value.line - 1, end + 2))
    return sorted(n for n in numbers if 1 <= n <= count)


def _string_spans(
    text: str, keep: Collection[str] = ()
) -> tuple[list[tuple[int, int, int, int]], bool]:
    """Every string literal (f- and t-strings whole) as a span; False if untokenizable.

    Plain literals spelling exactly a name in ``keep`` (``"SECRET_KEY"``) are left out.
    """
    import io
    import re
    import tokenize

    spans: list[tuple[int, int, int, int]] = []
    opened: list[tuple[int, int]] = []  # f-string starts (3.12+ tokenizes them in parts)
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text, newline="").readline):
            kind = tokenize.tok_name.get(tok.type, "")
            if tok.type == tokenize.ERRORTOKEN and tok.string[:1] in ("'", '"'):
                return spans, False  # an unterminated string (Python < 3.12)
            if tok.type == tokenize.STRING:
                if re.fullmatch(_NAME_LITERAL, tok.string) and tok.string[1:-1] in keep:
                    continue
                spans.append((*tok.start, *tok.end))
            elif kind.endswith("STRING_START"):
                opened.append(tok.start)
            elif kind.endswith("STRING_END") and opened:
                spans.append((*opened.pop(), *tok.end))
    except (tokenize.TokenError, SyntaxError, ValueError):
        return spans, False
    return spans, True


#: Patterns compiled on first use (by re's cache): only the HTML and Markdown formats need them.
_NAME_LITERAL = r"""(['"])[A-Za-z_][A-Za-z0-9_]*\1"""


def _secret_texts(lines: Sequence[str], spans: Iterable[Sequence[int]]) -> list[str]:
    """The text of each redacted span (and its inside, without quotes), 4+ characters."""
    found: set[str] = set()
    for line, col, end_line, end_col in spans:
        for n in range(line, end_line + 1):
            if not 1 <= n <= len(lines):
                continue
            text = lines[n - 1]
            piece = text[col if n == line else 0 : end_col if n == end_line else len(text)]
            for candidate in (piece, piece.strip().strip("rRbBuUfF").strip("'\"")):
                if len(candidate.strip()) >= 4:
                    found.add(candidate)
    return sorted(found, key=len, reverse=True)


def _redact_line(
    raw: str, number: int, spans: Iterable[Sequence[int]], secrets: Sequence[str]
) -> str:
    cuts: list[tuple[int, int]] = []
    for line, col, end_line, end_col in spans:
        if line <= number <= end_line:
            start = col if number == line else 0
            stop = end_col if number == end_line else len(raw)
            if stop > start:
                cuts.append((start, stop))
    cuts.sort()
    merged: list[list[int]] = []
    for start, stop in cuts:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], stop)
        else:
            merged.append([start, stop])
    pieces: list[str] = []
    pos = 0
    for start, stop in merged:
        pieces.append(_scrub(raw[pos:start], secrets))
        pieces.append(REDACTED)
        pos = stop
    pieces.append(_scrub(raw[pos:], secrets))
    return "".join(pieces)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, REDACTED)
    return text


def _clip(text: str) -> str:
    text = printable(text.replace("\t", "    "))
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 1] + "…"


# ------------------------------------------------------------------ formats


COLUMNS: tuple[tuple[str, str], ...] = (
    ("submission", "SUBMISSION"),
    ("verdict", "VERDICT"),
    ("findings", "FINDINGS"),
    ("first_location", "FIRST LOCATION"),
    ("python_files", "PY FILES"),
    ("skipped_venvs", "VENVS SKIPPED"),
    ("skipped_python_files", "PY FILES IN VENVS"),
    ("syntax_errors", "SYNTAX ERRORS"),
    ("error", "ERROR"),
)
_NUMERIC = {"findings", "python_files", "skipped_venvs", "skipped_python_files", "syntax_errors"}


def render(rows: Sequence[Row], fmt: str, title: str = "Secret keys") -> str:
    """The whole report in ``fmt`` (one of ``FORMATS``)."""
    renderers: dict[str, Callable[[Sequence[Row], str], str]] = {
        "table": _table,
        "csv": _csv,
        "json": _json,
        "markdown": _markdown,
        "html": _html,
    }
    return renderers[fmt](rows, title)


def _shown_columns(rows: Sequence[Row]) -> tuple[tuple[str, str], ...]:
    """The columns a person reads: the venv file count only when it was counted."""
    if any(row.skipped_python_files is not None for row in rows):
        return COLUMNS
    return tuple(c for c in COLUMNS if c[0] != "skipped_python_files")


def _cells(row: Row, columns: Sequence[tuple[str, str]] = COLUMNS) -> list[str]:
    values = (getattr(row, key) for key, _ in columns)
    return ["" if value is None else str(value) for value in values]


def _summary_line(rows: Sequence[Row]) -> str:
    counts = summary(rows)
    parts = [f"{n} {v}" for v, n in counts.items() if n]
    noun = "submission" if len(rows) == 1 else "submissions"
    return f"{len(rows)} {noun}" + (": " + ", ".join(parts) if parts else "")


def _fit(text: str) -> tuple[str, int]:
    """``text`` on one line, and the columns it takes in a terminal."""
    if text.isascii() and text.isprintable():  # nearly every cell
        return text, len(text)
    text = printable(text)
    return text, _width(text)


def _width(text: str) -> int:
    """The columns ``text`` takes in a terminal: wide and full-width characters take two."""
    from unicodedata import east_asian_width

    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: Sequence[Row], title: str) -> str:
    limit = 48
    columns = _shown_columns(rows)
    right = [key in _NUMERIC for key, _ in columns]
    table = [[(h, len(h)) for _, h in columns]]
    for row in rows:
        cells = [_fit(c) for c in _cells(row, columns)]
        name = cells[0][0]
        if len(name) > limit:
            cells[0] = _fit(name[: limit - 1] + "…")
        table.append(cells)
    widths = [max(r[i][1] for r in table) for i in range(len(columns))]
    lines = []
    for number, cells in enumerate(table):
        padded = []
        for (cell, size), width, to_right in zip(cells, widths, right, strict=True):
            pad = " " * (width - size)
            padded.append(pad + cell if to_right and number else cell + pad)
        lines.append("  ".join(padded).rstrip())
    lines.append("")
    lines.append(_summary_line(rows))
    return "\n".join(lines) + "\n"


def _spreadsheet_safe(text: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows: Sequence[Row], title: str) -> str:
    """RFC 4180, as the csv module writes it: rows end with CRLF, and a field holding
    a comma, a quote or a line break (a student can name a folder ``a\\rb``) is quoted."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(key for key, _ in COLUMNS)
    for row in rows:
        cells = zip(COLUMNS, _cells(row), strict=True)
        writer.writerow(c if key in _NUMERIC else _spreadsheet_safe(c) for (key, _), c in cells)
    return out.getvalue()


def _json(rows: Sequence[Row], title: str) -> str:
    import json

    doc = {
        "version": 1,
        "summary": summary(rows),
        "submissions": [
            {
                **{key: getattr(row, key) for key, _ in COLUMNS},
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
            }
            for row in rows
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


_MD_SPECIAL = r"([\\`*_\[\]<>|&~])"


def _md(text: str) -> str:
    import re  # loaded by now anyway (tokenize), for the HTML and Markdown formats

    return re.sub(_MD_SPECIAL, r"\\\1", printable(text))


def _markdown(rows: Sequence[Row], title: str) -> str:
    lines = [f"**{_md(_summary_line(rows))}**", ""]
    columns = _shown_columns(rows)
    lines.append("| " + " | ".join(_md(h.title()) for _, h in columns) + " |")
    lines.append("|" + "|".join("---:" if key in _NUMERIC else "---" for key, _ in columns) + "|")
    for row in rows:
        cells = [f"`{row.verdict}`" if key == "verdict" else _md(c)
                 for (key, _), c in zip(columns, _cells(row, columns), strict=True)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ html

_COLORS = {
    "published-key": "#b3261e",
    "hardcoded": "#d9480f",
    "fallback": "#e8a317",
    "generated": "#8f6cc4",
    "unknown": "#6b7a8f",
    "environment": "#2b8a3e",
    "no-key": "#9aa5b1",
    "error": "#444b55",
}

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;
max-width:75em;padding:0 1em;color:#1d232b;background:#fff}
h1{font-size:1.5em}h2{font-size:1.2em;margin-top:2em}h3{font-size:1.05em;margin:0}
table{border-collapse:collapse;width:100%}
th,td{padding:.3em .6em;border-bottom:1px solid #dde2e8;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;white-space:nowrap;background:#f3f5f8;position:sticky;top:0}
th:after{content:" \\2195";color:#9aa5b1}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.v{display:inline-block;padding:0 .5em;border-radius:.8em;color:#fff;font-size:.9em;
white-space:nowrap}
section{border:1px solid #dde2e8;border-radius:6px;padding:.8em 1em;margin:1em 0}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;margin:.4em 0 1em}
pre .ln{color:#8a94a0;user-select:none;display:inline-block;min-width:3.5em}
pre .hit{background:#fff3bf;display:block}
code{background:#f3f5f8;padding:0 .2em}
.muted{color:#5b6673}.err{color:#b3261e}
"""

_JS = """
(function(){
var t=document.getElementById('cohort');if(!t)return;
var hs=t.tHead.rows[0].cells;
for(var i=0;i<hs.length;i++){(function(i){hs[i].addEventListener('click',function(){
var b=t.tBodies[0],rs=Array.prototype.slice.call(b.rows);
var d=hs[i].getAttribute('data-dir')==='1'?-1:1;
for(var j=0;j<hs.length;j++)hs[j].removeAttribute('data-dir');
hs[i].setAttribute('data-dir',d===1?'1':'-1');
var num=hs[i].hasAttribute('data-num');
rs.sort(function(x,y){
var a=x.cells[i].getAttribute('data-v'),c=y.cells[i].getAttribute('data-v');
if(a===null)a=x.cells[i].textContent;if(c===null)c=y.cells[i].textContent;
if(num){a=parseFloat(a);c=parseFloat(c);}
return (a<c?-1:a>c?1:0)*d;});
rs.forEach(function(r){b.appendChild(r);});});})(i);}
})();
"""


def _e(text: object) -> str:
    import html

    return html.escape(printable(str(text)), quote=True)


def _chart(rows: Sequence[Row]) -> str:
    counts = summary(rows)
    most = max(counts.values()) or 1
    bar_h, gap, label_w, bar_w = 22, 6, 120, 420
    height = len(counts) * (bar_h + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{label_w + bar_w + 60}" '
        f'height="{height}" aria-label="Submissions per verdict">'
    ]
    for i, (verdict, n) in enumerate(counts.items()):
        y = i * (bar_h + gap)
        w = round(bar_w * n / most) if n else 0
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 16}" text-anchor="end" font-size="13">'
            f"{_e(verdict)}</text>"
            f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" rx="3" '
            f'fill="{_COLORS[verdict]}"/>'
            f'<text x="{label_w + w + 6}" y="{y + 16}" font-size="13">{n}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _badge(verdict: str) -> str:
    return f'<span class="v" style="background:{_COLORS[verdict]}">{_e(verdict)}</span>'


def _html_table(rows: Sequence[Row]) -> str:
    columns = _shown_columns(rows)
    head = "".join(
        f"<th{' data-num' if key in _NUMERIC else ''}>{_e(label.title())}</th>"
        for key, label in columns
    )
    body = []
    for i, row in enumerate(rows):
        cells = []
        for (key, _), value in zip(columns, _cells(row, columns), strict=True):
            if key == "submission":
                name = _e(value)
                if _has_details(row):
                    name = f'<a href="#s{i}">{name}</a>'
                cells.append(f'<td data-v="{_e(value.casefold())}">{name}</td>')
            elif key == "verdict":
                cells.append(f'<td data-v="{RANK[row.verdict]}">{_badge(row.verdict)}</td>')
            elif key == "first_location":
                cells.append(f"<td>{f'<code>{_e(value)}</code>' if value else ''}</td>")
            elif key == "error":
                cells.append(f'<td class="err">{_e(value)}</td>')
            else:
                cells.append(f'<td class="n">{_e(value)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table id="cohort"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    )


def _context_html(context: Sequence[ContextLine]) -> str:
    out = []
    previous = None
    for line in context:
        if previous is not None and line.number != previous + 1:
            out.append('<span class="ln">…</span>\n')
        cls = ' class="hit"' if line.hit else ""
        out.append(f'<span{cls}><span class="ln">{line.number}</span>{_e(line.text)}</span>')
        if not line.hit:
            out.append("\n")
        previous = line.number
    return "<pre>" + "".join(out) + "</pre>"


def _details(rows: Sequence[Row]) -> str:
    out = []
    for i, row in enumerate(rows):
        if not _has_details(row):
            continue
        parts = [f'<section id="s{i}"><h3>{_e(row.submission)} {_badge(row.verdict)}</h3>']
        if row.error:
            parts.append(f'<p class="err">{_e(row.error)}</p>')
        for f in row.observations:
            code = f"<strong>{_e(f.code)}</strong> " if f.code else ""
            parts.append(
                f"<p>{code}<code>{_e(f.path)}:{f.line}:{f.col + 1}</code> "
                f"{_e(f.message)}</p>{_context_html(f.context)}"
            )
        if row.file_errors:
            items = "".join(f"<li><code>{_e(p)}</code>: {_e(e)}</li>" for p, e in row.file_errors)
            parts.append(f'<p class="muted">Files not analysed:</p><ul>{items}</ul>')
        if row.venvs:
            items = "".join(f"<li><code>{_e(v)}/</code></li>" for v in row.venvs)
            parts.append(
                f'<p class="muted">Virtual environments skipped (committed with the code; '
                f"not scanned):</p><ul>{items}</ul>"
            )
        parts.append("</section>")
        out.append("".join(parts))
    return "".join(out)


def _has_details(row: Row) -> bool:
    return bool(row.observations or row.file_errors or row.error or row.venvs)


def _html(rows: Sequence[Row], title: str) -> str:
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()
    csp = (
        "default-src 'none'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; img-src data:; base-uri 'none'; form-action 'none'"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f'<p class="muted">{_e(_summary_line(rows))}. Every secret value is redacted '
        "as <code>" + _e(REDACTED) + "</code>. Click a column header to sort.</p>"
        f"{_chart(rows)}<h2>Submissions</h2>{_html_table(rows)}"
        f"<h2>Findings</h2>{_details(rows) or '<p>None.</p>'}"
        f"<script>{_JS}</script></body></html>\n"
    )
