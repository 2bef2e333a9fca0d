"""Headless Chromium (Debian's, through Playwright) against the real app and host, each in a subprocess."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM_ARGS, DEMO_ROWS, HOST_USER, REPO_ROOT, WIDTHS, clean_environment, free_port, serve_app, serve_process,
)

SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = os.environ.get("TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if Path(path).is_file():
        return path
    reason = f"no Chromium at {path} (apt-get install chromium, or set TEST_CHROMIUM)"
    if os.environ.get("TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


# Every Content-Security-Policy violation a page sees (the product's policy, dash_app/web/headers.py) is put on
# the console with this marker, from the browser's own securitypolicyviolation event.
CSP_MARKER = "CSP violation:"
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => console.error(
    "%s " + event.effectiveDirective + " blocked " + (event.blockedURI || "inline") + " at "
    + event.sourceFile + ":" + event.lineNumber + " (" + (event.sample || "").slice(0, 80) + ")"));
""" % CSP_MARKER


def csp_violation(text: str) -> bool:
    """Whether a console line reports a Content-Security-Policy violation (ours, or Chromium's own wording)."""
    return text.startswith(CSP_MARKER) or "Content Security Policy" in text


# A function expression: "function", "name =>", "(a, b) =>" at the start (an immediately called "(s => ...)(x)" is not).
FUNCTION = re.compile(r"^\s*(async\s+)?(function\b|[\w$]+\s*=>|\([\w$,\s]*\)\s*=>)")


def as_function(expression: str) -> str:
    """The expression of a wait_for_function as an arrow function: Playwright evaluates a function once and calls
    it at each poll, but evaluates a bare expression with eval at each poll, which the policy (no 'unsafe-eval')
    refuses in the page."""
    return expression if FUNCTION.match(expression) else f"() => ({expression})"


@pytest.fixture(autouse=True)
def no_csp_violations(request, monkeypatch):
    """Fail the test when any page of any browser context it opened (open_page's, or its own) reported a
    Content-Security-Policy violation (SECURITY.md, "7. Headers")."""
    if "browser" not in request.fixturenames:
        yield
        return
    launched = request.getfixturevalue("browser")
    violations: list[str] = []
    new_context = launched.new_context

    def watched_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", lambda message: csp_violation(message.text) and violations.append(message.text))
        new_page = context.new_page

        def page_waiting_without_eval(*page_args, **page_kwargs):
            page = new_page(*page_args, **page_kwargs)
            wait_for_function = page.wait_for_function
            page.wait_for_function = lambda expression, *rest, **options: wait_for_function(
                as_function(expression), *rest, **options)
            return page

        context.new_page = page_waiting_without_eval
        return context

    monkeypatch.setattr(launched, "new_context", watched_context)
    yield
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(dict.fromkeys(violations))


@pytest.fixture
def open_page(browser):
    """Open a page in a fresh browser context (fresh localStorage) and collect its errors and requests."""
    contexts = []

    def open_(width: int = WIDTHS["wide"], scheme: str = "light", height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []
        page.requests = []
        page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.on("request", lambda request: page.requests.append(request))
        return page

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[str]:
    """Base URL of ``python -m dash_app`` on its demo data, as a user starts it."""
    with serve_app(tmp_path_factory.mktemp("app-data")) as process:
        yield process.base_url


@pytest.fixture(scope="session")
def live_host(tmp_path_factory) -> Iterator[str]:
    """Base URL of the example host app, with Workbench under /dashboard/ and one user."""
    instance = tmp_path_factory.mktemp("host")
    username, password, name = HOST_USER
    environment = clean_environment(DASH_APP_DEMO_ROWS=DEMO_ROWS)
    subprocess.run([sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "add-user", username,
                    "--name", name, "--password", password], cwd=REPO_ROOT, env=environment, check=True, timeout=60)
    port = free_port()
    command = [sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with serve_process(command, url, environment, instance / "server.log"):
        yield url


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
