"""Acknowledged writes survive kill -9 of the emulator (issue 16, item 9): the write journal.

Before it, 336 of 1,555 acknowledged writes (the last ~1.3 s) were lost; bench/write_loss.py
measures the same under load.
"""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from emulator_harness import REVIEW_API, EmulatorProcess, descendants, wait_gone

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc"),
]


def test_every_acknowledged_write_survives_kill_9(tmp_path: Path) -> None:
    emu = EmulatorProcess(REVIEW_API, "--state-dir", str(tmp_path), "--no-reload").start()
    try:
        emu.wait_for(r"^State: ", timeout=60)
        created = {}
        for i in range(20):
            reply = emu.request("POST", "/reviews", user="alice", body={"review": f"review {i}"})
            assert reply.status == 201, emu.log
            created[reply.json()["id"]] = f"review {i}"
        deleted = next(iter(created))
        assert emu.request("DELETE", f"/reviews/{deleted}", user="alice").status == 204
        del created[deleted]
        # WHEN the emulator is killed outright right after the last reply (no snapshot since)
        assert emu.proc is not None
        family = descendants(emu.proc.pid)
        emu.proc.send_signal(signal.SIGKILL)
        emu.stop()
    finally:
        if emu.proc is not None and emu.proc.poll() is None:
            emu.stop()
    assert wait_gone(family) == set()
    # THEN the next start has every acknowledged write, the delete included
    again = EmulatorProcess(REVIEW_API, "--state-dir", str(tmp_path), "--no-reload").start()
    try:
        again.wait_for(r"^State: replayed \d+ writes from the journal", timeout=60)
        page = again.request("GET", "/reviews?limit=100").json()
        assert {item["id"]: item["review"] for item in page["items"]} == created
    finally:
        assert again.stop() == 0
    # AND a clean stop leaves the snapshot only (beside the developer's key and the user
    # pool's discovery file, which are not state)
    kept = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock"))
    assert [n for n in kept if n != "credentials" and not n.endswith(".cognito.json")] == [
        "review-api-dev-us-east-2.json"]
