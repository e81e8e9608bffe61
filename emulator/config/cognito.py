"""Cognito user pools of `resources:` (AWS::Cognito::UserPool, AWS::Cognito::UserPoolClient).

The emulator creates them in the embedded moto (cognito-idp) at start, so COGNITO_USER_POOLS
authorizers verify real tokens signed by moto's key. The pool's name (`UserPoolName`) and its
clients are read, and the properties that shape sign-up and tokens (username attributes, the
password policy, the schema, the clients' auth flows and read attributes, ...) are handed to
moto's CreateUserPool / CreateUserPoolClient: CloudFormation's property names for them are the
API's parameter names (AWS, "AWS::Cognito::UserPool" and "AWS::Cognito::UserPoolClient"
reference pages).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from emulator.config.document import Document
from emulator.config.intrinsics import CfnContext, resolve_intrinsics

POOL = "AWS::Cognito::UserPool"
CLIENT = "AWS::Cognito::UserPoolClient"
TYPES = frozenset({POOL, CLIENT})
# The properties passed on to moto, named alike in CloudFormation and the API. Others (Lambda
# triggers, domains, SMS and email settings, tags) do not change what a local token carries.
POOL_SETTINGS = ("AccountRecoverySetting", "AdminCreateUserConfig", "AliasAttributes",
                 "AutoVerifiedAttributes", "DeletionProtection", "MfaConfiguration", "Policies",
                 "Schema", "UserAttributeUpdateSettings", "UsernameAttributes",
                 "UsernameConfiguration")
CLIENT_SETTINGS = ("AccessTokenValidity", "AuthSessionValidity", "EnableTokenRevocation",
                   "ExplicitAuthFlows", "GenerateSecret", "IdTokenValidity",
                   "PreventUserExistenceErrors", "ReadAttributes", "RefreshTokenValidity",
                   "TokenValidityUnits", "WriteAttributes")


@dataclass(frozen=True, slots=True)
class UserPoolClientConfig:
    logical_id: str
    name: str
    auth_flows: tuple[str, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)  # CreateUserPoolClient's


@dataclass(frozen=True, slots=True)
class UserPoolConfig:
    logical_id: str
    name: str  # UserPoolName, else "{service}-{stage}-{LogicalId}"
    clients: tuple[UserPoolClientConfig, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)  # CreateUserPool's

    @property
    def username_attributes(self) -> tuple[str, ...]:
        """`email` / `phone_number` when users sign up with one of them as their username."""
        value = self.settings.get("UsernameAttributes")
        return tuple(str(v) for v in value) if isinstance(value, list) else ()


def read_user_pools(doc: Document, prefix: str, context: CfnContext
                    ) -> tuple[UserPoolConfig, ...]:
    """The user pools of `resources:` with their clients; `prefix` is "{service}-{stage}"."""
    key = ("resources", "Resources")
    resources = doc.mapping(doc.mapping(doc.doc.get("resources"), key[:1]).get(key[1]), key)
    pools: dict[str, tuple[str, dict[str, Any]]] = {}
    clients: dict[str, list[UserPoolClientConfig]] = {}
    for logical_id, raw in resources.items():
        resource = doc.mapping(raw, (*key, logical_id))
        props = doc.mapping(resource.get("Properties"), (*key, logical_id, "Properties"))
        props = resolve_intrinsics(props, context)
        if resource.get("Type") == POOL:
            pools[str(logical_id)] = (_name(props.get("UserPoolName"), prefix, str(logical_id)),
                                      _settings(props, POOL_SETTINGS))
        elif resource.get("Type") == CLIENT:
            pool = _ref(props.get("UserPoolId"))
            if pool is None:
                doc.note((*key, logical_id, "Properties", "UserPoolId"),
                         "not a Ref to a user pool of this service")
                continue
            flows = props.get("ExplicitAuthFlows") or []
            clients.setdefault(pool, []).append(UserPoolClientConfig(
                str(logical_id), _name(props.get("ClientName"), prefix, str(logical_id)),
                tuple(str(f) for f in flows) if isinstance(flows, list) else (),
                _settings(props, CLIENT_SETTINGS)))
    for pool in clients:
        if pool not in pools:
            doc.note((*key, clients[pool][0].logical_id), f"client of unknown user pool {pool}")
    return tuple(UserPoolConfig(lid, name, tuple(clients.get(lid, ())), settings)
                 for lid, (name, settings) in pools.items())


def _settings(props: Mapping[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {name: props[name] for name in names if name in props}


def _name(value: Any, prefix: str, logical_id: str) -> str:
    return value if isinstance(value, str) and value else f"{prefix}-{logical_id}"


def _ref(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("Ref"), str):
        return str(value["Ref"])
    return None


def get_att_logical_id(value: Any) -> str | None:
    """{"Fn::GetAtt": ["Pool", "Arn"]} (or "Pool.Arn") -> "Pool"; anything else -> None."""
    if not isinstance(value, dict) or list(value) != ["Fn::GetAtt"]:
        return None
    parts = value["Fn::GetAtt"]
    parts = parts.split(".", 1) if isinstance(parts, str) else parts
    if isinstance(parts, list) and len(parts) == 2 and parts[1] == "Arn":
        return str(parts[0])
    return None


@dataclass(frozen=True, slots=True)
class LivePool:
    """A user pool as created in the embedded moto: what verifying its tokens needs."""

    logical_id: str
    pool_id: str
    issuer: str  # https://cognito-idp.{region}.amazonaws.com/{pool_id}
    jwks: Mapping[str, Any]  # the pool's public keys, {"keys": [...]}
    client_ids: Mapping[str, str]  # client logical id -> client id
