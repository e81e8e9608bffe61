"""The write journal: acknowledged writes survive a crash between snapshots (issue 16, item 9).

Writes go through the keeper's middleware into moto in this process; "the crash" is a keeper
that is never closed, and "the restart" a fresh table plus a new keeper restoring the files.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.aws import state
from emulator.aws.moto_process import backend_items, in_process_caller
from emulator.aws.snapshots import Call, StateKeeper

REGION = "eu-north-1"  # a region of its own: moto's backends are per process
KEY = [{"AttributeName": "pk", "KeyType": "HASH"}]
DEFINITIONS = [{"AttributeName": "pk", "AttributeType": "S"}]


@pytest.fixture(scope="module")
def moto_app() -> Any:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return DomainDispatcherApplication(create_backend_app)


@pytest.fixture
def setup(moto_app: Any) -> Iterator[dict[str, Any]]:
    name = f"j-{uuid.uuid4().hex[:8]}"
    request = {"TableName": name, "KeySchema": KEY, "AttributeDefinitions": DEFINITIONS,
               "BillingMode": "PAY_PER_REQUEST"}
    in_process_caller(moto_app, REGION)("CreateTable", request)
    yield {"CreateTable": request}
    in_process_caller(moto_app, REGION)("DeleteTable", {"TableName": name})


def keeper(path: Path, moto_app: Any) -> tuple[StateKeeper, Call]:
    """A keeper, and a client whose calls go through its middleware (as handlers' do)."""
    kept = StateKeeper(path, in_process_caller(moto_app, REGION), backend_items(REGION))
    return kept, in_process_caller(kept.middleware(moto_app), REGION)


def restart(path: Path, moto_app: Any, setup: dict[str, Any]) -> Callable[[], list[Any]]:
    """moto starts again: the table is created empty, then the keeper restores it."""
    call = in_process_caller(moto_app, REGION)
    name = setup["CreateTable"]["TableName"]
    call("DeleteTable", {"TableName": name})
    call("CreateTable", setup["CreateTable"])
    StateKeeper(path, call, backend_items(REGION)).restore([setup])
    return lambda: sorted(call("Scan", {"TableName": name})["Items"],
                          key=lambda item: json.dumps(item, sort_keys=True))


def put(client: Call, table: str, key: str, **attributes: Any) -> None:
    reply = client("PutItem", {"TableName": table, "Item": {"pk": {"S": key}, **attributes}})
    assert "__type" not in reply, reply


def add(client: Call, table: str, key: str, amount: int) -> dict[str, Any]:
    return client("UpdateItem", {
        "TableName": table, "Key": {"pk": {"S": key}}, "UpdateExpression": "ADD n :a",
        "ExpressionAttributeValues": {":a": {"N": str(amount)}}, "ReturnValues": "ALL_NEW"})


def test_writes_after_the_last_snapshot_are_replayed_once(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any]) -> None:
    path, table = tmp_path / "state.json", setup["CreateTable"]["TableName"]
    kept, client = keeper(path, moto_app)
    kept.restore([setup])
    put(client, table, "a")
    add(client, table, "counter", 5)
    kept.snapshot()  # a, counter=5 in the snapshot
    put(client, table, "b", v={"S": "after the snapshot"})
    add(client, table, "counter", 2)
    client("DeleteItem", {"TableName": table, "Key": {"pk": {"S": "a"}}})
    refused = client("PutItem", {"TableName": table, "Item": {"pk": {"S": "b"}},
                                 "ConditionExpression": "attribute_not_exists(pk)"})
    assert refused["__type"].endswith("ConditionalCheckFailedException")
    # WHEN moto dies here (no close, no snapshot of the last writes) and starts again
    items = restart(path, moto_app, setup)
    # THEN every acknowledged write is there, each applied once (ADD is not idempotent)
    assert items() == [{"n": {"N": "7"}, "pk": {"S": "counter"}},
                       {"pk": {"S": "b"}, "v": {"S": "after the snapshot"}}]
    # AND the replay was snapshotted: a second restart finds the same from the snapshot alone
    assert not (tmp_path / "state.json.journal.old").exists()
    assert restart(path, moto_app, setup)() == items()


def test_writes_before_the_first_snapshot_are_replayed(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any]) -> None:
    path, table = tmp_path / "state.json", setup["CreateTable"]["TableName"]
    kept, client = keeper(path, moto_app)
    kept.restore([setup])
    put(client, table, "only")
    assert not path.exists()
    assert restart(path, moto_app, setup)() == [{"pk": {"S": "only"}}]


def test_a_failed_snapshot_keeps_the_journal_it_rotated(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, table = tmp_path / "state.json", setup["CreateTable"]["TableName"]
    kept, client = keeper(path, moto_app)
    kept.restore([setup])
    put(client, table, "x")
    with monkeypatch.context() as patched:
        def disk_full(_path: Path, _data: bytes) -> None:
            raise OSError(28, "No space left on device")

        patched.setattr(state, "write_atomic", disk_full)
        with pytest.raises(OSError):
            kept.snapshot()  # rotated the journal, then could not write the snapshot
    put(client, table, "y")
    with monkeypatch.context() as patched:
        patched.setattr(state, "write_atomic", disk_full)
        with pytest.raises(OSError):
            kept.snapshot()  # .old is still there: it must not be replaced
    put(client, table, "z")
    assert restart(path, moto_app, setup)() == [{"pk": {"S": k}} for k in "xyz"]


def test_a_clean_stop_leaves_the_snapshot_and_no_journal(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any]) -> None:
    path, table = tmp_path / "state.json", setup["CreateTable"]["TableName"]
    kept, client = keeper(path, moto_app)
    kept.restore([setup])
    kept.start()
    put(client, table, "kept")
    kept.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]
    assert restart(path, moto_app, setup)() == [{"pk": {"S": "kept"}}]


def test_an_unreadable_snapshot_sets_its_journal_aside_too(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any]) -> None:
    path, table = tmp_path / "state.json", setup["CreateTable"]["TableName"]
    kept, client = keeper(path, moto_app)
    kept.restore([setup])
    kept.snapshot()
    put(client, table, "after")
    path.write_bytes(b"{cut short")
    assert restart(path, moto_app, setup)() == []  # never a partial state
    assert len(list(tmp_path.glob("state.json.journal.unreadable-*"))) == 1


# Issue 29 item 5: damage never stops moto; damaged entries are skipped, named and kept.

def journaled_writes(tmp_path: Path, moto_app: Any, setup: dict[str, Any], keys: str
                     ) -> Path:
    """Writes `keys` (one PutItem each) after a first snapshot; moto then dies."""
    path, table = tmp_path / "state.json", setup["CreateTable"]["TableName"]
    kept, client = keeper(path, moto_app)
    kept.restore([setup])
    kept.snapshot()
    for key in keys:
        put(client, table, key)
    return path


def damage_line(journal: Path, number: int, old: bytes, new: bytes) -> None:
    lines = journal.read_bytes().splitlines(keepends=True)
    assert old in lines[number]
    lines[number] = lines[number].replace(old, new, 1)
    journal.write_bytes(b"".join(lines))


@pytest.mark.parametrize("change", [
    (b'"op": "PutItem"', b'"op": "PutI\xfftem"'),  # a byte flipped: not UTF-8
    (b'"seq": 1,', b'"seq": 9,'),  # a digit changed: must not skip entries 2-9
    (b'"seq": 1,', b'"seq": 1e999,'),  # a number no int holds
    (b'"body": {', b'"body": [{'),
])
def test_a_damaged_first_entry_is_skipped_and_named_and_the_rest_replayed(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any], change: tuple[bytes, bytes],
        caplog: pytest.LogCaptureFixture) -> None:
    path = journaled_writes(tmp_path, moto_app, setup, "abcd")
    damage_line(tmp_path / "state.json.journal", 0, *change)
    with caplog.at_level("WARNING"):
        items = restart(path, moto_app, setup)
    assert items() == [{"pk": {"S": k}} for k in "bcd"]
    assert "state.json.journal line 1" in caplog.text
    (aside,) = tmp_path.glob("state.json.journal.damaged-*")
    assert aside.read_bytes().count(b"\n") == 4  # kept whole, never deleted
    assert restart(path, moto_app, setup)() == items()  # the snapshot holds the rest


def test_a_journal_that_is_a_folder_is_set_aside_and_writes_are_journaled_again(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any]) -> None:
    path, table = tmp_path / "state.json", setup["CreateTable"]["TableName"]
    (tmp_path / "state.json.journal").mkdir()
    items = restart(path, moto_app, setup)
    assert items() == []
    assert len(list(tmp_path.glob("state.json.journal.damaged-*"))) == 1
    kept, client = keeper(path, moto_app)
    kept.restore([setup])
    put(client, table, "after")
    assert restart(path, moto_app, setup)() == [{"pk": {"S": "after"}}]


def test_a_snapshot_nested_too_deeply_is_set_aside(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any]) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"[" * 100_000 + b"]" * 100_000)
    assert restart(path, moto_app, setup)() == []
    assert len(list(tmp_path.glob("state.json.unreadable-*"))) == 1


def test_an_edited_journal_seq_does_not_drop_acknowledged_writes(
        tmp_path: Path, moto_app: Any, setup: dict[str, Any]) -> None:
    path = journaled_writes(tmp_path, moto_app, setup, "abc")
    document = json.loads(path.read_bytes())
    document["journalSeq"] = 999999999999
    path.write_bytes(json.dumps(document).encode())
    assert restart(path, moto_app, setup)() == [{"pk": {"S": k}} for k in "abc"]
