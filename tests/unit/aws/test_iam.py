"""IAM as AWS evaluates it: statements x (action, resource) -> decision; requests -> checks."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterable
from typing import Any

import pytest

from emulator.aws.iam import (
    Check,
    Decision,
    IamMiddleware,
    IamSettings,
    Policy,
    denial_message,
    first_denial,
    policy_warnings,
)
from emulator.aws.iam_requests import dynamodb_checks

REGION, ACCOUNT = "us-east-2", "123456789012"
TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/review-api-dev"
OTHER = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/audit-dev"
INDEX = f"{TABLE}/index/byName"
ALLOWED, IMPLICIT, EXPLICIT = Decision.ALLOWED, Decision.IMPLICIT_DENY, Decision.EXPLICIT_DENY
CONDITION = {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}


def allow(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


EVERYTHING = allow("dynamodb:*", "*")

DECISIONS: list[tuple[str, list[dict[str, Any]], str, str, Decision]] = [
    ("exact action and table", [allow("dynamodb:PutItem", TABLE)], "dynamodb:PutItem", TABLE,
     ALLOWED),
    ("no statement", [], "dynamodb:PutItem", TABLE, IMPLICIT),
    ("another action", [allow("dynamodb:PutItem", TABLE)], "dynamodb:DeleteItem", TABLE,
     IMPLICIT),
    ("another table", [allow("dynamodb:PutItem", TABLE)], "dynamodb:PutItem", OTHER, IMPLICIT),
    ("action list", [allow(["dynamodb:GetItem", "dynamodb:PutItem"], [OTHER, TABLE])],
     "dynamodb:PutItem", TABLE, ALLOWED),
    ("service wildcard", [allow("dynamodb:*", TABLE)], "dynamodb:DeleteItem", TABLE, ALLOWED),
    ("star action", [allow("*", "*")], "dynamodb:DeleteItem", TABLE, ALLOWED),
    ("prefix wildcard", [allow("dynamodb:Get*", TABLE)], "dynamodb:GetItem", TABLE, ALLOWED),
    ("prefix wildcard, other action", [allow("dynamodb:Get*", TABLE)], "dynamodb:PutItem",
     TABLE, IMPLICIT),
    ("? is one character", [allow("dynamodb:?etItem", TABLE)], "dynamodb:GetItem", TABLE,
     ALLOWED),
    ("? is exactly one character", [allow("dynamodb:?GetItem", TABLE)], "dynamodb:GetItem",
     TABLE, IMPLICIT),
    ("action names ignore case", [allow("DynamoDB:putitem", TABLE)], "dynamodb:PutItem", TABLE,
     ALLOWED),
    ("ARNs are case-sensitive", [allow("dynamodb:PutItem", TABLE.upper())], "dynamodb:PutItem",
     TABLE, IMPLICIT),
    ("table name wildcard", [allow("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/review-api-*")],
     "dynamodb:PutItem", TABLE, ALLOWED),
    ("table name wildcard, other table",
     [allow("dynamodb:PutItem", "arn:aws:dynamodb:*:*:table/review-api-*")], "dynamodb:PutItem",
     OTHER, IMPLICIT),
    ("a dot is a dot", [allow("dynamodb:PutItem", f"{TABLE[:-4]}.dev")], "dynamodb:PutItem",
     TABLE, IMPLICIT),
    ("a table does not cover its index", [allow("dynamodb:Query", TABLE)], "dynamodb:Query",
     INDEX, IMPLICIT),
    ("index wildcard", [allow("dynamodb:Query", f"{TABLE}/index/*")], "dynamodb:Query", INDEX,
     ALLOWED),
    ("index wildcard does not cover the table", [allow("dynamodb:Query", f"{TABLE}/index/*")],
     "dynamodb:Query", TABLE, IMPLICIT),
    ("table* covers its indexes", [allow("dynamodb:Query", f"{TABLE}*")], "dynamodb:Query",
     INDEX, ALLOWED),
    ("explicit deny wins", [EVERYTHING, deny("dynamodb:DeleteItem", TABLE)],
     "dynamodb:DeleteItem", TABLE, EXPLICIT),
    ("deny first, allow after: deny wins", [deny("dynamodb:DeleteItem", TABLE), EVERYTHING],
     "dynamodb:DeleteItem", TABLE, EXPLICIT),
    ("deny of another table", [EVERYTHING, deny("dynamodb:DeleteItem", OTHER)],
     "dynamodb:DeleteItem", TABLE, ALLOWED),
    ("deny alone is still a deny", [deny("dynamodb:DeleteItem", TABLE)], "dynamodb:DeleteItem",
     TABLE, EXPLICIT),
    ("NotAction allows the rest", [{"Effect": "Allow", "NotAction": "dynamodb:DeleteItem",
                                    "Resource": TABLE}], "dynamodb:PutItem", TABLE, ALLOWED),
    ("NotAction excludes its actions", [{"Effect": "Allow", "NotAction": "dynamodb:DeleteItem",
                                         "Resource": TABLE}], "dynamodb:DeleteItem", TABLE,
     IMPLICIT),
    ("Deny NotAction denies the rest", [EVERYTHING, {"Effect": "Deny",
                                                      "NotAction": ["dynamodb:Get*"],
                                                      "Resource": "*"}],
     "dynamodb:PutItem", TABLE, EXPLICIT),
    ("Deny NotAction spares its actions", [EVERYTHING, {"Effect": "Deny",
                                                         "NotAction": ["dynamodb:Get*"],
                                                         "Resource": "*"}],
     "dynamodb:GetItem", TABLE, ALLOWED),
    ("NotResource allows the rest", [{"Effect": "Allow", "Action": "dynamodb:*",
                                      "NotResource": OTHER}], "dynamodb:PutItem", TABLE, ALLOWED),
    ("NotResource excludes its resources", [{"Effect": "Allow", "Action": "dynamodb:*",
                                             "NotResource": OTHER}], "dynamodb:PutItem", OTHER,
     IMPLICIT),
    ("Deny NotResource denies elsewhere", [EVERYTHING, {"Effect": "Deny", "Action": "dynamodb:*",
                                                        "NotResource": [TABLE]}],
     "dynamodb:PutItem", OTHER, EXPLICIT),
    ("Deny NotResource spares its resources", [EVERYTHING, {"Effect": "Deny",
                                                            "Action": "dynamodb:*",
                                                            "NotResource": [TABLE]}],
     "dynamodb:PutItem", TABLE, ALLOWED),
    ("Allow with a Condition counts as met",
     [allow("dynamodb:PutItem", TABLE, Condition=CONDITION)], "dynamodb:PutItem", TABLE, ALLOWED),
    ("Deny with a Condition never denies",
     [EVERYTHING, deny("dynamodb:PutItem", TABLE, Condition=CONDITION)], "dynamodb:PutItem",
     TABLE, ALLOWED),
    ("an unresolved value in an Allow matches",
     [allow("dynamodb:PutItem", {"Fn::ImportValue": "x"})], "dynamodb:PutItem", TABLE, ALLOWED),
    ("an unresolved value in a Deny matches nothing",
     [EVERYTHING, deny("dynamodb:PutItem", {"Fn::ImportValue": "x"})], "dynamodb:PutItem", TABLE,
     ALLOWED),
    ("an Effect that is neither Allow nor Deny is ignored",
     [{"Effect": "Permit", "Action": "*", "Resource": "*"}], "dynamodb:PutItem", TABLE, IMPLICIT),
    ("empty Resource list matches nothing", [allow("dynamodb:PutItem", [])], "dynamodb:PutItem",
     TABLE, IMPLICIT),
    ("listing has resource *", [allow("dynamodb:ListTables", "*")], "dynamodb:ListTables", "*",
     ALLOWED),
    ("a table ARN does not grant resource *", [allow("dynamodb:ListTables", TABLE)],
     "dynamodb:ListTables", "*", IMPLICIT),
]


@pytest.mark.parametrize(("statements", "action", "resource", "expected"),
                         [case[1:] for case in DECISIONS], ids=[case[0] for case in DECISIONS])
def test_policy_decides_like_aws(statements: list[dict[str, Any]], action: str, resource: str,
                                 expected: Decision) -> None:
    assert Policy(statements).evaluate(Check(action, resource)).decision is expected


def test_explicit_deny_names_the_deny_statement() -> None:
    verdict = Policy([EVERYTHING, deny("dynamodb:*", TABLE)]).evaluate(
        Check("dynamodb:GetItem", TABLE))
    assert (verdict.decision, verdict.statement) == (EXPLICIT, 1)


def batch(*tables: str) -> dict[str, Any]:
    return {"RequestItems": {t: [{"PutRequest": {"Item": {"id": {"S": "1"}}}}] for t in tables}}


REQUESTS: list[tuple[str, str, dict[str, Any], list[Check]]] = [
    ("item call", "PutItem", {"TableName": "review-api-dev"},
     [Check("dynamodb:PutItem", TABLE)]),
    ("table given as ARN", "GetItem", {"TableName": TABLE}, [Check("dynamodb:GetItem", TABLE)]),
    ("query on an index", "Query", {"TableName": "review-api-dev", "IndexName": "byName"},
     [Check("dynamodb:Query", INDEX)]),
    ("scan of the table", "Scan", {"TableName": "review-api-dev"},
     [Check("dynamodb:Scan", TABLE)]),
    ("listing", "ListTables", {}, [Check("dynamodb:ListTables", "*")]),
    ("batch write over two tables", "BatchWriteItem", batch("review-api-dev", "audit-dev"),
     [Check("dynamodb:BatchWriteItem", TABLE), Check("dynamodb:BatchWriteItem", OTHER)]),
    ("batch get", "BatchGetItem", {"RequestItems": {"review-api-dev": {"Keys": []}}},
     [Check("dynamodb:BatchGetItem", TABLE)]),
    ("transaction: each item as its own action", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "review-api-dev"}}, {"Update": {"TableName": "audit-dev"}},
        {"Delete": {"TableName": "review-api-dev"}},
        {"ConditionCheck": {"TableName": "audit-dev"}}]},
     [Check("dynamodb:PutItem", TABLE), Check("dynamodb:UpdateItem", OTHER),
      Check("dynamodb:DeleteItem", TABLE), Check("dynamodb:ConditionCheckItem", OTHER)]),
    ("transactional get", "TransactGetItems",
     {"TransactItems": [{"Get": {"TableName": "review-api-dev"}}]},
     [Check("dynamodb:GetItem", TABLE)]),
    ("PartiQL select from an index", "ExecuteStatement",
     {"Statement": 'SELECT * FROM "review-api-dev"."byName" WHERE name = ?'},
     [Check("dynamodb:PartiQLSelect", INDEX)]),
    ("PartiQL batch", "BatchExecuteStatement", {"Statements": [
        {"Statement": 'INSERT INTO "review-api-dev" VALUE {\'id\': ?}'},
        {"Statement": 'delete from "audit-dev" where id = ?'}]},
     [Check("dynamodb:PartiQLInsert", TABLE), Check("dynamodb:PartiQLDelete", OTHER)]),
    ("tags by ARN", "TagResource", {"ResourceArn": TABLE, "Tags": []},
     [Check("dynamodb:TagResource", TABLE)]),
    ("transaction item with two keys: both tables", "TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "review-api-dev"}, "Update": {"TableName": "audit-dev"}}]},
     [Check("dynamodb:PutItem", TABLE), Check("dynamodb:UpdateItem", OTHER)]),
    ("restore to a point in time: source and target", "RestoreTableToPointInTime",
     {"SourceTableName": "review-api-dev", "TargetTableName": "audit-dev"},
     [Check("dynamodb:RestoreTableToPointInTime", TABLE),
      Check("dynamodb:RestoreTableToPointInTime", OTHER)]),
    ("PartiQL update", "ExecuteStatement",
     {"Statement": "UPDATE \"audit-dev\" SET a = 1 WHERE id = 'x'"},
     [Check("dynamodb:PartiQLUpdate", OTHER)]),
    ("stream by ARN", "DescribeStream", {"StreamArn": f"{TABLE}/stream/1"},
     [Check("dynamodb:DescribeStream", f"{TABLE}/stream/1")]),
]


@pytest.mark.parametrize(("operation", "body", "expected"), [r[1:] for r in REQUESTS],
                         ids=[r[0] for r in REQUESTS])
def test_request_needs_the_documented_checks(operation: str, body: dict[str, Any],
                                             expected: list[Check]) -> None:
    assert dynamodb_checks(operation, body, REGION, ACCOUNT) == expected


@pytest.mark.parametrize(("operation", "body"), [
    ("PutItem", None), ("BatchWriteItem", {"RequestItems": []}),
    ("TransactWriteItems", {"TransactItems": [{"Frobnicate": {}}]}),
    ("TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": "review-api-dev"}, "Update": None}]}),
    ("ExecuteStatement", {"Statement": "EXISTS(SELECT * FROM t)"}),
    ("ExecuteStatement", {"Statement": 'SELECT "a FROM reviews" FROM "audit-dev"'}),
    ("ExecuteStatement", {"Statement": "SELECT * FROM reviews, audit"}),
    ("ExecuteStatement", {"Statement": "SELECT x FROM reviews UNION SELECT y FROM audit"}),
    ("PutItem", {"Item": {}}),  # no table named
    ("GetRecords", {"ShardIterator": "x"}),  # reads a stream it does not name
    ("Frobnicate", {"TableName": "review-api-dev"}),  # not an operation moto serves
])
def test_request_that_cannot_be_told_gives_none(operation: str, body: Any) -> None:
    assert dynamodb_checks(operation, body, REGION, ACCOUNT) is None


def test_batch_write_is_denied_when_one_table_is_not_allowed() -> None:
    policy = Policy([allow("dynamodb:BatchWriteItem", TABLE)])
    checks = dynamodb_checks("BatchWriteItem", batch("review-api-dev", "audit-dev"), REGION,
                             ACCOUNT)
    assert checks is not None
    denial = first_denial(policy, checks)
    assert denial is not None
    assert denial[0] == Check("dynamodb:BatchWriteItem", OTHER)
    assert first_denial(policy, checks[:1]) is None


PRINCIPAL = "arn:aws:sts::123456789012:assumed-role/review-api-dev-us-east-2-lambdaRole/fn"


@pytest.mark.parametrize(("statements", "ending"), [
    ([], " because no identity-based policy allows the dynamodb:PutItem action"),
    ([deny("*")], " with an explicit deny in an identity-based policy"),
])
def test_denial_message_is_aws_wording(statements: list[dict[str, Any]], ending: str) -> None:
    check = Check("dynamodb:PutItem", TABLE)
    message = denial_message(PRINCIPAL, check, Policy(statements).evaluate(check))
    assert message == (f"User: {PRINCIPAL} is not authorized to perform: dynamodb:PutItem "
                       f"on resource: {TABLE}{ending}")


@pytest.mark.parametrize(("statement", "expected"), [
    (allow("dynamodb:PutItem", TABLE), []),
    (allow("dynamodb:PutItem", TABLE, Condition=CONDITION), ["counts as met"]),
    (deny("dynamodb:PutItem", TABLE, Condition=CONDITION), ["never denies"]),
    ({"Effect": "Allow", "Action": "dynamodb:PutItem"}, ["no Resource"]),
    ({"Effect": "allow", "Action": "*", "Resource": "*"}, ["Allow or Deny"]),
    (allow("dynamodb:PutItem", {"Fn::ImportValue": "x"}), ["not resolved"]),
])
def test_statements_not_evaluated_as_aws_would_are_named_once(
        statement: dict[str, Any], expected: list[str]) -> None:
    warnings = policy_warnings([statement])
    assert len(warnings) == len(expected)
    for warning, words in zip(warnings, expected, strict=True):
        assert warning.startswith("IAM statement [0]: ")
        assert words in warning


# --- the WSGI layer in front of moto -------------------------------------------------------

FUNCTION_KEY = "ASIAFUNCTIONKEY0001"
SETTINGS = IamSettings(ACCOUNT, REGION, "review-api-dev-us-east-2-lambdaRole",
                       (allow(["dynamodb:GetItem", "dynamodb:PutItem"], TABLE),),
                       {FUNCTION_KEY: "review-api-dev-get"})


def environ(key: str, operation: str, body: dict[str, Any], service: str = "dynamodb",
            target: str = "DynamoDB_20120810") -> dict[str, Any]:
    data = json.dumps(body).encode()
    return {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/", "CONTENT_LENGTH": str(len(data)),
        "wsgi.input": io.BytesIO(data), "HTTP_X_AMZ_TARGET": f"{target}.{operation}",
        "HTTP_AUTHORIZATION": f"AWS4-HMAC-SHA256 Credential={key}/20260101/{REGION}/{service}/"
                              "aws4_request, SignedHeaders=host, Signature=0",
    }


class Moto:
    """Stands in for moto's app: records the bodies it was given."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def __call__(self, env: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        self.bodies.append(env["wsgi.input"].read(int(env["CONTENT_LENGTH"])))
        start_response("200 OK", [])
        return [b"{}"]


def send(env: dict[str, Any]) -> tuple[Moto, str, dict[str, str], bytes]:
    moto = Moto()
    replies: list[tuple[str, list[tuple[str, str]]]] = []
    body = b"".join(IamMiddleware(moto, SETTINGS)(
        env, lambda status, headers: replies.append((status, headers))))
    return moto, replies[0][0], dict(replies[0][1]), body


def test_allowed_call_reaches_moto_with_its_body() -> None:
    moto, status, _, _ = send(environ(FUNCTION_KEY, "GetItem", {"TableName": "review-api-dev"}))
    assert status == "200 OK"
    assert json.loads(moto.bodies[0]) == {"TableName": "review-api-dev"}


def test_denied_call_is_dynamodbs_access_denied_and_never_reaches_moto(
        caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        moto, status, headers, body = send(
            environ(FUNCTION_KEY, "DeleteItem", {"TableName": "review-api-dev"}))
    assert moto.bodies == []
    assert status == "400 Bad Request"
    assert headers["Content-Type"] == "application/x-amz-json-1.0"
    reply = json.loads(body)
    assert reply["__type"] == "com.amazon.coral.service#AccessDeniedException"
    assert reply["Message"].startswith(
        "User: arn:aws:sts::123456789012:assumed-role/review-api-dev-us-east-2-lambdaRole/"
        "review-api-dev-get is not authorized to perform: dynamodb:DeleteItem")
    assert "fix: add dynamodb:DeleteItem to provider.iam.role.statements" in caplog.text


@pytest.mark.parametrize("env", [
    environ("SOMEONEELSE", "DeleteItem", {"TableName": "review-api-dev"}),  # emulator, CLI
    environ(FUNCTION_KEY, "Publish", {}, service="sns", target="SNS"),
], ids=["not a function's key", "another service"])
def test_calls_outside_the_roles_reach_pass_through(env: dict[str, Any]) -> None:
    moto, status, _, _ = send(env)
    assert status == "200 OK"
    assert len(moto.bodies) == 1


TRANSACTION_WITH_AN_EXTRA_KEY = {"TransactItems": [{
    "Put": {"TableName": "review-api-dev", "Item": {"id": {"S": "a"}}},
    "Update": None}]}


@pytest.mark.parametrize("env", [
    environ(FUNCTION_KEY, "TransactWriteItems", TRANSACTION_WITH_AN_EXTRA_KEY),
    environ(FUNCTION_KEY, "TransactWriteItems", {"TransactItems": [{
        "Put": {"TableName": "review-api-dev"}, "Delete": {"TableName": "audit-dev"}}]}),
    environ(FUNCTION_KEY, "ExecuteStatement",
            {"Statement": 'SELECT "a FROM review" FROM "audit-dev"'}),
    environ(FUNCTION_KEY, "GetRecords", {}, target="DynamoDBStreams_20120810"),
    environ(FUNCTION_KEY, "DeleteItem", {"TableName": "audit-dev"}, service="sqs"),
    environ(FUNCTION_KEY, "DeleteItem", {"TableName": "audit-dev"}, target="Other"),
    environ(FUNCTION_KEY, "ImportTable", {"S3BucketSource": {}}),
], ids=["transaction item with a null extra key", "transaction item over two tables",
        "PartiQL with FROM in the projection", "DynamoDB Streams records",
        "DynamoDB call signed for another service", "DynamoDB scope, unknown target",
        "operation naming no table"])
def test_requests_whose_tables_cannot_all_be_checked_are_refused(env: dict[str, Any]) -> None:
    moto, status, _, body = send(env)
    assert moto.bodies == []
    assert status == "400 Bad Request"
    assert json.loads(body)["__type"] == "com.amazon.coral.service#AccessDeniedException"


def test_other_services_are_noticed_once(caplog: pytest.LogCaptureFixture) -> None:
    layer = IamMiddleware(Moto(), SETTINGS)
    with caplog.at_level(logging.INFO):
        for _ in range(3):
            list(layer(environ(FUNCTION_KEY, "Publish", {}, service="sns", target="SNS"),
                       lambda *_: None))
    notices = [r for r in caplog.records if "sns" in r.getMessage()]
    assert len(notices) == 1


def control(layer: IamMiddleware, token: str, iam: IamSettings | None) -> str:
    body = json.dumps({"iam": iam.to_json() if iam else None}).encode()
    statuses: list[str] = []
    list(layer({"REQUEST_METHOD": "POST", "PATH_INFO": "/_emulator/iam",
                "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                "HTTP_X_EMULATOR_TOKEN": token}, lambda status, _: statuses.append(status)))
    return statuses[0]


def test_role_is_replaced_only_with_the_runs_token() -> None:
    layer = IamMiddleware(Moto(), SETTINGS, token="secret")
    wider = IamSettings(ACCOUNT, REGION, SETTINGS.role_name, (allow("dynamodb:*", TABLE),),
                        SETTINGS.functions)
    delete = environ(FUNCTION_KEY, "DeleteItem", {"TableName": "review-api-dev"})
    assert control(layer, "guess", wider) == "403 Forbidden"
    assert control(layer, "secret", wider) == "204 No Content"
    statuses: list[str] = []
    list(layer(delete, lambda status, _: statuses.append(status)))
    assert statuses == ["200 OK"]


def test_every_dynamodb_operation_moto_serves_is_checked_or_refused() -> None:
    """A moto upgrade that serves a new operation fails here until it has a row."""
    import botocore.session
    from moto.core.utils import camelcase_to_underscores, method_names_from_class
    from moto.dynamodb.responses import DynamoHandler
    from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

    from emulator.aws.iam_requests import OPERATIONS, REFUSED

    session = botocore.session.get_session()
    served = {op for service, handler in (("dynamodb", DynamoHandler),
                                          ("dynamodbstreams", DynamoDBStreamsHandler))
              for op in session.get_service_model(service).operation_names
              if camelcase_to_underscores(op) in method_names_from_class(handler)}
    assert len(served) == 45
    assert served == set(OPERATIONS) | set(REFUSED)
