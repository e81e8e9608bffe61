"""The handlers' validation agrees with openapi.yaml: a body is accepted exactly when the
ReviewInput schema accepts it, and what comes back matches the Review schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest
import yaml
from conftest import ALICE, BOB

if TYPE_CHECKING:
    from conftest import ApiClient

ROOT = Path(__file__).resolve().parents[2]


def schema(name: str) -> dict[str, Any]:
    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    return {"$ref": f"#/components/schemas/{name}", "components": json_schema(spec["components"])}


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` in JSON Schema's words: `null` is one more type."""
    if isinstance(node, list):
        return [json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: json_schema(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") is True and "type" in node:
        out["type"] = [node["type"], "null"]
    return out


def conforms(instance: object, name: str) -> bool:
    checker = jsonschema.Draft7Validator(
        schema(name), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    return bool(checker.is_valid(instance))


BODIES: list[object] = [
    {"review": "ok"},
    {"review": "ok", "name": "Jane"},
    {"review": "ok", "author": {"id": "5c3e9a4d-1f2b-4c6d-8e7f-0a1b2c3d4e5f", "name": "Eve"}},
    {"review": ""},
    {"review": " "},
    {"review": "\u00a0\u2003"},
    {"review": "\x1c\x1d"},
    {"review": "\ufeff"},
    {"review": "\x85"},
    {"review": "\u200b"},
    {"review": "x" * 5000},
    {"review": "x" * 5001},
    {"review": "🙂" * 5000},
    {"review": "ok", "name": ""},
    {"review": "ok", "name": " "},
    {"review": "ok", "name": "n" * 100},
    {"review": "ok", "name": "n" * 101},
    {"review": "ok", "name": None},
    {"review": None},
    {"review": 1},
    {"review": "ok", "extra": True},
    {"name": "Jane"},
    {},
    [],
    "review",
    None,
]


@pytest.mark.parametrize("body", BODIES)
def test_create_accepts_exactly_what_the_schema_accepts(api: ApiClient, body: object) -> None:
    reply = api.create(json.dumps(body))

    assert (reply.status == 201) == conforms(body, "ReviewInput"), reply.body
    assert reply.status in (201, 400)
    if reply.status == 201:
        assert conforms(reply.json(), "Review")


@pytest.mark.parametrize(("text", "status"), [
    ("\x1d", 201),  # a control character, not whitespace to ECMA-262 (schemathesis's dialect)
    ("\x85", 201),
    ("\ufeff", 400),  # whitespace to ECMA-262, not to Python's str.isspace
    ("\u3000", 400),
])
def test_whitespace_is_ecma_262_whitespace_as_the_contract_says(
        api: ApiClient, text: str, status: int) -> None:
    assert api.create(json.dumps({"review": text})).status == status


def test_list_and_error_replies_match_their_schemas(api: ApiClient, table: Any) -> None:
    created = api.new_review(review="a")
    api.new_review(review="b")
    table.put_item(Item={"id": "2f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c", "review": "old",
                         "name": "Ada", "createdAt": created["createdAt"],
                         "updatedAt": created["updatedAt"]})  # from before authors

    pages = [api.list_reviews({"limit": "1"}).json(), api.list_reviews().json(),
             api.list_reviews({"author": ALICE["sub"], "limit": "1"}).json()]
    errors = [api.get("3f1c4a9e-7b3d-4e8f-9a6c-5d2b1e0f3a7c").json(),
              api.as_user(BOB).delete(created["id"]).json()]

    assert all(conforms(page, "ReviewList") for page in pages)
    assert all(conforms(error, "Error") for error in errors)
