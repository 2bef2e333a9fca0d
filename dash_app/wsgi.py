"""WSGI entry point for several web worker processes: ``gunicorn 'dash_app.wsgi:application'``.

Every worker builds the same app from the same ``DASH_APP_*`` settings; shared state lives in the store
(``DASH_APP_STORE_URL``), Redis and the shared data directory, never in a worker's memory. Run it with
the product's gunicorn configuration (dash_app/gunicorn_conf.py, README.md "Deploy"), which does the
start-up once in gunicorn's master; without it, the first worker does it under a file lock and the
others find it done (dash_app/startup.py ``prepare_once``).

A bad setting here stops the worker with one line and gunicorn's "worker failed to boot" status, so
gunicorn stops instead of starting the worker again and again.
"""

from __future__ import annotations

import logging
import sys

from dash_app import logs, startup
from dash_app.settings import SettingsError, load_settings

WORKER_BOOT_ERROR = 3  # gunicorn stops the whole server when a worker exits with this status
log = logging.getLogger("dash_app.startup")


def _log(message: str, **_kwargs) -> None:
    (log.warning if message.startswith("warning:") else log.info)(message)


def _build():
    try:
        settings = load_settings()
        logs.configure_default(settings.log_format)
        startup.prepare_once(settings, _log)
    except (SettingsError, startup.StartupError) as error:
        print(f"dash_app: {error}", file=sys.stderr, flush=True)
        raise SystemExit(WORKER_BOOT_ERROR) from None
    from dash_app import create_app

    return create_app(settings)


app = _build()
application = app.server
