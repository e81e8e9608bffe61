"""--web's static site and config.json, and web-config (emulator/web/)."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from emulator.config.cognito import LivePool
from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.gateway.http import HttpRequest
from emulator.web import stack as web_config
from emulator.web.settings import WebConfig, local_config
from emulator.web.site import StaticSite, check_folder

REPO = Path(__file__).resolve().parents[2]
AUTH = REPO / "tests" / "fixtures" / "services" / "auth" / "serverless.yml"
CONFIG = WebConfig("http://127.0.0.1:3000/dev", "us-east-2", "us-east-2_abc", "client1",
                   "http://127.0.0.1:4566")


def _get(site: StaticSite, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    reply = site.handle(HttpRequest(method, path, (), (), b""))
    return reply.status, dict(reply.headers), reply.body


@pytest.fixture
def site(tmp_path: Path) -> StaticSite:
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "app.js").write_text("export {};")
    (tmp_path / "config.json").write_text('{"apiUrl": "stale"}')
    (tmp_path / ".env").write_text("SECRET=1")
    (tmp_path.parent / "outside.txt").write_text("outside")
    return StaticSite(tmp_path, CONFIG)


@pytest.mark.parametrize(("path", "status", "kind"), [
    ("/", 200, "text/html; charset=utf-8"),
    ("/index.html", 200, "text/html; charset=utf-8"),
    ("/app.js", 200, "text/javascript; charset=utf-8"),
    ("/config.json", 200, "application/json"),
    ("/missing.css", 404, "text/plain; charset=utf-8"),
    ("/.env", 404, "text/plain; charset=utf-8"),
    ("/../outside.txt", 404, "text/plain; charset=utf-8"),
    ("/a/../../outside.txt", 404, "text/plain; charset=utf-8"),
    ("//etc/passwd", 404, "text/plain; charset=utf-8"),
])
def test_files_under_the_folder_are_served_and_nothing_else(site: StaticSite, path: str,
                                                             status: int, kind: str) -> None:
    got, headers, _ = _get(site, path)
    assert (got, headers["Content-Type"]) == (status, kind)
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_config_json_is_generated_not_read_from_the_folder(site: StaticSite) -> None:
    _, _, body = _get(site, "/config.json")
    assert json.loads(body) == {
        "apiUrl": "http://127.0.0.1:3000/dev", "region": "us-east-2",
        "userPoolId": "us-east-2_abc", "userPoolClientId": "client1",
        "cognitoEndpoint": "http://127.0.0.1:4566"}


def test_the_policy_lets_the_page_call_only_the_api_and_cognito(site: StaticSite) -> None:
    _, headers, _ = _get(site, "/")
    policy = headers["Content-Security-Policy"]
    assert "connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:4566;" in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_only_get_and_head_are_answered(site: StaticSite) -> None:
    status, headers, _ = _get(site, "/", "POST")
    assert (status, headers["Allow"]) == (405, "GET, HEAD")


def test_config_names_the_authorizers_pool_and_a_password_client() -> None:
    service = load_service(AUTH, env={})
    pool = LivePool("UserPool", "us-east-1_x", "https://issuer", {"keys": []},
                    {"UserPoolClient": "c-1"})
    config = local_config(service, "http://127.0.0.1:3000/dev", {"UserPool": pool},
                          "http://127.0.0.1:5000")
    assert config == WebConfig("http://127.0.0.1:3000/dev", service.region, "us-east-1_x",
                               "c-1", "http://127.0.0.1:5000")


def test_a_service_without_pools_gets_a_read_only_config() -> None:
    service = load_service(REPO / "tests" / "fixtures" / "services" / "mini" / "serverless.yml",
                           env={})
    config = local_config(service, "http://x/local", {}, "http://127.0.0.1:5000")
    assert (config.user_pool_id, config.cognito_endpoint) == (None, None)


def test_a_folder_without_index_html_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"has no index\.html"):
        check_folder(tmp_path)


_TEMPLATE = {
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {
        "ServiceEndpoint": {"Value": "https://abc123.execute-api.eu-west-1.amazonaws.com/prod"},
        "UserPoolId": {"Value": "eu-west-1_Pool"},
        "UserPoolClientId": {"Value": "client-42"},
    },
}


@mock_aws
def test_web_config_reads_the_stack_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    boto3.client("cloudformation", region_name="eu-west-1").create_stack(
        StackName="review-api-prod", TemplateBody=json.dumps(_TEMPLATE))
    out = tmp_path / "config.json"
    assert web_config.main(["--stack", "review-api-prod", "--region", "eu-west-1",
                            "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == {
        "apiUrl": "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
        "region": "eu-west-1", "userPoolId": "eu-west-1_Pool", "userPoolClientId": "client-42",
        "cognitoEndpoint": "https://cognito-idp.eu-west-1.amazonaws.com/"}
    assert "user pool eu-west-1_Pool" in capsys.readouterr().out


@mock_aws
def test_web_config_names_a_missing_stack_in_one_line(capsys: pytest.CaptureFixture[str],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    assert web_config.main(["--stack", "nope", "--region", "eu-west-1"]) == 2
    err = capsys.readouterr().err
    assert "cannot read stack nope" in err
    assert len(err.strip().splitlines()) == 1
