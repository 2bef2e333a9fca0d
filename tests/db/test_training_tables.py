"""Table training reads PostgreSQL and MariaDB through the read-only engine, in batches, like SQLite; the form
offers exactly the columns the Data page calls numeric, and the job accepts them."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from dash_app.callbacks.training_form import list_columns
from dash_app.jobs.config import TrainConfig
from dash_app.jobs.datasets import DataError, load_dataset
from dash_app.jobs.tables import read_table
from dash_app.workbench import get_workbench

TABLE = "train_test_points"


def offered_features(url: str, table: str, tmp_path) -> list[str]:
    """The feature columns the Training form offers for ``table`` of an app that browses ``url`` as "db"."""
    from dash_app import create_app
    from dash_app.settings import load_settings

    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"db": url}))
    with app.server.test_request_context("/"):
        answer = list_columns(table, "db")
        get_workbench().dispose()
    assert answer["note"] == ""
    return answer["features"]


@pytest.fixture(params=["postgres", "mariadb"])
def url(request):
    url = request.getfixturevalue(f"{request.param}_url")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE IF EXISTS {TABLE}"))
        connection.execute(sa.text(f"CREATE TABLE {TABLE} (id INTEGER PRIMARY KEY, x DOUBLE PRECISION, "
                                   "y NUMERIC(8,2), flag BOOLEAN, label VARCHAR(10), same VARCHAR(10))"))
        connection.execute(sa.text(f"INSERT INTO {TABLE} VALUES (:id, :x, :y, :flag, :label, 'one')"),
                           [{"id": i, "x": i / 100, "y": (i % 7) - 3, "flag": i % 2 == 0,
                             "label": "big" if i > 600 else "small"} for i in range(1200)])
    yield url
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP TABLE {TABLE}"))
    engine.dispose()


def config(**values) -> TrainConfig:
    return TrainConfig(**({"dataset": "table", "database": "db", "table": TABLE, "features": ("x", "y"),
                           "target": "label", "max_rows": 1000} | values))


def test_rows_arrive_in_batches_up_to_the_row_limit(url, tmp_path):
    x, y, names = read_table(url, config())
    assert x.shape == (1000, 2) and names == ("big", "small")
    numeric = offered_features(url, TABLE, tmp_path)
    assert numeric[:3] == ["id", "x", "y"] and "label" not in numeric  # flag: as the Data page's kind says


def test_one_class_is_refused(url):
    with pytest.raises(DataError, match="only one class"):
        load_dataset(config(target="same"), {"db": url})


def test_a_column_numeric_on_the_data_page_is_offered_and_accepted_by_the_job(tmp_path):
    """A SQLite view's expression has no declared type: the catalog samples it as a number, so it is a feature."""
    path = tmp_path / "view.sqlite"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE points (x REAL, label TEXT)")
    connection.executemany("INSERT INTO points VALUES (?, ?)", [(i / 10, "big" if i > 50 else "small")
                                                                 for i in range(100)])
    connection.execute("CREATE VIEW scaled AS SELECT x * 2 AS twice, 'n' || x AS named, label FROM points")
    connection.commit()
    connection.close()
    url = f"sqlite:///{path}"
    from dash_app.workbench import Workbench
    from dash_app.settings import load_settings

    workbench = Workbench(load_settings(data_dir=tmp_path / "data", databases={"db": url}))
    view = workbench.data.table("db", "scaled")  # what the Data page shows
    workbench.dispose()
    assert view.column("twice").type_name == "NULL" and view.column("twice").kind == "number"
    assert view.column("named").kind == "text"
    assert offered_features(url, "scaled", tmp_path) == ["twice"]
    x, y, names = read_table(url, config(table="scaled", features=("twice",), target="label"))
    assert x.shape == (100, 1) and float(x.max()) == pytest.approx(19.8) and names == ("big", "small")
