"""The role statements of serverless.yml enforced on the functions' DynamoDB calls, end to end."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from emulator_harness import REPO, REVIEW_API, EmulatorProcess

from emulator.aws.moto_server import MotoServer
from emulator.aws.tables import access_key_for, iam_settings, moto_settings
from emulator.config.loader import load_service

pytestmark = pytest.mark.integration

MISSING_DELETE = REPO / "tests" / "fixtures" / "services" / "iam-missing-delete" / "serverless.yml"
DENIED = "IAM: dynamodb:DeleteItem denied to"
RAISED = "ClientError: An error occurred (AccessDeniedException) when calling the DeleteItem"


@pytest.fixture
def emulators() -> Iterator[list[EmulatorProcess]]:
    started: list[EmulatorProcess] = []
    yield started
    for emu in started:
        emu.stop()


def start(emulators: list[EmulatorProcess], config: Path, *args: str) -> EmulatorProcess:
    emu = EmulatorProcess(config, "--in-memory", *args).start()
    emulators.append(emu)
    return emu


def test_review_api_passes_every_route_under_its_own_role(
        emulators: list[EmulatorProcess]) -> None:
    emu = start(emulators, REVIEW_API)
    created = emu.request("POST", "/reviews", user="alice", body={"review": "Fine"})
    assert created.status == 201, created.body
    path = f"/reviews/{created.json()['id']}"
    assert emu.request("GET", "/reviews").status == 200
    assert emu.request("GET", path).status == 200
    assert emu.request("PUT", path, user="alice", body={"review": "Better"}).status == 200
    assert emu.request("DELETE", path, user="alice").status == 204
    assert emu.request("GET", path).status == 404
    assert "IAM:" not in emu.log


def test_missing_delete_permission_fails_the_delete_and_keeps_the_item(
        emulators: list[EmulatorProcess]) -> None:
    # GIVEN a role with PutItem and GetItem only, and a handler that lets errors escape
    emu = start(emulators, MISSING_DELETE)
    assert emu.request("PUT", "/items/a", body="kept").status == 204
    # WHEN its DELETE runs
    reply = emu.request("DELETE", "/items/a")
    # THEN DynamoDB refused it as AWS would: the handler raised, API Gateway answered 502
    assert (reply.status, reply.json()) == (502, {"message": "Internal server error"})
    assert emu.request("GET", "/items/a").json() == {"id": "a", "body": "kept"}
    emu.wait_for(re.escape(RAISED))
    denial = emu.wait_for(DENIED)
    assert "arn:aws:dynamodb:eu-central-1:123456789012:table/iam-fixture-dev-items" in denial
    assert (
        "User: arn:aws:sts::123456789012:assumed-role/iam-fixture-dev-eu-central-1-lambdaRole/"
        "iam-fixture-dev-delete is not authorized to perform: dynamodb:DeleteItem" in emu.log)
    emu.wait_for(r'\[0\] \{"Action": \["dynamodb:PutItem", "dynamodb:GetItem"\]')
    emu.wait_for("fix: add dynamodb:DeleteItem to provider.iam.role.statements")


def test_no_iam_lets_the_same_delete_through(emulators: list[EmulatorProcess]) -> None:
    emu = start(emulators, MISSING_DELETE, "--no-iam")
    assert emu.request("PUT", "/items/a", body="gone").status == 204
    assert emu.request("DELETE", "/items/a").status == 204
    assert emu.request("GET", "/items/a").status == 404
    assert "IAM:" not in emu.log


def test_review_apis_own_handlers_answer_500_when_delete_is_not_allowed(
        emulators: list[EmulatorProcess], tmp_path: Path) -> None:
    # GIVEN review-api itself, with dynamodb:DeleteItem taken out of its role
    shutil.copytree(REPO / "api", tmp_path / "api",
                    ignore=shutil.ignore_patterns("__pycache__"))
    line = "            - dynamodb:DeleteItem\n"
    text = REVIEW_API.read_text()
    assert line in text
    (tmp_path / "serverless.yml").write_text(text.replace(line, ""))
    emu = start(emulators, tmp_path / "serverless.yml")
    created = emu.request("POST", "/reviews", user="alice", body={"review": "Stays"})
    path = f"/reviews/{created.json()['id']}"
    # WHEN it deletes THEN its own error handling answers 500, and the review is still there
    reply = emu.request("DELETE", path, user="alice")
    assert (reply.status, reply.json()) == (500, {"message": "Internal server error"})
    assert emu.request("GET", path).json()["review"] == "Stays"
    emu.wait_for(DENIED)


def test_the_developers_key_is_not_subject_to_the_role(
        emulators: list[EmulatorProcess]) -> None:
    # The developer's own client (the state folder's key) against the printed endpoint: a
    # developer's credentials are not the functions' role. Any other key is refused.
    emu = start(emulators, MISSING_DELETE)
    client = emu.aws_client("dynamodb", region_name="eu-central-1")
    try:
        client.put_item(TableName="iam-fixture-dev-items", Item={"id": {"S": "b"}})
        client.delete_item(TableName="iam-fixture-dev-items", Key={"id": {"S": "b"}})
        assert "Item" not in client.get_item(TableName="iam-fixture-dev-items",
                                             Key={"id": {"S": "b"}})
    finally:
        client.close()  # no socket left for the garbage collector to warn about


def test_a_changed_role_applies_without_a_restart() -> None:
    # GIVEN moto started for the fixture service, and a client signing as its delete function
    service = load_service(MISSING_DELETE, env={})
    moto = MotoServer.start(settings=moto_settings(
        service, enforce_iam=True, state_file=None, seed_file=None, serve_dynamodb=True,
        verbose=False))
    try:
        function = service.functions["delete"]
        client = boto3.client("dynamodb", endpoint_url=moto.endpoint, region_name=service.region,
                              aws_access_key_id=access_key_for(function),
                              aws_secret_access_key="x")
        key = {"id": {"S": "a"}}
        with pytest.raises(ClientError) as denied:
            client.delete_item(TableName="iam-fixture-dev-items", Key=key)
        assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
        # WHEN serverless.yml gains dynamodb:DeleteItem THEN the same call goes through
        statements = ({**service.iam_statements[0], "Action": ["dynamodb:DeleteItem"]},)
        moto.update_iam(replace(iam_settings(service), statements=statements))
        client.delete_item(TableName="iam-fixture-dev-items", Key=key)
    finally:
        moto.stop()
