"""--stack: the base URL is the ServiceEndpoint output of the stage's CloudFormation stack."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from contracts import cli, stack

REGION = "us-east-2"
ENDPOINT = "https://abc123.execute-api.us-east-2.amazonaws.com/dev"


def template(outputs: dict[str, str]) -> str:
    return json.dumps(
        {
            "Resources": {"Topic": {"Type": "AWS::SNS::Topic"}},
            "Outputs": {key: {"Value": value} for key, value in outputs.items()},
        }
    )


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_CONFIG_FILE": str(tmp_path / "missing-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "missing-credentials"),
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def create_stack(name: str, outputs: dict[str, str]) -> None:
    cloudformation = boto3.client("cloudformation", region_name=REGION)
    cloudformation.create_stack(StackName=name, TemplateBody=template(outputs))


@pytest.mark.usefixtures("aws")
def test_service_endpoint_is_read_from_the_stack_outputs() -> None:
    create_stack("review-api-dev", {"ServiceEndpoint": ENDPOINT + "/", "Other": "x"})
    assert stack.service_endpoint("review-api-dev", REGION) == ENDPOINT


@pytest.mark.usefixtures("aws")
def test_a_stack_without_the_output_is_an_error_naming_what_it_has() -> None:
    create_stack("review-api-dev", {"Other": "x"})
    with pytest.raises(stack.StackError, match=r"no ServiceEndpoint output.*Other"):
        stack.service_endpoint("review-api-dev", REGION)


@pytest.mark.usefixtures("aws")
def test_a_missing_stack_is_an_error() -> None:
    with pytest.raises(stack.StackError, match="review-api-nope"):
        stack.service_endpoint("review-api-nope", REGION)


@pytest.mark.usefixtures("aws")
def test_the_cli_targets_the_stack_endpoint() -> None:
    create_stack("review-api-dev", {"ServiceEndpoint": ENDPOINT})
    args = cli.build_parser().parse_args(["--stack", "review-api-dev", "--region", REGION])
    with cli.base_url(args) as url:
        assert url == ENDPOINT
