"""Workbench: the composition root. ``create_app`` runs it alone; ``init_app`` mounts it in a host Flask app.

Nothing happens at import: no app, cache, engine or GPU is created until one of these is called, and
Dash and Flask themselves are loaded only when one of the names below is first used (a training job's
process imports ``dash_app.runs`` and ``dash_app.jobs`` and never needs them).

Mounting in a host (with Flask-Login, the host's login guards every route of the product)::

    from dash_app import init_app
    from dash_app.settings import load_settings

    init_app(server, load_settings(url_prefix="/dashboard/"))
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dash_app.factory import assets_folder, create_app, init_app
    from dash_app.settings import Settings, load_settings

__all__ = ["create_app", "init_app", "assets_folder", "Settings", "load_settings"]
_WHERE = {"create_app": "dash_app.factory", "init_app": "dash_app.factory", "assets_folder": "dash_app.factory",
          "Settings": "dash_app.settings", "load_settings": "dash_app.settings"}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        msg = f"module 'dash_app' has no attribute {name!r}"
        raise AttributeError(msg)
    return getattr(importlib.import_module(_WHERE[name]), name)
