"""Database access by role in the example host: two users (one display name), only one with the role "hr".

The host serves the demo database and a "people" database open to hr only (DASH_APP_DATABASE_ROLES). Ann has no
role: the Data page's database menu offers her the demo alone, and her bookmarked address of a people table says
there is no such database, exactly as for a name that does not exist. Hal (hr) sees and opens it.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator

import pytest
from browser_support import DEMO_ROWS, REPO_ROOT, clean_environment, free_port, serve_process, sign_in_to_host

NAME = "Sam Lee"
PASSWORD = "correct horse battery"
BOOKMARK = "data?db=people&table=salaries"


@pytest.fixture(scope="module")
def roles_host(tmp_path_factory) -> Iterator[str]:
    """The example host with Ann (no role) and Hal (hr), and a "people" database for hr only; its base URL."""
    instance = tmp_path_factory.mktemp("roles-host").resolve()
    people = instance / "people.sqlite"
    with sqlite3.connect(people) as connection:
        connection.execute("create table salaries (id integer primary key, name text, amount integer)")
        connection.executemany("insert into salaries values (?, ?, ?)", [(1, "Kim", 4200), (2, "Lou", 3900)])
    demo = f"sqlite:///{instance / 'workbench' / 'demo.sqlite'}"
    environment = clean_environment(
        DASH_APP_DEMO_ROWS=DEMO_ROWS, DASH_APP_DATABASES=json.dumps({"demo": demo, "people": f"sqlite:///{people}"}),
        DASH_APP_DATABASE_ROLES=json.dumps({"people": {"roles": ["hr"]}}))
    for username, roles in (("ann", []), ("hal", ["--role", "hr"])):
        subprocess.run([sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "add-user", username,
                        "--name", NAME, "--password", PASSWORD, *roles], cwd=REPO_ROOT, env=environment, check=True,
                       timeout=60)
    port = free_port()
    command = [sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with serve_process(command, url, environment, instance / "server.log"):
        yield url


def sign_in(open_page, base_url: str, username: str, path: str):
    return sign_in_to_host(open_page, base_url, username, PASSWORD, path, "#data-page")


def menu_items(page) -> list[str]:
    page.click("#data-db-menu .data-db-toggle")
    page.wait_for_selector(".data-db-item")
    return [item.strip() for item in page.eval_on_selector_all(".data-db-item", "items => items.map(i => i.innerText)")]


def test_a_user_without_the_role_neither_sees_the_database_nor_opens_it_by_address(roles_host, open_page):
    ann = sign_in(open_page, roles_host, "ann", "data")
    assert menu_items(ann) == ["demo"]

    ann.goto(roles_host + "dashboard/" + BOOKMARK)
    forbidden = ann.wait_for_selector("#data-alert .alert").inner_text()
    assert "There is no database called 'people'. Pick one of: demo." in forbidden
    assert "salaries" not in ann.inner_text("#data-table-list")
    ann.goto(roles_host + "dashboard/data?db=nowhere&table=salaries")
    unknown = ann.wait_for_selector("#data-alert .alert").inner_text()
    assert unknown.replace("nowhere", "people") == forbidden, "forbidden reads exactly as unknown"
    with ann.expect_response(lambda response: "/data/export.csv" in response.url) as answer:
        ann.evaluate("url => fetch(url)", roles_host + "dashboard/data/export.csv?db=people&table=salaries")
    assert answer.value.status == 404

    hal = sign_in(open_page, roles_host, "hal", BOOKMARK)
    hal.wait_for_selector("#data-grid .ag-row .ag-cell")
    assert "salaries" in hal.inner_text("#data-title") and hal.query_selector("#data-alert .alert") is None
    assert menu_items(hal) == ["demo", "people"]
    assert [error for error in ann.console_errors if "404 (NOT FOUND)" not in error] == [], "only the refused export"
    assert hal.console_errors == []
