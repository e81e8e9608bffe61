"""`--web DIR`: a static web page on a port of its own, beside the emulated API.

After deploy a page is served from somewhere other than the API (S3, CloudFront, a CDN), so
every call it makes to API Gateway and to Cognito is cross-origin: preflights, the CORS headers
a handler forgot, a 401 without CORS headers. Serving the page on a second port gives it a
different origin locally too (an origin is scheme, host and port), so the browser applies the
same rules as after deploy.

The page learns where the API and the user pool are from `/config.json`, which this server
answers from memory (WebConfig); a `config.json` file in DIR is shadowed while the emulator
serves it. `python -m emulator web-config` (stack.py) writes the same file for a deployed
stage from the stack's outputs. Only GET and HEAD of files under DIR are served; hidden files
(`.name`) and anything outside DIR are 404s.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from emulator.config.errors import ConfigError
from emulator.gateway.http import HttpRequest, HttpResponse
from emulator.web.settings import CONFIG_NAME, WebConfig

log = logging.getLogger(__name__)
_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml",
    ".ico": "image/x-icon", ".txt": "text/plain; charset=utf-8", ".webp": "image/webp",
}


def check_folder(folder: Path) -> None:
    """Refuse a --web folder without the page (ConfigError, one line)."""
    if not (folder / "index.html").is_file():
        raise ConfigError(f"{folder} has no index.html: give --web the page's folder "
                          "(this project's is web/)", key="--web")


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


class PageServer(Protocol):
    """The HTTP server the page is served by (emulator.server.ServerThread)."""

    @property
    def url(self) -> str: ...

    def serve(self, handler: StaticSite) -> None: ...


def serve_page(server: PageServer, folder: Path, config: WebConfig) -> str:
    """Start serving the page on its bound port; return the line the banner prints."""
    server.serve(StaticSite(folder, config))
    if config.user_pool_id is None:
        log.warning("--web: the service has no Cognito user pool in resources: the page "
                    "cannot sign anyone in")
    return f"Web page: {server.url}/  (config.json: API {config.api_url})"
