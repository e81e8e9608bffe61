"""The drift check: serverless.yml's http routes and openapi.yaml's operations are one set."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts import drift

REPO = Path(__file__).resolve().parents[2]

SPEC = """
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /reviews:
    get: {responses: {"200": {description: ok}}}
    post: {responses: {"201": {description: ok}}}
  /reviews/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: string}}]
    get: {responses: {"200": {description: ok}}}
"""

SERVERLESS = """
service: s
functions:
  list:
    handler: h.list
    events:
      - http: {path: reviews, method: get, cors: true}
  create:
    handler: h.create
    events:
      - http: POST /reviews/
  patch:
    handler: h.patch
    events:
      - http:
          path: /reviews/{id}
          method: PATCH
      - schedule: rate(1 day)
  nothing:
    handler: h.nothing
"""


def test_repository_serverless_yml_and_openapi_yaml_declare_the_same_routes() -> None:
    result = drift.compare(REPO / "serverless.yml", REPO / "openapi.yaml")
    assert result.ok, result.describe(REPO / "serverless.yml", REPO / "openapi.yaml")


def test_routes_are_read_from_both_spellings_of_http_events(tmp_path: Path) -> None:
    path = tmp_path / "serverless.yml"
    path.write_text(SERVERLESS, encoding="utf-8")
    assert drift.deployed_routes(path) == {
        ("GET", "/reviews"),
        ("POST", "/reviews"),
        ("PATCH", "/reviews/{id}"),
    }


def test_a_mismatch_names_the_route_and_both_files(tmp_path: Path) -> None:
    deployed, spec = tmp_path / "serverless.yml", tmp_path / "openapi.yaml"
    deployed.write_text(SERVERLESS, encoding="utf-8")
    spec.write_text(SPEC, encoding="utf-8")

    result = drift.compare(deployed, spec)

    assert not result.ok
    assert result.only_deployed == {("PATCH", "/reviews/{id}")}
    assert result.only_specified == {("GET", "/reviews/{id}")}
    assert result.describe(deployed, spec).splitlines() == [
        "PATCH /reviews/{id}: in serverless.yml, missing from openapi.yaml",
        "GET /reviews/{id}: in openapi.yaml, missing from serverless.yml",
    ]


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [("reviews", "/reviews"), ("/reviews/{id}/", "/reviews/{id}"), ("", "/")],
)
def test_paths_are_compared_with_one_leading_slash(raw: str, normalised: str) -> None:
    assert drift.normalise(raw) == normalised
