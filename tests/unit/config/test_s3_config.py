"""`s3` events of serverless.yml -> S3Event values, and the deploy errors reproduced."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.errors import ConfigError
from emulator.config.events.s3 import S3Event
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig

RESOURCES = "resources:\n  Resources:\n    Archive:\n      Type: AWS::S3::Bucket\n" \
            "      Properties: {BucketName: my-archive}\n"


def load(tmp_path: Path, events: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text("service: svc\nprovider: {runtime: python3.12}\nfunctions:\n  f:\n"
                    "    handler: app.main\n    events:\n"
                    + textwrap.indent(textwrap.dedent(events), "      ") + RESOURCES,
                    encoding="utf-8")
    return load_service(path, env={})


def test_forms(tmp_path: Path) -> None:
    config = load(tmp_path, """\
        - s3: photos
        - s3:
            bucket: my-archive
            event: s3:ObjectRemoved:Delete
            rules: [{prefix: old/}, {suffix: .csv}]
            existing: true
        """)
    assert config.events == (
        S3Event("f", "functions.f.events[0].s3", "photos"),
        S3Event("f", "functions.f.events[1].s3", "my-archive", "s3:ObjectRemoved:Delete",
                "old/", ".csv", existing=True))


@pytest.mark.parametrize(("name", "key", "wanted"), [
    ("ObjectCreated:Put", "old/a.csv", True), ("ObjectCreated:Copy", "old/a.csv", True),
    ("ObjectRemoved:Delete", "old/a.csv", False), ("ObjectCreated:Put", "new/a.csv", False),
    ("ObjectCreated:Put", "old/a.txt", False)])
def test_wants_by_event_type_and_rules(name: str, key: str, wanted: bool) -> None:
    event = S3Event("f", "k", "b", "s3:ObjectCreated:*", "old/", ".csv")
    assert event.wants(name, key) is wanted


@pytest.mark.parametrize(("event", "key", "message"), [
    ("- s3: my-archive\n", "functions.f.events[0].s3", "also defined in resources"),
    ("- s3: {bucket: Bad_Name}\n", "functions.f.events[0].s3.bucket", "bucket name"),
    ("- s3: {bucket: photos, event: 's3:ObjectMade'}\n", "functions.f.events[0].s3.event",
     "S3 event type"),
    ("- s3: {bucket: photos, rules: [{middle: x}]}\n", "functions.f.events[0].s3.rules[0]",
     "{prefix: text} or {suffix: text}"),
])
def test_bad_s3_events_name_file_line_and_key(tmp_path: Path, event: str, key: str,
                                              message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load(tmp_path, event)
    assert raised.value.key == key
    assert message in raised.value.detail
    assert raised.value.line is not None
