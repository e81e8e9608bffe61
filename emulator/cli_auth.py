"""The command line's side of authorization: flags, API key values, start-up lines.

`--no-auth` and `--authorizer NAME=FUNCTION|allow[:JSON]` become the gateway's AuthSettings;
API keys declared without `value` get their kept values (emulator/aws/api_key_values.py); the
start names every authorizer that cannot run here and prints the keys to use.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

from emulator.aws import api_key_values, cognito
from emulator.config.authorizers import AuthorizerConfig, AuthorizerKind
from emulator.config.errors import ConfigError
from emulator.config.service import ServiceConfig
from emulator.gateway.auth.guard import AuthSettings, Override, parse_override

log = logging.getLogger("emulator")


def add_flags(p: argparse.ArgumentParser) -> None:
    """--no-auth and --authorizer."""
    p.add_argument("--no-auth", action="store_true",
                   help="turn authorization off: authorizers and API keys are not checked "
                        "(like SAM's --disable-authorizer, serverless-offline's --noAuth)")
    p.add_argument("--authorizer", action="append", default=[], metavar="NAME=TARGET",
                   type=_override,
                   help="run an authorizer that cannot run here (another stack's Lambda, "
                        "Cognito, aws_iam) as a local function (NAME=FUNCTION), or allow its "
                        "requests (NAME=allow, or NAME=allow:'{\"principalId\": \"alice\"}' "
                        "to set requestContext.authorizer); repeatable")


def _override(text: str) -> tuple[str, Override]:
    try:
        return parse_override(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: {exc}") from None


def with_key_values(service: ServiceConfig, snapshot: Path | None) -> ServiceConfig:
    """Give API keys without `value` their kept (or new) values; log the new ones."""
    path = api_key_values.keys_path(snapshot) if snapshot else None
    service, created = api_key_values.fill(service, path)
    for name in created:
        log.info("API key %s: generated a new value%s", name,
                 f" (kept in {path})" if path else " (--in-memory: not kept)")
    return service


def auth_settings(args: argparse.Namespace, service: ServiceConfig) -> AuthSettings:
    """--no-auth and --authorizer, checked against the service's authorizers and functions."""
    known = {n for a in _authorizers(service) for n in (a.name, a.arn) if n}
    overrides = dict(args.authorizer)
    for name, override in overrides.items():
        if name not in known:
            raise ConfigError(f"no route uses an authorizer named {name!r} (known: "
                              f"{', '.join(sorted(known)) or 'none'})", key="--authorizer")
        if override.function is not None and override.function not in service.functions:
            raise ConfigError(f"{override.function!r} is not a function of this service",
                              key="--authorizer")
    # custom.serverless-offline noAuth means what --noAuth means (serverless-offline reads both)
    return AuthSettings(disabled=args.no_auth or service.offline.no_auth, overrides=overrides)


def with_user_pools(service: ServiceConfig, auth: AuthSettings, endpoint: str,
                    snapshot: Path) -> AuthSettings:
    """Create the service's user pools in moto; the settings that verify their tokens."""
    if not service.user_pools:
        return auth
    pools = cognito.create_user_pools(service, endpoint)
    path = cognito.discovery_path(snapshot)
    cognito.write_discovery(path, endpoint, pools)
    for pool in pools.values():
        log.info("Cognito user pool %s: %s (python -m emulator token --pool %s --user NAME)",
                 pool.logical_id, pool.pool_id, pool.logical_id)
    return dataclasses.replace(auth, user_pools=pools)


def warn_unrunnable(service: ServiceConfig, auth: AuthSettings) -> None:
    """Name the authorizers that cannot run here and what their routes answer."""
    if auth.disabled:
        return
    for config in _authorizers(service):
        mapped = config.name in auth.overrides or (config.arn in auth.overrides)
        if config.function is not None or config.pool is not None or mapped:
            continue
        what = {AuthorizerKind.AWS_IAM: "aws_iam (SigV4) is not emulated: 403",
                AuthorizerKind.COGNITO: "its user pool is not in resources: 401"
                }.get(config.kind, f"{config.arn or 'its function'} is not a function of this "
                                   "service: 401")
        log.warning("authorizer %s: %s on its routes; map it with --authorizer %s=FUNCTION or "
                    "%s=allow, or start with --no-auth", config.name, what, config.name,
                    config.name)


def warn_unrunnable_http_api(service: ServiceConfig, auth: AuthSettings) -> None:
    """Name the HTTP API authorizers that cannot run here (their routes are refused)."""
    if auth.disabled:
        return
    seen: set[str] = set()
    for route in service.http_api_routes:
        if route.auth is None or route.authorizer in seen:
            continue
        seen.add(str(route.authorizer))
        config = route.auth.authorizer
        why = ("aws_iam is not emulated: 403" if route.auth.kind == "aws_iam" else
               "an external authorizer id: 403" if config is None else
               "its functionArn is another stack's: 401" if config.kind == "request"
               and config.function is None else
               "its issuer is not a user pool of resources: 401" if config.kind == "jwt"
               and config.pool is None else "")
        if why:
            log.warning("httpApi authorizer %s: %s on its routes (--no-auth to let them "
                        "through)", route.authorizer, why)


def protected_lines(service: ServiceConfig, auth: AuthSettings) -> list[str]:
    """The banner's lines naming what protects each REST route ("GET /me: authorizer x")."""
    if auth.disabled:
        return []
    lines = []
    for route in service.routes:
        parts = [f"authorizer {route.authorizer.name}"] if route.authorizer else []
        parts += ["API key"] if route.private else []
        if parts:
            lines.append(f"  protected: {route.method} {route.resource}: {', '.join(parts)}")
    return lines


def print_auth(service: ServiceConfig, auth: AuthSettings, echo: Callable[[str], None]) -> None:
    """The banner's authorization lines: off, or the API keys to send."""
    if auth.disabled:
        echo("Authorization: OFF (--no-auth): authorizers and API keys are not checked")
        return
    if any(r.private for r in service.routes):
        for key in service.api_keys:
            state = "" if key.enabled else " (disabled)"
            echo(f"API key {key.name}: x-api-key: {key.value}{state}")


def _authorizers(service: ServiceConfig) -> list[AuthorizerConfig]:
    return list(dict.fromkeys(r.authorizer for r in service.routes if r.authorizer))


DEFAULT_PASSWORD = "Local-Passw0rd!"  # local pools only; moto keeps users in memory


def token_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m emulator token",
        description="Print an ID token of a user of a running emulator's Cognito user pool, "
                    "for a COGNITO_USER_POOLS route: curl -H \"Authorization: $(python -m "
                    "emulator token --user alice)\" ... A missing user is signed up (confirmed "
                    "at once: a local pool sends no code) and signed in, in one step.")
    p.add_argument("--config", type=Path, metavar="PATH",
                   help="the service file or its folder (default: the one in this folder)")
    p.add_argument("--stage")
    p.add_argument("--region")
    p.add_argument("--state-dir", type=Path, metavar="DIR")
    p.add_argument("--pool", help="logical id or UserPoolName (default: the only pool)")
    p.add_argument("--client", help="client logical id (default: the pool's first client)")
    p.add_argument("--user", required=True,
                   help="the user's sign-in name; on a pool whose users sign up by email, a "
                        "name without @ stands for NAME@example.com")
    p.add_argument("--name", help="the user's `name` attribute (set or changed)")
    p.add_argument("--email", help="the user's `email` attribute (set or changed)")
    p.add_argument("--password", default=DEFAULT_PASSWORD,
                   help=f"set and use this password (default {DEFAULT_PASSWORD})")
    p.add_argument("--access", action="store_true", help="print the access token instead")
    return p


def token_main(argv: list[str], load: Callable[[argparse.Namespace], ServiceConfig]) -> int:
    """`python -m emulator token`: print one token on stdout; errors are ConfigError."""
    args = token_parser().parse_args(argv)
    service = load(args)
    from emulator.aws.state import snapshot_path

    path = cognito.discovery_path(snapshot_path(service, args.state_dir))
    pools = {p.logical_id: p for p in service.user_pools} | {
        p.name: p for p in service.user_pools}
    pool = pools.get(args.pool) if args.pool else (
        service.user_pools[0] if len(service.user_pools) == 1 else None)
    if pool is None:
        raise ConfigError(f"name one of the user pools: {', '.join(pools) or 'none in resources'}",
                          key="--pool")
    person = cognito.Person(args.user, args.password, args.name, args.email)
    print(cognito.user_token(path, pool, args.client, person, access=args.access))
    return 0
