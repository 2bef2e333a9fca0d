"""Put every route the product registers behind the host application's login.

The product has no users of its own: inside a host it asks the host who is signed in. With
Flask-Login on the host (``server.login_manager``) that works with no configuration; any other host
passes an :class:`Access`. The guard covers routes by endpoint, not by view function, because the
Dash assets blueprint registers no view of the product's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask import Flask, g, has_request_context, jsonify, request
from werkzeug.wrappers import Response


@dataclass(frozen=True)
class Access:
    """How the host says whether the current request may see the product, and who is asking."""

    is_allowed: Callable[[], bool]
    user_name: Callable[[], str | None]
    deny_page: Callable[[], Response] | None = None


def flask_login_access(server: Flask) -> Access | None:
    """Access through the host's Flask-Login, or None when the host does not use Flask-Login."""
    manager = getattr(server, "login_manager", None)
    if manager is None:
        return None
    # Imported here: Flask-Login is the host's dependency, not the product's.
    from flask_login import current_user

    def is_allowed() -> bool:
        return bool(current_user.is_authenticated)

    def user_name() -> str | None:
        if not current_user.is_authenticated:
            return None
        for attribute in ("name", "username", "email"):
            value = getattr(current_user, attribute, None)
            if value:
                return str(value)
        return str(current_user.get_id())

    return Access(is_allowed=is_allowed, user_name=user_name, deny_page=manager.unauthorized)


def protect_endpoints(
    server: Flask, endpoints: Iterable[str], page_endpoints: Iterable[str], access: Access
) -> None:
    """Refuse anonymous requests to the given endpoints: pages redirect to the login, the rest get 401.

    Only page requests are redirected: Dash's own requests (layout, callbacks, scripts) would receive
    the login form's HTML where they expect JSON or JavaScript, so they get a plain 401 instead.
    """
    guarded = frozenset(endpoints)
    page_endpoints = frozenset(page_endpoints)

    @server.before_request
    def _require_host_login() -> Response | None:
        if request.endpoint not in guarded or access.is_allowed():
            return None
        if request.endpoint in page_endpoints and access.deny_page is not None:
            return access.deny_page()
        response = jsonify(error="Sign in to use this application.")
        response.status_code = 401
        return response


def current_user_name() -> str | None:
    """Name of the signed-in host user, or None when standalone or outside a request."""
    if not has_request_context():
        return None
    if "dash_app_user_name" not in g:
        from dash_app.workbench import get_workbench  # imported here: the workbench imports every domain

        access = get_workbench().access
        g.dash_app_user_name = access.user_name() if access else None
    return g.dash_app_user_name
