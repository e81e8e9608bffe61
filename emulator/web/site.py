"""`--web DIR`: a static web page on a port of its own, beside the emulated API.

After deploy a page is served from somewhere other than the API (S3, CloudFront, a CDN), so
every call it makes to API Gateway and to Cognito is cross-origin: preflights, the CORS headers
a handler forgot, a 401 without CORS headers. Serving the page on a second port gives it a
different origin locally too (an origin is scheme, host and port), so the browser applies the
same rules as after deploy.

The page learns where the API and the user pool are from `/config.json`, which this server
answers from memory (WebConfig); a `config.json` file in DIR is shadowed while the emulator
serves it. `python -m emulator web-config` (web_config.py) writes the same file for a deployed
stage from the stack's outputs. Only GET and HEAD of files under DIR are served; hidden files
(`.name`) and anything outside DIR are 404s.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from emulator.config.cognito import LivePool
from emulator.config.errors import ConfigError
from emulator.config.service import ServiceConfig
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.server import ServerThread

log = logging.getLogger(__name__)

CONFIG_NAME = "config.json"
# Flows a browser can sign in with through the JSON API without a client secret.
_PASSWORD_FLOWS = frozenset({"USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"})
_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml",
    ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".webp": "image/webp",
}


@dataclass(frozen=True, slots=True)
class WebConfig:
    """What the page needs to know: config.json's keys (None: the service has no user pool)."""

    api_url: str  # the REST stage's base URL, no trailing slash
    region: str
    user_pool_id: str | None = None
    user_pool_client_id: str | None = None
    cognito_endpoint: str | None = None  # where the JSON API (X-Amz-Target) is POSTed

    def to_json(self) -> bytes:
        data = {"apiUrl": self.api_url, "region": self.region, "userPoolId": self.user_pool_id,
                "userPoolClientId": self.user_pool_client_id,
                "cognitoEndpoint": self.cognito_endpoint}
        return json.dumps(data, indent=2).encode() + b"\n"

    def origins(self) -> tuple[str, ...]:
        """The origins the page calls (for the Content-Security-Policy's connect-src)."""
        found = []
        for url in (self.api_url, self.cognito_endpoint):
            if url:
                parts = urllib.parse.urlsplit(url)
                found.append(f"{parts.scheme}://{parts.netloc}")
        return tuple(dict.fromkeys(found))


def local_config(service: ServiceConfig, api_url: str, pools: Mapping[str, LivePool],
                 endpoint: str) -> WebConfig:
    """The running emulator's settings: its API URL and the pool its authorizers verify."""
    pool = _chosen_pool(service, pools)
    if pool is None:
        return WebConfig(api_url, service.region)
    return WebConfig(api_url, service.region, pool.pool_id, _chosen_client(service, pool),
                     endpoint)


def _chosen_pool(service: ServiceConfig, pools: Mapping[str, LivePool]) -> LivePool | None:
    """The pool a route's COGNITO_USER_POOLS authorizer names, else the first pool."""
    used = [r.authorizer.pool for r in service.routes if r.authorizer and r.authorizer.pool]
    for logical_id in [*used, *pools]:
        if logical_id in pools:
            return pools[logical_id]
    return None


def _chosen_client(service: ServiceConfig, pool: LivePool) -> str | None:
    """The pool's first client allowed USER_PASSWORD_AUTH, else its first client."""
    configs = {p.logical_id: p for p in service.user_pools}
    spec = configs.get(pool.logical_id)
    for client in spec.clients if spec else ():
        if _PASSWORD_FLOWS & set(client.auth_flows) and client.logical_id in pool.client_ids:
            return pool.client_ids[client.logical_id]
    return next(iter(pool.client_ids.values()), None)


@dataclass(frozen=True, slots=True)
class StaticSite:
    """The files of one folder, with config.json generated (a Handler for ServerThread)."""

    root: Path
    config: WebConfig

    def handle(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return self._reply(405, "text/plain; charset=utf-8", b"Method Not Allowed\n",
                               (("Allow", "GET, HEAD"),))
        name = request.path.lstrip("/") or "index.html"
        if name == CONFIG_NAME:
            return self._reply(200, "application/json", self.config.to_json())
        path = self._file(name)
        if path is None:
            return self._reply(404, "text/plain; charset=utf-8", b"Not Found\n")
        kind = _TYPES.get(path.suffix.lower(), "application/octet-stream")
        return self._reply(200, kind, path.read_bytes())

    def _file(self, name: str) -> Path | None:
        """The file under root that `name` names; None for hidden, outside or missing ones."""
        parts = name.split("/")
        if any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
            return None
        root = self.root.resolve()
        path = root.joinpath(*parts).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path

    def _reply(self, status: int, kind: str, body: bytes,
               extra: tuple[tuple[str, str], ...] = ()) -> HttpResponse:
        connect = " ".join(("'self'", *self.config.origins()))
        policy = (f"default-src 'self'; connect-src {connect}; img-src 'self' data:; "
                  "object-src 'none'; base-uri 'none'; form-action 'self'; "
                  "frame-ancestors 'none'")
        headers = (("Content-Type", kind), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-cache"), ("X-Content-Type-Options", "nosniff"),
                   ("Referrer-Policy", "no-referrer"), ("Content-Security-Policy", policy),
                   *extra)
        return HttpResponse(status, headers, body)


def bind(folder: Path | None, host: str, port: int) -> ServerThread | None:
    """Take the page's port (None without --web); a missing folder or a taken port: ConfigError."""
    if folder is None:
        return None
    if not (folder / "index.html").is_file():
        raise ConfigError(f"{folder} has no index.html: give --web the page's folder "
                          "(this project's is web/)", key="--web")
    try:
        return ServerThread.bind(host, port)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port} for the web page: "
                          f"{exc.strerror or exc}", key="--web-port") from None


def serve(site: ServerThread, folder: Path, config: WebConfig) -> str:
    """Start serving the page; return the line the banner prints."""
    site.serve(StaticSite(folder, config))
    if config.user_pool_id is None:
        log.warning("--web: the service has no Cognito user pool in resources: the page "
                    "cannot sign anyone in")
    return f"Web page: {site.url}/  (config.json: API {config.api_url})"
