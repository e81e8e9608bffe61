"""The emulator reads serverless.yml the way the Serverless Framework packages it.

GIVEN the CloudFormation template `serverless package` generated (committed under
tests/fixtures/packaged/<stage>/ by `python tools/package_check.py --update-fixture`; no npm is
needed here) WHEN the emulator loads serverless.yml for the same stage and region THEN both
describe the same functions (name, handler, runtime, memory, timeout, reserved concurrency,
environment), routes (method + path, rebuilt from the AWS::ApiGateway::Resource chain), CORS
preflights (the OPTIONS MOCK methods and their Access-Control-* headers), tables (key schema,
attribute definitions, billing mode, indexes) and the role's own IAM statements.
A serverless.yml change the fixture does not reflect fails here: regenerate the fixture.

Intrinsic functions. The template keeps what only CloudFormation can answer (`Ref`,
`Fn::GetAtt`, `Fn::Join`, `Fn::Sub`); literal values are compared as they are. The template's
intrinsics are evaluated here, independently of the emulator's resolver, where the answer is
known before deployment: pseudo parameters (region and account from the fixture's meta file),
`Ref` of a table (its TableName) and `Fn::GetAtt <table>.Arn`/`.StreamArn`. Anything else (e.g.
`Ref ApiGatewayRestApi`) is unknown until deployment: for an environment variable the emulator
must then leave it out and name it in `ServiceConfig.unsupported`; elsewhere the test fails,
pointing at the value that needs a rule here.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig
from emulator.config.yamlfile import CfnLoader
from emulator.gateway import cors
from emulator.gateway.routes import RouteTable

ROOT = Path(__file__).resolve().parents[3]
SERVERLESS_YML = ROOT / "serverless.yml"
FIXTURES = ROOT / "tests" / "fixtures" / "packaged"
TEMPLATE_NAME = "cloudformation-template-update-stack.json"
META_NAME = "package-meta.json"
HEADER_PARAMETER = "method.response.header."
TABLE_KEYS = (
    "TableName",
    "KeySchema",
    "AttributeDefinitions",
    "BillingMode",
    "GlobalSecondaryIndexes",
    "LocalSecondaryIndexes",
)
ASPECTS = ("functions", "unresolved_environment", "routes", "preflights", "tables", "iam")


class Unresolvable(Exception):
    """An intrinsic function whose value only exists once the stack is deployed."""


@dataclass(frozen=True, slots=True)
class Stack:
    """A packaged template and what its intrinsics resolve to before deployment."""

    template: Mapping[str, Any]
    service: str
    stage: str
    region: str
    account_id: str

    @property
    def resources(self) -> Mapping[str, Any]:
        return dict(self.template["Resources"])

    def of_type(self, kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """Yield (logical id, Properties) of the resources of one type."""
        for logical_id, resource in self.resources.items():
            if resource["Type"] == kind:
                yield logical_id, resource.get("Properties", {})


def load_stack(folder: Path) -> Stack:
    """Read a fixture folder: the template and the meta file next to it."""
    meta = json.loads((folder / META_NAME).read_text(encoding="utf-8"))
    template = json.loads((folder / TEMPLATE_NAME).read_text(encoding="utf-8"))
    return Stack(template, meta["service"], meta["stage"], meta["region"], meta["account_id"])


def fixture_folders() -> list[Path]:
    """Return the packaged fixtures, one folder per stage."""
    if not FIXTURES.is_dir():
        return []
    return sorted(p.parent for p in FIXTURES.glob(f"*/{TEMPLATE_NAME}"))


# --- intrinsics of the template -----------------------------------------------------------------


def ref(name: str, stack: Stack) -> str:
    """Return what `Ref` gives before deployment: pseudo parameters and table names."""
    pseudo = {
        "AWS::Region": stack.region,
        "AWS::AccountId": stack.account_id,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::StackName": f"{stack.service}-{stack.stage}",
    }
    if name in pseudo:
        return pseudo[name]
    tables = dict(stack.of_type("AWS::DynamoDB::Table"))
    if name in tables and isinstance(tables[name].get("TableName"), str):
        return str(tables[name]["TableName"])
    raise Unresolvable(f"Ref {name}")


def get_att(logical_id: str, attribute: str, stack: Stack) -> str:
    """Return a table's Arn or StreamArn (any stream, as the emulator has it)."""
    table_arn = f"arn:aws:dynamodb:{stack.region}:{stack.account_id}:table/"
    arns = {"Arn": "", "StreamArn": "/stream/*"}
    if attribute in arns and logical_id in dict(stack.of_type("AWS::DynamoDB::Table")):
        return table_arn + ref(logical_id, stack) + arns[attribute]
    raise Unresolvable(f"Fn::GetAtt {logical_id}.{attribute}")


def substitute(argument: Any, stack: Stack) -> str:
    """Evaluate Fn::Sub: `${Name}`, `${Id.Attr}` and the variables map; `${!x}` stays `${x}`."""
    text, variables = (argument, {}) if isinstance(argument, str) else argument
    values = {name: resolve(value, stack) for name, value in variables.items()}

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("!"):
            return "${" + name[1:] + "}"
        if name in values:
            return str(values[name])
        logical_id, _, attribute = name.partition(".")
        return get_att(logical_id, attribute, stack) if attribute else ref(name, stack)

    return re.sub(r"\$\{([^}]+)\}", one, text)


def resolve(value: Any, stack: Stack) -> Any:
    """Evaluate the intrinsics of a template value; raise Unresolvable when deployment decides."""
    if isinstance(value, list):
        return [resolve(item, stack) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((name, argument),) = value.items()
        if name == "Ref":
            return ref(argument, stack)
        if name == "Fn::GetAtt":
            parts = argument.split(".", 1) if isinstance(argument, str) else argument
            return get_att(parts[0], parts[1], stack)
        if name == "Fn::Join":
            return str(argument[0]).join(str(resolve(p, stack)) for p in argument[1])
        if name == "Fn::Sub":
            return substitute(argument, stack)
        if name.startswith("Fn::"):
            raise Unresolvable(name)
    return {key: resolve(item, stack) for key, item in value.items()}


def as_env_string(value: Any) -> str:
    """Stringify an environment value as CloudFormation does (`true`, `3`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- the template's view ------------------------------------------------------------------------


def template_environment(
    props: Mapping[str, Any], stack: Stack
) -> tuple[dict[str, str], list[str]]:
    """Return a function's resolvable variables and the names of the unresolvable ones."""
    variables = props.get("Environment", {}).get("Variables", {})
    known: dict[str, str] = {}
    unknown: list[str] = []
    for name, value in variables.items():
        try:
            known[name] = as_env_string(resolve(value, stack))
        except Unresolvable:
            unknown.append(name)
    return known, sorted(unknown)


def template_functions(stack: Stack) -> dict[str, dict[str, Any]]:
    """Return each AWS::Lambda::Function's settings, keyed by FunctionName."""
    functions = {}
    for _, props in stack.of_type("AWS::Lambda::Function"):
        environment, _ = template_environment(props, stack)
        functions[props["FunctionName"]] = {
            "handler": props["Handler"],
            "runtime": props["Runtime"],
            "memory_mb": props.get("MemorySize"),
            "timeout_s": float(props["Timeout"]) if "Timeout" in props else None,
            "reserved_concurrency": props.get("ReservedConcurrentExecutions"),
            "environment": environment,
        }
    return functions


def template_unresolved_environment(stack: Stack) -> dict[str, list[str]]:
    """Return, per FunctionName, the variables only deployment can resolve."""
    return {
        props["FunctionName"]: template_environment(props, stack)[1]
        for _, props in stack.of_type("AWS::Lambda::Function")
    }


def resource_path(resource_id: Any, stack: Stack) -> str:
    """Rebuild a full path from ParentId/PathPart links ("/reviews/{id}"); the root is "/"."""
    if "Fn::GetAtt" in resource_id and resource_id["Fn::GetAtt"][1] == "RootResourceId":
        return "/"
    props = stack.resources[resource_id["Ref"]]["Properties"]
    parent = resource_path(props["ParentId"], stack).rstrip("/")
    return f"{parent}/{props['PathPart']}"


def integration_function(uri: Any, stack: Stack) -> str:
    """Return the FunctionName an integration Uri invokes (its `Fn::GetAtt <fn>.Arn`)."""
    functions = dict(stack.of_type("AWS::Lambda::Function"))
    found = [
        functions[attribute[0]]["FunctionName"]
        for attribute in find_key(uri, "Fn::GetAtt")
        if attribute[0] in functions
    ]
    assert len(found) == 1, f"expected one function in the integration Uri {uri}"
    return str(found[0])


def find_key(value: Any, key: str) -> Iterator[Any]:
    """Yield every value stored under `key` anywhere in a JSON value."""
    if isinstance(value, dict):
        for name, item in value.items():
            if name == key:
                yield item
            yield from find_key(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from find_key(item, key)


def template_methods(stack: Stack) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """Yield (method, full path, Properties) of every AWS::ApiGateway::Method."""
    for _, props in stack.of_type("AWS::ApiGateway::Method"):
        yield props["HttpMethod"], resource_path(props["ResourceId"], stack), props


def template_routes(stack: Stack) -> dict[str, str]:
    """Return "METHOD /path" -> FunctionName of the Lambda integrations (no CORS MOCKs)."""
    return {
        f"{method} {path}": integration_function(props["Integration"]["Uri"], stack)
        for method, path, props in template_methods(stack)
        if props["Integration"]["Type"] != "MOCK"
    }


def template_preflights(stack: Stack) -> dict[str, dict[str, str]]:
    """Return path -> the headers of its CORS OPTIONS MOCK reply."""
    preflights = {}
    for method, path, props in template_methods(stack):
        integration = props["Integration"]
        if method != "OPTIONS" or integration["Type"] != "MOCK":
            continue
        (response,) = integration["IntegrationResponses"]
        headers = {
            name.removeprefix(HEADER_PARAMETER): value.strip("'")
            for name, value in response["ResponseParameters"].items()
        }
        if "application/json" in response.get("ResponseTemplates", {}):
            headers["Content-Type"] = "application/json"
        preflights[path] = headers
    return preflights


def template_tables(stack: Stack) -> dict[str, dict[str, Any]]:
    """Return logical id -> the table's key-related properties, resolved."""
    return {
        logical_id: {key: resolve(props.get(key), stack) for key in TABLE_KEYS}
        for logical_id, props in stack.of_type("AWS::DynamoDB::Table")
    }


def is_framework_logs_statement(statement: Mapping[str, Any]) -> bool:
    """Tell the Serverless Framework's own CloudWatch Logs statements from the service's."""
    actions = as_list(statement.get("Action"))
    return (
        bool(actions)
        and all(str(a).startswith("logs:") for a in actions)
        and any(
            "log-group:/aws/lambda/" in json.dumps(r) for r in as_list(statement.get("Resource"))
        )
    )


def template_iam(stack: Stack) -> list[dict[str, Any]]:
    """Return the role's statements that came from provider.iam.role.statements, normalised."""
    role = stack.resources["IamRoleLambdaExecution"]["Properties"]
    statements = [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]
    return [
        normalise_statement(resolve(s, stack))
        for s in statements
        if not is_framework_logs_statement(s)
    ]


def template_views(stack: Stack) -> dict[str, Any]:
    """Return every compared aspect, as the packaged template has it."""
    return {
        "functions": template_functions(stack),
        "unresolved_environment": template_unresolved_environment(stack),
        "routes": template_routes(stack),
        "preflights": template_preflights(stack),
        "tables": template_tables(stack),
        "iam": template_iam(stack),
    }


# --- the emulator's view ------------------------------------------------------------------------


def as_list(value: Any) -> list[Any]:
    """Return a statement field as a list (IAM accepts one string or a list)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def normalise_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    """Make IAM statements comparable: single values as lists, actions and resources sorted."""
    listed = ("Action", "NotAction", "Resource", "NotResource")
    return {
        key: sorted(as_list(value), key=json.dumps) if key in listed else value
        for key, value in statement.items()
        if key != "Sid"
    }


def config_unresolved_environment(config: ServiceConfig) -> dict[str, list[str]]:
    """Return, per function, the variables the emulator names as not resolvable locally."""
    unresolved = {}
    for name, function in config.functions.items():
        prefixes = ("provider.environment.", f"functions.{name}.environment.")
        noted = {
            note.split(" ", 1)[0].removeprefix(prefix)
            for note in config.unsupported
            for prefix in prefixes
            if note.startswith(prefix)
        }
        unresolved[function.full_name] = sorted(noted - set(function.environment))
    return unresolved


def config_preflights(config: ServiceConfig) -> dict[str, dict[str, str]]:
    """Return path -> the headers the emulator's gateway answers an OPTIONS preflight with."""
    table = RouteTable(config.routes)
    preflights = {}
    for path in sorted({route.resource for route in config.routes if route.cors}):
        match = table.match("OPTIONS", path)  # a template is a path of itself
        assert match.resource == path and match.preflight is not None
        reply = cors.preflight(match.preflight.cors, match.preflight.methods, None)
        preflights[path] = dict(reply.headers)
    return preflights


def config_views(config: ServiceConfig) -> dict[str, Any]:
    """Return every compared aspect, as the emulator reads serverless.yml."""
    functions = config.functions
    return {
        "functions": {
            fn.full_name: {
                "handler": fn.handler,
                "runtime": fn.runtime,
                "memory_mb": fn.memory_mb,
                "timeout_s": fn.timeout_s,
                "reserved_concurrency": fn.reserved_concurrency,
                "environment": dict(fn.environment),
            }
            for fn in functions.values()
        },
        "unresolved_environment": config_unresolved_environment(config),
        "routes": {
            f"{r.method} {r.resource}": functions[r.function].full_name for r in config.routes
        },
        "preflights": config_preflights(config),
        "tables": {
            table.logical_id: {key: table.properties.get(key) for key in TABLE_KEYS}
            for table in config.tables
        },
        "iam": [normalise_statement(s) for s in config.iam_statements],
    }


def load_config(stack: Stack, path: Path = SERVERLESS_YML) -> ServiceConfig:
    """Load serverless.yml for the fixture's stage and region, with no ${env:} values."""
    return load_service(path, stage=stack.stage, region=stack.region, env={})


# --- tests --------------------------------------------------------------------------------------

STACKS = fixture_folders()
needs_fixture = pytest.mark.skipif(
    not STACKS, reason="no packaged template: run python tools/package_check.py --update-fixture"
)


@pytest.fixture(scope="module", params=STACKS, ids=[p.name for p in STACKS])
def stack(request: pytest.FixtureRequest) -> Stack:
    folder: Path = request.param
    return load_stack(folder)


@pytest.fixture(scope="module")
def views(stack: Stack) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the emulator's view, the template's view) of one stage."""
    return config_views(load_config(stack)), template_views(stack)


@needs_fixture
def test_fixture_is_of_this_service_stage_and_region(stack: Stack) -> None:
    config = load_config(stack)

    assert (config.service, config.stage, config.region) == (
        stack.service,
        stack.stage,
        stack.region,
    )
    assert config.account_id == stack.account_id


@needs_fixture
@pytest.mark.parametrize("aspect", ASPECTS)
def test_emulator_reads_serverless_yml_as_packaged(
    views: tuple[dict[str, Any], dict[str, Any]], aspect: str
) -> None:
    emulator_view, packaged_view = views

    assert emulator_view[aspect] == packaged_view[aspect], (
        f"{aspect} differ: if serverless.yml changed, regenerate the fixture with "
        "`python tools/package_check.py --update-fixture`"
    )


@needs_fixture
def test_every_cors_route_has_an_options_mock_method(stack: Stack) -> None:
    config = load_config(stack)
    cors_paths = {route.resource for route in config.routes if route.cors}

    if not cors_paths:
        pytest.skip("serverless.yml has no cors route")
    assert set(template_preflights(stack)) == cors_paths


Mutation = Callable[[dict[str, Any]], None]




def longer_timeout(doc: dict[str, Any]) -> None:
    first = next(iter(doc["functions"].values()))
    first["timeout"] = int(first.get("timeout", doc["provider"].get("timeout", 6))) + 1


def new_function(doc: dict[str, Any]) -> None:
    doc["functions"]["extra"] = {
        "handler": "api/extra.handler",
        "events": [{"http": {"path": "extra", "method": "get"}}],
    }


def new_route(doc: dict[str, Any]) -> None:
    first = next(iter(doc["functions"].values()))
    first.setdefault("events", []).append({"http": {"path": "other", "method": "patch"}})


def new_environment_value(doc: dict[str, Any]) -> None:
    doc["provider"].setdefault("environment", {})["EXTRA_SETTING"] = "on"


def new_sort_key(doc: dict[str, Any]) -> None:
    resources = doc.get("resources", {}).get("Resources", {}).values()
    tables = [r["Properties"] for r in resources if r["Type"] == "AWS::DynamoDB::Table"]
    if not tables:
        pytest.skip("serverless.yml has no table")
    tables[0]["KeySchema"].append({"AttributeName": "sk", "KeyType": "RANGE"})
    tables[0]["AttributeDefinitions"].append({"AttributeName": "sk", "AttributeType": "S"})


@needs_fixture
@pytest.mark.parametrize(
    ("mutate", "aspect"),
    [
        (longer_timeout, "functions"),
        (new_function, "functions"),
        (new_function, "routes"),
        (new_route, "routes"),
        (new_environment_value, "functions"),
        (new_sort_key, "tables"),
    ],
)
def test_a_serverless_yml_change_the_fixture_lacks_is_caught(
    stack: Stack, tmp_path: Path, mutate: Mutation, aspect: str
) -> None:
    # GIVEN a copy of serverless.yml changed in a way the packaged fixture does not reflect
    doc = yaml.load(SERVERLESS_YML.read_text(encoding="utf-8"), Loader=CfnLoader)
    mutate(doc)
    changed = tmp_path / "serverless.yml"
    changed.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")

    # WHEN the emulator reads it THEN it disagrees with the fixture on that aspect
    assert config_views(load_config(stack, changed))[aspect] != template_views(stack)[aspect]
