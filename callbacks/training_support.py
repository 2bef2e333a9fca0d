"""What the Training callbacks share: the settings, the run store and small formatting of messages."""

from __future__ import annotations

from typing import TYPE_CHECKING

import dash_bootstrap_components as dbc
from dash import html
from flask import current_app

from dash_app.runs.store import RunStore, shared_store
from dash_app.settings import Settings

if TYPE_CHECKING:
    from dash_app.background import Launcher


def current_settings() -> Settings:
    """The settings of the app serving this request."""
    return current_app.extensions["dash_app"]["settings"]


def current_store() -> RunStore:
    """The run store of the app serving this request."""
    return shared_store(current_settings().store_url)


def current_launcher() -> Launcher:
    """What hands a queued run to its job process (dash_app/runs/launch.py), as built for this app."""
    return current_app.extensions["dash_app"]["launcher"]


def alert(message, color: str = "danger", icon: str = "bi-exclamation-triangle") -> dbc.Alert:
    """A dismissable message the user reads next to what caused it."""
    parts = message if isinstance(message, list) else [message]  # Dash children must be one flat list
    return dbc.Alert([html.I(className=f"bi {icon} me-2"), *parts], color=color, dismissable=True,
                     className="train-alert")


def parse_run_ids(text: str | None, limit: int = 8) -> list[int]:
    """Run ids from a query string such as "3,7,12"; anything that is not a small positive integer is dropped."""
    ids: list[int] = []
    for part in (text or "").split(","):
        part = part.strip()
        if part.isdigit() and 0 < len(part) <= 9 and int(part) not in ids:
            ids.append(int(part))
    return ids[:limit]
