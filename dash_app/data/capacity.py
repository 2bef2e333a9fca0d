"""What a column can hold on its engine: the one rule every value sent against a column is checked by.

A value a column cannot hold would otherwise reach the database and come back as the driver's error (an
emoji compared with a MariaDB ``utf8mb3`` column: "Illegal mix of collations"), or fail in Python before it
is sent (an integer beyond 64 bits bound on SQLite). Filters, ticked values, the quick search and cell edits
(dash_app/data/query.py, sql.py, edits.py) ask :func:`check_fits` first, so the user reads a message that
names the column and says what it holds. The capacity is read once, when the table is reflected
(dash_app/data/catalog.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

import sqlalchemy as sa

from dash_app.data.cells import ValueProblem

if TYPE_CHECKING:
    from dash_app.data.catalog import Column

# MySQL/MariaDB character sets that hold less than all of Unicode, as the Python codec that holds the same
# characters ("bmp": only the Basic Multilingual Plane, no emoji). One not listed (utf8mb4, utf16, utf32,
# gb18030, ...) holds any text.
LIMITED_CHARSETS = {
    "utf8mb3": "bmp", "utf8": "bmp", "ucs2": "bmp", "latin1": "cp1252", "ascii": "ascii", "latin2": "iso8859_2",
    "cp1250": "cp1250", "cp1251": "cp1251", "cp1256": "cp1256", "cp1257": "cp1257", "greek": "iso8859_7",
    "hebrew": "iso8859_8", "latin5": "iso8859_9", "latin7": "iso8859_13", "koi8r": "koi8_r", "koi8u": "koi8_u",
    "cp850": "cp850", "cp852": "cp852", "cp866": "cp866", "sjis": "shift_jis", "cp932": "cp932", "ujis": "euc_jp",
    "eucjpms": "euc_jp", "euckr": "euc_kr", "gb2312": "gb2312", "gbk": "gbk", "big5": "big5", "tis620": "tis_620",
}
INTEGER_BITS = {"TINYINT": 8, "SMALLINT": 16, "MEDIUMINT": 24, "BIGINT": 64}
# The days MySQL and MariaDB document for their date types (others are stored, if at all, "with no guarantee").
MYSQL_DAYS = {"TIMESTAMP": (date(1970, 1, 1), date(2038, 1, 19))}
MYSQL_DATE_RANGE = (date(1000, 1, 1), date(9999, 12, 31))


@dataclass(frozen=True)
class Capacity:
    """What one column holds beyond its kind; None where the engine takes any value of the kind."""

    charset: str | None = None  # a character set of LIMITED_CHARSETS (text columns on MySQL/MariaDB)
    whole: tuple[int, int] | None = None  # the whole numbers an integer column holds
    below: Decimal | None = None  # a NUMERIC(p, s) column holds numbers whose size is below this
    days: tuple[date, date] | None = None  # the calendar days a date or timestamp column holds


ANY = Capacity()


def capacity_of(type_: sa.types.TypeEngine, dialect: str, charset: str | None = None) -> Capacity:
    """The capacity of a reflected column type on ``dialect``; ``charset`` is a MySQL column's character set."""
    name = type(type_).__name__.upper()
    if isinstance(type_, sa.String) and not isinstance(type_, sa.Enum):
        charset = (charset or "").lower()
        return Capacity(charset=charset) if charset in LIMITED_CHARSETS else ANY
    if isinstance(type_, sa.Integer) and not isinstance(type_, sa.Boolean):
        return Capacity(whole=_whole_range(type_, name, dialect))
    if isinstance(type_, sa.Numeric) and not isinstance(type_, sa.Float) and dialect != "sqlite" \
            and type_.precision is not None:
        return Capacity(below=Decimal(10) ** (type_.precision - (type_.scale or 0)))
    if isinstance(type_, (sa.Date, sa.DateTime)) and dialect in ("mysql", "mariadb"):
        return Capacity(days=MYSQL_DAYS.get(name, MYSQL_DATE_RANGE))
    return ANY


def _whole_range(type_: sa.Integer, name: str, dialect: str) -> tuple[int, int]:
    if dialect == "sqlite":  # an INTEGER of SQLite is 64 bits, whatever its declared name
        bits = 64
    elif isinstance(type_, sa.BigInteger):
        bits = 64
    elif isinstance(type_, sa.SmallInteger):
        bits = INTEGER_BITS.get(name, 16)
    else:
        bits = INTEGER_BITS.get(name, 32)
    if getattr(type_, "unsigned", False):
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def check_fits(column: Column, value: object) -> None:
    """Raise ValueProblem, naming the column, when ``value`` (text, a number, a day) is one it cannot hold."""
    problem = refusal(column, value)
    if problem:
        raise ValueProblem(problem)


def holds(column: Column, value: object) -> bool:
    """Whether the column can hold ``value`` (what the quick search asks of each text column)."""
    return refusal(column, value) is None


def refusal(column: Column, value: object) -> str | None:
    """Why the column cannot hold ``value``, in words for the user; None when it can."""
    capacity = column.capacity
    named = f"Column {column.name!r} ({column.type_name})"
    if isinstance(value, str) and capacity.charset:
        stranger = _foreign_character(value, capacity.charset)
        if stranger is not None:
            return (f"{named} cannot hold {stranger!r} (U+{ord(stranger):04X}): its character set "
                    f"{capacity.charset} has no such character, so no value of it can match.")
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        if capacity.whole and not capacity.whole[0] <= value <= capacity.whole[1]:
            low, high = capacity.whole
            return f"{named} holds whole numbers from {low:,} to {high:,}; {_shown(value)} is beyond them."
        if capacity.below is not None and abs(Decimal(value)) >= capacity.below:
            return f"{named} holds numbers below {capacity.below:,} in size; {_shown(value)} is beyond them."
    if isinstance(value, (date, datetime)) and capacity.days:
        day = value.date() if isinstance(value, datetime) else value
        low, high = capacity.days
        if not low <= day <= high:
            return f"{named} holds dates from {low} to {high} on this database; {day} is outside them."
    return None


def _foreign_character(text: str, charset: str) -> str | None:
    """The first character of ``text`` that ``charset`` does not have, or None."""
    codec = LIMITED_CHARSETS[charset]
    for character in dict.fromkeys(text):
        if codec == "bmp":
            if ord(character) > 0xFFFF:
                return character
            continue
        if codec == "cp1252" and ord(character) < 256:  # MySQL's latin1 is cp1252 with its 5 gaps filled
            continue
        try:
            character.encode(codec)
        except UnicodeEncodeError:
            return character
    return None


def _shown(value: object) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:40] + "…"
