"""serverless.yml -> a frozen ServiceConfig, as the Serverless Framework (v3) reads it.

Reads the YAML (CloudFormation short tags included, duplicate keys refused as js-yaml does),
resolves Serverless variables, then the CloudFormation intrinsics the emulator can answer, and
keeps what the emulator serves (emulator/config/service.py). Everything it does not emulate is
named in `unsupported`, never silently dropped. Errors name the file, the key path and, where
known, the line.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from emulator.config.api_keys import read_api_keys, read_usage_plans
from emulator.config.authorizers import Targets
from emulator.config.cognito import read_user_pools
from emulator.config.document import Document
from emulator.config.events.base import Scope
from emulator.config.events.table import INTO, read_events
from emulator.config.fragments import merge_fragments
from emulator.config.gateway_responses import read_gateway_responses
from emulator.config.http_api_events import (
    check_http_api_routes,
    function_payload,
    http_api_cors,
    provider_payload,
)
from emulator.config.http_authorizers import read_http_authorizers
from emulator.config.http_events import check_routes
from emulator.config.intrinsics import CfnContext, resolve_intrinsics, unresolved_intrinsics
from emulator.config.lift import apply_constructs
from emulator.config.lift_constructs import PLUGIN as LIFT_PLUGIN
from emulator.config.offline import read_offline
from emulator.config.packaging import HANDLED_PLUGINS, read_packaging
from emulator.config.project import framework_version_note
from emulator.config.queues import read_queues_and_buckets
from emulator.config.resources import read_tables
from emulator.config.service import (
    DEFAULT_MEMORY_MB,
    DEFAULT_RUNTIME,
    DEFAULT_TIMEOUT_S,
    FunctionConfig,
    ServiceConfig,
)
from emulator.config.variables import ACCOUNT_ID, resolve
from emulator.config.yamlfile import KeyPath, read_yaml

_STAGE = re.compile(r"[-_a-zA-Z0-9]+")  # API Gateway stage names (Serverless checks it too)
_KNOWN_API_GATEWAY_KEYS = frozenset({"binaryMediaTypes", "shouldStartNameWithService",
                                     "description", "metrics", "apiKeys", "usagePlan",
                                     "request"})  # request.schemas: config/request_validation


def load_service(
    path: Path,
    *,
    stage: str | None = None,
    region: str | None = None,
    env: Mapping[str, str] | None = None,
    params: Mapping[str, str] | None = None,
    placeholder_remote: bool = False,
    layer_paths: Mapping[str, Path] | None = None,
) -> ServiceConfig:
    """Read, resolve and validate serverless.yml; raise ConfigError naming file/key/line.

    `stage`/`region` are the CLI's --stage/--region (None when not given, so the file's own
    defaults apply); `env` is what ${env:...} reads (the process environment when None);
    `params` the --param pairs; `placeholder_remote` lets a remote variable (ssm, cf, s3)
    missing from .emulator/values.yml resolve to a visible placeholder; `layer_paths` the
    --layer ARN=PATH pairs.
    """
    path = Path(path)
    raw, lines = read_yaml(path)
    options = {k: v for k, v in (("stage", stage), ("region", region)) if v}
    notes: list[str] = []
    document = resolve(raw, options=options, env=os.environ if env is None else env,
                       file=path, lines=lines, params=params,
                       placeholder_remote=placeholder_remote, notes=notes)
    document = merge_fragments(document, lines, str(path))
    document, lift_unsupported = apply_constructs(document, path, lines, stage)
    if version_note := framework_version_note(document):
        notes.insert(0, version_note)
    builder = _Builder(document, path, lines)
    builder.layer_paths = dict(layer_paths or {})
    builder.unsupported += lift_unsupported  # emulator/config/lift.py
    return builder.build(options, notes)


def _deployed_name(spec: Any, default: str) -> str:
    """A function's deployed name: its `name:`, else "{service}-{stage}-{key}"."""
    return str(spec.get("name") or default) if isinstance(spec, dict) else default


class _Builder(Document):
    """Turns the resolved document into a ServiceConfig, collecting what is not emulated."""

    def build(self, options: Mapping[str, str], notes: list[str]) -> ServiceConfig:
        service = self.service_name()
        stage = str(options.get("stage") or self.provider.get("stage") or "dev")
        region = str(options.get("region") or self.provider.get("region") or "us-east-1")
        if not _STAGE.fullmatch(stage):
            raise self.error(("provider", "stage"), f"invalid stage name {stage!r}: API Gateway "
                                                    "allows only [-_a-zA-Z0-9]")
        context, tables = read_tables(self, service, stage, region)
        pools = read_user_pools(self, f"{service}-{stage}", context)
        queues, buckets = read_queues_and_buckets(self, context, service, stage)
        functions, events = self.functions(service, stage, context,
                                           frozenset(p.logical_id for p in pools),
                                           {"tables": {t.name: t.properties for t in tables},
                                            "buckets": frozenset(b.name for b in buckets)})
        check_routes(self, events["routes"])
        check_http_api_routes(self, events["http_api_routes"])
        api_routes = tuple(route for route, _ in events["http_api_routes"])
        api_cors = http_api_cors(self, list(api_routes))
        iam_statements = self.iam(context)
        offline = read_offline(self)
        packaging = read_packaging(self)
        usage_plans = read_usage_plans(self)
        api_keys = read_api_keys(self, usage_plans)
        gateway_responses = read_gateway_responses(self, context)
        self.scan_unsupported()
        return ServiceConfig(
            service=service, stage=stage, region=region, root=self.path.resolve().parent,
            config_path=self.path.resolve(), functions=MappingProxyType(functions),
            routes=tuple(route for route, _ in events["routes"]), tables=tables,
            iam_statements=iam_statements, binary_media_types=self.binary_media_types(),
            account_id=ACCOUNT_ID, unsupported=tuple(dict.fromkeys(self.unsupported)),
            notes=tuple(notes), iam_key=self.iam_key(), offline=offline,
            http_api_routes=api_routes, http_api_cors=api_cors,
            packaging=packaging, api_keys=api_keys, usage_plans=usage_plans, user_pools=pools,
            gateway_responses=gateway_responses,
            queues=queues, buckets=buckets, events=tuple(e for e, _ in events["events"]))

    def service_name(self) -> str:
        service = self.doc.get("service")
        if isinstance(service, dict):  # the legacy `service: {name: ...}` form
            service = service.get("name")
        if not isinstance(service, str) or not service:
            raise self.error(("service",), "service name is required (service: my-service)")
        return service

    def functions(self, service: str, stage: str, context: CfnContext,
                  pools: frozenset[str] = frozenset(),
                  resources: Mapping[str, Any] | None = None
                  ) -> tuple[dict[str, FunctionConfig], dict[str, list[tuple[Any, KeyPath]]]]:
        """The functions, and their events by destination (config/events/table.py);
        `resources`: what the event readers check against (tables, buckets)."""
        raw_functions = self.mapping(self.doc.get("functions"), ("functions",))
        provider_env = self.environment(self.provider.get("environment"),
                                        ("provider", "environment"), context)
        functions: dict[str, FunctionConfig] = {}
        events: dict[str, list[tuple[Any, KeyPath]]] = {into: [] for into in INTO}
        payload = provider_payload(self)
        deployed = {_deployed_name(spec, f"{service}-{stage}-{name}"): str(name)
                    for name, spec in raw_functions.items()}
        targets = Targets(deployed, pools)
        http_authorizers = read_http_authorizers(self, targets)
        for name, raw in raw_functions.items():
            key = ("functions", str(name))
            spec = self.mapping(raw, key)
            if spec.get("image") and not spec.get("handler"):
                self.note((*key, "image"), "a container image function is not run")
                continue
            env = {**provider_env,
                   **self.environment(spec.get("environment"), (*key, "environment"), context)}
            functions[str(name)] = self.function(str(name), spec, env, f"{service}-{stage}")
            scope = Scope(self, context, targets, function_payload(self, spec, key, payload),
                          http_authorizers, resources or {})
            for into, found in read_events(scope, str(name), spec, key).items():
                events[into].extend(found)
        return functions, events

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
        if spec.get("iamRoleStatements"):
            self.note((*key, "iamRoleStatements"))
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

    def iam_key(self) -> str:
        """The key the file keeps its role statements under (v3's, unless only the old one)."""
        role = self.provider.get("iam")
        if self.provider.get("iamRoleStatements") and not (
                isinstance(role, dict) and isinstance(role.get("role"), dict)
                and role["role"].get("statements")):
            return "provider.iamRoleStatements"
        return "provider.iam.role.statements"

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
        if self.doc.get("useDotenv"):
            self.note(("useDotenv",))
        plugins = self.doc.get("plugins") or []
        if isinstance(plugins, dict):
            plugins = plugins.get("modules") or []
        for i, plugin in enumerate(plugins if isinstance(plugins, list) else []):
            if str(plugin) not in HANDLED_PLUGINS | {LIFT_PLUGIN}:  # packaging.py, lift.py
                self.note(("plugins", i), str(plugin))

