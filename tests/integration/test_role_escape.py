"""A handler running arbitrary code cannot leave its role, nor read the developer's AWS keys."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from emulator_harness import REPO, EmulatorProcess

pytestmark = pytest.mark.integration

ESCAPE = REPO / "tests" / "fixtures" / "services" / "role-escape" / "serverless.yml"
SHELL = {"AWS_ACCESS_KEY_ID": "AKIAREAL-DEVELOPER", "AWS_SECRET_ACCESS_KEY": "REAL-DEVELOPER-S",
         "AWS_SESSION_TOKEN": "REAL-DEVELOPER-T", "AWS_PROFILE": "REAL-DEVELOPER-P"}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state = tmp_path_factory.mktemp("state")
    emu = EmulatorProcess(ESCAPE, "--in-memory", "--state-dir", str(state), env=SHELL).start()
    yield emu
    emu.stop()


def developer(emu: EmulatorProcess, service: str) -> Any:
    """A client of the developer's own: the key the emulator keeps in the state folder."""
    return emu.aws_client(service, region_name="eu-central-1")


ATTEMPTS = [
    ("own-key-allowed", "OK"),  # what the role allows still works
    ("own-key-transact-allowed", "OK"),  # a transaction item is checked as PutItem
    ("other-key", "UnrecognizedClientException"),
    ("emulator-key", "InvalidSignatureException"),
    ("developer-key", "InvalidSignatureException"),
    ("unsigned", "MissingAuthenticationTokenException"),
    ("transact-extra-key", "AccessDeniedException"),
    ("transact-two-tables", "AccessDeniedException"),
    ("partiql", "AccessDeniedException"),
    ("batch", "AccessDeniedException"),
    ("invoke-other-key", "UnrecognizedClientException"),
    ("invoke-unsigned", "MissingAuthenticationTokenException"),
    ("invoke-own-key", "AccessDeniedException"),
]


@pytest.mark.parametrize(("how", "code"), ATTEMPTS, ids=[a[0] for a in ATTEMPTS])
def test_a_handler_cannot_reach_a_table_outside_its_role(emulator: EmulatorProcess, how: str,
                                                         code: str) -> None:
    reply = emulator.request("POST", f"/attack/{how}")
    assert reply.status == 200, emulator.log[-3000:]
    assert reply.json() == {"code": code}
    dynamodb = developer(emulator, "dynamodb")
    assert dynamodb.scan(TableName="escape-dev-secret")["Items"] == []


def test_the_invoke_api_refuses_an_unsigned_caller_with_a_forged_authorizer(
        emulator: EmulatorProcess) -> None:
    forged = {"requestContext": {"authorizer": {"principalId": "admin"}}}
    path = "/2015-03-31/functions/escape-dev-protected/invocations"
    status, error = _post(emulator.base_url.rsplit("/", 1)[0] + path, forged)
    assert (status, error) == (403, "MissingAuthenticationTokenException")


def _post(url: str, body: object) -> tuple[int, str]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST")
    try:
        with urllib.request.urlopen(request) as reply:
            return reply.status, ""
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("x-amzn-ErrorType", "")


def test_the_developers_key_invokes(emulator: EmulatorProcess) -> None:
    client = developer(emulator, "lambda")
    reply = client.invoke(FunctionName="escape-dev-protected",
                          Payload=json.dumps({"requestContext": {"authorizer": {
                              "principalId": "me"}}}))
    assert json.loads(reply["Payload"].read()) == {"principal": "me"}


def test_no_process_a_handler_can_read_holds_the_developers_aws_keys(
        emulator: EmulatorProcess) -> None:
    reply = emulator.request("GET", "/environ")
    assert reply.status == 200, emulator.log[-3000:]
    assert reply.json()["found"] == {}


def test_the_console_says_where_the_developers_key_is(emulator: EmulatorProcess) -> None:
    emulator.wait_for(r"AWS calls: signed keys only; yours: AWS_SHARED_CREDENTIALS_FILE=.*"
                      r"credentials")
