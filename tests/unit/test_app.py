"""The standalone app: every page answers, unknown paths are honest 404s, and nothing comes from a CDN."""

from __future__ import annotations

import re
import subprocess
import sys

import dash
import pytest
from plotly.io.json import to_json_plotly

from dash_app.pages import PAGE_MODULES

NAV_PAGES = ["dash_app.pages.home", "dash_app.pages.data", "dash_app.pages.training", "dash_app.pages.compose"]
EXPECTED_PATHS = {"/": "Home", "/data": "Data", "/training": "Training", "/compose": "Compose"}


def test_registry_holds_the_shell_pages_in_order(app):
    assert list(dash.page_registry) == [f"dash_app.pages.{name}" for name in PAGE_MODULES]
    assert {page["path"]: page["name"] for page in dash.page_registry.values() if page["nav"]} == EXPECTED_PATHS


@pytest.mark.parametrize("path", sorted(EXPECTED_PATHS))
def test_every_registered_page_is_served(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "<title>" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/nope", "/data/extra/levels", "/404", "/%2e%2e/etc/passwd", "/DATA"])
def test_unknown_path_gets_the_404_status_and_the_app_shell(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert 'id="react-entry-point"' in response.get_data(as_text=True), "the browser still renders the styled 404 page"


@pytest.mark.parametrize("path", ["/_dash-component-suites/dash/nope.js", "/_dash-component-suites/nopkg/x.js",
                                  "/_dash-component-suites/dash_ag_grid/async-nope.js",
                                  "/_dash-component-suites/dash/../../etc/passwd"])
def test_an_unknown_script_path_is_not_found_not_a_server_error(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.get_data(as_text=True) == "No such file.\n"


def test_every_page_layout_renders_with_its_content(app):
    expected_ids = {"home": "home-hero", "data": "data-page", "training": "train-page", "compose": "compose-page",
                    "training_run": "train-run-page", "training_compare": "train-compare-page",
                    "not_found_404": "not-found-page"}
    for module, page in dash.page_registry.items():
        rendered = to_json_plotly(page["layout"]())
        assert expected_ids[module.rsplit(".", 1)[-1]] in rendered


def test_shell_layout_links_every_page_and_holds_app_level_stores(client):
    components = list(_walk(client.get("/_dash-layout").get_json()))
    nav_links = {c["props"]["id"]["page"]: c["props"]["href"] for c in components
                 if isinstance(c["props"].get("id"), dict) and c["props"]["id"].get("type") == "shell-nav-link"}
    assert nav_links == dict(zip(NAV_PAGES, ["/", "/data", "/training", "/compose"], strict=True))
    stores = {c["props"]["id"]: c["props"].get("storage_type") for c in components if c["type"] == "Store"}
    assert stores["shell-color-mode"] == "local", "the colour-mode choice must survive reloads"
    assert "shell-job-state" in stores


def _walk(component):
    """Yield every component of a serialised Dash layout."""
    if isinstance(component, list):
        for child in component:
            yield from _walk(child)
    elif isinstance(component, dict) and "props" in component:
        yield component
        for value in component["props"].values():
            yield from _walk(value)


def test_index_loads_stylesheets_and_scripts_only_from_the_app(client):
    html = client.get("/").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="([^"]+)"', html)
    assert urls, "the page must load stylesheets and scripts"
    external = [url for url in urls if re.match(r"^(https?:)?//", url)]
    assert external == [], f"resources from outside the app: {external}"
    for url in urls:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "asset",
    [
        "vendor/bootstrap/bootstrap.min.css",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "vendor/bootstrap-icons/fonts/bootstrap-icons.woff2",
        "vendor/inter/inter.css",
        "vendor/inter/inter-latin-wght-normal.woff2",
        "css/app.css",
        "js/shell.js",
    ],
)
def test_vendored_assets_are_served_locally(client, asset):
    response = client.get(f"/assets/{asset}")
    assert response.status_code == 200
    assert len(response.data) > 500


def test_stylesheets_reference_no_outside_urls(client):
    for sheet in ("vendor/bootstrap/bootstrap.min.css", "vendor/bootstrap-icons/bootstrap-icons.min.css",
                  "vendor/inter/inter.css", "css/app.css"):
        css = client.get(f"/assets/{sheet}").get_data(as_text=True)
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css), sheet
        assert "@import" not in css, sheet


def test_importing_the_package_creates_nothing(tmp_path):
    """No app, cache, engine or data directory at import (factory pattern)."""
    code = (
        "import dash, dash_app, dash_app.shell, dash_app.settings, dash_app.background, dash_app.pages.home, "
        "dash_app.callbacks, dash_app.jobs;"
        "from dash import _get_app;"
        "assert _get_app.APP is None, 'an app was created at import';"
        "assert not dash.page_registry, 'pages were registered at import'"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
