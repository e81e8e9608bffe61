"""The line printed on Ctrl-C: what the stopped emulator left on disk, read back from the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulator.aws import state
from emulator.aws.state import TableState

KEY = ({"AttributeName": "id", "KeyType": "HASH"},)
DEFINITIONS = ({"AttributeName": "id", "AttributeType": "S"},)


def table(name: str, count: int) -> TableState:
    items = tuple({"id": {"S": f"{name}-{i}"}} for i in range(count))
    return TableState(name, KEY, DEFINITIONS, items)


def test_names_tables_item_counts_and_the_file(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / ".emulator" / "svc-dev-us-east-1.json"
    state.write_atomic(path, state.encode_snapshot([table("reviews", 2), table("users", 1)]))
    assert state.describe_kept(path) == (
        "Kept 3 items in 2 tables (reviews: 2, users: 1) in .emulator/svc-dev-us-east-1.json: "
        "loaded again on the next start; `python -m emulator reset` removes them.")


def test_one_item_one_table_and_a_path_outside_the_working_folder(tmp_path: Path) -> None:
    path = tmp_path / "svc.json"
    state.write_atomic(path, state.encode_snapshot([table("reviews", 1)]))
    assert state.describe_kept(path).startswith(f"Kept 1 item in 1 table (reviews: 1) in {path}:")


def test_in_memory_and_no_tables_say_nothing_was_saved(tmp_path: Path) -> None:
    assert state.describe_kept(None) == "Nothing saved (--in-memory)."
    assert state.describe_kept(tmp_path / "x.json", has_tables=False) == (
        "Nothing to save: serverless.yml defines no tables.")


def test_no_file_yet_says_nothing_was_written(tmp_path: Path) -> None:
    path = tmp_path / "never" / "svc.json"
    assert state.describe_kept(path) == (
        f"Nothing saved: no table was written to (state file: {path}).")
    assert not path.parent.exists()  # describing creates nothing


def test_state_held_by_another_emulator_is_not_claimed(tmp_path: Path) -> None:
    path = tmp_path / "svc.json"
    state.write_atomic(path, state.encode_snapshot([table("reviews", 5)]))
    held = state.lock(path)
    assert held is not None
    with held:
        kept = state.describe_kept(path)
    assert kept == f"Nothing saved by this emulator: another one using {path} keeps that state."


def test_unreadable_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "svc.json"
    path.write_text("{broken")
    assert state.describe_kept(path).startswith(f"The saved state {path} cannot be read: not JSON")
