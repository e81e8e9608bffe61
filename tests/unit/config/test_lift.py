"""serverless-lift's constructs -> the service lift deploys (emulator.config.lift).

Document in, document out: the resources, worker functions and role statements lift adds,
checked against lift's own sources (src/constructs/aws/*.ts) and its tests' logical ids.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from emulator.config.errors import ConfigError
from emulator.config.lift import apply_constructs
from emulator.config.lift_constructs import bucket_name, cdk_logical_id, logical_id
from emulator.config.loader import load_service
from emulator.config.variables import resolve

QUEUE, DLQ = logical_id("jobs", "Queue"), logical_id("jobs", "Dlq")
LIFT = ["serverless-lift"]


def lifted(constructs: dict[str, Any], **document: Any) -> tuple[dict[str, Any], list[str]]:
    base = {"service": "svc", "provider": {"name": "aws"}, "plugins": LIFT,
            "constructs": constructs, **document}
    return apply_constructs(base, Path("serverless.yml"), {})


def resources(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = document["resources"]["Resources"]
    return found


def test_logical_ids_are_cdks_as_in_lifts_own_tests() -> None:
    # lift test/unit/queues.test.ts: "emailsDlq47F8494C", "emailsQueueF057328A"
    assert logical_id("emails", "Queue") == "emailsQueueF057328A"
    assert logical_id("emails", "Dlq") == "emailsDlq47F8494C"
    # CDK drops a component the previous one ends with from the readable part, not the hash
    assert cdk_logical_id("myQueue", "Queue", "Resource").startswith("myQueue")
    assert len(cdk_logical_id("my-queue", "Queue", "Resource")) == len("myqueueQueue") + 8


def test_a_queue_becomes_two_queues_a_worker_and_a_send_permission() -> None:
    document, unsupported = lifted({"jobs": {"type": "queue",
                                             "worker": {"handler": "handler.consumer"}}})
    assert resources(document) == {
        DLQ: {"Type": "AWS::SQS::Queue", "UpdateReplacePolicy": "Delete",
              "DeletionPolicy": "Delete",
              "Properties": {"QueueName": "svc-dev-jobs-dlq", "MessageRetentionPeriod": 1209600}},
        QUEUE: {"Type": "AWS::SQS::Queue", "UpdateReplacePolicy": "Delete",
                "DeletionPolicy": "Delete",
                "Properties": {"QueueName": "svc-dev-jobs", "VisibilityTimeout": 36,
                               "RedrivePolicy": {"deadLetterTargetArn": {
                                   "Fn::GetAtt": [DLQ, "Arn"]}, "maxReceiveCount": 3}}}}
    assert document["functions"] == {"jobsWorker": {"handler": "handler.consumer", "events": [
        {"sqs": {"arn": {"Fn::GetAtt": [QUEUE, "Arn"]}, "batchSize": 1,
                 "maximumBatchingWindow": 0,
                 "functionResponseType": "ReportBatchItemFailures"}}]}}
    assert document["provider"]["iamRoleStatements"] == [
        {"Effect": "Allow", "Action": ["sqs:SendMessage", "sqs:ChangeMessageVisibility"],
         "Resource": [{"Fn::GetAtt": [QUEUE, "Arn"]}]}]
    assert unsupported == []


def test_queue_settings_reach_the_queues_and_the_event() -> None:
    document, _ = lifted({"jobs": {
        "type": "queue", "worker": {"handler": "h.f", "timeout": 10}, "fifo": True,
        "maxRetries": 5, "delay": 30, "batchSize": 10, "maxBatchingWindow": 4,
        "maxConcurrency": 2}}, provider={"name": "aws", "stage": "prod", "timeout": 20})
    queue, dlq = resources(document)[QUEUE]["Properties"], resources(document)[DLQ]["Properties"]
    # 6 x the worker's own timeout + the batching window; lift ignores provider.timeout
    assert queue["VisibilityTimeout"] == 64
    assert (queue["QueueName"], dlq["QueueName"]) == ("svc-prod-jobs.fifo",
                                                      "svc-prod-jobs-dlq.fifo")
    assert (queue["FifoQueue"], queue["ContentBasedDeduplication"], dlq["FifoQueue"]) == (
        True, True, True)
    assert (queue["DelaySeconds"], queue["RedrivePolicy"]["maxReceiveCount"]) == (30, 5)
    event = document["functions"]["jobsWorker"]["events"][0]["sqs"]
    assert (event["batchSize"], event["maximumBatchingWindow"],
            event["maximumConcurrency"]) == (10, 4, 2)


def test_queue_names_follow_the_stage_given_on_the_command_line() -> None:
    document = {"service": {"name": "legacy"}, "provider": {"stage": "dev"}, "plugins": LIFT,
                "constructs": {"jobs": {"type": "queue", "worker": {"handler": "h.f"}}}}
    out, _ = apply_constructs(document, Path("serverless.yml"), {}, "beta")
    assert resources(out)[QUEUE]["Properties"]["QueueName"] == "legacy-beta-jobs"
    assert "resources" not in document  # the input is left as it was


def test_a_worker_named_by_string_is_the_existing_function() -> None:
    document, _ = lifted({"jobs": {"type": "queue", "worker": "consume"}},
                         functions={"consume": {"handler": "h.f", "timeout": 2,
                                                "events": [{"http": "GET x"}]}})
    assert list(document["functions"]) == ["consume"]
    events = document["functions"]["consume"]["events"]
    assert events[0] == {"http": "GET x"} and "sqs" in events[1]
    assert resources(document)[QUEUE]["Properties"]["VisibilityTimeout"] == 12


@pytest.mark.parametrize(
    ("provider", "where"),
    [({"iam": {"role": {"statements": [{"Effect": "Allow", "Action": "s3:*",
                                         "Resource": "*"}]}}}, ("iam", "role", "statements")),
     ({"iamRoleStatements": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]},
      ("iamRoleStatements",))],
)
def test_permissions_follow_the_files_own_statements(provider: dict[str, Any],
                                                     where: tuple[str, ...]) -> None:
    document, _ = lifted({"jobs": {"type": "queue", "worker": {"handler": "h.f"}}},
                         provider={"name": "aws", **provider})
    node: Any = document["provider"]
    for key in where:
        node = node[key]
    assert [s["Action"] for s in node] == [
        "s3:*", ["sqs:SendMessage", "sqs:ChangeMessageVisibility"]]


def test_automatic_permissions_can_be_turned_off() -> None:
    document, _ = lifted({"jobs": {"type": "queue", "worker": {"handler": "h.f"}}},
                         lift={"automaticPermissions": False})
    assert "iamRoleStatements" not in document["provider"]
    assert QUEUE in resources(document)


def test_storage_is_a_versioned_bucket_with_lifts_permissions() -> None:
    document, _ = lifted({"files": {"type": "storage", "cors": "https://app.example"}})
    bucket = logical_id("files", "Bucket")
    props = resources(document)[bucket]["Properties"]
    assert props["BucketName"] == bucket_name("files", "svc-dev")
    assert props["BucketName"].startswith("svc-dev-files-") and len(props["BucketName"]) == 22
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["CorsConfiguration"]["CorsRules"][0]["AllowedOrigins"] == [
        "https://app.example"]
    (statement,) = document["provider"]["iamRoleStatements"]
    arn = {"Fn::GetAtt": [bucket, "Arn"]}
    assert statement["Resource"] == [arn, {"Fn::Join": ["/", [arn, "*"]]}]
    assert "s3:PutObject" in statement["Action"] and len(statement["Action"]) == 14


def test_bucket_names_are_valid_for_s3() -> None:
    name = bucket_name("Uploads_Big", "My-Service-" + "x" * 60 + "-dev")
    assert len(name) <= 63 and name == name.lower() and "_" not in name
    assert name == bucket_name("Uploads_Big", "My-Service-" + "x" * 60 + "-dev")  # stable


def test_single_table_has_lifts_keys_indexes_stream_and_permissions() -> None:
    document, _ = lifted({"db": {"type": "database/dynamodb-single-table", "gsiCount": 2,
                                 "localSecondaryIndexes": True}})
    table = logical_id("db", "Table")
    props = resources(document)[table]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "PK", "KeyType": "HASH"},
                                  {"AttributeName": "SK", "KeyType": "RANGE"}]
    assert [d["AttributeName"] for d in props["AttributeDefinitions"]] == [
        "PK", "SK", "LSI-1-SK", "LSI-2-SK", "LSI-3-SK", "LSI-4-SK", "LSI-5-SK",
        "GSI-1-PK", "GSI-1-SK", "GSI-2-PK", "GSI-2-SK"]
    assert [i["IndexName"] for i in props["GlobalSecondaryIndexes"]] == ["GSI-1", "GSI-2"]
    assert props["GlobalSecondaryIndexes"][1]["KeySchema"][0]["AttributeName"] == "GSI-2-PK"
    assert len(props["LocalSecondaryIndexes"]) == 5
    assert props["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    (statement,) = document["provider"]["iamRoleStatements"]
    arn = {"Fn::GetAtt": [table, "Arn"]}
    assert statement["Resource"] == [arn, {"Fn::Join": ["/", [arn, "index", "*"]]}]
    assert "dynamodb:Query" in statement["Action"]


def test_extensions_override_the_cloudformation() -> None:
    document, _ = lifted({"db": {"type": "database/dynamodb-single-table", "extensions": {
        "table": {"Properties": {"TableClass": "STANDARD_INFREQUENT_ACCESS",
                                 "BillingMode": "PROVISIONED"}}}}})
    props = resources(document)[logical_id("db", "Table")]["Properties"]
    assert (props["TableClass"], props["BillingMode"]) == ("STANDARD_INFREQUENT_ACCESS",
                                                           "PROVISIONED")
    assert props["KeySchema"][0]["AttributeName"] == "PK"


@pytest.mark.parametrize("kind", ["webhook", "static-website", "single-page-app",
                                  "server-side-website", "vpc"])
def test_other_constructs_are_named_once_and_add_nothing(kind: str) -> None:
    document, unsupported = lifted({"site": {"type": kind, "path": "public"}})
    assert unsupported == [f"constructs.site ({kind})"]
    assert "resources" not in document and "iamRoleStatements" not in document["provider"]


def test_constructs_without_the_plugin_are_named_not_applied() -> None:
    document, unsupported = lifted({"jobs": {"type": "queue"}}, plugins=["other"])
    assert unsupported == ["constructs (serverless-lift is not in plugins:)"]
    assert "resources" not in document


def write(tmp_path: Path, constructs: str, rest: str = "") -> Path:
    path = tmp_path / "serverless.yml"
    path.write_text("service: svc\nprovider:\n  name: aws\n  runtime: python3.12\n"
                    "plugins: [serverless-lift]\nconstructs:\n"
                    + textwrap.indent(textwrap.dedent(constructs), "  ") + rest,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("constructs", "line", "key", "message"),
    [
        ("jobs:\n  type: queue\n", 8, "constructs.jobs", "no 'worker' defined"),
        ("jobs:\n  type: queue\n  worker: nope\n", 9, "constructs.jobs.worker",
         "'worker' must name a function of functions: (there are: none)"),
        ("jobs:\n  type: queue\n  worker: {handler: h.f}\n  batchSize: 0\n", 10,
         "constructs.jobs.batchSize", "must be a number from 1 to 10000, got 0"),
        ("jobs:\n  type: queue\n  worker: {handler: h.f}\n  batchSize: 20\n  fifo: true\n",
         10, "constructs.jobs.batchSize", "must be between 1 and 10 for a FIFO queue"),
        ("jobs:\n  type: queue\n  worker: {handler: h.f}\n  batchSize: 20\n", 10,
         "constructs.jobs.batchSize", "over 10 needs maxBatchingWindow greater than 0"),
        ("jobs:\n  type: queue\n  worker: {handler: h.f}\n  delay: 901\n", 10,
         "constructs.jobs.delay", "must be a number from 0 to 900"),
        ("jobs:\n  type: quue\n", 8, "constructs.jobs.type",
         "unknown construct type 'quue': lift knows queue, storage, "
         "database/dynamodb-single-table, webhook"),
        ("db:\n  type: database/dynamodb-single-table\n  gsiCount: 21\n", 9,
         "constructs.db.gsiCount", "must be an integer from 1 to 20"),
        ("db:\n  type: database/dynamodb-single-table\n  extensions: {tabel: {}}\n", 9,
         "constructs.db.extensions.tabel", "no extension 'tabel' on a "
         "database/dynamodb-single-table: there are table"),
        ("jobs:\n  type: [queue]\n", 8, "constructs.jobs.type", "unknown construct type ['queue']"),
        ("my.jobs:\n  type: queue\n", 8, "constructs.my.jobs", "a construct id may hold"),
    ],
)
def test_misconfigured_constructs_are_one_line_naming_file_line_and_key(
        tmp_path: Path, constructs: str, line: int, key: str, message: str) -> None:
    path = write(tmp_path, constructs)
    with pytest.raises(ConfigError) as raised:
        load_service(path, env={})
    assert (raised.value.file, raised.value.line, raised.value.key) == (str(path), line, key)
    assert message in raised.value.detail


# --- ${construct:...} -----------------------------------------------------------------------

def resolved(value: str, constructs: dict[str, Any], tmp_path: Path, **inputs: Any) -> Any:
    document = {"plugins": LIFT, "constructs": constructs, "custom": {"x": value}}
    return resolve(document, options={}, env={}, file=tmp_path / "serverless.yml",
                   **inputs)["custom"]["x"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${construct:jobs.queueUrl}", {"Ref": QUEUE}),
        ("${construct:jobs.queueArn}", {"Fn::GetAtt": [QUEUE, "Arn"]}),
        ("${construct:jobs.dlqUrl}", {"Ref": DLQ}),
        ("${construct:jobs.dlqArn}", {"Fn::GetAtt": [DLQ, "Arn"]}),
        ("${construct:files.bucketName}", {"Ref": logical_id("files", "Bucket")}),
        ("${construct:files.bucketArn}", {"Fn::GetAtt": [logical_id("files", "Bucket"), "Arn"]}),
        ("${construct:db.tableName}", {"Ref": logical_id("db", "Table")}),
        ("${construct:db.tableStreamArn}",
         {"Fn::GetAtt": [logical_id("db", "Table"), "StreamArn"]}),
    ],
)
def test_construct_variables_are_lifts_intrinsics(value: str, expected: Any,
                                                  tmp_path: Path) -> None:
    constructs = {"jobs": {"type": "queue", "worker": {"handler": "h.f"}},
                  "files": {"type": "storage"},
                  "db": {"type": "database/dynamodb-single-table"}}
    assert resolved(value, constructs, tmp_path) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("${construct:jbos.queueUrl}", "no construct named 'jbos' (constructs: jobs, hook, odd)"),
        ("${construct:odd.url}", "constructs.odd has an unknown type ['queue']"),
        ("${construct:jobs.url}", "jobs (queue) has no variable 'url': it has queueUrl, "
                                  "queueArn, dlqUrl, dlqArn"),
        ("${construct:hook.busName}", "lift's webhook construct is not emulated, so "
                                      "hook.busName has no local value: write the value "
                                      "instead, or start with --placeholder-remote"),
    ],
)
def test_construct_variable_errors_say_what_exists(value: str, message: str,
                                                   tmp_path: Path) -> None:
    constructs = {"jobs": {"type": "queue"}, "hook": {"type": "webhook"},
                  "odd": {"type": ["queue"]}}
    with pytest.raises(ConfigError) as raised:
        resolved(value, constructs, tmp_path)
    assert message in raised.value.detail
    assert len(str(raised.value).splitlines()) == 1


def test_a_not_emulated_constructs_variable_can_be_a_placeholder(tmp_path: Path) -> None:
    notes: list[str] = []
    value = resolved("${construct:hook.busName}", {"hook": {"type": "webhook"}}, tmp_path,
                     placeholder_remote=True, notes=notes)
    assert value == "placeholder(construct:hook.busName)"
    assert "(--placeholder-remote)" in notes[0]


def test_the_construct_source_needs_the_plugin(tmp_path: Path) -> None:
    document = {"constructs": {"jobs": {"type": "queue"}},
                "custom": {"x": "${construct:jobs.queueUrl}"}}
    with pytest.raises(ConfigError, match="serverless-lift's, which is not in plugins:"):
        resolve(document, options={}, env={}, file=tmp_path / "serverless.yml")


def test_a_worker_may_read_its_own_queues_variables(tmp_path: Path) -> None:
    constructs = {"jobs": {"type": "queue", "worker": {
        "handler": "h.f", "environment": {"RETRY_TO": "${construct:jobs.queueUrl}"}}}}
    document = {"plugins": LIFT, "constructs": constructs}
    out = resolve(document, options={}, env={}, file=tmp_path / "serverless.yml")
    assert out["constructs"]["jobs"]["worker"]["environment"]["RETRY_TO"] == {"Ref": QUEUE}


def test_a_table_construct_loads_with_its_name_and_resolved_permissions(tmp_path: Path) -> None:
    path = write(tmp_path, "db:\n  type: database/dynamodb-single-table\n",
                 "functions:\n  api:\n    handler: h.f\n    environment:\n"
                 "      TABLE: ${construct:db.tableName}\n")
    service = load_service(path, env={}, stage="test")
    table = logical_id("db", "Table")
    assert service.functions["api"].environment["TABLE"] == f"svc-test-{table}"
    assert [t.logical_id for t in service.tables] == [table]
    arn = f"arn:aws:dynamodb:us-east-1:123456789012:table/svc-test-{table}"
    assert service.iam_statements[0]["Resource"] == [arn, f"{arn}/index/*"]
    assert not any("serverless-lift" in u for u in service.unsupported)
