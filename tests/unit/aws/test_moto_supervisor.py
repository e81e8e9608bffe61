"""MotoServer's supervision without moto: stand-in processes that die (issue 16, item 5)."""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import threading

import pytest

from emulator.aws import moto_server
from emulator.aws.moto_process import MotoSettings
from emulator.aws.moto_server import MotoServer

DIES_AFTER_SERVING = "import sys; sys.stdin.readline(); print('PORT 1', flush=True)"


def test_a_moto_that_keeps_dying_is_restarted_then_given_up_and_its_endpoint_closed(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    spawned: list[subprocess.Popen[bytes]] = []

    def stand_in(self: MotoServer) -> subprocess.Popen[bytes]:
        process = subprocess.Popen([sys.executable, "-c", DIES_AFTER_SERVING],
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        spawned.append(process)
        return process

    monkeypatch.setattr(MotoServer, "_popen", stand_in)
    original_give_up = MotoServer._give_up
    gave_up = threading.Event()

    def give_up(self: MotoServer, code: int, crashes: int) -> None:
        original_give_up(self, code, crashes)
        gave_up.set()

    monkeypatch.setattr(MotoServer, "_give_up", give_up)
    with caplog.at_level(logging.INFO, logger="emulator.aws.moto"):
        moto = MotoServer.spawn()
        moto.configure(MotoSettings(state_file="/tmp/state.json"))
        moto.wait_ready(30)
        assert gave_up.wait(60)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("moto exited unexpectedly (exit code 0): restarting it from the last snapshot"
               in m for m in messages) == moto_server.MAX_RESTARTS
    assert sum(m.startswith("moto restarted in ") for m in messages) == moto_server.MAX_RESTARTS
    assert "not restarted again" in messages[-1]
    assert len(spawned) == moto_server.MAX_RESTARTS + 1
    host, port = moto.endpoint.removeprefix("http://").split(":")
    with pytest.raises(ConnectionRefusedError):  # calls fail at once instead of waiting
        socket.create_connection((host, int(port)), timeout=5)
    moto.stop()
