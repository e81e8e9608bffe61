"""Start the emulator with --web, find a Chromium: what the browser tests stand on."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

from tests.integration.emulator_harness import REPO, EmulatorProcess

WEB = REPO / "web"
NOCORS = REPO / "tests" / "fixtures" / "services" / "web-nocors" / "serverless.yml"
WEB_LINE = re.compile(r"^Web page: (\S+)")
# Debian's Chromium as root, headless, on a machine whose only network is the loopback: no
# sandbox (root), and none of Chromium's own calls home, which this network refuses.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage")
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_MAC = Path("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome")


def chromium_path() -> str | None:
    """The Chromium to launch: $CHROMIUM_PATH, one on PATH, Chrome on macOS, else None."""
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return str(_MAC) if sys.platform == "darwin" and _MAC.exists() else None


def start_site(config: Path, venv_dir: Path, state: Path) -> tuple[EmulatorProcess, str]:
    """Start the emulator with --web web/; return it and the page's URL."""
    emulator = EmulatorProcess(config, "--web", str(WEB), "--web-port", "0", "--in-memory",
                               "--no-reload", "--venv-dir", str(venv_dir),
                               "--state-dir", str(state))
    emulator.start(timeout=180)  # the first start builds the handlers' virtualenv
    match = WEB_LINE.match(emulator.wait_for(WEB_LINE))
    assert match, emulator.log
    return emulator, match.group(1)


