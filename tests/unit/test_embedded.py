"""The product mounted in the example host under /dashboard/: every product route needs the host's login."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dash_app.web import PUBLIC_ENDPOINTS
from dash_app.workbench import get_workbench
from examples.flask_host import create_host_app

PREFIX = "/dashboard/"
ROOT = Path(__file__).resolve().parents[2]
SAMPLE_VALUES = {"path": "data", "filename": "css/app.css", "package_name": "dash", "fingerprinted_path": "x.js",
                 "run_id": "1", "name": "curves.png"}


@pytest.fixture
def host(tmp_path):
    server = create_host_app(tmp_path, secret_key="test-secret")
    server.extensions["users"].add("alice", "correct horse", "Alice Martin")
    return server


@pytest.fixture
def anonymous(host):
    return host.test_client()


@pytest.fixture
def signed_in(host):
    client = host.test_client()
    response = client.post("/login", data={"username": "alice", "password": "correct horse"})
    assert response.status_code == 302
    return client


def product_rules(server):
    """Every URL rule under the product's prefix, as the host's url_map lists them."""
    return [rule for rule in server.url_map.iter_rules() if rule.rule.startswith(PREFIX)]


def example_url(rule) -> str:
    """A concrete URL for a rule, with each converter filled by a sample value."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: SAMPLE_VALUES[m.group(1)], rule.rule)


def test_the_product_registered_its_routes_under_the_prefix_only(host):
    registered = get_workbench(host).endpoints
    by_rule = {rule.endpoint for rule in product_rules(host)}
    assert registered == by_rule
    assert len(by_rule) >= 9, "pages, _dash-* endpoints, component suites and assets"
    assert "_dashboard_dash_assets.static" in registered, "the assets blueprint is a product route too"


def test_every_product_route_refuses_an_anonymous_request(host, anonymous):
    checked = []
    for rule in product_rules(host):
        if rule.endpoint in PUBLIC_ENDPOINTS:  # the load balancer's health check: up or down, nothing else
            continue
        url = example_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = anonymous.open(url, method=method)
            if response.status_code == 302:
                assert response.location.startswith("/login?next="), (method, url, response.location)
            else:
                assert response.status_code == 401, (method, url, response.status_code)
                assert b"Sign in" in response.data
            checked.append((method, url))
    assert ("POST", f"{PREFIX}_dash-update-component") in checked
    assert ("GET", f"{PREFIX}assets/css/app.css") in checked


def test_only_the_health_check_answers_without_the_login_and_names_no_url(host, anonymous):
    assert {rule.endpoint for rule in product_rules(host)} & PUBLIC_ENDPOINTS == PUBLIC_ENDPOINTS
    response = anonymous.get(f"{PREFIX}health")
    assert response.status_code in (200, 503)
    body = response.get_data(as_text=True)
    assert set(response.json["checks"]) >= {"store", "databases"}
    assert "://" not in body and str(get_workbench(host).settings.data_dir) not in body


def test_pages_redirect_to_the_login_and_come_back(anonymous):
    response = anonymous.get(f"{PREFIX}data")
    assert response.status_code == 302
    assert response.location == "/login?next=%2Fdashboard%2Fdata"
    response = anonymous.post(response.location, data={"username": "alice", "password": "correct horse"})
    assert response.status_code == 302
    assert response.location == f"{PREFIX}data"


def test_the_hosts_own_routes_keep_working(anonymous, signed_in):
    assert anonymous.get("/").status_code == 200
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/static/host.css").status_code == 200
    assert anonymous.get("/account").status_code == 302, "the host's own guard still applies"
    assert b"Alice Martin" in signed_in.get("/account").data


@pytest.mark.parametrize("path", ["", "data", "training", "compose", "_dash-layout", "_dash-dependencies",
                                  "assets/css/app.css", "assets/vendor/bootstrap/bootstrap.min.css"])
def test_a_signed_in_user_gets_the_product(signed_in, path):
    assert signed_in.get(PREFIX + path).status_code == 200


def test_the_navbar_shows_the_host_users_name(signed_in):
    assert "Alice Martin" in signed_in.get(f"{PREFIX}_dash-layout").get_data(as_text=True)


def test_unknown_product_path_is_404_for_a_signed_in_user(signed_in):
    assert signed_in.get(f"{PREFIX}no-such-page").status_code == 404


def test_a_wrong_password_gives_no_access(anonymous):
    response = anonymous.post("/login", data={"username": "alice", "password": "wrong"})
    assert response.status_code == 401
    assert anonymous.get(f"{PREFIX}_dash-layout").status_code == 401


def test_signing_out_closes_the_product_again(signed_in):
    signed_in.post("/logout")
    assert signed_in.get(f"{PREFIX}_dash-layout").status_code == 401


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)"])
def test_login_never_redirects_off_site(anonymous, target):
    response = anonymous.post(f"/login?next={target}", data={"username": "alice", "password": "correct horse"})
    assert response.location == PREFIX


def test_an_unknown_script_under_the_prefix_is_not_found_for_a_signed_in_user(signed_in):
    assert signed_in.get(PREFIX + "_dash-component-suites/dash/nope.js").status_code == 404


def _wsgi_in_a_process(tmp_path, **variables) -> subprocess.CompletedProcess:
    """Import examples/flask_host/wsgi.py as gunicorn's workers do, in a process with only ``variables`` set."""
    script = ("from examples.flask_host.wsgi import application as app; from dash_app.workbench import "
              "get_workbench; c = app.test_client(); print(c.get('/dashboard/_dash-layout').status_code, "
              "get_workbench(app).settings.data_dir)")
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("DASH_APP_", "FLASK_HOST_"))}
    environment.update(DASH_APP_DEMO_ROWS="1000", **variables)
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True,
                          timeout=300)


def test_the_host_under_gunicorn_keeps_the_login_and_the_deployments_data_directory(tmp_path):
    """README "Deploy": the example host's WSGI module, with the shared data directory of every worker."""
    shared = tmp_path / "shared"
    answer = _wsgi_in_a_process(tmp_path, DASH_APP_DATA_DIR=str(shared), FLASK_HOST_SECRET_KEY="same-everywhere",
                                FLASK_HOST_INSTANCE=str(tmp_path / "host"))
    assert answer.returncode == 0, answer.stderr[-2000:]
    assert answer.stdout.split() == ["401", str(shared)], "the login guards it; its data is the deployment's"
    keyless = _wsgi_in_a_process(tmp_path, DASH_APP_DATA_DIR=str(shared), FLASK_HOST_INSTANCE=str(tmp_path / "host"))
    assert keyless.returncode != 0 and "set FLASK_HOST_SECRET_KEY" in keyless.stderr
