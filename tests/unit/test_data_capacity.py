"""What a column can hold on its engine (dash_app/data/capacity.py): the one rule filters, ticked values, the quick
search and edits ask before a value reaches the database. Against real databases: tests/db/test_data_hostile.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from dash_app.data.capacity import ANY, Capacity, capacity_of, check_fits, holds, refusal
from dash_app.data.catalog import Column
from dash_app.data.cells import ValueProblem
from dash_app.data.edits import EditRefused, check_edit


def column(name: str, type_name: str, kind: str, capacity: Capacity) -> Column:
    return Column(name=name, type_name=type_name, kind=kind, nullable=True, capacity=capacity)


@pytest.mark.parametrize("type_,dialect,charset,expected", [
    (sa.String(40), "mysql", "utf8mb3", Capacity(charset="utf8mb3")),
    (sa.Text(), "mysql", "UTF8", Capacity(charset="utf8")),
    (sa.String(40), "mysql", "utf8mb4", ANY),
    (sa.String(40), "postgresql", None, ANY),
    (sa.Integer(), "postgresql", None, Capacity(whole=(-(2**31), 2**31 - 1))),
    (sa.Integer(), "sqlite", None, Capacity(whole=(-(2**63), 2**63 - 1))),
    (sa.SmallInteger(), "postgresql", None, Capacity(whole=(-(2**15), 2**15 - 1))),
    (sa.BigInteger(), "mysql", None, Capacity(whole=(-(2**63), 2**63 - 1))),
    (mysql.TINYINT(unsigned=True), "mysql", None, Capacity(whole=(0, 255))),
    (mysql.MEDIUMINT(), "mysql", None, Capacity(whole=(-(2**23), 2**23 - 1))),
    (sa.Numeric(10, 2), "postgresql", None, Capacity(below=Decimal(10**8))),
    (sa.Numeric(10, 2), "sqlite", None, ANY),
    (sa.Float(), "mysql", None, ANY),
    (sa.Date(), "mysql", None, Capacity(days=(date(1000, 1, 1), date(9999, 12, 31)))),
    (mysql.TIMESTAMP(), "mysql", None, Capacity(days=(date(1970, 1, 1), date(2038, 1, 19)))),
    (sa.DateTime(), "postgresql", None, ANY),
])
def test_the_capacity_of_a_column_type_on_each_engine(type_, dialect, charset, expected):
    assert capacity_of(type_, dialect, charset) == expected


def test_a_refusal_names_the_column_and_what_it_holds():
    label = column("label", "VARCHAR(40)", "text", Capacity(charset="utf8mb3"))
    assert holds(label, "Zoë 日本語") and not holds(label, "ok 😀")
    assert refusal(label, "ok 😀") == ("Column 'label' (VARCHAR(40)) cannot hold '😀' (U+1F600): its character set "
                                       "utf8mb3 has no such character, so no value of it can match.")
    latin = column("l1", "VARCHAR(20)", "text", Capacity(charset="latin1"))
    assert holds(latin, "é€") and "'日'" in refusal(latin, "é日")
    grp = column("grp", "INTEGER", "number", Capacity(whole=(-(2**31), 2**31 - 1)))
    assert holds(grp, 2**31 - 1) and holds(grp, 1.5)
    assert "Column 'grp' (INTEGER) holds whole numbers from -2,147,483,648 to 2,147,483,647" in refusal(grp, 2**31)
    assert refusal(grp, 1e300) and refusal(grp, Decimal("-1e20"))
    amount = column("amount", "NUMERIC(10, 2)", "number", Capacity(below=Decimal(10**8)))
    assert holds(amount, Decimal("99999999.99")) and "Column 'amount'" in refusal(amount, 10**8)
    day = column("day", "DATE", "date", Capacity(days=(date(1000, 1, 1), date(9999, 12, 31))))
    assert holds(day, date(9999, 12, 31)) and "0999-12-31 is outside" in refusal(day, datetime(999, 12, 31, 23))
    with pytest.raises(ValueProblem, match="Column 'day'"):
        check_fits(day, date(1, 1, 1))


def test_an_edit_a_column_cannot_hold_is_refused_in_its_words():
    table = sa.Table("t", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("label", sa.String(9)))
    from dash_app.data.catalog import Table

    columns = (Column("id", "INTEGER", "number", False, primary_key=True, capacity=Capacity(whole=(0, 10))),
               column("label", "VARCHAR(9)", "text", Capacity(charset="utf8mb3")))
    reflected = Table("t", False, columns, ("id",), (), False, table)
    with pytest.raises(EditRefused, match=r"Column 'label' \(VARCHAR\(9\)\) cannot hold '😀'"):
        check_edit("db", reflected, {"id": 1}, "label", "a", "😀", "mysql")
    with pytest.raises(EditRefused, match="Column 'id' .* holds whole numbers from 0 to 10"):
        check_edit("db", reflected, {"id": 11}, "label", "a", "b", "mysql")
    assert check_edit("db", reflected, {"id": 1}, "label", "a", "Zoë", "mysql").new == "Zoë"
