"""Security headers on every product response in the example host, and none on the host's own routes;
downloads named safely; unknown paths under the prefix 404 (issue 13, item 7; SECURITY.md "7. Headers")."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import sqlite3
from urllib.parse import urlencode

import pytest
from PIL import Image

from dash_app.settings import load_settings
from dash_app.web import PUBLIC_ENDPOINTS
from dash_app.web.headers import REFERRER_POLICY
from examples.flask_host import create_host_app
from test_embedded import PREFIX, example_url, product_rules
from test_ownership import ARTIFACTS, PASSWORD, client_of, finished_run, make_host, scene_with, upload, user_id

PAGES = ["", "data", "training", "compose", "training/compare", "no-such-page"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>(.*?)</script>", re.S)


@pytest.fixture
def host(tmp_path):
    return make_host(tmp_path)


@pytest.fixture
def alice(host):
    return client_of(host, "alice")


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";"))}


def assert_product_headers(response, what):
    assert "Content-Security-Policy" in response.headers, what
    assert response.headers["X-Content-Type-Options"] == "nosniff", what
    assert response.headers["Referrer-Policy"] == REFERRER_POLICY, what


def test_every_product_route_answers_with_the_security_headers(host, alice):
    checked = 0
    for rule in product_rules(host):
        url = example_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = alice.open(url, method=method)
            # /health says 503 when a service is down (here: the demo database, never built): an answer, not a crash
            assert response.status_code < 500 or (rule.endpoint in PUBLIC_ENDPOINTS and response.status_code == 503), \
                (method, url)
            assert_product_headers(response, (method, url, response.status_code))
            checked += 1
    assert checked >= 15


@pytest.mark.parametrize("path", ["/", "/login", "/static/host.css", "/account"])
def test_the_hosts_own_routes_are_left_as_they_are(alice, path):
    response = alice.get(path)
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response.headers
    assert "Referrer-Policy" not in response.headers


@pytest.mark.parametrize("path", PAGES)
def test_the_policy_allows_exactly_the_pages_inline_scripts_and_no_eval(alice, path):
    response = alice.get(PREFIX + path)
    policy = directives(response)
    scripts = policy["script-src"]
    assert "'unsafe-eval'" not in scripts and "'unsafe-inline'" not in scripts
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"] and policy["base-uri"] == ["'self'"]
    html = re.sub(r"<!--.*?-->", "", response.get_data(as_text=True), flags=re.S)  # Dash's IE-only notice
    run = [body for attributes, body in INLINE_SCRIPT.findall(html) if "application/json" not in attributes]
    assert run, "Dash starts its renderer with an inline script"
    for body in run:
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in scripts, body[:80]
    assert " style=" not in html, "no inline style attribute in the page's own HTML"


def test_unknown_paths_under_the_prefix_are_not_found(alice):
    for path in ["no-such-page", "data/nothing", "assets/nope.css", "assets/", "assets/..%2f..%2fpyproject.toml",
                 "_dash-component-suites/dash/nope.js", "_dash-component-suites/nope/x.js",
                 "_dash-component-suites/dash/..%2f..%2fdash.py", "_dash-layout/x", "training/runs/1/x",
                 "training/runs/1/artifacts/curves.png", "training-artifacts/1/../../x", "compose/nothing",
                 "training-artifacts/99/curves.png", "training-artifacts/x/curves.png"]:
        response = alice.get(PREFIX + path)
        assert response.status_code == 404, (path, response.status_code)


def test_data_exports_are_attachments_with_safe_names(tmp_path):
    database = tmp_path / "shop.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute('CREATE TABLE "Q3 \'sales\'/../x" (id INTEGER PRIMARY KEY, amount REAL)')
        connection.execute('INSERT INTO "Q3 \'sales\'/../x" VALUES (1, 2.5)')
    settings = load_settings(url_prefix=PREFIX, data_dir=tmp_path / "workbench",
                             databases={"shop": f"sqlite:///{database}"})
    server = create_host_app(tmp_path, secret_key="test-secret", settings=settings)
    server.extensions["users"].add("alice", PASSWORD, "Alice")
    alice = client_of(server, "alice")
    for extension in ("csv", "xlsx"):
        response = alice.get(f"{PREFIX}data/export.{extension}?" + urlencode({"db": "shop", "table": "Q3 'sales'/../x"}))
        assert response.status_code == 200, response.data[:200]
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith(f'attachment; filename="Q3_sales_.._x.{extension}"; filename*=UTF-8'), disposition
        assert "/" not in disposition.split("filename*=")[0]
        assert_product_headers(response, extension)
        response.close()


def test_the_compose_export_is_an_attachment_with_a_safe_name(alice):
    image_id = upload(alice)
    response = alice.post(f"{PREFIX}compose/export", json={"scene": scene_with(image_id), "format": "png",
                                                           "filename": '../../etc/"passwd"\r\nX-Evil: 1'})
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition == "attachment; filename=etc-passwd-X-Evil-1-400x300.png"
    assert "X-Evil" not in response.headers
    Image.open(io.BytesIO(response.data)).verify()


def test_run_artifacts_are_named_and_only_pictures_are_shown_inline(host, alice):
    run_id = finished_run(host, user_id(host, "alice"))
    base = f"{PREFIX}training-artifacts/{run_id}/"
    shown = alice.get(base + "curves.png")
    assert shown.headers["Content-Disposition"] == f"inline; filename=run-{run_id}-curves.png"
    for name in ARTIFACTS:
        downloaded = alice.get(base + name + "?download=1")
        assert downloaded.headers["Content-Disposition"] == f"attachment; filename=run-{run_id}-{name}"
        assert_product_headers(downloaded, name)
    for name in ("weights.pt", "config.json"):  # never shown by the browser, even without ?download=1
        assert alice.get(base + name).headers["Content-Disposition"] == f"attachment; filename=run-{run_id}-{name}"
    assert alice.get(base + "weights.pt").headers["Content-Type"] == "application/octet-stream", "bytes, not a guess"


def test_callbacks_and_layout_carry_the_headers_too(alice):
    layout = alice.get(f"{PREFIX}_dash-layout")
    assert_product_headers(layout, "layout")
    assert json.loads(layout.data)
