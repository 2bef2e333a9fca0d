"""Build the demo database: a realistic, reproducible sales database in SQLite.

Business users judge the data grid on data that looks like theirs (accented names, gaps in contact
details, orders with statuses and dates) and at a size that shows paging and filtering scale: 1M order
lines by default, 10M for benchmarks. Rows come from `random.Random(seed)` and dates end on a fixed
day, so the same seed and size give identical rows; only `demo_meta.built_at` reads the clock.

Rows are inserted in chunks (bounded memory) with journaling off, indexes are created after the load,
and the build happens in a temporary file that replaces the target only when complete. The result is
in WAL mode so the app's readers never block each other; rebuild only while nothing has it open.
"""

from __future__ import annotations

import math
import os
import random
import secrets
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from dash_app.demo.schema import INDEXES, SCHEMA
from dash_app.demo.vocabulary import (
    FIRST_NAMES,
    LAST_NAMES,
    EMAIL_DOMAINS,
    COMPANY_SUFFIXES,
    ASCII_FOLD,
    CITIES_BY_COUNTRY,
    CITIES,
    COUNTRIES,
    ADJECTIVES,
    CATEGORIES,
    NOTES,
)

DEFAULT_ORDER_LINES = 1_000_000
SCHEMA_VERSION = "1"
CHUNK_ROWS = 50_000
LINES_PER_CUSTOMER = 40
MIN_CUSTOMERS = 50
PRODUCTS_PER_SQRT_LINE = 2  # 2 * sqrt(1M) = 2,000 products
MIN_PRODUCTS = 20
HISTORY_DAYS = 5 * 365
LAST_DAY = date(2026, 10, 31)  # fixed, so builds never depend on today()
FIRST_DAY = LAST_DAY - timedelta(days=HISTORY_DAYS)
SECONDS_PER_DAY = 86_400
HISTORY_SECONDS = (HISTORY_DAYS + 1) * SECONDS_PER_DAY - 1
START_AT = datetime.combine(FIRST_DAY, datetime.min.time())
RECENT_DAYS = 7  # orders younger than this are still pending or shipped
P_RECENT_SHIPPED = 0.5
MIN_SHIP_SECONDS, MAX_SHIP_SECONDS = 4 * 3600, 6 * SECONDS_PER_DAY
LINES_PER_ORDER = {1: 16, 2: 16, 3: 14, 4: 14, 5: 12, 6: 12, 7: 8, 8: 8}  # weights, mean ~4
QUANTITIES = {1: 40, 2: 25, 3: 12, 4: 8, 5: 6, 6: 3, 8: 2, 10: 2, 12: 1, 20: 1}
SETTLED_STATUSES = {"delivered": 84, "shipped": 3, "cancelled": 7, "returned": 6}
CHANNELS = {"web": 55, "store": 25, "phone": 8, "partner": 12}
SEGMENTS = {"Consumer": 60, "Small Business": 25, "Corporate": 15}
UNBILLED_STATUSES = ("cancelled", "returned")
ORDER_STATUS_COLUMN, LINE_TOTAL_COLUMN = 4, 5  # positions in the order and order-line rows
DISCOUNTS = (5.0, 10.0, 15.0, 20.0, 25.0)
CACHE_KIB = 64 * 1024  # a bigger page cache did not speed up even 10M-line builds, only raised memory
ANALYSIS_LIMIT = 1000  # rows ANALYZE samples per index: good statistics in a fraction of a second
P_NO_EMAIL, P_NO_PHONE, P_CONSUMER_COMPANY, P_INACTIVE = 0.07, 0.22, 0.05, 0.12
P_NO_DESCRIPTION, P_DISCONTINUED, P_ORDER_DISCOUNT, P_LINE_DISCOUNT = 0.15, 0.06, 0.25, 0.12
P_ABROAD, P_NOTES = 0.04, 0.03
COST_RATIO = (0.35, 0.8)
CENTS = 2  # decimal places of money
PHONE_PREFIXES, PHONE_NUMBERS, MODEL_NUMBERS = (100, 1000), (10**6, 10**7), (100, 1000)  # randrange bounds
PRODUCT_LAUNCH_DAYS = 2 * HISTORY_DAYS  # the catalogue is older than the order history
PRODUCT_POPULARITY_SKEW = 2.0  # >1 makes low product ids sell more often

SIDECAR_SUFFIXES = ("-journal", "-wal", "-shm")
BULK_LOAD_PRAGMAS = ("PRAGMA journal_mode=OFF", "PRAGMA synchronous=OFF", f"PRAGMA cache_size=-{CACHE_KIB}",
                     "PRAGMA locking_mode=EXCLUSIVE")

ProgressFn = Callable[[int, int], None]  # (order_lines_done, order_lines_total)


@dataclass(frozen=True)
class DemoSummary:
    """What a build produced, and how long it took."""

    path: Path
    customers: int
    products: int
    orders: int
    order_lines: int
    seconds: float


def _weighted_table(weights: dict) -> tuple:
    """Expand {value: weight} into a tuple to index with a uniform random number (fast sampling)."""
    return tuple(value for value, weight in weights.items() for _ in range(weight))


LINE_COUNT_TABLE, QUANTITY_TABLE = _weighted_table(LINES_PER_ORDER), _weighted_table(QUANTITIES)
STATUS_TABLE, CHANNEL_TABLE = _weighted_table(SETTLED_STATUSES), _weighted_table(CHANNELS)
SEGMENT_TABLE = _weighted_table(SEGMENTS)


def customer_count(order_lines: int) -> int:
    """Return how many customers a build of `order_lines` lines has."""
    return max(MIN_CUSTOMERS, order_lines // LINES_PER_CUSTOMER)


def product_count(order_lines: int) -> int:
    """Return how many products a build of `order_lines` lines has."""
    return max(MIN_PRODUCTS, round(PRODUCTS_PER_SQRT_LINE * math.sqrt(order_lines)))


def _pick(rng: random.Random, table: tuple):
    """Return a uniformly random element of `table`."""
    return table[int(rng.random() * len(table))]


def _maybe(rng: random.Random, probability: float, value):
    """Return `value` with the given probability, otherwise None."""
    return value if rng.random() < probability else None


def _ascii_slug(text: str) -> str:
    """Fold accents and drop everything but letters and digits, for email addresses."""
    decomposed = unicodedata.normalize("NFKD", text.translate(ASCII_FOLD))
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()).lower()


def _customers(rng: random.Random, count: int, signup_days: list[int], countries: list[str]) -> Iterator[tuple]:
    """Yield customer rows, recording each one's signup day and country for the orders to follow."""
    for customer_id in range(1, count + 1):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, country = rng.choice(CITIES)
        segment = _pick(rng, SEGMENT_TABLE)
        email = f"{_ascii_slug(first)}.{_ascii_slug(last)}{customer_id}@{rng.choice(EMAIL_DOMAINS)}"
        phone = f"+{CITIES_BY_COUNTRY[country][0]} {rng.randrange(*PHONE_PREFIXES)} {rng.randrange(*PHONE_NUMBERS)}"
        wants_company = segment != "Consumer" or rng.random() < P_CONSUMER_COMPANY
        company = f"{rng.choice(LAST_NAMES)} {rng.choice(COMPANY_SUFFIXES)}" if wants_company else None
        signup_day = rng.randrange(HISTORY_DAYS)
        signup_days.append(signup_day)
        countries.append(country)
        yield (customer_id, f"{first} {last}", _maybe(rng, 1 - P_NO_EMAIL, email),
               _maybe(rng, 1 - P_NO_PHONE, phone), company, city, country, segment,
               (FIRST_DAY + timedelta(days=signup_day)).isoformat(), int(rng.random() >= P_INACTIVE))


def _products(rng: random.Random, count: int, prices: list[float]) -> Iterator[tuple]:
    """Yield product rows, recording each one's unit price for the order lines to follow."""
    categories = tuple(CATEGORIES.items())
    for product_id in range(1, count + 1):
        category, (prefix, (low, high), nouns) = rng.choice(categories)
        adjective, noun = rng.choice(ADJECTIVES), rng.choice(nouns)
        price = round(rng.uniform(low, high), CENTS)
        prices.append(price)
        description = f"{adjective} {noun.lower()} from our {category} range."
        launched = LAST_DAY - timedelta(days=rng.randrange(PRODUCT_LAUNCH_DAYS))
        model = f"{prefix[0]}{rng.randrange(*MODEL_NUMBERS)}"
        yield (product_id, f"{prefix}-{product_id:06d}", f"{adjective} {noun} {model}",
               category, price, round(price * rng.uniform(*COST_RATIO), CENTS),
               _maybe(rng, 1 - P_NO_DESCRIPTION, description), int(rng.random() < P_DISCONTINUED),
               launched.isoformat())


def _order(rng: random.Random, order_id: int, customer_id: int, signup_day: int, country: str) -> tuple:
    """Return one order row for a customer, dated between their signup and the last demo day."""
    ordered = rng.randrange(signup_day * SECONDS_PER_DAY, HISTORY_SECONDS)
    if (HISTORY_SECONDS - ordered) < RECENT_DAYS * SECONDS_PER_DAY:
        status = "shipped" if rng.random() < P_RECENT_SHIPPED else "pending"
    else:
        status = _pick(rng, STATUS_TABLE)
    shipped = None
    if status not in ("pending", "cancelled"):
        shipped_seconds = min(ordered + rng.randrange(MIN_SHIP_SECONDS, MAX_SHIP_SECONDS), HISTORY_SECONDS)
        shipped = str(START_AT + timedelta(seconds=shipped_seconds))
    ship_country = _pick(rng, COUNTRIES) if rng.random() < P_ABROAD else country
    return (order_id, customer_id, str(START_AT + timedelta(seconds=ordered)), shipped, status,
            _pick(rng, CHANNEL_TABLE), ship_country, _maybe(rng, P_ORDER_DISCOUNT, _pick(rng, DISCOUNTS)),
            _maybe(rng, P_NOTES, _pick(rng, NOTES)))


def _lines(rng: random.Random, order_id: int, first_id: int, count: int, prices: list[float]) -> list[tuple]:
    """Return `count` lines of one order, numbered from `first_id`; low product ids sell more often."""
    rows = []
    for line_id in range(first_id, first_id + count):
        product = int(rng.random() ** PRODUCT_POPULARITY_SKEW * len(prices))
        quantity, price = _pick(rng, QUANTITY_TABLE), prices[product]
        discount = _pick(rng, DISCOUNTS) if rng.random() < P_LINE_DISCOUNT else None
        rows.append((line_id, order_id, product + 1, quantity, price, round(quantity * price, CENTS), discount))
    return rows


def _load_orders(conn: sqlite3.Connection, rng: random.Random, total: int, signup_days: list[int],
                 countries: list[str], prices: list[float], progress: ProgressFn | None) -> tuple[int, list[float]]:
    """Insert orders and exactly `total` order lines in chunks; return the order count and customer spend."""
    spend = [0.0] * len(signup_days)
    orders: list[tuple] = []
    lines: list[tuple] = []
    order_id = done = 0
    while done < total:
        order_id += 1
        customer = int(rng.random() * len(signup_days))
        order = _order(rng, order_id, customer + 1, signup_days[customer], countries[customer])
        new_lines = _lines(rng, order_id, done + 1, min(_pick(rng, LINE_COUNT_TABLE), total - done), prices)
        orders.append(order)
        lines.extend(new_lines)
        done += len(new_lines)
        if order[ORDER_STATUS_COLUMN] not in UNBILLED_STATUSES:
            spend[customer] += sum(line[LINE_TOTAL_COLUMN] for line in new_lines)
        if len(lines) >= CHUNK_ROWS or done == total:
            conn.executemany("INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?)", orders)
            conn.executemany("INSERT INTO order_lines VALUES (?,?,?,?,?,?,?)", lines)
            orders.clear()
            lines.clear()
            if progress is not None and done < total:  # the final call comes once the build is complete
                progress(done, total)
    return order_id, spend


def _load_rows(conn: sqlite3.Connection, order_lines: int, seed: int,
               progress: ProgressFn | None) -> tuple[int, int, int]:
    """Create the tables and fill them; return the customer, product and order counts."""
    rng = random.Random(seed)
    for pragma in BULK_LOAD_PRAGMAS:
        conn.execute(pragma)
    conn.executescript(SCHEMA)
    signup_days: list[int] = []
    countries: list[str] = []
    prices: list[float] = []
    customers, products = customer_count(order_lines), product_count(order_lines)
    conn.executemany("INSERT INTO customers VALUES (?,?,?,?,?,?,?,?,?,?,0)",
                     _customers(rng, customers, signup_days, countries))
    conn.executemany("INSERT INTO products VALUES (?,?,?,?,?,?,?,?,?)", _products(rng, products, prices))
    orders, spend = _load_orders(conn, rng, order_lines, signup_days, countries, prices, progress)
    conn.executemany("UPDATE customers SET lifetime_value = ? WHERE id = ?",
                     ((round(value, CENTS), index + 1) for index, value in enumerate(spend) if value))
    meta = {"order_lines": order_lines, "seed": seed, "schema_version": SCHEMA_VERSION,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "customers": customers, "products": products, "orders": orders}
    conn.executemany("INSERT INTO demo_meta VALUES (?, ?)", ((k, str(v)) for k, v in meta.items()))
    conn.commit()
    return customers, products, orders


def _prepare_for_readers(conn: sqlite3.Connection) -> None:
    """Index the loaded tables, gather planner statistics and switch to WAL for concurrent readers."""
    conn.executescript(INDEXES)
    conn.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
    conn.execute("ANALYZE")
    conn.commit()
    conn.execute("PRAGMA locking_mode=NORMAL")
    conn.execute("PRAGMA journal_mode=WAL")  # readers never block each other, nor the odd writer


def _remove_sidecars(path: Path) -> None:
    """Delete the journal and WAL files SQLite keeps beside a database."""
    for suffix in SIDECAR_SUFFIXES:
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build_demo_database(path: Path, order_lines: int = DEFAULT_ORDER_LINES, *, seed: int = 7,
                        progress: ProgressFn | None = None) -> DemoSummary:
    """Build the demo database at `path`, replacing any file there only once the new one is complete."""
    if not isinstance(order_lines, int) or order_lines < 1:
        raise ValueError(f"order_lines must be a whole number of at least 1, got {order_lines!r}")
    started = time.perf_counter()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique temporary name, so concurrent builders (several workers starting at once) never share one.
    building = path.with_name(f"{path.name}.{os.getpid()}-{secrets.token_hex(4)}.building")
    try:
        with closing(sqlite3.connect(building)) as conn:
            customers, products, orders = _load_rows(conn, order_lines, seed, progress)
            _prepare_for_readers(conn)
        _remove_sidecars(path)  # a stale WAL must never be replayed into the new file
        os.replace(building, path)
    except BaseException:
        _remove_sidecars(building)
        building.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(order_lines, order_lines)
    return DemoSummary(path, customers, products, orders, order_lines, time.perf_counter() - started)


def _read_meta(path: Path) -> dict[str, str] | None:
    """Return the demo_meta table of an existing database, or None if it is absent or unreadable."""
    if not Path(path).is_file():
        return None
    try:  # mode=rw never creates a file, and unlike mode=ro it leaves no -wal/-shm files behind
        with closing(sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=rw", uri=True)) as conn:
            return dict(conn.execute("SELECT key, value FROM demo_meta").fetchall())
    except sqlite3.Error:
        return None


def demo_order_lines(path: Path) -> int | None:
    """Return the order-line count recorded in an existing demo database, or None if absent/unreadable."""
    recorded = (_read_meta(path) or {}).get("order_lines", "")
    return int(recorded) if recorded.isdigit() else None


def ensure_demo_database(path: Path, order_lines: int | None = None, *,
                         progress: ProgressFn | None = None) -> DemoSummary | None:
    """Build the demo database unless a readable one of the wanted size and schema is already there."""
    recorded = demo_order_lines(path)
    current_schema = (_read_meta(path) or {}).get("schema_version") == SCHEMA_VERSION
    if recorded is not None and current_schema and order_lines in (None, recorded):
        return None
    wanted = DEFAULT_ORDER_LINES if order_lines is None else order_lines
    return build_demo_database(path, wanted, progress=progress)
