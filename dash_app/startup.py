"""What ``python -m dash_app`` does before serving: data directory, demo data, and checks with clear lines.

A problem the product cannot run with (an unwritable data directory, Redis down with Celery
configured) stops start-up with one line; a database that does not answer is only reported, since
the other databases and jobs still work.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from dash_app.background import BackgroundUnavailable, check_background
from dash_app.data.engines import DatabaseUnavailable, describe_database
from dash_app.demo import ensure_demo_database
from dash_app.settings import Settings, unknown_variables

Log = Callable[..., None]
PROGRESS_STEPS = 10  # lines printed for a build when the terminal cannot redraw one line


class StartupError(RuntimeError):
    """Start-up cannot go on; the message is one line naming the setting to fix."""


def prepare(settings: Settings, log: Log) -> None:
    """Make the data directory, build the demo database if needed, and check databases and jobs."""
    for name in unknown_variables():
        log(f"warning: {name} is not a setting and is ignored (see README.md, Configuration)")
    _make_data_dir(settings)
    if settings.uses_demo_database:
        _ensure_demo(settings, log)
    for name, url in settings.databases.items():
        try:
            info = describe_database(name, url)
        except DatabaseUnavailable as error:
            log(f"warning: {error}")
            continue
        log(f"database {info.name!r}: {info.dialect} {info.server_version}")
    try:
        log(f"background jobs: {check_background(settings)}")
    except BackgroundUnavailable as error:
        raise StartupError(str(error)) from None
    _interrupt_orphaned_runs(settings, log)


def _interrupt_orphaned_runs(settings: Settings, log: Log) -> None:
    """Never leave a run "running" after a restart: the previous server's runs are marked interrupted."""
    from sqlalchemy.exc import SQLAlchemyError

    from dash_app.data.engines import error_reason
    from dash_app.runs.control import interrupt_orphans
    from dash_app.runs.store import open_store
    from dash_app.settings import redacted_url

    try:
        store = open_store(settings.store_url)
    except SQLAlchemyError as error:
        msg = (f"DASH_APP_STORE_URL: the store at {redacted_url(settings.store_url)} cannot be opened "
               f"({error_reason(error)})")
        raise StartupError(msg) from None
    try:
        for run in interrupt_orphans(store, settings.background):
            log(f"training run {run.id} was {run.status} when the server stopped: marked interrupted")
    finally:
        store.dispose()


def _make_data_dir(settings: Settings) -> None:
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        probe = settings.data_dir / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as error:
        msg = f"DASH_APP_DATA_DIR: cannot write to {settings.data_dir} ({error.strerror})"
        raise StartupError(msg) from None


def _ensure_demo(settings: Settings, log: Log) -> None:
    """Build the demo database when missing, or when a size was asked for explicitly and differs."""
    path = settings.demo_database_path
    asked = "demo_rows" in settings.model_fields_set
    summary = ensure_demo_database(path, settings.demo_rows if asked else None, progress=_progress_printer(log, path))
    if summary is not None:
        log(
            f"demo database ready in {summary.seconds:.1f} s: {summary.customers:,} customers, "
            f"{summary.products:,} products, {summary.orders:,} orders, {summary.order_lines:,} order lines"
        )


def _progress_printer(log: Log, path: Path) -> Callable[[int, int], None]:
    """Report a build: a heading on the first call, then one redrawn line (or a line per 10%)."""
    redraw = sys.stderr.isatty()
    started = False
    last_step = -1

    def progress(done: int, total: int) -> None:
        nonlocal started, last_step
        if not started:
            started = True
            log(f"building the demo database {path} ({total:,} order lines)")
        percent = 100 * done // max(total, 1)
        line = f"{done:>12,} of {total:,} order lines ({percent}%)"
        if redraw:
            print(f"\r  {line}", end="\n" if done >= total else "", file=sys.stderr, flush=True)
            return
        step = percent * PROGRESS_STEPS // 100
        if step != last_step:
            last_step = step
            log(line.strip())

    return progress
