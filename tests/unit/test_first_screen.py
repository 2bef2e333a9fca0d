"""The Data page's first screen: its HTML already shows the table with its first rows (dash_app/first_screen.py),
escaped, in the components' own HTML, and a page that cannot have one arrives as every page does."""

from __future__ import annotations

import logging
import re
import sqlite3
from html import unescape

import dash
import pytest

from dash_app import create_app, first_screen
from dash_app.factory import HEAD_FONTS, HEAD_SCRIPTS, assets_folder
from dash_app.settings import load_settings
from dash_app.workbench import get_workbench

HOSTILE = '<img src=x onerror="alert(1)">'


@pytest.fixture
def shop(tmp_path):
    """An app on a small shop database whose values and names a page must escape."""
    path = tmp_path / "shop.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute('CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT, price REAL, "<b>note</b>" TEXT)')
        connection.executemany("INSERT INTO products VALUES (?, ?, ?, ?)",
                               [(i, f"product {i}", i * 1.5, HOSTILE if i == 1 else None) for i in range(1, 301)])
        connection.execute("CREATE TABLE zero (id INTEGER PRIMARY KEY)")
    connection.close()
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"shop": f"sqlite:///{path}"}))
    yield app
    get_workbench(app.server).dispose()


def screen_of(html: str) -> str:
    """The first screen's HTML in a page's HTML ('' when it has none)."""
    match = re.search(r'<div class="app-first-screen".*?(?=<div id="react-entry-point")', html, re.DOTALL)
    return match.group(0) if match else ""


def cells(screen: str, row: int) -> list[str]:
    body = screen.split("<tbody>", 1)[1]
    line = re.findall(r"<tr>(.*?)</tr>", body, re.DOTALL)[row]
    return [unescape(re.sub(r"<[^>]+>", "", text)) for text in re.findall(r"<td[^>]*>(.*?)</td>", line, re.DOTALL)]


def test_the_data_pages_html_shows_the_table_with_its_first_rows(shop):
    html = shop.server.test_client().get("/data?db=shop&table=products").get_data(as_text=True)
    screen = screen_of(html)
    assert screen, "the page carries its first screen"
    assert 'aria-hidden="true"' in screen and " inert" in screen  # a picture: no focus, no screen reader
    head = re.findall(r'<span class="app-first-name">(.*?)</span>', screen)
    assert [unescape(name) for name in head] == ["id", "name", "price", "<b>note</b>"]
    assert cells(screen, 0) == ["1", "product 1", "1.5", HOSTILE]
    assert cells(screen, 1) == ["2", "product 2", "3", ""]  # 3.0 as the grid writes it; NULL is empty
    assert len(re.findall(r"<tr>", screen.split("<tbody>", 1)[1])) == first_screen.GRID_ROWS
    assert "<img" not in screen and "<b>note" not in screen, "values and names are text, never markup"
    assert "300 rows" in screen  # the count, the export links and the page around the grid, as the app shows them
    assert 'class="app-nav-link nav-link active"' in screen and "product 299" not in screen
    assert html.index("app-first-screen") < html.index("react-entry-point") < html.index("app-scripts")


def test_every_component_of_the_shell_and_the_data_page_is_written_as_it_renders(shop):
    """A component type the first screen does not know would be drawn as its children alone: add it to WRITERS."""
    with shop.server.test_request_context("/data?db=shop&table=products"):
        layout = dash.page_registry["dash_app.pages.data"]["layout"](db="shop", table="products")
        context = first_screen.Context("/data", slots={first_screen.PAGES_CONTENT: layout}, rows=lambda grid: [])
        assert "app-first-grid" in first_screen.render(shop.layout(), context)
    assert context.unknown == set()


@pytest.mark.parametrize(("path", "shown"), [
    ("/data?db=shop&table=zero", None), ("/data?db=shop&table=nope", "the message and the first table"),
    ("/data?db=shop&table=products&v=%7B%7B", "the message and the first table"), ("/training", None),
    ("/compose", None), ("/", None),
])
def test_each_page_arrives_with_what_its_first_screen_can_show(shop, path, shown):
    """An empty view has nothing to show sooner: its page arrives as every page does."""
    response = shop.server.test_client().get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "react-entry-point" in html
    screen = screen_of(html)
    if shown is None:
        assert screen == ""
    else:  # the message above the first table ("products")
        assert 'role="alert"' in screen and "product 1" in screen


def test_a_data_page_with_no_table_to_open_has_no_first_screen(tmp_path):
    path = tmp_path / "bare.sqlite"
    sqlite3.connect(path).close()
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"bare": f"sqlite:///{path}"}))
    html = app.server.test_client().get("/data").get_data(as_text=True)
    assert "has no tables" not in screen_of(html) and screen_of(html) == ""
    get_workbench(app.server).dispose()


def test_a_view_slower_than_the_first_screens_limit_arrives_without_it_and_the_grid_reads_it(tmp_path, monkeypatch):
    """The browser shows nothing until the page's HTML arrives: its first rows get a short limit of their own
    (the query limit was 15 s of a blank tab). The limit is made 0 here: a view of 200,000 recursive steps passes
    SQLite's progress check (every 20,000 steps) whatever the machine's speed, so it is stopped every time."""
    from dash_app.components import data as data_components

    path = tmp_path / "slow.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE VIEW slow AS WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                           "WHERE x < 200000) SELECT max(x) AS top FROM n")
    connection.close()
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"db": f"sqlite:///{path}"}))
    try:
        monkeypatch.setattr(data_components, "FIRST_SCREEN_SECONDS", 0.0)
        response = app.server.test_client().get("/data?db=db&table=slow")
        assert response.status_code == 200 and "react-entry-point" in response.get_data(as_text=True)
        assert screen_of(response.get_data(as_text=True)) == "", "no first screen rather than a blank wait"
        data = get_workbench(app.server).data
        table, spec = data.view("db", "slow", {})
        assert data.block("db", table, spec, 0, 100).rows == [{"top": 200000}], "the grid reads it under the limit"
    finally:
        get_workbench(app.server).dispose()


def test_a_first_screen_that_fails_leaves_the_page_as_it_was(shop, monkeypatch, caplog):
    def broken(layout):
        raise RuntimeError("the picture broke")

    monkeypatch.setitem(dash.page_registry["dash_app.pages.data"], "first_screen", broken)
    with caplog.at_level(logging.ERROR, logger="dash_app.first_screen"):
        response = shop.server.test_client().get("/data?db=shop&table=products")
    assert response.status_code == 200 and screen_of(response.get_data(as_text=True)) == ""
    assert "the picture broke" in caplog.text


def test_pages_are_not_kept_by_shared_caches(shop):
    """The page's HTML holds the user's rows: no proxy may keep it."""
    assert shop.server.test_client().get("/data?db=shop&table=products").headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (True, "true"), (False, "false"), (3.0, "3"), (0.1, "0.1"), (-2.5, "-2.5"), (1e21, "1e+21"),
    (1.5e-8, "1.5e-8"), (123456789.125, "123456789.125"), (1e20, "100000000000000000000"), (7, "7"),
    ("a < b", "a < b"), (float("nan"), ""),
])
def test_values_read_as_the_grid_writes_them(value, text):
    assert first_screen.cell_text(value) == text


@pytest.mark.parametrize("value,text", [  # as JavaScript's value.toFixed(2) writes them (checked with node)
    (146.4, "146.40"), (150, "150.00"), (388.43, "388.43"), (0.125, "0.13"), (-0.125, "-0.13"), (-0.001, "-0.00"),
    (-0.0, "0.00"), (2.675, "2.67"), (1.005, "1.00"), (None, ""), ("n/a", "n/a"), (True, "true"),
])
def test_a_fixed_point_value_is_written_as_the_grids_formatter_writes_it(value, text):
    assert first_screen.fixed_text(value, 2) == text


def test_a_fixed_point_column_shows_every_value_with_its_declared_decimals(tmp_path):
    path = tmp_path / "prices.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE prices (id INTEGER PRIMARY KEY, price NUMERIC(10,2), rate DECIMAL(12, 4), "
                           "plain NUMERIC, ratio REAL)")
        connection.executemany("INSERT INTO prices VALUES (?, ?, ?, ?, ?)",
                               [(1, 146.4, 0.5, 1.5, 0.25), (2, 150, 1, 2, 1.0), (3, 388.43, None, 3, None)])
    connection.close()
    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"p": f"sqlite:///{path}"}))
    try:
        table = get_workbench(app.server).data.table("p", "prices")
        assert [column.decimals for column in table.columns] == [None, 2, 4, None, None]
        screen = screen_of(app.server.test_client().get("/data?db=p&table=prices").get_data(as_text=True))
        assert [cells(screen, row) for row in range(3)] == [
            ["1", "146.40", "0.5000", "1.5", "0.25"], ["2", "150.00", "1.0000", "2", "1"], ["3", "388.43", "", "3", ""]]
    finally:
        get_workbench(app.server).dispose()


def test_the_head_asks_for_its_fonts_as_their_stylesheets_name_them_and_runs_its_script(shop):
    html = shop.server.test_client().get("/data").get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    stylesheets = "".join(path.read_text() for path in (assets_folder() / "vendor").rglob("*.css"))
    for font in HEAD_FONTS:
        folder, name = font.rsplit("/", 1)
        assert f'rel="preload" as="font" type="font/woff2" crossorigin href="/assets/{font}"' in head
        assert name in stylesheets and (assets_folder() / folder / name.split("?")[0]).is_file()
    for script in HEAD_SCRIPTS:
        assert f'<script src="/assets/{script}"></script>' in head
        assert html.count(f"assets/{script}") == 1, "not loaded again with the page's other scripts"


def test_dash_starts_after_the_page_is_drawn_and_the_product_adds_no_inline_script(shop):
    """A browser runs downloaded scripts before it draws anything: Dash's scripts are listed in an inert template
    (downloading at once: the head preloads each), assets/boot/start-dash.js adds them after the first frame and
    starts Dash. The only inline scripts are Dash's own functions (module scripts) and its JSON configuration."""
    html = shop.server.test_client().get("/data?db=shop&table=products").get_data(as_text=True)
    head, body = html.split("<body>", 1)
    body = re.sub(r"<!--.*?-->", "", body, flags=re.DOTALL)  # Dash's note for old IE
    listed = re.search(r'<template id="app-scripts">(.*?)</template>', body, re.DOTALL).group(1)
    sources = re.findall(r'<script src="([^"]+)"></script>', listed)
    assert len(sources) > 10 and any("dash_renderer" in source for source in sources)
    assert all(f'<link rel="preload" as="script" href="{source}">' in head for source in sources)
    outside = re.findall(r"<script([^>]*)>(.*?)</script>", body.replace(listed, ""), re.DOTALL)
    for attributes, text in outside:
        if "src=" in attributes:
            assert attributes == ' defer id="_dash-renderer" src="/assets/boot/start-dash.js"'
        elif 'type="application/json"' not in attributes:
            assert attributes == ' type="module"' and text.strip() in {code.strip() for code in shop._inline_scripts}
    assert "new DashRenderer" not in html
