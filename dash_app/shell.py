"""The frame around every page: navbar from the page registry, colour-mode switch, app-level stores.

``layout`` is a function so that Dash calls it per page load: the navbar then lists the pages
registered by the factory and names the host user of that request.
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dash_app import ids
from dash_app.auth import current_user_name

# Navbar switches to the collapsed toggler below Bootstrap's "lg" breakpoint (992 px).
NAV_EXPAND = "lg"


def nav_pages() -> list[dict]:
    """Registered pages that belong in the navbar, in their registered order."""
    return [page for page in dash.page_registry.values() if page.get("nav")]


def layout() -> html.Div:
    """Return the shell with the current page inside it."""
    return html.Div(
        [
            dcc.Location(id=ids.SHELL_LOCATION, refresh=False),
            # The stored choice lives in localStorage: it must survive reloads and new tabs.
            dcc.Store(id=ids.SHELL_COLOR_MODE_STORE, storage_type="local"),
            # Job state must outlive page changes (dash#2650): it lives here, not in a page.
            dcc.Store(id=ids.SHELL_JOB_STORE, storage_type="memory", data={}),
            navbar(),
            html.Main(dash.page_container, id=ids.SHELL_MAIN, className="app-main container-xl"),
        ],
        className="app-shell",
    )


def navbar() -> dbc.Navbar:
    """Return the top navigation bar."""
    brand = dbc.NavbarBrand(
        [html.Span(html.I(className="bi bi-grid-1x2-fill"), className="app-logo"), dash.get_app().title],
        href=dash.get_relative_path("/"),
        className="app-brand",
    )
    links = dbc.Nav(
        [_nav_link(page) for page in nav_pages()],
        id=ids.SHELL_NAV_LINKS,
        navbar=True,
        className="me-auto app-nav-links",
    )
    return dbc.Navbar(
        dbc.Container(
            [
                brand,
                html.Div([color_mode_switch(), dbc.NavbarToggler(id=ids.SHELL_NAV_TOGGLER)], className="app-nav-tools"),
                dbc.Collapse(
                    [links, user_badge()], id=ids.SHELL_NAV_COLLAPSE, navbar=True, is_open=False
                ),
            ],
            fluid="xl",
        ),
        id=ids.SHELL_NAVBAR,
        expand=NAV_EXPAND,
        dark=False,  # the toggler icon must follow the colour mode, not a fixed dark navbar
        color="transparent",
        className="app-navbar",
    )


def _nav_link(page: dict) -> dbc.NavLink:
    return dbc.NavLink(
        [html.I(className=f"bi {page['icon']}"), html.Span(page["name"])],
        href=page["relative_path"],
        active="exact" if page["path"] == "/" else "partial",
        id=ids.shell_nav_link(page["module"]),
        className="app-nav-link",
    )


def user_badge() -> html.Div:
    """Return the signed-in host user's name, or nothing when running standalone."""
    name = current_user_name()
    if not name:
        return html.Div(id=ids.SHELL_USER)
    return html.Div(
        [html.I(className="bi bi-person-circle"), html.Span(name, className="app-user-name")],
        id=ids.SHELL_USER,
        className="app-user",
        title=f"Signed in as {name}",
    )


def color_mode_switch() -> html.Div:
    """Return the light/dark switch; its first value comes from the browser (stored choice or system)."""
    return html.Div(
        [
            html.I(className="bi bi-sun", **{"aria-hidden": "true"}),
            dbc.Switch(
                id=ids.SHELL_COLOR_MODE_SWITCH,
                value=False,
                className="app-color-switch",
                input_class_name="app-color-switch-input",
                label=html.Span("Dark mode", className="visually-hidden"),
            ),
            html.I(className="bi bi-moon-stars", **{"aria-hidden": "true"}),
        ],
        className="app-color-mode",
        title="Light or dark",
    )
