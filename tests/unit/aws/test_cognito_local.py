"""Local Cognito's claims, sign-up confirmation and CORS (emulator/aws/cognito_local.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from emulator.aws.cognito import Person
from emulator.aws.cognito_local import (
    BrowserCors,
    id_token_claims,
    preflight_headers,
    verified_on_confirm,
)
from emulator.config.cognito import UserPoolConfig

USER = {"sub": "6f1c", "name": "Ana", "email": "ana@example.com", "email_verified": "true",
        "phone_number": "+15550100", "updated_at": "1700000000", "custom:team": "blue"}


@pytest.mark.parametrize(("read", "claims"), [
    ([], {"name": "Ana", "email": "ana@example.com", "email_verified": True,
          "phone_number": "+15550100", "phone_number_verified": False,
          "updated_at": 1700000000}),
    (["name", "custom:team"], {"name": "Ana", "custom:team": "blue"}),
    (["email", "email_verified"], {"email": "ana@example.com", "email_verified": True}),
])
def test_an_id_token_carries_the_attributes_its_client_may_read(
        read: list[str], claims: dict[str, Any]) -> None:
    assert id_token_claims(USER, read) == claims


def test_a_confirmed_sign_up_verifies_the_auto_verified_attributes() -> None:
    assert verified_on_confirm({"email": "a@example.com"}, ["email", "phone_number"]) == [
        {"Name": "email_verified", "Value": "true"}]
    assert verified_on_confirm({"name": "A"}, ["email"]) == []


def test_a_preflight_echoes_what_was_asked_and_lasts_two_days() -> None:
    headers = dict(preflight_headers({"HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST",
                                      "HTTP_ACCESS_CONTROL_REQUEST_HEADERS": "x-amz-target"}))
    assert headers == {
        "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "x-amz-target",
        "Access-Control-Allow-Methods": "POST", "Access-Control-Max-Age": "172800",
        "Access-Control-Expose-Headers":
            "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date",
        "Content-Length": "0"}


def _moto(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "application/x-amz-json-1.1"),
                              ("Access-Control-Allow-Origin", "http://flask-cors")])
    return [b"{}"]


def _call(environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
    seen: list[Any] = []
    body = b"".join(BrowserCors(_moto)(environ, lambda s, h, e=None: seen.extend([s, h])))
    return seen[0], seen[1], body


def test_browser_replies_get_aws_cors_headers_and_others_none() -> None:
    status, headers, body = _call({"REQUEST_METHOD": "POST", "HTTP_ORIGIN": "http://page"})
    assert (status, headers, body) == ("200 OK", [
        ("Content-Type", "application/x-amz-json-1.1"), ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers",
         "x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date")], b"{}")
    assert _call({"REQUEST_METHOD": "POST"})[1][0] == (
        "Content-Type", "application/x-amz-json-1.1")  # not a browser: moto's reply as it is
    status, headers, body = _call({"REQUEST_METHOD": "OPTIONS", "HTTP_ORIGIN": "http://page",
                                   "HTTP_ACCESS_CONTROL_REQUEST_METHOD": "POST"})
    assert (status, body, dict(headers)["Access-Control-Allow-Methods"]) == (
        "200 OK", b"", "POST")


@pytest.mark.parametrize(("user", "email", "username", "attributes"), [
    ("alice", None, "alice@example.com", [{"Name": "email", "Value": "alice@example.com"}]),
    ("alice", "a@example.org", "a@example.org", [{"Name": "email", "Value": "a@example.org"}]),
    ("bo@example.com", None, "bo@example.com", [{"Name": "email", "Value": "bo@example.com"}]),
])
def test_the_token_command_signs_in_by_email_on_an_email_pool(
        user: str, email: str | None, username: str, attributes: list[dict[str, str]]) -> None:
    pool = UserPoolConfig("Users", "users", settings={"UsernameAttributes": ["email"]})
    person = Person(user, "pw", None, email)
    assert (person.username(pool), person.attributes(pool)) == (username, attributes)
    plain = UserPoolConfig("Users", "users")
    assert (Person(user, "pw", "Al").username(plain),
            Person(user, "pw", "Al").attributes(plain)) == (user, [{"Name": "name",
                                                                    "Value": "Al"}])
