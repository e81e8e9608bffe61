"""The local AWS endpoint: moto's server app in a process of its own, on loopback only, with the
functions' IAM role enforced in front of it (iam.py), its tables kept on disk (snapshots.py),
and its Cognito made to behave as AWS's does for tokens, sign-up and browsers (cognito_local.py).

Run by the emulator as ``python -m emulator.aws.moto_process --host 127.0.0.1``. Its settings (the
tables, the IAM role, the state file, seed data) arrive as one JSON line on stdin, so nothing
shows in argv. It creates the tables, loads the last snapshot, binds a free port, prints
``PORT <n>`` on stdout once it listens, and exits when its parent dies (EOF on stdin), so it
never outlives the emulator, even when the emulator is killed with SIGKILL. SIGTERM (the
emulator's clean shutdown) writes a final snapshot first; SIGINT is ignored, so a Ctrl-C in the
terminal leaves the shutdown order to the emulator. A process of its own, not a thread of the
gateway: sharing the gateway's process costs about a third of the throughput to the GIL
(measured, see FACTS.md). Its log lines go to stderr, which it shares with the emulator.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emulator.aws import cognito_local
from emulator.aws.iam import IamMiddleware, IamSettings
from emulator.aws.watchdog import exit_when_parent_dies

log = logging.getLogger("emulator.moto")
_HELD: list[Any] = []
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
_SIGNED = "AWS4-HMAC-SHA256 Credential=emulator/20240101/{region}/dynamodb/aws4_request, " \
          "SignedHeaders=host, Signature=0"


@dataclass(frozen=True, slots=True)
class MotoSettings:
    """Everything the moto process is told at start (one JSON line on its stdin)."""

    region: str = "us-east-1"
    tables: tuple[Mapping[str, Any], ...] = ()  # {"CreateTable": {...}, "UpdateTimeToLive": {...}}
    iam: IamSettings | None = None  # None: not enforced (--no-iam)
    state_file: str | None = None  # None: in memory only (--in-memory)
    seed: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    seed_source: str = ""
    verbose: bool = False
    control_token: str = ""  # authorizes IAM updates (iam.CONTROL_PATH) from the emulator

    def to_line(self) -> bytes:
        data = {"region": self.region, "tables": list(self.tables),
                "iam": self.iam.to_json() if self.iam else None, "state_file": self.state_file,
                "seed": dict(self.seed), "seed_source": self.seed_source,
                "verbose": self.verbose, "control_token": self.control_token}
        return json.dumps(data).encode() + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> MotoSettings:
        data = json.loads(line or b"{}")
        return cls(region=data.get("region", "us-east-1"), tables=tuple(data.get("tables", ())),
                   iam=IamSettings.from_json(data["iam"]) if data.get("iam") else None,
                   state_file=data.get("state_file"), seed=data.get("seed", {}),
                   seed_source=data.get("seed_source", ""), verbose=bool(data.get("verbose")),
                   control_token=data.get("control_token", ""))


def main(argv: list[str] | None = None) -> None:
    """Serve moto on the given loopback host and a free port until told to stop."""
    parser = argparse.ArgumentParser(prog="python -m emulator.aws.moto_process")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fd", type=int, help="serve on this listening socket (from the parent)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Import moto (the slow part of start-up) before the settings arrive: the emulator spawns
    # this process first and reads its config meanwhile.
    moto_app = build_app()
    cognito_local.install()  # ID tokens with the user's attributes; sign-ups confirmed at once
    in_process_caller(moto_app, "us-east-1")("ListTables", {})  # warms moto's DynamoDB app
    line = _read_line(sys.stdin.fileno())
    if not line:  # stdin closed before any settings: the emulator gave up (or died)
        return
    settings = MotoSettings.from_line(line)
    exit_when_parent_dies()
    _setup_logging(settings.verbose)
    call = in_process_caller(moto_app, settings.region)
    _create_tables(call, settings.tables)
    keeper = _keeper(settings, call)
    app: WsgiApp = keeper.middleware(moto_app) if keeper else moto_app
    app = cognito_local.BrowserCors(IamMiddleware(app, settings.iam, settings.control_token))
    listener = (socket.socket(fileno=args.fd) if args.fd is not None
                else socket.create_server((args.host, args.port), backlog=512))
    server = serve(app, listener)
    port = listener.getsockname()[1]
    os.environ["MOTO_PORT"] = str(port)  # moto builds some resource URLs from it
    stopped = _sigterm_pipe()
    print(f"PORT {port}", flush=True)
    threading.Thread(target=server.run, name="moto-server", daemon=True).start()
    os.read(stopped, 1)  # until SIGTERM
    if keeper is not None:
        keeper.close()
    sys.exit(0)


def build_app() -> WsgiApp:
    """Return moto's server app (every service), with DynamoDB's calls sent straight to it.

    moto's dispatcher works out the service of every request anew (its URL and header rules,
    which also list moto's package on disk), and its response classes look up their methods
    with inspect.getmembers on every call. A DynamoDB call (the `X-Amz-Target:
    DynamoDB_20120810.*` header) goes to moto's DynamoDB app directly, and the method names are
    looked up once per class: GetItem in-process 1.37 -> 0.93 ms (measured). Other services and
    /moto-api go through moto's dispatcher as before.
    """
    import moto.core.responses
    from moto.core.utils import method_names_from_class
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # The response classes are fixed once imported; moto 5.2 (pinned) calls this per request.
    moto.core.responses.method_names_from_class = functools.cache(  # type: ignore[attr-defined]
        method_names_from_class)
    dispatcher = DomainDispatcherApplication(create_backend_app)
    dynamodb = create_backend_app("dynamodb")

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if str(environ.get("HTTP_X_AMZ_TARGET", "")).startswith("DynamoDB_20120810."):
            return dynamodb(environ, start_response)
        result: Iterable[bytes] = dispatcher(environ, start_response)
        return result

    return app


def serve(app: WsgiApp, listener: socket.socket) -> Any:
    """Return a waitress server for `app` on `listener` (call its `run` to serve).

    waitress, not werkzeug's development server (what `moto_server` uses): werkzeug's closes
    the connection after every reply and starts a thread per connection, so every AWS call a
    handler makes paid a TCP connect and a thread start; waitress keeps connections alive and
    serves them from a fixed pool of threads.
    """
    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N"
    return create_server(app, sockets=[listener], threads=8, channel_timeout=3600,
                         ident="moto", clear_untrusted_proxy_headers=True)


def _sigterm_pipe() -> int:
    """Return a pipe that becomes readable on SIGTERM.

    The handler only writes a byte: setting a threading.Event from a signal handler deadlocks
    when the signal lands while the main thread holds that Event's lock inside Event.wait().
    """
    read_end, write_end = os.pipe()
    signal.signal(signal.SIGTERM, lambda _signum, _frame: os.write(write_end, b"x"))
    return read_end


def _read_line(fd: int) -> bytes:
    """Read the settings line without buffering past it (the watchdog reads on from fd)."""
    chunks: list[bytes] = []
    while not chunks or not chunks[-1].endswith(b"\n"):
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).strip()


def _setup_logging(verbose: bool) -> None:
    class Console(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            text = record.getMessage()
            return f"{record.levelname.lower()}: {text}" if record.levelno >= logging.WARNING \
                else text

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(Console())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("werkzeug", "botocore", "boto3", "urllib3"):  # no access log per AWS call
        logging.getLogger(noisy).setLevel(logging.ERROR)


def in_process_caller(app: WsgiApp, region: str) -> Callable[[str, Mapping[str, Any]],
                                                             dict[str, Any]]:
    """Call moto's DynamoDB API inside this process (no socket), as a signed client would."""
    from werkzeug.test import Client

    client = Client(app)
    headers = {"Authorization": _SIGNED.format(region=region),
               "Content-Type": "application/x-amz-json-1.0"}

    def call(operation: str, body: Mapping[str, Any]) -> dict[str, Any]:
        reply = client.post("/", data=json.dumps(body), headers={
            **headers, "X-Amz-Target": f"DynamoDB_20120810.{operation}"})
        result: dict[str, Any] = json.loads(reply.get_data() or b"{}")
        return result

    return call


def _create_tables(call: Callable[[str, Mapping[str, Any]], dict[str, Any]],
                   tables: Iterable[Mapping[str, Any]]) -> None:
    for table in tables:
        reply = call("CreateTable", table["CreateTable"])
        if "__type" in reply:
            log.warning("table %s: %s", table["CreateTable"]["TableName"],
                        reply.get("message") or reply.get("Message"))
        elif "UpdateTimeToLive" in table:
            call("UpdateTimeToLive", table["UpdateTimeToLive"])


def _keeper(settings: MotoSettings, call: Callable[[str, Mapping[str, Any]], dict[str, Any]]
            ) -> Any:
    from emulator.aws.snapshots import StateKeeper
    from emulator.aws.state import lock

    if settings.state_file is None:
        return None
    path = Path(settings.state_file)
    held = lock(path)
    if held is None:
        log.warning("State: %s is in use by another emulator; this one keeps its tables in "
                    "memory only", path)
        return None
    _HELD.append(held)  # the lock lasts as long as this process
    keeper = StateKeeper(path, call, backend_items(settings.region))
    keeper.restore(settings.tables)
    if settings.seed:
        keeper.seed(settings.seed, settings.seed_source)
    keeper.start()
    return keeper


def backend_items(region: str) -> Callable[[str], list[dict[str, Any]]]:
    """Read a table's items straight from moto's backend, in wire format.

    A paginated Scan through moto's API takes ~0.9 s per thousand items here; this ~12 ms. It
    reads moto internals (pinned to moto 5.2 in pyproject.toml; tests/unit/test_state.py
    checks it against Scan).
    """
    from moto.core.models import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    from emulator.aws.state import wire_value

    def items(name: str) -> list[dict[str, Any]]:
        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables[name]
        return [{key: wire_value(value) for key, value in item.to_json()["Attributes"].items()}
                for item in table.all_items()]

    return items


if __name__ == "__main__":
    main()
