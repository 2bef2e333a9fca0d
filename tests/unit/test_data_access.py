"""The one rule of database access by role (dash_app/data/access.py) and its setting, DASH_APP_DATABASE_ROLES."""

from __future__ import annotations

import pytest

from dash_app.data.access import DatabaseAccess
from dash_app.identity import NOBODY, STANDALONE, Identity
from dash_app.settings import SettingsError, load_settings

RULES = {"sales": {"roles": ["analyst", "hr"], "tables": {"salaries": ["hr"]}, "actions": {"export": ["lead"]}},
         "hr": {"roles": ["hr"]}}
ANALYST = Identity("a-1", "Sam", frozenset({"analyst"}))
LEAD = Identity("l-1", "Sam", frozenset({"analyst", "lead"}))
HR = Identity("h-1", "Sam", frozenset({"hr"}))
ADMIN = Identity("x-1", "Ada", frozenset({"admin"}), admin=True)


@pytest.fixture
def access(tmp_path) -> DatabaseAccess:
    databases = {name: f"sqlite:///{tmp_path / name}.sqlite" for name in ("sales", "hr", "open")}
    return DatabaseAccess(load_settings(data_dir=tmp_path, databases=databases, database_roles=RULES).database_roles)


@pytest.mark.parametrize("viewer,database,table,action,allowed", [
    (ANALYST, "sales", None, "browse", True),
    (ANALYST, "sales", "orders", "chart", True),
    (ANALYST, "sales", "salaries", "browse", False),  # a table narrows the database's roles
    (HR, "sales", "salaries", "browse", True),
    (ANALYST, "sales", "orders", "export", False),  # an action narrows them too
    (LEAD, "sales", "orders", "export", True),
    (LEAD, "sales", "salaries", "export", False),  # both narrowings hold at once
    (HR, "sales", "orders", "export", False),
    (ANALYST, "hr", None, "browse", False),
    (HR, "hr", "anything", "train", True),
    (ANALYST, "open", "anything", "edit", True),  # a database the setting does not name is open
    (NOBODY, "open", "anything", "browse", True),
    (NOBODY, "sales", None, "browse", False),  # no roles: nothing narrowed is open
    (ADMIN, "hr", "anything", "export", True),  # admins use everything
    (ADMIN, "sales", "salaries", "export", True),
    (STANDALONE, "hr", "anything", "edit", True),  # the one user of the standalone app is its admin
])
def test_the_rule(access, viewer, database, table, action, allowed):
    assert access.allows(viewer, database, table, action) is allowed


def test_lists_keep_the_configured_order_and_drop_what_is_not_allowed(access):
    assert access.databases(ANALYST, ["sales", "hr", "open"]) == ["sales", "open"]
    assert access.databases(ANALYST, ["sales", "hr", "open"], "export") == ["open"]
    assert access.tables(ANALYST, "sales", ["orders", "salaries", "items"]) == ["orders", "items"]
    assert access.tables(HR, "sales", ["orders", "salaries"]) == ["orders", "salaries"]


def test_an_unknown_action_is_a_bug_not_a_refusal(access):
    with pytest.raises(ValueError):
        access.allows(ADMIN, "sales", None, "delete")


def test_without_the_setting_everything_is_open_to_every_user(tmp_path):
    settings = load_settings(data_dir=tmp_path, databases={"sales": f"sqlite:///{tmp_path}/s.sqlite"})
    assert settings.database_roles == {}
    assert DatabaseAccess(settings.database_roles).allows(NOBODY, "sales", "salaries", "export")


@pytest.mark.parametrize("value,expected", [
    ('{"nowhere": {"roles": ["hr"]}}', "names databases that are not configured: nowhere"),
    ('{"sales": {"roles": [""]}}', "at least 1 character"),
    ('{"sales": {"actions": {"delete": ["hr"]}}}', "'export', 'chart', 'edit' or 'train'"),
    ('{"sales": {"role": ["hr"]}}', "Extra inputs are not permitted"),
    ('{"sales": ["hr"]}', "valid dictionary"),
])
def test_a_wrong_setting_stops_start_up_with_one_line(tmp_path, monkeypatch, value, expected):
    monkeypatch.setenv("DASH_APP_DATABASE_ROLES", value)
    with pytest.raises(SettingsError) as raised:
        load_settings(data_dir=tmp_path, databases={"sales": f"sqlite:///{tmp_path}/s.sqlite"})
    message = str(raised.value)
    assert message.startswith("Invalid setting: DASH_APP_DATABASE_ROLES=") and expected in message
    assert "\n" not in message and "(allowed: a JSON object of database name" in message
