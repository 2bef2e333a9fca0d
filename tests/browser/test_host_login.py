"""Inside the example host: the product asks for the host's login, then works under /dashboard/."""

from __future__ import annotations

from urllib.parse import urlsplit

from browser_support import HOST_USER, WIDTHS


def test_login_through_the_host_form_then_use_the_product(live_host, open_page, screenshot_dir):
    username, password, name = HOST_USER
    page = open_page()
    page.goto(live_host + "dashboard/training")
    assert urlsplit(page.url).path == "/login", "anonymous users are sent to the host's login"

    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#train-page")
    assert urlsplit(page.url).path == "/dashboard/training"
    assert page.inner_text("#shell-user").strip() == name

    page.click("#shell-navbar >> text=Data")
    page.wait_for_selector("#data-page")
    assert urlsplit(page.url).path == "/dashboard/data"
    page.click("#shell-navbar .app-brand")
    page.wait_for_selector("#home-hero")
    assert urlsplit(page.url).path == "/dashboard/"
    page.wait_for_load_state("networkidle")
    page.screenshot(path=screenshot_dir / "embedded-home-light-wide.png", full_page=True)
    assert page.console_errors == []
    failed = [r.url for r in page.requests if r.failure]
    assert failed == []


def test_a_wrong_password_keeps_the_product_closed(live_host, open_page):
    username, _, _ = HOST_USER
    page = open_page(width=WIDTHS["narrow"])
    page.goto(live_host + "dashboard/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Wrong username or password.")
    assert urlsplit(page.url).path == "/login"
    page.goto(live_host + "dashboard/data")
    assert urlsplit(page.url).path == "/login"


def test_an_ended_session_sends_the_user_back_to_the_login(live_host, open_page):
    username, password, _ = HOST_USER
    page = open_page()
    page.goto(live_host + "login?next=/dashboard/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#home-hero")

    page.context.clear_cookies()  # the host's session ends (expired, or signed out elsewhere)
    page.click("#shell-navbar >> text=Compose")
    page.wait_for_url("**/login?next=*")
    assert "next=%2Fdashboard%2Fcompose" in page.url, "after signing in again the user lands where they were"
