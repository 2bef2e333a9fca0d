"""gunicorn's configuration for the product's web workers (README.md, Deploy)::

    gunicorn -c python:dash_app.gunicorn_conf -w 4 -b 0.0.0.0:8050 'dash_app.wsgi:application'

- :func:`on_starting` runs the start-up of dash_app/startup.py once, in gunicorn's master process,
  before any worker exists: the data directory, the demo database (built once, not by every worker at
  the same time), the databases reported, Redis and the store checked, runs whose job is gone ended.
  A bad setting, an unreachable Redis (with Celery) or a store that cannot be opened stops the master
  there, with one line naming the setting and exit status 2, and no worker is ever started. The
  workers inherit that the start-up was done (dash_app/wsgi.py then skips it).
- :func:`post_worker_init` has each worker keep a warm job process (torch imported, so a run's first
  progress comes within about a second) and its run dispatcher look at the queue (diskcache mode), so runs
  queued before a restart start without waiting for the next Start; :func:`worker_exit` ends that process.
- Threaded workers: a page asks for several things at once (Dash callbacks, grid blocks, assets) and an
  export streams for as long as it takes; the master only checks that each worker's loop is alive.
"""

from __future__ import annotations

import sys

wsgi_app = "dash_app.wsgi:application"
worker_class = "gthread"
threads = 8  # as many as the standalone server's (dash_app/__main__.py SERVER_THREADS)
preload_app = False  # each worker builds the app after the fork: no connection is shared across processes
control_socket_disable = True  # not used by the product; two servers on one machine would share its default path


def on_starting(server) -> None:
    """Prepare once for every worker, or stop gunicorn with one line before any worker starts."""
    from dash_app import logs, startup
    from dash_app.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        logs.configure_default(settings.log_format)
        startup.prepare(settings, log=lambda message, **_: _log(server, message))
    except (SettingsError, startup.StartupError) as error:
        print(f"dash_app: {error}", file=sys.stderr, flush=True)
        sys.exit(2)  # raised before gunicorn listens or forks: the master ends here


def post_worker_init(worker) -> None:
    """Keep a warm job process and start the queued runs a previous server left, if a slot is free (diskcache)."""
    from dash_app import startup

    startup.resume_queue(worker.wsgi)


def worker_exit(server, worker) -> None:  # noqa: ARG001 - gunicorn's hook signature
    """The worker's warm job process ends with it."""
    from dash_app import startup

    startup.stop_launcher(worker.wsgi)


def _log(server, message: str) -> None:
    (server.log.warning if message.startswith("warning:") else server.log.info)(message)
