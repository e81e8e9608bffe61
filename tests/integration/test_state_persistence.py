"""Tables that survive restarts of the real emulator: Ctrl-C, kill -9, --in-memory, reset, seed."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_harness import REPO, REVIEW_API, EmulatorProcess, descendants, wait_gone

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc"),
]

SAVED = re.compile(r"^State: saved (\d+) items")
FIXTURE = REPO / "tests" / "fixtures" / "services" / "iam-missing-delete"


@pytest.fixture
def emulators() -> Iterator[list[EmulatorProcess]]:
    started: list[EmulatorProcess] = []
    yield started
    for emu in started:
        if emu.proc is not None and emu.proc.returncode is None:
            emu.stop()


def start(emulators: list[EmulatorProcess], *args: str, config: Path = REVIEW_API
          ) -> EmulatorProcess:
    emu = EmulatorProcess(config, *args).start()
    emulators.append(emu)
    return emu


def create(emu: EmulatorProcess, text: str) -> str:
    reply = emu.request("POST", "/reviews", user="alice", body={"review": text})
    assert reply.status == 201, reply.body
    review_id: str = reply.json()["id"]
    return review_id


def all_reviews(emu: EmulatorProcess) -> dict[str, str]:
    found: dict[str, str] = {}
    query = "?limit=100"
    while True:
        page = emu.request("GET", f"/reviews{query}").json()
        found |= {item["id"]: item["review"] for item in page["items"]}
        if not page["nextToken"]:
            return found
        query = f"?limit=100&nextToken={page['nextToken']}"


def test_reviews_survive_ctrl_c_and_a_new_start(
        emulators: list[EmulatorProcess], tmp_path: Path) -> None:
    emu = start(emulators, "--state-dir", str(tmp_path))
    created = {create(emu, f"review {i}"): f"review {i}" for i in range(3)}
    assert emu.stop(signal.SIGINT) == 0
    assert (tmp_path / "review-api-dev-us-east-2.json").is_file()
    again = start(emulators, "--state-dir", str(tmp_path))
    again.wait_for(r"^State: restored 3 items \(1 tables?\)")
    assert all_reviews(again) == created


# --- kill -9 ---------------------------------------------------------------------------------

class Writer(threading.Thread):
    """Creates reviews one after another until stopped or the emulator goes away."""

    def __init__(self, emu: EmulatorProcess) -> None:
        super().__init__(daemon=True)
        self.emu, self.ids, self.stop = emu, list[str](), threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                self.ids.append(create(self.emu, f"review {len(self.ids)}"))
            except (OSError, AssertionError):
                return


def test_kill_9_during_writes_leaves_no_process_and_the_last_snapshot_loads(
        emulators: list[EmulatorProcess], tmp_path: Path) -> None:
    emu = start(emulators, "--state-dir", str(tmp_path), "--verbose")
    writer = Writer(emu)
    writer.start()
    # GIVEN writes in progress and snapshots being written (the first after ~1 s of writes)
    first = emu.wait_for(SAVED, timeout=30)
    last = emu.wait_for(SAVED, timeout=30, start=emu.output.index(first) + 1)
    saved = int(SAVED.match(last).group(1))  # type: ignore[union-attr]
    assert emu.proc is not None
    pids = descendants(emu.proc.pid)
    # WHEN the emulator is killed outright, mid-write
    emu.proc.kill()
    emu.stop()
    writer.stop.set()
    writer.join(30)
    # THEN no environment and no moto process survives it
    assert wait_gone(pids) == set()
    # AND the next start loads the last snapshot: a prefix of the writes, at least as long as
    # the last snapshot line announced (a later one may have completed before the kill)
    restored = set(all_reviews(start(emulators, "--state-dir", str(tmp_path))))
    known = [review_id for review_id in writer.ids if review_id in restored]
    assert known == writer.ids[:len(known)]
    assert len(restored - set(writer.ids)) <= 1  # the POST whose reply the kill cut off
    assert len(restored) >= saved > 0


# --- opting out, resetting, seeding ----------------------------------------------------------

@pytest.fixture
def service(tmp_path: Path) -> Path:
    """A copy of the fixture service, so its default state folder lands in tmp_path."""
    shutil.copytree(FIXTURE, tmp_path / "svc", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path / "svc" / "serverless.yml"


def put_and_stop(emulators: list[EmulatorProcess], config: Path, *args: str) -> None:
    emu = start(emulators, *args, config=config)
    assert emu.request("PUT", "/items/a", body="saved").status == 204
    assert emu.stop() == 0


def test_state_is_saved_beside_serverless_yml_by_default(
        emulators: list[EmulatorProcess], service: Path) -> None:
    put_and_stop(emulators, service)
    snapshot = service.parent / ".emulator" / "iam-fixture-dev-eu-central-1.json"
    assert '"body":{"S":"saved"}' in snapshot.read_text()


def test_in_memory_leaves_no_state(emulators: list[EmulatorProcess], service: Path) -> None:
    # No table, snapshot or journal; only the key your own tools sign with (the emulator
    # refuses unsigned and unknown-key calls: docs/security.md), kept so it stays the same.
    put_and_stop(emulators, service, "--in-memory")
    kept = sorted(p.name for p in (service.parent / ".emulator").iterdir())
    assert kept == ["credentials"]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "emulator", *args], env=env, text=True,
                          capture_output=True, timeout=60, check=False)


def test_reset_prints_what_it_removes_then_removes_it(
        emulators: list[EmulatorProcess], service: Path) -> None:
    put_and_stop(emulators, service)
    snapshot = service.parent / ".emulator" / "iam-fixture-dev-eu-central-1.json"
    done = run_cli("reset", "--config", str(service))
    assert (done.returncode, done.stdout) == (0, f"Removing {snapshot}\n"), done.stderr
    assert not snapshot.exists()
    emu = start(emulators, config=service)
    assert emu.request("GET", "/items/a").status == 404


def test_reset_flag_starts_empty(emulators: list[EmulatorProcess], service: Path) -> None:
    put_and_stop(emulators, service)
    emu = start(emulators, "--reset", config=service)
    assert emu.request("GET", "/items/a").status == 404


def test_seed_data_fills_empty_tables(emulators: list[EmulatorProcess], tmp_path: Path) -> None:
    seed = tmp_path / "seed.yaml"
    seed.write_text("ItemsTable:\n  - {id: seeded, body: from the seed file}\n")
    emu = start(emulators, "--state-dir", str(tmp_path), "--seed-data", str(seed),
                config=FIXTURE / "serverless.yml")
    emu.wait_for("^Seed: 1 items into iam-fixture-dev-items")
    assert emu.request("GET", "/items/seeded").json() == {
        "id": "seeded", "body": "from the seed file"}


def test_bad_seed_data_is_a_clear_error(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"iam-fixture-dev-items": [{"id": "ok"}, {"body": "no key"}]}))
    done = run_cli("--config", str(FIXTURE / "serverless.yml"), "--port", "0", "--in-memory",
                   "--seed-data", str(seed))
    assert done.returncode == 2
    assert f"{seed}: iam-fixture-dev-items[1]: missing key attribute 'id'" in done.stderr
    assert "Traceback" not in done.stderr


# --- reviews stored before users existed -----------------------------------------------------

LEGACY = REPO / "tests" / "fixtures" / "state" / "legacy-reviews"


def test_reviews_from_a_state_file_of_before_users_stay_readable_and_unchangeable(
        emulators: list[EmulatorProcess], tmp_path: Path) -> None:
    # GIVEN the snapshot the emulator wrote before reviews had authors (README.md beside it)
    shutil.copy(LEGACY / "review-api-dev-us-east-2.json", tmp_path)
    emu = start(emulators, "--state-dir", str(tmp_path))
    emu.wait_for(r"^State: restored 2 items \(1 table\)")
    # THEN they are listed and read with the old name as the author's, and no author id
    listed = emu.request("GET", "/reviews").json()["items"]
    assert sorted((r["review"], r["author"]["id"], r["author"]["name"]) for r in listed) == [
        ("Edited once, still before sign-in.", None, "Grace Hopper"),
        ("The tutorial API, before sign-in existed.", None, "Ada Lovelace")]
    old = next(r for r in listed if r["author"]["name"] == "Ada Lovelace")
    assert emu.request("GET", f"/reviews/{old['id']}").json() == old
    # AND nobody may change or delete them: no user's sub matches a missing author id
    path = f"/reviews/{old['id']}"
    for reply in (emu.request("PUT", path, user="alice", body={"review": "Mine now"}),
                  emu.request("DELETE", path, user="alice")):
        assert (reply.status, reply.json()) == (
            403, {"message": "Only the author of a review may change or delete it"})
    assert emu.request("GET", path).json() == old
    # AND new reviews are written beside them, with an author
    created = create(emu, "after sign-in")
    author = emu.request("GET", f"/reviews/{created}").json()["author"]
    assert author["id"] is not None
    listed = emu.request("GET", f"/reviews?author={author['id']}").json()["items"]
    assert [r["id"] for r in listed] == [created]
