"""``<prefix>health``: the load balancer's check (dash_app/health.py says what it checks).

It answers without the host's login (a load balancer has no session) and so says only which checks are
up, down or timed out, never a URL, host or error (SECURITY.md). 200 when all are up, 503 otherwise;
never cached.
"""

from __future__ import annotations

from flask import Flask, jsonify
from werkzeug.wrappers import Response

from dash_app import health
from dash_app.settings import Settings
from dash_app.workbench import get_workbench

ENDPOINT = "dash_app_health"


def register(server: Flask, settings: Settings) -> None:
    """Add the health route under ``settings.url_prefix``."""
    server.add_url_rule(f"{settings.url_prefix}health", ENDPOINT, _health, methods=["GET"])


def _health() -> Response:
    healthy, body = health.check(get_workbench())
    response = jsonify(body)
    response.status_code = 200 if healthy else 503
    response.headers["Cache-Control"] = "no-store"
    return response
