"""What the emulator says on the console: log format, start warnings, the route banner, Ctrl-C."""

from __future__ import annotations

import argparse
import logging
import os
import re
import signal
import sys
from collections.abc import Sequence

from emulator import cli_auth
from emulator.config.flags import listen_address
from emulator.config.service import ServiceConfig
from emulator.gateway.auth.guard import AuthSettings
from emulator.gateway.front import route_table
from emulator.runtime import logs
from emulator.runtime.handler_check import handler_problems
from emulator.server import ServerThread

log = logging.getLogger("emulator")


class ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            text = f"{record.levelname.lower()}: {text}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def setup_logging(verbose: bool) -> None:
    # What a record gathers and the console never shows: the caller's file and line (a stack
    # walk per record), thread, process (the logging HOWTO's "Optimization" switches).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    console = logs.DeferredHandler(sys.stderr)  # written off the request path
    console.setFormatter(ConsoleFormatter())
    root = logging.getLogger()
    for previous in root.handlers:
        if isinstance(previous, logs.DeferredHandler):  # main() run again in one process
            previous.close()
    root.handlers[:] = [console]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def flush_logs() -> None:
    """Write what is queued for the log (DeferredHandler) before printing past it."""
    for handler in logging.getLogger().handlers:
        handler.flush()


_AWS_ENDPOINT = re.compile(r"https?://([a-z0-9-]+\.)+amazonaws\.com(\.cn)?/?$")


def warn_about(service: ServiceConfig, args: argparse.Namespace) -> None:
    for note in service.notes:
        log.warning("%s", note)
    if service.offline.declared:
        log.info("custom.serverless-offline honoured: %s", ", ".join(service.offline.declared))
    if service.unsupported:
        log.warning("not emulated (ignored): %s", "; ".join(service.unsupported))
    for problem in handler_problems(service):
        log.warning("%s", problem)
    for warning in aws_endpoint_warnings(service):
        log.warning("%s", warning)
    host = listen_address(service)[0]
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("listening on %s: the API is reachable from other machines", host)


def aws_endpoint_warnings(service: ServiceConfig) -> list[str]:
    """Environment variables that hand a handler an AWS endpoint to pass as `endpoint_url`
    (pynamodb's `host`, ...): such a call bypasses the local endpoints and leaves this
    machine (with fake credentials, so it reaches no account: it fails)."""
    found: dict[tuple[str, str], list[str]] = {}
    for function in service.functions.values():
        for name, value in function.environment.items():
            if _AWS_ENDPOINT.match(value):
                found.setdefault((name, value), []).append(function.name)
    return [f"environment {name}={value} (functions {', '.join(names)}) is an AWS endpoint: a "
            "client given it as endpoint_url calls AWS, not the emulator, and fails (fake "
            "credentials); leave it unset locally (boto3 then uses AWS_ENDPOINT_URL, the local "
            "endpoint) or set it to the endpoint printed below"
            for (name, value), names in found.items()]


def print_routes(service: ServiceConfig, server: ServerThread, dynamodb: str,
                  auth: AuthSettings, *, extra: Sequence[str] = ()) -> None:
    flush_logs()  # the warnings so far come before the banner
    table = route_table(service, server.url)
    print("\n".join(table.lines), flush=True)
    tables = ", ".join(t.name for t in service.tables) or "no tables"
    print(f"DynamoDB: {dynamodb} ({tables})")
    for line in cli_auth.protected_lines(service, auth):
        print(line)
    cli_auth.print_auth(service, auth, print)
    for line in extra:  # --web's page
        print(line)
    print(f"Ready: {table.ready}", flush=True)


def wait_for_signal() -> None:
    """Block until SIGINT or SIGTERM.

    The handler only writes to a pipe: setting a threading.Event from a signal handler can
    deadlock when the signal lands while the main thread holds the Event's lock in wait().
    """
    read_end, write_end = os.pipe()

    def _stop(signum: int, _frame: object) -> None:
        os.write(write_end, b"x")

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    os.read(read_end, 1)
