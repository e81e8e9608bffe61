"""The run's record of responses, and the schemathesis configuration it runs with."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from schemathesis.config import SchemathesisConfig

from contracts import checks, lifecycle, settings
from contracts.state import Before, RunState, Stamps, reviews_in

REVIEW = {
    "id": "3f1c2b9e-8d4a-4c6b-9e2f-1a2b3c4d5e6f",
    "review": "ok",
    "name": "Ada",
    "createdAt": "2026-11-27T20:35:32.123Z",
    "updatedAt": "2026-11-27T20:35:32.123Z",
}
RID = REVIEW["id"]


def test_each_response_keeps_what_was_known_before_it() -> None:
    state = RunState()
    state.observe("c1", "POST", None, 201, REVIEW)
    state.observe("c2", "PUT", RID, 200, {**REVIEW, "updatedAt": "2026-11-27T20:35:33.000Z"})
    state.observe("c3", "DELETE", RID, 204, None)
    state.observe("c4", "GET", RID, 404, {"message": "Review not found"})

    first = Stamps(REVIEW["createdAt"], REVIEW["updatedAt"])
    assert state.before["c2"] == Before(seen=True, deleted=False, stamps=first)
    assert state.before["c3"].stamps == Stamps(REVIEW["createdAt"], "2026-11-27T20:35:33.000Z")
    assert state.before["c4"].deleted is True
    assert state.created == [RID]
    assert state.live_ids() == set()


def test_a_put_that_answers_2xx_for_an_unknown_id_is_ours_to_clean_up() -> None:
    state = RunState()
    state.observe("c1", "PUT", RID, 200, REVIEW)
    assert state.before["c1"].seen is False
    assert state.created == [RID]
    assert state.creates == 0


def test_issued_tokens_are_recorded_from_list_pages() -> None:
    state = RunState()
    state.observe("c1", "GET", None, 200, {"items": [REVIEW], "nextToken": "abc"})
    assert state.issued("abc")
    assert not state.issued("xyz")
    assert state.seen == {RID}
    assert state.created == []


@pytest.mark.parametrize(
    ("body", "ids"),
    [
        (REVIEW, [RID]),
        ({"items": [REVIEW, {"no": "id"}], "nextToken": None}, [RID]),
        ({"message": "x"}, []),
        ([REVIEW], []),
        (None, []),
    ],
)
def test_reviews_are_found_in_single_and_list_bodies(body: object, ids: list[str]) -> None:
    assert [r["id"] for r in reviews_in(body)] == ids


@pytest.mark.parametrize(
    ("creates", "due"),
    [(0, False), (1, True), (2, True), (3, False), (4, True), (6, False), (64, True)],
)
def test_listing_is_walked_on_power_of_two_creates(creates: int, due: bool) -> None:
    assert lifecycle._walk_due(creates) is due


@pytest.mark.parametrize("read_only", [False, True])
def test_generated_configuration_is_valid_for_schemathesis(tmp_path: Path, read_only: bool) -> None:
    path = settings.write(tmp_path, read_only=read_only)
    config = SchemathesisConfig.from_path(path)  # validates against schemathesis's own schema

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    enabled = {name for name, section in data["checks"].items()
               if isinstance(section, dict) and section["enabled"]}  # fmt: skip
    assert enabled == {*settings.STOCK_CHECKS, *checks.CHECK_NAMES}
    assert "unsupported_method" not in enabled
    assert "positive_data_acceptance" not in enabled
    project = config.projects.get_default()
    assert project.checks.negative_data_rejection.expected_statuses == ["400", "404"]
    assert project.checks.positive_data_acceptance.expected_statuses == ["2xx", "404"]
    probes = project.phases.coverage.unexpected_methods
    assert probes == (
        {"trace"} if read_only else {"get", "put", "post", "delete", "patch", "trace"}
    )
