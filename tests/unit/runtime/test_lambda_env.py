"""The environment of an execution environment: Lambda's variables, isolation, precedence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime.lambda_env import (
    build_environment,
    function_arn,
    ignored_names,
    is_protected,
)

SERVICE = ServiceConfig(
    service="shop",
    stage="prod",
    region="ap-south-1",
    root=Path("/srv/shop"),
    config_path=Path("/srv/shop/serverless.yml"),
    functions={},
    routes=(),
)
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIAFAKE",
    "AWS_SECRET_ACCESS_KEY": "fake-secret",
    "AWS_SESSION_TOKEN": "fake-token",
    "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
    "AWS_CONFIG_FILE": "/nonexistent/config",
    "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/credentials",
}
SHELL = {"PATH": "/usr/bin:/bin", "HOME": "/home/dev", "SECRET_TOKEN": "s3cr3t", "DEBUG": "1"}


def function(**overrides: Any) -> FunctionConfig:
    values: dict[str, Any] = {
        "name": "orders",
        "full_name": "shop-prod-orders",
        "handler": "src/orders.handler",
        "environment": {"TABLE": "orders-prod"},
        "memory_mb": 512,
        **overrides,
    }
    return FunctionConfig(**values)


def build(fn: FunctionConfig | None = None, **overrides: Any) -> dict[str, str]:
    options: dict[str, Any] = {
        "runtime_api": "127.0.0.1:40000",
        "aws_env": AWS_ENV,
        "passthrough": (),
        "shell_env": SHELL,
        "task_root": "/srv/shop",
        "log_stream": "2024/05/06/[$LATEST]0123456789abcdef0123456789abcdef",
        **overrides,
    }
    return build_environment(SERVICE, fn or function(), **options)


def test_environment_is_exactly_lambda_variables_config_and_aws_env() -> None:
    assert build() == {
        "TABLE": "orders-prod",
        **AWS_ENV,
        "_HANDLER": "src/orders.handler",
        "AWS_REGION": "ap-south-1",
        "AWS_DEFAULT_REGION": "ap-south-1",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_LAMBDA_FUNCTION_NAME": "shop-prod-orders",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/shop-prod-orders",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2024/05/06/[$LATEST]0123456789abcdef0123456789abcdef",
        "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:40000",
        "LAMBDA_TASK_ROOT": "/srv/shop",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PATH": "/usr/bin:/bin",
    }


@pytest.mark.parametrize(
    ("passthrough", "present", "absent"),
    [
        ((), set(), {"HOME", "SECRET_TOKEN", "DEBUG"}),
        (("DEBUG",), {"DEBUG"}, {"HOME", "SECRET_TOKEN"}),
        (("DEBUG", "NOT_IN_SHELL"), {"DEBUG"}, {"NOT_IN_SHELL", "SECRET_TOKEN"}),
    ],
)
def test_only_passthrough_names_come_from_the_shell(
    passthrough: tuple[str, ...], present: set[str], absent: set[str]
) -> None:
    env = build(passthrough=passthrough)
    assert present <= set(env)
    assert not absent & set(env)


@pytest.mark.parametrize(
    ("configured", "expected"),
    [
        ({"AWS_REGION": "us-east-1"}, {"AWS_REGION": "ap-south-1"}),  # reserved: Lambda wins
        ({"_HANDLER": "x.y"}, {"_HANDLER": "src/orders.handler"}),
        ({"AWS_ACCESS_KEY_ID": "AKIAREAL"}, {"AWS_ACCESS_KEY_ID": "AKIAFAKE"}),
        ({"AWS_ENDPOINT_URL_DYNAMODB": "https://dynamodb.aws"}, {}),  # never a real endpoint
        ({"AWS_PROFILE": "prod"}, {}),
        ({"TZ": "Europe/Paris"}, {"TZ": "Europe/Paris"}),  # not reserved: the function wins
        ({"LANG": "C.UTF-8", "PATH": "/opt/bin"}, {"LANG": "C.UTF-8", "PATH": "/opt/bin"}),
    ],
)
def test_function_environment_cannot_override_protected_names(
    configured: dict[str, str], expected: dict[str, str]
) -> None:
    env = build(function(environment=configured))
    for name in configured:
        assert env.get(name) == expected.get(name)


def test_function_environment_wins_over_passthrough() -> None:
    env = build(function(environment={"DEBUG": "0"}), passthrough=("DEBUG",))
    assert env["DEBUG"] == "0"


@pytest.mark.parametrize("name", ["AWS_PROFILE", "AWS_ENDPOINT_URL_S3", "AWS_ACCESS_KEY_ID"])
def test_passthrough_cannot_bring_credentials_or_endpoints(name: str) -> None:
    env = build(shell_env={**SHELL, name: "from-shell"}, passthrough=(name,))
    assert env.get(name) != "from-shell"


def test_missing_shell_path_falls_back_to_the_default_path() -> None:
    assert build(shell_env={})["PATH"]


def test_runtime_dir_is_set_when_given() -> None:
    assert build(runtime_dir="/opt/emulator")["LAMBDA_RUNTIME_DIR"] == "/opt/emulator"


@pytest.mark.parametrize(
    ("name", "protected"),
    [
        ("AWS_LAMBDA_FUNCTION_NAME", True),
        ("AWS_ENDPOINT_URL", True),
        ("AWS_ENDPOINT_URL_DYNAMODB", True),
        ("AWS_SHARED_CREDENTIALS_FILE", True),
        ("TABLE_NAME", False),
        ("TZ", False),
    ],
)
def test_protected_names(name: str, protected: bool) -> None:
    assert is_protected(name) is protected


def test_ignored_names_lists_what_the_emulator_overrides() -> None:
    fn = function(environment={"AWS_REGION": "x", "TABLE": "t", "AWS_ENDPOINT_URL_S3": "y"})
    assert ignored_names(fn, passthrough=("AWS_PROFILE", "DEBUG"), aws_env=AWS_ENV) == (
        "AWS_ENDPOINT_URL_S3",
        "AWS_PROFILE",
        "AWS_REGION",
    )


def test_function_arn_is_unqualified() -> None:
    assert function_arn(SERVICE, function()) == (
        "arn:aws:lambda:ap-south-1:123456789012:function:shop-prod-orders"
    )
