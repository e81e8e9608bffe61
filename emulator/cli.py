"""`python -m emulator`: serve a serverless.yml's http routes like API Gateway, locally."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from emulator import cli_auth, reload
from emulator.aws import shell, state
from emulator.aws.authn import KeyRing, developer_credentials
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
from emulator.commands import again
from emulator.config.errors import ConfigError
from emulator.config.flags import (
    listen_address,
    parse_layers,
    parse_params,
    with_offline_flags,
)
from emulator.config.loader import load_service
from emulator.config.project import locate
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.console import flush_logs, print_routes, setup_logging, wait_for_signal, warn_about
from emulator.gateway.auth.guard import AuthSettings
from emulator.gateway.front import Front
from emulator.gateway.http_api import INTEGRATION_TIMEOUT_S, HttpApi
from emulator.gateway.invoke_api import InvokeApi
from emulator.gateway.rest import DEFAULT_INTEGRATION_TIMEOUT_S, Gateway
from emulator.gateway.usage import UsageMeter
from emulator.options import build_parser
from emulator.runtime.dependencies import Dependencies, DependencyError
from emulator.runtime.environments import EnvironmentPool
from emulator.runtime.invoker import Invoker, RuntimeSettings
from emulator.server import ServerThread
from emulator.sources.base import SourceSettings
from emulator.sources.running import EventSources
from emulator.web.settings import local_config
from emulator.web.site import check_folder, serve_page

log = logging.getLogger("emulator")


def _load(args: argparse.Namespace) -> ServiceConfig:
    """Read the service file with the command line's inputs and serverless-offline flags."""
    service = load_service(args.config, stage=args.stage, region=args.region,
                           env=dict(os.environ), params=parse_params(args.param),
                           placeholder_remote=args.placeholder_remote,
                           layer_paths=parse_layers(args.layer))
    return with_offline_flags(service, args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the emulator until Ctrl-C (or, for `reset`, clear its state); return the exit code."""
    removed = shell.restart_without_credentials() if argv is None else []
    argv = list(sys.argv[1:] if argv is None else argv)
    if removed:
        print(f"Your shell's AWS credentials ({', '.join(removed)}) are not kept in the "
              "emulator's environment: it never calls AWS", file=sys.stderr)
    if argv[:1] == ["invoke"]:
        from emulator import invoke_cli  # it builds on this module's helpers

        return invoke_cli.main(argv[1:])
    if argv[:1] == ["token"]:
        return _token(argv[1:])
    if argv[:1] == ["web-config"]:
        from emulator.web import stack

        return stack.main(argv[1:])
    reset_only = argv[:1] == ["reset"]
    args = build_parser().parse_args(argv[1:] if reset_only else argv)
    setup_logging(args.verbose)
    try:
        args.config = locate(args.config, Path.cwd())
        if reset_only:
            _reset(args)
            return 0
        return _run(args)
    except KeyboardInterrupt:  # while reading the config or building virtualenvs
        flush_logs()
        print("Stopped before the emulator was ready.", file=sys.stderr, flush=True)
        return 130
    except ConfigError as exc:
        flush_logs()
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
    keys: KeyRing | None  # None: --no-iam, no signature or role is checked
    site: ServerThread | None  # --web: the page's port, bound, not serving yet


def _start(args: argparse.Namespace, moto: MotoServer) -> _Started | None:
    """Read the config, take the port, hand moto its settings; None when the port is taken."""
    service = _load_served(args)
    auth = cli_auth.auth_settings(args, service)
    runtime = _runtime_settings(args)
    keys = None if args.no_iam else KeyRing.new(developer_credentials(_state_dir(service, args)))
    dynamodb = (require_loopback(args.dynamodb_endpoint, option="--dynamodb-endpoint")
                if args.dynamodb_endpoint else None)
    host, port = listen_address(service)
    try:
        server = ServerThread.bind(host, port)
    except OSError as exc:
        flush_logs()
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}",
              file=sys.stderr)
        return None
    site: ServerThread | None = None
    try:
        site = _bind_page(args.web, host, args.web_port)
        warn_about(service, args)
        cli_auth.warn_unrunnable(service, auth)
        cli_auth.warn_unrunnable_http_api(service, auth)
        for warning in table_warnings(service):
            log.warning("%s", warning)
        if args.reset:
            _reset(args)
        moto.configure(moto_settings(
            service, enforce_iam=not args.no_iam, state_file=_state_file(service, args),
            seed_file=args.seed_data, serve_dynamodb=dynamodb is None, verbose=args.verbose,
            keys=keys))
        runtime = _with_virtualenvs(runtime, service, args)  # moto starts meanwhile
    except BaseException:
        server.stop()
        if site is not None:
            site.stop()
        raise
    return _Started(service, runtime, dynamodb, server, moto, auth, keys, site)


def _serve(args: argparse.Namespace, started: _Started) -> int:
    """Answer requests until Ctrl-C, then stop everything."""
    service, settings, dynamodb = started.service, started.runtime, started.dynamodb
    server, moto = started.server, started.moto
    invoker: Invoker | None = None
    hot: reload.HotReload | None = None
    sources: EventSources | None = None
    try:
        if dynamodb:
            create_tables(service, dynamodb)
        invoker = _invoker(service, settings, args, moto.endpoint, dynamodb,
                           lambda_endpoint=_local_url(server), keys=started.keys)
        auth = cli_auth.with_user_pools(service, started.auth, moto.endpoint,
                                        state.snapshot_path(service, args.state_dir), args)
        gateway = _front(service, invoker, args, auth, started.keys)
        server.serve(gateway)
        sources = EventSources(invoker, moto.endpoint, SourceSettings(
            schedules=not args.no_schedules)).start(service)  # queues, pollers, timers
        if not args.no_reload:
            hot = _hot_reload(args, service, gateway, invoker, moto=moto, dynamodb=dynamodb,
                              sources=sources)
        page = _serve_page(started, auth, args.web)
        print_routes(service, server, dynamodb or moto.endpoint, started.auth,
                     (*_key_note(service, args, started.keys), *page))
        wait_for_signal()
    except KeyboardInterrupt:  # Ctrl-C before the signal handler took over: the same stop
        pass
    finally:
        if hot is not None:
            hot.stop()
        if sources is not None:
            sources.stop()
        server.stop()
        if started.site is not None:
            started.site.stop()
        if invoker is not None:
            invoker.close()
        moto.stop()
    flush_logs()
    print(f"Stopped. {_kept(args, started)}", flush=True)
    return 0


def _serve_page(started: _Started, auth: AuthSettings, folder: Path | None) -> list[str]:
    """--web: serve the page with the config.json of this API and its user pool."""
    if started.site is None or folder is None:
        return []
    api_url = _local_url(started.server) + started.service.base_path
    config = local_config(started.service, api_url, auth.user_pools, started.moto.endpoint)
    return [serve_page(started.site, folder, config)]


def _bind_page(folder: Path | None, host: str, port: int) -> ServerThread | None:
    """--web: take the page's port now, so a taken one is reported before anything runs."""
    if folder is None:
        return None
    check_folder(folder)
    try:
        return ServerThread.bind(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} for the web page: "
                          f"{exc.strerror or exc}", key="--web-port") from None


def _kept(args: argparse.Namespace, started: _Started) -> str:
    """Say what the stopped emulator left on disk (read back from the snapshot file)."""
    if started.dynamodb:
        return f"Nothing saved by the emulator: the tables live at {started.dynamodb}."
    return state.describe_kept(_state_file(started.service, args), bool(started.service.tables),
                               reset_command=again(args, "reset"))


def _load_served(args: argparse.Namespace) -> ServiceConfig:
    """The service as served: API keys without `value` get their kept (or new) values."""
    service = _load(args)
    return cli_auth.with_key_values(service, _state_file(service, args))


def _key_note(service: ServiceConfig, args: argparse.Namespace, keys: KeyRing | None
              ) -> tuple[str, ...]:
    """Where the developer's local key is (calls with any other key, or none, are refused)."""
    if keys is None:
        return ("AWS calls: --no-iam, no signature or role is checked",)
    path = _state_dir(service, args) / "credentials"
    return (f"AWS calls: signed keys only; yours: AWS_SHARED_CREDENTIALS_FILE={path}",)


def _state_dir(service: ServiceConfig, args: argparse.Namespace) -> Path:
    """The state folder (also with --in-memory: the developer's key is kept there)."""
    return state.snapshot_path(service, args.state_dir).parent


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
                        python=fixed, reset_command=again(args, "reset"))
    try:
        broken = deps.prepare(service)
    except DependencyError as exc:
        raise ConfigError(str(exc)) from None
    for why, names in _grouped(broken).items():  # the rest of the API still runs
        log.warning("%s %s cannot run: %s. Invocations fail (the gateway answers 502) until "
                    "this is fixed", "functions" if len(names) > 1 else "function",
                    ", ".join(names), why)
    return replace(settings, runtime_for=deps.runtime_for)


def _grouped(broken: dict[str, str]) -> dict[str, list[str]]:
    """{why: [functions]}: one warning for the functions that share a virtualenv."""
    grouped: dict[str, list[str]] = {}
    for name, why in broken.items():
        grouped.setdefault(why, []).append(name)
    return grouped


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
           auth: AuthSettings, keys: KeyRing | None) -> Front:
    """The REST API, the HTTP API and the Lambda Invoke API, on one port."""
    timeout = args.integration_timeout  # None: each API's own (REST 29 s, HTTP API 30 s)
    enforce = not args.no_iam
    return Front(
        Gateway(service, invoker,
                integration_timeout_s=timeout or DEFAULT_INTEGRATION_TIMEOUT_S, auth=auth,
                meter=None if args.no_throttle else UsageMeter()),
        HttpApi(service, invoker, integration_timeout_s=timeout or INTEGRATION_TIMEOUT_S,
                auth=auth),
        InvokeApi(service, invoker, authorize_for=lambda new: invoke_permission(
            iam_settings(new) if enforce else None, keys)))


def _local_url(server: ServerThread) -> str:
    """The URL the functions reach the emulator's port on (the Invoke API)."""
    host, port = server.host_and_port
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _invoker(service: ServiceConfig, settings: RuntimeSettings, args: argparse.Namespace,
             endpoint: str, dynamodb: str | None, *, lambda_endpoint: str | None = None,
             keys: KeyRing | None = None) -> Invoker:
    def aws_env(function: FunctionConfig) -> dict[str, str]:
        return function_aws_env(function, endpoint=endpoint, dynamodb_endpoint=dynamodb,
                                lambda_endpoint=lambda_endpoint, keys=keys)

    if args.inprocess:
        from emulator.runtime.inprocess import LIMITS, InProcessInvoker

        log.warning("--inprocess: %s", "; ".join(LIMITS))
        return InProcessInvoker(service, aws_env, settings)
    return EnvironmentPool(service, settings, aws_env)


def _hot_reload(args: argparse.Namespace, service: ServiceConfig, gateway: Front,
                invoker: Invoker, *, moto: MotoServer, dynamodb: str | None,
                sources: EventSources) -> reload.HotReload | None:
    def load() -> ServiceConfig:
        return _load_served(args)

    def follow_iam(new: ServiceConfig) -> None:  # a changed role applies without a restart
        moto.update_iam(None if args.no_iam or dynamodb else iam_settings(new))

    state_file = _state_file(service, args)  # the state folder is never watched
    return reload.start(service, load=load, gateway=gateway, invoker=invoker,
                        create_tables=lambda new: create_tables(new, dynamodb or moto.endpoint),
                        ignore=[state_file.parent] if state_file else [],
                        listeners=[follow_iam, sources.reload])


