"""`stream` events of serverless.yml -> StreamEvent values, and the errors AWS would give."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.events.stream import StreamEvent
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig

TABLES = """\
  Resources:
    Items:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: items
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
        StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
    Plain:
      Type: AWS::DynamoDB::Table
      Properties:
        BillingMode: PAY_PER_REQUEST
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
"""
STREAM = "arn:aws:dynamodb:us-east-1:123456789012:table/items/stream/*"


def load(tmp_path: Path, events: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text("service: svc\nprovider: {runtime: python3.12}\nfunctions:\n  f:\n"
                    "    handler: app.main\n    events:\n"
                    + textwrap.indent(textwrap.dedent(events), "      ")
                    + "resources:\n" + TABLES, encoding="utf-8")
    return load_service(path, env={})


def test_forms_and_settings(tmp_path: Path) -> None:
    config = load(tmp_path, """\
        - stream: !GetAtt Items.StreamArn
        - stream:
            type: dynamodb
            arn: {"Fn::GetAtt": [Items, StreamArn]}
            batchSize: 5
            startingPosition: LATEST
            maximumBatchingWindow: 2
            maximumRetryAttempts: 3
            bisectBatchOnFunctionError: true
            functionResponseType: ReportBatchItemFailures
            filterPatterns: [{eventName: [INSERT]}]
            enabled: false
        - stream: arn:aws:kinesis:us-east-1:123456789012:stream/clicks
        """)
    assert config.events == (
        StreamEvent("f", "functions.f.events[0].stream", STREAM),
        StreamEvent("f", "functions.f.events[1].stream", STREAM, batch_size=5,
                    starting_position="LATEST", enabled=False, maximum_batching_window_s=2,
                    maximum_retry_attempts=3, bisect_on_error=True,
                    report_batch_item_failures=True,
                    filter_patterns=('{"eventName": ["INSERT"]}',)))
    assert config.events[0].table_name == "items"  # type: ignore[attr-defined]
    assert "functions.f.events[2].stream (a Kinesis stream)" in config.unsupported


@pytest.mark.parametrize(("event", "key", "message"), [
    ("- stream: !GetAtt Plain.StreamArn\n", "functions.f.events[0].stream",
     "table svc-dev-Plain has no StreamSpecification"),
    ("- stream: {arn: !GetAtt Items.StreamArn, startingPosition: AT_TIMESTAMP}\n",
     "functions.f.events[0].stream.startingPosition", "LATEST or TRIM_HORIZON"),
    ("- stream: {arn: !GetAtt Items.StreamArn, batchSize: 0}\n",
     "functions.f.events[0].stream.batchSize", "from 1 to 10000"),
    ("- stream: {arn: !GetAtt Items.StreamArn, maximumRetryAttempts: -2}\n",
     "functions.f.events[0].stream.maximumRetryAttempts", "from -1 to 10000"),
    ("- stream: {arn: !GetAtt Items.StreamArn, type: sqs}\n",
     "functions.f.events[0].stream.type", "dynamodb or kinesis"),
    ("- stream: {arn: !GetAtt Items.Arn}\n", "functions.f.events[0].stream.arn",
     "expected a table's stream ARN"),
    ("- stream: {arn: !GetAtt Items.StreamArn, filterPatterns: [{eventName: INSERT}]}\n",
     "functions.f.events[0].stream.filterPatterns", "a leaf is a non-empty array"),
])
def test_bad_streams_name_file_line_and_key(tmp_path: Path, event: str, key: str,
                                            message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, event)
    assert raised.value.key == key
    assert message in raised.value.detail
    assert raised.value.line is not None
