"""Celery worker entry point: ``celery -A dash_app.worker worker`` with ``DASH_APP_BACKGROUND=celery``.

The worker builds the same app as the web process, from the same settings, so it registers the same
background callbacks and the training task; Dash finds the job functions by those registrations. Which
queues a worker serves is the operator's choice (dash_app/background.py: ``celery`` for Dash's
callbacks, ``training`` for runs; both without ``-Q``; README.md).

Before that it checks what it needs (dash_app/startup.py ``check_worker``): a bad setting, a Redis or a
store that does not answer stops it with one line naming the setting. It answers the
``dash_app_settings`` control command with its settings fingerprint (dash_app/fingerprint.py), so the
web servers' ``/health`` and start-up report a worker started with other shared settings.

Besides, each worker (dash_app/runs/job.py):

- imports torch and the job's modules before it takes any task: in the parent (``worker_init``: imports
  only, its pool processes are forked after and inherit them) and in each pool process
  (``worker_process_init``: a tiny training step too), so a run's first progress does not wait for torch;
- interrupts runs whose heartbeat stopped (a worker killed elsewhere), every quarter of
  ``DASH_APP_HEARTBEAT_TIMEOUT_S``, so a dead worker's run is interrupted even while nobody looks at it;
  and sends again the task of a queued run that a dead worker took with it (dash_app/runs/control.py
  ``LostTasks``), so the run starts instead of staying queued.
"""

from __future__ import annotations

import logging
import threading

import redis
from celery import signals
from celery.worker.control import inspect_command
from dash import CeleryManager

from dash_app import create_app, fingerprint, logs, startup
from dash_app.auth import Access
from dash_app.background import WORKERS_KEY, redis_client, say_worker_lives, worker_every_s
from dash_app.settings import SettingsError, load_settings
from dash_app.workbench import get_workbench

log = logging.getLogger("dash_app.worker")


def _log(message: str, **_kwargs) -> None:
    (log.warning if message.startswith("warning:") else log.info)(message)


try:
    settings = load_settings()
    logs.configure_default(settings.log_format)
    startup.check_worker(settings, _log)
except (SettingsError, startup.StartupError) as error:
    raise SystemExit(f"dash_app.worker: {error}") from None
web_app = create_app(settings)
# A job here has no request and the worker knows no host login: it acts for nobody, so a chart of a database
# that DASH_APP_DATABASE_ROLES narrows is refused here rather than drawn for anyone (SECURITY.md, item 3).
get_workbench(web_app.server).access = Access(is_allowed=lambda: False, user_name=lambda: None, user_id=lambda: None)
manager = web_app._background_manager  # noqa: SLF001 - Dash keeps the manager only here
assert isinstance(manager, CeleryManager)
# `celery -A dash_app.worker` takes the module's `app` first: it must be the Celery application.
app = celery_app = manager.handle


@inspect_command(name=fingerprint.CONTROL_COMMAND)
def settings_fingerprint(state) -> dict:  # noqa: ARG001 - Celery's control commands take the worker's state
    """This worker's shared settings, hashed (dash_app/fingerprint.py)."""
    return {"settings": fingerprint.fingerprint(settings)}


class Reaper:
    """A thread of the worker's parent process that says in Redis that the worker lives (the web servers ask
    before they send a job, dash_app/background.py ``WorkerWatch``), interrupts runs whose job stopped beating
    and sends again the tasks of queued runs that a dead worker took with it."""

    def __init__(self, every_s: float) -> None:
        from dash_app.runs.control import LostTasks

        self.every_s = every_s
        self.store = None
        self.name: str | None = None  # the worker's, once it is ready
        self.redis = None  # its client, once it is ready
        self.lost = LostTasks(settings.heartbeat_timeout_s)
        self._stop = threading.Event()

    def start(self, name: str) -> None:
        self.name, self.redis = name, redis_client(settings.redis_url)
        threading.Thread(target=self._loop, name="run-reaper", daemon=True).start()

    def stop(self) -> None:
        self._stop.set()
        if self.name is None:  # stopped before it was ready
            return
        try:
            self.redis.zrem(WORKERS_KEY, self.name)  # gone now, not in a window's time
        except redis.RedisError:  # Redis stopped: the worker is taken for gone once its window passes
            pass

    def _say_it_lives(self) -> None:
        try:
            say_worker_lives(self.redis, self.name)
        except redis.RedisError:  # Redis does not answer now: say it next time
            log.warning("could not say in Redis that this worker lives", exc_info=True)

    def forget_connections(self) -> None:
        """In a forked pool process: leave the parent's connections to the parent (never close them here)."""
        if self.store is not None:
            self.store.engine.dispose(close=False)

    def _loop(self) -> None:
        from dash_app.background import TRAIN_TASK
        from dash_app.runs.control import reap
        from dash_app.runs.launch import CeleryLauncher
        from dash_app.runs.store import open_store

        launcher = CeleryLauncher(celery_app.tasks[TRAIN_TASK], lambda: self.store)
        self._say_it_lives()  # at once: the worker takes tasks from now on
        while not self._stop.wait(self.every_s):
            self._say_it_lives()
            try:
                if self.store is None:
                    self.store = open_store(settings.store_url)
                active = self.store.list_runs(active_only=True)
                reaped = reap(self.store, active, settings.heartbeat_timeout_s)
                if reaped:
                    log.warning("runs %s: their job gave no sign of life; marked interrupted", reaped)
                    active = self.store.list_runs(active_only=True)  # their slots are free now
                sent = self.lost.resend(launcher, active, settings.max_concurrent_jobs)
                if sent:
                    log.warning("runs %s: their turn to start came and no task took it; their tasks were sent again",
                                sent)
            except Exception:  # noqa: BLE001 - the store does not answer now: look again next time
                log.warning("could not look for runs whose worker died", exc_info=True)


reaper = Reaper(worker_every_s(settings))


@signals.worker_init.connect(weak=False)
def _warm_parent(**_kwargs) -> None:
    from dash_app.runs.job import warm_up

    warm_up()


@signals.worker_process_init.connect(weak=False)
def _prepare_pool_process(**_kwargs) -> None:
    from dash_app.runs.job import warm_up

    reaper.forget_connections()
    warm_up(exercise=True)  # this process forks no further


@signals.worker_ready.connect(weak=False)
def _start_reaper(sender=None, **_kwargs) -> None:
    reaper.start(getattr(sender, "hostname", None) or "worker")


@signals.worker_shutdown.connect(weak=False)
def _stop_reaper(**_kwargs) -> None:
    reaper.stop()
