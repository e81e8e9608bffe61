"""State that survives restarts: exact round trips, atomic writes, snapshots set aside, seeds."""

from __future__ import annotations

import io
import json
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator.aws import state
from emulator.aws.moto_process import backend_items, in_process_caller
from emulator.aws.snapshots import Call, StateKeeper, WriteGate
from emulator.aws.state import TableState
from emulator.config.errors import ConfigError
from emulator.config.service import TableConfig

REGION = "ap-southeast-2"  # a region of its own: moto's backends are per process
KEY = ({"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"})
DEFINITIONS = ({"AttributeName": "pk", "AttributeType": "S"},
               {"AttributeName": "sk", "AttributeType": "N"})
EVERY_TYPE: dict[str, Any] = {
    "pk": {"S": "every-type"},
    "sk": {"N": "-12345678901234567890123456789012345678"},  # 38 digits, exact
    "text": {"S": "naïve ☃ \u0000 end"},
    "empty": {"S": ""},
    "big": {"N": "99999999999999999999999999999999999999"},
    "tiny": {"N": "0.000000000000000000000000000000000001"},
    "exp": {"N": "1E+125"},
    "trailing": {"N": "1.50"},
    "bin": {"B": "AAEC/4CA/w=="},  # 00 01 02 ff 80 80 ff
    "yes": {"BOOL": True},
    "no": {"BOOL": False},
    "nothing": {"NULL": True},
    "map": {"M": {"inner": {"L": [{"N": "1"}, {"B": "AA=="}, {"SS": ["a"]}, {"M": {}}]}}},
    "list": {"L": [{"S": "x"}, {"NULL": True}, {"L": []}]},
    "strings": {"SS": ["a", "b", "ü"]},
    "numbers": {"NS": ["1", "2.5", "-3E-7", "12345678901234567890123456789012345678"]},
    "binaries": {"BS": ["AA==", "/w==", "AAEC"]},
}


@pytest.fixture(scope="module")
def call() -> Call:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    return in_process_caller(DomainDispatcherApplication(create_backend_app), REGION)


def create_request(name: str, definitions: tuple[dict[str, str], ...] = DEFINITIONS
                   ) -> dict[str, Any]:
    return {"TableName": name, "KeySchema": list(KEY), "AttributeDefinitions": list(definitions),
            "BillingMode": "PAY_PER_REQUEST"}


@pytest.fixture
def table(call: Call) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:8]}"
    call("CreateTable", create_request(name))
    yield name
    call("DeleteTable", {"TableName": name})


def scan(call: Call, name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = call("Scan", {"TableName": name})["Items"]
    return sorted(items, key=lambda i: json.dumps(i, sort_keys=True))


def keeper(path: Path, call: Call) -> StateKeeper:
    return StateKeeper(path, call, backend_items(REGION))


def test_every_type_round_trips_exactly(tmp_path: Path, call: Call, table: str) -> None:
    # GIVEN an item of every DynamoDB type, written as a client writes it
    call("PutItem", {"TableName": table, "Item": EVERY_TYPE})
    path = tmp_path / "state.json"
    # WHEN it is snapshotted, its table recreated empty and the snapshot loaded
    keeper(path, call).snapshot()
    call("DeleteTable", {"TableName": table})
    call("CreateTable", create_request(table))
    keeper(path, call).restore([{"CreateTable": create_request(table)}])
    # THEN the item reads back identical, wire value for wire value
    assert scan(call, table) == [EVERY_TYPE]


def test_reading_moto_directly_gives_what_scan_gives(call: Call, table: str) -> None:
    items = [{**EVERY_TYPE, "sk": {"N": str(i)}} for i in range(30)]
    keeper(Path("unused"), call).write_items(table, items)
    direct = backend_items(REGION)(table)
    assert sorted(direct, key=lambda i: json.dumps(i, sort_keys=True)) == scan(call, table)


def test_snapshot_file_round_trips() -> None:
    tables = [TableState("a", KEY, DEFINITIONS, (EVERY_TYPE,)), TableState("b", KEY, (), ())]
    decoded = state.decode_snapshot(state.encode_snapshot(tables))
    assert list(decoded.values()) == tables


@pytest.mark.parametrize("data", [b"{not json", b'{"format": "other"}', b"[]",
                                  json.dumps({"format": state.FORMAT,
                                              "tables": {"t": {"Items": []}}}).encode()])
def test_a_file_that_is_not_a_snapshot_is_refused(data: bytes) -> None:
    with pytest.raises(state.SnapshotError):
        state.decode_snapshot(data)


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_write_leaves_the_previous_snapshot_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str) -> None:
    path = tmp_path / "state.json"
    state.write_atomic(path, b"previous")

    def fail(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(state.os, failing, fail)
    with pytest.raises(OSError, match="No space"):
        state.write_atomic(path, b"new " * 1000)
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temporary file left


def test_failed_serialization_leaves_the_previous_snapshot_intact(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, call: Call, table: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b"previous")

    def explode(_tables: object, _journaled: int = 0) -> bytes:
        raise ValueError("serializer broke")

    monkeypatch.setattr(state, "encode_snapshot", explode)
    with pytest.raises(ValueError, match="serializer broke"):
        keeper(path, call).snapshot()
    assert path.read_bytes() == b"previous"


def snapshot_of(name: str, definitions: tuple[dict[str, str], ...], *items: dict[str, Any]
                ) -> bytes:
    return state.encode_snapshot([TableState(name, KEY, definitions, items)])


@pytest.mark.parametrize("case", [
    ("same-name", "key schema changed"),  # the range key was N, is S in the snapshot
    ("gone", "not a table of serverless.yml"),
], ids=["key schema changed", "table no longer defined"])
def test_snapshot_that_does_not_fit_is_set_aside_never_loaded(
        tmp_path: Path, call: Call, table: str, caplog: pytest.LogCaptureFixture,
        case: tuple[str, str]) -> None:
    saved_as, reason = case
    name = table if saved_as == "same-name" else "gone-table"
    path = tmp_path / "state.json"
    original = snapshot_of(name, ({"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}),
                           {"pk": {"S": "a"}, "sk": {"S": "b"}})
    path.write_bytes(original)
    keeper(path, call).restore([{"CreateTable": create_request(table)}])
    assert scan(call, table) == []
    (aside,) = tmp_path.glob("state.json.mismatch-*")
    assert aside.read_bytes() == original  # kept as it was
    assert reason in caplog.text and aside.name in caplog.text
    assert state.decode_snapshot(path.read_bytes()).keys() <= {table}  # the main file now fits


def test_unreadable_snapshot_is_set_aside(tmp_path: Path, call: Call, table: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(b'{"format": "review-api-emul')  # cut short by hand
    keeper(path, call).restore([{"CreateTable": create_request(table)}])
    (aside,) = tmp_path.glob("state.json.unreadable-*")
    assert aside.read_bytes() == b'{"format": "review-api-emul'
    assert not path.exists()


def test_writes_mark_the_state_dirty_and_reads_do_not(tmp_path: Path, call: Call) -> None:
    kept = keeper(tmp_path / "state.json", call)

    def moto(env: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b"{}"]

    app = kept.middleware(moto)
    for operation in ("GetItem", "Query", "Scan", "DescribeTable"):
        list(app({"HTTP_X_AMZ_TARGET": f"DynamoDB_20120810.{operation}"}, lambda *_: None))
    kept.close()
    assert not (tmp_path / "state.json").exists()  # nothing changed: nothing written
    list(app({"HTTP_X_AMZ_TARGET": "DynamoDB_20120810.PutItem", "CONTENT_LENGTH": "2",
              "wsgi.input": io.BytesIO(b"{}")}, lambda *_: None))
    kept.close()
    assert (tmp_path / "state.json").exists()


def test_snapshot_waits_for_the_write_in_progress() -> None:
    gate = WriteGate()
    in_write, release, copied = threading.Event(), threading.Event(), threading.Event()

    def write() -> None:
        with gate.writing():
            in_write.set()
            release.wait()

    def snapshot() -> None:
        with gate.quiet():
            copied.set()

    threading.Thread(target=write).start()
    in_write.wait()
    snapshotter = threading.Thread(target=snapshot)
    snapshotter.start()
    assert not copied.wait(0.2)  # blocked while the write runs
    release.set()
    snapshotter.join()
    assert copied.is_set()


def test_seed_goes_into_empty_tables_only(tmp_path: Path, call: Call, table: str) -> None:
    kept = keeper(tmp_path / "state.json", call)
    kept.seed({table: [{"pk": {"S": "seed"}, "sk": {"N": "1"}}]}, "seed.json")
    kept.seed({table: [{"pk": {"S": "again"}, "sk": {"N": "2"}}]}, "seed.json")
    assert scan(call, table) == [{"pk": {"S": "seed"}, "sk": {"N": "1"}}]


TABLES = [TableConfig("ItemsTable", "items-dev", {"KeySchema": list(KEY),
                                                  "AttributeDefinitions": list(DEFINITIONS)})]


@pytest.mark.parametrize(("name", "text"), [
    ("seed.json", '{"items-dev": [{"pk": "a", "sk": 1.50, "tags": ["x", 2], "m": {"n": null}}]}'),
    ("seed.yaml", "ItemsTable:\n  - {pk: a, sk: 1.50, tags: [x, 2], m: {n: null}}\n"),
])
def test_seed_file_json_or_yaml_becomes_wire_items(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    assert state.load_seed(tmp_path / name, TABLES) == {"items-dev": [{
        "pk": {"S": "a"}, "sk": {"N": "1.50" if name.endswith("json") else "1.5"},
        "tags": {"L": [{"S": "x"}, {"N": "2"}]}, "m": {"M": {"n": {"NULL": True}}}}]}


@pytest.mark.parametrize(("text", "where"), [
    ('{"nope": []}', "no table 'nope'"),
    ('{"items-dev": {}}', "items-dev: must be a list"),
    ('{"items-dev": [{"pk": "a", "sk": 1}, {"sk": 2}]}',
     "items-dev[1]: missing key attribute 'pk'"),
    ('{"items-dev": [{"pk": "a", "sk": "1"}]}',
     "items-dev[0]: key attribute 'sk' must be of type N"),
    ('{"items-dev": [{"pk": "a", "sk": 1, "s": []}, 3]}',
     "items-dev[1]: an item must be a mapping"),
    ('{"items-dev": [', "cannot read seed data"),
])
def test_seed_errors_name_file_table_and_item(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "seed.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as error:
        state.load_seed(path, TABLES)
    assert str(error.value).startswith(str(path))
    assert where in str(error.value)


def test_reset_names_then_removes_the_snapshot_and_its_copies(tmp_path: Path) -> None:
    path = tmp_path / "svc-dev-us-east-1.json"
    kept = [tmp_path / "svc-prod-us-east-1.json", tmp_path / "other.json"]
    removed = [path, tmp_path / "svc-dev-us-east-1.json.mismatch-20260101T000000",
               tmp_path / ".svc-dev-us-east-1.json.abc.tmp"]
    for file in kept + removed:
        file.write_text("{}")
    said: list[str] = []
    state.reset(path, said.append)
    assert said == [f"Removing {file}" for file in sorted(removed)]
    assert not any(file.exists() for file in removed)
    assert all(file.exists() for file in kept)


def test_reset_refuses_while_an_emulator_holds_the_state(tmp_path: Path) -> None:
    path = tmp_path / "svc-dev-us-east-1.json"
    path.write_text("{}")
    held = state.lock(path)
    assert held is not None
    with held, pytest.raises(ConfigError, match="running"):
        state.reset(path, print)
    assert path.exists()


def test_items_dynamodb_refuses_leave_the_table_empty_and_the_snapshot_aside(
        tmp_path: Path, call: Call, table: str, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "state.json"
    good = {"pk": {"S": "a"}, "sk": {"N": "1"}}  # then an empty key string: well-formed, refused
    path.write_bytes(snapshot_of(table, DEFINITIONS, good, {"pk": {"S": ""}, "sk": {"N": "2"}}))
    keeper(path, call).restore([{"CreateTable": create_request(table)}])
    assert scan(call, table) == []  # never half loaded
    assert len(list(tmp_path.glob("state.json.mismatch-*"))) == 1
    assert "items 0-1 refused" in caplog.text
