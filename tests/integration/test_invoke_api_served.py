"""The Lambda Invoke API of the real emulator process, called with boto3's lambda client."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.integration.emulator_harness import REPO, EmulatorProcess

HTTPAPI = REPO / "tests" / "fixtures" / "services" / "httpapi" / "serverless.yml"
ARN = "arn:aws:lambda:us-east-1:123456789012:function:httpapi-dev-{}"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    state = tmp_path_factory.mktemp("state")
    process = EmulatorProcess(HTTPAPI, "--no-reload", "--state-dir", str(state)).start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="module")
def client(emulator: EmulatorProcess) -> Any:
    return emulator.aws_client("lambda", config=Config(retries={"max_attempts": 0}))


def payload(reply: dict[str, Any]) -> Any:
    return json.loads(reply["Payload"].read())


@pytest.mark.parametrize("name", ["httpapi-dev-printer", ARN.format("printer"),
                                  "123456789012:function:httpapi-dev-printer",
                                  ARN.format("printer") + ":$LATEST"])
def test_request_response_by_name_or_arn(client: Any, name: str) -> None:
    reply = client.invoke(FunctionName=name, Payload=json.dumps({"lines": 1}).encode())
    assert reply["StatusCode"] == 200
    assert reply["ExecutedVersion"] == "$LATEST"
    assert "FunctionError" not in reply
    assert payload(reply) == {"printed": 1}


def test_unhandled_error_is_200_with_the_error_payload(client: Any) -> None:
    reply = client.invoke(FunctionName="httpapi-dev-printer",
                          Payload=json.dumps({"fail": True}).encode())
    assert (reply["StatusCode"], reply["FunctionError"]) == (200, "Unhandled")
    error = payload(reply)
    assert (error["errorType"], error["errorMessage"]) == ("RuntimeError", "printer failed")


def test_log_tail_returns_the_invocation_log(client: Any) -> None:
    reply = client.invoke(FunctionName="httpapi-dev-printer", LogType="Tail",
                          Payload=json.dumps({"lines": 3}).encode())
    tail = base64.b64decode(reply["LogResult"]).decode()
    lines = tail.splitlines()
    assert lines[0].startswith("START RequestId: ")
    assert lines[1:4] == ["line 0", "line 1", "line 2"]
    assert lines[4].startswith("END RequestId: ")
    assert lines[5].startswith("REPORT RequestId: ")


def test_log_tail_keeps_the_last_4_kb(client: Any) -> None:
    reply = client.invoke(FunctionName="httpapi-dev-printer", LogType="Tail",
                          Payload=json.dumps({"lines": 600}).encode())
    tail = base64.b64decode(reply["LogResult"])
    assert len(tail) == 4096
    assert b"line 599\n" in tail and b"line 0\n" not in tail


def test_event_is_202_and_dry_run_204(client: Any) -> None:
    event = client.invoke(FunctionName="httpapi-dev-printer", InvocationType="Event")
    assert (event["StatusCode"], event["Payload"].read()) == (202, b"")
    dry = client.invoke(FunctionName="httpapi-dev-printer", InvocationType="DryRun")
    assert dry["StatusCode"] == 204


def test_unknown_function_is_resource_not_found(client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.invoke(FunctionName="nope")
    error = caught.value.response
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"] == (
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope")


def test_bad_json_payload_is_invalid_request_content(client: Any) -> None:
    with pytest.raises(ClientError) as caught:
        client.invoke(FunctionName="httpapi-dev-printer", Payload=b"{not json")
    assert caught.value.response["Error"]["Code"] == "InvalidRequestContentException"


def test_a_function_invokes_another_through_the_emulator(client: Any,
                                                         emulator: EmulatorProcess) -> None:
    reply = payload(client.invoke(FunctionName="httpapi-dev-chain",
                                  Payload=json.dumps({"target": "httpapi-dev-echo"}).encode()))
    assert reply["status"] == 200
    assert reply["payload"] == {"from": "chain"}
    assert reply["endpoint"] == emulator.base_url.rsplit("/", 1)[0]


def test_the_role_must_allow_invoking_the_target(client: Any, emulator: EmulatorProcess
                                                 ) -> None:
    reply = client.invoke(FunctionName="httpapi-dev-chain",
                          Payload=json.dumps({"target": "httpapi-dev-printer"}).encode())
    assert reply["FunctionError"] == "Unhandled"
    error = payload(reply)
    assert error["errorType"] == "ClientError"
    assert "AccessDeniedException" in error["errorMessage"]
    assert ("is not authorized to perform: lambda:InvokeFunction on resource: "
            + ARN.format("printer")) in error["errorMessage"]
    emulator.wait_for("IAM: lambda:InvokeFunction denied to httpapi-dev-chain")


def run_invoke(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "emulator", "invoke", "--config",
                           str(HTTPAPI), *args], capture_output=True, text=True, timeout=120,
                          cwd=REPO, check=False)


def test_cli_invoke_uses_the_running_emulator(emulator: EmulatorProcess) -> None:
    port = emulator.base_url.rsplit(":", 1)[1].split("/")[0]
    # It signs with the developer's key from the running emulator's state folder.
    files = re.search(r"AWS_SHARED_CREDENTIALS_FILE=(\S+)", emulator.log)
    assert files is not None
    state = ("--state-dir", str(Path(files.group(1)).parent))
    elsewhere = run_invoke("printer", "--port", port, "--data", "{}", "--state-dir",
                           str(Path(files.group(1)).parent / "elsewhere"))
    assert elsewhere.returncode == 1
    assert "pass the running emulator's --state-dir" in elsewhere.stderr
    done = run_invoke("printer", "--port", port, "--data", '{"lines": 2}', *state)
    assert (done.returncode, json.loads(done.stdout)) == (0, {"printed": 2}), done.stderr
    assert "line 1" in done.stderr and "REPORT RequestId" in done.stderr
    emulator.wait_for(r"POST /2015-03-31/functions/httpapi-dev-printer/invocations 200")
    failed = run_invoke("printer", "--port", port, "--data", '{"fail": true}', *state)
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["errorType"] == "RuntimeError"
