"""The scaled mode's shared cache without Redis: sort keys as text, the setting, and a Redis that never answers."""

from __future__ import annotations

import datetime as dt
import math
import uuid
from decimal import Decimal

import pytest

from dash_app.data.shared import SharedStore, decode_key, encode_key
from dash_app.settings import load_settings

KEYS = [
    (1, "a"), (None, True, False), (1.5, -0.0, 1e300), (Decimal("12.340"), Decimal("-1E+5")),
    (dt.datetime(2024, 2, 29, 23, 59, 59, 999999), dt.datetime(2024, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=-5)))),
    (dt.date(1, 1, 1), dt.time(12, 30, 1, 5), dt.timedelta(days=-1, seconds=5, microseconds=7)),
    (uuid.UUID("12345678-1234-5678-1234-567812345678"), "ünïcode \" | ,"), (),
]


@pytest.mark.parametrize("key", KEYS)
def test_a_sort_key_comes_back_as_equal_values_of_the_same_types(key):
    back = decode_key(encode_key(key))
    assert back == key and [type(value) for value in back] == [type(value) for value in key]


def test_nan_comes_back_as_nan_and_a_value_of_another_type_is_not_shared():
    assert math.isnan(decode_key(encode_key((float("nan"),)))[0])
    assert encode_key((1, b"bytes")) is None and encode_key(([1],)) is None


def test_redis_is_shared_with_celery_or_when_asked(tmp_path):
    assert load_settings(data_dir=tmp_path).shared_cache_url is None
    celery = load_settings(data_dir=tmp_path, background="celery", redis_url="redis://cache:6379/2")
    assert celery.shared_cache_url == "redis://cache:6379/2"
    assert load_settings(data_dir=tmp_path, background="celery", shared_cache="local").shared_cache_url is None
    assert load_settings(data_dir=tmp_path, shared_cache="redis").shared_cache_url == "redis://127.0.0.1:6379/0"


def test_a_redis_that_does_not_answer_shares_nothing_and_is_left_alone_for_a_while():
    store = SharedStore("redis://127.0.0.1:1/0", retry_after_s=3600)
    store.put("name", 1, 60)
    assert store.get("name") is None and store.nearest("keys", 10) is None and store.claim("plan", 60)
    store.remember("keys", [(10, (1,))])
    assert store.failures == 1 and not store.available


def test_without_a_url_nothing_is_shared():
    store = SharedStore(None)
    store.put("name", 1, 60)
    assert not store.enabled and store.get("name") is None and store.claim("plan", 60) and store.failures == 0
