"""What several web worker processes share (dash_app/wsgi.py): grid positions, row counts and table lists, in Redis.

Each process keeps what it read in its own memory first (paging.KeysetMemory, the caches of
dash_app/data/service.py). In the scaled mode (``Settings.uses_shared_cache``) it also writes them to Redis with
the same lifetimes and looks there for what it does not hold: the next block of a scroll seeks past the key that
another worker remembered, and a table list or a view's count taken by one worker serves them all.

Redis is only ever a shortcut here. A name holds the database's address and the table's columns, so a key is
only used for exactly the view, database and schema it was read in. When Redis does not answer (stopped,
unreachable, full) a call answers "nothing shared" within :data:`SOCKET_TIMEOUT_S`, Redis is left alone for
:data:`RETRY_AFTER_S`, and each process goes on from its own memory (OFFSET at worst), never with an error.

Why not a continuation carried by the browser instead: AG Grid's infinite row model asks for a block with its
startRow, endRow, sortModel and filterModel only, and the grid's callback (callbacks/data_grid.py) answers one
output by design; a key sent back and forth would need a second output on every block, would be one the
browser can alter, and would not serve another reader's jump or the waypoints (service.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TypeVar

from dash_app.data.limits import QueryTimeout

log = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "dash_app:v1:"  # the version of what is written: another release's values are never read
SOCKET_TIMEOUT_S = 1.0  # connect and answer: Redis on the same network answers in a millisecond
RETRY_AFTER_S = 5.0  # after a failure, Redis is tried again this long later (until then: each process alone)
KEYSET_TTL_S = 3600  # positions of a view no one has read for this long are forgotten
KEYSET_VIEW_SIZE = 50_000  # positions kept per view (the lowest are dropped first)
WAIT_POLL_S = 0.05  # how often a process waiting for another's answer (SharedStore.once) looks for it

# Sort-key values as drivers return them, tagged so each comes back as the same type (a driver binds a str and a
# date differently). A value of any other type is not shared: that block is remembered in this process only.
_ENCODERS: dict[type, tuple[str, Callable[[object], object]]] = {
    bool: ("b", bool), int: ("i", int), float: ("f", repr), str: ("s", str), Decimal: ("d", str),
    dt.datetime: ("dt", dt.datetime.isoformat), dt.date: ("da", dt.date.isoformat), dt.time: ("t", dt.time.isoformat),
    dt.timedelta: ("td", lambda value: [value.days, value.seconds, value.microseconds]), uuid.UUID: ("u", str),
}
_DECODERS: dict[str, Callable[[object], object]] = {
    "b": bool, "i": int, "f": float, "s": str, "d": Decimal, "dt": dt.datetime.fromisoformat,
    "da": dt.date.fromisoformat, "t": dt.time.fromisoformat, "td": lambda parts: dt.timedelta(*parts), "u": uuid.UUID,
}


def encode_key(values: tuple) -> str | None:
    """A sort key as text that :func:`decode_key` turns back into equal values of the same types; None when a value
    is of a type that cannot make that round trip."""
    parts = []
    for value in values:
        if value is None:
            parts.append(None)
            continue
        found = _ENCODERS.get(type(value))
        if found is None:
            return None
        parts.append([found[0], found[1](value)])
    text = json.dumps(parts, separators=(",", ":"))
    back = decode_key(text)
    if any(type(a) is not type(b) or (a != b and a == a) for a, b in zip(back, values, strict=True)):
        return None  # NaN is the one value unequal to itself: its type is what counts
    return text


def decode_key(text: str) -> tuple:
    return tuple(None if part is None else _DECODERS[part[0]](part[1]) for part in json.loads(text))


def fingerprint(*parts: object) -> str:
    """A short stable name for ``parts`` (JSON-able), e.g. a database's address or a table's columns."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:24]


class SharedStore:
    """Names -> JSON values with a lifetime, claims, and sorted positions, in Redis; all no-ops without a URL.

    Every call answers within about :data:`SOCKET_TIMEOUT_S` and never raises for Redis: a failure answers
    ``default`` and leaves Redis alone for ``retry_after_s``; an outage is logged when it starts and ends. What
    another release or a stranger wrote under a name that does not read back is nothing shared, too.
    """

    def __init__(self, url: str | None, *, retry_after_s: float = RETRY_AFTER_S) -> None:
        self.url = url
        self.retry_after_s = retry_after_s
        self._client = None
        self._down_until = 0.0
        self._outage = False  # Redis failed and has not answered since
        self._lock = threading.Lock()
        self.failures = 0  # calls Redis did not answer (for /health and tests)

    @property
    def enabled(self) -> bool:
        return self.url is not None

    @property
    def available(self) -> bool:
        """Whether calls go to Redis now (configured, and not resting after a failure)."""
        return self.enabled and time.monotonic() >= self._down_until

    def _redis(self):
        with self._lock:
            if self._client is None:
                import redis  # imported here: the standalone mode needs no Redis client
                from redis.backoff import NoBackoff
                from redis.retry import Retry

                # One retry at once: a pooled connection broken by a Redis restart is replaced, and nothing waits.
                self._client = redis.Redis.from_url(
                    self.url, socket_connect_timeout=SOCKET_TIMEOUT_S, socket_timeout=SOCKET_TIMEOUT_S,
                    retry=Retry(NoBackoff(), 1), health_check_interval=30, decode_responses=True)
            return self._client

    def _call(self, work: Callable, default: object = None):
        if not self.available:
            return default
        import redis

        try:
            answer = work(self._redis())
        except redis.RedisError as error:
            with self._lock:
                first, self._outage = not self._outage, True
                self._down_until = time.monotonic() + self.retry_after_s
                self.failures += 1
            if first:
                log.warning("shared cache: Redis does not answer (%s); each process uses its own memory until it does",
                            error)
            return default
        if self._outage:
            self._outage = False
            log.warning("shared cache: Redis answers again")
        return answer

    def reset_after_fork(self) -> None:
        """In a forked child: a client of its own (the parent's pooled connections stay the parent's)."""
        self._lock = threading.Lock()
        self._client = None

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # ---- values with a lifetime --------------------------------------------------------------------
    def get(self, name: str) -> tuple[float, object] | None:
        """(age in seconds, value) of what :meth:`put` kept under ``name`` and has not expired, else None."""
        text = self._call(lambda client: client.get(PREFIX + name))
        try:
            record = json.loads(text)
            return max(0.0, time.time() - float(record["at"])), record["value"]
        except (TypeError, ValueError, KeyError):  # nothing there (None), or not what put writes
            return None

    def put(self, name: str, value: object, ttl_s: float) -> None:
        record = json.dumps({"at": time.time(), "value": value}, separators=(",", ":"))
        self._call(lambda client: client.set(PREFIX + name, record, px=int(ttl_s * 1000)))

    def claim(self, name: str, ttl_s: float, value: object = 1) -> bool:
        """Whether this process is the first to claim ``name`` for ``ttl_s`` (True without Redis: it decides
        alone)."""
        return bool(self._call(lambda client: client.set(PREFIX + name, str(value), nx=True, px=int(ttl_s * 1000)),
                               True))

    def once(self, name: str, seconds: float, work: Callable[[], T], ttl_s: float) -> T:
        """``work()`` (limited to ``seconds``) done by one process at a time, its answer kept under ``name``.

        While another process does the same work under a limit at least as long, wait up to ``seconds`` for its
        answer (QueryTimeout when none comes); where it stops without one (an error, or Redis gone), work here.
        """
        busy = "busy:" + name
        if not self.claim(busy, seconds + 1, seconds):  # held a little longer than the work may take
            found = self._answer_of_another(name, busy, seconds)
            if found is not None:
                return found
            mine = False
        else:
            mine = self.enabled
        try:
            value = work()
            self.put(name, value, ttl_s)  # before the claim goes: a process waiting for it finds the answer
        finally:
            if mine:
                self._call(lambda client: client.delete(PREFIX + busy))
        return value

    def _answer_of_another(self, name: str, busy: str, seconds: float):
        holder = self._call(lambda client: client.get(PREFIX + busy))
        if holder is None or float(holder) < seconds:
            return None  # it may be stopped before an answer that this limit would allow
        started = time.monotonic()
        while time.monotonic() - started < seconds:
            found = self.get(name)
            if found is not None and found[1] is not None:
                return found[1]
            if not self._call(lambda client: client.exists(PREFIX + busy), 0):
                found = self.get(name)  # it may have answered just before it let go
                return found[1] if found is not None else None
            time.sleep(WAIT_POLL_S)
        raise QueryTimeout(seconds)

    # ---- positions ---------------------------------------------------------------------------------
    def nearest(self, name: str, index: int) -> tuple[int, tuple] | None:
        """(index, key) kept under ``name`` nearest at or below ``index``, else None."""
        found = self._call(lambda client: client.zrevrangebyscore(PREFIX + name, index, "-inf", start=0, num=1))
        if not found:
            return None
        position, _, text = found[0].partition("|")
        try:
            return int(position), decode_key(text)
        except (TypeError, ValueError, KeyError, IndexError):
            return None

    def remember(self, name: str, items: Iterable[tuple[int, tuple]]) -> None:
        """Keep (index, key) positions under ``name`` (one per index: a newer key replaces an older one)."""
        members = [(index, text) for index, key in items if (text := encode_key(key)) is not None]
        if not members:
            return

        def write(client) -> None:
            with client.pipeline(transaction=True) as pipe:
                for index, text in members:
                    pipe.zremrangebyscore(PREFIX + name, index, index)
                    pipe.zadd(PREFIX + name, {f"{index}|{text}": index})
                pipe.zremrangebyrank(PREFIX + name, 0, -KEYSET_VIEW_SIZE - 1)
                pipe.expire(PREFIX + name, KEYSET_TTL_S)
                pipe.execute()

        self._call(write)


class SharedKeysets:
    """Positions of one view: this process's memory first (paging.KeysetMemory under ``view_key``), then those any
    process kept in the shared store under ``name``. What either finds is the nearest of the two."""

    def __init__(self, local, shared: SharedStore, name: str, on_shared_hit: Callable[[], None] = lambda: None):
        self.local = local
        self.shared = shared
        self.name = name
        self._on_shared_hit = on_shared_hit

    def nearest(self, view_key: str, index: int) -> tuple[int, tuple] | None:
        mine = self.local.nearest(view_key, index)
        if mine is not None and mine[0] == index:  # the block starts where one read before ended: nothing nearer
            return mine
        theirs = self.shared.nearest(self.name, index)
        if theirs is None or (mine is not None and mine[0] >= theirs[0]):
            return mine
        self.local.remember(view_key, *theirs)
        self._on_shared_hit()
        return theirs

    def remember(self, view_key: str, index: int, key: tuple) -> None:
        self.remember_many(view_key, [(index, key)])

    def remember_many(self, view_key: str, items: list[tuple[int, tuple]]) -> None:
        self.local.remember_many(view_key, items)
        self.shared.remember(self.name, items)
