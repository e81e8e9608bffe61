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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.aws.state import write_atomic
from emulator.aws.tables import local_client
from emulator.config.cognito import LivePool, UserPoolConfig
from emulator.config.service import ServiceConfig

log = logging.getLogger(__name__)


def client(endpoint: str, region: str) -> Any:
    return local_client("cognito-idp", endpoint, region)  # boto3 only with user pools


def create_user_pools(service: ServiceConfig, endpoint: str) -> dict[str, LivePool]:
    """Create (or find) every user pool and client; return them by logical id."""
    idp = client(endpoint, service.region)
    existing = {p["Name"]: p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]}
    return {pool.logical_id: _pool(idp, pool, existing.get(pool.name), endpoint, service.region)
            for pool in service.user_pools}


def _pool(idp: Any, pool: UserPoolConfig, pool_id: str | None, endpoint: str,
          region: str) -> LivePool:
    if pool_id is None:
        pool_id = str(idp.create_user_pool(PoolName=pool.name, **pool.settings)
                      ["UserPool"]["Id"])
    clients = {c["ClientName"]: c["ClientId"] for c in idp.list_user_pool_clients(
        UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]}
    client_ids = {}
    for spec in pool.clients:
        client_ids[spec.logical_id] = clients.get(spec.name) or str(idp.create_user_pool_client(
            UserPoolId=pool_id, ClientName=spec.name, **spec.settings
        )["UserPoolClient"]["ClientId"])
    with urllib.request.urlopen(f"{endpoint}/{pool_id}/.well-known/jwks.json", timeout=10) as r:
        jwks = json.loads(r.read())
    issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
    return LivePool(pool.logical_id, pool_id, issuer, jwks, client_ids)


def discovery_path(snapshot: Path) -> Path:
    """Where the running emulator says which moto serves its pools (beside the snapshot)."""
    return snapshot.with_name(snapshot.stem + ".cognito.json")


def write_discovery(path: Path, endpoint: str, pools: dict[str, LivePool]) -> None:
    """Write where the local pools answer: the token command, the contract harness and the web
    page read the endpoint, each pool's id, region and issuer, and its clients' ids."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"endpoint": endpoint, "pools": {
        lid: {"id": p.pool_id, "region": p.pool_id.split("_", 1)[0], "issuer": p.issuer,
              "clients": dict(p.client_ids)} for lid, p in pools.items()}}
    write_atomic(path, json.dumps(data, indent=2).encode() + b"\n")


@dataclass(frozen=True, slots=True)
class Person:
    """Who `python -m emulator token` signs in: a label or sign-in name, and attributes."""

    user: str
    password: str
    name: str | None = None
    email: str | None = None

    def username(self, pool: UserPoolConfig) -> str:
        """The sign-in name: on a pool that signs up by email, an email (label@example.com)."""
        if "email" in pool.username_attributes and "@" not in self.user:
            return self.email or f"{self.user}@example.com"
        return self.user

    def attributes(self, pool: UserPoolConfig) -> list[dict[str, str]]:
        email = self.email or (self.username(pool) if "email" in pool.username_attributes
                               else None)
        return [{"Name": k, "Value": v} for k, v in (("name", self.name), ("email", email))
                if v is not None]


def user_token(discovery: Path, pool: UserPoolConfig, app_client: str | None, person: Person,
               *, access: bool = False) -> str:
    """Sign `person` up in the running emulator's pool when missing (a local sign-up is
    confirmed at once), sign in as the app would, and return the ID (or access) token."""
    from botocore.exceptions import BotoCoreError, ClientError

    from emulator.config.errors import ConfigError

    endpoint, pool_id, client_id = _live_client(discovery, pool, app_client)
    spec = next((c for c in pool.clients if c.logical_id == app_client), None) or (
        pool.clients[0] if pool.clients else None)
    flows = set(spec.auth_flows) if spec else set()
    idp = client(endpoint, pool_id.split("_", 1)[0])
    username, attributes = person.username(pool), person.attributes(pool)
    try:
        _sign_up_or_update(idp, pool_id=pool_id, client_id=client_id, username=username,
                           password=person.password, attributes=attributes)
        if flows & {"USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"}:
            result = idp.initiate_auth(
                ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": person.password})
        else:
            result = idp.admin_initiate_auth(
                UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": person.password})
    except ClientError as exc:
        error = exc.response.get("Error", {})
        raise ConfigError(f"the local pool refused {username!r}: {error.get('Code')}: "
                          f"{error.get('Message')}", key="--user") from None
    except BotoCoreError as exc:
        raise ConfigError(f"the emulator at {endpoint} did not answer ({exc}); is it "
                          "still running?", key="--pool") from None
    tokens = result["AuthenticationResult"]
    return str(tokens["AccessToken" if access else "IdToken"])


def _live_client(discovery: Path, pool: UserPoolConfig, app_client: str | None
                 ) -> tuple[str, str, str]:
    from emulator.config.errors import ConfigError

    try:
        data = json.loads(discovery.read_text(encoding="utf-8"))
        live = data["pools"][pool.logical_id]
    except (OSError, ValueError, KeyError):
        raise ConfigError(f"no running emulator's pools in {discovery}: start "
                          "`python -m emulator` first (with the same --config/--stage)",
                          key="--pool") from None
    clients = live["clients"]
    chosen = clients.get(app_client) if app_client else next(iter(clients.values()), None)
    if chosen is None:
        raise ConfigError(f"no client {app_client or ''} of pool {pool.logical_id} (clients: "
                          f"{', '.join(clients) or 'none: add an AWS::Cognito::UserPoolClient'})",
                          key="--client")
    return str(data["endpoint"]), str(live["id"]), str(chosen)


def _sign_up_or_update(idp: Any, *, pool_id: str, client_id: str, username: str,
                       password: str, attributes: list[dict[str, str]]) -> None:
    """SignUp (the public call an app makes) for a new user; for a known one, set the password
    and the attributes given (admin calls: local pools only)."""
    try:
        known = idp.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"]
    except idp.exceptions.UserNotFoundException:
        reply = idp.sign_up(ClientId=client_id, Username=username, Password=password,
                            UserAttributes=attributes)
        if not reply.get("UserConfirmed"):  # local pools confirm at once (cognito_local.py)
            idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=username)
        return
    idp.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=password,
                                Permanent=True)
    current = {a["Name"]: a["Value"] for a in known}
    changed = [a for a in attributes if current.get(a["Name"]) != a["Value"]]
    if changed:
        idp.admin_update_user_attributes(UserPoolId=pool_id, Username=username,
                                         UserAttributes=changed)
