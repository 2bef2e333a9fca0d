"""The composition root: ``create_app`` runs the product alone; ``init_app`` mounts it in a host Flask app.

Imported through the package (``from dash_app import init_app``), which loads this module only when one
of its names is first used, so that a job process importing ``dash_app.runs`` does not load Dash.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import dash
from dash import Dash
from flask import Flask, request

from dash_app import auth, first_screen, logs, routing, shell, web
from dash_app.background import build_background_manager, build_launcher
from dash_app.settings import Settings, load_settings
from dash_app.web import callback_bodies, compression, headers
from dash_app.workbench import Workbench, install

VENDOR_STYLESHEETS = (
    "vendor/bootstrap/bootstrap.min.css",
    "vendor/bootstrap-icons/bootstrap-icons.min.css",
    "vendor/inter/inter.css",
)
# Runs in the page's head, before anything is drawn: the reader's stored choices (colour mode, the Data page's
# density and side panel) and the first screen's removal (dash_app/first_screen.py).
HEAD_SCRIPTS = ("boot/first-paint.js",)
# Adds Dash's scripts and starts Dash once the page's HTML has been drawn (see _started_after_first_paint).
START_SCRIPT = "boot/start-dash.js"
DASH_START = "var renderer = new DashRenderer();"  # what Dash writes inline when no renderer hooks are set
SCRIPT_TAG = re.compile(r'\s*<script src="([^"]+)"></script>|\s*<script>(.*?)</script>', re.DOTALL)
# Fonts the first paint needs, asked for with the stylesheets instead of after them: text and icons are then
# drawn once, in their own font (each URL exactly as its stylesheet names it, or the browser loads it twice).
HEAD_FONTS = (
    "vendor/inter/inter-latin-wght-normal.woff2",
    "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2?e34853135f9e39acf64315236852cd5a",
)


def create_app(settings: Settings | None = None) -> Dash:
    """Build the product on a Flask server of its own, with no login (one user on a laptop)."""
    settings = settings or load_settings()
    server = Flask("dash_app")
    server.config["MAX_CONTENT_LENGTH"] = settings.max_upload_bytes
    return init_app(server, settings)


def init_app(server: Flask, settings: Settings | None = None, *, access: auth.Access | None = None,
             user_roles: auth.RolesOf | None = None) -> Dash:
    """Mount the product on ``server`` under ``settings.url_prefix`` and return the Dash app.

    ``access`` says how the host grants access and who is asking; by default the host's Flask-Login is
    used if it has one, and the product is open otherwise (standalone). With Flask-Login, ``user_roles``
    maps the signed-in user object to its role names (default: its ``roles`` attribute).
    """
    if access is not None and user_roles is not None:
        msg = "user_roles is for hosts that use Flask-Login; an Access says the roles with its own user_roles"
        raise TypeError(msg)
    settings = settings or load_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    endpoints_before = set(server.view_functions)
    workbench = Workbench(settings)
    install(server, workbench)
    manager = build_background_manager(settings)
    workbench.launcher = build_launcher(settings, manager, lambda: workbench.runs)
    app = _build_dash(settings, manager)
    app.init_app(server)  # sets the current app, which register_page needs
    _register_pages()
    app.layout = shell.layout
    named_pages = _register_callbacks(app)
    web.register(server, settings)
    product_endpoints = set(server.view_functions) - endpoints_before
    page_endpoints = routing.page_endpoints(app)
    routing.mark_unknown_pages_not_found(app, page_endpoints, named_pages)
    routing.pages_not_stored(app, page_endpoints)
    routing.unknown_component_files_not_found(app)
    access = access or auth.flask_login_access(server, user_roles)
    workbench.access = access
    if access is not None:
        auth.protect_endpoints(server, product_endpoints - web.PUBLIC_ENDPOINTS, page_endpoints, access)
    callback_bodies.register(server, app)  # after the login check: a stranger gets 401, not a reason
    workbench.endpoints = frozenset(product_endpoints)
    compression.register(server, product_endpoints, settings.url_prefix)
    headers.register(server, product_endpoints, app)
    logs.register(server, product_endpoints, quiet=web.PUBLIC_ENDPOINTS)
    routing.set_up_before_serving(app)  # last: everything it sets up is registered by now
    return app


class _Dash(Dash):
    """Dash, with the scripts that a page loads on demand asked for in the page's head (dash_app/routing.py),
    the head's own scripts, and the page's first screen before the app (dash_app/first_screen.py)."""

    def interpolate_index(self, **kwargs) -> str:
        prefix = self.config.requests_pathname_prefix
        head = "".join(f'<link rel="preload" as="font" type="font/woff2" crossorigin href="{prefix}assets/{path}">'
                       for path in HEAD_FONTS)
        head += "".join(f'<script src="{prefix}assets/{path}"></script>' for path in HEAD_SCRIPTS)
        kwargs["css"] = kwargs.get("css", "") + routing.preload_links(self, request.path) + head
        kwargs["app_entry"] = (first_screen.page_html(self, request.path, request.query_string.decode("latin-1"))
                               + kwargs.get("app_entry", ""))
        started = _started_after_first_paint(self, prefix, kwargs.get("scripts", ""))
        if started:
            kwargs["css"] += started.pop("preload")
            kwargs.update(started)
        return super().interpolate_index(**kwargs)


def _started_after_first_paint(app: Dash, prefix: str, scripts: str) -> dict:
    """The index's ``scripts`` and ``renderer`` (and the head's ``preload``) so that the browser draws the page
    before it runs Dash's scripts.

    Dash's script files go into an inert ``<template>`` and are preloaded from the head; assets/boot/start-dash.js
    adds them after the first frame and starts Dash (the line Dash would write inline). Dash's own inline functions
    (the page title's) stay as module scripts, which run once the HTML is parsed. Where the scripts are not only
    those, or Dash has renderer hooks, the page is left as Dash writes it.
    """
    parts = list(SCRIPT_TAG.finditer(scripts))
    if app.renderer != DASH_START or "".join(part.group(0) for part in parts).strip() != scripts.strip():
        return {}
    files = [part.group(1) for part in parts if part.group(1)]
    inline = [part.group(2) for part in parts if part.group(2) is not None]
    preload = "".join(f'<link rel="preload" as="script" href="{source}">' for source in files)
    listed = "".join(f'<script src="{source}"></script>' for source in files)
    return {
        "preload": preload,
        "scripts": f'<template id="app-scripts">{listed}</template>'
                   + "".join(f'<script type="module">{code}</script>' for code in inline),
        "renderer": f'<script defer id="_dash-renderer" src="{prefix}assets/{START_SCRIPT}"></script>',
    }


def _build_dash(settings: Settings, manager) -> Dash:
    prefix = settings.url_prefix
    return _Dash(
        "dash_app",
        server=False,
        use_pages=True,
        pages_folder="",  # pages are registered explicitly: see _register_pages
        url_base_pathname=prefix,
        title=settings.title,
        update_title=None,
        assets_folder=str(assets_folder()),
        # Vendored stylesheets are listed in order below; auto-including them would sort them after ours. The
        # page's own start-up scripts (boot/) are placed by interpolate_index, not at the end with the others.
        assets_path_ignore=["vendor", "boot"],
        external_stylesheets=[f"{prefix}assets/{path}" for path in VENDOR_STYLESHEETS],
        background_callback_manager=manager,
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        # Dash would otherwise build a "validation layout" from every page's layout at the first request and
        # put it in every page's HTML: the Data page's layout opens a table (its names and columns would go
        # to every visitor of any page, and the first request would wait for a database), and the browser
        # would walk it on every load. Its checks only show in Dash's debug tools.
        suppress_callback_exceptions=True,
    )


def assets_folder() -> Path:
    """Folder of the static files, found without importing it (works installed and editable)."""
    spec = importlib.util.find_spec("dash_app.assets")
    return Path(next(iter(spec.submodule_search_locations)))


def _register_pages() -> None:
    """Register each page module under ``dash_app.pages`` with the registration data it declares."""
    from dash_app.pages import PAGE_MODULES

    for name in PAGE_MODULES:
        module = importlib.import_module(f"dash_app.pages.{name}")
        dash.register_page(module.__name__, layout=module.layout, **module.PAGE)


def _register_callbacks(app: Dash) -> Mapping[str, Callable[..., bool]]:
    """Register every page's behaviour; return the checks of the pages whose address names a thing (a run's
    page), for routing's 404."""
    from dash_app import callbacks

    callbacks.register(app)
    return callbacks.PAGES_THAT_NAME_A_THING
