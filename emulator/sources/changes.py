"""One long poll of moto's change counter (emulator/aws/changes.py), shared by the pollers.

A thread asks `GET /_emulator/changes?after=N`; moto answers as soon as something changed (or
after 20 s). Waiters block on a condition until the counter moves, so an idle emulator makes
one request every 20 s in all, whatever the number of stream sources.
"""

from __future__ import annotations

import http.client
import logging
import threading
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

PATH = "/_emulator/changes"
RETRY_S = 1.0


class ChangeFeed:
    """The counter as last seen at moto, and the thread that follows it."""

    def __init__(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.count = 0  # changes seen here (moto's own counter restarts with moto)
        self._remote = -1
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="change-feed")
        self._thread.start()

    def wait_beyond(self, seen: int, timeout: float) -> int:
        """Block until the counter is above `seen` (or `timeout`); return it."""
        with self._changed:
            self._changed.wait_for(lambda: self.count > seen or self._stopping.is_set(),
                                   timeout)
            return self.count

    def stop(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()

    def _run(self) -> None:
        connection: http.client.HTTPConnection | None = None
        while not self._stopping.is_set():
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                connection.request("GET", f"{PATH}?after={self._remote}")
                count = int(connection.getresponse().read())
            except (OSError, ValueError, http.client.HTTPException):
                connection = None  # moto restarting: every waiter falls back to its timeout
                self._stopping.wait(RETRY_S)
                continue
            with self._changed:
                if count != self._remote:
                    self._remote = count
                    self.count += 1
                    self._changed.notify_all()
