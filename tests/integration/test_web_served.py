"""`--web DIR`: the page on its own port, its config.json naming this emulator's API and pool,
and the local Cognito answering the page's cross-origin calls (the real process, real HTTP)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pytest
from emulator_harness import REPO, EmulatorProcess

AUTH = REPO / "tests" / "fixtures" / "services" / "auth" / "serverless.yml"
WEB_LINE = re.compile(r"^Web page: (\S+)")


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[EmulatorProcess, str]]:
    emu = EmulatorProcess(AUTH, "--web", str(REPO / "web"), "--web-port", "0",
                          "--no-reload", "--in-memory").start()
    match = WEB_LINE.match(emu.wait_for(WEB_LINE))
    assert match, emu.log
    yield emu, match.group(1)
    emu.stop()


def _open(request: urllib.request.Request | str) -> tuple[int, dict[str, str], bytes]:
    with urllib.request.urlopen(request, timeout=30) as reply:
        return reply.status, dict(reply.headers), reply.read()


def test_the_page_and_its_config_are_served_on_another_origin(
        served: tuple[EmulatorProcess, str]) -> None:
    emu, page = served
    assert page.rstrip("/") != emu.base_url.rsplit("/", 1)[0]  # another port: another origin
    status, headers, body = _open(page)
    assert (status, headers["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert b'<script type="module" src="app.js">' in body
    _, _, raw = _open(page + "config.json")
    config = json.loads(raw)
    assert config["apiUrl"] == emu.base_url
    assert config["userPoolId"].startswith(config["region"] + "_")
    assert config["userPoolClientId"] and config["cognitoEndpoint"].startswith("http://127.0.0.1:")
    assert f"connect-src 'self' {emu.base_url.rsplit('/', 1)[0]} {config['cognitoEndpoint']}" \
        in headers["Content-Security-Policy"]


def test_the_page_can_sign_up_cross_origin(served: tuple[EmulatorProcess, str]) -> None:
    _, page = served
    config = json.loads(_open(page + "config.json")[2])
    origin = page.rstrip("/")
    preflight = urllib.request.Request(config["cognitoEndpoint"], method="OPTIONS", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,x-amz-target,x-amz-user-agent"})
    status, headers, _ = _open(preflight)
    assert status == 200 and headers["Access-Control-Allow-Origin"] in ("*", origin)
    sign_up = urllib.request.Request(
        config["cognitoEndpoint"], method="POST",
        data=json.dumps({"ClientId": config["userPoolClientId"], "Username": "web-user",
                         "Password": "Web-Passw0rd!"}).encode(),
        headers={"Origin": origin, "Content-Type": "application/x-amz-json-1.1",
                 "X-Amz-Target": "AWSCognitoIdentityProviderService.SignUp"})
    status, headers, body = _open(sign_up)
    assert status == 200 and headers["Access-Control-Allow-Origin"] in ("*", origin)
    assert json.loads(body)["UserConfirmed"] is True


def test_a_taken_web_port_is_one_line_before_anything_runs(
        served: tuple[EmulatorProcess, str]) -> None:
    _, page = served
    port = page.rstrip("/").rsplit(":", 1)[1]
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "--config", str(AUTH), "--port", "0", "--web",
         str(REPO / "web"), "--web-port", port, "--in-memory", "--no-reload"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"error: --web-port: cannot listen on 127.0.0.1:{port} for the web page" in done.stderr
    assert "Traceback" not in done.stderr
