"""Command-line flags for users coming from serverless-offline, and `--param`.

`--httpPort`, `--host`, `--noPrependStageInUrl`, `--prefix`, `--noAuth` mean what they mean
to serverless-offline and win over `custom.serverless-offline` (emulator/config/offline.py).
`--param "key=value"` is the Serverless Framework's (dashboard plugin's resolve-params.js).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from emulator.config.errors import ConfigError
from emulator.config.service import ServiceConfig

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 3000
_PARAM = re.compile(r"([^=]+)=(.+)", re.S)


def offline_flags(parser: argparse.ArgumentParser) -> None:
    """Add serverless-offline's flags that have a meaning here (--httpPort is --port's alias)."""
    parser.add_argument("--noPrependStageInUrl", action="store_true", dest="no_prepend_stage",
                        help="serve routes without the /<stage> prefix (as serverless-offline)")
    parser.add_argument("--prefix", help="serve routes under /<prefix> (as serverless-offline)")
    parser.add_argument("--noAuth", action="store_true", dest="no_auth",
                        help="turn authorizers off (as serverless-offline)")


def parse_params(items: Sequence[str]) -> dict[str, str]:
    """`--param key=value` pairs, checked as the framework checks them."""
    params: dict[str, str] = {}
    for item in items:
        match = _PARAM.fullmatch(item)
        if match is None:
            raise ConfigError(f"{item!r} is not key=value (e.g. --param 'tableName=reviews')",
                              key="--param")
        params[match.group(1)] = match.group(2).rstrip()
    return params


def parse_layers(items: Sequence[str]) -> dict[str, Path]:
    """`--layer ARN=PATH` pairs: a public layer's ARN, served from a local folder."""
    layers: dict[str, Path] = {}
    for item in items:
        arn, sep, folder = item.partition("=")
        if not sep or not arn.startswith("arn:") or ":layer:" not in arn or not folder:
            raise ConfigError(f"{item!r} is not ARN=PATH (e.g. --layer "
                              "'arn:aws:lambda:us-east-1:123456789012:layer:deps:3=./layer')",
                              key="--layer")
        path = Path(folder).expanduser().resolve()
        if not path.is_dir():
            raise ConfigError(f"{item!r}: no folder {path}", key="--layer")
        layers[arn.strip()] = path
    return layers


def with_offline_flags(service: ServiceConfig, args: argparse.Namespace) -> ServiceConfig:
    """The service with the command line's serverless-offline flags over its custom settings."""
    offline = service.offline.overridden(
        http_port=args.port, host=args.host, no_prepend_stage=args.no_prepend_stage,
        prefix=args.prefix, no_auth=args.no_auth)
    return replace(service, offline=offline)


def listen_address(service: ServiceConfig) -> tuple[str, int]:
    """Where to listen: flags, then custom.serverless-offline, then 127.0.0.1:3000."""
    offline = service.offline
    port = DEFAULT_PORT if offline.http_port is None else offline.http_port
    return offline.host or DEFAULT_HOST, port
