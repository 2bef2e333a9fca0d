"""Table training reads PostgreSQL and MariaDB through the read-only engine, in batches, like SQLite."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from dash_app.jobs.config import TrainConfig
from dash_app.jobs.datasets import DataError, load_dataset
from dash_app.jobs.tables import read_table
from dash_app.runs.sources import column_choices

TABLE = "train_test_points"


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


def test_rows_arrive_in_batches_up_to_the_row_limit(url):
    x, y, names = read_table(url, config())
    assert x.shape == (1000, 2) and names == ("big", "small")
    numeric, _ = column_choices(url, TABLE)
    assert numeric[:3] == ["id", "x", "y"] and "label" not in numeric  # MariaDB's BOOLEAN is a TINYINT: 0/1


def test_one_class_is_refused(url):
    with pytest.raises(DataError, match="only one class"):
        load_dataset(config(target="same"), {"db": url})
