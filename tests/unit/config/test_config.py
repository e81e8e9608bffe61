"""serverless.yml -> ServiceConfig (emulator.config), against fixture services and small YAMLs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.cors import SLS_DEFAULT_CORS_HEADERS, CorsConfig
from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.config.service import (
    DEFAULT_MEMORY_MB,
    DEFAULT_TIMEOUT_S,
    Route,
    ServiceConfig,
)

REPO = Path(__file__).resolve().parents[3]
MINI = REPO / "tests" / "fixtures" / "services" / "mini" / "serverless.yml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "serverless.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str, **kwargs: str) -> ServiceConfig:
    return load_service(write(tmp_path, text), env={}, **kwargs)


BASE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
functions:
"""


@pytest.fixture(scope="module")
def mini() -> ServiceConfig:
    return load_service(MINI, env={})


def test_mini_service_identity_uses_the_files_defaults(mini: ServiceConfig) -> None:
    assert (mini.service, mini.stage, mini.region) == ("mini-shop", "local", "eu-west-1")
    assert mini.root == MINI.parent
    assert mini.config_path == MINI
    assert mini.binary_media_types == ("image/*",)
    assert mini.unsupported == ()


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("files", ("mini-shop-local-files", 1.0, 512, None)),
        ("item", ("mini-item-fn", 3.0, DEFAULT_MEMORY_MB, 2)),
        ("health", ("mini-shop-local-health", 3.0, DEFAULT_MEMORY_MB, None)),
    ],
)
def test_mini_functions_take_function_then_provider_then_defaults(
        mini: ServiceConfig, function: str, expected: tuple[object, ...]) -> None:
    config = mini.functions[function]
    assert (config.full_name, config.timeout_s, config.memory_mb,
            config.reserved_concurrency) == expected
    assert config.runtime == "python3.11"


def test_function_environment_wins_and_values_are_stringified(mini: ServiceConfig) -> None:
    assert dict(mini.functions["files"].environment) == {
        "TABLE_NAME": "mini-shop-items-local", "LOG_LEVEL": "DEBUG", "RETRIES": "3",
        "VERBOSE": "false", "MODE": "greedy"}
    assert dict(mini.functions["item"].environment)["LOG_LEVEL"] == "INFO"


def test_mini_routes_normalise_methods_and_paths(mini: ServiceConfig) -> None:
    assert [(r.method, r.resource, r.function) for r in mini.routes] == [
        ("ANY", "/files/{proxy+}", "files"),
        ("GET", "/items/{itemId}", "item"),
        ("DELETE", "/items/{itemId}", "item"),
        ("GET", "/", "health"),
    ]


def test_mini_cors_true_and_cors_object(mini: ServiceConfig) -> None:
    cors = {r.resource + " " + r.method: r.cors for r in mini.routes}
    assert cors["/ GET"] == CorsConfig()
    assert cors["/items/{itemId} GET"] is None
    assert cors["/items/{itemId} DELETE"] == CorsConfig(
        origins=("https://shop.example.com", "https://*.shop.example.com"),
        headers=("Content-Type", "X-Shop-Token"), allow_credentials=True, max_age=600,
        match_origin=True)


def test_mini_table_and_iam_resolve_intrinsics(mini: ServiceConfig) -> None:
    arn = "arn:aws:dynamodb:eu-west-1:123456789012:table/mini-shop-items-local"
    (table,) = mini.tables
    assert (table.logical_id, table.name) == ("ItemsTable", "mini-shop-items-local")
    assert table.properties["KeySchema"] == [{"AttributeName": "itemId", "KeyType": "HASH"}]
    assert mini.iam_statements == (
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query"],
         "Resource": [arn, f"{arn}/index/*"]},
        {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": arn},
    )


def test_cli_stage_region_and_env_override_the_files_defaults() -> None:
    config = load_service(MINI, stage="prod", region="us-west-2", env={"MINI_LOG_LEVEL": "WARN"})
    assert (config.stage, config.region) == ("prod", "us-west-2")
    assert config.tables[0].name == "mini-shop-items-prod"
    assert config.functions["files"].full_name == "mini-shop-prod-files"
    assert config.functions["item"].environment["LOG_LEVEL"] == "WARN"
    assert config.iam_statements[1]["Resource"] == (
        "arn:aws:dynamodb:us-west-2:123456789012:table/mini-shop-items-prod")


def test_review_api_serverless_yml_resolves() -> None:
    config = load_service(REPO / "serverless.yml", env={})
    assert (config.service, config.stage, config.region) == ("review-api", "dev", "us-east-2")
    assert sorted(config.functions) == ["create", "delete", "get", "list", "update"]
    assert config.functions["list"].handler == "api/reviews.list_reviews"
    assert config.functions["get"].environment == {"DYNAMODB_TABLE": "review-api-dev",
                                                    "DYNAMODB_AUTHOR_INDEX": "byAuthor"}
    assert config.functions["get"].memory_mb == 256
    assert [(r.method, r.resource) for r in config.routes] == [
        ("POST", "/reviews"), ("GET", "/reviews"), ("GET", "/reviews/{id}"),
        ("PUT", "/reviews/{id}"), ("DELETE", "/reviews/{id}")]
    assert all(r.cors == CorsConfig() for r in config.routes)
    assert [(t.logical_id, t.name) for t in config.tables] == [("ReviewsTable", "review-api-dev")]
    table, index = config.iam_statements  # the table's actions; Query on the author index
    assert table["Resource"] == ["arn:aws:dynamodb:us-east-2:123456789012:table/review-api-dev"]
    assert index["Resource"] == [
        "arn:aws:dynamodb:us-east-2:123456789012:table/review-api-dev/index/byAuthor"]
    assert config.unsupported == ()


def test_defaults_when_provider_sets_nothing(tmp_path: Path) -> None:
    config = load_text(tmp_path, BASE + "  f:\n    handler: app.main\n")
    assert (config.stage, config.region) == ("dev", "us-east-1")
    f = config.functions["f"]
    assert (f.full_name, f.timeout_s, f.memory_mb, f.runtime) == (
        "svc-dev-f", DEFAULT_TIMEOUT_S, DEFAULT_MEMORY_MB, "python3.12")
    assert config.routes == ()


def test_provider_stage_reference_serves_as_default(tmp_path: Path) -> None:
    text = """\
    service: svc
    provider:
      runtime: python3.12
      stage: qa
    custom:
      stage: ${opt:stage, ${self:provider.stage}}
    functions:
      f:
        handler: app.main
        environment:
          STAGE: ${self:custom.stage}
    """
    assert load_text(tmp_path, text).functions["f"].environment["STAGE"] == "qa"
    assert load_text(tmp_path, text, stage="live").functions["f"].environment["STAGE"] == "live"


@pytest.mark.parametrize(
    ("http", "route"),
    [
        ("http: GET reviews/{id}", Route("GET", "/reviews/{id}", "f")),
        ("http: any /a/b/", Route("ANY", "/a/b", "f")),
        ("http:\n          path: /\n          method: ANY", Route("ANY", "/", "f")),
        ("http:\n          path: x/{proxy+}\n          method: Post",
         Route("POST", "/x/{proxy+}", "f")),
        ("http:\n          path: ''\n          method: get", Route("GET", "/", "f")),
    ],
)
def test_http_event_forms(tmp_path: Path, http: str, route: Route) -> None:
    text = BASE + f"  f:\n    handler: app.main\n    events:\n      - {http}\n"
    assert load_text(tmp_path, text).routes == (route,)


@pytest.mark.parametrize(
    ("cors", "expected"),
    [
        ("true", CorsConfig()),
        ("false", None),
        ("{origin: 'https://a.example'}", CorsConfig(origins=("https://a.example",))),
        ("{origin: 'https://a.example, https://b.example'}",
         CorsConfig(origins=("https://a.example", "https://b.example"), match_origin=True)),
        ("{headers: X-Token, maxAge: 86400, allowCredentials: true}",
         CorsConfig(headers=("X-Token",), max_age=86400, allow_credentials=True)),
        ("{methods: [get], cacheControl: 'max-age=600'}",
         CorsConfig(methods=("GET",), cache_control="max-age=600")),
    ],
)
def test_cors_forms(tmp_path: Path, cors: str, expected: CorsConfig | None) -> None:
    text = BASE + ("  f:\n    handler: app.main\n    events:\n      - http:\n"
                   f"          path: a\n          method: get\n          cors: {cors}\n")
    assert load_text(tmp_path, text).routes[0].cors == expected
    assert CorsConfig().headers == SLS_DEFAULT_CORS_HEADERS


def test_environment_intrinsics_and_a_table_without_name(tmp_path: Path) -> None:
    text = BASE + textwrap.dedent("""\
      f:
        handler: app.main
        environment:
          TABLE: !Ref Things
          ARN: !GetAtt Things.Arn
          TOPIC: !Ref Alerts
    resources:
      Resources:
        Things:
          Type: AWS::DynamoDB::Table
          Properties:
            KeySchema: [{AttributeName: id, KeyType: HASH}]
        Alerts:
          Type: AWS::SNS::Topic
    """)
    config = load_text(tmp_path, text)
    assert config.tables[0].name == "svc-dev-Things"
    assert dict(config.functions["f"].environment) == {
        "TABLE": "svc-dev-Things",
        "ARN": "arn:aws:dynamodb:us-east-1:123456789012:table/svc-dev-Things"}
    assert config.unsupported == (
        "resources.Resources.Alerts (AWS::SNS::Topic)",
        "functions.f.environment.TOPIC (Ref Alerts)")


def test_legacy_and_current_iam_statements_are_merged(tmp_path: Path) -> None:
    text = """\
    service: svc
    provider:
      runtime: python3.12
      iam:
        role:
          statements:
            - {Effect: Allow, Action: dynamodb:GetItem, Resource: "*"}
      iamRoleStatements:
        - {Effect: Allow, Action: dynamodb:PutItem, Resource: "*"}
    """
    assert [s["Action"] for s in load_text(tmp_path, text).iam_statements] == [
        "dynamodb:GetItem", "dynamodb:PutItem"]


UNSUPPORTED = """\
service: svc
plugins:
  - serverless-domain-manager
provider:
  runtime: python3.12
  iam:
    role: arn:aws:iam::123456789012:role/existing
functions:
  create:
    handler: app.create
    events:
      - http:
          path: items
          method: post
          authorizer: aws_iam
          private: true
          request:
            schemas:
              application/json: ${file(schema.json)}
      - httpApi: GET /items
      - sns: arn:aws:sns:us-east-1:123456789012:topic
      - schedule: rate(5 minutes)
      - http:
          path: legacy
          method: get
          integration: lambda
  node:
    handler: index.handler
    runtime: nodejs20.x
resources:
  Resources:
    Topic:
      Type: AWS::SNS::Topic
"""


def test_every_part_not_emulated_is_named(tmp_path: Path) -> None:
    (tmp_path / "schema.json").write_text("{}", encoding="utf-8")
    config = load_text(tmp_path, UNSUPPORTED)
    assert config.unsupported == (
        "resources.Resources.Topic (AWS::SNS::Topic)",
        "functions.create.events[0].http.request",
        "functions.create.events[2].sns",
        "functions.create.events[3].schedule",
        "functions.create.events[4].http.integration (lambda)",
        "functions.node.runtime (nodejs20.x)",
        "provider.iam.role (an existing role: its policies are not known)",
        "plugins[0] (serverless-domain-manager)",
    )
    assert [r.resource for r in config.routes] == ["/items", "/legacy"]


def test_missing_runtime_is_named_with_the_frameworks_default(tmp_path: Path) -> None:
    config = load_text(tmp_path, "service: svc\nfunctions:\n  f:\n    handler: app.main\n")
    assert config.functions["f"].runtime == "nodejs14.x"
    assert config.unsupported == (
        "provider.runtime (not set: the Serverless Framework v3 default is nodejs14.x)",)


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (BASE + "  f:\n    events: []\n", "functions.f.handler", "handler is required"),
        (BASE + "  f:\n", "functions.f.handler", "handler is required"),
        (BASE + "  f: app.main\n", "functions.f", "must be a mapping"),
        ("provider:\n  runtime: python3.12\n", "service", "service name is required"),
        (BASE + "  f:\n    handler: a.b\n    timeout: soon\n", "functions.f.timeout",
         "positive number"),
        (BASE + "  f:\n    handler: a.b\n    reservedConcurrency: -1\n",
         "functions.f.reservedConcurrency", "non-negative"),
        (BASE + "  f:\n    handler: a.b\n    events: {http: GET a}\n", "functions.f.events",
         "must be a list"),
        (BASE + "  f:\n    handler: a.b\n    events:\n      - http: {method: get}\n",
         "functions.f.events[0].http.path", "path is required"),
        (BASE + "  f:\n    handler: a.b\n    events:\n      - http: FETCH a\n",
         "functions.f.events[0].http", "unknown HTTP method"),
        (BASE + "  f:\n    handler: a.b\n    events:\n      - http: GET\n",
         "functions.f.events[0].http", "METHOD path"),
        (BASE + "  f:\n    handler: a.b\n    events:\n      - http: GET a\n"
                "  g:\n    handler: a.c\n    events:\n      - http: get /a/\n",
         "functions.g.events[0].http", "duplicate route GET /a (also at functions.f.events[0]"),
        (BASE + "  f:\n    handler: a.b\n    events:\n      - http: GET a/{id}\n"
                "      - http: PUT a/{name}/x\n",
         "functions.f.events[1].http", "only one is allowed"),
        (BASE + "  f:\n    handler: a.b\n    events:\n      - http: GET a/{p+}/b\n",
         "functions.f.events[0].http", "last path part"),
        (BASE + "  f:\n    handler: a.b\n    events:\n      - http: GET a/{id}.json\n",
         "functions.f.events[0].http", "invalid path part"),
        (BASE + "  f:\n    handler: a.b\n    environment:\n      EMPTY:\n",
         "functions.f.environment.EMPTY", "strings, numbers or booleans"),
        (BASE + "  f:\n    handler: a.b\n    environment:\n      T: ${ssm:/token}\n",
         "functions.f.environment.T", ".emulator/values.yml as `ssm: {'/token': <value>}`"),
        ("service: svc\nprovider:\n  stage: my.stage\n", "provider.stage", "invalid stage"),
        (BASE + "  f:\n    handler: a.b\n  f:\n    handler: a.c\n", "functions.f",
         "duplicated mapping key"),
    ],
)
def test_errors_name_file_key_and_problem(tmp_path: Path, text: str, key: str,
                                          message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_text(tmp_path, text)
    assert raised.value.key == key
    assert message in raised.value.detail
    assert raised.value.file == str(tmp_path / "serverless.yml")


def test_error_lines_point_at_the_key(tmp_path: Path) -> None:
    text = BASE + "  f:\n    handler: a.b\n    environment:\n      T: ${env:UNSET}\n"
    with pytest.raises(ConfigError) as raised:
        load_text(tmp_path, text)
    assert raised.value.line == 9


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("service: svc\nprovider:\n  runtime: [python\n", 3),
        ("service: svc\nprovider:\n  a: 1\n b: 2\n", 4),
        ('service: "svc\n', 1),
        ("service: svc\n  bad: indent\n", 2),
        ("service: svc\nfunctions:\n\tf: {}\n", 3),
    ],
)
def test_invalid_yaml_names_file_and_line(tmp_path: Path, text: str, line: int) -> None:
    with pytest.raises(ConfigError, match="invalid YAML") as raised:
        load_text(tmp_path, text)
    assert raised.value.line == line
    assert str(raised.value).startswith(f"{tmp_path / 'serverless.yml'}:{line}: ")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_a_document_that_is_not_a_mapping_is_an_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError, match="YAML mapping"):
        load_text(tmp_path, text)


def test_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found") as raised:
        load_service(tmp_path / "nope.yml", env={})
    assert raised.value.file == str(tmp_path / "nope.yml")


def test_mini_preflight_lists_only_the_cors_methods_of_a_path(mini: ServiceConfig) -> None:
    from emulator.gateway.routes import MatchKind, RouteTable

    match = RouteTable(mini.routes).match("OPTIONS", "/items/7")
    assert match.kind is MatchKind.PATH
    assert match.preflight is not None
    assert match.preflight.methods == ("OPTIONS", "DELETE")
    assert match.methods == ("DELETE", "GET")


def test_provider_settings_not_emulated_are_named(tmp_path: Path) -> None:
    text = """\
    service: svc
    useDotenv: true
    provider:
      runtime: python3.12
      apiGateway:
        binaryMediaTypes: ['*/*']
        minimumCompressionSize: 1024
        shouldStartNameWithService: true
      httpApi:
        cors: true
        id: abc123
    functions:
      f:
        handler: a.b
        layers: [arn:aws:lambda:us-east-1:123456789012:layer:x:1]
    """
    config = load_text(tmp_path, text)
    assert config.binary_media_types == ("*/*",)
    assert config.unsupported == ("provider.httpApi.id",
                                  "functions.f.layers[0] (arn:aws:lambda:us-east-1:123456789012"
                                  ":layer:x:1: not a local layer of this service)",
                                  "provider.apiGateway.minimumCompressionSize", "useDotenv")
