"""Compressed responses for the product's own routes (pages, Dash's scripts and callbacks, assets), not the host's.

Flask-Compress does the work (the best of zstd, br and gzip that the browser accepts). It reads its settings
from the Flask app's config; here it gets a config of its own, so a host's ``COMPRESS_*`` settings and the
host's other routes are left as they are, whether or not the host compresses too (a response that is already
encoded is passed through).

Static files (Dash's component bundles, the assets) do not change while the server runs: each is compressed
once per path and kept, in a cache bounded by the number of files the app ships. Streamed responses (the CSV
and Excel exports) are sent as they are: compressing a 10M-row export on the fly costs the server more CPU
than it saves on a company network, and the browser shows the download's progress from its real size.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from flask import Flask, Request, request
from flask_compress import Compress
from werkzeug.wrappers import Response

STATIC_PARTS = ("_dash-component-suites/", "assets/")
SETTINGS = {
    "COMPRESS_REGISTER": False,  # applied below to the product's endpoints only
    "COMPRESS_STREAMS": False,
    "COMPRESS_LEVEL": 6,
    "COMPRESS_MIN_SIZE": 500,
}


NOT_KEPT = ";-"  # the end of a cache key (algorithm;key) of a response that is not a static file


class _Settings:
    """What Flask-Compress reads of an app: its config."""

    def __init__(self, config: dict) -> None:
        self.config = config


class StaticCache:
    """Compressed bodies of static files by algorithm and path; anything else is never kept."""

    def __init__(self) -> None:
        self._bodies: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        return self._bodies.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(NOT_KEPT):
            return
        with self._lock:
            self._bodies[key] = value


def cache_key(prefix: str):
    """The key of a response's compressed body: the path of a static file, else one that is never kept."""
    static = tuple(prefix + part for part in STATIC_PARTS)

    def key(incoming: Request) -> str:
        # The path alone (not the query string): Dash's bundles carry their version in the path, and an
        # arbitrary query string must not grow the cache.
        return incoming.path if incoming.method == "GET" and incoming.path.startswith(static) else "-"

    return key


def register(server: Flask, endpoints: Iterable[str], url_prefix: str) -> Compress:
    """Compress the responses of ``endpoints`` (the product's) on ``server``; return the compressor."""
    compressor = Compress()
    settings = _Settings({**SETTINGS, "COMPRESS_CACHE_BACKEND": StaticCache,
                          "COMPRESS_CACHE_KEY": cache_key(url_prefix)})
    compressor.init_app(settings)  # fills in Flask-Compress's defaults for everything not set above
    compressor.app = settings  # read at request time instead of the host's config
    product = frozenset(endpoints)

    @server.after_request
    def _compress(response: Response) -> Response:
        if request.endpoint in product:
            return compressor.after_request(response)
        return response

    return compressor
