"""Flask routes of the Training page."""

from __future__ import annotations

from flask import Flask

from dash_app.settings import Settings


def register(server: Flask, settings: Settings) -> None:
    """Add the Training page's routes to ``server`` under ``settings.url_prefix``."""
