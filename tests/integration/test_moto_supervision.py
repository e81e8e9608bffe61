"""moto is supervised: killed with -9, it is logged at once and restarted on the same endpoint
from the saved state, and calls made meanwhile are served (issue 16, item 5)."""

from __future__ import annotations

import os
import re
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from emulator_harness import REVIEW_API, EmulatorProcess, descendants

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc"),
]

RESTARTED = re.compile(r"^moto restarted in (\d+) ms")


def moto_pid(emu: EmulatorProcess) -> int:
    assert emu.proc is not None
    (pid,) = [p for p in descendants(emu.proc.pid)
              if b"emulator.aws.moto_process" in Path(f"/proc/{p}/cmdline").read_bytes()]
    return pid


def test_moto_killed_is_logged_restarted_and_keeps_the_data(tmp_path: Path) -> None:
    emu = EmulatorProcess(REVIEW_API, "--state-dir", str(tmp_path), "--no-reload").start()
    try:
        emu.wait_for(r"^State: ", timeout=60)
        created = emu.request("POST", "/reviews", user="alice", body={"review": "before the crash"})
        assert created.status == 201, emu.log  # journaled: no need to wait for a snapshot
        first = moto_pid(emu)
        endpoint = emu.wait_for(r"^DynamoDB: ").split()[1]

        # WHEN moto is killed outright, and a request arrives right after
        mark = len(emu.output)
        os.kill(first, signal.SIGKILL)
        with ThreadPoolExecutor(1) as pool:
            during = pool.submit(emu.request, "POST", "/reviews", user="alice",
                                 body={"review": "meanwhile"})
            # THEN the console says so at once, and moto comes back on the same endpoint
            line = emu.wait_for(r"moto exited unexpectedly", start=mark)
            assert "signal 9" in line and "restarting" in line
            restarted = emu.wait_for(RESTARTED, timeout=60, start=mark)
            # AND the request made meanwhile was served by the new moto
            assert during.result().status == 201, emu.log
        assert moto_pid(emu) != first
        assert emu.wait_for(r"^DynamoDB: ").split()[1] == endpoint
        # AND what was acknowledged before the crash is there
        review = emu.request("GET", f"/reviews/{created.json()['id']}")
        assert review.status == 200, emu.log
        assert review.json()["review"] == "before the crash"
        assert emu.request("POST", "/reviews", user="alice", body={"review": "after"}).status == 201
        print(restarted)  # the restart time, for the record (pytest -s)
    finally:
        assert emu.stop() == 0
