"""Snapshots are checked item by item on load; a malformed one is set aside, never loaded
(issue 16, item 5: `{"ZZ": "bad"}` or a bare number crashed moto at every start)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.aws import state
from emulator.aws.moto_process import backend_items, in_process_caller
from emulator.aws.snapshots import Call, StateKeeper
from emulator.aws.state import SnapshotError

REGION = "ap-southeast-1"  # a region of its own: moto's backends are per process
KEY = [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
DEFINITIONS = [{"AttributeName": "pk", "AttributeType": "S"},
               {"AttributeName": "sk", "AttributeType": "N"}]
GOOD = {"pk": {"S": "a"}, "sk": {"N": "1"}}


def snapshot(*items: Any, name: str = "t") -> bytes:
    """A snapshot file as the emulator writes it, with any items (also malformed ones)."""
    return json.dumps({"format": state.FORMAT, "tables": {name: {
        "KeySchema": KEY, "AttributeDefinitions": DEFINITIONS, "Items": list(items)}}}).encode()


@pytest.mark.parametrize(("item", "problem"), [
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"ZZ": "bad"}}, "x: unknown type 'ZZ'"),
    (7, "not an object of attributes"),
    ("text", "not an object of attributes"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": "bare"}, "x: not a typed value"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"S": "a", "N": "1"}}, "x: not a typed value"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"N": 5}}, "x: N must be a string"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"N": "five"}}, "x: N is not a number"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"SS": "a"}}, "x: SS must be a list of strings"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"BOOL": "yes"}}, "x: BOOL must be true or false"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"NULL": False}}, "x: NULL must be true"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"B": "not base64!"}}, "x: B is not base64"),
    ({"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"M": {"y": {"L": [{"Q": 1}]}}}},
     "x.y[0]: unknown type 'Q'"),
    ({"pk": {"S": "a"}}, "missing key attribute 'sk'"),
    ({"pk": {"N": "1"}, "sk": {"N": "1"}}, "key attribute 'pk' must be of type S"),
])
def test_a_malformed_item_is_named_with_its_table_and_index(item: Any, problem: str) -> None:
    with pytest.raises(SnapshotError) as caught:
        state.decode_snapshot(snapshot(GOOD, item, name="reviews"))
    assert str(caught.value).startswith(f"table reviews: item 1: {problem}")


def test_every_wire_type_is_accepted() -> None:
    from test_state import EVERY_TYPE  # the round-trip test's item: every DynamoDB type

    item = {**EVERY_TYPE, "pk": {"S": "p"}, "sk": {"N": "2"}}
    assert state.decode_snapshot(snapshot(GOOD, item))["t"].items == (GOOD, item)


@pytest.fixture(scope="module")
def call() -> Call:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return in_process_caller(DomainDispatcherApplication(create_backend_app), REGION)


@pytest.fixture
def table(call: Call) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:8]}"
    call("CreateTable", {"TableName": name, "KeySchema": KEY, "AttributeDefinitions": DEFINITIONS,
                         "BillingMode": "PAY_PER_REQUEST"})
    yield name
    call("DeleteTable", {"TableName": name})


@pytest.mark.parametrize("bad", [{"x": {"ZZ": "bad"}}, 42], ids=["unknown type", "bare number"])
def test_a_snapshot_with_a_malformed_item_is_set_aside_and_moto_serves_empty(
        tmp_path: Path, call: Call, table: str, caplog: pytest.LogCaptureFixture,
        bad: Any) -> None:
    path = tmp_path / "state.json"
    original = snapshot(GOOD, {**GOOD, "sk": {"N": "2"}, **bad} if isinstance(bad, dict) else bad,
                        name=table)
    path.write_bytes(original)

    StateKeeper(path, call, backend_items(REGION)).restore(
        [{"CreateTable": {"TableName": table, "KeySchema": KEY,
                          "AttributeDefinitions": DEFINITIONS}}])

    assert call("Scan", {"TableName": table})["Items"] == []  # served, nothing half loaded
    (aside,) = tmp_path.glob("state.json.unreadable-*")
    assert aside.read_bytes() == original and not path.exists()
    (warning,) = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert "\n" not in warning
    assert f"table {table}: item 1: " in warning and aside.name in warning
