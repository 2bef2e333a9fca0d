"""One training run in a process of its own: ``python -m dash_app.runs.job RUN_ID ATTEMPT``, the settings as JSON on stdin.

Started by the dispatcher of :class:`dash_app.runs.launch.ProcessLauncher` (diskcache mode) for a run it
has already claimed; a Celery worker's task calls :func:`run_job` with ``claimed=False`` instead, and
the run claims its slot there. The settings come from the web process that launched the run, so a host
that configured the product in code (``init_app(server, load_settings(...))``) gets the same settings here.
"""

from __future__ import annotations

import logging
import sys

from dash_app.runs.executor import execute_run, run_claimed
from dash_app.runs.store import open_store
from dash_app.settings import Settings


def run_job(settings: Settings, run_id: int, attempt: int | None = None, *, claimed: bool = False) -> str:
    """Run ``run_id`` (its ``attempt``) to its end with its own store connection; return its final status.

    ``claimed``: the dispatcher has made it running already; otherwise it waits here for a slot.
    """
    store = open_store(settings.store_url)
    holds_dir = settings.holds_dir if settings.hold_runs else None
    heartbeat_s = settings.heartbeat_timeout_s / 4
    try:
        if claimed:
            return run_claimed(store, run_id, data_dir=settings.data_dir, databases=settings.databases,
                               holds_dir=holds_dir, attempt=attempt, heartbeat_s=heartbeat_s)
        return execute_run(store, run_id, data_dir=settings.data_dir, max_running=settings.max_concurrent_jobs,
                           databases=settings.databases, holds_dir=holds_dir, attempt=attempt,
                           heartbeat_s=heartbeat_s)
    finally:
        store.dispose()


def main(argv: list[str]) -> int:
    from dash_app.logs import configure_default

    run_id, attempt = int(argv[1]), int(argv[2])
    settings = Settings.model_validate_json(sys.stdin.read())
    configure_default(settings.log_format)  # the web server's format: its job events read as its own lines
    status = run_job(settings, run_id, attempt, claimed=True)
    logging.getLogger(__name__).info("run %s (attempt %s) ended %s", run_id, attempt, status)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
