"""Output formats for ``flake8-secret-key check``: text, json, sarif, github.

Every format is built from ``Finding`` rows, and a finding is built only from
what ``rules`` says about an observation (code, message, target, fix): the
secret value is never in a finding, so no format can print it.

Columns are 1-based in every format, as flake8 prints them: ``col`` is the
first character of the value, ``end_col`` the character just after it (the
SARIF convention for ``endColumn``). Columns count characters (code points),
not bytes.

The JSON format is a stable, documented schema: a list (sorted by path, line,
col) of one object per finding, always with exactly these keys::

    {
      "path": "app.py",        # the file as given or found (as in the text format)
      "line": 5,               # 1-based line of the value
      "col": 28,               # 1-based column of the value
      "end_line": 5,           # 1-based line where the value ends
      "end_col": 47,           # 1-based column just after the value
      "code": "SKY100",
      "message": "...",        # the text format's message, without the code
      "target": "app.config[\\"SECRET_KEY\\"]"   # the setting, as written
    }

Heavy imports (json, importlib.metadata, urllib) happen inside the functions
that need them, so ``check`` with the text format stays light.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from flake8_secret_key import rules
from flake8_secret_key.engine import Observation
from flake8_secret_key.escape import printable

FORMATS: tuple[str, ...] = ("text", "json", "sarif", "github")

#: The keys of each object of the JSON format, in order (the documented schema).
JSON_KEYS: tuple[str, ...] = (
    "path", "line", "col", "end_line", "end_col", "code", "message", "target",
)  # fmt: skip

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"

#: One fix, true of every code: the key comes from the environment, with no fallback.
GENERIC_FIX = 'app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]'


class Finding(NamedTuple):
    """One reported setting, as every format shows it (1-based columns)."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int
    code: str
    message: str
    target: str
    fix: str


class FileError(NamedTuple):
    """A file (or path) that could not be checked, with a one-line reason."""

    path: str
    reason: str


def make_finding(path: str, obs: Observation) -> Finding | None:
    """The finding for an observation, or None when it is not reported (environment).

    Its message, target and fix are shown escaped (``escape.printable``): they hold
    text from the source.
    """
    code = rules.code_for(obs)
    text = rules.message(obs)
    if code is None or text is None:
        return None
    target, fix = printable(obs.target), printable(obs.fix)
    return Finding(
        path, obs.line, obs.col + 1, obs.end_line, obs.end_col + 1, code, text, target, fix
    )


def sort_key(finding: Finding) -> tuple[str, int, int, str]:
    """The one order of every format: path, then line, col, code."""
    return finding.path, finding.line, finding.col, finding.code


def level(code: str) -> str:
    """``error`` for codes on by default, ``warning`` for the opinionated ones."""
    rule = rules.RULES.get(code)
    return "error" if rule is None or rule.default_on else "warning"


def render(fmt: str, findings: Sequence[Finding], errors: Sequence[FileError] = ()) -> str:
    """The whole output of ``check`` in ``fmt`` (``errors`` only show in SARIF)."""
    renderers: dict[str, Callable[[Sequence[Finding], Sequence[FileError]], str]] = {
        "text": render_text,
        "json": render_json,
        "sarif": render_sarif,
        "github": render_github,
    }
    return renderers[fmt](findings, errors)


# ------------------------------------------------------------------------- text


def render_text(findings: Sequence[Finding], errors: Sequence[FileError] = ()) -> str:
    """flake8's own format: ``path:line:col: CODE message`` (a file's name escaped)."""
    return "".join(
        f"{printable(f.path)}:{f.line}:{f.col}: {f.code} {f.message}\n" for f in findings
    )


# ------------------------------------------------------------------------- json


def json_object(finding: Finding) -> dict[str, str | int]:
    """One finding as the JSON format's object (``JSON_KEYS``, in order)."""
    return {key: getattr(finding, key) for key in JSON_KEYS}


def render_json(findings: Sequence[Finding], errors: Sequence[FileError] = ()) -> str:
    """A JSON list of ``json_object``s (ASCII-only, so any terminal can show it)."""
    import json

    return json.dumps([json_object(f) for f in findings], indent=2) + "\n"


# ------------------------------------------------------------------------ github


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(findings: Sequence[Finding], errors: Sequence[FileError] = ()) -> str:
    """GitHub Actions workflow commands: one ``::error file=...::message`` per finding."""
    lines = []
    for f in findings:
        props = {
            "file": relative_path(f.path),
            "line": str(f.line),
            "col": str(f.col),
            "endLine": str(f.end_line),
            "endColumn": str(f.end_col),
            "title": f.code,
        }
        # CR and LF as GitHub spells them (it decodes them), other controls escaped.
        joined = ",".join(f"{k}={printable(_escape_property(v))}" for k, v in props.items())
        lines.append(f"::{level(f.code)} {joined}::{_escape_data(f.message)}\n")
    return "".join(lines)


def relative_path(path: str, base: str | None = None) -> str:
    """``path`` relative to ``base`` (the cwd) with ``/``, or absolute when outside it."""
    full = os.path.abspath(path)
    try:
        rel = os.path.relpath(full, base or os.getcwd())
    except ValueError:  # another drive on Windows
        return full.replace(os.sep, "/")
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        return full.replace(os.sep, "/")
    return rel.replace(os.sep, "/")


# ------------------------------------------------------------------------- sarif


def _tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("flake8-secret-key")
    except PackageNotFoundError:  # pragma: no cover - a source tree without metadata
        return "0"


def _artifact_location(path: str, base: str) -> dict[str, str]:
    """A relative ``uri`` under ``%SRCROOT%`` (the cwd), else an absolute file URI."""
    from pathlib import Path
    from urllib.parse import quote

    rel = relative_path(path, base)
    if os.path.isabs(rel):
        return {"uri": Path(os.path.abspath(path)).as_uri()}
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def _sarif_rule(rule: rules.Rule) -> dict[str, Any]:
    fix = (
        f"Fix: read the key from the environment, with no hardcoded fallback, for "
        f"example {GENERIC_FIX} (each result's message shows the fix for its own line)."
    )
    markdown = (
        f"{rule.help}\n\nFix: read the key from the environment, with no hardcoded "
        f"fallback:\n\n```python\nimport os\n\n{GENERIC_FIX}\n```\n\n"
        f"Each result's message shows the fix for its own line."
    )
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.short},
        "fullDescription": {"text": rule.help},
        "help": {"text": f"{rule.help} {fix}", "markdown": markdown},
        "defaultConfiguration": {"level": level(rule.code), "enabled": rule.default_on},
        "properties": {"tags": ["security"] if rule.default_on else ["reliability"]},
    }


def _sarif_result(f: Finding, index: dict[str, int], base: str) -> dict[str, Any]:
    region = {
        "startLine": f.line,
        "startColumn": f.col,
        "endLine": f.end_line,
        "endColumn": f.end_col,
    }
    return {
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "level": level(f.code),
        "message": {"text": f.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": _artifact_location(f.path, base),
                    "region": region,
                }
            }
        ],
        "properties": {"target": f.target, "fix": f.fix},
    }


def sarif_log(
    findings: Sequence[Finding], errors: Sequence[FileError] = (), base: str | None = None
) -> dict[str, Any]:
    """A SARIF 2.1.0 log that GitHub code scanning accepts (one run, every rule)."""
    from pathlib import Path

    base = base or os.getcwd()
    all_rules = list(rules.RULES.values())
    index = {rule.code: i for i, rule in enumerate(all_rules)}
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{e.path}: {e.reason}"},
            "locations": [
                {"physicalLocation": {"artifactLocation": _artifact_location(e.path, base)}}
            ],
        }
        for e in errors
    ]
    root_uri = Path(os.path.abspath(base)).as_uri().rstrip("/") + "/"
    run = {
        "tool": {
            "driver": {
                "name": "flake8-secret-key",
                "version": _tool_version(),
                "rules": [_sarif_rule(rule) for rule in all_rules],
            }
        },
        "invocations": [
            {"executionSuccessful": True, "toolExecutionNotifications": notifications}
        ],
        "originalUriBaseIds": {SRCROOT: {"uri": root_uri}},
        "columnKind": "unicodeCodePoints",
        "results": [_sarif_result(f, index, base) for f in findings],
    }
    return {"$schema": SARIF_SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render_sarif(findings: Sequence[Finding], errors: Sequence[FileError] = ()) -> str:
    """``sarif_log`` as JSON text (ASCII-only)."""
    import json

    return json.dumps(sarif_log(findings, errors), indent=2) + "\n"
