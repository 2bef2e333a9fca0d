"""Celery worker entry point: ``celery -A dash_app.worker worker`` with ``DASH_APP_BACKGROUND=celery``.

The worker builds the same app as the web process, from the same settings, so it registers the same
background callbacks; Dash finds the job functions by those registrations.
"""

from dash import CeleryManager

from dash_app import create_app
from dash_app.auth import Access
from dash_app.settings import load_settings
from dash_app.workbench import get_workbench

settings = load_settings()
if settings.background != "celery":
    msg = "dash_app.worker needs DASH_APP_BACKGROUND=celery (and DASH_APP_REDIS_URL); diskcache runs jobs itself"
    raise SystemExit(msg)
web_app = create_app(settings)
# A job here has no request and the worker knows no host login: it acts for nobody, so a chart of a database
# that DASH_APP_DATABASE_ROLES narrows is refused here rather than drawn for anyone (SECURITY.md, item 3).
get_workbench(web_app.server).access = Access(is_allowed=lambda: False, user_name=lambda: None, user_id=lambda: None)
manager = web_app._background_manager  # noqa: SLF001 - Dash keeps the manager only here
assert isinstance(manager, CeleryManager)
# `celery -A dash_app.worker` takes the module's `app` first: it must be the Celery application.
app = celery_app = manager.handle
