"""The run's record of responses, and the schemathesis configuration it runs with."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from schemathesis.config import SchemathesisConfig

from contracts import listing, model, project, settings
from contracts.state import Before, RunState, resources_in

REPO = Path(__file__).resolve().parents[2]
REVIEWS = model.load(REPO / "openapi.yaml")
COLLECTION = REVIEWS.collections[0]
REVIEW = {
    "id": "3f1c2b9e-8d4a-4c6b-9e2f-1a2b3c4d5e6f",
    "review": "ok",
    "name": "Ada",
    "createdAt": "2026-11-27T20:35:32.123Z",
    "updatedAt": "2026-11-27T20:35:32.123Z",
}
RID = REVIEW["id"]
ITEM = "/reviews/{id}"


def test_each_response_keeps_what_was_known_before_it() -> None:
    state = RunState(model=REVIEWS)
    updated = {**REVIEW, "updatedAt": "2026-11-27T20:35:33.000Z"}
    state.observe("c1", "POST /reviews", "POST", None, status=201, body=REVIEW)
    state.observe("c2", f"PUT {ITEM}", "PUT", RID, status=200, body=updated)
    state.observe("c3", f"DELETE {ITEM}", "DELETE", RID, status=204, body=None)
    state.observe("c4", f"GET {ITEM}", "GET", RID, status=404, body={"message": "gone"})

    assert state.before["c2"] == Before(seen=True, deleted=False, resource=REVIEW)
    assert state.before["c3"].resource == updated
    assert state.before["c4"].deleted is True
    assert [i for _, i in state.created] == [RID]
    assert state.live_ids(COLLECTION) == set()
    assert state.statuses["GET /reviews/{id}"][404] == 1


def test_a_put_that_answers_2xx_for_an_unknown_id_is_ours_to_clean_up() -> None:
    state = RunState(model=REVIEWS)
    state.observe("c1", f"PUT {ITEM}", "PUT", RID, status=200, body=REVIEW)
    assert state.before["c1"].seen is False
    assert [i for _, i in state.created] == [RID]
    assert state.creates["/reviews"] == 0


def test_issued_tokens_are_recorded_from_list_pages() -> None:
    state = RunState(model=REVIEWS)
    page = {"items": [REVIEW], "nextToken": "abc"}
    state.observe("c1", "GET /reviews", "GET", None, status=200, body=page)
    assert state.issued("abc")
    assert not state.issued("xyz")
    assert state.seen == {("/reviews", RID)}
    assert state.created == []


def test_a_probe_with_another_method_is_not_counted_for_the_operation() -> None:
    state = RunState(model=REVIEWS)
    state.observe("c1", "GET /reviews", "TRACE", None, status=403, body=None)
    assert state.statuses == {}


@pytest.mark.parametrize(
    ("path", "body", "ids"),
    [
        (ITEM, REVIEW, [RID]),
        ("/reviews", {"items": [REVIEW, {"no": "id"}], "nextToken": None}, [RID]),
        ("/reviews", REVIEW, [RID]),  # a create's reply
        (ITEM, {"message": "x"}, []),
        (ITEM, [REVIEW], []),
        (ITEM, None, []),
    ],
)
def test_resources_are_found_in_single_and_list_bodies(
    path: str, body: object, ids: list[str]
) -> None:
    assert [r["id"] for r in resources_in(COLLECTION, path, body)] == ids


@pytest.mark.parametrize(
    ("creates", "due"),
    [(0, False), (1, True), (2, True), (3, False), (4, True), (6, False), (64, True)],
)
def test_listing_is_walked_on_power_of_two_creates(creates: int, due: bool) -> None:
    assert listing._walk_due(creates) is due


@pytest.mark.parametrize("read_only", [False, True])
def test_generated_configuration_is_valid_for_schemathesis(tmp_path: Path, read_only: bool) -> None:
    settings_ = project.load(REPO)
    path = settings.write(tmp_path, settings_, read_only=read_only)
    config = SchemathesisConfig.from_path(path)  # validates against schemathesis's own schema

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    enabled = {name for name, section in data["checks"].items()
               if isinstance(section, dict) and section["enabled"]}  # fmt: skip
    assert enabled == set(settings.enabled_checks(settings_))
    assert set(settings.STOCK_CHECKS) <= enabled
    assert "unsupported_method" not in enabled  # API Gateway answers 403: ours checks that
    assert "positive_data_acceptance" not in enabled  # valid_data_accepted calls it
    assert {"undeclared_method_is_gateway_403", "cors_header_on_handler_replies"} <= enabled
    checks = config.projects.get_default().checks
    assert checks.negative_data_rejection.expected_statuses == ["400", "404"]
    assert checks.positive_data_acceptance.expected_statuses == ["2xx", "404"]
    probes = config.projects.get_default().phases.coverage.unexpected_methods
    assert probes == (
        {"trace"} if read_only else {"get", "put", "post", "delete", "patch", "trace"}
    )


def test_a_project_that_is_not_behind_api_gateway_keeps_the_stock_405_check(
    tmp_path: Path,
) -> None:
    (tmp_path / "contracts.toml").write_text('gateway = "none"\n', encoding="utf-8")
    enabled = settings.enabled_checks(project.load(tmp_path))
    assert "unsupported_method" in enabled
    assert "undeclared_method_is_gateway_403" not in enabled
    assert "cors_header_on_handler_replies" not in enabled  # no cors-origin configured
