"""Two users of the example host with THE SAME display name, in two browser contexts: each owns what they made.

Ann saves a composition and starts a run; Ben (another account, same display name) does not see Ann's
composition in his list, and when he replays his own Open request with Ann's composition name the
page tells him it is not among his. Ann's run is shared read-only: Ben sees it live, without a Cancel
button, on the Training page and on the run's own page; Ann cancels it and Ben's page follows.
The server runs with ``DASH_APP_HOLD_RUNS``, so Ann's run is still active whenever the test looks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from browser_support import DEMO_ROWS, REPO_ROOT, clean_environment, free_port, serve_process, sign_in_to_host
from training_support import active_card, open_training, start_run, wait_for_status

NAME = "Sam Lee"
PASSWORD = "correct horse battery"
USERS = ("ann", "ben")


@pytest.fixture(scope="module")
def owned_host(tmp_path_factory) -> Iterator[tuple[str, object]]:
    """The example host with two users of one display name, serving held runs; (base URL, Workbench data dir)."""
    instance = tmp_path_factory.mktemp("owned-host")
    environment = clean_environment(DASH_APP_DEMO_ROWS=DEMO_ROWS, DASH_APP_HOLD_RUNS="true")
    for username in USERS:
        subprocess.run([sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "add-user", username,
                        "--name", NAME, "--password", PASSWORD], cwd=REPO_ROOT, env=environment, check=True,
                       timeout=60)
    port = free_port()
    command = [sys.executable, "-m", "examples.flask_host", "--instance", str(instance), "serve", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    with serve_process(command, url, environment, instance / "server.log"):
        yield url, instance / "workbench"


def sign_in(open_page, base_url: str, username: str, path: str):
    page = sign_in_to_host(open_page, base_url, username, PASSWORD, path, "#shell-user")
    assert page.inner_text("#shell-user").strip() == NAME
    return page


def save_composition(page, name: str) -> None:
    page.fill("#compose-save-name", name)
    page.click("#compose-save")
    page.wait_for_selector(f"#compose-alerts >> text=Saved “{name}”")


def saved_names(page) -> list[str]:
    return page.evaluate("() => [...document.querySelectorAll('#compose-saved option')].map(o => o.value)")


def with_saved_value(body: str, name: str) -> str:
    """The page's own callback request, with the Saved list's value replaced by ``name``."""
    def replace(item):
        if isinstance(item, dict):
            if item.get("id") == "compose-saved" and item.get("property") == "value":
                return item | {"value": name}
            return {key: replace(value) for key, value in item.items()}
        if isinstance(item, list):
            return [replace(value) for value in item]
        return item
    return json.dumps(replace(json.loads(body)))


def test_a_user_cannot_open_anothers_composition_and_sees_anothers_run_read_only(owned_host, open_page):
    base_url, data_dir = owned_host
    ann = sign_in(open_page, base_url, "ann", "compose")
    ben = sign_in(open_page, base_url, "ben", "compose")
    ann.wait_for_selector(".compose-surface")
    save_composition(ann, "Plan")

    ben.wait_for_selector(".compose-surface")
    save_composition(ben, "Mine")
    assert "Mine" in saved_names(ben) and "Plan" not in saved_names(ben), "same display name, not the same list"
    replayed = []

    def open_anns(route):
        replayed.append(route.request.post_data)
        route.continue_(post_data=with_saved_value(route.request.post_data, "Plan"))

    ben.route("**/_dash-update-component*", open_anns)
    ben.select_option("#compose-saved", "Mine")
    ben.click("#compose-open")
    ben.wait_for_selector("#compose-alerts >> text=There is no saved composition called 'Plan' among yours.")
    ben.unroute("**/_dash-update-component*")
    assert replayed, "the Open request went through the replay"
    assert "Opened" not in ben.inner_text("#compose-alerts")
    ann.select_option("#compose-saved", "Plan")
    ann.click("#compose-open")
    ann.wait_for_selector("#compose-alerts >> text=Opened “Plan”")

    open_training(ann, base_url + "dashboard/")
    run_id = start_run(ann, epochs=1000, batch_size=32)
    ann.wait_for_selector(f"{active_card(run_id)} .train-cancel")

    open_training(ben, base_url + "dashboard/")
    ben.wait_for_selector(active_card(run_id))
    assert NAME in ben.inner_text(f"{active_card(run_id)} .train-run-user")
    assert ben.locator(f"{active_card(run_id)} .train-cancel").count() == 0, "shared read-only: no Cancel"
    ben.goto(base_url + f"dashboard/training/runs/{run_id}")
    ben.wait_for_selector(f"#train-run-status >> text=Run #{run_id}")
    assert ben.locator("#train-run-status .train-cancel").count() == 0
    assert f"Started by\n{NAME}" in ben.inner_text("#train-run-progress").replace("\t", "\n")

    ann.click(f"{active_card(run_id)} .train-cancel")
    ann.wait_for_selector(f"#train-cancel-alert >> text=Run #{run_id} cancelled.")
    assert wait_for_status(data_dir, run_id, ("cancelled",)) == "cancelled"
    ben.wait_for_selector("#train-run-status .train-status-cancelled")
    for page in (ann, ben):
        assert page.console_errors == [], page.console_errors
