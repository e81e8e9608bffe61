"""`invoke --event-type` builds the sample from the function's own event of that kind."""

from __future__ import annotations

from pathlib import Path

from emulator.config.loader import load_service
from emulator.sources.samples import configured_event

REPO = Path(__file__).resolve().parents[3]
SERVICES = REPO / "tests" / "fixtures" / "services"
NOW = 1796677200.0  # 2026-12-07T21:00:00Z


def test_schedule_uses_the_rule_and_its_target_input() -> None:
    service = load_service(SERVICES / "schedule" / "serverless.yml", env={})
    tick = configured_event("schedule", service, "tick", NOW)
    rule = "arn:aws:events:us-east-1:123456789012:rule/sched-dev-TickEventsRuleSchedule1"
    assert tick == {"when": "2026-12-07T21:00:00Z", "rule": rule,
                    "note": "fired at 2026-12-07T21:00:00Z"}
    assert configured_event("schedule", service, "nightly", NOW) == {"task": "purge"}


def test_stream_sqs_and_s3_name_the_projects_resources() -> None:
    streams = load_service(SERVICES / "streams" / "serverless.yml", env={})
    arn = configured_event("dynamodb-stream", streams, "audit", NOW)["Records"][0][
        "eventSourceARN"]
    assert arn.startswith("arn:aws:dynamodb:us-east-1:123456789012:table/streams-items/stream/")
    assert not arn.endswith("*")
    queues = load_service(SERVICES / "queues" / "serverless.yml", env={})
    assert configured_event("sqs", queues, "worker", NOW)["Records"][0]["eventSourceARN"] == \
        "arn:aws:sqs:us-east-1:123456789012:queues-dev-Jobs"
    uploads = load_service(SERVICES / "uploads" / "serverless.yml", env={})
    record = configured_event("s3", uploads, "onUpload", NOW)["Records"][0]
    assert record["s3"]["bucket"]["name"] == "uploads-dev-incoming"
    assert record["s3"]["object"]["key"] == "incoming/example.txt"
    assert configured_event("s3", uploads, "onDelete", NOW)["Records"][0]["eventName"] == \
        "ObjectRemoved:Delete"


def test_a_function_without_such_an_event_gets_the_generic_sample() -> None:
    uploads = load_service(SERVICES / "uploads" / "serverless.yml", env={})
    record = configured_event("s3", uploads, "put", NOW)["Records"][0]
    assert record["s3"]["bucket"]["name"] == "example-bucket"
