"""Celery worker entry point: ``celery -A dash_app.worker worker`` with ``DASH_APP_BACKGROUND=celery``.

The worker builds the same app as the web process, from the same settings, so it registers the same
background callbacks; Dash finds the job functions by those registrations.

Before that it checks what it needs (dash_app/startup.py ``check_worker``): a bad setting, a Redis or a
store that does not answer stops it with one line naming the setting. It answers the
``dash_app_settings`` control command with its settings fingerprint (dash_app/fingerprint.py), so the
web servers' ``/health`` and start-up report a worker started with other shared settings.
"""

import logging

from celery.worker.control import inspect_command
from dash import CeleryManager

from dash_app import create_app, fingerprint, logs, startup
from dash_app.auth import Access
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
