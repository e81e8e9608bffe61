"""`python -m emulator invoke FUNCTION`: one invocation, like `serverless invoke local`.

The event comes from `--data` (JSON), `--path` (a JSON or YAML file) or `--event-type` (a
sample of a non-HTTP source, filled from the function's own event of that kind:
sources/samples.py); `{}` without any. When the emulator of this
service is running on `--port`, the invocation goes through its Lambda Invoke API (a warm
environment, the same tables); otherwise a one-off: moto with the saved tables, one execution
environment, stopped afterwards. The result is printed on stdout, the function's log on
stderr; the exit status is 1 when the function failed, 2 on bad input.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import logging
import sys
import uuid
from pathlib import Path
from typing import Any

import yaml

from emulator import cli, console
from emulator.aws.authn import Credentials, KeyRing, developer_credentials
from emulator.aws.moto_server import MotoServer
from emulator.aws.tables import function_aws_env, moto_settings, require_loopback
from emulator.commands import program
from emulator.config.errors import ConfigError
from emulator.config.loader import load_service
from emulator.config.project import locate
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime.environments import EnvironmentPool
from emulator.runtime.invoker import Outcome
from emulator.runtime.outcomes import INIT_TIMEOUT_S
from emulator.runtime.sample_events import KINDS
from emulator.sources.samples import configured_event

log = logging.getLogger("emulator")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=f"{program()} invoke",
        description="Invoke one function of serverless.yml once, like `serverless invoke "
                    "local`: through the running emulator if there is one, else one-off.")
    p.add_argument("function", help="the function's key under `functions:`")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--data", "-d", metavar="JSON", help="the event, as JSON")
    source.add_argument("--path", "-p", type=Path, metavar="FILE",
                        help="a JSON or YAML file holding the event")
    source.add_argument("--event-type", choices=KINDS,
                        help="a sample event of this kind, shaped like AWS's samples")
    p.add_argument("--config", type=Path, metavar="PATH",
                   help="the service file or its folder (default: serverless.yml, .yaml or "
                        ".json in this folder)")
    p.add_argument("--stage", help="stage name (default: the file's provider.stage, else dev)")
    p.add_argument("--region", help="region (default: the file's provider.region, else "
                                    "us-east-1)")
    p.add_argument("--host", default="127.0.0.1",
                   help="where a running emulator is looked for (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=3000,
                   help="the running emulator's port (default 3000)")
    p.add_argument("--python", metavar="PATH", help="interpreter for a one-off invocation")
    p.add_argument("--runtime-client", choices=("builtin", "awslambdaric"), default="builtin",
                   help="one-off: the runtime interface client (default builtin)")
    p.add_argument("--env-passthrough", action="append", default=[], metavar="NAME",
                   help="one-off: copy this variable from your shell into the function's "
                        "environment (repeatable)")
    p.add_argument("--no-iam", action="store_true",
                   help="one-off: do not enforce the role statements")
    p.add_argument("--state-dir", type=Path, metavar="DIR",
                   help="where the tables are saved (default: .emulator/ beside serverless.yml)")
    p.add_argument("--in-memory", action="store_true",
                   help="one-off: start from empty tables, save nothing")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return p


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    console.setup_logging(args.verbose)
    try:
        args.config = locate(args.config, Path.cwd())
        service = load_service(args.config, stage=args.stage, region=args.region)
        function = service.functions.get(args.function)
        if function is None:
            raise ConfigError(f"no function {args.function!r} in {args.config} (functions: "
                              f"{', '.join(service.functions) or 'none'})", key="FUNCTION")
        event = _event(args, service)
        require_loopback(f"http://{args.host}:{args.port}", option="--host")
    except ConfigError as exc:
        console.flush_logs()
        print(f"error: {exc}", file=sys.stderr)
        return 2
    warm = _through_running_emulator(args, service, function, event)
    return warm if warm is not None else _one_off(args, service, function, event)


def _event(args: argparse.Namespace, service: ServiceConfig) -> bytes:
    if args.event_type:
        value: Any = configured_event(args.event_type, service, args.function)
    elif args.path is not None:
        try:
            text = args.path.read_text(encoding="utf-8")
            value = (yaml.safe_load(text) if args.path.suffix in (".yml", ".yaml")
                     else json.loads(text))
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read the event: {exc}", file=str(args.path)) from None
    elif args.data is not None:
        try:
            value = json.loads(args.data)
        except ValueError as exc:
            raise ConfigError(f"not JSON: {exc}", key="--data") from None
    else:
        value = {}
    return json.dumps(value).encode()


def _through_running_emulator(args: argparse.Namespace, service: ServiceConfig,
                              function: FunctionConfig, event: bytes) -> int | None:
    """Invoke through a running emulator's Invoke API; None when none serves this function.

    Signed with the developer's local key (the state folder's `credentials`), as the Invoke
    API requires a signed caller."""
    connection = http.client.HTTPConnection(args.host, args.port, timeout=function.timeout_s
                                            + INIT_TIMEOUT_S + 10)
    path = f"/2015-03-31/functions/{function.full_name}/invocations"
    headers = _signed(f"http://{args.host}:{args.port}{path}", event, service.region,
                      developer_credentials(cli._state_dir(service, args)))
    try:
        connection.request("POST", path, body=event, headers=headers)
        reply = connection.getresponse()
        body = reply.read()
    except OSError:
        return None  # nothing listens there: one-off
    finally:
        connection.close()
    if reply.status == 404:
        return None  # another service's emulator (or something else) on that port
    if reply.getheader("x-amzn-ErrorType") in ("UnrecognizedClientException",
                                               "InvalidSignatureException"):
        print(f"error: the emulator on port {args.port} refused your local key "
              f"({cli._state_dir(service, args) / 'credentials'}): pass the running emulator's "
              "--state-dir", file=sys.stderr)
        return 1
    log_text = base64.b64decode(reply.getheader("X-Amz-Log-Result") or "").decode("utf-8",
                                                                                 "replace")
    sys.stderr.write(log_text)
    failed = reply.getheader("X-Amz-Function-Error") is not None or reply.status >= 300
    _print_result(body)
    return 1 if failed else 0


def _signed(url: str, body: bytes, region: str, key: Credentials) -> dict[str, str]:
    """The headers of a SigV4-signed Invoke call (botocore's signer, as boto3 signs it)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials as BotoCredentials

    request = AWSRequest("POST", url, data=body, headers={
        "X-Amz-Log-Type": "Tail", "Content-Type": "application/json"})
    SigV4Auth(BotoCredentials(key.access_key, key.secret), "lambda", region).add_auth(request)
    return {name: str(value) for name, value in request.headers.items()}


def _one_off(args: argparse.Namespace, service: ServiceConfig, function: FunctionConfig,
             event: bytes) -> int:
    args.max_concurrency = 1
    settings = cli._runtime_settings(args)
    moto = MotoServer.spawn()
    keys = None if args.no_iam else KeyRing.new(
        developer_credentials(cli._state_dir(service, args)))
    try:
        moto.configure(moto_settings(
            service, enforce_iam=not args.no_iam, state_file=cli._state_file(service, args),
            seed_file=None, serve_dynamodb=True, verbose=args.verbose, keys=keys))
        moto.wait_ready()
        pool = EnvironmentPool(service, settings, lambda fn: function_aws_env(
            fn, endpoint=moto.endpoint, keys=keys))
        try:
            result = pool.invoke(function.name, event, str(uuid.uuid4()),
                                 function.timeout_s + INIT_TIMEOUT_S + 5)
        finally:
            pool.close()
    finally:
        moto.stop()
    console.flush_logs()
    if result.outcome is Outcome.OK:
        _print_result(result.payload)
        return 0
    _print_result(json.dumps(dict(result.error or {"errorType": result.outcome.value}))
                  .encode())
    return 1


def _print_result(payload: bytes) -> None:
    try:
        text = json.dumps(json.loads(payload), indent=4, ensure_ascii=False)
    except ValueError:
        text = payload.decode("utf-8", "replace")
    print(text, flush=True)
