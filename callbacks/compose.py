"""Behaviour of the Compose page."""

from __future__ import annotations

from dash import Dash


def register(app: Dash) -> None:
    """Register the Compose page's callbacks on ``app``."""
