"""The application context: one :class:`Workbench` per mounted app owns its settings and services.

``init_app`` builds it and keeps it in ``server.extensions``; callbacks, pages and Flask routes reach it
through :func:`get_workbench`, never through module-level caches or key strings of their own (the shape
of Flask's ``get_db()`` over ``current_app``). Services open their connections on first use, never when
the app is built, and the workbench alone resets them after a fork (a background callback's process):
pooled connections must not cross processes.
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import TYPE_CHECKING, Any

from dash_app.compose.sources import Sources
from dash_app.compose.quota import UploadLimits
from dash_app.compose.storage import ComposeStorage
from dash_app.data.service import DataService
from dash_app.exports import ExportSlots
from dash_app.runs.store import RunStore, open_store
from dash_app.settings import Settings

if TYPE_CHECKING:
    from dash_app.auth import Access
    from dash_app.runs.launch import CeleryLauncher, ProcessLauncher

EXTENSION = "dash_app"


class Workbench:
    """Settings, the Data service, the run store, the Compose storage, the run launcher, the host's access and the
    export slots of one app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The Data service acts for the user of each request (its rules: dash_app/data/access.py).
        self.data = DataService(settings, app_store=lambda: self.runs.engine, viewer=self._viewer)
        limits = UploadLimits(settings.uploads_per_minute, settings.upload_quota_mb * 1024 * 1024)
        self._compose = ComposeStorage(settings.data_dir, max_side=settings.max_canvas_side, upload_limits=limits)
        self.exports = ExportSlots(settings.max_exports_per_user)  # per user, in this process
        self.launcher: ProcessLauncher | CeleryLauncher | None = None  # set by init_app with the manager
        self.endpoints: frozenset[str] = frozenset()  # the product's Flask endpoints, set by init_app
        self.access: Access | None = None  # how the host says who is signed in (None: standalone), set by init_app
        self._runs: RunStore | None = None
        self._lock = threading.Lock()
        _after_fork(self)

    @property
    def compose(self) -> ComposeStorage:
        """The Compose storage, acting for the user of this request (dash_app/auth.py ``current_identity``)."""
        return self._compose.as_user(self._viewer())

    def _viewer(self):
        """The user this request, callback or background job acts for (dash_app/auth.py ``current_identity``)."""
        from dash_app.auth import current_identity  # imported here: auth imports Flask

        return current_identity(self)

    @property
    def sources(self) -> Sources:
        """The runs and tables Compose may draw layers from, for the user of this request."""
        from dash_app.auth import current_identity  # imported here: auth imports Flask

        return Sources(self.data, self.runs, self.settings.data_dir, current_identity(self),
                       shared=self.settings.share_runs)

    @property
    def runs(self) -> RunStore:
        """The run store (the app's own store: runs and the Data page's edit audit), opened on first use."""
        with self._lock:
            if self._runs is None:
                self._runs = open_store(self.settings.store_url)
            return self._runs

    def reset_after_fork(self) -> None:
        """In a forked child: drop the parent's pooled connections without closing them under the parent."""
        self._lock = threading.Lock()  # another thread of the parent may have held it at the fork
        if self._runs is not None:
            self._runs.engine.dispose(close=False)
        self.data.reset_after_fork()

    def dispose(self) -> None:
        """Close every connection (tests, and a host that tears the app down)."""
        self.data.dispose()
        with self._lock:
            if self._runs is not None:
                self._runs.dispose()
                self._runs = None


def get_workbench(server: Any = None) -> Workbench:
    """The workbench of ``server``, else of the app serving this request, callback, background job or layout."""
    import flask

    if server is not None:
        return server.extensions[EXTENSION]
    if flask.has_app_context():
        return flask.current_app.extensions[EXTENSION]
    import dash  # outside a Flask context (a layout rendered by a test, a Celery worker): Dash's own app

    return dash.get_app().server.extensions[EXTENSION]


def install(server: Any, workbench: Workbench) -> None:
    """Keep ``workbench`` on the Flask ``server`` where :func:`get_workbench` finds it."""
    server.extensions[EXTENSION] = workbench


def _after_fork(workbench: Workbench) -> None:
    reference = weakref.ref(workbench)

    def reset() -> None:
        alive = reference()
        if alive is not None:
            alive.reset_after_fork()

    os.register_at_fork(after_in_child=reset)
