"""The HTML report in a real browser: headless Chromium, driven by Playwright.

The page's promises can only be checked where a browser runs them: each column
header sorts the table (ascending, then descending), the page's own script runs,
and its Content-Security-Policy blocks every other script and every load, with
nothing on the console while a teacher reads it.

Chromium is the distribution's (``/usr/bin/chromium``; Playwright never downloads
one). Without it or without the ``playwright`` package the tests are skipped with
the reason, unless ``FLAKE8_SECRET_KEY_BROWSER=required`` (set by ``.ci/run``),
which turns the skip into a failure. ``FLAKE8_SECRET_KEY_SCREENSHOT=docs/report-html.png``
also writes the README's screenshot.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from flake8_secret_key.cli import main
from flake8_secret_key.report import VERDICTS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page

pytestmark = pytest.mark.browser

#: As the machine notes start Chromium here: no GPU, no sandbox (root), and none of
#: the background connections that a closed network refuses. Playwright adds a new,
#: empty --user-data-dir of its own.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

FLASK = "from flask import Flask\napp = Flask(__name__)\n"
#: One submission per verdict, and columns that differ: findings 0-2, Python files
#: 1, 2, 3 and 10 (numbers, not text: 10 sorts after 2), venvs 0-2, syntax errors.
#: "Bob" is capitalised: names sort ignoring case. The corrupt zip has no count of
#: files in venvs (an empty cell in a column of numbers).
COHORT: dict[str, str] = {
    "alice/app.py": FLASK + 'app.secret_key = "dev"\n',
    "Bob/app.py": FLASK + 'app.secret_key = "not-a-real-key-1"\n',
    "Bob/config.py": 'SECRET_KEY = "not-a-real-key-2"\n',
    "Bob/broken.py": "SECRET_KEY = (\n",
    "carol/app.py": "import os\n" + FLASK + 'app.secret_key = os.environ["SECRET_KEY"]\n',
    **{f"carol/views_{i}.py": f"def view_{i}():\n    return {i}\n" for i in range(9)},
    "dave/app.py": "SECRET_KEY = (\n",
    "dave/venv/pyvenv.cfg": "home = /usr/bin\n",
    "erin/app.py": "import os\n"
    + FLASK
    + 'app.secret_key = os.getenv("SECRET_KEY", "not-a-real-key-3")\n',
    "erin/helpers.py": "def helper():\n    return 1\n",
    "frank/app.py": FLASK + "\n\n@app.route('/')\ndef index():\n    return 'hi'\n",
    "grace/app.py": "import os\n" + FLASK + "app.secret_key = os.urandom(24)\n",
    "grace/venv/pyvenv.cfg": "home = /usr/bin\n",
    "grace/.venv/pyvenv.cfg": "home = /usr/bin\n",
    "grace/.venv/lib/site.py": "x = 1\n",
    "henry/app.py": FLASK + 'app.secret_key = open("key.txt").read()\n',
    # Its first location, app.py:11, sorts after alice's app.py:3 (a line number).
    "ivan/app.py": FLASK + "\n" * 8 + 'app.secret_key = "not-a-real-key-4"\n',
    "zed.zip": "not a zip file",
}
EXPECTED = {
    "alice": "published-key",
    "Bob": "hardcoded",
    "carol": "environment",
    "dave": "error",
    "erin": "fallback",
    "frank": "no-key",
    "grace": "generated",
    "henry": "unknown",
    "ivan": "hardcoded",
    "zed.zip": "error",
}
NUMERIC = {"Findings", "Py Files", "Venvs Skipped", "Py Files In Venvs", "Syntax Errors"}

#: Reads the table as shown: header labels, then each row's cell texts.
READ_TABLE = """() => {
  const t = document.getElementById('cohort');
  return [Array.from(t.tHead.rows[0].cells, c => c.textContent),
          Array.from(t.tBodies[0].rows, r => Array.from(r.cells, c => c.textContent))];
}"""

#: Tries what the policy must refuse, and reports what ran and what was blocked.
ATTACK = """() => new Promise(resolve => {
  const blocked = [];
  document.addEventListener('securitypolicyviolation',
    e => blocked.push(e.effectiveDirective + ' ' + e.blockedURI));
  window.ran = [];
  const add = (tag, props) => document.body.appendChild(Object.assign(
    document.createElement(tag), props));
  add('script', {textContent: "window.ran.push('inline script')"});
  add('script', {src: 'http://127.0.0.1:9/x.js'});
  add('img', {src: 'http://127.0.0.1:9/x.png'});
  const img = add('img', {src: 'data:,'});
  img.setAttribute('onerror', "window.ran.push('event handler')");
  add('iframe', {src: 'http://127.0.0.1:9/'});
  add('link', {rel: 'stylesheet', href: 'http://127.0.0.1:9/x.css'});
  fetch('http://127.0.0.1:9/x').catch(() => {});
  const done = () => resolve({ran: window.ran, blocked: blocked});
  const poll = setInterval(() => {
    if (blocked.length >= 7) { clearInterval(poll); done(); }
  }, 20);
  setTimeout(done, 3000);
})"""


def _unavailable(reason: str) -> None:
    if os.environ.get("FLAKE8_SECRET_KEY_BROWSER") == "required":
        pytest.fail(f"{reason}, and FLAKE8_SECRET_KEY_BROWSER=required", pytrace=False)
    pytest.skip(f"{reason} (set FLAKE8_SECRET_KEY_BROWSER=required to make this a failure)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    chromium = shutil.which("chromium")
    if chromium is None:
        _unavailable("no chromium on PATH (Debian: apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def report_urls(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The cohort's report as a teacher gets it by default, and with one column more."""
    root = tmp_path_factory.mktemp("browser")
    cohort = root / "cohort"
    for name, text in COHORT.items():
        path = cohort / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    urls = {}
    for label, extra in (("default", []), ("counted", ["--count-skipped-files"])):
        out = root / f"{label}.html"
        args = ["report", str(cohort), "--format", "html", "-o", str(out), "--jobs", "1"]
        assert main([*args, *extra]) == 0
        urls[label] = out.as_uri()
    return urls


@pytest.fixture
def console() -> list[str]:
    """What the page said on its console, and what it threw."""
    return []


@pytest.fixture
def page(
    browser: Browser,
    report_urls: dict[str, str],
    console: list[str],
    request: pytest.FixtureRequest,
) -> Iterator[Page]:
    """The report (``default`` unless parametrized), opened; a word on the console, or
    an exception, fails the test."""
    context = browser.new_context(viewport={"width": 1200, "height": 1500})
    opened = context.new_page()
    opened.on("console", lambda m: console.append(_console(m)))
    opened.on("pageerror", lambda e: console.append(f"uncaught: {e}"))
    opened.goto(report_urls[getattr(request, "param", "default")])
    yield opened
    context.close()
    assert console == []


def _console(message: ConsoleMessage) -> str:
    return f"{message.type}: {message.text}"


def _table(page: Page) -> tuple[list[str], list[list[str]]]:
    labels, rows = page.evaluate(READ_TABLE)
    return labels, rows


def _key(label: str) -> Callable[[list[str], int], Any]:
    """How a person expects the column to sort, written without the page's script."""
    if label == "Submission":
        return lambda row, i: row[i].casefold()
    if label == "Verdict":
        return lambda row, i: VERDICTS.index(row[i].strip())
    if label in NUMERIC:  # an empty cell first, as in the columns of text
        return lambda row, i: int(row[i]) if row[i] else -1
    if label == "First Location":  # the path, then the line as a number
        return lambda row, i: (row[i].rpartition(":")[0], int(row[i].rpartition(":")[2] or -1))
    return lambda row, i: row[i]


def test_the_cohort_has_each_verdict(page: Page) -> None:
    labels, rows = _table(page)
    assert labels[:2] == ["Submission", "Verdict"]
    assert {row[0]: row[1] for row in rows} == EXPECTED
    assert [row[0] for row in rows] == sorted(EXPECTED, key=str.casefold)


@pytest.mark.parametrize("page", ["counted"], indirect=True)  # every column
def test_each_column_sorts_ascending_then_descending(page: Page) -> None:
    labels, before = _table(page)
    assert len(labels) == 9 and set(NUMERIC) < set(labels)
    headers = page.locator("#cohort thead th")
    changed = set()
    for i, label in enumerate(labels):
        key = _key(label)
        for direction in ("ascending", "descending"):
            headers.nth(i).click()
            _, after = _table(page)
            assert sorted(after) == sorted(before), (label, direction)  # same rows
            keys = [key(row, i) for row in after]
            expected = sorted(keys, reverse=direction == "descending")
            assert keys == expected, (label, direction, [row[0] for row in after])
            if after != before:
                changed.add(label)
            before = after
    assert changed == set(labels)  # every header did something


def test_sorting_by_name_and_verdict_gives_the_teachers_order(page: Page) -> None:
    headers = page.locator("#cohort thead th")
    headers.nth(1).click()
    assert [row[0] for row in _table(page)[1]] == sorted(
        EXPECTED, key=lambda n: VERDICTS.index(EXPECTED[n])
    )
    headers.nth(0).click()
    assert [row[0] for row in _table(page)[1]] == [
        "alice", "Bob", "carol", "dave", "erin", "frank", "grace", "henry", "ivan", "zed.zip"
    ]  # fmt: skip
    headers.nth(0).click()
    assert [row[0] for row in _table(page)[1]][:3] == ["zed.zip", "ivan", "henry"]
    py_files = _table(page)[0].index("Py Files")
    headers.nth(py_files).click()
    assert [row[py_files] for row in _table(page)[1]][-3:] == ["2", "3", "10"]


def test_the_policy_lets_only_the_page_script_run(page: Page, console: list[str]) -> None:
    page.locator("#cohort thead th").nth(0).click()  # the page's own script runs
    assert page.locator("#cohort thead th").nth(0).get_attribute("data-dir") == "1"
    result = page.evaluate(ATTACK)
    assert result["ran"] == []
    assert sorted(result["blocked"]) == [
        "connect-src http://127.0.0.1:9/x",
        "frame-src http://127.0.0.1:9",
        "img-src http://127.0.0.1:9/x.png",
        "script-src-attr inline",
        "script-src-elem http://127.0.0.1:9/x.js",
        "script-src-elem inline",
        "style-src-elem http://127.0.0.1:9/x.css",
    ]
    # Chromium says so on the console: one error per block (two for fetch), nothing else.
    assert len(console) >= len(result["blocked"])
    assert all(m.startswith("error: ") and "Content Security Policy" in m for m in console)
    console.clear()  # the expected ones, each blocked; anything else fails the fixture


def test_screenshot(page: Page, tmp_path: Path) -> None:
    """The README's picture: written where FLAKE8_SECRET_KEY_SCREENSHOT says, by hand."""
    target = os.environ.get("FLAKE8_SECRET_KEY_SCREENSHOT")
    path = Path(target) if target else tmp_path / "report-html.png"
    png = page.screenshot(path=path)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000


@pytest.mark.parametrize("page", ["default", "counted"], indirect=True)
@pytest.mark.parametrize("width", [1200, 700, 420])
def test_the_page_fits_a_narrow_window_and_the_header_stays(page: Page, width: int) -> None:
    """The table scrolls in its own box (the page never gets wider than the window),
    and its header stays in sight when the rows scroll."""
    page.set_viewport_size({"width": width, "height": 300})
    wide, window = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert wide <= window
    box = page.locator("#cohort").locator("xpath=..")
    box.evaluate("b => { b.scrollTop = b.scrollHeight; }")
    head, top = page.evaluate(
        "() => [document.querySelector('#cohort th').getBoundingClientRect().top,"
        " document.getElementById('cohort').parentElement.getBoundingClientRect().top]"
    )
    assert abs(head - top) < 1
