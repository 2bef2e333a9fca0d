"""Headless Chromium (Debian's, through Playwright) against the real app and host, each in a subprocess."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest
from browser_support import HOST_USER, WIDTHS

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DEMO_ROWS = "2000"  # small demo database: the browser tests are about the pages, not the data


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _clean_environment(**values: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DASH_APP_")}
    return environment | values


@contextmanager
def _serve(command: list[str], url: str, environment: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Run a server until the block ends; fail with its log if it never answers."""
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_serving(url, process, log)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urlopen(url, timeout=2):
                return
        except URLError as error:
            if getattr(error, "code", None):  # an HTTP error status means it is serving
                return
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server did not answer at {url} within {timeout_s} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[str]:
    """Base URL of ``python -m dash_app`` on its demo data, as a user starts it."""
    data_dir = tmp_path_factory.mktemp("app-data")
    port = free_port()
    command = [sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(data_dir),
               "--demo-rows", DEMO_ROWS]
    url = f"http://127.0.0.1:{port}/"
    with _serve(command, url, _clean_environment(), data_dir / "server.log"):
        yield url


@pytest.fixture(scope="session")
def live_host(tmp_path_factory) -> Iterator[str]:
    """Base URL of the example host app, with Workbench under /dashboard/ and one user."""
    instance = tmp_path_factory.mktemp("host")
    username, password, name = HOST_USER
    environment = _clean_environment(DASH_APP_DEMO_ROWS=DEMO_ROWS)
    subprocess.run([sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "add-user", username,
                    "--name", name, "--password", password], cwd=REPO_ROOT, env=environment, check=True, timeout=60)
    port = free_port()
    command = [sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with _serve(command, url, environment, instance / "server.log"):
        yield url


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    return SCREENSHOT_DIR
