"""What the harness reads from a spec and a project's settings, for two unrelated APIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts import formats, model, project

REPO = Path(__file__).resolve().parents[2]
TASKS = Path(__file__).resolve().parent / "fixtures" / "tasks"


def test_the_reviews_spec_yields_its_collection() -> None:
    (reviews,) = model.load(REPO / "openapi.yaml").collections
    assert (reviews.path, reviews.item_path, reviews.id_param, reviews.id_property) == (
        "/reviews", "/reviews/{id}", "id", "id")  # fmt: skip
    assert (reviews.items_pointer, reviews.token_param, reviews.token_pointer) == (
        "/items", "nextToken", "/nextToken")  # fmt: skip
    assert (reviews.bound_param, reviews.bound_default) == ("limit", 25)
    assert reviews.timestamps == {"createdAt": "created", "updatedAt": "updated"}
    assert reviews.partial == {"PUT": "keep"}
    assert reviews.never_creates == {"PUT"}
    assert reviews.writable["POST"] == {"review"}  # the author comes from the token


def test_the_tasks_spec_yields_another_shape_from_the_same_rules() -> None:
    (tasks,) = model.load(TASKS / "openapi.yaml").collections
    assert (tasks.id_param, tasks.id_property) == ("taskId", "taskId")
    assert (tasks.items_pointer, tasks.token_param, tasks.token_pointer) == (
        "/data", "cursor", "/page/next")  # fmt: skip
    assert (tasks.bound_param, tasks.bound_default, tasks.bound_maximum) == ("pageSize", 10, 50)
    assert tasks.timestamps == {"created": "created", "modified": "updated"}
    assert tasks.partial == {"PUT": "clear"}


def test_a_page_bound_can_be_declared_by_extension() -> None:
    spec = {
        "paths": {
            "/things": {"get": {"parameters": [
                {"name": "n", "in": "query", "x-contracts-page-size": True,
                 "schema": {"type": "integer", "default": 3}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "array", "items": {"type": "object"}}}}}}}},
            "/things/{thing}": {"get": {"responses": {"200": {"description": "ok"}}}},
        }
    }  # fmt: skip
    (things,) = model.build(spec).collections
    assert (things.bound_param, things.bound_default, things.items_pointer) == ("n", 3, "")
    assert things.id_property == "id"  # no link, no property named like the parameter


@pytest.mark.parametrize(
    ("extension", "value"),
    [("x-contracts-timestamp", "sometimes"), ("x-contracts-partial-update", "merge")],
)
def test_an_unknown_declaration_is_a_spec_error(extension: str, value: str) -> None:
    prop = {"type": "string", "x-contracts-timestamp": value}
    op = {"responses": {"200": {"description": "ok", "content": {"application/json": {
        "schema": {"type": "object", "properties": {"at": prop}}}}}}}  # fmt: skip
    if extension == "x-contracts-partial-update":
        prop.pop("x-contracts-timestamp")
        op["x-contracts-partial-update"] = value
    spec = {"paths": {"/a/{b}": {"get": op, "put": op}}}
    with pytest.raises(model.SpecError, match=extension):
        model.build(spec)


def test_project_settings_come_from_pyproject_or_contracts_toml(tmp_path: Path) -> None:
    reviews = project.load(REPO)
    assert reviews.cors_origin == "*" and reviews.gateway == "rest"
    assert reviews.source.endswith("pyproject.toml [tool.contracts]")
    tasks = project.load(TASKS)
    assert tasks.cors_origin is None and tasks.spec == TASKS / "openapi.yaml"
    assert project.load(tmp_path).spec == tmp_path / "openapi.yaml"  # defaults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('gateway = "http"', "gateway: expected one of rest, none"),
        ('colour = "red"', "unknown key 'colour'"),
        ("disable = [1]", "disable: expected a list of strings"),
        ("spec = ", "contracts.toml"),
    ],
)
def test_a_bad_setting_is_one_line_naming_file_and_key(
    tmp_path: Path, text: str, message: str
) -> None:
    (tmp_path / "contracts.toml").write_text(text + "\n", encoding="utf-8")
    with pytest.raises(project.ProjectError, match=message):
        project.load(tmp_path)


@pytest.mark.parametrize(
    ("value", "kind", "ok"),
    [
        ("2026-11-27T20:35:32.123Z", "date-time", True),
        ("2026-11-27T20:35:32.123456+00:00", "date-time", True),
        ("2026-11-27 20:35:32Z", "date-time", False),  # RFC 3339 wants the T here
        ("2026-11-27T20:35:32", "date-time", False),  # no offset
        ("2026-13-27T20:35:32Z", "date-time", False),
        ("2026-11-27", "date", True),
        ("3f1c2b9e-8d4a-4c6b-9e2f-1a2b3c4d5e6f", "uuid", True),
        ("3f1c2b9e8d4a4c6b9e2f1a2b3c4d5e6f", "uuid", False),
    ],
)
def test_formats_are_parsed_strictly(value: str, kind: str, ok: bool) -> None:
    assert formats.valid(value, kind) is ok


def test_configured_headers_take_their_secrets_from_the_environment(tmp_path: Path) -> None:
    (tmp_path / "contracts.toml").write_text(
        'headers = ["x-api-key: ${API_KEY}"]\n', encoding="utf-8")  # fmt: skip
    settings = project.load(tmp_path)
    assert settings.headers == ("x-api-key: ${API_KEY}",)
    assert project.expand(settings.headers[0], {"API_KEY": "k1"}, "t") == "x-api-key: k1"
    with pytest.raises(project.ProjectError, match=r"\$\{API_KEY\} is not set"):
        project.expand(settings.headers[0], {}, "t")
