"""HTTP-level routing facts about the Dash app: which endpoints serve pages, and honest 404 statuses.

Dash answers every path under its prefix with the same page shell and 200; the browser then shows
the not-found page. Bookmarks, crawlers and monitoring deserve the real status, so unknown paths get
404 here while the browser still renders the styled not-found page; so does a page whose address names
something that is not there for this user (a run's page, checked by the callbacks that know runs).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from html import escape

from dash import Dash
from dash.exceptions import DependencyException
from dash._pages import _path_to_page  # the router's own matcher, so status and page always agree
from flask import request
from werkzeug.wrappers import Response

NOT_FOUND_MODULE_SUFFIX = "not_found_404"


def page_endpoints(app: Dash) -> frozenset[str]:
    """Endpoints of the routes that return the page shell (Dash names endpoints after their rule)."""
    prefix = app.config.routes_pathname_prefix
    return frozenset({prefix, prefix + "<path:path>"})


def is_known_page(app: Dash, path: str, named: Mapping[str, Callable[..., bool]] | None = None) -> bool:
    """Whether ``path`` (full URL path, prefix included) belongs to a registered page, and, for a page whose
    address names a thing (``named``, by path template: a run's page), whether that thing is there."""
    page, variables = _path_to_page(app.strip_relative_path(path) or "")
    # Dash matches a template's variable across "/" ("training/runs/<run_id>" takes "runs/1/x/y"): a variable
    # is one path segment here, so deeper paths are unknown.
    deeper = any("/" in str(value) for value in (variables or {}).values())
    if not page or page["module"].endswith(NOT_FOUND_MODULE_SUFFIX) or deeper:
        return False
    there = (named or {}).get(page.get("path_template") or "")
    return there is None or there(**(variables or {}))


def mark_unknown_pages_not_found(app: Dash, endpoints: frozenset[str],
                                 named: Mapping[str, Callable[..., bool]] | None = None) -> None:
    """Give page requests for unknown paths, and for pages that name nothing there, the status 404."""

    @app.server.after_request
    def _not_found_status(response: Response) -> Response:
        if request.endpoint in endpoints and response.status_code == 200 and \
                not is_known_page(app, request.path, named):
            response.status_code = 404
        return response


def pages_not_stored(app: Dash, endpoints: frozenset[str]) -> None:
    """Answer page requests with ``Cache-Control: no-store``: a page's HTML carries the signed-in user's data
    (the Data page's first rows, dash_app/first_screen.py), which no shared cache may keep or hand to another."""

    @app.server.after_request
    def _no_store(response: Response) -> Response:
        if request.endpoint in endpoints:
            response.headers["Cache-Control"] = "no-store"
        return response


def preload_links(app: Dash, path: str) -> str:
    """``<link rel="preload">`` tags for the scripts the page at ``path`` loads on demand (its ``preload``).

    Component libraries load their big parts only when a component first renders (AG Grid's grid is such a
    chunk): listing them in the page's head lets the browser fetch them while Dash is still fetching the
    layout, instead of after it.
    """
    page, _ = _path_to_page(app.strip_relative_path(path) or "")
    prefix = app.config.requests_pathname_prefix + "_dash-component-suites/"
    return "".join(f'<link rel="preload" as="script" href="{escape(prefix + script)}">'
                   for script in (page or {}).get("preload", ()))


def set_up_before_serving(app: Dash) -> None:
    """Do Dash's first-request set-up now, in this process, before it answers anything.

    Dash does it in the first request and marks it done as that request starts it: in a threaded server
    (waitress, gunicorn's gthread workers) requests that arrive meanwhile are answered by a half-set-up app,
    such as a page without the assets' scripts, or 404 for AG Grid's chunk (which the Data page preloads,
    ``preload_links``). With two gunicorn workers the second worker's first requests come while the page is
    in use, so the grid stayed blank or a clientside callback was missing. Done here, the first request
    finds it done. The layout is checked without a signed-in user, as it is for any visitor.
    """
    with app.server.test_request_context(app.config.requests_pathname_prefix):
        app._setup_server()  # noqa: SLF001 - Dash's own set-up; only its timing is ours


def unknown_component_files_not_found(app: Dash) -> None:
    """Answer 404 for a file Dash does not serve under ``_dash-component-suites/`` (a mistyped or probing
    path, ``..`` included): Dash raises DependencyException for it, which Flask would answer with a 500."""

    def _not_found(_error: DependencyException) -> Response:
        return Response("No such file.\n", status=404, mimetype="text/plain")

    app.server.register_error_handler(DependencyException, _not_found)
