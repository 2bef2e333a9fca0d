"""What a server does before serving: data directory, demo data, and checks with clear lines.

``python -m dash_app`` calls :func:`prepare`; gunicorn calls it once in its master process, before any
worker exists (dash_app/gunicorn_conf.py), and dash_app/wsgi.py calls :func:`prepare_once`, which does
nothing where the master has done it and otherwise lets one worker at a time do it under a file lock
(so several workers never build the demo database at once). A Celery worker calls :func:`check_worker`.

A problem the product cannot run with (an unwritable data directory, Redis down with Celery
configured, a store that cannot be opened) stops start-up with one line naming the setting; a
database that does not answer is only reported, since the other databases and jobs still work.
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
LOCK_FILE = ".startup.lock"
WORKERS_TIMEOUT_S = 1.0  # how long start-up waits for Celery workers to say their settings
_prepared: set[str] = set()  # the settings (as JSON) this process, or the master it was forked from, prepared


class StartupError(RuntimeError):
    """Start-up cannot go on; the message is one line naming the setting to fix."""


def prepare(settings: Settings, log: Log) -> None:
    """Make the data directory, check jobs and the store, build the demo database if needed, check databases.

    What stops start-up is checked first, so a wrong setting is said before a long demo build.
    """
    for name in unknown_variables():
        log(f"warning: {name} is not a setting and is ignored (see README.md, Configuration)")
    _make_data_dir(settings)
    background = _checked_background(settings)
    store = _open_store(settings)
    try:
        if settings.uses_demo_database:
            _ensure_demo(settings, log)
        _report_databases(settings, log)
        log(f"background jobs: {background}")
        _interrupt_orphaned_runs(store, settings, log)
    finally:
        store.dispose()
    if settings.background == "celery":
        compare_with_workers(settings, log)
    _prepared.add(settings.model_dump_json())


def prepare_once(settings: Settings, log: Log) -> None:
    """:func:`prepare`, unless this process (or the gunicorn master it was forked from) has done it already.

    Otherwise one process at a time prepares, under a lock file in the data directory: the first builds
    the demo database, the others find it built.
    """
    if settings.model_dump_json() in _prepared:
        return
    import fcntl  # imported here: Unix only, as gunicorn is; python -m dash_app never needs it

    _make_data_dir(settings)
    with (settings.data_dir / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            prepare(settings, log)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def resume_queue(server) -> None:
    """Have this web process keep a warm job process and its run dispatcher start the runs left queued (diskcache;
    with Celery both are the workers' own, dash_app/runs/launch.py)."""
    from dash_app.workbench import get_workbench

    launcher = get_workbench(server).launcher
    launcher.prepare()
    wake = getattr(launcher, "wake", None)
    if wake is not None:
        wake()


def stop_launcher(server) -> None:
    """Let this web process' warm job process end with it (nothing to do with Celery)."""
    from dash_app.workbench import get_workbench

    get_workbench(server).launcher.close()


def check_worker(settings: Settings, log: Log) -> None:
    """A Celery worker's start-up: its data directory, its databases (reported), Redis and the store.

    It builds no demo database (the web server does) and ends no run (the web server's start-up and the
    pages do, by heartbeat); it says where its settings differ from those the web servers published.
    """
    if settings.background != "celery":
        msg = "dash_app.worker needs DASH_APP_BACKGROUND=celery (and DASH_APP_REDIS_URL); diskcache runs jobs itself"
        raise StartupError(msg)
    _make_data_dir(settings)
    background = _checked_background(settings)
    _open_store(settings).dispose()
    _report_databases(settings, log)
    log(f"background jobs: {background}")
    compare_with_web(settings, log)


def compare_with_workers(settings: Settings, log: Log) -> None:
    """Publish this web server's settings fingerprint and report each live Celery worker whose settings differ."""
    from dash_app import fingerprint
    from dash_app.background import build_celery

    _with_redis(settings, lambda client: fingerprint.publish(client, settings), log,
                "the settings fingerprint was not published to Redis")
    celery_app = build_celery(settings)
    try:
        answers = fingerprint.worker_fingerprints(celery_app, WORKERS_TIMEOUT_S)
    except Exception as error:  # noqa: BLE001 - kombu raises several kinds; only reported here
        log(f"warning: Celery workers could not be asked for their settings ({error.__class__.__name__})")
        return
    finally:
        celery_app.close()
    _report_differences(settings, answers, "Celery worker {}", log)
    log(f"Celery workers answering now: {len(answers)}")


def compare_with_web(settings: Settings, log: Log) -> None:
    """Report each web server (as published in Redis) whose shared settings differ from this worker's."""
    from dash_app import fingerprint

    servers = _with_redis(settings, fingerprint.published, log, "the web servers' settings could not be read from Redis")
    if servers is not None:
        _report_differences(settings, servers, "the web server on {}", log)


def _with_redis(settings: Settings, work: Callable, log: Log, failure: str):
    """``work(client)`` on a short-lived Redis client; a Redis error is logged as ``failure`` (None returned)."""
    import redis

    from dash_app.background import redis_client

    client = redis_client(settings.redis_url, timeout_s=3)
    try:
        return work(client)
    except redis.RedisError as error:
        log(f"warning: {failure} ({error})")
        return None
    finally:
        client.close()


def _report_differences(settings: Settings, others: dict[str, object], who: str, log: Log) -> None:
    from dash_app import fingerprint

    mine = fingerprint.fingerprint(settings)
    for name, theirs in sorted(others.items()):
        if differing := fingerprint.differing(mine, theirs):
            log(mismatch_line(who.format(name), differing))


def mismatch_line(other: str, differing: list[str]) -> str:
    """The one line that reports a split deployment."""
    return (f"warning: settings differ from {other}: {', '.join(differing)} (every web server and Celery worker"
            " must share them; see README.md, Deploy)")


def _report_databases(settings: Settings, log: Log) -> None:
    for name, url in settings.databases.items():
        try:
            info = describe_database(name, url)
        except DatabaseUnavailable as error:
            log(f"warning: {error}")
            continue
        log(f"database {info.name!r}: {info.dialect} {info.server_version}")


def _checked_background(settings: Settings) -> str:
    """What runs the jobs, once checked (dash_app/background.py), or StartupError naming the setting."""
    try:
        return check_background(settings)
    except BackgroundUnavailable as error:
        raise StartupError(str(error)) from None


def _open_store(settings: Settings):
    """The run store, or StartupError naming DASH_APP_STORE_URL."""
    from sqlalchemy.exc import SQLAlchemyError

    from dash_app.data.engines import error_reason
    from dash_app.runs.store import open_store
    from dash_app.settings import redacted_url

    try:
        return open_store(settings.store_url)
    except SQLAlchemyError as error:
        msg = (f"DASH_APP_STORE_URL: the store at {redacted_url(settings.store_url)} cannot be opened "
               f"({error_reason(error)})")
        raise StartupError(msg) from None


def _interrupt_orphaned_runs(store, settings: Settings, log: Log) -> None:
    """Never leave a run "running" after a restart: runs whose job is gone are marked interrupted.

    Only those (dash_app/runs/control.py ``interrupt_orphans``): the runs of live jobs, whichever web
    process or Celery worker runs them, go on, and queued runs wait for a slot.
    """
    from dash_app.runs.control import interrupt_orphans

    for run in interrupt_orphans(store, settings.heartbeat_timeout_s):
        log(f"training run {run.id} was {run.status} when the server stopped: marked interrupted")


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
