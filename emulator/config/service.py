"""The service model the emulator serves: frozen values read from serverless.yml.

`ServiceConfig` holds the functions (handler, environment, timeout, memorySize, ...), the
routes of `http` events, the DynamoDB tables of `resources:` and the IAM role statements, as
the Serverless Framework (v3) would deploy them. emulator/config/loader.py builds it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.config.api_keys import ApiKeyConfig, UsagePlanConfig
from emulator.config.authorizers import AuthorizerConfig
from emulator.config.cognito import UserPoolConfig
from emulator.config.cors import CorsConfig
from emulator.config.events.base import SourceEvent
from emulator.config.gateway_responses import GatewayResponseConfig
from emulator.config.http_authorizers import HttpRouteAuth
from emulator.config.offline import OfflineSettings, base_path
from emulator.config.packaging import Packaging
from emulator.config.request_validation import RequestValidation
from emulator.config.variables import ACCOUNT_ID

DEFAULT_TIMEOUT_S = 6.0  # Serverless Framework default `timeout`
DEFAULT_MEMORY_MB = 1024  # Serverless Framework default `memorySize`
DEFAULT_ACCOUNT_ID = ACCOUNT_ID  # moto's default account; what ${aws:accountId} resolves to
DEFAULT_RUNTIME = "nodejs14.x"  # Serverless Framework v3 default `provider.runtime`
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})


@dataclass(frozen=True, slots=True)
class Route:
    """One `http` event: METHOD (upper case, or ANY) + resource template like `/reviews/{id}`."""

    method: str
    resource: str
    function: str  # key under `functions:`
    cors: CorsConfig | None = None
    authorizer: AuthorizerConfig | None = None
    private: bool = False  # needs an API key (x-api-key)
    validation: RequestValidation | None = None  # `request:` schemas / required parameters


@dataclass(frozen=True, slots=True)
class HttpApiRoute:
    """One `httpApi` event: a route of the HTTP API (v2), served at the root ($default stage).

    `method` is upper case or ANY; `path` a route path like `/pets/{id}` or `/{proxy+}`, or
    None for the catch-all `$default` route (`httpApi: '*'`). `authorizer` names the
    authorizer of the event (filled by authorizer support; None: open route).
    """

    method: str
    path: str | None
    function: str  # key under `functions:`
    payload: str = "2.0"  # payloadFormatVersion: "2.0" or "1.0"
    authorizer: str | None = None
    auth: HttpRouteAuth | None = None  # what the authorizer asks for (enforced by HttpApi)

    @property
    def route_key(self) -> str:
        """The routeKey AWS puts in the event: "GET /pets/{id}", or "$default"."""
        return "$default" if self.path is None else f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class HttpApiCors:
    """`provider.httpApi.cors`, as the Serverless Framework compiles it (CorsConfiguration)."""

    allow_origins: tuple[str, ...] = ("*",)
    allow_headers: tuple[str, ...] = ()
    allow_methods: tuple[str, ...] = ()
    allow_credentials: bool = False
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None


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
class QueueConfig:
    """An AWS::SQS::Queue from `resources:`: its name and the create_queue Attributes."""

    logical_id: str
    name: str  # QueueName, else "{service}-{stage}-{LogicalId}" (+ ".fifo")
    attributes: Mapping[str, str]  # create_queue Attributes (RedrivePolicy as JSON text)
    dead_letter_target: str | None = None  # the queue name RedrivePolicy sends to


@dataclass(frozen=True, slots=True)
class BucketConfig:
    """An AWS::S3::Bucket from `resources:` (created empty; its other properties: not emulated)."""

    logical_id: str
    name: str


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
    api_keys: tuple[ApiKeyConfig, ...] = ()
    usage_plans: tuple[UsagePlanConfig, ...] = ()  # provider.apiGateway.usagePlan
    user_pools: tuple[UserPoolConfig, ...] = ()
    unsupported: tuple[str, ...] = field(default=())  # parts not emulated, named for one warning
    http_api_routes: tuple[HttpApiRoute, ...] = ()  # `httpApi` events, in file order
    http_api_cors: HttpApiCors | None = None  # provider.httpApi.cors
    notes: tuple[str, ...] = ()  # what reading the file assumed (v1/v2 defaults, placeholders)
    iam_key: str = "provider.iam.role.statements"  # where the file keeps its role statements
    # custom.serverless-offline, with the CLI's flags on top
    offline: OfflineSettings = field(default_factory=OfflineSettings)

    @property
    def base_path(self) -> str:
        """Where the routes start: "/{stage}" (or as custom.serverless-offline says)."""
        return base_path(self.stage, self.offline)

    def usage_plan(self, name: str | None) -> UsagePlanConfig | None:
        """The usage plan of that name when it throttles or has a quota, else None."""
        found = next((p for p in self.usage_plans if p.name == name), None)
        return found if found is not None and found.enforced else None
    packaging: Packaging = field(default_factory=Packaging)  # requirements, WSGI app, layers
    # AWS::ApiGateway::GatewayResponse of `resources:` (emulator/config/gateway_responses.py)
    gateway_responses: tuple[GatewayResponseConfig, ...] = ()
    queues: tuple[QueueConfig, ...] = ()  # AWS::SQS::Queue of `resources:`
    buckets: tuple[BucketConfig, ...] = ()  # AWS::S3::Bucket of `resources:`
    # the events emulator/sources/ runs (sqs, schedule, ...), in file order
    events: tuple[SourceEvent, ...] = ()

    def events_of(self, kind: str) -> tuple[SourceEvent, ...]:
        """The events of one kind (config/events/table.py names the kinds)."""
        return tuple(e for e in self.events if e.kind == kind)
