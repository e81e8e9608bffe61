"""serverless.yml -> a frozen ServiceConfig, as the Serverless Framework (v3) reads it.

Reads the YAML (CloudFormation short tags included, duplicate keys refused as js-yaml does),
resolves Serverless variables, then the CloudFormation intrinsics the emulator can answer, and
keeps what the emulator serves: functions (handler, environment, timeout, memorySize, ...),
the routes of `http` events, the DynamoDB tables of `resources:`, the IAM role statements.
Everything it does not emulate is named in `unsupported`, never silently dropped. Errors name
the file, the key path and, where known, the line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from emulator.config import cors
from emulator.config.cors import SLS_DEFAULT_CORS_HEADERS, CorsConfig
from emulator.config.errors import ConfigError
from emulator.config.paths import RouteError, check_resource_tree
from emulator.config.variables import (
    ACCOUNT_ID,
    CfnContext,
    resolve,
    resolve_intrinsics,
    unresolved_intrinsics,
)
from emulator.config.yamlfile import KeyPath, format_path, read_yaml

__all__ = [  # CorsConfig and SLS_DEFAULT_CORS_HEADERS live in cors.py, re-exported here
    "DEFAULT_ACCOUNT_ID", "DEFAULT_MEMORY_MB", "DEFAULT_TIMEOUT_S", "SLS_DEFAULT_CORS_HEADERS",
    "CorsConfig", "FunctionConfig", "Route", "ServiceConfig", "TableConfig", "load_service"]
DEFAULT_TIMEOUT_S = 6.0  # Serverless Framework default `timeout`
DEFAULT_MEMORY_MB = 1024  # Serverless Framework default `memorySize`
DEFAULT_ACCOUNT_ID = ACCOUNT_ID  # moto's default account; what ${aws:accountId} resolves to
DEFAULT_RUNTIME = "nodejs14.x"  # Serverless Framework v3 default `provider.runtime`
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY"})
_STAGE = re.compile(r"[-_a-zA-Z0-9]+")  # API Gateway stage names (Serverless checks it too)
_KNOWN_API_GATEWAY_KEYS = frozenset({"binaryMediaTypes", "shouldStartNameWithService",
                                     "description", "metrics"})


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
    """Read, resolve and validate serverless.yml; raise ConfigError naming file/key/line.

    `stage`/`region` are the CLI's --stage/--region (None when not given, so the file's own
    defaults apply); `env` is what ${env:...} reads (the process environment when None).
    """
    path = Path(path)
    raw, lines = read_yaml(path)
    options = {k: v for k, v in (("stage", stage), ("region", region)) if v}
    document = resolve(raw, options=options, env=os.environ if env is None else env,
                       file=path, lines=lines)
    return _Builder(document, path, lines).build(options)


def normalize_path(path: str) -> str:
    """Serverless `path:` to a resource template: "reviews/{id}/" -> "/reviews/{id}"."""
    return "/" + path.strip().strip("/")


class _Builder:
    """Turns the resolved document into a ServiceConfig, collecting what is not emulated."""

    def __init__(self, document: dict[str, Any], path: Path, lines: dict[KeyPath, int]) -> None:
        self.doc, self.path, self.file, self.lines = document, path, str(path), lines
        self.unsupported: list[str] = []
        self.provider = self.mapping(document.get("provider"), ("provider",))

    def error(self, key: KeyPath, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, key=format_path(key) or None,
                           line=self.lines.get(key))

    def note(self, key: KeyPath, what: str = "") -> None:
        self.unsupported.append(format_path(key) + (f" ({what})" if what else ""))

    def mapping(self, value: Any, key: KeyPath) -> dict[Any, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key, "must be a mapping")
        return value

    def build(self, options: Mapping[str, str]) -> ServiceConfig:
        service = self.service_name()
        stage = str(options.get("stage") or self.provider.get("stage") or "dev")
        region = str(options.get("region") or self.provider.get("region") or "us-east-1")
        if not _STAGE.fullmatch(stage):
            raise self.error(("provider", "stage"), f"invalid stage name {stage!r}: API Gateway "
                                                    "allows only [-_a-zA-Z0-9]")
        context, tables = self.tables(service, stage, region)
        functions, routes = self.functions(service, stage, context)
        self.check_routes(routes)
        iam_statements = self.iam(context)
        self.scan_unsupported()
        return ServiceConfig(
            service=service, stage=stage, region=region, root=self.path.resolve().parent,
            config_path=self.path.resolve(), functions=MappingProxyType(functions),
            routes=tuple(route for route, _ in routes), tables=tables,
            iam_statements=iam_statements, binary_media_types=self.binary_media_types(),
            account_id=ACCOUNT_ID, unsupported=tuple(dict.fromkeys(self.unsupported)))

    def service_name(self) -> str:
        service = self.doc.get("service")
        if isinstance(service, dict):  # the legacy `service: {name: ...}` form
            service = service.get("name")
        if not isinstance(service, str) or not service:
            raise self.error(("service",), "service name is required (service: my-service)")
        return service

    def tables(self, service: str, stage: str, region: str
               ) -> tuple[CfnContext, tuple[TableConfig, ...]]:
        key = ("resources", "Resources")
        resources = self.mapping(self.mapping(self.doc.get("resources"), key[:1]).get(key[1]), key)
        base = CfnContext(region, ACCOUNT_ID, f"{service}-{stage}")
        found: list[tuple[str, str, dict[str, Any]]] = []
        for logical_id, raw in resources.items():
            rkey = (*key, logical_id)
            resource = self.mapping(raw, rkey)
            if resource.get("Type") != "AWS::DynamoDB::Table":
                self.note(rkey, str(resource.get("Type")))
                continue
            props = self.mapping(resource.get("Properties"), (*rkey, "Properties"))
            # Without TableName CloudFormation generates "{stack}-{LogicalId}-{random}"; the
            # emulator uses "{service}-{stage}-{LogicalId}" (stable across restarts).
            name = resolve_intrinsics(props.get("TableName"), base) or (
                f"{service}-{stage}-{logical_id}")
            if not isinstance(name, str):
                raise self.error((*rkey, "Properties", "TableName"),
                                 "TableName must resolve to a string")
            found.append((str(logical_id), name, props))
        context = _stack_context(base, found)
        tables = []
        for logical_id, name, props in found:
            properties = resolve_intrinsics({**props, "TableName": name}, context)
            for where, what in unresolved_intrinsics(properties, (*key, logical_id, "Properties")):
                self.note(where, what)
            tables.append(TableConfig(logical_id, name, properties))
        return context, tuple(tables)

    def functions(self, service: str, stage: str, context: CfnContext
                  ) -> tuple[dict[str, FunctionConfig], list[tuple[Route, KeyPath]]]:
        raw_functions = self.mapping(self.doc.get("functions"), ("functions",))
        provider_env = self.environment(self.provider.get("environment"),
                                        ("provider", "environment"), context)
        functions: dict[str, FunctionConfig] = {}
        routes: list[tuple[Route, KeyPath]] = []
        for name, raw in raw_functions.items():
            key = ("functions", str(name))
            spec = self.mapping(raw, key)
            env = {**provider_env,
                   **self.environment(spec.get("environment"), (*key, "environment"), context)}
            functions[str(name)] = self.function(str(name), spec, env, f"{service}-{stage}")
            routes.extend(self.http_routes(str(name), spec, key))
        return functions, routes

    def function(self, name: str, spec: dict[str, Any], env: dict[str, str],
                 prefix: str) -> FunctionConfig:
        key = ("functions", name)
        handler = spec.get("handler")
        if not isinstance(handler, str) or not handler.strip():
            raise self.error((*key, "handler"), "handler is required (e.g. handler: app.main)")
        reserved = spec.get("reservedConcurrency")
        if reserved is not None and (isinstance(reserved, bool) or not isinstance(reserved, int)
                                     or reserved < 0):
            raise self.error((*key, "reservedConcurrency"), "must be a non-negative integer")
        for extra in ("layers", "iamRoleStatements"):
            if spec.get(extra):
                self.note((*key, extra))
        return FunctionConfig(
            name=name, full_name=str(spec.get("name") or f"{prefix}-{name}"),
            handler=handler.strip(), environment=MappingProxyType(env),
            timeout_s=self.number(spec, name, "timeout", DEFAULT_TIMEOUT_S),
            memory_mb=int(self.number(spec, name, "memorySize", DEFAULT_MEMORY_MB)),
            reserved_concurrency=reserved, runtime=self.runtime(spec, name))

    def number(self, spec: dict[str, Any], name: str, option: str, default: float) -> float:
        """A function option that the provider sets for all functions unless overridden."""
        key = ("functions", name, option) if option in spec else ("provider", option)
        value = spec.get(option, self.provider.get(option, default))
        if isinstance(value, str) and re.fullmatch(r"\d+(\.\d+)?", value.strip()):
            value = float(value)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.error(key, f"{option} must be a positive number")
        return float(value)

    def runtime(self, spec: dict[str, Any], name: str) -> str:
        runtime = spec.get("runtime") or self.provider.get("runtime")
        key = ("functions", name, "runtime") if spec.get("runtime") else ("provider", "runtime")
        if not runtime:
            self.note(key, f"not set: the Serverless Framework v3 default is {DEFAULT_RUNTIME}")
            return DEFAULT_RUNTIME
        if not str(runtime).startswith("python"):
            self.note(key, str(runtime))
        return str(runtime)

    def environment(self, value: Any, key: KeyPath, context: CfnContext) -> dict[str, str]:
        """Stringify values as CloudFormation does (numbers and booleans become strings)."""
        out: dict[str, str] = {}
        for name, raw in self.mapping(value, key).items():
            resolved = resolve_intrinsics(raw, context)
            where = (*key, str(name))
            if isinstance(resolved, bool):
                out[str(name)] = "true" if resolved else "false"
            elif isinstance(resolved, float) and resolved.is_integer():
                out[str(name)] = str(int(resolved))  # JavaScript prints 1.0 as "1"
            elif isinstance(resolved, int | float | str):
                out[str(name)] = str(resolved)
            elif unresolved := unresolved_intrinsics(resolved, where):
                self.note(where, unresolved[0][1])
            else:
                raise self.error(where, "environment values must be strings, numbers or booleans")
        return out

    def http_routes(self, function: str, spec: dict[str, Any], key: KeyPath
                    ) -> list[tuple[Route, KeyPath]]:
        events = spec.get("events") or []
        if not isinstance(events, list):
            raise self.error((*key, "events"), "events must be a list")
        routes = []
        for i, event in enumerate(events):
            ekey = (*key, "events", i)
            if not isinstance(event, dict) or len(event) != 1:
                raise self.error(ekey, "each event is a mapping with one key (http:, sqs:, ...)")
            ((kind, http),) = event.items()
            if kind != "http":
                self.note((*ekey, str(kind)))
                continue
            routes.append((self.http_route(function, http, (*ekey, "http")), (*ekey, "http")))
        return routes

    def http_route(self, function: str, http: Any, key: KeyPath) -> Route:
        method: Any
        path: Any
        if isinstance(http, str):
            parts = http.split()
            if len(parts) != 2:
                raise self.error(key, 'use "METHOD path", e.g. http: GET reviews/{id}')
            method, path, options = parts[0], parts[1], {}
        elif isinstance(http, dict):
            method, path, options = http.get("method"), http.get("path"), http
            for name, value in (("path", path), ("method", method)):
                if not isinstance(value, str):
                    raise self.error((*key, name), f"{name} is required")
        else:
            raise self.error(key, "http must be a string or a mapping")
        verb = "ANY" if method.lower() == "any" else method.upper()
        if verb not in HTTP_METHODS:
            raise self.error(key, f"unknown HTTP method {method!r}")
        self.http_unsupported(options, key)
        cors_config = cors.parse(options.get("cors"), key=format_path((*key, "cors")),
                                 file=self.file)
        return Route(verb, normalize_path(path), function, cors_config)

    def http_unsupported(self, options: dict[str, Any], key: KeyPath) -> None:
        for name in ("authorizer", "request"):
            if options.get(name) is not None:
                self.note((*key, name))
        for name in ("private", "async"):
            if options.get(name):
                self.note((*key, name))
        integration = options.get("integration")
        if integration is not None and str(integration).lower().replace("_", "-") not in (
                "lambda-proxy", "aws-proxy"):
            self.note((*key, "integration"), str(integration))

    def check_routes(self, routes: list[tuple[Route, KeyPath]]) -> None:
        seen: dict[tuple[str, str], KeyPath] = {}
        for route, key in routes:
            first = seen.setdefault((route.method, route.resource), key)
            if first is not key:
                raise self.error(key, f"duplicate route {route.method} {route.resource} "
                                      f"(also at {format_path(first)})")
        try:
            check_resource_tree(dict.fromkeys(route.resource for route, _ in routes))
        except RouteError as exc:
            key = next(k for r, k in routes if r.resource == exc.resource)
            raise self.error(key, exc.detail) from None

    def iam(self, context: CfnContext) -> tuple[Mapping[str, Any], ...]:
        role_key = ("provider", "iam", "role")
        role = self.mapping(self.provider.get("iam"), role_key[:2]).get("role")
        statements: list[tuple[KeyPath, Any]] = []
        if isinstance(role, str):
            self.note(role_key, "an existing role: its policies are not known")
        else:
            role = self.mapping(role, role_key)
            statements += self.statements(role.get("statements"), (*role_key, "statements"))
            for name in ("managedPolicies", "permissionsBoundary"):
                if role.get(name):
                    self.note((*role_key, name))
        statements += self.statements(self.provider.get("iamRoleStatements"),
                                      ("provider", "iamRoleStatements"))
        for name in ("iamManagedPolicies", "role"):
            if self.provider.get(name):
                self.note(("provider", name))
        resolved = []
        for key, statement in statements:
            value = resolve_intrinsics(statement, context)
            for where, what in unresolved_intrinsics(value, key):
                self.note(where, what)
            resolved.append(value)
        return tuple(resolved)

    def statements(self, value: Any, key: KeyPath) -> list[tuple[KeyPath, Any]]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(s, dict) for s in value):
            raise self.error(key, "must be a list of IAM statements (Effect, Action, Resource)")
        return [((*key, i), statement) for i, statement in enumerate(value)]

    def binary_media_types(self) -> tuple[str, ...]:
        key = ("provider", "apiGateway")
        api_gateway = self.mapping(self.provider.get("apiGateway"), key)
        types = api_gateway.get("binaryMediaTypes") or []
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise self.error((*key, "binaryMediaTypes"), "must be a list of media types")
        return tuple(types)

    def scan_unsupported(self) -> None:
        """Name the top-level settings that change behaviour but are not emulated."""
        for name in self.mapping(self.provider.get("apiGateway"), ("provider", "apiGateway")):
            if name not in _KNOWN_API_GATEWAY_KEYS:
                self.note(("provider", "apiGateway", name))
        for name in ("httpApi", "layers"):
            if self.provider.get(name):
                self.note(("provider", name))
        if self.doc.get("useDotenv"):
            self.note(("useDotenv",))
        plugins = self.doc.get("plugins") or []
        if isinstance(plugins, dict):
            plugins = plugins.get("modules") or []
        for i, plugin in enumerate(plugins if isinstance(plugins, list) else []):
            self.note(("plugins", i), str(plugin))


def _stack_context(base: CfnContext, tables: list[tuple[str, str, dict[str, Any]]]
                   ) -> CfnContext:
    """Ref of a table is its name; Fn::GetAtt Arn its ARN (StreamArn: any stream of it)."""
    refs = {logical_id: name for logical_id, name, _ in tables}
    attributes: dict[str, str] = {}
    for logical_id, name, _ in tables:
        arn = f"arn:aws:dynamodb:{base.region}:{base.account_id}:table/{name}"
        attributes[f"{logical_id}.Arn"] = arn
        attributes[f"{logical_id}.StreamArn"] = f"{arn}/stream/*"
    return CfnContext(base.region, base.account_id, base.stack_name, refs, attributes)
