"""Read a configured table into arrays, in batches, through a read-only SQLAlchemy engine.

The columns come from the reflected schema (dash_app/data/catalog.py, the Data page's reader), never
from text the browser sent: a feature or target that is not a column of the table is refused before any
query runs, and a feature must be a column the catalog calls numeric, the same columns the form offers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np
import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from dash_app.data.catalog import SchemaError, Table, reflect_table
from dash_app.data.engines import error_reason, open_read_only
from dash_app.jobs.config import TrainConfig
from dash_app.jobs.datasets import MAX_CLASSES, TABLE_BATCH_ROWS, DataCancelled, DataError


def _reflect(engine: sa.Engine, name: str) -> Table:
    """The reflected table; raise DataError when it does not exist."""
    try:
        return reflect_table(engine, name)
    except SchemaError:
        msg = f"The table {name!r} does not exist in this database."
        raise DataError(msg) from None


def read_table(
    url: str, config: TrainConfig, should_stop: Callable[[], bool] = lambda: False
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Return features, targets and class names (empty for a regression) of the configured table."""
    engine = open_read_only(url)
    try:
        _check_columns(config, _reflect(engine, config.table))
        rows = _read_rows(engine, config, should_stop)
    except SQLAlchemyError as error:
        msg = f"Reading {config.database}.{config.table} failed: {error_reason(error)}"
        raise DataError(msg) from None
    finally:
        engine.dispose()
    return _arrays(rows, config)


def _check_columns(config: TrainConfig, table: Table) -> None:
    numeric = [column.name for column in table.columns if column.numeric]
    if not numeric:
        msg = f"The table {config.table!r} has no numeric columns to learn from."
        raise DataError(msg)
    not_numeric = [name for name in config.features if name not in numeric]
    if not_numeric:
        msg = f"Not numeric columns of {config.table!r}: {', '.join(not_numeric)}. Features must be numeric."
        raise DataError(msg)
    if config.target not in table.names:
        msg = f"The target {config.target!r} is not a column of {config.table!r}."
        raise DataError(msg)
    if config.task == "regression" and config.target not in numeric:
        msg = f"The target {config.target!r} is not numeric: choose classification to predict its values."
        raise DataError(msg)


def _read_rows(engine: sa.Engine, config: TrainConfig, should_stop: Callable[[], bool]) -> list[tuple]:
    names = [*config.features, config.target]
    query = sa.select(*[sa.column(name) for name in names]).select_from(sa.table(config.table)).limit(config.max_rows)
    query = query.where(*[sa.column(name).is_not(None) for name in names])
    rows: list[tuple] = []
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=TABLE_BATCH_ROWS).execute(query)
        for batch in result.partitions(TABLE_BATCH_ROWS):
            rows.extend(tuple(row) for row in batch)
            if should_stop():
                raise DataCancelled
    return rows


def _arrays(rows: list[tuple], config: TrainConfig) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    if not rows:
        msg = f"The table {config.table!r} has no rows where every chosen column has a value."
        raise DataError(msg)
    n_features = len(config.features)
    x = np.array([[_number(value) for value in row[:n_features]] for row in rows], dtype=np.float32)
    targets = [row[n_features] for row in rows]
    if config.task == "regression":
        return x, np.array([_number(value) for value in targets], dtype=np.float32), ()
    labels = sorted(set(targets), key=lambda value: (isinstance(value, str), value))
    if len(labels) < 2:
        msg = f"The target {config.target!r} has only one class ({labels[0]!r}): a classifier needs two or more."
        raise DataError(msg)
    if len(labels) > MAX_CLASSES:
        msg = (f"The target {config.target!r} has {len(labels):,} distinct values (at most {MAX_CLASSES} classes):"
               " choose regression for a numeric target.")
        raise DataError(msg)
    index = {label: position for position, label in enumerate(labels)}
    y = np.array([index[value] for value in targets], dtype=np.int64)
    return x, y, tuple(str(label) for label in labels)


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float, Decimal)) else float("nan")
