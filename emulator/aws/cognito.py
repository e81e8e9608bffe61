"""Cognito user pools of `resources:`, created in the embedded moto (cognito-idp).

Each pool (and its clients) is created once per moto run, found again by name after a reload;
its public keys are read from moto's `/{pool_id}/.well-known/jwks.json`. moto signs every pool's
tokens with one RSA key that ships in its source (`kid: "dummy"`): fine on this machine, never
to be trusted elsewhere; the pools differ by their issuer, which the gateway checks. A
discovery file in the state folder lets `python -m emulator token` find the running pools.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path
from typing import Any

from emulator.aws.authn import INTERNAL, Credentials, developer_credentials
from emulator.aws.state import write_atomic
from emulator.aws.tables import local_client
from emulator.config.cognito import LivePool, UserPoolConfig
from emulator.config.service import ServiceConfig

log = logging.getLogger(__name__)


def client(endpoint: str, region: str, key: Credentials = INTERNAL) -> Any:
    return local_client("cognito-idp", endpoint, region, key)  # boto3 only with user pools


def create_user_pools(service: ServiceConfig, endpoint: str) -> dict[str, LivePool]:
    """Create (or find) every user pool and client; return them by logical id."""
    idp = client(endpoint, service.region)
    existing = {p["Name"]: p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]}
    return {pool.logical_id: _pool(idp, pool, existing.get(pool.name), endpoint, service.region)
            for pool in service.user_pools}


def _pool(idp: Any, pool: UserPoolConfig, pool_id: str | None, endpoint: str,
          region: str) -> LivePool:
    if pool_id is None:
        pool_id = str(idp.create_user_pool(PoolName=pool.name)["UserPool"]["Id"])
    clients = {c["ClientName"]: c["ClientId"] for c in idp.list_user_pool_clients(
        UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]}
    client_ids = {}
    for spec in pool.clients:
        client_ids[spec.logical_id] = clients.get(spec.name) or str(idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=spec.name,
            ExplicitAuthFlows=list(spec.auth_flows))["UserPoolClient"]["ClientId"])
    with urllib.request.urlopen(f"{endpoint}/{pool_id}/.well-known/jwks.json", timeout=10) as r:
        jwks = json.loads(r.read())
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    return LivePool(pool.logical_id, pool_id, issuer, jwks, client_ids)


def discovery_path(snapshot: Path) -> Path:
    """Where the running emulator says which moto serves its pools (beside the snapshot)."""
    return snapshot.with_name(snapshot.stem + ".cognito.json")


def write_discovery(path: Path, endpoint: str, pools: dict[str, LivePool]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"endpoint": endpoint, "pools": {
        lid: {"id": p.pool_id, "clients": dict(p.client_ids)} for lid, p in pools.items()}}
    write_atomic(path, json.dumps(data, indent=2).encode() + b"\n")


def user_token(discovery: Path, pool: str, client_id: str | None, user: str, password: str, *,
               access: bool = False) -> str:
    """Create `user` in the running emulator's pool when missing, sign in, return a token."""
    from botocore.exceptions import BotoCoreError, ClientError

    from emulator.config.errors import ConfigError

    try:
        data = json.loads(discovery.read_text(encoding="utf-8"))
        live = data["pools"][pool]
    except (OSError, ValueError, KeyError):
        raise ConfigError(f"no running emulator's pools in {discovery}: start "
                          "`python -m emulator` first (with the same --config/--stage)",
                          key="--pool") from None
    clients = live["clients"]
    chosen = clients.get(client_id) if client_id else next(iter(clients.values()), None)
    if chosen is None:
        raise ConfigError(f"no client {client_id or ''} of pool {pool} (clients: "
                          f"{', '.join(clients) or 'none: add an AWS::Cognito::UserPoolClient'})",
                          key="--client")
    # Another process than the emulator's: it signs with the developer's key (state folder).
    idp = client(data["endpoint"], live["id"].split("_", 1)[0],
                 developer_credentials(discovery.parent))
    try:
        try:
            idp.admin_get_user(UserPoolId=live["id"], Username=user)
        except idp.exceptions.UserNotFoundException:
            idp.admin_create_user(UserPoolId=live["id"], Username=user, MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=live["id"], Username=user, Password=password,
                                    Permanent=True)
        result = idp.admin_initiate_auth(
            UserPoolId=live["id"], ClientId=chosen, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": user, "PASSWORD": password})["AuthenticationResult"]
    except (BotoCoreError, ClientError) as exc:
        raise ConfigError(f"the emulator at {data['endpoint']} did not answer ({exc}); is it "
                          "still running?", key="--pool") from None
    return str(result["AccessToken" if access else "IdToken"])
