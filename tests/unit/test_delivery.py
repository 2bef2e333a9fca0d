"""What the browser downloads: compressed responses for the product's routes only, the grid's script asked
for with the pages that show a grid, and plotly only where a chart is drawn."""

from __future__ import annotations

import gzip
import re
import sqlite3

import brotli
import pytest
from flask import Flask

from dash_app import create_app, init_app
from dash_app.settings import load_settings
from dash_app.workbench import get_workbench

GRID_CHUNK = "/_dash-component-suites/dash_ag_grid/async-community.js"


def script_urls(client, path: str) -> list[str]:
    return re.findall(r'<script[^>]* src="([^"]+)"', client.get(path).get_data(as_text=True))


def test_scripts_pages_and_callback_answers_are_compressed(client):
    grid_bundle = next(url for url in script_urls(client, "/data") if "dash_ag_grid" in url)
    plain = client.get(grid_bundle, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    zipped = client.get(grid_bundle, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.data) == plain.data and len(zipped.data) < len(plain.data) / 3
    again = client.get(grid_bundle, headers={"Accept-Encoding": "br"})
    assert again.headers["Content-Encoding"] == "br" and brotli.decompress(again.data) == plain.data
    page = client.get("/data", headers={"Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip" and b"react-entry-point" in gzip.decompress(page.data)
    layout = client.get("/_dash-layout", headers={"Accept-Encoding": "gzip"})
    assert layout.headers["Content-Encoding"] == "gzip"


def test_a_static_file_is_compressed_once_and_a_callback_answer_every_time(client, monkeypatch):
    """Scripts do not change while the server runs: compressed once per path (a query string does not make a
    new copy); answers of callbacks are compressed afresh."""
    from flask_compress import flask_compress

    compressed = []
    real = flask_compress._compress_data
    monkeypatch.setattr(flask_compress, "_compress_data",
                        lambda app, data, algorithm: compressed.append(len(data)) or real(app, data, algorithm))
    for query in ("", "?anything=1", "?other=2"):
        response = client.get(GRID_CHUNK + query, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert len(compressed) == 1, "the script is compressed once"
    before = len(compressed)
    for _ in range(2):
        assert client.get("/_dash-dependencies", headers={"Accept-Encoding": "gzip"}).status_code == 200
    assert len(compressed) == before + 2


def test_exports_stream_as_they_are(tmp_path):
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT)")
        connection.executemany("INSERT INTO products VALUES (?, ?)", [(i, f"product {i}") for i in range(1, 2001)])
    connection.close()
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"shop": f"sqlite:///{path}"}))
    response = app.server.test_client().get("/data/export.csv?db=shop&table=products",
                                            headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200 and "Content-Encoding" not in response.headers
    assert response.data.decode("utf-8-sig").splitlines()[:2] == ["id,name", "1,product 1"]
    get_workbench(app.server).dispose()


def test_in_a_host_only_the_products_routes_are_compressed(settings):
    host = Flask("host")
    host.config["COMPRESS_ALGORITHM"] = "deflate"  # the host's own setting for its own compressor, if it had one

    @host.route("/report")
    def report():
        return "<p>" + "host page " * 500 + "</p>"

    init_app(host, settings.model_copy(update={"url_prefix": "/workbench/"}))
    client = host.test_client()
    assert "Content-Encoding" not in client.get("/report", headers={"Accept-Encoding": "gzip"}).headers
    assert client.get("/workbench/data", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    assert host.config["COMPRESS_ALGORITHM"] == "deflate", "the host's settings are not touched"


@pytest.mark.parametrize("path,preloads", [("/data", True), ("/training", True), ("/compose", False), ("/", False)])
def test_pages_with_a_grid_ask_for_its_script_with_the_page(client, path, preloads):
    page = client.get(path).get_data(as_text=True)
    assert (f'<link rel="preload" as="script" href="{GRID_CHUNK}">' in page) is preloads
    if preloads:
        assert client.get(GRID_CHUNK).status_code == 200, "the preloaded script is the one the grid loads"


def test_a_new_web_worker_answers_its_first_requests_from_a_whole_app(tmp_path, monkeypatch):
    """Dash's set-up is done as the app is made, not by its first request: in a threaded worker the requests
    that came while a first request did it were answered by a half-set-up app (a page without the assets'
    scripts, 404 for the grid's chunk: a blank grid, seen with two gunicorn workers)."""
    app = create_app(load_settings(data_dir=tmp_path))
    set_up_again = []
    monkeypatch.setattr(app, "_walk_assets_directory", lambda: set_up_again.append(1))  # Dash's set-up's first step
    fresh = app.server.test_client()
    assert fresh.get(GRID_CHUNK).status_code == 200, "the first request of a new worker"
    assert "assets/js/data.js" in fresh.get("/data").get_data(as_text=True), "the page has the assets' scripts"
    assert set_up_again == [], "no request sets the app up: it was set up before any came"
    assert fresh.get("/_dash-component-suites/dash_ag_grid/async-nope.js").status_code == 404


def test_the_data_page_layout_holds_no_graph(client):
    """A graph in the layout would load plotly with the page; the chart's graph comes with the first chart."""
    layout = client.post("/_dash-update-component", json={
        "output": ".._pages_content.children..._pages_store.data..", "outputs": [
            {"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": "/data"},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"], "state": []})
    assert layout.status_code == 200
    text = layout.get_data(as_text=True)
    assert '"type":"AgGrid"' in text.replace(" ", "") and '"type":"Graph"' not in text.replace(" ", "")


def test_a_pages_html_carries_no_layout_and_no_database_names(tmp_path):
    """The page's HTML is the shell's scripts and styles: the Data page's layout (which opens a table) is
    not built into every page, so a database's table names reach only the Data page's own requests (its HTML
    shows the table it opens: tests/unit/test_first_screen.py)."""
    path = tmp_path / "hr.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE secret_payroll (id INTEGER PRIMARY KEY, salary REAL)")
    connection.close()
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"hr": f"sqlite:///{path}"}))
    client = app.server.test_client()
    for page in ("/", "/compose", "/training"):
        html = client.get(page).get_data(as_text=True)
        assert "secret_payroll" not in html and "data-grid" not in html, page
        assert len(html) < 20_000, f"{page}: {len(html)} characters"
    get_workbench(app.server).dispose()
