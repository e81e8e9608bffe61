"""config.json: where the web page finds the API and the user pool (its keys, and the running
emulator's values for them). `stack.py` writes the same keys for a deployed stage."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from emulator.config.cognito import LivePool
from emulator.config.service import ServiceConfig

CONFIG_NAME = "config.json"
# Flows a browser can sign in with through the JSON API without a client secret.
_PASSWORD_FLOWS = frozenset({"USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"})


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
