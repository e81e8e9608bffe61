"""The identities a run acts as, and the bad tokens auth_required sends: obtained, never printed.

A project names its identities (`identities = ["alice", "bob"]`); the spec's security says what
their tokens are for (contracts.security). Nothing happens when the spec protects nothing.

- On the emulator (no --base-url/--stack): each label is signed up and signed in through the
  emulator's local Cognito, `python -m emulator token --config <serverless.yml> --user LABEL`
  (its ID token). A token of another pool comes from a second pool created in the same local
  Cognito (its endpoint is in the running emulator's discovery file), signed with the same
  moto key but another issuer, as a token of another real pool differs.
- On a deployed stage: `CONTRACTS_<LABEL>_TOKEN`, else `CONTRACTS_<LABEL>_USERNAME` and
  `_PASSWORD` signed in with USER_PASSWORD_AUTH (cognito-idp InitiateAuth) and the app client
  `CONTRACTS_CLIENT_ID`, else the stack's `UserPoolClientId` output (--stack). A token of
  another pool: `CONTRACTS_FOREIGN_TOKEN`.
- An expired token: `CONTRACTS_EXPIRED_TOKEN` (a real token of the pool kept past its `exp`;
  Cognito's shortest ID token validity is 5 minutes). Not locally: moto issues every token for
  one hour and ignores a client's IdTokenValidity, and a token re-signed with a past `exp` would
  prove nothing about the gateway; the summary says the expired case was not sent.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from contracts.security import Scheme

LOCAL_PASSWORD = "Local-Passw0rd!"  # the emulator's default for `token`; local pools only
TOKEN_TIMEOUT_S = 60.0


class IdentityError(Exception):
    """An identity could not be obtained; one line, never with a secret in it."""


@dataclass(frozen=True, slots=True)
class Identity:
    label: str
    token: str = field(repr=False)
    claims: dict[str, Any] = field(default_factory=dict, repr=False)

    def claim(self, name: str) -> Any:
        """A claim of the ID token; `name` falls back to `cognito:username` (Cognito's own)."""
        if name == "name" and "name" not in self.claims:
            return self.claims.get("cognito:username")
        return self.claims.get(name)


@dataclass(frozen=True, slots=True)
class Credentials:
    """The run's identities and bad tokens, and how to send a token."""

    scheme: Scheme
    identities: tuple[Identity, ...]
    bad: dict[str, str] = field(default_factory=dict, repr=False)  # kind -> token
    missing: dict[str, str] = field(default_factory=dict)  # kind -> why not sent

    def header(self, token: str) -> dict[str, str]:
        return {self.scheme.header: f"{self.scheme.prefix}{token}"}

    def secrets(self) -> list[str]:
        return [i.token for i in self.identities] + list(self.bad.values())

    def of(self, sent: str | None) -> Identity | None:
        """The identity whose token this header value carries."""
        token = (sent or "").removeprefix(self.scheme.prefix)
        return next((i for i in self.identities if i.token == token), None)

    def redact(self, text: str) -> str:
        """`text` with every token replaced by a label: for reports, curl lines, JUnit."""
        for identity in self.identities:
            text = text.replace(identity.token, f"<token of {identity.label}>")
        for kind, token in self.bad.items():
            text = text.replace(token, f"<{kind} token>")
        return text

    def summary(self) -> list[str]:
        labels = ", ".join(i.label for i in self.identities)
        lines = [f"{labels} (the first runs the generated tests)"]
        lines += [f"{kind} token not sent: {why}" for kind, why in self.missing.items()]
        return lines


def claims_of(token: str) -> dict[str, Any]:
    """The payload of a JWT, read (not verified: the API verifies; this names the caller)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


MALFORMED = "not-a-jwt"


def tampered(token: str) -> str:
    """A token whose signature no longer matches: its payload changed by one character."""
    head, payload, signature = [*token.split("."), "", ""][:3]
    flipped = payload[:-1] + ("A" if payload[-1:] != "A" else "B")
    return f"{head}.{flipped}.{signature}"


def local(config: Path, labels: tuple[str, ...], scheme: Scheme) -> Credentials:
    """Identities of the emulator started for this run (its local Cognito)."""
    identities = tuple(_local_identity(config, label) for label in labels)
    bad = {"malformed": MALFORMED, "tampered": tampered(identities[0].token)}
    missing = {"expired": "the local Cognito (moto) issues every token for one hour; set "
                          "CONTRACTS_EXPIRED_TOKEN to a token of this pool that has expired"}
    try:
        bad["other-pool"] = _foreign_local(config)
    except IdentityError as exc:
        missing["other-pool"] = str(exc)
    return Credentials(scheme, identities, bad, missing)


def _local_identity(config: Path, label: str) -> Identity:
    command = [sys.executable, "-m", "emulator", "token", "--config", str(config),
               "--user", label]
    done = subprocess.run(command, capture_output=True, text=True, timeout=TOKEN_TIMEOUT_S,
                          check=False, stdin=subprocess.DEVNULL)
    token = done.stdout.strip()
    if done.returncode != 0 or not token:
        why = (done.stderr.strip().splitlines() or ["no token printed"])[-1]
        raise IdentityError(f"identity {label}: python -m emulator token failed: {why}")
    return Identity(label, token, claims_of(token))


def _discovery(config: Path) -> dict[str, Any]:
    """The running emulator's Cognito discovery file (the newest beside its state)."""
    found = sorted((config.parent / ".emulator").glob("*.cognito.json"),
                   key=lambda p: p.stat().st_mtime)
    if not found:
        raise IdentityError("no local Cognito discovery file: the service declares no pool")
    data: dict[str, Any] = json.loads(found[-1].read_text(encoding="utf-8"))
    data["_folder"] = str(found[-1].parent)
    return data


def _developer_key(folder: Path) -> tuple[str, str]:
    """The emulator's key for the developer's own tools: `credentials` in its state folder,
    an AWS CLI credentials file (the emulator refuses unsigned and unknown-key calls)."""
    import configparser

    parser = configparser.ConfigParser()
    try:
        parser.read_string((folder / "credentials").read_text(encoding="utf-8"))
        section = parser["default"]
        return section["aws_access_key_id"], section["aws_secret_access_key"]
    except (OSError, KeyError, configparser.Error):
        raise IdentityError(f"no developer key in {folder / 'credentials'}: is the emulator "
                            "running there?") from None


def _foreign_local(config: Path) -> str:
    """An ID token of a second pool of the same local Cognito."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    data = _discovery(config)
    endpoint = str(data["endpoint"])
    if urlsplit(endpoint).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise IdentityError(f"the local Cognito endpoint {endpoint} is not on this machine")
    region = next(iter(data["pools"].values()))["id"].split("_", 1)[0]
    key_id, secret = _developer_key(Path(str(data["_folder"])))
    idp = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region,
                       aws_access_key_id=key_id, aws_secret_access_key=secret)
    try:
        pool = idp.create_user_pool(PoolName="contracts-another-pool")["UserPool"]["Id"]
        client = idp.create_user_pool_client(
            UserPoolId=pool, ClientName="contracts",
            ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
        idp.admin_create_user(UserPoolId=pool, Username="stranger", MessageAction="SUPPRESS")
        idp.admin_set_user_password(UserPoolId=pool, Username="stranger",
                                    Password=LOCAL_PASSWORD, Permanent=True)
        result = idp.admin_initiate_auth(
            UserPoolId=pool, ClientId=client, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "stranger", "PASSWORD": LOCAL_PASSWORD})
    except (BotoCoreError, ClientError) as exc:
        raise IdentityError(f"could not create a second local pool ({type(exc).__name__})") \
            from None
    return str(result["AuthenticationResult"]["IdToken"])


def live(labels: tuple[str, ...], scheme: Scheme, environ: Mapping[str, str],
         client_id: str | None, region: str | None) -> Credentials:
    """Identities of a deployed stage, from the environment."""
    identities = tuple(_live_identity(label, environ, client_id, region) for label in labels)
    bad = {"malformed": MALFORMED, "tampered": tampered(identities[0].token)}
    missing = {}
    for kind, variable in (("expired", "CONTRACTS_EXPIRED_TOKEN"),
                           ("other-pool", "CONTRACTS_FOREIGN_TOKEN")):
        if environ.get(variable):
            bad[kind] = environ[variable]
        else:
            missing[kind] = f"set {variable}"
    return Credentials(scheme, identities, bad, missing)


def _live_identity(label: str, environ: Mapping[str, str], client_id: str | None,
                   region: str | None) -> Identity:
    prefix = f"CONTRACTS_{label.upper()}_"
    token = environ.get(prefix + "TOKEN")
    if token:
        return Identity(label, token, claims_of(token))
    user, password = environ.get(prefix + "USERNAME"), environ.get(prefix + "PASSWORD")
    if not user or not password:
        raise IdentityError(f"identity {label}: set {prefix}TOKEN, or {prefix}USERNAME and "
                            f"{prefix}PASSWORD")
    client_id = environ.get("CONTRACTS_CLIENT_ID") or client_id
    if not client_id:
        raise IdentityError(f"identity {label}: the app client is unknown: set "
                            "CONTRACTS_CLIENT_ID or pass --stack (its UserPoolClientId output)")
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        idp = boto3.client("cognito-idp", region_name=region)
        result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": user, "PASSWORD": password})
        token = str(result["AuthenticationResult"]["IdToken"])
    except (BotoCoreError, ClientError, KeyError) as exc:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
        raise IdentityError(f"identity {label}: sign-in refused ({code})") from None
    return Identity(label, token, claims_of(token))


def obtain(labels: tuple[str, ...], scheme: Scheme | None, *, config: Path | None,
           environ: Mapping[str, str], client_id: str | None = None,
           region: str | None = None) -> Credentials | None:
    """The run's credentials: None when the spec protects nothing with a token (or no
    identities are declared); local ones when `config` names the emulator's service."""
    if scheme is None or not labels:
        return None
    if config is not None:
        return local(config, labels, scheme)
    return live(labels, scheme, environ, client_id, region)
