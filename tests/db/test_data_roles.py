"""Database access by role (DASH_APP_DATABASE_ROLES) at every entry point, on SQLite, PostgreSQL and MariaDB.

A host whose users are told apart by a request header: Ann (analyst), Hal (hr) and Ada (admin, no hr). The
awkward table is open to hr only; its child table to everyone with the database, but charting and editing it
to hr only; a second database ("people") to hr only. Each entry point is called as the page calls it (the
callback functions inside a request of that user, the export routes over HTTP): what Ann may not use reads
exactly as something that does not exist, never a server error or the database's own words.
"""

from __future__ import annotations

import json
import sqlite3
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from dash import no_update
from data_fixtures import checksum

from dash_app import ids
from dash_app.callbacks import data_chart, data_edit, data_grid, data_values, training_form
from dash_app.components import data as data_views
from dash_app.data.edits import AUDIT

USERS = {"ann": ("Sam", ["analyst"]), "hal": ("Sam", ["hr"]), "ada": ("Ada", ["admin"])}


@pytest.fixture
def host(awkward, tmp_path):
    """(app, table, child, url) of a host app over the awkward database "db" and a "people" database."""
    from flask import Flask, request

    from dash_app import init_app
    from dash_app.auth import Access
    from dash_app.settings import load_settings
    from dash_app.workbench import get_workbench

    _, _, table, child, url = awkward
    people = tmp_path / "people.sqlite"
    with sqlite3.connect(people) as connection:
        connection.execute("create table salaries (id integer primary key, amount integer)")
        connection.execute("insert into salaries values (1, 100)")
    settings = load_settings(
        data_dir=tmp_path / "app", databases={"db": url, "people": f"sqlite:///{people}"}, query_timeout_s=5,
        editable_tables={"db": [table, child]},
        database_roles={"db": {"tables": {table: ["hr"]}, "actions": {"chart": ["hr"], "edit": ["hr"]}},
                        "people": {"roles": ["hr"]}})
    server = Flask("host")

    def user() -> str | None:
        return request.headers.get("X-User") or None

    access = Access(is_allowed=lambda: user() in USERS, user_name=lambda: USERS[user()][0], user_id=user,
                    user_roles=lambda: USERS[user()][1])
    app = init_app(server, settings, access=access)
    yield app, table, child, url
    get_workbench(server).dispose()


def as_user(app, name: str, query: str = ""):
    return app.server.test_request_context("/data" + query, headers={"X-User": name})


def text(component) -> str:
    return json.dumps(component, default=lambda item: item.to_plotly_json(), ensure_ascii=False)


def opened(app, user: str, db: str, table: str | None) -> dict:
    with as_user(app, user):
        return data_views.open_table({"db": db, "table": table, "view": {}, "problem": None})


def menu_and_tables(page: dict) -> tuple[list[str], list[str]]:
    databases = [item.children[-1] for item in page["db_items"]]
    tables = [getattr(item, "data-name") for item in page["tables"] if hasattr(item, "data-name")]
    return databases, tables


def test_each_user_sees_only_the_databases_and_tables_their_roles_allow(host):
    app, table, child, _ = host
    ann = menu_and_tables(opened(app, "ann", "db", child))
    assert ann[0] == ["db"] and table not in ann[1] and child in ann[1]
    hal = menu_and_tables(opened(app, "hal", "db", table))
    assert hal[0] == ["db", "people"] and table in hal[1] and child in hal[1]
    ada = menu_and_tables(opened(app, "ada", "people", "salaries"))
    assert ada[0] == ["db", "people"] and ada[1] == ["salaries"], "admins see everything"


def test_a_bookmarked_address_to_a_forbidden_table_reads_as_an_unknown_one(host):
    app, table, child, _ = host
    forbidden = opened(app, "ann", "db", table)
    unknown = opened(app, "ann", "db", "no_such_table")
    assert text(forbidden["alerts"]).replace(table, "X") == text(unknown["alerts"]).replace("no_such_table", "X")
    assert "There is no table or view called" in text(forbidden["alerts"])
    assert forbidden["view"]["table"] != table and table not in text(forbidden["tables"])
    people = opened(app, "ann", "people", "salaries")
    nowhere = opened(app, "ann", "nowhere", "salaries")
    assert text(people["alerts"]).replace("people", "X") == text(nowhere["alerts"]).replace("nowhere", "X")
    assert "Pick one of: db." in text(people["alerts"])
    assert opened(app, "hal", "db", table)["view"]["table"] == table and not opened(app, "hal", "db", table)["alerts"]


def test_a_reference_to_a_forbidden_table_is_not_shown(host):
    app, table, child, _ = host
    ann = opened(app, "ann", "db", child)
    assert table not in text(ann["schema"]) and table not in text(ann["column_defs"])
    assert table in text(opened(app, "hal", "db", child)["schema"]), "hr sees where awk_id points"


def test_rows_counts_values_and_charts_of_a_forbidden_table_are_refused_as_unknown(host):
    app, table, child, _ = host
    view = {"db": "db", "table": table, "view": {}}
    with as_user(app, "ann"):
        response, problem = data_grid.answer_block({"startRow": 0, "endRow": 100}, view, "", None)
        assert response == {"rowData": [], "rowCount": 0} and "There is no table or view" in str(problem)
        summary = data_views.view_summary(view)
        assert summary["count"] == "" and "There is no table or view" in text(summary["grid_note"])
        values = data_values.show_values(ids.DATA_VALUES_COLUMN, column="grp", ticked=[], chip_clicks=[],
                                         chip_ids=[], filter_model=None, search="", active_tab="values", values={},
                                         view=view)
        assert values["options"] == [] and "There is no table or view" in text(values["note"])
        drawn = data_chart.chart(1, "grp", None, "count", "none", view, False)
        assert drawn["chart"] is None and "There is no table or view" in text(drawn["status"])
    with as_user(app, "hal"):
        response, problem = data_grid.answer_block({"startRow": 0, "endRow": 100}, view, "", None)
        assert problem is None and len(response["rowData"]) > 0
        assert data_chart.chart(1, "grp", None, "count", "none", view, False)["chart"] is not None


def test_an_action_the_role_does_not_allow_says_so_on_a_table_the_user_sees(host):
    app, table, child, url = host
    view = {"db": "db", "table": child, "view": {}}
    with as_user(app, "ann"):
        response, problem = data_grid.answer_block({"startRow": 0, "endRow": 100}, view, "", None)
        assert problem is None and len(response["rowData"]) == 20, "Ann browses the child table"
        drawn = data_chart.chart(1, "awk_id", None, "count", "none", view, False)
        assert drawn["chart"] is None and f"Charting '{child}' is not available to you." in text(drawn["status"])
        assert data_views.view_summary(view)["csv_href"], "exports are not narrowed: Ann downloads it"
        assert opened(app, "ann", "db", child)["view"]["editable"] is False, "read-only for Ann"
    with as_user(app, "ann"):
        before = checksum(url, child)
        change = {"data": {"id": 1, "awk_id": 3}, "colId": "awk_id", "oldValue": 3, "value": 4}
        saved = data_edit.save_edit([change], {**view, "editable": True}, 0)
        assert "read-only" in text(saved["note"]) and checksum(url, child) == before
        forbidden = data_edit.save_edit([change], {"db": "db", "table": table, "view": {}, "editable": True}, 0)
        unknown = data_edit.save_edit([change], {"db": "db", "table": "nope", "view": {}, "editable": True}, 0)
        assert text(forbidden["note"]).replace(table, "X") == text(unknown["note"]).replace("nope", "X")


def test_every_edit_keeps_the_editors_stable_id_in_the_audit(host):
    app, table, child, url = host
    view = {"db": "db", "table": child, "view": {}, "editable": True}
    with as_user(app, "hal"):
        change = {"data": {"id": 1, "awk_id": 3}, "colId": "awk_id", "oldValue": 3, "value": 4}
        saved = data_edit.save_edit([change], view, 0)
        assert "Saved awk_id" in text(saved["note"])
    from dash_app.workbench import get_workbench

    with get_workbench(app.server).runs.engine.connect() as connection:
        row = connection.execute(sa.select(AUDIT).order_by(AUDIT.c.id.desc())).mappings().first()
    assert (row["user_id"], row["user_name"], row["table_name"]) == ("hal", "Sam", child)


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_exports_of_what_the_user_may_not_browse_answer_as_unknown(host, extension):
    app, table, child, url = host
    client = app.server.test_client()

    def export(user: str, db: str, name: str) -> tuple[int, str]:
        """The status and (for a refusal) the text of an export, read to its end."""
        query = urlencode({"db": db, "table": name})
        with client.get(f"/data/export.{extension}?{query}", headers={"X-User": user}) as response:
            body = response.get_data()
            return response.status_code, body.decode() if response.status_code != 200 else ""

    forbidden, unknown = export("ann", "db", table), export("ann", "db", "no_such_table")
    assert forbidden[0] == unknown[0] == 404 and "There is no table or view" in forbidden[1]
    assert forbidden[1].replace(table, "X") == unknown[1].replace("no_such_table", "X")
    people, nowhere = export("ann", "people", "salaries"), export("ann", "nowhere", "salaries")
    assert people[0] == nowhere[0] == 404 and "Pick one of: db." in people[1]
    assert people[1].replace("people", "X") == nowhere[1].replace("nowhere", "X")
    assert export("ann", "db", child)[0] == 200
    assert export("hal", "db", table)[0] == 200 and export("ada", "people", "salaries")[0] == 200
    assert client.get(f"/data/export.{extension}?db=db&table={table}").status_code == 401, "not signed in"


def test_trainings_table_source_offers_and_starts_only_what_the_user_may_train_on(host):
    app, table, child, _ = host
    from dash_app.workbench import get_workbench

    with as_user(app, "ann"):
        assert get_workbench().data.databases_for("train") == ["db"]
        listed = training_form.list_tables("db")["options"]
        assert child in listed and table not in listed
        assert training_form.list_tables("people")["note"] == "Not a configured database."
        assert "There is no table or view" in training_form.list_columns(table, "db")["note"]
        assert training_form.list_columns(child, "db")["features"] == ["id", "awk_id"]
        refused = start(table)
        assert "Nothing started" in text(refused["message"]) and refused["refresh"] is no_update, refused
        assert refused["feedback"][0] == "" and "There is no table or view" in refused["feedback"][1], refused
        assert get_workbench().runs.list_runs() == [], "nothing was queued"
    with as_user(app, "hal"):
        assert training_form.list_tables("people")["options"] == ["salaries"]
        assert table in training_form.list_tables("db")["options"]


def start(table: str) -> dict:
    """Start as the Training page sends it: a Table run on ``table`` of "db"."""
    choices = {"dataset": "table", "model": "mlp", "optimizer": "adam", "database": "db", "table": table,
               "features": ["id"], "target": "grp", "task": "classification"}
    numbers = {"epochs": 1, "batch_size": 32, "learning_rate": 0.01, "hidden_size": 8, "max_rows": 100,
               "val_split": 0.2, "seed": 1}
    return training_form.start_run(1, list(numbers.values()), [{"field": name} for name in numbers],
                                   list(choices.values()), [{"field": name} for name in choices],
                                   [{"field": "database"}, {"field": "table"}], 0)
