"""openapi.yaml states issue 2's contract: valid OpenAPI, every operation, status, header and link.

The (method, path) set against serverless.yml is the drift check's job (tests/contracts).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

SPEC_PATH = Path(__file__).resolve().parents[1] / "openapi.yaml"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

EXPECTED: dict[tuple[str, str], tuple[str, set[str]]] = {
    ("post", "/reviews"): ("createReview", {"201", "400", "401", "500"}),
    ("get", "/reviews"): ("listReviews", {"200", "400", "500"}),
    ("get", "/reviews/{id}"): ("getReview", {"200", "404", "500"}),
    ("put", "/reviews/{id}"): ("updateReview", {"200", "400", "401", "403", "404", "500"}),
    ("delete", "/reviews/{id}"): ("deleteReview", {"204", "401", "403", "404", "500"}),
}
PROTECTED = {("post", "/reviews"), ("put", "/reviews/{id}"), ("delete", "/reviews/{id}")}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as f:
        loaded: dict[str, Any] = yaml.safe_load(f)
    return loaded


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local `$ref`s until a concrete node."""
    while "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


def responses(spec: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    return [
        (method, path, status, resolve(spec, response))
        for (method, path), op in operations(spec).items()
        for status, response in op["responses"].items()
    ]


def test_spec_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)


def test_spec_declares_exactly_the_five_operations(spec: dict[str, Any]) -> None:
    assert set(operations(spec)) == set(EXPECTED)


@pytest.mark.parametrize(("key", "expected"), EXPECTED.items(), ids=str)
def test_operation_has_its_id_and_status_codes(
    spec: dict[str, Any], key: tuple[str, str], expected: tuple[str, set[str]]
) -> None:
    op = operations(spec)[key]
    assert op["operationId"] == expected[0]
    assert set(op["responses"]) == expected[1]


def test_every_response_requires_the_cors_header(spec: dict[str, Any]) -> None:
    for method, path, status, response in responses(spec):
        if status == "401":  # the gateway's own reply: no CORS header
            assert "headers" not in response, (method, path)
            continue
        header = resolve(spec, response["headers"]["Access-Control-Allow-Origin"])
        assert header["required"] is True, (method, path, status)
        assert header["schema"]["enum"] == ["*"]


def test_every_response_but_204_is_json(spec: dict[str, Any]) -> None:
    for method, path, status, response in responses(spec):
        if status == "204":
            assert "content" not in response, (method, path)
        else:
            assert list(response["content"]) == ["application/json"], (method, path, status)


def test_errors_are_a_message_object(spec: dict[str, Any]) -> None:
    for method, path, status, response in responses(spec):
        if status.startswith(("4", "5")):
            schema = resolve(spec, response["content"]["application/json"]["schema"])
            assert schema["required"] == ["message"], (method, path, status)


@pytest.mark.parametrize("name", ["Review", "ReviewInput", "ReviewList", "Error"])
def test_objects_reject_unknown_keys(spec: dict[str, Any], name: str) -> None:
    assert spec["components"]["schemas"][name]["additionalProperties"] is False


def test_review_fields_follow_the_contract(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    review = schemas["Review"]
    assert set(review["required"]) == {"id", "review", "author", "createdAt", "updatedAt"}
    assert review["properties"]["id"]["format"] == "uuid"
    author = schemas["Author"]
    assert (author["required"], author["additionalProperties"]) == (["id", "name"], False)
    assert author["properties"]["id"]["x-contracts-owner"] == "sub"
    assert author["properties"]["name"]["x-contracts-owner"] == "name"
    text = schemas["ReviewText"]
    assert (text["minLength"], text["maxLength"]) == (1, 5000)
    not_only_whitespace = re.compile(text["pattern"])  # ECMA-262 and Python read it alike
    assert [bool(not_only_whitespace.search(t)) for t in (" \t\n", "\u3000\ufeff", " a ")] == [
        False, False, True]
    name = schemas["AuthorName"]
    assert (name["minLength"], name["maxLength"]) == (1, 2048)
    assert schemas["ReviewInput"]["required"] == ["review"]
    assert set(schemas["ReviewInput"]["properties"]) == {"review"}  # the author: from the token
    listing = schemas["ReviewList"]
    assert set(listing["required"]) == {"items", "nextToken"}
    assert listing["properties"]["nextToken"]["nullable"] is True


def test_list_limit_is_bounded(spec: dict[str, Any]) -> None:
    params = {p["name"]: p for p in operations(spec)[("get", "/reviews")]["parameters"]}
    assert params["limit"]["schema"] == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": 25,
    }
    assert params["nextToken"]["schema"]["type"] == "string"
    assert (params["author"]["schema"], params["author"]["x-contracts-filter"]) == (
        {"type": "string", "format": "uuid"}, "author.id")


def test_writes_need_the_user_pool_token_and_reads_are_public(spec: dict[str, Any]) -> None:
    assert spec["components"]["securitySchemes"]["CognitoUserPool"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "x-amazon-apigateway-authtype": "cognito_user_pools",
        "description": spec["components"]["securitySchemes"]["CognitoUserPool"]["description"]}
    assert "security" not in spec
    protected = {key for key, op in operations(spec).items() if op.get("security")}
    assert protected == PROTECTED
    assert all(operations(spec)[key]["security"] == [{"CognitoUserPool": []}]
               for key in PROTECTED)


@pytest.mark.parametrize(
    ("source", "status", "targets"),
    [
        (("post", "/reviews"), "201", {"getReview", "updateReview", "deleteReview"}),
        (("get", "/reviews/{id}"), "200", {"updateReview", "deleteReview"}),
        (("put", "/reviews/{id}"), "200", {"getReview", "updateReview", "deleteReview"}),
        (("delete", "/reviews/{id}"), "204", {"getReview", "updateReview", "deleteReview"}),
        (("get", "/reviews"), "200", {"listReviews"}),
    ],
)
def test_links_chain_the_stateful_calls(
    spec: dict[str, Any], source: tuple[str, str], status: str, targets: set[str]
) -> None:
    links = operations(spec)[source]["responses"][status]["links"]
    assert {link["operationId"] for link in links.values()} == targets


def test_links_point_at_existing_operations(spec: dict[str, Any]) -> None:
    ids = {op["operationId"] for op in operations(spec).values()}
    for _method, _path, _status, response in responses(spec):
        for link in response.get("links", {}).values():
            assert link["operationId"] in ids
