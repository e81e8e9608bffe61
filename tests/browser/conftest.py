"""The web page (web/) in a real headless Chromium, driven by Playwright, against the emulator.

Playwright does not download a browser here: it launches the machine's Chromium through
`executable_path` (Debian's package `chromium`, or $CHROMIUM_PATH). Without Playwright or a
Chromium these tests are skipped, so the default `nox -s tests` run stays clean;
`nox -s browser` sets BROWSER_TESTS=required, which turns that skip into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import CHROMIUM_ARGS, chromium_path, start_site, warm_up

from tests.integration.emulator_harness import REPO, REVIEW_API, EmulatorProcess


def _skip_or_fail(why: str) -> None:
    if os.environ.get("BROWSER_TESTS") == "required":
        pytest.fail(why, pytrace=False)
    pytest.skip(why, allow_module_level=True)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _skip_or_fail("Playwright is not installed: pip install -e '.[browser]' (nox -s browser)")
    path = chromium_path()  # None: Playwright's own browser, if `playwright install` fetched one
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS))
        except Exception as exc:  # playwright's Error: no browser at all
            _skip_or_fail(f"no Chromium to launch ({path or 'Playwright bundled'}): "
                          f"{str(exc).splitlines()[0]}; see docs/web.md")
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def venv_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The handlers' virtualenvs, shared by the emulators of this session."""
    return tmp_path_factory.mktemp("handler-venvs")


@pytest.fixture(scope="session")
def site(browser: Any, venv_dir: Path, tmp_path_factory: pytest.TempPathFactory
         ) -> Iterator[tuple[EmulatorProcess, str]]:
    """The review API on the emulator, and the page on its own origin."""
    emulator, url = start_site(REVIEW_API, venv_dir, tmp_path_factory.mktemp("state"))
    warm_up(url)
    yield emulator, url
    emulator.stop()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the tests leave pictures of the page's main states ($WEB_SCREENSHOTS or build/)."""
    folder = Path(os.environ.get("WEB_SCREENSHOTS") or REPO / "build" / "web-screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
