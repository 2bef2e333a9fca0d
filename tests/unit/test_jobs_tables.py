"""Training on a table of a configured database: columns from the schema, rows in batches, clear refusals."""

from __future__ import annotations

import sqlite3

import numpy as np
import pytest

from dash_app.callbacks.training_form import list_columns, list_tables
from dash_app.jobs.config import TrainConfig
from dash_app.jobs.datasets import DataCancelled, DataError, load_dataset
from dash_app.jobs.tables import read_table
from dash_app.jobs.train import train


def make_database(path, rows: int = 600) -> str:
    """Points labelled by which side of a line they are on, a regression target, and awkward tables."""
    rng = np.random.default_rng(0)
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE points (id INTEGER PRIMARY KEY, x REAL, y NUMERIC(8,2), size INTEGER,"
                        " label TEXT, flag BOOLEAN, score REAL, same TEXT)")
    for i in range(rows):
        x, y = rng.normal(size=2)
        label = "above" if y > x else "below"
        connection.execute("INSERT INTO points VALUES (?,?,?,?,?,?,?,?)",
                           (i, x, round(y, 2), int(rng.integers(1, 9)), label, i % 2, 3 * x - 2 * y + 5, "one"))
    connection.execute("INSERT INTO points VALUES (?,?,?,?,?,?,?,?)", (rows, None, 1, 1, "above", 0, 1, "one"))
    connection.execute("CREATE TABLE notes (key TEXT, body TEXT)")
    connection.execute("INSERT INTO notes VALUES ('a', 'b')")
    connection.execute('CREATE TABLE "odd name; drop" ("a b" INTEGER, "c" INTEGER)')
    connection.executemany('INSERT INTO "odd name; drop" VALUES (?, ?)', [(i, i % 2) for i in range(10)])
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"


@pytest.fixture
def url(tmp_path):
    return make_database(tmp_path / "points.sqlite")


@pytest.fixture
def form(url, tmp_path):
    """The Training form's table pickers, called as the page calls them, in an app that browses ``url``."""
    from dash_app import create_app
    from dash_app.settings import load_settings

    app = create_app(load_settings(data_dir=tmp_path / "data", databases={"points": url}))
    with app.server.test_request_context("/"):
        yield app


def config(**values) -> TrainConfig:
    base = {"dataset": "table", "database": "points", "table": "points", "features": ("x", "y"), "target": "label",
            "epochs": 25, "batch_size": 32, "learning_rate": 0.01}
    return TrainConfig(**(base | values))


def test_the_form_lists_tables_and_numeric_columns_from_the_schema(form):
    assert list_tables("points") == {"options": ["notes", "odd name; drop", "points"], "value": None, "note": ""}
    assert list_tables("elsewhere")["note"] == "Not a configured database."
    assert list_tables(None) == {"options": [], "value": None, "note": ""}
    columns = list_columns("points", "points")
    assert columns["features"] == ["id", "x", "y", "size", "score"], "booleans and text are not numeric features"
    assert columns["targets"][-1] == "same" and columns["chosen"] == [] and columns["target"] is None
    assert columns["note"] == ""
    assert "There is no table or view called 'nope'" in list_columns("nope", "points")["note"]
    assert list_columns("notes", "points")["note"] == \
        "The table 'notes' has no numeric columns to learn from: choose another table."


def test_a_classifier_learns_a_table_with_rows_holding_nulls_left_out(url):
    x, y, names = read_table(url, config())
    assert x.shape == (600, 2) and names == ("above", "below")
    result = train(config(), databases={"points": url})
    assert result.history[-1]["val_accuracy"] > 0.9
    assert np.allclose(result.data.x_train.mean(axis=0), 0, atol=1e-5), "features standardised"


def test_a_regressor_predicts_a_numeric_target_in_its_units(url):
    result = train(config(target="score", task="regression", epochs=40), databases={"points": url})
    assert result.history[-1]["val_rmse"] < 1.0 and result.history[-1]["val_r2"] > 0.9


def test_odd_table_and_column_names_are_quoted_not_injected(url, form):
    x, _, names = read_table(url, config(table="odd name; drop", features=("a b",), target="c"))
    assert x.shape == (10, 1) and names == ("0", "1")
    assert list_tables("points")["options"] == ["notes", "odd name; drop", "points"], "nothing was dropped"


@pytest.mark.parametrize(("values", "message"), [
    ({"target": "same"}, "has only one class ('one'): a classifier needs two or more"),
    ({"table": "notes", "features": ("key",), "target": "body"}, "has no numeric columns to learn from"),
    ({"features": ("x", "label")}, "Not numeric columns of 'points': label"),
    ({"target": "nope"}, "'nope' is not a column"),
    ({"target": "label", "task": "regression"}, "is not numeric: choose classification"),
    ({"table": "missing"}, "does not exist"),
])
def test_data_that_cannot_be_trained_on_is_refused_with_a_reason(url, values, message):
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_dataset(config(**values), {"points": url})


def test_reading_stops_when_the_run_is_cancelled(url):
    with pytest.raises(DataCancelled):
        read_table(url, config(), should_stop=lambda: True)
