"""What the console says at start (emulator/console.py)."""

from __future__ import annotations

from pathlib import Path

from emulator.config.loader import load_service
from emulator.console import aws_endpoint_warnings


def test_an_aws_endpoint_in_the_environment_is_named_once_with_its_functions(
        tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text(
        "service: s\nprovider:\n  name: aws\n  runtime: python3.12\n  environment:\n"
        "    DYNAMODB_HOST: https://dynamodb.us-east-1.amazonaws.com\n"
        "    LOCAL: http://localhost:8000\n    TABLE: my-table\n"
        "functions:\n  a: {handler: h.a}\n  b: {handler: h.b}\n"
        "  c: {handler: h.c, environment: {S3: 'https://s3.amazonaws.com/'}}\n",
        encoding="utf-8")
    warnings = aws_endpoint_warnings(load_service(path, env={}))
    assert len(warnings) == 2
    assert warnings[0].startswith("environment DYNAMODB_HOST=https://dynamodb.us-east-1."
                                  "amazonaws.com (functions a, b, c) is an AWS endpoint")
    assert warnings[1].startswith("environment S3=https://s3.amazonaws.com/ (functions c)")
