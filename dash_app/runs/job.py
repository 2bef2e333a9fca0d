"""One training run in a process of its own: ``python -m dash_app.runs.job RUN_ID``, the settings as JSON on stdin.

Started by :class:`dash_app.runs.launch.ProcessLauncher` (diskcache mode); a Celery worker's task calls
:func:`run_job` instead. The settings come from the web process that launched the run, so a host that
configured the product in code (``init_app(server, load_settings(...))``) gets the same settings here.
"""

from __future__ import annotations

import logging
import sys

from dash_app.runs.executor import execute_run
from dash_app.runs.store import open_store
from dash_app.settings import Settings


def run_job(settings: Settings, run_id: int) -> str:
    """Run the queued run ``run_id`` to its end with its own store connection; return its final status."""
    store = open_store(settings.store_url)
    try:
        return execute_run(store, run_id, data_dir=settings.data_dir, max_running=settings.max_concurrent_jobs,
                           databases=settings.databases, holds_dir=settings.holds_dir if settings.hold_runs else None)
    finally:
        store.dispose()


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s job %(process)d %(levelname)s %(message)s")
    run_id = int(argv[1])
    settings = Settings.model_validate_json(sys.stdin.read())
    logging.getLogger(__name__).info("run %s ended %s", run_id, run_job(settings, run_id))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
