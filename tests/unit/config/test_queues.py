"""Queues, buckets and `sqs` events of serverless.yml -> ServiceConfig."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.events.sqs import SqsEvent
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig

REPO = Path(__file__).resolve().parents[3]
QUEUES = REPO / "tests" / "fixtures" / "services" / "queues" / "serverless.yml"
URL = "https://sqs.eu-west-1.amazonaws.com/123456789012/"
ARN = "arn:aws:sqs:eu-west-1:123456789012:"


def load(tmp_path: Path, functions: str, resources: str = "") -> ServiceConfig:
    text = ("service: svc\nprovider:\n  runtime: python3.12\n  region: eu-west-1\n"
            "functions:\n" + textwrap.indent(textwrap.dedent(functions), "  ")
            + "resources:\n  Resources:\n" + textwrap.indent(textwrap.dedent(resources), "    "))
    path = tmp_path / "serverless.yml"
    path.write_text(text, encoding="utf-8")
    return load_service(path, env={})


QUEUE_AND_BUCKET = """\
Jobs:
  Type: AWS::SQS::Queue
  Properties:
    VisibilityTimeout: 30
    RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}
    Tags: [{Key: team, Value: a}]
    SomethingNew: 1
Dlq:
  Type: AWS::SQS::Queue
  Properties: {QueueName: my-dlq}
Fifo:
  Type: AWS::SQS::Queue
  Properties: {FifoQueue: true, ContentBasedDeduplication: true}
Files:
  Type: AWS::S3::Bucket
  Properties:
    VersioningConfiguration: {Status: Enabled}
    BucketEncryption: {ServerSideEncryptionConfiguration: []}
Named:
  Type: AWS::S3::Bucket
  Properties: {BucketName: my.named-bucket}
"""

ENVIRONMENT = """\
f:
  handler: app.main
  environment:
    REF: !Ref Jobs
    ARN: !GetAtt Jobs.Arn
    NAME: !GetAtt Jobs.QueueName
    URL: !GetAtt [Jobs, QueueUrl]
    FIFO: !GetAtt Fifo.QueueName
    SUB: !Sub "${Dlq.Arn}/x"
    BUCKET: !Ref Files
    BUCKET_ARN: !GetAtt Files.Arn
    DOMAIN: !GetAtt Named.DomainName
    REGIONAL: !GetAtt Named.RegionalDomainName
"""


def test_queue_and_bucket_intrinsics_resolve_as_cloudformation_answers(tmp_path: Path) -> None:
    config = load(tmp_path, ENVIRONMENT, QUEUE_AND_BUCKET)
    assert dict(config.functions["f"].environment) == {
        "REF": URL + "svc-dev-Jobs", "ARN": ARN + "svc-dev-Jobs", "NAME": "svc-dev-Jobs",
        "URL": URL + "svc-dev-Jobs", "FIFO": "svc-dev-Fifo.fifo", "SUB": ARN + "my-dlq/x",
        "BUCKET": "svc-dev-files", "BUCKET_ARN": "arn:aws:s3:::svc-dev-files",
        "DOMAIN": "my.named-bucket.s3.amazonaws.com",
        "REGIONAL": "my.named-bucket.s3.eu-west-1.amazonaws.com"}


def test_queues_keep_create_queue_attributes_dead_letter_targets_first(tmp_path: Path) -> None:
    config = load(tmp_path, "f: {handler: app.main}\n", QUEUE_AND_BUCKET)
    assert [q.name for q in config.queues] == ["my-dlq", "svc-dev-Jobs", "svc-dev-Fifo.fifo"]
    jobs = config.queues[1]
    assert jobs.dead_letter_target == "my-dlq"
    assert dict(jobs.attributes) == {"VisibilityTimeout": "30", "RedrivePolicy": json.dumps(
        {"deadLetterTargetArn": ARN + "my-dlq", "maxReceiveCount": 3})}
    assert dict(config.queues[2].attributes) == {"FifoQueue": "true",
                                                  "ContentBasedDeduplication": "true"}
    assert [(b.logical_id, b.name) for b in config.buckets] == [
        ("Files", "svc-dev-files"), ("Named", "my.named-bucket")]
    assert config.unsupported == (
        "resources.Resources.Jobs.Properties.SomethingNew",
        "resources.Resources.Files.Properties.VersioningConfiguration")


@pytest.mark.parametrize(("resource", "key", "expected"), [
    ("Q: {Type: AWS::SQS::Queue, Properties: {QueueName: 'a b'}}",
     "resources.Resources.Q.Properties.QueueName", "1-80 characters"),
    ("Q: {Type: AWS::SQS::Queue, Properties: {QueueName: q, FifoQueue: true}}",
     "resources.Resources.Q.Properties.QueueName", "must end in .fifo"),
    ("Q: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: {maxReceiveCount: 2}}}",
     "resources.Resources.Q.Properties.RedrivePolicy", "deadLetterTargetArn"),
    ("Q: {Type: AWS::SQS::Queue, Properties: {RedrivePolicy: '{not json'}}",
     "resources.Resources.Q.Properties.RedrivePolicy", "JSON"),
    ("B: {Type: AWS::S3::Bucket, Properties: {BucketName: Upper_Case}}",
     "resources.Resources.B.Properties.BucketName", "lower-case"),
])
def test_bad_queue_or_bucket_names_file_line_and_key(tmp_path: Path, resource: str, key: str,
                                                     expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, "f: {handler: app.main}\n", resource + "\n")
    assert raised.value.key == key
    assert raised.value.line is not None
    assert expected in raised.value.detail


WORKERS = """\
a:
  handler: app.a
  events:
    - sqs: arn:aws:sqs:eu-west-1:123456789012:elsewhere
    - sqs:
        arn: !GetAtt Jobs.Arn
        batchSize: 100
        maximumBatchingWindow: 5
        functionResponseType: ReportBatchItemFailures
        maximumConcurrency: 5
        enabled: false
b:
  handler: app.b
  events:
    - http: GET b
    - sqs:
        arn: {"Fn::GetAtt": [Dlq, Arn]}
        filterPatterns: [{body: {a: [1]}}]
    - sqs:
        arn: !ImportValue other-stack-queue
"""


def test_sqs_events_string_and_mapping_forms(tmp_path: Path) -> None:
    config = load(tmp_path, WORKERS, QUEUE_AND_BUCKET)
    assert config.events == (
        SqsEvent("a", ARN + "elsewhere", "functions.a.events[0].sqs"),
        SqsEvent("a", ARN + "svc-dev-Jobs", "functions.a.events[1].sqs", batch_size=100,
                 maximum_batching_window_s=5, report_batch_item_failures=True, enabled=False,
                 maximum_concurrency=5),
        SqsEvent("b", ARN + "my-dlq", "functions.b.events[1].sqs",
                 filter_patterns=('{"body": {"a": [1]}}',)))
    assert config.events[1].queue_name == "svc-dev-Jobs"
    assert [r.resource for r in config.routes] == ["/b"]
    assert config.unsupported[-1:] == (
        "functions.b.events[2].sqs.arn (Fn::ImportValue other-stack-queue)",)


@pytest.mark.parametrize(("event", "key", "expected"), [
    ("sqs: 42", "functions.f.events[0].sqs", "queue ARN or a mapping"),
    ("sqs: {batchSize: 5}", "functions.f.events[0].sqs", "arn is required"),
    ("sqs: {arn: arn:aws:sqs:r:1:q, filterPatterns: [{body: x}]}",
     "functions.f.events[0].sqs.filterPatterns", "a leaf is a non-empty array of rules"),
    ("sqs: not-an-arn", "functions.f.events[0].sqs", "expected a queue ARN"),
    ("sqs: !GetAtt Jobs.Arn", "functions.f.events[0].sqs", "intrinsic under arn:"),
    ("sqs: {arn: 'arn:aws:sqs:r:1:q', batchSize: 0}", "functions.f.events[0].sqs.batchSize",
     "from 1 to 10000"),
    ("sqs: {arn: 'arn:aws:sqs:r:1:q', batchSize: 10001, maximumBatchingWindow: 1}",
     "functions.f.events[0].sqs.batchSize", "from 1 to 10000"),
    ("sqs: {arn: 'arn:aws:sqs:r:1:q', batchSize: 11}", "functions.f.events[0].sqs.batchSize",
     "maximumBatchingWindow"),
    ("sqs: {arn: 'arn:aws:sqs:r:1:q', maximumBatchingWindow: 301}",
     "functions.f.events[0].sqs.maximumBatchingWindow", "from 0 to 300"),
    ("sqs: {arn: 'arn:aws:sqs:r:1:q', functionResponseType: All}",
     "functions.f.events[0].sqs.functionResponseType", "ReportBatchItemFailures"),
    ("sqs: {arn: 'arn:aws:sqs:r:1:q', enabled: 'yes'}", "functions.f.events[0].sqs.enabled",
     "true or false"),
    ("sqs: {arn: 'arn:aws:sqs:r:1:q', maximumConcurrency: 1}",
     "functions.f.events[0].sqs.maximumConcurrency", "from 2 to 1000"),
])
def test_bad_sqs_events_name_file_line_and_key(tmp_path: Path, event: str, key: str,
                                               expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, f"f:\n  handler: app.f\n  events:\n    - {event}\n")
    assert raised.value.key == key
    assert raised.value.file == str(tmp_path / "serverless.yml")
    assert raised.value.line is not None
    assert expected in raised.value.detail


def test_an_unknown_sqs_setting_is_named(tmp_path: Path) -> None:
    config = load(tmp_path, "f:\n  handler: app.f\n  events:\n"
                            "    - sqs: {arn: 'arn:aws:sqs:r:1:q', batchWindow: 3}\n")
    assert config.unsupported == ("functions.f.events[0].sqs.batchWindow (unknown sqs setting)",)
    assert len(config.events) == 1


def test_the_fixture_project(tmp_path: Path) -> None:
    config = load_service(QUEUES, env={})
    assert config.unsupported == ()
    assert [e.function for e in config.events] == ["worker", "partial"]
    assert config.functions["send"].environment["JOBS_URL"] == (
        "https://sqs.us-east-1.amazonaws.com/123456789012/queues-dev-Jobs")
