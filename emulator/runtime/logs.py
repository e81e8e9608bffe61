"""Function logs shaped like CloudWatch Logs for Lambda.

Emulates what a function's log stream shows: the handler's stdout/stderr line by line, and the
platform's `START RequestId: <id> Version: $LATEST`, `END RequestId: <id>` and
`REPORT RequestId: <id>\\tDuration: x ms\\tBilled Duration: y ms\\tMemory Size: m MB\\t
Max Memory Used: z MB\\tInit Duration: w ms` lines (Init Duration on cold starts only; billing
is per 1 ms since December 2020). Everything goes to the `emulator.lambda` logger, each line
prefixed with the function key and the request id it belongs to.

Writing is off the request path: `DeferredHandler` hands each record, unformatted, to one writer
thread, so a request pays for creating its records, not for formatting them, reading the
environment's memory for REPORT, or the write (measured: ~0.3 ms of a ~0.8 ms trivial request).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import math
import os
import queue
import select
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

FUNCTION_LOG = logging.getLogger("emulator.lambda")
# CloudWatch Logs' largest event: 256 KB, 26 bytes of which are the event's own overhead
# (CloudWatch Logs quotas: "Event size: 256 KB (maximum)"; PutLogEvents counts "the sum of
# all event messages in UTF-8, plus 26 bytes for each log event"). A longer line keeps its
# first MAX_EVENT_BYTES and a marker saying how many bytes were dropped.
MAX_EVENT_BYTES = 262_144 - 26


def new_log_stream_name(now: datetime.datetime | None = None) -> str:
    """Return a Lambda log stream name: `YYYY/MM/DD/[$LATEST]<32 hex>`."""
    day = (now or datetime.datetime.now(datetime.UTC)).strftime("%Y/%m/%d")
    return f"{day}/[$LATEST]{uuid.uuid4().hex}"


def max_memory_used_mb(pid: int) -> int | None:
    """Return the process's peak resident memory (VmHWM) in MB; None where /proc is missing."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fd = os.open(f"/proc/{pid}/status", os.O_RDONLY)
        try:
            status = os.read(fd, 8192)
        finally:
            os.close(fd)
    except OSError:
        return None
    start = status.find(b"\nVmHWM:")
    if start < 0:
        return None
    return math.ceil(int(status[start + 7:status.index(b"kB", start)]) / 1024)


def prefix(function: str, request_id: str | None) -> str:
    """Return the prefix of one log line: `[function-key] <request-id>`."""
    return f"[{function}] {request_id}" if request_id else f"[{function}]"


def log_start(function: str, request_id: str) -> None:
    FUNCTION_LOG.info("%s START RequestId: %s Version: $LATEST", prefix(function, None), request_id)


def log_end(function: str, request_id: str) -> None:
    FUNCTION_LOG.info("%s END RequestId: %s", prefix(function, None), request_id)


def report_line(
    request_id: str,
    *,
    duration_ms: float,
    memory_mb: int,
    max_used_mb: int | None,
    init_ms: float | None,
    status: str | None = None,
    error_type: str | None = None,
) -> str:
    """Return Lambda's REPORT line (tab separated, like CloudWatch shows it)."""
    parts = [
        f"REPORT RequestId: {request_id}",
        f"Duration: {duration_ms:.2f} ms",
        f"Billed Duration: {max(1, math.ceil(duration_ms))} ms",
        f"Memory Size: {memory_mb} MB",
    ]
    if max_used_mb is not None:
        parts.append(f"Max Memory Used: {max_used_mb} MB")
    if init_ms is not None:
        parts.append(f"Init Duration: {init_ms:.2f} ms")
    if status is not None:
        parts.append(f"Status: {status}")
    if error_type is not None:
        parts.append(f"Error Type: {error_type}")
    return "\t".join(parts)


@dataclass(frozen=True, slots=True)
class Report:
    """A REPORT line, formatted when it is written: the memory reading (`pid`'s VmHWM, when
    `max_used_mb` is not given) happens then too, off the request path."""

    request_id: str
    duration_ms: float
    memory_mb: int
    init_ms: float | None
    max_used_mb: int | None = None
    pid: int | None = None
    status: str | None = None
    error_type: str | None = None

    def __str__(self) -> str:
        max_used = self.max_used_mb
        if max_used is None and self.pid is not None:
            max_used = max_memory_used_mb(self.pid)
        return report_line(self.request_id, duration_ms=self.duration_ms,
                           memory_mb=self.memory_mb, max_used_mb=max_used, init_ms=self.init_ms,
                           status=self.status, error_type=self.error_type)


def log_report(function: str, line: str | Report) -> None:
    FUNCTION_LOG.info("%s %s", prefix(function, None), line)


def log_platform(function: str, request_id: str | None, message: str) -> None:
    """Log a line of the platform's own (a timeout, a runtime exit) in the function's stream."""
    FUNCTION_LOG.warning("%s %s", prefix(function, request_id), message)


class OutputPump:
    """A thread that logs every line a process writes to one pipe, until EOF.

    On POSIX it reads the pipe itself (select + os.read) and logs what it read while holding a
    lock, so `drain` can tell when everything the process has written so far is logged: the
    handler's output of an invocation then precedes its END/REPORT lines, and an Invoke API
    `Tail` sees all of it. The process flushes each write (bootstrap.py's Unbuffered stdout).
    """

    def __init__(
        self, function: str, stream: IO[bytes], request_id: Callable[[], str | None], name: str
    ) -> None:
        self._function = function
        self._stream = stream
        self._request_id = request_id
        self._cond = threading.Condition()
        self._eof = False
        self._pending: list[bytes] = []  # the line being read: pieces, joined once at its end
        self._pending_len = 0
        self._dropped = 0  # bytes of the line past MAX_EVENT_BYTES
        # Written to by `stop`: a process the handler detached (`setsid`) keeps the pipe open
        # after the runtime is killed, so EOF cannot be what ends the pump.
        self._stop_r, self._stop_w = os.pipe() if os.name == "posix" else (-1, -1)
        target = self._pump_fd if os.name == "posix" else self._pump
        self._thread = threading.Thread(target=target, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self) -> None:
        self._thread.join()

    def stop(self) -> None:
        """Log what is in the pipe now, then stop reading (the process is gone)."""
        with self._cond:  # the pump closes the stop pipe under this lock, once at its end
            if self._stop_w >= 0:
                with contextlib.suppress(OSError):
                    os.write(self._stop_w, b"x")

    def drain(self, timeout: float = 0.2) -> None:
        """Return once every byte written to the pipe so far is logged (or after `timeout`)."""
        if os.name != "posix":
            return
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._eof and _readable(self._stream.fileno()):
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._cond.wait(left)

    def _log(self, text: str) -> None:
        line_prefix = prefix(self._function, self._request_id())
        # awslambdaric joins the lines of one error entry with "\r"
        for part in text.rstrip("\r\n").split("\r"):
            FUNCTION_LOG.info("%s %s", line_prefix, part)

    def _pump_fd(self) -> None:
        fd = self._stream.fileno()
        poller = select.poll()  # not select.select: no FD_SETSIZE (1024) limit
        poller.register(fd, select.POLLIN)
        poller.register(self._stop_r, select.POLLIN)
        stop_by: float | None = None  # once stopped: read what is there, for 1 s at most
        try:
            while True:
                ready = {f for f, _ in poller.poll(None if stop_by is None else 0)}
                if self._stop_r in ready:
                    poller.unregister(self._stop_r)
                    stop_by = time.monotonic() + 1.0
                if fd not in ready:
                    if stop_by is not None:
                        break
                    continue
                with self._cond:
                    data = os.read(fd, 65536)
                    if not data:
                        break
                    self._take(data)
                    self._cond.notify_all()
                if stop_by is not None and time.monotonic() > stop_by:
                    break
        except (OSError, ValueError):  # the pipe was closed under us at shutdown
            pass
        finally:
            with self._cond:
                if self._pending_len or self._dropped:
                    self._end_line()
                self._eof = True
                self._cond.notify_all()
                os.close(self._stop_r)
                os.close(self._stop_w)
                self._stop_r = self._stop_w = -1
            self._stream.close()

    def _take(self, data: bytes) -> None:
        """Log the complete lines of `data`; keep the rest for the next read (linear time:
        a line arriving in many reads is joined once, and never beyond MAX_EVENT_BYTES)."""
        start = 0
        while (end := data.find(b"\n", start)) >= 0:
            self._hold(data, start, end)
            self._end_line()
            start = end + 1
        self._hold(data, start, len(data))

    def _hold(self, data: bytes, start: int, end: int) -> None:
        room = MAX_EVENT_BYTES - self._pending_len
        keep = min(room, end - start)
        if keep > 0:
            self._pending.append(data[start:start + keep])
            self._pending_len += keep
        self._dropped += end - start - max(keep, 0)

    def _end_line(self) -> None:
        text = b"".join(self._pending).decode("utf-8", "replace")
        if self._dropped:
            text += f" [line truncated: {self._dropped} more bytes]"
        self._pending, self._pending_len, self._dropped = [], 0, 0
        self._log(text)

    def _pump(self) -> None:
        try:
            for raw in iter(self._stream.readline, b""):
                self._log(raw.decode("utf-8", "replace"))
        except (OSError, ValueError):  # the pipe was closed under us at shutdown
            pass
        finally:
            self._stream.close()


def _readable(fd: int) -> bool:
    """Whether the pipe has bytes (or EOF) to read right now."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    try:
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return False


class DeferredHandler(logging.Handler):
    """Hand records to one writer thread that formats them and writes them to `stream`, in order.

    Unlike logging.handlers.QueueHandler, the record is queued as it is (QueueHandler formats it
    in the caller), so lazy arguments such as `Report` are rendered by the writer; what is queued
    together is written with one write. `flush` waits until everything queued so far is written;
    logging.shutdown flushes and closes at exit.
    """

    def __init__(self, stream: IO[str]) -> None:
        super().__init__()
        self.stream = stream
        self._queue: queue.SimpleQueue[logging.LogRecord | threading.Event | None] = \
            queue.SimpleQueue()
        self._writer = threading.Thread(target=self._write, name="log-writer", daemon=True)
        self._writer.start()

    def emit(self, record: logging.LogRecord) -> None:
        self._queue.put(record)

    def flush(self) -> None:
        if self._writer.is_alive():
            done = threading.Event()
            self._queue.put(done)
            done.wait(5)

    def close(self) -> None:
        if self._writer.is_alive():
            self._queue.put(None)
            self._writer.join(5)
        super().close()

    def _write(self) -> None:
        running = True
        while running:
            batch = [self._queue.get()]
            while not self._queue.empty() and len(batch) < 1000:
                batch.append(self._queue.get_nowait())
            lines: list[str] = []
            for item in batch:
                if isinstance(item, logging.LogRecord):
                    try:
                        lines.append(self.format(item) + "\n")
                    except Exception:
                        self.handleError(item)
                elif item is None:
                    running = False
            self._write_out("".join(lines))
            for item in batch:
                if isinstance(item, threading.Event):
                    item.set()

    def _write_out(self, text: str) -> None:
        if not text:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # stderr closed or gone: nothing left to tell
            pass
