"""The report as one self-contained HTML page.

A bar chart of the verdicts, a table sortable by any column, and for each
submission with something to say its findings with a few redacted lines of
context (``redact``), its file errors and its skipped virtual environments.

Everything shown comes from students' disks, so everything is escaped, and the
page loads nothing: inline CSS, an inline SVG chart, and one inline script
allowed by its hash in the Content-Security-Policy (no other script can run).
"""

from __future__ import annotations

import base64
import hashlib
import html
from typing import TYPE_CHECKING

from flake8_secret_key.escape import printable
from flake8_secret_key.redact import REDACTED
from flake8_secret_key.report import NUMERIC, RANK, cells, shown_columns, summary, summary_line

if TYPE_CHECKING:
    from collections.abc import Sequence

    from flake8_secret_key.report import ContextLine, Row

_COLORS = {
    "published-key": "#b3261e",
    "hardcoded": "#d9480f",
    "fallback": "#e8a317",
    "in-history": "#c2255c",
    "empty-key": "#a0522d",
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
.rows{max-height:85vh;overflow:auto;margin:1em 0}
svg{max-width:100%;height:auto}
th,td{padding:.3em .6em;border-bottom:1px solid #dde2e8;text-align:left;vertical-align:top}
th{cursor:pointer;user-select:none;white-space:nowrap;background:#f3f5f8;position:sticky;top:0}
th:after{content:" \\2195";color:#9aa5b1}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.v{display:inline-block;padding:0 .5em;border-radius:.8em;color:#fff;font-size:.9em;
white-space:nowrap}
section{border:1px solid #dde2e8;border-radius:6px;padding:.8em 1em;margin:1em 0;
overflow-wrap:anywhere}
pre{background:#f6f8fa;padding:.5em;overflow-x:auto;margin:.4em 0 1em}
pre .ln{color:#8a94a0;user-select:none;display:inline-block;min-width:3.5em}
pre .hit{background:#fff3bf;display:block}
code{background:#f3f5f8;padding:0 .2em}
.muted{color:#5b6673}.err{color:#b3261e}.fb{background:#f3f5f8;padding:.3em .6em}
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
if(num){a=parseFloat(a);c=parseFloat(c);if(isNaN(a))a=-1/0;if(isNaN(c))c=-1/0;}
return (a<c?-1:a>c?1:0)*d;});
rs.forEach(function(r){b.appendChild(r);});});})(i);}
})();
"""

#: The page may run its own script (by hash), style itself inline, and load nothing.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(_JS.encode()).digest()).decode()}'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


def html_page(rows: Sequence[Row], title: str) -> str:
    """The whole page."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}">'
        '<meta name="referrer" content="no-referrer">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{_e(title)}</h1>"
        f'<p class="muted">{_e(summary_line(rows))}. Every secret value is redacted '
        "as <code>" + _e(REDACTED) + "</code>. Click a column header to sort.</p>"
        f"{_chart(rows)}<h2>Submissions</h2>{_table(rows)}"
        f"<h2>Findings</h2>{_details(rows) or '<p>None.</p>'}"
        f"<script>{_JS}</script></body></html>\n"
    )


def _e(text: object) -> str:
    return html.escape(printable(str(text)), quote=True)


def _chart(rows: Sequence[Row]) -> str:
    counts = summary(rows)
    most = max(counts.values()) or 1
    bar_h, gap, label_w, bar_w = 22, 6, 120, 420
    height = len(counts) * (bar_h + gap)
    width = label_w + bar_w + 60
    parts = [  # drawn at its size, smaller in a narrow window (the viewBox scales it)
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" '
        'aria-label="Submissions per verdict">'
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


def _table(rows: Sequence[Row]) -> str:
    columns = shown_columns(rows)
    head = "".join(
        f"<th{' data-num' if key in NUMERIC else ''}>{_e(label.title())}</th>"
        for key, label in columns
    )
    body = []
    for i, row in enumerate(rows):
        tds = []
        for (key, _), value in zip(columns, cells(row, columns), strict=True):
            if key == "submission":
                name = _e(value)
                if _has_details(row):
                    name = f'<a href="#s{i}">{name}</a>'
                tds.append(f'<td data-v="{_e(value.casefold())}">{name}</td>')
            elif key == "verdict":
                tds.append(f'<td data-v="{RANK[row.verdict]}">{_badge(row.verdict)}</td>')
            elif key == "first_location":
                shown = f"<code>{_e(value)}</code>" if value else ""
                tds.append(f'<td data-v="{_e(_location_key(value))}">{shown}</td>')
            elif key == "error":
                tds.append(f'<td class="err">{_e(value)}</td>')
            elif key not in NUMERIC:  # the student's identity, the history
                tds.append(f"<td>{_e(value)}</td>")
            else:
                tds.append(f'<td class="n">{_e(value)}</td>')
        body.append("<tr>" + "".join(tds) + "</tr>")
    return (
        f'<div class="rows"><table id="cohort"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _context(context: Sequence[ContextLine]) -> str:
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
        if row.feedback:
            parts.append(f'<p class="fb">Feedback for the student: {_e(row.feedback)}</p>')
        for f in row.observations:
            code = f"<strong>{_e(f.code)}</strong> " if f.code else ""
            parts.append(
                f"<p>{code}<code>{_e(f.path)}:{f.line}:{f.col + 1}</code> "
                f"{_e(f.message)}</p>{_context(f.context)}"
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


def _location_key(location: str) -> str:
    """What a first location sorts by: its path, then its line as a number
    (``app.py:9`` before ``app.py:10``)."""
    path, _, line = location.rpartition(":")
    return f"{path.casefold()}:{int(line):09d}" if line.isdigit() else location.casefold()


def _has_details(row: Row) -> bool:
    return bool(row.observations or row.file_errors or row.error or row.venvs or row.feedback)
