"""The output formats of ``check``: text, json, sarif (schema-validated) and github."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from flake8_secret_key import formats, rules
from flake8_secret_key.engine import observe_text
from flake8_secret_key.formats import FileError, Finding

SCHEMA_PATH = Path(__file__).parent / "data" / "sarif-2.1.0.json"

SOURCE = textwrap.dedent(
    """\
    import os
    app.config["SECRET_KEY"] = "s3cr3t-value-do-not-print"
    app.secret_key = os.environ.get("SECRET_KEY", "fallback-do-not-print")
    JWT_SECRET_KEY = os.urandom(24)
    WTF_CSRF_SECRET_KEY = os.environ["WTF_CSRF_SECRET_KEY"]
    """
)
SECRETS = ("s3cr3t-value-do-not-print", "fallback-do-not-print")


def findings_for(source: str = SOURCE, path: str = "app.py") -> list[Finding]:
    made = (formats.make_finding(path, obs) for obs in observe_text(source, filename=path))
    return [f for f in made if f is not None]


def finding(**changes: Any) -> Finding:
    base = Finding(
        "app.py", 2, 28, 2, 55, "SKY100", "the message", 'app.config["SECRET_KEY"]', "x"
    )
    return base._replace(**changes)


@pytest.fixture
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


# ----------------------------------------------------------------------- findings


def test_findings_are_one_based_and_skip_environment_reads() -> None:
    # Line 5 reads the key from the environment: an observation, never a finding.
    got = [(f.line, f.col, f.end_line, f.end_col, f.code) for f in findings_for()]
    assert got == [
        (2, 28, 2, 55, "SKY100"),
        (3, 47, 3, 70, "SKY102"),
        (4, 18, 4, 32, "SKY900"),
    ]


def test_columns_count_characters_not_bytes() -> None:
    got = findings_for('x = "é"; SECRET_KEY = "abc"\n')
    assert [(f.col, f.end_col) for f in got] == [(23, 28)]


@pytest.mark.parametrize(("code", "level"), [
    ("SKY100", "error"), ("SKY101", "error"), ("SKY102", "error"), ("SKY900", "warning"),
])  # fmt: skip
def test_level_follows_default_on(code: str, level: str) -> None:
    assert formats.level(code) == level


@pytest.mark.parametrize("fmt", formats.FORMATS)
def test_no_format_prints_a_secret_value(fmt: str, tmp_path: Path) -> None:
    out = formats.render(fmt, findings_for(), [FileError("bad.py", "syntax error at line 1")])
    assert out.strip()
    for secret in SECRETS:
        assert secret not in out


# ---------------------------------------------------------------------------- text


def test_text_is_flake8_format() -> None:
    first = findings_for()[0]
    assert formats.render_text([first]) == (f"app.py:2:28: SKY100 {first.message}\n")
    assert first.message.startswith('app.config["SECRET_KEY"] is set to a hardcoded value')


def test_text_of_nothing_is_empty() -> None:
    assert formats.render("text", []) == ""


# ---------------------------------------------------------------------------- json


def test_json_round_trips_with_the_documented_keys() -> None:
    found = findings_for()
    parsed = json.loads(formats.render("json", found))
    assert [list(obj) for obj in parsed] == [list(formats.JSON_KEYS)] * len(found)
    assert parsed[1] == {
        "path": "app.py",
        "line": 3,
        "col": 47,
        "end_line": 3,
        "end_col": 70,
        "code": "SKY102",
        "message": found[1].message,
        "target": "app.secret_key",
    }


def test_json_of_nothing_is_an_empty_list() -> None:
    assert json.loads(formats.render("json", [])) == []


def test_json_is_ascii_so_any_terminal_shows_it() -> None:
    out = formats.render("json", [finding(path="café/app.py")])
    assert out.isascii()
    assert json.loads(out)[0]["path"] == "café/app.py"


# --------------------------------------------------------------------------- sarif


def sarif(
    found: list[Finding], errors: list[FileError] | None = None, base: str | None = None
) -> dict[str, Any]:
    log = formats.sarif_log(found, errors or [], base=base)
    parsed: dict[str, Any] = json.loads(json.dumps(log))
    return parsed


def test_sarif_validates_against_the_schema(
    sarif_validator: jsonschema.protocols.Validator, tmp_path: Path
) -> None:
    log = sarif(findings_for(), [FileError("broken.py", "syntax error at line 3")], str(tmp_path))
    errors = [e.message for e in sarif_validator.iter_errors(log)]
    assert errors == []
    # The rendered text is the same document.
    assert json.loads(formats.render("sarif", findings_for())) == sarif(findings_for())


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (lambda log: log.update(version="2.0.0"), "wrong version"),
        (lambda log: log["runs"][0]["results"][0].update(level="fatal"), "bad level"),
        (lambda log: log["runs"][0]["results"][0].update(rule="SKY100"), "unknown property"),
        (
            lambda log: log["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
                "region"
            ].update(startColumn=0),
            "0-based column",
        ),
        (lambda log: log["runs"][0]["tool"]["driver"].pop("name"), "driver without name"),
    ],
)
def test_the_schema_rejects_broken_logs(
    sarif_validator: jsonschema.protocols.Validator, mutate: Any, why: str
) -> None:
    log = sarif(findings_for())
    mutate(log)
    assert list(sarif_validator.iter_errors(log)), why


def test_sarif_has_every_rule_with_help_and_the_fix() -> None:
    driver = sarif([])["runs"][0]["tool"]["driver"]
    assert driver["name"] == "flake8-secret-key"
    assert [r["id"] for r in driver["rules"]] == list(rules.RULES)
    for sarif_rule, rule in zip(driver["rules"], rules.RULES.values(), strict=True):
        assert sarif_rule["name"] == rule.name
        assert sarif_rule["shortDescription"]["text"] == rule.short
        assert sarif_rule["help"]["text"].startswith(rule.help)
        assert 'os.environ["SECRET_KEY"]' in sarif_rule["help"]["text"]
        assert 'os.environ["SECRET_KEY"]' in sarif_rule["help"]["markdown"]
        assert sarif_rule["defaultConfiguration"]["enabled"] is rule.default_on


def test_sarif_results_point_at_their_rule_and_region(tmp_path: Path) -> None:
    found = findings_for()
    run = sarif(found, base=str(tmp_path))["runs"][0]
    assert len(run["results"]) == len(found)
    for result, f in zip(run["results"], found, strict=True):
        assert result["ruleId"] == f.code
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == f.code
        assert result["level"] == formats.level(f.code)
        assert result["message"]["text"] == f.message
        assert result["properties"]["fix"] == f.fix
        (location,) = result["locations"]
        assert location["physicalLocation"]["region"] == {
            "startLine": f.line,
            "startColumn": f.col,
            "endLine": f.end_line,
            "endColumn": f.end_col,
        }
    assert run["columnKind"] == "unicodeCodePoints"


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("app.py", "app.py"),
        ("./src/app.py", "src/app.py"),
        ("my project/café.py", "my%20project/caf%C3%A9.py"),
        ("odd%name#1.py", "odd%25name%231.py"),
    ],
)
def test_sarif_uris_are_relative_to_the_source_root(
    path: str, uri: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = sarif([finding(path=path)])["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"


def test_sarif_uri_outside_the_source_root_is_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "root").mkdir()
    monkeypatch.chdir(tmp_path / "root")
    outside = tmp_path / "elsewhere" / "app.py"
    run = sarif([finding(path=str(outside))])["runs"][0]
    location = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.as_uri()}


def test_sarif_read_errors_are_tool_notifications() -> None:
    run = sarif([], [FileError("bad.py", "syntax error at line 3: invalid syntax")])["runs"][0]
    (notification,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notification["level"] == "error"
    assert notification["message"]["text"] == "bad.py: syntax error at line 3: invalid syntax"
    assert run["results"] == []


# -------------------------------------------------------------------------- github


def test_github_annotation() -> None:
    assert formats.render_github([finding()]) == (
        "::error file=app.py,line=2,col=28,endLine=2,endColumn=55,title=SKY100::the message\n"
    )


def test_github_opinionated_codes_are_warnings() -> None:
    assert formats.render_github([finding(code="SKY900")]).startswith("::warning file=")


@pytest.mark.parametrize(
    ("message", "escaped"),
    [
        ("100% sure", "100%25 sure"),
        ("one\ntwo", "one%0Atwo"),
        ("one\r\ntwo", "one%0D%0Atwo"),
        ("a: b, c", "a: b, c"),  # data keeps ':' and ','
        ("%0A", "%250A"),  # an escape sequence in the text is not decoded
    ],
)
def test_github_escapes_the_message(message: str, escaped: str) -> None:
    out = formats.render_github([finding(message=message)])
    assert out.endswith(f"::{escaped}\n")
    assert out.count("\n") == 1


@pytest.mark.parametrize(
    ("path", "escaped"),
    [
        ("a,b.py", "a%2Cb.py"),
        ("a:b.py", "a%3Ab.py"),
        ("50%.py", "50%25.py"),
        ("new\nline.py", "new%0Aline.py"),
    ],
)
def test_github_escapes_properties(
    path: str, escaped: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = formats.render_github([finding(path=path)])
    assert out.startswith(f"::error file={escaped},line=2,")


def test_github_paths_are_relative_to_the_workspace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = formats.render_github([finding(path="./src/app.py")])
    assert out.startswith("::error file=src/app.py,")
