"""Constants and small helpers shared by the browser tests and their fixtures (the app in a subprocess)."""

from __future__ import annotations

import os
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
from scaled_support import SCALED, serve_scaled

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
DEMO_ROWS = "2000"  # small demo database: the browser tests are about the pages, not the data

WIDTHS = {"wide": 1440, "narrow": 390}
SCHEMES = ("light", "dark")
HOST_USER = ("alice", "correct horse battery", "Alice Martin")


def theme_of(page) -> str:
    """The colour mode the page shows."""
    return page.evaluate("document.documentElement.getAttribute('data-bs-theme')")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environment(**values: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DASH_APP_")}
    return environment | values


@contextmanager
def serve_process(
    command: list[str], url: str, environment: dict[str, str], log: Path, *, healthy: bool = False,
) -> Iterator[subprocess.Popen]:
    """Run a server until the block ends; fail with its log if it never answers (with ``healthy``: if its
    ``health`` never answers 200, as a load balancer waits for a web worker whose store, broker and Celery
    workers are all up)."""
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_serving(url + "health" if healthy else url, process, log, healthy=healthy)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout_s: float = 120, *,
                        healthy: bool = False) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urlopen(url, timeout=5):
                return
        except URLError as error:
            if getattr(error, "code", None) and not healthy:  # an HTTP error status means it is serving
                return
            time.sleep(0.2)
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"server did not answer at {url} within {timeout_s} s:\n{log.read_text()}")


@contextmanager
def serve_app(data_dir: Path, **environment: str) -> Iterator[subprocess.Popen]:
    """``python -m dash_app`` on ``data_dir`` (kept between starts) with ``DASH_APP_*`` values, until the block ends.

    The process gets ``base_url``; its log is ``data_dir/server-<port>.log``.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    if SCALED:  # the second pass of the stories: gunicorn, Celery, PostgreSQL and Redis (scaled_support.py)
        with serve_scaled(data_dir, environment) as process:
            yield process
        return
    port = free_port()
    command = [sys.executable, "-m", "dash_app", "--port", str(port), "--data-dir", str(data_dir),
               "--demo-rows", DEMO_ROWS]
    base_url = f"http://127.0.0.1:{port}/"
    log = data_dir / f"server-{port}.log"
    with serve_process(command, base_url, clean_environment(**environment), log) as process:
        process.base_url = base_url
        yield process


def sign_in_to_host(open_page, base_url: str, username: str, password: str, path: str, ready: str):
    """A new wide page of the example host, signed in as ``username`` through its login form on the way to
    ``dashboard/<path>``; returned once ``ready`` (a selector) is on it."""
    page = open_page(width=WIDTHS["wide"])
    page.goto(base_url + "dashboard/" + path)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector(ready)
    return page
