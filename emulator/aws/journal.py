"""The write journal: every acknowledged DynamoDB write, on disk before its reply is sent.

Snapshots (snapshots.py) are written about a second after a change; on their own they lose
what was acknowledged since the last one when the emulator or moto is killed (measured: up to
two thirds of 250 writes in three seconds under load). So every write moto accepts (HTTP 200)
is appended here, as the request it was, before the reply leaves. Each entry carries a sequence
number, and every snapshot records the last number it contains; on start the entries after it
are replayed in order. Appends are plain write()s to an O_APPEND file: they survive the death
of any process (the kernel holds the data), not a power cut or an OS crash (there is no fsync
per write; the snapshots are fsynced).

Files: `<snapshot>.journal` (being appended) and `<snapshot>.journal.old` (what the snapshot
being written will contain; deleted once it is on disk). Writes are serialized while they are
applied and appended, so the journal's order is the order moto applied them in.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Call = Callable[[str, Mapping[str, Any]], dict[str, Any]]  # (operation, body) -> reply


class Journal:
    """The journal files beside one snapshot."""

    def __init__(self, snapshot: Path) -> None:
        self.current = snapshot.with_name(f"{snapshot.name}.journal")
        self.old = snapshot.with_name(f"{snapshot.name}.journal.old")
        self.lock = threading.Lock()  # a write is applied and appended under it
        self.seq = 0  # the number of the last entry appended (or replayed)
        self._fd: int | None = None

    def replay(self, after: int, call: Call) -> tuple[int, int]:
        """Apply the entries numbered above `after`, in order; return (applied, refused)."""
        self.seq = after
        applied = refused = 0
        for seq, operation, body in self._entries():
            if seq <= self.seq:
                continue
            self.seq = seq
            reply = call(operation, body)
            if "__type" in reply:  # as when it was first made, it may fail the same way
                refused += 1
            else:
                applied += 1
        return applied, refused

    def _entries(self) -> Iterator[tuple[int, str, dict[str, Any]]]:
        for path in (self.old, self.current):
            try:
                lines = path.read_bytes().splitlines()
            except FileNotFoundError:
                continue
            for line in lines:
                try:
                    entry = json.loads(line)
                    yield int(entry["seq"]), str(entry["op"]), dict(entry["body"])
                except (ValueError, KeyError, TypeError):  # a line cut short by a full disk
                    log.warning("State: %s: skipped a journal entry that is not complete",
                                path.name)

    def files(self) -> list[Path]:
        return [p for p in (self.old, self.current) if p.exists()]

    def append(self, operation: str, body: bytes) -> None:
        """Record one acknowledged write (call with `lock` held, after moto applied it)."""
        if self._fd is None:
            self._fd = os.open(self.current, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
        self.seq += 1
        # Raw line breaks in JSON can only be whitespace (inside strings they are escaped).
        flat = (body or b"{}").replace(b"\n", b" ").replace(b"\r", b" ")
        entry = b'{"seq": %d, "op": %s, "body": %s}\n' % (
            self.seq, json.dumps(operation).encode(), flat)
        os.write(self._fd, entry)

    def rotate(self) -> int:
        """Start a new file for the writes after a snapshot; return the last number in it.

        Called while no write is in progress. When `.old` is still there (the last snapshot
        failed), appending goes on in the current file: nothing not yet snapshotted is dropped.
        """
        if not self.old.exists() and self.current.exists():
            self._close_fd()
            os.replace(self.current, self.old)
        return self.seq

    def snapshotted(self) -> None:
        """The snapshot holding everything up to the last rotate is on disk: drop `.old`."""
        self.old.unlink(missing_ok=True)

    def remove(self) -> None:
        """Everything is in the snapshot (a clean stop): no journal file is needed."""
        self._close_fd()
        for path in (self.old, self.current):
            path.unlink(missing_ok=True)

    def _close_fd(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
