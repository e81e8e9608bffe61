"""Inside the moto process: tables refilled from the last snapshot at start, snapshotted on change.

DynamoDB keeps data until it is deleted; moto forgets everything when its process ends. The
keeper here makes the local tables outlive the process: at start it creates the tables of
`resources:`, loads the snapshot file (state.py's format) with BatchWriteItem by 25 as a client
would, then seeds empty tables from --seed-data. While running, a WSGI layer sees every write
operation and marks the state dirty; a thread writes a snapshot about a second after the first
change (debounced; for big tables at least ten snapshot-durations apart, so snapshotting
takes at most about a tenth of the time), and a final one is written on clean shutdown. A
snapshot is point-in-time: writes wait while the items are copied (25-45 ms for a thousand
items here), so a transaction or a sequence of writes is in it entirely or not at all. Every
acknowledged write is also appended to the write journal (journal.py) before its reply, and
replayed on start after the snapshot: a kill -9 loses no acknowledged write.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from emulator.aws import state
from emulator.aws.journal import Journal
from emulator.aws.state import SnapshotError, TableState

log = logging.getLogger(__name__)

DEBOUNCE_S = 1.0
PACING = 10  # wait at least this many times the last snapshot's duration before the next
BATCH = 25  # BatchWriteItem's limit
Call = Callable[[str, Mapping[str, Any]], dict[str, Any]]  # (operation, body) -> reply
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
# DynamoDB operations that change nothing: everything else marks the state dirty.
_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "TransactGetItems",
                    "DescribeTable", "ListTables", "DescribeTimeToLive", "DescribeLimits",
                    "DescribeEndpoints", "ListTagsOfResource", "DescribeContinuousBackups"})


class WriteGate:
    """Writes run concurrently with each other; a snapshot runs while no write is in progress."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._writers = 0
        self._closed = False

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._writers += 1
        try:
            yield
        finally:
            with self._changed:
                self._writers -= 1
                self._changed.notify_all()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        with self._changed:
            self._changed.wait_for(lambda: not self._closed)
            self._closed = True
            self._changed.wait_for(lambda: self._writers == 0)
        try:
            yield
        finally:
            with self._changed:
                self._closed = False
                self._changed.notify_all()


class StateKeeper:
    """Owns the snapshot file of one moto process."""

    def __init__(self, path: Path, call: Call, items: Callable[[str], list[dict[str, Any]]],
                 debounce_s: float = DEBOUNCE_S) -> None:
        self.path, self._call, self._items, self._debounce_s = path, call, items, debounce_s
        self.gate = WriteGate()
        self._dirty = threading.Event()  # changed since the last snapshot
        self._wake = threading.Event()  # the snapshot thread has something to do
        self._stopping = threading.Event()
        self._lock = threading.Lock()  # one snapshot at a time
        self._last_s = 0.0  # how long the last snapshot took
        self.journal = Journal(path)
        self._thread = threading.Thread(target=self._run, name="snapshots", daemon=True)

    def middleware(self, app: WsgiApp) -> WsgiApp:
        """Wrap moto's app: DynamoDB writes go through the gate, are journaled once moto
        accepted them (before the reply leaves) and mark the state dirty."""
        def tracked(environ: dict[str, Any], start_response: Callable[..., Any]
                    ) -> Iterable[bytes]:
            target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
            operation = target.rpartition(".")[2]
            if not target.startswith("DynamoDB_") or operation in _READS:
                return app(environ, start_response)
            request = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            environ["wsgi.input"] = io.BytesIO(request)
            statuses: list[str] = []

            def started(status: str, headers: Any, *exc_info: Any) -> Any:
                statuses.append(status)
                return start_response(status, headers, *exc_info)

            with self.gate.writing(), self.journal.lock:
                body = list(app(environ, started))  # the write happens in here
                if statuses and statuses[-1].startswith("200"):
                    self.journal.append(operation, request)
                self.mark_dirty()
            return body
        return tracked

    def restore(self, tables: Iterable[Mapping[str, Any]]) -> None:
        """Load the snapshot into the tables just created; set aside what does not fit."""
        if not self.path.exists():
            log.info("State: %s (nothing saved yet)", _shown(self.path))
            self._replay(0)  # killed before its first snapshot
            return
        try:
            saved, journaled = state.read_snapshot(self.path.read_bytes())
        except (OSError, SnapshotError) as exc:
            aside = state.set_aside(self.path, "unreadable")
            self._set_journal_aside("unreadable")
            log.warning("State: %s: %s; moved to %s, starting empty", _shown(self.path), exc,
                        aside.name)
            return
        started = time.perf_counter()
        setups = {t["CreateTable"]["TableName"]: t for t in tables}
        loaded, refused = 0, []
        for table in saved.values():
            problem = self._load(table, setups.get(table.name))
            if problem:
                refused.append(f"{table.name}: {problem}")
            else:
                loaded += len(table.items)
        log.info("State: restored %d items (%s) from %s in %.0f ms", loaded,
                 _tables(len(saved) - len(refused)), _shown(self.path),
                 (time.perf_counter() - started) * 1000)
        if refused:
            aside = state.set_aside(self.path, "mismatch")
            self._set_journal_aside("mismatch")  # its writes were made on the old tables
            log.warning("State: not loaded, kept in %s:\n  %s", aside, "\n  ".join(refused))
            self.snapshot()  # the main file again holds exactly what is loaded
        else:
            self._replay(self._checked(journaled))

    def _checked(self, journaled: int) -> int:
        """The snapshot's `journalSeq`, checked against the journal beside it.

        A snapshot can hold no entry the journal never had: a number past the last entry was
        edited (or the files do not belong together). Trusted, it would skip every entry and
        the snapshot after the replay would drop the journal. Without `.old` the snapshot
        predates `.journal`'s first entry, so that is replayed from; with `.old` which
        entries the snapshot holds is unknown, so the journal is kept aside, named.
        """
        entries, _ = self.journal.read()
        if not entries or journaled <= entries[-1].seq:
            return journaled
        if not self.journal.old.exists():
            log.warning("State: %s says it holds journal entries up to %d, but the journal "
                        "ends at %d: replaying the journal from entry %d", _shown(self.path),
                        journaled, entries[-1].seq, entries[0].seq)
            return entries[0].seq - 1
        kept = [state.set_aside(path, "unmatched").name for path in self.journal.files()]
        log.warning("State: %s says it holds journal entries up to %d, but the journal ends "
                    "at %d: not replayed, kept as %s", _shown(self.path), journaled,
                    entries[-1].seq, ", ".join(kept))
        return journaled

    def _replay(self, after: int) -> None:
        """Apply the journal's writes the snapshot does not hold; then snapshot them.

        Damaged entries are skipped and named, and the journal files are kept aside (never
        deleted) before the snapshot that holds the rest starts a new journal."""
        started = time.perf_counter()
        done = self.journal.replay(after, self._call)
        if done.applied or done.refused:
            log.info("State: replayed %d writes from the journal in %.0f ms%s", done.applied,
                     (time.perf_counter() - started) * 1000,
                     f" ({done.refused} refused again, as when they were made)"
                     if done.refused else "")
        if done.damage:
            kept = [state.set_aside(path, "damaged").name for path in self.journal.files()]
            shown = done.damage[:10] + ([f"... and {len(done.damage) - 10} more"]
                                        if len(done.damage) > 10 else [])
            log.warning("State: skipped %d damaged journal entries (the rest were replayed); "
                        "kept as %s:\n  %s", len(done.damage), ", ".join(kept) or "-",
                        "\n  ".join(shown))
        if done.applied or done.refused or done.damage:
            self.snapshot()  # in the snapshot now: the journal starts afresh

    def _set_journal_aside(self, reason: str) -> None:
        for path in self.journal.files():
            state.set_aside(path, reason)

    def _load(self, table: TableState, setup: Mapping[str, Any] | None) -> str | None:
        if setup is None:
            return "not a table of serverless.yml"
        request = setup["CreateTable"]
        live = state.key_shape(request["KeySchema"], request["AttributeDefinitions"])
        if live != table.key_shape:
            return (f"key schema changed: snapshot {_shape(table.key_shape)}, "
                    f"serverless.yml {_shape(live)}")
        try:
            self.write_items(table.name, table.items)
        except RuntimeError as exc:
            self._call("DeleteTable", {"TableName": table.name})  # no half-loaded table
            for operation in ("CreateTable", "UpdateTimeToLive"):
                if operation in setup:
                    self._call(operation, setup[operation])
            return str(exc)
        return None

    def seed(self, seed: Mapping[str, list[dict[str, Any]]], source: str) -> None:
        """Load --seed-data into the tables that are still empty."""
        for name, items in seed.items():
            if self._call("Scan", {"TableName": name, "Limit": 1}).get("Items"):
                log.info("Seed: %s already has items; %s not loaded into it", name, source)
                continue
            try:
                self.write_items(name, items)
            except RuntimeError as exc:
                log.warning("Seed: %s: table %s: %s", source, name, exc)
                continue
            self.mark_dirty()
            log.info("Seed: %d items into %s from %s", len(items), name, source)

    def write_items(self, table: str, items: Iterable[Mapping[str, Any]]) -> None:
        """BatchWriteItem by 25, retrying UnprocessedItems; RuntimeError names the item range."""
        batch = list(items)
        for start in range(0, len(batch), BATCH):
            pending: list[Any] = [{"PutRequest": {"Item": item}}
                                  for item in batch[start:start + BATCH]]
            for _ in range(10):
                reply = self._call("BatchWriteItem", {"RequestItems": {table: pending}})
                if "__type" in reply:
                    raise RuntimeError(f"items {start}-{start + len(pending) - 1} refused: "
                                       f"{reply.get('message') or reply.get('Message')}")
                pending = reply.get("UnprocessedItems", {}).get(table, [])
                if not pending:
                    break

    def mark_dirty(self) -> None:
        self._dirty.set()
        self._wake.set()

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            # A burst of writes, one snapshot; a big table is saved less often (<= ~10% busy).
            if self._stopping.wait(max(self._debounce_s, PACING * self._last_s)):
                return
            self._wake.clear()
            self._snapshot_or_report()

    def snapshot(self) -> None:
        """Copy every table while no write is in progress, then replace the file atomically."""
        with self._lock:
            started = time.perf_counter()
            with self.gate.quiet():
                self._dirty.clear()
                journaled = self.journal.rotate()
                tables = [self._table(name) for name in self._table_names()]
            copied = time.perf_counter()
            state.write_atomic(self.path, state.encode_snapshot(tables, journaled))
            self.journal.snapshotted()
            self._last_s = time.perf_counter() - started
            log.debug("State: saved %d items (%s) to %s in %.0f ms (writes paused %.0f ms)",
                      sum(len(t.items) for t in tables), _tables(len(tables)),
                      _shown(self.path), (time.perf_counter() - started) * 1000,
                      (copied - started) * 1000)

    def close(self) -> None:
        """Stop the thread (a snapshot in progress finishes); write a last one if needed."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()
        if not self._dirty.is_set() or self._snapshot_or_report():
            self.journal.remove()  # everything is in the snapshot

    def _snapshot_or_report(self) -> bool:
        try:
            self.snapshot()
        except (OSError, ValueError) as exc:  # disk full, folder gone: keep serving
            self._dirty.set()  # still unsaved: the next change or the exit tries again
            log.error("State: snapshot failed (%s); %s keeps the previous one (and the "
                      "journal the writes since)", exc, _shown(self.path))
            return False
        return True

    def _table_names(self) -> list[str]:
        names: list[str] = []
        body: dict[str, Any] = {}
        while True:
            reply = self._call("ListTables", body)
            names += reply.get("TableNames", [])
            if not reply.get("LastEvaluatedTableName"):
                return names
            body = {"ExclusiveStartTableName": reply["LastEvaluatedTableName"]}

    def _table(self, name: str) -> TableState:
        description = self._call("DescribeTable", {"TableName": name})["Table"]
        return TableState(name, tuple(description["KeySchema"]),
                          tuple(description["AttributeDefinitions"]), tuple(self._items(name)))


def _tables(count: int) -> str:
    return f"{count} table" if count == 1 else f"{count} tables"


def _shape(shape: state.KeyShape) -> str:
    return ", ".join(f"{name} {kind} {type_}" for name, kind, type_ in shape) or "none"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
