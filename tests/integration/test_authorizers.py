"""Authorizers and API keys in the real `python -m emulator` process, over real HTTP.

The fixture's authorizer answers by token (allow-NAME, deny, unauthorized, malformed, ...);
its handler echoes requestContext.authorizer and the API key it was given.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from emulator_harness import REPO, EmulatorProcess

pytestmark = pytest.mark.integration

FIXTURE = REPO / "tests" / "fixtures" / "services" / "auth"
FIXED_KEY = "fixture-key-0123456789abcdef"
KEY_LINE = re.compile(r"^API key generated: x-api-key: (\w{40})$")


@pytest.fixture
def service(tmp_path: Path) -> Path:
    folder = tmp_path / "svc"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


@pytest.fixture
def emulator(service: Path) -> Iterator[EmulatorProcess]:
    emu = EmulatorProcess(service / "serverless.yml").start()
    try:
        yield emu
    finally:
        emu.stop()


def call(emu: EmulatorProcess, path: str, **headers: str) -> tuple[int, Any]:
    reply = emu.request("GET", path, headers=[(k.replace("_", "-"), v)
                                              for k, v in headers.items()])
    return reply.status, reply.json()


@pytest.mark.parametrize(("token", "status", "body"), [
    ("deny", 403,
     {"Message": "User is not authorized to access this resource with an explicit deny"}),
    ("unauthorized", 401, {"message": "Unauthorized"}),
    ("malformed", 500, {"message": None}),
    ("object-context", 500, {"message": None}),
    ("slow", 500, {"message": None}),  # the authorizer times out
    ("boom", 500, {"message": None}),  # the authorizer raises
])
def test_token_authorizer_refusals(emulator: EmulatorProcess, token: str, status: int,
                                   body: Any) -> None:
    assert call(emulator, "/me", Authorization=token) == (status, body)
    emulator.wait_for(r"GET /dev/me: authorizer tokenAuthorizer: (deny|unauthorized|error)")
    assert "whoami] START" not in emulator.log  # the handler never ran


def test_allowed_requests_carry_the_context_and_later_ones_are_cached(
        emulator: EmulatorProcess) -> None:
    status, body = call(emulator, "/me", Authorization="allow-alice")
    assert status == 200
    assert {k: v for k, v in body["authorizer"].items() if k != "integrationLatency"} == {
        "principalId": "alice", "user": "alice", "admin": "false", "level": "3"}
    start = len(emulator.output)
    assert call(emulator, "/me", Authorization="allow-alice")[0] == 200
    emulator.wait_for(r"authorizer tokenAuthorizer: cached allow \(alice\)", start=start)
    assert call(emulator, "/me")[1] == {"message": "Unauthorized"}


def test_request_authorizer_and_api_keys(emulator: EmulatorProcess) -> None:
    assert call(emulator, "/me/7", X_User="7")[1]["authorizer"]["type"] == "REQUEST"
    assert call(emulator, "/me/8", X_User="7")[0] == 403
    assert call(emulator, "/keyed") == (403, {"message": "Forbidden"})
    status, body = call(emulator, "/keyed", x_api_key=FIXED_KEY)
    assert (status, body["apiKey"]) == (200, FIXED_KEY)
    assert call(emulator, "/external") == (401, {"message": "Unauthorized"})
    assert "warning: authorizer shared: " in emulator.log


def test_generated_key_is_printed_and_kept_across_restarts(service: Path) -> None:
    values = []
    for _ in range(2):
        emu = EmulatorProcess(service / "serverless.yml", "--no-reload").start()
        try:
            line = emu.wait_for(KEY_LINE)
            values.append(KEY_LINE.match(line).group(1))  # type: ignore[union-attr]
            assert call(emu, "/keyed", x_api_key=values[-1])[0] == 200
        finally:
            emu.stop()
    assert values[0] == values[1]


def test_no_auth_and_authorizer_flags(service: Path) -> None:
    emu = EmulatorProcess(service / "serverless.yml", "--no-reload",
                          "--authorizer", 'shared=allow:{"principalId": "bob"}').start()
    try:
        assert call(emu, "/external")[1]["authorizer"]["principalId"] == "bob"
    finally:
        emu.stop()
    emu = EmulatorProcess(service / "serverless.yml", "--no-reload", "--no-auth").start()
    try:
        emu.wait_for("Authorization: OFF")
        assert call(emu, "/me")[0] == 200
        assert call(emu, "/keyed")[0] == 200
    finally:
        emu.stop()


def test_protected_handler_never_runs_without_an_allow_under_load_and_reload(
        emulator: EmulatorProcess, service: Path) -> None:
    config = service / "serverless.yml"

    def one(i: int) -> tuple[str, int, Any]:
        token = ("allow-u" if i % 3 == 0 else "deny") + str(i % 4)
        status, body = call(emulator, "/me", Authorization=token)
        return token, status, body

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(one, range(120)))
        start = len(emulator.output)
        # Protect /public too, while requests are in flight.
        config.write_text(config.read_text().replace(
            "      - http: GET public\n",
            "      - http:\n          path: public\n          method: get\n"
            "          authorizer: tokenAuthorizer\n"))
        results += list(pool.map(one, range(120, 200)))
        emulator.wait_for(r"^Reloaded serverless\.yml", start=start, timeout=20)
    for token, status, body in results:
        if token.startswith("allow"):
            assert (status, body["authorizer"]["principalId"]) == (200, token[6:])
        else:
            assert status == 403
    assert call(emulator, "/public") == (401, {"message": "Unauthorized"})
    assert call(emulator, "/public", Authorization="allow-x")[0] == 200


def token_command(service: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "emulator", "token", "--config", str(service / "serverless.yml"),
         *args], capture_output=True, text=True, timeout=60, cwd=REPO, check=False)


def test_cognito_pool_tokens_from_the_token_command(emulator: EmulatorProcess,
                                                    service: Path) -> None:
    made = token_command(service, "--user", "alice")
    assert made.returncode == 0, made.stderr
    id_token = made.stdout.strip()
    status, body = call(emulator, "/pool", Authorization=id_token)
    assert (status, body["authorizer"]["claims"]["cognito:username"]) == (200, "alice")
    assert call(emulator, "/pool", Authorization=id_token[:-3] + "abc") == (
        401, {"message": "Unauthorized"})
    access = token_command(service, "--user", "alice", "--access").stdout.strip()
    assert call(emulator, "/pool", Authorization=access)[0] == 401  # no scopes: ID tokens only
    emulator.wait_for(r"authorizer UserPool: unauthorized: an ID token is needed")
    wrong = token_command(service, "--user", "bob", "--pool", "Nope")
    assert (wrong.returncode, wrong.stderr.strip()) == (
        2, "error: --pool: name one of the user pools: UserPool, auth-fixture-users")


def test_http_api_lambda_and_jwt_authorizers(emulator: EmulatorProcess, service: Path) -> None:
    origin = emulator.base_url.rsplit("/", 1)[0]  # the HTTP API is served at the root
    v2 = EmulatorProcess(service / "serverless.yml")
    v2.base_url = origin
    assert call(v2, "/v2/me") == (401, {"message": "Unauthorized"})
    assert call(v2, "/v2/me", X_Token="nope") == (403, {"message": "Forbidden"})
    assert call(v2, "/v2/me", X_Token="boom") == (500, {"message": "Internal Server Error"})
    status, body = call(v2, "/v2/me", X_Token="allow-carol")
    assert (status, body["authorizer"]) == (
        200, {"lambda": {"user": "carol", "level": 3, "version": "2.0"}})
    emulator.wait_for(r"GET /v2/me: authorizer simpleLambda: allow")
    id_token = token_command(service, "--user", "dave").stdout.strip()
    status, body = call(v2, "/v2/pool", Authorization=f"Bearer {id_token}")
    assert (status, body["authorizer"]["jwt"]["claims"]["cognito:username"]) == (200, "dave")
    assert call(v2, "/v2/pool", Authorization=id_token[:-2] + "xx")[0] == 401
    assert call(v2, "/v2/pool")[0] == 401


def test_local_cognito_gives_real_claims_and_answers_browsers(emulator: EmulatorProcess,
                                                              service: Path) -> None:
    """ID tokens carry the user's attributes; the pool's JSON API answers a page's calls."""
    made = token_command(service, "--user", "erin", "--name", "Erin Example",
                         "--email", "erin@example.com")
    assert made.returncode == 0, made.stderr
    status, body = call(emulator, "/pool", Authorization=made.stdout.strip())
    claims = body["authorizer"]["claims"]
    assert (status, claims["cognito:username"], claims["name"], claims["email"],
            claims["email_verified"], claims["token_use"]) == (
        200, "erin", "Erin Example", "erin@example.com", "false", "id")
    (discovery,) = (service / ".emulator").glob("*.cognito.json")
    live = json.loads(discovery.read_text())
    moto = EmulatorProcess(service / "serverless.yml")
    moto.base_url = live["endpoint"]
    target = "AWSCognitoIdentityProviderService."
    asked = "content-type,x-amz-target,x-amz-user-agent"
    preflight = moto.request("OPTIONS", "/", headers=[
        ("Origin", "http://127.0.0.1:8000"), ("Access-Control-Request-Method", "POST"),
        ("Access-Control-Request-Headers", asked)])
    assert (preflight.status, preflight.header("Access-Control-Allow-Origin"),
            preflight.header("Access-Control-Allow-Methods"),
            preflight.header("Access-Control-Allow-Headers"),
            preflight.header("Access-Control-Max-Age"), preflight.body) == (
        200, "*", "POST", asked, "172800", b"")

    def browser(operation: str, payload: dict[str, Any]) -> Any:
        reply = moto.request("POST", "/", body=payload, headers=[
            ("Origin", "http://127.0.0.1:8000"), ("X-Amz-Target", target + operation),
            ("Content-Type", "application/x-amz-json-1.1")])
        assert (reply.header("Access-Control-Allow-Origin"),
                reply.header("Access-Control-Expose-Headers")) == (
            "*", "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")
        return reply.status, reply.json()

    client_id = live["pools"]["UserPool"]["clients"]["UserPoolClient"]
    status, signed_up = browser("SignUp", {
        "ClientId": client_id, "Username": "frank", "Password": "Local-Passw0rd!",
        "UserAttributes": [{"Name": "name", "Value": "Frank"}]})
    assert (status, signed_up["UserConfirmed"], "CodeDeliveryDetails" in signed_up) == (
        200, True, False)  # confirmed at once: no code to type locally
    assert browser("SignUp", {"ClientId": client_id, "Username": "frank",
                              "Password": "Local-Passw0rd!"})[1]["__type"].endswith(
        "UsernameExistsException")
    status, signed_in = browser("InitiateAuth", {
        "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": "frank", "PASSWORD": "Local-Passw0rd!"}})
    status, body = call(emulator, "/pool",
                        Authorization=signed_in["AuthenticationResult"]["IdToken"])
    assert (status, body["authorizer"]["claims"]["sub"], body["authorizer"]["claims"]["name"]
            ) == (200, signed_up["UserSub"], "Frank")
