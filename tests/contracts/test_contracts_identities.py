"""Security read from a spec, identities from the project and the environment, tokens redacted."""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import pytest

from contracts import identities, model, project, report
from contracts.cleanup import CleanupReport
from contracts.runner import Finding, RunResult
from contracts.security import Scheme

NOTES = Path(__file__).resolve().parent / "fixtures" / "notes"


def jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2lnbmF0dXJl"


def test_the_notes_fixture_protects_its_writes_with_the_pool() -> None:
    access = model.load(NOTES / "openapi.yaml").access
    assert sorted(access.protected) == ["DELETE /notes/{id}", "POST /notes", "PUT /notes/{id}"]
    assert access.token_scheme() == Scheme("CognitoUserPool", "token", "Authorization")
    assert access.owners["POST /notes"] == (("owner.id", "sub"),)
    assert access.filters["GET /notes"] == (("owner", "owner.id"),)
    assert access.unsupported() == []


def test_the_reviews_spec_protects_its_writes_with_the_user_pool() -> None:
    access = model.load(Path("openapi.yaml")).access
    assert access.protected == {"POST /reviews": ("CognitoUserPool",),
                                "PUT /reviews/{id}": ("CognitoUserPool",),
                                "DELETE /reviews/{id}": ("CognitoUserPool",)}
    assert access.token_scheme() is not None


def test_without_a_token_scheme_identities_do_nothing() -> None:
    assert identities.obtain(("alice", "bob"), None, config=Path("serverless.yml"),
                             environ={}) is None


def secured(schemes: dict[str, Any], security: Any = None, **extra: Any) -> dict[str, Any]:
    op: dict[str, Any] = {"responses": {"200": {"description": "ok"}}, **extra}
    if security is not None:
        op["security"] = security
    return {"components": {"securitySchemes": schemes}, "paths": {"/x": {"post": op}}}


def test_schemes_the_harness_cannot_satisfy_are_named_in_one_line() -> None:
    raw = secured({"oauth": {"type": "oauth2", "flows": {}}}, [{"oauth": ["write"]}])
    (line,) = model.build(raw).access.unsupported()
    assert line.startswith("oauth (oauth2) cannot be satisfied here: 1 operation(s)")


@pytest.mark.parametrize(
    ("scheme", "kind", "prefix"),
    [
        ({"type": "http", "scheme": "bearer"}, "token", "Bearer "),
        ({"type": "apiKey", "in": "header", "name": "x-api-key"}, "api-key", ""),
        ({"type": "mutualTLS"}, "unsupported", ""),
    ],
)
def test_each_kind_of_scheme(scheme: dict[str, Any], kind: str, prefix: str) -> None:
    access = model.build(secured({"s": scheme}, [{"s": []}])).access
    assert (access.schemes["s"].kind, access.schemes["s"].prefix) == (kind, prefix)


def test_an_empty_requirement_makes_an_operation_public() -> None:
    raw = secured({"s": {"type": "http", "scheme": "bearer"}}, [{"s": []}, {}])
    assert model.build(raw).access.protected == {}


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (secured({}, [{"nope": []}]), "paths./x.post.security: 'nope' is not in"),
        ({"paths": {"/x": {"post": {"responses": {"200": {"description": "ok", "content": {
            "application/json": {"schema": {"properties": {"o": {
                "x-contracts-owner": 3}}}}}}}}}}},
         "paths./x.post.responses.200: o: x-contracts-owner: expected a token claim"),
        ({"paths": {"/x": {"get": {"parameters": [{"name": "who", "in": "query",
                                                   "x-contracts-filter": "a..b"}],
                                   "responses": {"200": {"description": "ok"}}}}}},
         "paths./x.get.parameters.who: x-contracts-filter: expected a dotted property path"),
    ],
)
def test_an_unusable_declaration_is_a_spec_error_naming_its_place(
    raw: dict[str, Any], message: str
) -> None:
    with pytest.raises(model.SpecError) as e:
        model.build(raw)
    assert message in str(e.value)


@pytest.mark.parametrize(
    ("labels", "message"),
    [(["alice"], "at least two"), (["alice", "alice"], "at least two"),
     (["alice", "b-b"], "'b-b' is not a label")],
)
def test_identities_are_two_or_more_labels(labels: list[str], message: str) -> None:
    with pytest.raises(project.ProjectError, match=message):
        project.from_table({"identities": labels}, Path("."), "contracts.toml")


def test_a_live_identity_comes_from_its_token_variable() -> None:
    token = jwt({"sub": "s-1", "cognito:username": "alice"})
    creds = identities.live(("alice", "bob"), Scheme("s", "token"),
                            {"CONTRACTS_ALICE_TOKEN": token,
                             "CONTRACTS_BOB_TOKEN": jwt({"sub": "s-2", "name": "Bob"})},
                            None, None)
    alice, bob = creds.identities
    assert (alice.claim("sub"), alice.claim("name"), bob.claim("name")) == ("s-1", "alice", "Bob")
    assert creds.missing == {"expired": "set CONTRACTS_EXPIRED_TOKEN",
                             "other-pool": "set CONTRACTS_FOREIGN_TOKEN"}
    assert creds.of(token) is alice and creds.of("Bearer " + token) is None
    assert token not in repr(creds)


def test_a_live_identity_without_a_password_or_client_is_a_usage_error() -> None:
    with pytest.raises(identities.IdentityError, match="set CONTRACTS_ALICE_TOKEN, or"):
        identities.live(("alice", "bob"), Scheme("s", "token"), {}, None, None)
    with pytest.raises(identities.IdentityError, match="CONTRACTS_CLIENT_ID or pass --stack"):
        identities.live(("alice", "bob"), Scheme("s", "token"),
                        {"CONTRACTS_ALICE_USERNAME": "a", "CONTRACTS_ALICE_PASSWORD": "p"},
                        None, None)


def test_a_tampered_token_differs_in_its_payload_only() -> None:
    token = jwt({"sub": "s-1"})
    head, payload, signature = identities.tampered(token).split(".")
    assert (head, signature) == (token.split(".")[0], token.split(".")[2])
    assert payload != token.split(".")[1]


def test_no_token_reaches_the_summary_or_junit(tmp_path: Path) -> None:
    token, stranger = jwt({"sub": "s-1"}), jwt({"sub": "x"})
    creds = identities.Credentials(
        Scheme("s", "token"), (identities.Identity("alice", token),
                               identities.Identity("bob", jwt({"sub": "s-2"}))),
        {"other-pool": stranger})
    curl = f"curl -X POST -H 'Authorization: {token}' -H 'X: {stranger}' http://h/x"
    finding = Finding("auth_required", "POST /x", creds.redact(f"sent {token}"),
                      creds.redact(curl))
    outcome = report.Outcome(
        RunResult(exit_code=1, operations=1, examples=1, findings=[finding]), CleanupReport(),
        None, None, ("auth_required",), "http://h", 1, identities=tuple(creds.summary()))
    text = "\n".join(report.summary(outcome))
    report.write_junit(outcome, tmp_path / "junit.xml")
    written = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    for secret in creds.secrets():
        assert secret not in text and secret not in written
    assert "token of alice" in text and "other-pool token" in written
    assert "identities: alice, bob" in text


def test_a_live_identity_signs_in_with_user_password_auth(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """USER_PASSWORD_AUTH against a real cognito-idp API (moto's server, on loopback)."""
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    try:
        host, port = server.get_host_and_port()
        for name, value in {"AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER": f"http://{host}:{port}",
                            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                            "AWS_CONFIG_FILE": "/nonexistent",
                            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}.items():
            monkeypatch.setenv(name, value)
        idp = boto3.client("cognito-idp", region_name="eu-west-1")
        pool = idp.create_user_pool(PoolName="live")["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        for user in ("alice", "bob"):
            idp.admin_create_user(UserPoolId=pool, Username=user, MessageAction="SUPPRESS")
            idp.admin_set_user_password(UserPoolId=pool, Username=user, Password="Pa55word!x",
                                        Permanent=True)
        environ = {"CONTRACTS_ALICE_USERNAME": "alice", "CONTRACTS_ALICE_PASSWORD": "Pa55word!x",
                   "CONTRACTS_BOB_USERNAME": "bob", "CONTRACTS_BOB_PASSWORD": "Pa55word!x"}
        creds = identities.live(("alice", "bob"), Scheme("s", "token"), environ, client,
                                "eu-west-1")
        alice, bob = creds.identities
        assert alice.claim("sub") != bob.claim("sub")
        assert alice.claim("iss").endswith(pool)
        environ["CONTRACTS_BOB_PASSWORD"] = "wrong-one"
        with pytest.raises(identities.IdentityError, match="identity bob: sign-in refused") as e:
            identities.live(("alice", "bob"), Scheme("s", "token"), environ, client,
                            "eu-west-1")
        assert "wrong-one" not in str(e.value)
    finally:
        server.stop()


@pytest.mark.parametrize(("answer", "fails"), [(401, False), (200, True)])
def test_an_operation_only_oauth_protects_is_sent_one_request_without_credentials(
    answer: int, fails: bool
) -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from contracts import authz
    from contracts.client import ApiClient
    from contracts.state import RunState

    seen: list[tuple[str, str, str | None]] = []

    class Api(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(("POST", self.path, self.headers.get("Authorization")))
            self.send_response(answer)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    raw = secured({"oauth": {"type": "oauth2", "flows": {}}}, [{"oauth": []}])
    raw["paths"] = {"/x/{id}": raw["paths"]["/x"]}
    state = RunState(model=model.build(raw))
    state.client = ApiClient(f"http://127.0.0.1:{httpd.server_address[1]}")
    try:
        if fails:
            with pytest.raises(AssertionError, match=re.escape(
                    "POST /x/{id} without credentials answered 200; expected 401 or 403")):
                authz._refuses_the_anonymous(state)
        else:
            authz._refuses_the_anonymous(state)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert seen == [("POST", "/x/contracts-probe", None)]
    assert state.statuses["POST /x/{id}"][answer] == 1
