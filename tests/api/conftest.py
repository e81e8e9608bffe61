"""Fixtures for the handler tests: moto's mock_aws, real-shaped REST proxy events, and a
recording of every DynamoDB operation the handlers call (compared with serverless.yml's IAM
statements by test_api_iam_actions.py, which runs after every other test).
"""

from __future__ import annotations

import copy
import itertools
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
# Lambda puts the task root on sys.path; so do we, whatever pytest's import mode.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from api import reviews, store  # noqa: E402

SAMPLE_EVENT = Path(__file__).parent / "events" / "apigateway_rest_proxy.json"
_SAMPLE: dict[str, Any] = json.loads(SAMPLE_EVENT.read_text())
TABLE_PREFIX = "review-api-test"
REGION = "us-east-2"
STAGE = "dev"
COLLECTION, ITEM = "/reviews", "/reviews/{id}"
# The fixture that marks tests needing every handler test to have run before them.
AFTER_HANDLER_TESTS = "recording_after_handler_tests"
AUTHOR_INDEX = "byAuthor"


def claims(sub: str, name: str | None, username: str) -> dict[str, str]:
    """What a COGNITO_USER_POOLS authorizer hands on: an ID token's claims, all strings."""
    found = {"sub": sub, "email_verified": "true", "iss":
             "https://cognito-idp.us-east-2.amazonaws.com/us-east-2_example",
             "cognito:username": username, "aud": "3n4b5urk1ft4fl3mg5e62d9ado",
             "token_use": "id", "auth_time": "1796673488", "exp": "Mon Dec 07 21:58:08 UTC 2026",
             "iat": "Mon Dec 07 20:58:08 UTC 2026", "email": f"{username}@example.com"}
    return found if name is None else {**found, "name": name}


ALICE = claims("5c3e9a4d-1f2b-4c6d-8e7f-0a1b2c3d4e5f", "Alice Liddell", "alice")
BOB = claims("9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "Bob", "bob")
NAMELESS = claims("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", None, "carol")


@dataclass(slots=True)
class Recording:
    """DynamoDB operations seen on the handlers' boto3 session, and handlers invoked."""

    operations: set[str] = field(default_factory=set)
    handlers: set[str] = field(default_factory=set)

    def record(self, model: Any, **_: Any) -> None:
        """botocore `before-call` handler."""
        self.operations.add(str(model.name))


@dataclass(frozen=True, slots=True)
class LambdaContext:
    """The attributes of Lambda's Python context object that matter here."""

    function_name: str
    aws_request_id: str = "8f5e2b1c-0d7a-4c2e-9b1a-3f6d5e4c2b1a"
    function_version: str = "$LATEST"
    memory_limit_in_mb: str = "256"


@dataclass(frozen=True, slots=True)
class Reply:
    """A handler's proxy result, checked for the shape API Gateway requires."""

    status: int
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        """Decode the body."""
        return json.loads(self.body)


def build_event(
    method: str,
    resource: str,
    path: str,
    *,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    body: str | None = None,
    base64_body: bool = False,
    caller: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Copy AWS's sample REST proxy event and set the request's own values; `caller`: the
    claims a Cognito authorizer verified (requestContext.authorizer.claims)."""
    event: dict[str, Any] = copy.deepcopy(_SAMPLE)
    event.update(
        resource=resource,
        path=path,
        httpMethod=method,
        pathParameters=path_params,
        body=body,
        isBase64Encoded=base64_body,
    )
    # API Gateway sends null, not {}, when there is no query string.
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = (
        None if query is None else {k: [v] for k, v in query.items()}
    )
    if body is not None:
        event["headers"]["Content-Type"] = "application/json"
        event["multiValueHeaders"]["Content-Type"] = ["application/json"]
    event["requestContext"].update(httpMethod=method, resourcePath=resource, path=f"/{STAGE}{path}")
    if caller is not None:
        event["requestContext"]["authorizer"] = {"claims": dict(caller)}
    return event


def check_proxy_result(result: Any) -> Reply:
    """Assert what every reply must be: a valid proxy result with CORS, JSON when a body."""
    assert isinstance(result, dict)
    assert isinstance(result["statusCode"], int)
    assert isinstance(result["body"], str)
    assert result.get("isBase64Encoded", False) is False
    headers = result["headers"]
    assert all(isinstance(v, str) for v in headers.values())
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in headers
    reply = Reply(result["statusCode"], headers, result["body"])
    if reply.body:
        assert headers["Content-Type"] == "application/json"
        reply.json()
    else:
        assert "Content-Type" not in headers
    if reply.status >= 400:
        message = reply.json()
        assert set(message) == {"message"} and isinstance(message["message"], str)
        assert message["message"]
    return reply


class ApiClient:
    """Calls the handlers the way API Gateway would, one real-shaped event per request."""

    def __init__(self, recording: Recording, caller: dict[str, str] | None = ALICE) -> None:
        self._recording = recording
        self.caller = caller

    def as_user(self, caller: dict[str, str] | None) -> ApiClient:
        """The same client, calling as another user (None: no verified claims)."""
        return ApiClient(self._recording, caller)

    def call(self, handler: str, event: dict[str, Any]) -> Reply:
        """Invoke `api.reviews.<handler>` and check its proxy result."""
        self._recording.handlers.add(handler)
        return check_proxy_result(getattr(reviews, handler)(event, LambdaContext(handler)))

    def create(self, body: str | None, *, base64_body: bool = False) -> Reply:
        """POST /reviews with a raw body."""
        return self.call(
            "create",
            build_event("POST", COLLECTION, COLLECTION, body=body, base64_body=base64_body,
                        caller=self.caller),
        )

    def list_reviews(self, query: dict[str, str] | None = None) -> Reply:
        """GET /reviews."""
        return self.call("list_reviews", build_event("GET", COLLECTION, COLLECTION, query=query))

    def get(self, review_id: str) -> Reply:
        """GET /reviews/{id}."""
        return self.call("get", self._item_event("GET", review_id))

    def update(self, review_id: str, body: str | None) -> Reply:
        """PUT /reviews/{id} with a raw body."""
        return self.call("update", self._item_event("PUT", review_id, body, self.caller))

    def delete(self, review_id: str) -> Reply:
        """DELETE /reviews/{id}."""
        return self.call("delete", self._item_event("DELETE", review_id, caller=self.caller))

    def new_review(self, **fields: Any) -> dict[str, Any]:
        """Create a review that must succeed and return it."""
        reply = self.create(json.dumps(fields))
        assert reply.status == 201, reply.body
        created: dict[str, Any] = reply.json()
        return created

    def list_all(self, limit: int, author: str | None = None) -> list[list[dict[str, Any]]]:
        """Follow nextToken to the end and return every page's items."""
        pages: list[list[dict[str, Any]]] = []
        first = {"limit": str(limit)} | ({} if author is None else {"author": author})
        query = first
        while True:
            reply = self.list_reviews(query)
            assert reply.status == 200, reply.body
            pages.append(reply.json()["items"])
            token = reply.json()["nextToken"]
            if token is None:
                return pages
            query = {**first, "nextToken": token}

    @staticmethod
    def _item_event(method: str, review_id: str, body: str | None = None,
                    caller: dict[str, str] | None = None) -> dict[str, Any]:
        return build_event(method, ITEM, f"/reviews/{review_id}", path_params={"id": review_id},
                           body=body, caller=caller)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests that read the recording after all others, whatever the file order."""
    last = [i for i in items if AFTER_HANDLER_TESTS in getattr(i, "fixturenames", ())]
    items[:] = [i for i in items if i not in last] + last


@pytest.fixture(scope="session")
def recording() -> Recording:
    """What the handlers did during this test session."""
    return Recording()


@pytest.fixture(scope="session")
def handler_session(recording: Recording) -> boto3.session.Session:
    """The boto3 default session the handlers use, with the recorder on its events."""
    session = boto3.session.Session()
    # Clients copy the session's event hooks when created; store.reset() makes the handlers
    # create theirs during each test, after this registration.
    session.events.register("before-call.dynamodb", recording.record)
    return session


@pytest.fixture(scope="session")
def test_side_session() -> boto3.session.Session:
    """A separate session for the tests' own calls, so they are not recorded."""
    return boto3.session.Session()


@pytest.fixture(scope="session")
def table_names() -> Iterator[str]:
    """A new table name for each test: cheaper than emptying or deleting a table."""
    return (f"{TABLE_PREFIX}-{n}" for n in itertools.count(1))


@pytest.fixture(scope="module")
def moto_mock(test_side_session: boto3.session.Session) -> Iterator[Any]:
    """moto's mock_aws, once per module (starting it costs ~40 ms), with fake credentials and
    no real profile or endpoint; yields a DynamoDB resource for the tests' own calls."""
    with pytest.MonkeyPatch.context() as patch:
        for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"):
            patch.delenv(name, raising=False)
        missing = str(ROOT / ".no-such-aws-config")
        patch.setenv("AWS_CONFIG_FILE", missing)
        patch.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            patch.setenv(name, "testing")
        patch.setenv("AWS_DEFAULT_REGION", REGION)
        patch.setenv("AWS_REGION", REGION)
        with mock_aws():
            yield test_side_session.resource("dynamodb")


@pytest.fixture
def aws_env(moto_mock: Any, monkeypatch: pytest.MonkeyPatch, table_names: Iterator[str]) -> str:
    """The Lambda function's environment: a new table name for each test."""
    table_name = next(table_names)
    monkeypatch.setenv("DYNAMODB_TABLE", table_name)
    monkeypatch.setenv("DYNAMODB_AUTHOR_INDEX", AUTHOR_INDEX)
    return table_name


@pytest.fixture
def aws(aws_env: str, moto_mock: Any, handler_session: boto3.session.Session) -> Iterator[str]:
    """A new, empty reviews table in moto (keys and index as serverless.yml declares them), and
    a fresh handler module state."""
    moto_mock.meta.client.create_table(
        TableName=aws_env,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": name, "AttributeType": "S"}
                              for name in ("id", "authorId", "createdAt")],
        GlobalSecondaryIndexes=[{
            "IndexName": AUTHOR_INDEX, "Projection": {"ProjectionType": "ALL"},
            "KeySchema": [{"AttributeName": "authorId", "KeyType": "HASH"},
                          {"AttributeName": "createdAt", "KeyType": "RANGE"}]}],
        BillingMode="PAY_PER_REQUEST",
    )
    # mock_aws swaps boto3.DEFAULT_SESSION out while active and restores it when it stops;
    # this test's handlers get the recorded session, the next test's get it again.
    previous, boto3.DEFAULT_SESSION = boto3.DEFAULT_SESSION, handler_session
    store.reset()
    try:
        yield aws_env
    finally:
        store.reset()
        boto3.DEFAULT_SESSION = previous


@pytest.fixture
def table(aws: str, moto_mock: Any) -> Any:
    """The reviews table, for the tests' own reads and writes (not recorded)."""
    return moto_mock.Table(aws)


@pytest.fixture
def api(aws: str, recording: Recording) -> ApiClient:
    """A client that invokes the handlers with real-shaped events."""
    return ApiClient(recording)


@pytest.fixture
def recording_after_handler_tests(recording: Recording) -> Recording:
    """The recording, for tests that pytest_collection_modifyitems moves to the end."""
    return recording
