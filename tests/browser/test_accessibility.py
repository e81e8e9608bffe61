"""The page is accessible (axe-core finds nothing serious) and light (first load under 50 KB)."""

from __future__ import annotations

from typing import Any

import pytest
from pages import Person, open_page, sign_up

from tests.integration.emulator_harness import EmulatorProcess

SERIOUS = ("serious", "critical")
FIRST_LOAD_BUDGET = 50 * 1024


def _serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
            for v in results.response["violations"] if v["impact"] in SERIOUS]


def test_axe_finds_no_serious_violation_signed_out_and_signed_in(
        browser: Any, site: tuple[EmulatorProcess, str]) -> None:
    _, url = site
    page = open_page(browser, url, bypass_csp=True)  # axe is injected as a script
    assert _serious_violations(page) == []
    sign_up(page, Person.new("Erin"))
    page.get_by_label("Your review", exact=True).fill("Accessible, I hope")
    page.get_by_role("button", name="Post review").click()
    page.get_by_text("Review posted.").wait_for()
    assert _serious_violations(page) == []
    page.locator("#reviews li").first.get_by_role("button", name="Edit").click()
    assert _serious_violations(page) == []  # with the edit form open
    page.context.close()


def test_first_load_transfers_under_50_kb(browser: Any, site: tuple[EmulatorProcess, str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    _, url = site
    context = browser.new_context()
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    cdp.on("Network.requestWillBeSent",
           lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
    cdp.on("Network.loadingFinished",
           lambda e: sizes.__setitem__(e["requestId"], int(e["encodedDataLength"])))
    page.goto(url)
    page.locator("body[data-ready=true]").wait_for(state="attached")
    assert page.locator("#alert").inner_text() == ""  # the list came too
    total = sum(sizes.values())
    with capsys.disabled():
        print(f"\nfirst load: {total} bytes over {len(sizes)} responses "
              f"({', '.join(sorted(urls[r].rsplit('/', 1)[-1] or '/' for r in sizes))})")
    assert total < FIRST_LOAD_BUDGET
    assert len(sizes) >= 7  # index.html, style.css, app.js, api.js, auth.js, config.json, list
    context.close()
