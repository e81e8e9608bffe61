"""Local endpoints for SDKs older than botocore 1.31 (emulator/runtime/sdk_endpoints.py), on the
real botocore Session class (the version check is what decides whether it is patched)."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest

from emulator.runtime import sdk_endpoints

ENV = {"AWS_ENDPOINT_URL": "http://127.0.0.1:1001",
       "AWS_ENDPOINT_URL_SQS": "http://127.0.0.1:1002",
       "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": "http://127.0.0.1:1003"}


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Any:
    for name in ENV:  # only the patch may supply them (a new botocore reads the real ones)
        monkeypatch.delenv(name, raising=False)

    class Session(botocore.session.Session):
        pass

    sdk_endpoints.patch_session_class(Session, ENV)
    return Session()


def client(session: Any, service: str, *args: Any, **kwargs: Any) -> Any:
    return session.create_client(service, "us-east-1", *args, aws_access_key_id="k",
                                 aws_secret_access_key="s", **kwargs)


@pytest.mark.parametrize(("service", "endpoint"), [
    ("sqs", "http://127.0.0.1:1002"),  # its own variable
    ("cognito-idp", "http://127.0.0.1:1003"),  # by service id, as botocore names it
    ("dynamodb", "http://127.0.0.1:1001"),  # the general one
])
def test_a_client_without_endpoint_url_gets_the_environments(
        session: Any, service: str, endpoint: str) -> None:
    assert client(session, service).meta.endpoint_url == endpoint


def test_an_explicit_endpoint_url_wins_by_keyword_or_position(session: Any) -> None:
    assert client(session, "sqs", endpoint_url="http://h:1").meta.endpoint_url == "http://h:1"
    positional = session.create_client("sqs", "us-east-1", None, True, None, "http://h:2",
                                       "k", "s")
    assert positional.meta.endpoint_url == "http://h:2"


@pytest.mark.parametrize(("version", "old"), [
    ("1.29.165", True), ("1.30.9", True), ("1.31.0", False), ("1.42.97", False),
    ("weird", False)])
def test_only_versions_that_do_not_read_the_environment_are_patched(
        version: str, old: bool) -> None:
    assert (sdk_endpoints.version_tuple(version) < sdk_endpoints.READS_ENVIRONMENT) is old
