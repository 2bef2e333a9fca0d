"""The shell as a user meets it in Chromium: pages, navigation, colour mode, narrow layout, screenshots."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from browser_support import SCHEMES, WIDTHS, theme_of

PAGES = {
    "home": ("", "#home-hero"),
    "data": ("data", "#data-page"),
    "training": ("training", "#train-page"),
    "compose": ("compose", "#compose-page"),
    "not-found": ("no-such-page", "#not-found-page"),
}


def _assert_served_by_the_app(page, base_url: str) -> None:
    origin = urlsplit(base_url).netloc
    outside = [r.url for r in page.requests if urlsplit(r.url).scheme in {"http", "https"}
               and urlsplit(r.url).netloc != origin]
    assert outside == [], f"requests that left the app: {outside}"


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width_name", list(WIDTHS))
def test_every_page_renders_in_both_modes_and_widths(live_app, open_page, screenshot_dir, scheme, width_name):
    page = open_page(width=WIDTHS[width_name], scheme=scheme)
    for name, (path, marker) in PAGES.items():
        page.goto(live_app + path)
        page.wait_for_selector(marker, state="visible")
        page.wait_for_load_state("networkidle")
        assert theme_of(page) == scheme, "on a first visit the mode follows the system setting"
        page.screenshot(path=screenshot_dir / f"{name}-{scheme}-{width_name}.png", full_page=True)
    expected_errors = ["Failed to load resource: the server responded with a status of 404 (NOT FOUND)"]
    assert page.console_errors == expected_errors, "only the unknown page's own 404 status"
    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
    assert '"Inter Variable"' in loaded or "Inter Variable" in loaded, f"the app's own font loaded: {loaded}"
    assert "bootstrap-icons" in loaded, loaded
    _assert_served_by_the_app(page, live_app)


def test_navigation_between_pages_does_not_reload(live_app, open_page):
    page = open_page()
    page.goto(live_app)
    page.wait_for_selector("#home-hero")
    page.evaluate("window.__sameDocument = 'still here'")
    documents_before = sum(r.resource_type == "document" for r in page.requests)

    page.click("#shell-navbar >> text=Data")
    page.wait_for_selector("#data-page")
    assert page.url == live_app + "data"
    assert page.title() == "Data"
    page.click("#shell-navbar >> text=Training")
    page.wait_for_selector("#train-page")
    page.go_back()
    page.wait_for_selector("#data-page")
    page.click("#shell-navbar >> text=Home")
    page.click("text=Open Compose")
    page.wait_for_selector("#compose-page")

    assert page.evaluate("window.__sameDocument") == "still here"
    assert sum(r.resource_type == "document" for r in page.requests) == documents_before
    active = page.locator("#shell-navbar .nav-link.active")
    assert active.count() == 1 and active.inner_text().strip() == "Compose"
    assert page.console_errors == []


def test_colour_mode_choice_survives_reload_and_new_tabs(live_app, open_page):
    page = open_page(scheme="light")
    page.goto(live_app + "data")
    page.wait_for_selector("#data-page")
    assert theme_of(page) == "light"
    assert not page.is_checked("#shell-color-mode-switch")

    page.click("#shell-color-mode-switch")
    page.wait_for_function("document.documentElement.getAttribute('data-bs-theme') === 'dark'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(15, 17, 23)", "the dark palette is applied, not only the attribute"

    page.reload()
    page.wait_for_selector("#data-page")
    assert theme_of(page) == "dark"
    assert page.is_checked("#shell-color-mode-switch")

    second_tab = page.context.new_page()
    second_tab.goto(live_app)
    second_tab.wait_for_selector("#home-hero")
    assert theme_of(second_tab) == "dark", "the choice beats the system setting (light) in a new tab"

    page.click("#shell-color-mode-switch")
    page.wait_for_function("document.documentElement.getAttribute('data-bs-theme') === 'light'")
    page.reload()
    page.wait_for_selector("#data-page")
    assert theme_of(page) == "light"
    assert page.console_errors == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_primary_buttons_filled_or_outlined_wear_the_accent_not_bootstraps_blue(live_app, open_page, scheme):
    page = open_page(scheme=scheme)
    page.goto(live_app + "compose")
    page.wait_for_selector("#compose-page .btn-outline-primary")
    colours = page.evaluate("""() => {
        const of = (selector) => [...document.querySelectorAll(selector)].map(b => getComputedStyle(b).borderColor);
        return {filled: of('.btn-primary'), outlined: of('.btn-outline-primary')};
    }""")
    accent = set(colours["filled"])
    assert len(accent) == 1 and "rgb(13, 110, 253)" not in accent, colours
    assert len(colours["outlined"]) >= 3 and set(colours["outlined"]) == accent, colours
    page.hover("#compose-page .compose-export")  # hovered, an outline button fills with the accent (a transition)
    page.wait_for_function("(accent) => getComputedStyle(document.querySelector('#compose-page .compose-export'))"
                           ".backgroundColor === accent", arg=accent.pop())
    assert page.console_errors == []


def test_narrow_layout_collapses_the_navbar_into_a_toggler(live_app, open_page):
    page = open_page(width=WIDTHS["narrow"])
    page.goto(live_app)
    page.wait_for_selector("#home-hero")
    toggler, links = page.locator("#shell-nav-toggler"), page.locator("#shell-nav-links")
    assert toggler.is_visible()
    assert not links.is_visible()
    box = toggler.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44, "touch-size toggler"

    toggler.click()
    page.wait_for_selector("#shell-nav-links", state="visible")
    page.click("#shell-nav-links >> text=Training")
    page.wait_for_selector("#train-page")
    page.wait_for_selector("#shell-nav-links", state="hidden")
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["narrow"], "no sideways scrolling"


def test_wide_layout_shows_the_links_without_a_toggler(live_app, open_page):
    page = open_page(width=WIDTHS["wide"])
    page.goto(live_app)
    page.wait_for_selector("#home-hero")
    assert page.locator("#shell-nav-links").is_visible()
    assert not page.locator("#shell-nav-toggler").is_visible()
    assert page.locator("#shell-navbar .app-nav-link").all_inner_texts() == ["Home", "Data", "Training", "Compose"]
