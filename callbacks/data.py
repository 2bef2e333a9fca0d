"""Behaviour of the Data page."""

from __future__ import annotations

from dash import Dash


def register(app: Dash) -> None:
    """Register the Data page's callbacks on ``app``."""
