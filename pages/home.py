"""Home: one line for each job and a way into it."""

import dash
import dash_bootstrap_components as dbc
from dash import html

from dash_app import ids

PAGE = {
    "path": "/",
    "name": "Home",
    "title": "Home",
    "order": 0,
    "icon": "bi-house",
    "nav": True,
    "description": "Browse data, train models and compose images in one place.",
}


def layout(**_query: str) -> html.Div:
    """Return the home page: a short welcome and one card per job."""
    jobs = [page for page in dash.page_registry.values() if page.get("job")]
    return html.Div(
        [
            html.Section(
                [
                    html.H1(f"Welcome to {dash.get_app().title}", className="app-hero-title"),
                    html.P(PAGE["description"], className="app-hero-lead"),
                ],
                id=ids.HOME_HERO,
                className="app-hero",
            ),
            dbc.Row([dbc.Col(_job_card(page), md=4) for page in jobs], className="g-4"),
        ]
    )


def _job_card(page: dict) -> dbc.Card:
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [html.Span(html.I(className=f"bi {page['icon']}"), className="app-card-icon"), *_status(page)],
                    className="app-card-top",
                ),
                html.H2(page["name"], className="app-card-title"),
                html.P(page["job"], className="app-card-text"),
                dbc.Button(
                    [f"Open {page['name']} ", html.I(className="bi bi-arrow-right")],
                    href=page["relative_path"],
                    color="primary",
                    className="app-card-action",
                ),
            ]
        ),
        id=ids.home_card(page["module"]),
        className="app-card h-100",
    )


def _status(page: dict) -> list[dbc.Badge]:
    """A badge for a job whose page is still a placeholder, so the card promises nothing it cannot show."""
    return [dbc.Badge("In development", className="app-card-badge")] if page.get("in_development") else []
