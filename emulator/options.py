"""The command line of `python -m emulator`: every flag, its type and its help."""

from __future__ import annotations

import argparse
from pathlib import Path

from emulator import cli_auth
from emulator.commands import SUBCOMMANDS, program
from emulator.config.flags import offline_flags


def build_parser() -> argparse.ArgumentParser:
    """Describe every flag; --help shows them."""
    commands = "\n".join(f"  {name:<7} {line}" for name, line in SUBCOMMANDS)
    p = argparse.ArgumentParser(
        prog=program(), usage="%(prog)s [invoke | reset | token | web-config] [options]",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve a Serverless Framework service's http routes like API Gateway (REST\n"
                    "v1 and HTTP API), run its Python handlers like Lambda, on moto (DynamoDB,\n"
                    "SQS, Cognito). No Docker, no AWS account: nothing leaves this machine.\n\n"
                    f"commands:\n{commands}",
        epilog="Also installed as the `review-api-emulator` command. Every option: docs/cli.md.")
    p.add_argument("--config", type=Path, metavar="PATH",
                   help="the service file (default: serverless.yml, .yaml or .json in this "
                        "folder); handler paths resolve from its folder")
    p.add_argument("--stage", help="stage name, as `serverless --stage` (default: the file's "
                                   "provider.stage, else dev); URLs start with /<stage>")
    p.add_argument("--region", help="region, as `serverless --region` (default: the file's "
                                    "provider.region, else us-east-1)")
    p.add_argument("--host",
                   help="address to listen on (default: custom.serverless-offline.host, else "
                        "127.0.0.1; anything else exposes the API to your network)")
    p.add_argument("--port", "--httpPort", type=_port, dest="port",
                   help="port (default: custom.serverless-offline.httpPort, else 3000; 0 = "
                        "any free)")
    p.add_argument("--param", action="append", default=[], metavar="KEY=VALUE",
                   help="a value for ${param:KEY}, as `serverless --param` (repeatable); wins "
                        "over params: in serverless.yml")
    p.add_argument("--layer", action="append", default=[], metavar="ARN=PATH",
                   help="serve a layer attached by ARN (another account's) from a local folder "
                        "holding what its zip holds (python/...); repeatable")
    p.add_argument("--placeholder-remote", action="store_true",
                   help="start even when a ${ssm:}, ${cf:} or ${s3:} value is missing from "
                        ".emulator/values.yml: it becomes a visible placeholder (warned about)")
    offline_flags(p)
    p.add_argument("--max-concurrency", type=_positive, default=4, metavar="N",
                   help="warm execution environments per function; further requests queue "
                        "(default 4)")
    p.add_argument("--runtime-client", choices=("builtin", "awslambdaric"), default="builtin",
                   help="runtime interface client inside each environment: our portable one "
                        "(default) or AWS's awslambdaric (Linux only, must be installed)")
    p.add_argument("--env-passthrough", action="append", default=[], metavar="NAME",
                   help="copy this variable from your shell into every function's environment "
                        "(repeatable); nothing else from the shell leaks in")
    p.add_argument("--dynamodb-endpoint", metavar="URL",
                   help="use this local DynamoDB endpoint (e.g. DynamoDB Local) instead of the "
                        "embedded moto; must be a loopback URL")
    p.add_argument("--python", metavar="PATH",
                   help="interpreter that runs the handlers, e.g. your project's "
                        ".venv/bin/python (default: a virtualenv built like Lambda's: the "
                        "runtime's Python, its boto3, your requirements)")
    p.add_argument("--no-venv", action="store_true",
                   help="run the handlers on the emulator's own interpreter (its packages "
                        "leak in) instead of the handlers' virtualenv")
    p.add_argument("--venv-dir", type=Path, metavar="DIR",
                   help="where the handlers' virtualenvs are kept (default: venvs/ in the "
                        "state folder)")
    p.add_argument("--inprocess", action="store_true",
                   help="run handlers inside the emulator's process so breakpoint() and IDE "
                        "debuggers work (shared environment variables, no hard timeout)")
    p.add_argument("--no-reload", action="store_true",
                   help="do not watch the service's folder (by default a saved .py file is "
                        "what the next request runs, and serverless.yml changes apply at once)")
    p.add_argument("--no-schedules", action="store_true",
                   help="do not run the functions' `schedule` events")
    p.add_argument("--integration-timeout", type=_positive_float, metavar="SECONDS",
                   help="API Gateway's integration timeout: past it the client gets 504 "
                        "from the REST API, 503 from the HTTP API (default 29 and 30)")
    p.add_argument("--no-throttle", action="store_true",
                   help="do not enforce usage plans (provider.apiGateway.usagePlan throttle and "
                        "quota per API key): no 429s")
    p.add_argument("--no-iam", action="store_true",
                   help="do not enforce the role statements (provider.iam.role.statements) on "
                        "the functions' DynamoDB calls")
    cli_auth.add_flags(p)
    p.add_argument("--state-dir", type=Path, metavar="DIR",
                   help="where tables are saved between runs (default: .emulator/ beside "
                        "serverless.yml)")
    p.add_argument("--in-memory", action="store_true",
                   help="keep tables in memory only: nothing is loaded or saved")
    p.add_argument("--seed-data", type=Path, metavar="FILE",
                   help="JSON or YAML mapping table -> list of items, loaded into empty tables")
    p.add_argument("--reset", action="store_true",
                   help="delete the saved tables of this stage before starting (`python -m "
                        "emulator reset` deletes them without starting)")
    p.add_argument("--web", type=Path, metavar="DIR",
                   help="also serve the static web page in DIR (e.g. web/) on its own port, so "
                        "its API and Cognito calls are cross-origin as after deploy; its "
                        "/config.json names this API and its user pool")
    p.add_argument("--web-port", type=_port, default=8080, metavar="PORT",
                   help="the web page's port (default 8080; 0 = any free)")
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return p


def _port(text: str) -> int:
    value = _int(text)
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (0-65535)")
    return value


def _positive(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be more than 0")
    return value
