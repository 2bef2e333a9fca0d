"""Security headers on the product's own responses (pages, Dash's scripts and callbacks, assets, downloads).

The host's other routes are left as they are: like the compression (dash_app/web/compression.py), the
headers are added only to the endpoints ``init_app`` registered for the product.

- ``Content-Security-Policy``: scripts only from the app's own origin, plus the inline scripts Dash writes
  into every page (its renderer's start and the clientside callbacks defined in callbacks/), allowed by
  their SHA-256 hashes from Dash's own ``app.csp_hashes()``: no other inline script runs, and no ``eval``.
  Styles may be inline (``'unsafe-inline'`` in ``style-src`` only): plotly.js and AG Grid write their
  styles into ``<style>`` elements at run time, and components set ``style`` attributes; styles cannot run
  code. SECURITY.md ("7. Headers") says why each directive is what it is.
- ``X-Content-Type-Options: nosniff``: a browser never guesses a type (an uploaded file is never run as a
  script or shown as HTML).
- ``Referrer-Policy: same-origin``: the product's URLs carry the Data page's state (database, table,
  filters); they are never sent to another site.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from dash import Dash
from flask import Flask, request
from werkzeug.wrappers import Response

REFERRER_POLICY = "same-origin"


def content_security_policy(script_hashes: Iterable[str]) -> str:
    """The policy of every product response, allowing the inline scripts whose hashes are given."""
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],  # plotly's and AG Grid's icons, the export's preview
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def policy_of(app: Dash) -> Callable[[], str]:
    """The app's policy, built at its first request: the hashes cover every clientside callback, which are
    all registered by then (``init_app`` registers the callbacks before the server starts)."""
    built: list[str] = []

    def policy() -> str:
        if not built:
            built.append(content_security_policy(app.csp_hashes()))
        return built[0]

    return policy


def register(server: Flask, endpoints: Iterable[str], app: Dash) -> None:
    """Add the security headers to the responses of ``endpoints`` (the product's) on ``server``."""
    product = frozenset(endpoints)
    policy = policy_of(app)

    @server.after_request
    def _security_headers(response: Response) -> Response:
        if request.endpoint in product:
            response.headers["Content-Security-Policy"] = policy()
            response.headers["X-Content-Type-Options"] = "nosniff"
            response.headers["Referrer-Policy"] = REFERRER_POLICY
        return response
