"""serverless.yml grants exactly the DynamoDB actions the handlers called while the other
handler tests ran (recorded from botocore's `before-call` events, not read from the source).

conftest.pytest_collection_modifyitems runs these tests last.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from api import reviews

if TYPE_CHECKING:
    from conftest import Recording

ROOT = Path(__file__).resolve().parents[2]


def statements() -> list[dict[str, Any]]:
    config = yaml.safe_load((ROOT / "serverless.yml").read_text())
    found: list[dict[str, Any]] = config["provider"]["iam"]["role"]["statements"]
    return found


def as_list(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def granted_dynamodb_actions() -> set[str]:
    return {
        action.removeprefix("dynamodb:")
        for statement in statements()
        if statement["Effect"] == "Allow"
        for action in as_list(statement["Action"])
        if action.startswith("dynamodb:")
    }


def test_iam_grants_exactly_the_dynamodb_actions_the_handlers_call(
    recording_after_handler_tests: Recording,
) -> None:
    recording = recording_after_handler_tests
    if recording.handlers != set(reviews.__all__):
        pytest.skip("run with the handler tests: the recording is made while they run")

    assert recording.operations == granted_dynamodb_actions()


TABLE = "table/${self:provider.environment.DYNAMODB_TABLE}"
AUTHOR_INDEX = f"{TABLE}/index/${{self:provider.environment.DYNAMODB_AUTHOR_INDEX}}"


def test_dynamodb_statements_name_the_table_or_its_author_index_only() -> None:
    grants = {
        (action, "table/" + resource.split(":table/", 1)[-1])
        for statement in statements()
        for action in as_list(statement["Action"])
        if action.startswith("dynamodb:")
        for resource in as_list(statement["Resource"])
    }

    assert all("*" not in resource for _, resource in grants)
    # Query only on the index (the listing by author); every other action on the table only.
    assert {resource for action, resource in grants if action == "dynamodb:Query"} == {
        AUTHOR_INDEX}
    assert {resource for action, resource in grants if action != "dynamodb:Query"} == {TABLE}
