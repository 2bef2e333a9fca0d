"""Database values to what the grid shows and exports, and user-typed values back to bindable ones.

Values are read raw (no SQLAlchemy result processing) so that a SQLite column holding text that is
not a valid date still displays instead of failing the whole block, and so that keyset positions
bind back exactly as stored.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_SAFE_INTEGER = 2**53 - 1  # beyond this JavaScript numbers lose digits: send text
GRID_TEXT_LIMIT = 2_000  # characters of a long text shown in a cell (the export has all of it)
BINARY_PREVIEW_BYTES = 16
MAX_INPUT_CHARS = 1_000  # longest filter or edit value accepted from the browser
MAX_NUMBER = 1e300


class ValueProblem(ValueError):
    """A value typed by the user does not fit the column; the message is for the user."""


def to_cell(kind: str, value: object) -> object:
    """The JSON-safe value the grid shows for a raw database value."""
    if value is None:
        return None
    if kind == "boolean":
        return _to_bool(value)
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) <= MAX_SAFE_INTEGER else str(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return _decimal_cell(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
        more = "…" if len(data) > BINARY_PREVIEW_BYTES else ""
        return f"0x{data[:BINARY_PREVIEW_BYTES].hex()}{more} ({len(data):,} bytes)"
    text = to_text(kind, value)
    return text if len(text) <= GRID_TEXT_LIMIT else text[:GRID_TEXT_LIMIT] + "…"


def converter(kind: str):
    """A fast ``to_cell`` for one column: values already JSON-safe (most of them) pass straight through."""
    if kind == "boolean":
        return lambda value: to_cell(kind, value)

    def convert(value: object) -> object:
        kind_of = type(value)
        if value is None or (kind_of is str and len(value) <= GRID_TEXT_LIMIT) or (
                kind_of is int and -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER) or (
                kind_of is float and math.isfinite(value)):
            return value
        return to_cell(kind, value)

    return convert


def fixed_text(value: object, decimals: int) -> str | None:
    """A number as JavaScript's ``value.toFixed(decimals)`` writes it, as the grid shows a fixed-point column
    (``DataFixed`` in assets/js/data.js): its exact value rounded half away from zero; None for anything toFixed
    does not write so (not a finite number below 1e21)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)) or \
            (isinstance(value, float) and not math.isfinite(value)) or abs(value) >= 1e21:
        return None
    text = format(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), "f")
    return text.lstrip("-") if value == 0 else text  # (-0).toFixed(2) is "0.00"; (-0.001).toFixed(2) "-0.00"


def shown_text(value: object, decimals: int | None) -> str:
    """A column's value as the page writes it outside the grid (the Values list, the chips): a fixed-point
    column's number with its declared decimals, as the grid shows it; "(blank)" for NULL."""
    if value is None:
        return "(blank)"
    return (fixed_text(value, decimals) if decimals is not None else None) or str(value)


def to_text(kind: str, value: object) -> str:
    """The full text of a raw value, as an export writes it ("" for NULL)."""
    if value is None:
        return ""
    if kind == "boolean":
        flag = _to_bool(value)
        return "" if flag is None else ("true" if flag else "false")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "0x" + bytes(value).hex()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


EXCEL_FIRST_DAY = date(1900, 3, 1)  # Excel's calendar is wrong before it (its 1900 is a leap year): text there


def to_export(kind: str, value: object) -> object:
    """A raw value for an Excel cell: numbers, booleans, dates and date-times stay typed (a date-time with a time
    zone, which Excel cannot hold, and a day before 1900-03-01 are text), everything else is text."""
    if value is None:
        return None
    if kind == "boolean":
        return _to_bool(value)
    if kind in ("date", "datetime"):
        moment = _moment(kind, value)
        if moment is not None:
            return moment
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and abs(value) < 1e15:
        return value
    if isinstance(value, Decimal) and value.is_finite() and abs(value) < Decimal(10) ** 15:
        return float(value)
    return to_text(kind, value)


def _moment(kind: str, value: object) -> date | datetime | None:
    """A date column's day, or a datetime column's naive date-time, as Excel can hold it; None otherwise
    (SQLite hands them over as text, in the ISO form they were written in)."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip()) if kind == "datetime" else date.fromisoformat(value.strip())
        except ValueError:
            return None
    if isinstance(value, datetime):
        if value.tzinfo is not None or value.date() < EXCEL_FIRST_DAY:
            return None
        return value if kind == "datetime" else value.date()
    if isinstance(value, date) and value >= EXCEL_FIRST_DAY:
        return value if kind == "date" else datetime(value.year, value.month, value.day)
    return None


def _to_bool(value: object) -> bool | None:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in {"1", "true", "t", "yes", "y"}:
            return True
        if lowered in {"0", "false", "f", "no", "n"}:
            return False
        return None
    return bool(value)


def _decimal_cell(value: Decimal) -> float | str:
    """A float where it shows the same digits (money), else the exact text."""
    if not value.is_finite():
        return str(value)
    as_float = float(value)
    return as_float if math.isfinite(as_float) and Decimal(repr(as_float)) == value else format(value, "f")


# ---- from the browser ------------------------------------------------------------------------------

def parse_number(value: object) -> int | float | Decimal:
    """A finite number from JSON or text; raise ValueProblem otherwise."""
    if isinstance(value, bool):
        raise ValueProblem("Expected a number, got true/false.")
    if isinstance(value, int):
        if abs(value) > MAX_NUMBER:
            raise ValueProblem("That number is too large.")
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueProblem("Expected a finite number.")
        if abs(value) > MAX_NUMBER:
            raise ValueProblem("That number is too large.")
        return value
    if isinstance(value, str) and 0 < len(value.strip()) <= 60:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            pass
        else:
            if number.is_finite() and abs(number) <= Decimal("1e300"):
                return int(number) if number == number.to_integral_value() and "." not in value and "e" not in value.lower() else number
    raise ValueProblem(f"Expected a number, got {_shown(value)}.")


def parse_day(value: object) -> date:
    """A calendar day from the grid's date filter ("YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS")."""
    if isinstance(value, str) and 10 <= len(value) <= 32:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise ValueProblem(f"Expected a date like 2024-01-31, got {_shown(value)}.")


def parse_datetime(value: object) -> datetime:
    """A date and time typed by the user."""
    if isinstance(value, str) and 10 <= len(value) <= 40:
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueProblem(f"Expected a date and time like 2024-01-31 13:45:00, got {_shown(value)}.")


def parse_text(value: object) -> str:
    """Text from the browser, bounded in length."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ValueProblem(f"Expected text, got {_shown(value)}.")
    text = str(value)
    if len(text) > MAX_INPUT_CHARS:
        raise ValueProblem(f"That text is too long ({len(text):,} characters, at most {MAX_INPUT_CHARS:,}).")
    if "\x00" in text:
        raise ValueProblem("Text must not contain NUL characters.")
    return text


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    flag = _to_bool(value) if isinstance(value, (str, int)) else None
    if flag is None:
        raise ValueProblem(f"Expected true or false, got {_shown(value)}.")
    return flag


def _shown(value: object) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= 40 else text[:40] + "…"
