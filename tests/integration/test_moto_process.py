"""The embedded moto process: HTTP/1.1 keep-alive, DynamoDB and other services on one port."""

from __future__ import annotations

import http.client
import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import boto3
import pytest

from emulator.aws.moto_process import MotoSettings
from emulator.aws.moto_server import MotoServer

SIGNED = ("AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/{service}/aws4_request, "
          "SignedHeaders=host, Signature=0")
TABLE = {"TableName": "kept", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
         "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
         "BillingMode": "PAY_PER_REQUEST"}


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    server = MotoServer.start(settings=MotoSettings(tables=({"CreateTable": TABLE},)))
    try:
        yield server
    finally:
        server.stop()


def _dynamodb(connection: http.client.HTTPConnection, operation: str, body: object
              ) -> tuple[http.client.HTTPResponse, dict[str, object]]:
    connection.request("POST", "/", body=json.dumps(body), headers={
        "Authorization": SIGNED.format(service="dynamodb"),
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": f"DynamoDB_20120810.{operation}"})
    reply = connection.getresponse()
    return reply, json.loads(reply.read())


def test_many_calls_share_one_connection(moto: MotoServer) -> None:
    # GIVEN one HTTP/1.1 connection to moto
    connection = http.client.HTTPConnection(urlsplit(moto.endpoint).netloc, timeout=10)
    connection.connect()
    sock = connection.sock
    try:
        # WHEN a handler-like client makes several DynamoDB calls on it
        for i in range(5):
            reply, body = _dynamodb(connection, "PutItem",
                                    {"TableName": "kept", "Item": {"id": {"S": f"i{i}"}}})
            # THEN each is answered without closing the connection
            assert reply.status == 200, body
            assert (reply.getheader("Connection") or "").lower() != "close"
            assert connection.sock is sock
        reply, body = _dynamodb(connection, "Scan", {"TableName": "kept"})
        assert body["Count"] == 5
    finally:
        connection.close()


def test_dynamodb_errors_keep_dynamodbs_shape(moto: MotoServer) -> None:
    connection = http.client.HTTPConnection(urlsplit(moto.endpoint).netloc, timeout=10)
    try:
        reply, body = _dynamodb(connection, "GetItem",
                                {"TableName": "no-such-table", "Key": {"id": {"S": "x"}}})
        assert reply.status == 400
        assert str(body["__type"]).endswith("#ResourceNotFoundException")
    finally:
        connection.close()


def test_other_services_are_served_on_the_same_port(moto: MotoServer) -> None:
    # The DynamoDB shortcut must not take other services' calls (STS answers the account id).
    sts = boto3.client("sts", endpoint_url=moto.endpoint, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    assert sts.get_caller_identity()["Account"] == "123456789012"
    streams = boto3.client("dynamodbstreams", endpoint_url=moto.endpoint,
                           region_name="us-east-1", aws_access_key_id="testing",
                           aws_secret_access_key="testing")
    assert streams.list_streams()["Streams"] == []


def test_stopping_before_moto_serves_is_not_reported_as_an_error(
        caplog: pytest.LogCaptureFixture) -> None:
    # GIVEN moto just spawned (it takes a few hundred ms to import)
    server = MotoServer.spawn()
    server.configure(MotoSettings())
    # WHEN the emulator stops at once (Ctrl-C right after start)
    with caplog.at_level(logging.INFO):
        server.stop()
        time.sleep(0.2)  # the thread watching moto's start sees EOF
    # THEN no "moto did not start" error is logged
    assert not server.ready.is_set()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
