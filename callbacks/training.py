"""Behaviour of the Training page."""

from __future__ import annotations

from dash import Dash


def register(app: Dash) -> None:
    """Register the Training page's callbacks on ``app``."""
