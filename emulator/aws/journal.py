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
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

Call = Callable[[str, Mapping[str, Any]], dict[str, Any]]  # (operation, body) -> reply


_OPERATION = re.compile(r"[A-Za-z]{1,64}")


@dataclass(frozen=True, slots=True)
class Entry:
    seq: int
    op: str
    body: dict[str, Any]
    where: str  # "state.json.journal line 3"


@dataclass(slots=True)
class Replayed:
    applied: int = 0
    refused: int = 0  # refused again by moto, as when they were made
    damage: list[str] = field(default_factory=list)  # entries skipped, each named


def _entry(line: bytes, where: str) -> Entry | str:
    """One journal line, or what is wrong with it."""
    try:
        entry = json.loads(line)
    except (ValueError, RecursionError):  # cut short by a full disk, or bytes changed
        return f"{where}: not a complete entry"
    if not isinstance(entry, dict):
        return f"{where}: not an entry"
    seq, op, body = entry.get("seq"), entry.get("op"), entry.get("body")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**63:
        return f"{where}: seq {seq!r} is not a positive whole number"
    if not isinstance(op, str) or not _OPERATION.fullmatch(op):
        return f"{where}: op {op!r} is not a DynamoDB operation"
    if not isinstance(body, dict):
        return f"{where}: body is not an object"
    return Entry(seq, op, body, where)


def _in_sequence(entries: list[Entry], damage: list[str]) -> list[Entry]:
    """Drop entries whose number fits none of their neighbours (entries are numbered one by
    one): a changed digit in `seq` must not make the replay skip the entries after it."""
    kept = []
    for i, entry in enumerate(entries):
        near = [j for j in range(i - 2, i + 3) if j != i and 0 <= j < len(entries)]
        if near and not any(entries[j].seq - entry.seq == j - i for j in near):
            damage.append(f"{entry.where}: seq {entry.seq} is out of sequence")
        else:
            kept.append(entry)
    return kept


class Journal:
    """The journal files beside one snapshot."""

    def __init__(self, snapshot: Path) -> None:
        self.current = snapshot.with_name(f"{snapshot.name}.journal")
        self.old = snapshot.with_name(f"{snapshot.name}.journal.old")
        self.lock = threading.Lock()  # a write is applied and appended under it
        self.seq = 0  # the number of the last entry appended (or replayed)
        self._fd: int | None = None

    def replay(self, after: int, call: Call) -> Replayed:
        """Apply the entries numbered above `after`, in order; skip and name damaged ones."""
        entries, damage = self.read()
        self.seq = after
        out = Replayed(damage=damage)
        for entry in entries:
            if entry.seq <= self.seq:
                continue
            self.seq = entry.seq
            try:
                reply = call(entry.op, entry.body)
            except Exception as exc:  # moto could not take it at all: damaged, not fatal
                out.damage.append(f"{entry.where}: {entry.op} failed ({type(exc).__name__})")
                continue
            if "__type" in reply:  # as when it was first made, it may fail the same way
                out.refused += 1
            else:
                out.applied += 1
        return out

    def read(self) -> tuple[list[Entry], list[str]]:
        """The entries of both files in order, and what is damaged (skipped), by line."""
        parsed: list[Entry] = []
        damage: list[str] = []
        for path in (self.old, self.current):
            try:
                lines = path.read_bytes().splitlines()
            except FileNotFoundError:
                continue
            except OSError as exc:  # a folder, unreadable: nothing in it can be replayed
                damage.append(f"{path.name}: {exc.strerror or exc}")
                continue
            for number, line in enumerate(lines, 1):
                entry = _entry(line, f"{path.name} line {number}")
                if isinstance(entry, str):
                    damage.append(entry)
                else:
                    parsed.append(entry)
        return _in_sequence(parsed, damage), damage

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
