"""WSGI entry point for several web worker processes: ``gunicorn 'dash_app.wsgi:application'``.

Every worker builds the same app from the same ``DASH_APP_*`` settings; shared state lives in the store
(``DASH_APP_STORE_URL``), Redis and the shared data directory, never in a worker's memory.
"""

from __future__ import annotations

from dash_app import create_app
from dash_app.settings import load_settings

app = create_app(load_settings())
application = app.server
