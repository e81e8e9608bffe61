"""The log lines of one invocation, as Lambda's `LogType: Tail` returns them.

Lambda's Invoke API with `X-Amz-Log-Type: Tail` answers `X-Amz-Log-Result`: the last 4 KB of
the invocation's log (START, the function's output, END, REPORT), base64-encoded (AWS, Lambda
API reference, Invoke: "LogResult ... the last 4 KB of the execution log"). The lines are the
records of the `emulator.lambda` logger that name the request id, without the emulator's
`[function] request-id` prefix.
"""

from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from emulator.runtime.logs import FUNCTION_LOG

TAIL_BYTES = 4096


class _Collector(logging.Handler):
    """Collects the lines of the request ids being watched; idle costs one dict check."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.watched: dict[str, list[str]] = {}
        self.guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if not self.watched:
            return
        message = record.getMessage()
        with self.guard:
            for request_id, lines in self.watched.items():
                if request_id in message:
                    lines.append(_without_prefix(message, request_id))


_COLLECTOR = _Collector()
FUNCTION_LOG.addHandler(_COLLECTOR)


def _without_prefix(message: str, request_id: str) -> str:
    """"[fn] <id> text" -> "text"; "[fn] START RequestId: <id> ..." -> "START RequestId: ..."."""
    if message.startswith("["):
        message = message.split("] ", 1)[-1]
    if message.startswith(request_id + " "):
        message = message[len(request_id) + 1:]
    return message


@contextmanager
def collect(request_id: str) -> Iterator[list[str]]:
    """Collect the log lines of `request_id` while the block runs."""
    lines: list[str] = []
    with _COLLECTOR.guard:
        _COLLECTOR.watched[request_id] = lines
    try:
        yield lines
    finally:
        with _COLLECTOR.guard:
            _COLLECTOR.watched.pop(request_id, None)


def log_result(lines: list[str]) -> str:
    """The X-Amz-Log-Result value: the last 4 KB of the lines, base64."""
    text = "".join(line + "\n" for line in lines).encode("utf-8")
    return base64.b64encode(text[-TAIL_BYTES:]).decode("ascii")
