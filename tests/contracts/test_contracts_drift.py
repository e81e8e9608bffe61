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


AUTH_SERVERLESS = """
service: s
functions:
  create:
    handler: h.create
    events:
      - http:
          path: reviews
          method: post
          authorizer:
            type: COGNITO_USER_POOLS
            arn: !GetAtt UserPool.Arn
  list:
    handler: h.list
    events:
      - http: {path: reviews, method: get, authorizer: aws_iam}
  delete:
    handler: h.delete
    events:
      - http: {path: "reviews/{id}", method: delete, private: true}
  get:
    handler: h.get
    events:
      - http: GET reviews/{id}
"""

AUTH_SPEC = """
openapi: 3.0.3
info: {title: t, version: "1"}
security: [{Pool: []}]
components:
  securitySchemes:
    Pool: {type: apiKey, in: header, name: Authorization}
paths:
  /reviews:
    post: {responses: {"201": {description: ok}}}
    get: {security: [], responses: {"200": {description: ok}}}
  /reviews/{id}:
    delete: {responses: {"204": {description: ok}}}
    get: {responses: {"200": {description: ok}}}
"""


def test_auth_drift_names_the_route_and_both_sides(tmp_path: Path) -> None:
    deployed, spec = tmp_path / "serverless.yml", tmp_path / "openapi.yaml"
    deployed.write_text(AUTH_SERVERLESS, encoding="utf-8")
    spec.write_text(AUTH_SPEC, encoding="utf-8")

    result = drift.compare(deployed, spec)

    assert (result.only_deployed, result.only_specified) == (frozenset(), frozenset())
    assert (result.protected_only_deployed, result.protected_only_specified) == (
        {("GET", "/reviews")}, {("GET", "/reviews/{id}")})
    assert result.describe(deployed, spec).splitlines() == [
        "GET /reviews: protected in serverless.yml (authorizer or private), public in "
        "openapi.yaml (no security)",
        "GET /reviews/{id}: protected in openapi.yaml (security), public in serverless.yml "
        "(no authorizer, not private)",
    ]


def test_the_repository_protects_exactly_its_writes() -> None:
    assert {r for r, protected in drift.deployed(REPO / "serverless.yml").items()
            if protected} == {r for r, protected in drift.specified(REPO / "openapi.yaml").items()
                              if protected} == {
        ("POST", "/reviews"), ("PUT", "/reviews/{id}"), ("DELETE", "/reviews/{id}")}
