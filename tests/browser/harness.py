"""Start the emulator with --web, find a Chromium: what the browser tests stand on."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

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


def _call(url: str, method: str = "GET", body: Any = None,
          headers: dict[str, str] | None = None) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            raw = reply.read()
            return reply.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def until_served(url: str, method: str = "GET", body: Any = None,
                  headers: dict[str, str] | None = None) -> tuple[int, Any]:
    """Call until the function answers: a cold start on a loaded machine can pass the
    function's 6 s timeout (502); a few tries, no sleeps (each try is a real call)."""
    for _ in range(5):
        status, reply = _call(url, method, body, headers)
        if status < 500:
            return status, reply
    raise AssertionError(f"{method} {url} still failing: {status} {reply}")


def warm_up(page_url: str) -> None:
    """Start every function of the reviews API once (list, get, create, update, delete), so
    the tests' first calls do not meet a cold start."""
    _, config = _call(page_url + "config.json")
    api = config["apiUrl"]
    headers = {"Content-Type": "application/json"}
    if config.get("userPoolClientId"):
        idp = {"Content-Type": "application/x-amz-json-1.1"}
        email = f"warm-up-{uuid.uuid4().hex[:8]}@example.com"
        client = config["userPoolClientId"]
        _call(config["cognitoEndpoint"], "POST", {
            "ClientId": client, "Username": email, "Password": "Warm-up-Passw0rd!",
            "UserAttributes": [{"Name": "name", "Value": "Warm-up"},
                               {"Name": "email", "Value": email}]},
            {**idp, "X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp"})
        _, signed = _call(config["cognitoEndpoint"], "POST", {
            "ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": email, "PASSWORD": "Warm-up-Passw0rd!"}},
            {**idp, "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"})
        headers["Authorization"] = signed["AuthenticationResult"]["IdToken"]
    until_served(f"{api}/reviews")
    until_served(f"{api}/reviews/{uuid.uuid4()}")
    status, review = until_served(f"{api}/reviews", "POST", {"review": "warm-up"}, headers)
    assert status == 201, (status, review)
    until_served(f"{api}/reviews/{review['id']}", "PUT", {"review": "warm-up"}, headers)
    until_served(f"{api}/reviews/{review['id']}", "DELETE", None, headers)


