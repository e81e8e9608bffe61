"""serverless.yml -> a frozen ServiceConfig, as the Serverless Framework (v3) reads it.

STUB: interface fixed; implementation in progress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT_S = 6.0  # Serverless Framework default `timeout`
DEFAULT_MEMORY_MB = 1024  # Serverless Framework default `memorySize`
DEFAULT_ACCOUNT_ID = "123456789012"  # moto's default account; what ${aws:accountId} resolves to
SLS_DEFAULT_CORS_HEADERS = (
    "Content-Type",
    "X-Amz-Date",
    "Authorization",
    "X-Api-Key",
    "X-Amz-Security-Token",
    "X-Amz-User-Agent",
    "X-Amzn-Trace-Id",
)


@dataclass(frozen=True, slots=True)
class CorsConfig:
    """The `cors:` of an http event (`true` gives the Serverless Framework defaults)."""

    origins: tuple[str, ...] = ("*",)
    headers: tuple[str, ...] = SLS_DEFAULT_CORS_HEADERS
    allow_credentials: bool = False
    max_age: int | None = None


@dataclass(frozen=True, slots=True)
class Route:
    """One `http` event: METHOD (upper case, or ANY) + resource template like `/reviews/{id}`."""

    method: str
    resource: str
    function: str  # key under `functions:`
    cors: CorsConfig | None = None


@dataclass(frozen=True, slots=True)
class FunctionConfig:
    name: str  # key under `functions:`, e.g. "create"
    full_name: str  # deployed name: "{service}-{stage}-{name}" unless `name:` overrides
    handler: str  # e.g. "api/reviews.create"
    environment: Mapping[str, str]  # provider.environment + function environment (function wins)
    timeout_s: float = DEFAULT_TIMEOUT_S
    memory_mb: int = DEFAULT_MEMORY_MB
    reserved_concurrency: int | None = None
    runtime: str = "python3.12"


@dataclass(frozen=True, slots=True)
class TableConfig:
    """An AWS::DynamoDB::Table from `resources:` with its (resolved) CloudFormation Properties."""

    logical_id: str
    name: str
    properties: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ServiceConfig:
    service: str
    stage: str
    region: str
    root: Path  # folder of serverless.yml; handler paths resolve from here
    config_path: Path
    functions: Mapping[str, FunctionConfig]
    routes: tuple[Route, ...]
    tables: tuple[TableConfig, ...] = ()
    iam_statements: tuple[Mapping[str, Any], ...] = ()
    binary_media_types: tuple[str, ...] = ()
    account_id: str = DEFAULT_ACCOUNT_ID
    unsupported: tuple[str, ...] = field(default=())  # parts not emulated, named for one warning


def load_service(
    path: Path,
    *,
    stage: str | None = None,
    region: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ServiceConfig:
    """Read, resolve and validate serverless.yml; raise ConfigError naming file/key/line."""
    raise NotImplementedError
