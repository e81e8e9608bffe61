"""`authorizer:`, `private:` and `provider.apiGateway.apiKeys`, read as Serverless v3 does."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.config.api_keys import ApiKeyConfig
from emulator.config.authorizers import AuthorizerConfig, AuthorizerKind
from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig

HEAD = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  stage: dev
functions:
  auth:
    handler: app.auth
  other:
    handler: app.auth
    name: custom-name
  get:
    handler: app.get
    events:
      - http:
          path: items
          method: get
"""


def load(tmp_path: Path, event_options: str = "", provider: str = "") -> ServiceConfig:
    text = HEAD
    if provider:
        text = text.replace("  stage: dev\n", "  stage: dev\n" + textwrap.indent(
            textwrap.dedent(provider), "  "))
    text += textwrap.indent(textwrap.dedent(event_options), " " * 10)
    path = tmp_path / "serverless.yml"
    path.write_text(text, encoding="utf-8")
    return load_service(path, env={})


def authorizer_of(config: ServiceConfig) -> AuthorizerConfig | None:
    return config.routes[0].authorizer


@pytest.mark.parametrize(("options", "expected"), [
    ("authorizer: auth", AuthorizerConfig("auth", AuthorizerKind.TOKEN, "auth")),
    ("authorizer: arn:aws:lambda:us-east-1:123456789012:function:svc-dev-auth",
     AuthorizerConfig("auth", AuthorizerKind.TOKEN, "auth",
                      arn="arn:aws:lambda:us-east-1:123456789012:function:svc-dev-auth")),
    ("authorizer:\n  arn: arn:aws:lambda:us-east-1:123456789012:function:custom-name",
     AuthorizerConfig("other", AuthorizerKind.TOKEN, "other",
                      arn="arn:aws:lambda:us-east-1:123456789012:function:custom-name")),
    ("authorizer:\n  name: auth\n  type: request\n  resultTtlInSeconds: 0\n"
     "  identitySource: method.request.header.X-Token, method.request.querystring.t",
     AuthorizerConfig("auth", AuthorizerKind.REQUEST, "auth",
                      ("method.request.header.X-Token", "method.request.querystring.t"),
                      ttl_s=0)),
    ("authorizer:\n  name: auth\n  identityValidationExpression: Bearer .+",
     AuthorizerConfig("auth", AuthorizerKind.TOKEN, "auth", validation_expression="Bearer .+")),
    ("authorizer:\n  name: ext\n  arn: arn:aws:lambda:us-east-1:999999999999:function:shared",
     AuthorizerConfig("ext", AuthorizerKind.TOKEN, None,
                      arn="arn:aws:lambda:us-east-1:999999999999:function:shared")),
    ("authorizer: aws_iam", AuthorizerConfig("aws_iam", AuthorizerKind.AWS_IAM, None, (), ttl_s=0)),
    ("authorizer:\n  arn: arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
     AuthorizerConfig("arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
                      AuthorizerKind.COGNITO, None,
                      arn="arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc")),
])
def test_authorizer_forms(tmp_path: Path, options: str, expected: AuthorizerConfig) -> None:
    config = load(tmp_path, options)
    assert authorizer_of(config) == expected
    assert not any("authorizer" in u for u in config.unsupported)


@pytest.mark.parametrize(("options", "message"), [
    ("authorizer: missing", "authorizer 'missing' is not a function of this service"),
    ("authorizer:\n  name: auth\n  type: jwt", "unknown authorizer type 'jwt'"),
    ("authorizer:\n  name: auth\n  resultTtlInSeconds: 5000",
     "resultTtlInSeconds: must be a whole number of seconds from 0 to 3600"),
    ("authorizer:\n  name: auth\n  identitySource: headers.Authorization",
     "expected method.request.header.NAME"),
    ("authorizer:\n  name: auth\n  identitySource: method.request.querystring.t",
     "a token authorizer reads one header"),
    ("authorizer:\n  name: auth\n  identityValidationExpression: '('",
     "not a valid regular expression"),
    ("authorizer:\n  arn: arn:aws:sqs:us-east-1:1:queue", "is not a Lambda function ARN"),
    ("private: yes please", "private: must be true or false"),
])
def test_bad_authorizer_config_names_file_key_and_what_was_expected(
        tmp_path: Path, options: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, options)
    assert message in str(caught.value)
    assert "serverless.yml" in str(caught.value)
    assert "functions.get.events[0].http.authorizer" in str(caught.value) or \
        "private" in str(caught.value)


KEYS = """\
apiGateway:
  apiKeys:
    - generated
    - name: fixed
      value: abcdefghijklmnopqrst
    - free:
        - planned
  usagePlan:
    quota:
      limit: 100
"""


def test_api_keys_and_usage_plan(tmp_path: Path) -> None:
    config = load(tmp_path, "private: true", provider=KEYS)
    assert config.routes[0].private is True
    assert config.api_keys == (
        ApiKeyConfig("generated", None), ApiKeyConfig("fixed", "abcdefghijklmnopqrst"),
        ApiKeyConfig("planned", None, usage_plan="free"))
    assert config.unsupported == (
        "provider.apiGateway.usagePlan (read, not enforced: no quotas or throttling locally)",)
    assert len({k.key_id for k in config.api_keys}) == 3


def test_api_key_value_shorter_than_20_characters_is_a_config_error(tmp_path: Path) -> None:
    provider = "apiGateway:\n  apiKeys:\n    - name: short\n      value: tooShort123\n"
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, provider=provider)
    assert str(caught.value).endswith(
        "provider.apiGateway.apiKeys[0].value: API Gateway needs 20 to 128 characters (got 11)")


POOLS = """\
resources:
  Resources:
    Users:
      Type: AWS::Cognito::UserPool
      Properties: {UserPoolName: people}
    Web:
      Type: AWS::Cognito::UserPoolClient
      Properties: {UserPoolId: !Ref Users, ExplicitAuthFlows: [ALLOW_USER_PASSWORD_AUTH]}
"""


def test_user_pool_authorizers_and_getatt_of_a_local_function(tmp_path: Path) -> None:
    config = load(tmp_path, "authorizer:\n  type: COGNITO_USER_POOLS\n"
                            "  arn: !GetAtt Users.Arn\n  scopes: [reviews/write]")
    path = tmp_path / "serverless.yml"
    path.write_text(path.read_text() + "\n" + POOLS, encoding="utf-8")
    config = load_service(path, env={})
    assert authorizer_of(config) == AuthorizerConfig(
        "Users", AuthorizerKind.COGNITO, None, pool="Users", scopes=("reviews/write",))
    (pool,) = config.user_pools
    assert (pool.name, [(c.logical_id, c.name, c.auth_flows) for c in pool.clients]) == (
        "people", [("Web", "svc-dev-Web", ("ALLOW_USER_PASSWORD_AUTH",))])
    assert config.unsupported == ()  # the pool and its client are emulated
    config = load(tmp_path, "authorizer:\n  arn: !GetAtt AuthLambdaFunction.Arn")
    assert authorizer_of(config) == AuthorizerConfig("auth", AuthorizerKind.TOKEN, "auth")


def test_user_pool_properties_that_shape_sign_up_and_tokens_reach_moto(tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text("service: svc\nprovider: {name: aws, stage: dev}\n" + """\
resources:
  Resources:
    Users:
      Type: AWS::Cognito::UserPool
      Properties:
        UsernameAttributes: [email]
        AutoVerifiedAttributes: [email]
        Policies: {PasswordPolicy: {MinimumLength: 12}}
        LambdaConfig: {PreSignUp: arn:aws:lambda:us-east-1:1:function:x}
    Web:
      Type: AWS::Cognito::UserPoolClient
      Properties: {UserPoolId: !Ref Users, ExplicitAuthFlows: [ALLOW_USER_SRP_AUTH],
                   ReadAttributes: [name], CallbackURLs: ["http://x"]}
""", encoding="utf-8")
    (pool,) = load_service(path, env={}).user_pools
    assert (pool.name, dict(pool.settings), pool.username_attributes) == (
        "svc-dev-Users", {"UsernameAttributes": ["email"], "AutoVerifiedAttributes": ["email"],
                          "Policies": {"PasswordPolicy": {"MinimumLength": 12}}}, ("email",))
    assert dict(pool.clients[0].settings) == {"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH"],
                                              "ReadAttributes": ["name"]}
