"""Put every route the product registers behind the host application's login, and say who is asking.

The product has no users of its own: inside a host it asks the host who is signed in. With
Flask-Login on the host (``server.login_manager``) that works with no configuration; any other host
passes an :class:`Access`. The guard covers routes by endpoint, not by view function, because the
Dash assets blueprint registers no view of the product's own.

Who is asking is an :class:`dash_app.identity.Identity`: the host's stable user id (the key of
everything the user owns), the display name (a label only) and the user's roles (the admin role is
named by ``DASH_APP_ADMIN_ROLE``). :func:`current_identity` builds it once per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, g, has_request_context, jsonify, request
from werkzeug.wrappers import Response

from dash_app.identity import NOBODY, STANDALONE, Identity, host_identity

RolesOf = Callable[[Any], Iterable[str] | str | None]  # a Flask-Login user object -> its role names


def _no_roles() -> Iterable[str]:
    return ()


@dataclass(frozen=True)
class Access:
    """How the host says whether the current request may see the product, and who is asking.

    ``user_id`` must return the signed-in user's stable id (never a display name: two accounts may
    share one); everything the user owns is filed under it. ``user_roles`` returns the user's role names.
    """

    is_allowed: Callable[[], bool]
    user_name: Callable[[], str | None]
    deny_page: Callable[[], Response] | None = None
    user_id: Callable[[], str | None] = field(kw_only=True)
    user_roles: Callable[[], Iterable[str] | str | None] = field(default=_no_roles, kw_only=True)


def roles_attribute(user: Any) -> Iterable[str] | str | None:
    """The default ``user_roles`` of a Flask-Login host: the user object's ``roles`` attribute (none if absent)."""
    return getattr(user, "roles", None)


def flask_login_access(server: Flask, user_roles: RolesOf | None = None) -> Access | None:
    """Access through the host's Flask-Login, or None when the host does not use Flask-Login.

    The user's id is ``current_user.get_id()``; the roles are ``user_roles(user)``, by default the
    user object's ``roles`` attribute (:func:`roles_attribute`).
    """
    manager = getattr(server, "login_manager", None)
    if manager is None:
        return None
    # Imported here: Flask-Login is the host's dependency, not the product's.
    from flask_login import current_user

    roles_of = user_roles or roles_attribute

    def is_allowed() -> bool:
        return bool(current_user.is_authenticated)

    def user_id() -> str | None:
        return str(current_user.get_id()) if current_user.is_authenticated else None

    def user_name() -> str | None:
        if not current_user.is_authenticated:
            return None
        for attribute in ("name", "username", "email"):
            value = getattr(current_user, attribute, None)
            if value:
                return str(value)
        return str(current_user.get_id())

    def roles() -> Iterable[str] | str | None:
        if not current_user.is_authenticated:
            return ()
        return roles_of(current_user._get_current_object())  # the user object itself, not the proxy

    return Access(is_allowed=is_allowed, user_name=user_name, deny_page=manager.unauthorized, user_id=user_id,
                  user_roles=roles)


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


def current_identity(workbench: Any = None) -> Identity:
    """Who is asking: built once per request from the host's :class:`Access` (standalone: the one local user).

    Outside a request (a test, a job) it is the standalone user when there is no host, and nobody otherwise.
    """
    from dash_app.workbench import get_workbench  # imported here: the workbench imports every domain

    if not has_request_context():
        workbench = workbench or get_workbench()
        return STANDALONE if workbench.access is None else NOBODY
    if "dash_app_identity" not in g:
        workbench = workbench or get_workbench()
        g.dash_app_identity = identify(workbench.access, workbench.settings.admin_role)
    return g.dash_app_identity


def identify(access: Access | None, admin_role: str) -> Identity:
    """The identity the host's ``access`` gives for the current request."""
    if access is None:
        return STANDALONE
    if not access.is_allowed():
        return NOBODY
    return host_identity(access.user_id(), access.user_name(), access.user_roles(), admin_role)


def current_user_name() -> str | None:
    """Display name of the signed-in host user (a label only), or None when standalone or outside a request."""
    if not has_request_context():
        return None
    return current_identity().name
