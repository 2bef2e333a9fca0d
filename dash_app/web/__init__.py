"""Plain Flask routes of the product (downloads, images): one module per page, each with ``register``.

``init_app`` calls :func:`register` before it snapshots the endpoints it added, so the host's login
guards these routes like every page, except those in :data:`PUBLIC_ENDPOINTS` (the load balancer's
health check, which says only up or down). Views stay thin: they check input and call the domain modules.
"""

from __future__ import annotations

from flask import Flask

from dash_app.settings import Settings
from dash_app.web import compose, data, health, training

PUBLIC_ENDPOINTS = frozenset({health.ENDPOINT})


def register(server: Flask, settings: Settings) -> None:
    """Add every product route to ``server`` under ``settings.url_prefix``."""
    for module in (data, training, compose, health):
        module.register(server, settings)
