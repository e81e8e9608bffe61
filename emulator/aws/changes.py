"""A change counter in front of moto: pollers wait on it instead of asking moto in a loop.

Every request that may change state and that moto answers 2xx (a DynamoDB write, any PUT,
POST or DELETE without a read-only target) bumps a counter; `GET /_emulator/changes?after=N`
answers the counter as soon as it is above N (or after WAIT_S). The stream pollers of the
emulator share one such long poll (emulator/sources/changes.py), so a quiet emulator costs no
CPU, and a write reaches its stream poller within a few milliseconds. The counter reveals no
data (the server listens on loopback only, as every local endpoint does).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

PATH = "/_emulator/changes"
WAIT_S = 20.0
_DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem",
                              "TransactWriteItems", "ExecuteStatement", "BatchExecuteStatement",
                              "ExecuteTransaction"})
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class ChangeCounter:
    """The counter and its waiters."""

    def __init__(self) -> None:
        self.count = 0
        self._changed = threading.Condition()

    def bump(self) -> None:
        with self._changed:
            self.count += 1
            self._changed.notify_all()

    def wait_above(self, after: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.count > after, timeout)
            return self.count

    def middleware(self, app: WsgiApp) -> WsgiApp:
        def counted(environ: dict[str, Any], start_response: Callable[..., Any]
                    ) -> Iterable[bytes]:
            if environ.get("PATH_INFO") == PATH:
                return self._answer(environ, start_response)
            status: list[str] = []

            def recorded(code: str, headers: Any, *rest: Any) -> Any:
                status.append(code)
                return start_response(code, headers, *rest)

            result = app(environ, recorded)
            if status and status[0].startswith("2") and may_change(environ):
                self.bump()
            return result
        return counted

    def _answer(self, environ: dict[str, Any], start_response: Callable[..., Any]
                ) -> list[bytes]:
        query = parse_qs(str(environ.get("QUERY_STRING", "")))
        try:
            after = int(query.get("after", ["-1"])[0])
        except ValueError:
            after = -1
        count = self.wait_above(after, WAIT_S)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(count).encode()]


def may_change(environ: dict[str, Any]) -> bool:
    """Whether a request may change state (reads with an X-Amz-Target never count)."""
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    if target.startswith("DynamoDB_20120810."):
        return target.split(".", 1)[1] in _DYNAMODB_WRITES
    if target:  # streams' GetRecords, SQS's JSON protocol, ...: a poller's own calls
        return not target.startswith(("DynamoDBStreams_", "AmazonSQS."))
    return str(environ.get("REQUEST_METHOD")) in ("PUT", "POST", "DELETE")
