"""Fixtures shared by the unit tests of the run store's users (executor, control)."""

from __future__ import annotations

import pytest

from dash_app.runs.store import open_store


@pytest.fixture
def store_url(tmp_path):
    """A run store of its own in SQLite, per test."""
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


@pytest.fixture
def store(store_url):
    store = open_store(store_url)
    yield store
    store.dispose()
