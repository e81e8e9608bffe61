"""`python -m emulator`: serve a serverless.yml's http routes like API Gateway, locally."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from emulator import cli_auth, reload
from emulator.aws import state
from emulator.aws.iam_invoke import invoke_permission
from emulator.aws.moto_server import MotoServer
from emulator.aws.tables import (
    create_tables,
    function_aws_env,
    iam_settings,
    moto_settings,
    require_loopback,
    table_warnings,
)
from emulator.config.errors import ConfigError
from emulator.config.flags import listen_address, offline_flags, parse_params, with_offline_flags
from emulator.config.loader import load_service
from emulator.config.project import locate
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.gateway.auth.guard import AuthSettings
from emulator.gateway.front import Front, route_table
from emulator.gateway.http_api import INTEGRATION_TIMEOUT_S, HttpApi
from emulator.gateway.invoke_api import InvokeApi
from emulator.gateway.rest import DEFAULT_INTEGRATION_TIMEOUT_S, Gateway
from emulator.runtime import logs
from emulator.runtime.dependencies import Dependencies, DependencyError
from emulator.runtime.environments import EnvironmentPool
from emulator.runtime.handler_check import handler_problems
from emulator.runtime.invoker import Invoker, RuntimeSettings
from emulator.server import ServerThread

log = logging.getLogger("emulator")


def build_parser() -> argparse.ArgumentParser:
    """Describe every flag; --help shows them."""
    p = argparse.ArgumentParser(
        prog="python -m emulator", usage="%(prog)s [reset | token] [options]",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Serve a Serverless Framework service's http routes like API Gateway (REST\n"
                    "v1, Lambda proxy), run its Python handlers like Lambda, on moto DynamoDB.\n"
                    "No Docker, no AWS account: nothing leaves this machine.\n\n"
                    "commands:\n"
                    "  (none)  serve until Ctrl-C; tables are saved and loaded on the next start\n"
                    "  reset   remove this stage's saved tables and exit\n"
                    "  token   print a token of a user of the running emulator's Cognito user "
                    "pool\n          (python -m emulator token --help)",
        epilog="Also installed as the `review-api-emulator` command.")
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
    p.add_argument("--integration-timeout", type=_positive_float, metavar="SECONDS",
                   help="API Gateway's integration timeout: past it the client gets 504 "
                        "from the REST API, 503 from the HTTP API (default 29 and 30)")
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
    p.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    return p


def _load(args: argparse.Namespace) -> ServiceConfig:
    """Read the service file with the command line's inputs and serverless-offline flags."""
    service = load_service(args.config, stage=args.stage, region=args.region,
                           env=dict(os.environ), params=parse_params(args.param),
                           placeholder_remote=args.placeholder_remote)
    return with_offline_flags(service, args)


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


class _ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.levelno >= logging.WARNING:
            text = f"{record.levelname.lower()}: {text}"
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def _setup_logging(verbose: bool) -> None:
    # What a record gathers and the console never shows: the caller's file and line (a stack
    # walk per record), thread, process (the logging HOWTO's "Optimization" switches).
    logging._srcfile = None
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    console = logs.DeferredHandler(sys.stderr)  # written off the request path
    console.setFormatter(_ConsoleFormatter())
    root = logging.getLogger()
    for previous in root.handlers:
        if isinstance(previous, logs.DeferredHandler):  # main() run again in one process
            previous.close()
    root.handlers[:] = [console]
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _flush_logs() -> None:
    """Write what is queued for the log (DeferredHandler) before printing past it."""
    for handler in logging.getLogger().handlers:
        handler.flush()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until Ctrl-C (or, for `reset`, clear its state); return the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["invoke"]:
        from emulator import invoke_cli  # it builds on this module's helpers

        return invoke_cli.main(argv[1:])
    if argv[:1] == ["token"]:
        return _token(argv[1:])
    reset_only = argv[:1] == ["reset"]
    args = build_parser().parse_args(argv[1:] if reset_only else argv)
    _setup_logging(args.verbose)
    try:
        args.config = locate(args.config, Path.cwd())
        if reset_only:
            _reset(args)
            return 0
        return _run(args)
    except KeyboardInterrupt:  # while reading the config or building virtualenvs
        _flush_logs()
        print("Stopped before the emulator was ready.", file=sys.stderr, flush=True)
        return 130
    except ConfigError as exc:
        _flush_logs()
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _token(argv: list[str]) -> int:
    try:
        return cli_auth.token_main(argv, lambda args: load_service(
            locate(args.config, Path.cwd()), stage=args.stage, region=args.region,
            env=dict(os.environ)))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    moto = MotoServer.spawn()  # moto imports (~1 s) while the config is read
    try:
        started = _start(args, moto)
    except BaseException:
        moto.stop()
        raise
    if started is None:
        moto.stop()
        return 1
    return _serve(args, started)


@dataclass(frozen=True, slots=True)
class _Started:
    service: ServiceConfig
    runtime: RuntimeSettings
    dynamodb: str | None  # --dynamodb-endpoint, checked
    server: ServerThread  # bound, not serving yet
    moto: MotoServer
    auth: AuthSettings


def _start(args: argparse.Namespace, moto: MotoServer) -> _Started | None:
    """Read the config, take the port, hand moto its settings; None when the port is taken."""
    service = _load_served(args)
    auth = cli_auth.auth_settings(args, service)
    runtime = _runtime_settings(args)
    dynamodb = (require_loopback(args.dynamodb_endpoint, option="--dynamodb-endpoint")
                if args.dynamodb_endpoint else None)
    host, port = listen_address(service)
    try:
        server = ServerThread.bind(host, port)
    except OSError as exc:
        _flush_logs()
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}",
              file=sys.stderr)
        return None
    try:
        _warn_about(service, args)
        cli_auth.warn_unrunnable(service, auth)
        cli_auth.warn_unrunnable_http_api(service, auth)
        for warning in table_warnings(service):
            log.warning("%s", warning)
        if args.reset:
            _reset(args)
        moto.configure(moto_settings(
            service, enforce_iam=not args.no_iam, state_file=_state_file(service, args),
            seed_file=args.seed_data, serve_dynamodb=dynamodb is None, verbose=args.verbose))
        runtime = _with_virtualenvs(runtime, service, args)  # moto starts meanwhile
    except BaseException:
        server.stop()
        raise
    return _Started(service, runtime, dynamodb, server, moto, auth)


def _serve(args: argparse.Namespace, started: _Started) -> int:
    """Answer requests until Ctrl-C, then stop everything."""
    service, settings, dynamodb = started.service, started.runtime, started.dynamodb
    server, moto = started.server, started.moto
    invoker: Invoker | None = None
    hot: reload.HotReload | None = None
    try:
        if dynamodb:
            create_tables(service, dynamodb)
        invoker = _invoker(service, settings, args, moto.endpoint, dynamodb,
                           lambda_endpoint=_local_url(server))
        auth = cli_auth.with_user_pools(service, started.auth, moto.endpoint,
                                        state.snapshot_path(service, args.state_dir))
        gateway = _front(service, invoker, args, auth)
        server.serve(gateway)
        if not args.no_reload:
            hot = _hot_reload(args, service, gateway, invoker, moto=moto, dynamodb=dynamodb)
        _print_routes(service, server, dynamodb or moto.endpoint, started.auth)
        _wait_for_signal()
    except KeyboardInterrupt:  # Ctrl-C before the signal handler took over: the same stop
        pass
    finally:
        if hot is not None:
            hot.stop()
        server.stop()
        if invoker is not None:
            invoker.close()
        moto.stop()
    _flush_logs()
    print(f"Stopped. {_kept(args, started)}", flush=True)
    return 0


def _kept(args: argparse.Namespace, started: _Started) -> str:
    """Say what the stopped emulator left on disk (read back from the snapshot file)."""
    if started.dynamodb:
        return f"Nothing saved by the emulator: the tables live at {started.dynamodb}."
    return state.describe_kept(_state_file(started.service, args), bool(started.service.tables))


def _load_served(args: argparse.Namespace) -> ServiceConfig:
    """The service as served: API keys without `value` get their kept (or new) values."""
    service = _load(args)
    return cli_auth.with_key_values(service, _state_file(service, args))


def _state_file(service: ServiceConfig, args: argparse.Namespace) -> Path | None:
    return None if args.in_memory else state.snapshot_path(service, args.state_dir)


def _reset(args: argparse.Namespace) -> None:
    service = _load(args)
    state.reset(state.snapshot_path(service, args.state_dir), print)
    venvs = _venv_dir(service, args)
    if args.venv_dir is not None:  # a folder the user chose (maybe shared): left alone
        print(f"Keeping the handlers' virtualenvs in {venvs} (--venv-dir)")
    elif venvs.is_dir():
        print(f"Removing the handlers' virtualenvs: {venvs}")
        shutil.rmtree(venvs)


def _venv_dir(service: ServiceConfig, args: argparse.Namespace) -> Path:
    folder = args.venv_dir or state.snapshot_path(service, args.state_dir).parent / "venvs"
    return Path(folder).absolute()


def _with_virtualenvs(settings: RuntimeSettings, service: ServiceConfig,
                      args: argparse.Namespace) -> RuntimeSettings:
    """Give each function its virtualenv (built now when missing), layers and package root.

    --python PATH and --no-venv keep their interpreter (nothing is built); --inprocess runs the
    handlers in this process."""
    if args.inprocess:
        return settings
    fixed = settings.python if args.python or args.no_venv else None
    deps = Dependencies(_venv_dir(service, args), runtime_client=args.runtime_client,
                        python=fixed)
    try:
        deps.prepare(service)
    except DependencyError as exc:
        raise ConfigError(str(exc)) from None
    return replace(settings, runtime_for=deps.runtime_for)


def _runtime_settings(args: argparse.Namespace) -> RuntimeSettings:
    python = sys.executable
    if args.python:
        found = shutil.which(args.python)
        if found is None:
            raise ConfigError(f"{args.python!r} is not an executable Python interpreter",
                              key="--python")
        python = found
    return RuntimeSettings(python=python, runtime_client=args.runtime_client,
                           max_concurrency=args.max_concurrency,
                           env_passthrough=tuple(args.env_passthrough),
                           shell_env=dict(os.environ))


def _front(service: ServiceConfig, invoker: Invoker, args: argparse.Namespace,
           auth: AuthSettings) -> Front:
    """The REST API, the HTTP API and the Lambda Invoke API, on one port."""
    timeout = args.integration_timeout  # None: each API's own (REST 29 s, HTTP API 30 s)
    enforce = not args.no_iam
    return Front(
        Gateway(service, invoker,
                integration_timeout_s=timeout or DEFAULT_INTEGRATION_TIMEOUT_S, auth=auth),
        HttpApi(service, invoker, integration_timeout_s=timeout or INTEGRATION_TIMEOUT_S,
                auth=auth),
        InvokeApi(service, invoker, authorize_for=lambda new: invoke_permission(
            iam_settings(new) if enforce else None)))


def _local_url(server: ServerThread) -> str:
    """The URL the functions reach the emulator's port on (the Invoke API)."""
    host, port = server.host_and_port
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _invoker(service: ServiceConfig, settings: RuntimeSettings, args: argparse.Namespace,
             endpoint: str, dynamodb: str | None, *, lambda_endpoint: str | None = None
             ) -> Invoker:
    def aws_env(function: FunctionConfig) -> dict[str, str]:
        return function_aws_env(function, endpoint=endpoint, dynamodb_endpoint=dynamodb,
                                lambda_endpoint=lambda_endpoint)

    if args.inprocess:
        from emulator.runtime.inprocess import LIMITS, InProcessInvoker

        log.warning("--inprocess: %s", "; ".join(LIMITS))
        return InProcessInvoker(service, aws_env, settings)
    return EnvironmentPool(service, settings, aws_env)


def _hot_reload(args: argparse.Namespace, service: ServiceConfig, gateway: Front,
                invoker: Invoker, *, moto: MotoServer, dynamodb: str | None
                ) -> reload.HotReload | None:
    def load() -> ServiceConfig:
        return _load_served(args)

    def follow_iam(new: ServiceConfig) -> None:  # a changed role applies without a restart
        moto.update_iam(None if args.no_iam or dynamodb else iam_settings(new))

    state_file = _state_file(service, args)  # the state folder is never watched
    return reload.start(service, load=load, gateway=gateway, invoker=invoker,
                        create_tables=lambda new: create_tables(new, dynamodb or moto.endpoint),
                        ignore=[state_file.parent] if state_file else [],
                        listeners=[follow_iam])


def _warn_about(service: ServiceConfig, args: argparse.Namespace) -> None:
    for note in service.notes:
        log.warning("%s", note)
    if service.offline.declared:
        log.info("custom.serverless-offline honoured: %s", ", ".join(service.offline.declared))
    if service.unsupported:
        log.warning("not emulated (ignored): %s", "; ".join(service.unsupported))
    for problem in handler_problems(service):
        log.warning("%s", problem)
    host = listen_address(service)[0]
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("listening on %s: the API is reachable from other machines", host)


def _print_routes(service: ServiceConfig, server: ServerThread, dynamodb: str,
                  auth: AuthSettings) -> None:
    _flush_logs()  # the warnings so far come before the banner
    table = route_table(service, server.url)
    print("\n".join(table.lines), flush=True)
    tables = ", ".join(t.name for t in service.tables) or "no tables"
    print(f"DynamoDB: {dynamodb} ({tables})")
    for line in cli_auth.protected_lines(service, auth):
        print(line)
    cli_auth.print_auth(service, auth, print)
    print(f"Ready: {table.ready}", flush=True)


def _wait_for_signal() -> None:
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
