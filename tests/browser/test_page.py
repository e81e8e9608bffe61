"""The reviews page in headless Chromium against the emulator: two users, their reviews, errors.

The page is served on its own origin (--web), so every API and Cognito call below is a real
cross-origin call the browser checks (preflights included); nothing here asserts on headers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright", reason="the browser tests need .[browser] (nox -s browser)")
from harness import NOCORS, start_site, until_served
from pages import (
    Person,
    api,
    expired,
    id_token,
    open_page,
    page_config,
    set_token,
    sign_in,
    sign_up,
    with_claims,
)
from playwright.sync_api import expect

from tests.integration.emulator_harness import EmulatorProcess

FORBIDDEN = "You can only change or delete your own reviews."
EXPIRED = "Your session has expired. Please sign in again; what you typed is kept."
UNREACHABLE = "The reviews service could not be reached."
TYPED = "Typed before the session ended"


def _items(page: Any) -> list[str]:
    return list(page.locator("#reviews .review-text").all_text_contents())


def _review(page: Any, text: str) -> Any:
    return page.locator("#reviews li").filter(has_text=text)


def _load_all(page: Any) -> None:
    """Press "Load more" until the last page is in (the list's order is unspecified)."""
    more, items = page.get_by_role("button", name="Load more"), page.locator("#reviews li")
    page.locator("#reviews[aria-busy=false]").wait_for(state="attached")
    while more.is_visible():
        shown = items.count()
        more.click()
        expect(items).not_to_have_count(shown)
        page.locator("#reviews[aria-busy=false]").wait_for(state="attached")


def test_two_users_create_page_through_edit_delete_and_b_is_refused(
        browser: Any, site: tuple[EmulatorProcess, str], screenshots: Path) -> None:
    _, url = site
    alice, bob = Person.new("Alice"), Person.new("Bob")
    page = open_page(browser, url)
    base = page_config(page)["apiUrl"]
    page.screenshot(path=str(screenshots / "web-signed-out.png"))
    sign_up(page, alice)

    # GIVEN Alice's first review, posted through the page, and 11 more posted by script
    page.get_by_label("Your review", exact=True).fill("Alice 00: the soup was cold")
    page.get_by_role("button", name="Post review").click()
    page.get_by_text("Review posted.").wait_for()
    token = id_token(page)
    for n in range(1, 12):
        assert api(base, "POST", "/reviews", token, {"review": f"Alice {n:02}"})[0] == 201

    # WHEN she shows only her reviews: 10 a page, then "Load more" follows nextToken
    page.get_by_label("My reviews").check()
    expect(page.locator("#reviews li")).to_have_count(10)
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("#reviews li")).to_have_count(12)
    assert sorted(_items(page)) == ["Alice 00: the soup was cold",
                                    *[f"Alice {n:02}" for n in range(1, 12)]]
    assert page.get_by_role("button", name="Load more").is_hidden()  # the last page

    # AND edits one and deletes another
    _review(page, "Alice 00").get_by_role("button", name="Edit").click()
    page.get_by_label("Edit your review", exact=True).fill("Alice 00: the soup was hot after all")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Review saved.").wait_for()
    _review(page, "Alice 01").get_by_role("button", name="Delete").click()
    page.get_by_role("button", name="Yes, delete it").click()
    page.get_by_text("Review deleted.").wait_for()
    assert "Alice 01" not in _items(page)
    page.screenshot(path=str(screenshots / "web-signed-in.png"), full_page=False)

    # THEN Bob sees Alice's review read-only
    other = open_page(browser, url)
    sign_up(other, bob)
    _load_all(other)
    mine = _review(other, "the soup was hot after all")
    assert mine.get_by_role("button").count() == 0
    assert "Alice" in mine.locator(".meta").inner_text()

    # AND a request forged from Bob's page against Alice's review shows the 403 in words
    other.get_by_label("Your review", exact=True).fill("Bob's own")
    other.get_by_role("button", name="Post review").click()
    other.get_by_text("Review posted.").wait_for()
    _review(other, "Bob's own").get_by_role("button", name="Edit").click()
    alices = _review(other, "the soup was hot after all").get_attribute("data-id")
    other.locator("form.editor input[name=id]").evaluate("(el, id) => { el.value = id; }", alices)
    other.get_by_label("Edit your review", exact=True).fill("Bob was here")
    other.get_by_role("button", name="Save").click()
    other.get_by_role("alert").filter(has_text=FORBIDDEN).wait_for()
    other.screenshot(path=str(screenshots / "web-forbidden.png"))
    status, body = api(base, "GET", f"/reviews/{alices}")
    assert (status, body["review"]) == (200, "Alice 00: the soup was hot after all")
    other.context.close()
    page.context.close()


def test_markup_in_a_review_is_shown_as_text(browser: Any,
                                             site: tuple[EmulatorProcess, str]) -> None:
    _, url = site
    page = open_page(browser, url)
    sign_up(page, Person.new("Mallory"))
    hostile = ('<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">'
               '<b>bold</b>')
    page.get_by_label("Your review", exact=True).fill(hostile)
    page.get_by_role("button", name="Post review").click()
    page.get_by_text("Review posted.").wait_for()
    for _ in range(2):  # as posted, then as the list renders it from the API
        item = _review(page, "bold</b>")
        assert item.locator(".review-text").inner_text() == hostile
        assert item.locator("script, img, b").count() == 0
        assert page.evaluate("window.__owned") is None
        page.reload()
        page.locator("body[data-ready=true]").wait_for(state="attached")
        page.get_by_label("My reviews").check()
        expect(page.locator("#reviews li")).to_have_count(1)
    page.context.close()


def test_an_expired_session_returns_to_sign_in_and_keeps_the_text(
        browser: Any, site: tuple[EmulatorProcess, str]) -> None:
    _, url = site
    carol = Person.new("Carol")
    page = open_page(browser, url)
    sign_up(page, carol)
    token = id_token(page)

    # GIVEN a token past its expiry: the page knows without asking
    set_token(page, expired(token))
    page.get_by_label("Your review", exact=True).fill(TYPED)
    page.get_by_role("button", name="Post review").click()
    page.get_by_text(EXPIRED).wait_for()
    assert page.locator("#sign-in-email").is_visible()
    sign_in(page, carol)
    assert page.get_by_label("Your review", exact=True).input_value() == TYPED

    # AND a token the API refuses (signature broken, not expired): the gateway's 401
    set_token(page, with_claims(id_token(page), name="Carol the forger"))
    page.get_by_role("button", name="Post review").click()
    page.get_by_text(EXPIRED).wait_for()
    sign_in(page, carol)
    assert page.get_by_label("Your review", exact=True).input_value() == TYPED
    page.context.close()


def test_a_review_is_created_with_the_keyboard_alone(
        browser: Any, site: tuple[EmulatorProcess, str]) -> None:
    _, url = site
    dave = Person.new("Dave")
    page = open_page(browser, url)
    base = page_config(page)["apiUrl"]
    assert api(base, "POST", "/reviews")[0] == 401  # no token: the gateway refuses
    page.get_by_text("New here? Create an account").focus()
    page.keyboard.press("Enter")
    for value in (dave.name, dave.email, "Review-Passw0rd!"):
        page.keyboard.press("Tab")
        page.keyboard.type(value)
    page.keyboard.press("Enter")  # submits the form from its last field
    page.get_by_text(f"Signed in as {dave.name}").wait_for()
    focused = page.evaluate("document.activeElement.id")
    assert focused == "compose-heading"  # focus moved to what comes next
    page.keyboard.press("Tab")
    page.keyboard.type("Written without a mouse")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("Review posted.").wait_for()
    assert _items(page)[0] == "Written without a mouse"
    page.context.close()


@pytest.fixture(scope="module")
def nocors(browser: Any, venv_dir: Path, tmp_path_factory: pytest.TempPathFactory
           ) -> Any:
    emulator, url = start_site(NOCORS, venv_dir, tmp_path_factory.mktemp("nocors"))
    until_served(emulator.base_url + "/reviews")  # warm: a cold start's 502 lacks CORS too
    yield url
    emulator.stop()


def test_a_reply_without_the_cors_header_is_shown_as_unreachable(browser: Any, nocors: str,
                                                                  screenshots: Path) -> None:
    page = open_page(browser, nocors)
    page.get_by_role("alert").filter(has_text=UNREACHABLE).wait_for()
    assert _items(page) == []
    # The handler did answer (200, one review): only the browser's CORS check stopped it.
    status, body = api(page_config(page)["apiUrl"], "GET", "/reviews")
    assert status == 200 and len(body["items"]) == 1
    assert any("blocked by CORS policy" in line for line in page.console_lines)
    page.screenshot(path=str(screenshots / "web-cors-failure.png"))
    page.context.close()


def test_a_refused_review_and_a_vanished_one_are_told_in_words(
        browser: Any, site: tuple[EmulatorProcess, str]) -> None:
    _, url = site
    page = open_page(browser, url)
    base = page_config(page)["apiUrl"]
    sign_up(page, Person.new("Frank"))
    page.get_by_label("Your review", exact=True).fill("   ")  # the API's 400: only whitespace
    page.get_by_role("button", name="Post review").click()
    page.get_by_role("alert").filter(
        has_text="The review was not accepted: 'review' must not be only whitespace").wait_for()
    page.get_by_label("Your review", exact=True).fill("Soon gone")
    page.get_by_role("button", name="Post review").click()
    page.get_by_text("Review posted.").wait_for()
    gone = _review(page, "Soon gone").get_attribute("data-id")
    _review(page, "Soon gone").get_by_role("button", name="Edit").click()
    assert api(base, "DELETE", f"/reviews/{gone}", id_token(page))[0] == 204  # another tab
    page.get_by_label("Edit your review", exact=True).fill("Too late")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("alert").filter(has_text="That review no longer exists").wait_for()
    expect(page.locator(f"#reviews li[data-id='{gone}']")).to_have_count(0)
    page.context.close()
