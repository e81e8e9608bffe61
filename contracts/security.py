"""Who may call what, read from the spec: security schemes, protected operations, owners, filters.

- A scheme the harness can satisfy with an identity's token: `apiKey` in a header with
  `x-amazon-apigateway-authtype: cognito_user_pools` (API Gateway's Cognito authorizer: the raw
  ID token), any `apiKey` header named Authorization, and `http` `bearer` (`Bearer <token>`).
- `apiKey` schemes of other names are API keys: sent as configured (`headers`), not checked here.
- Anything else (`oauth2` flows, `openIdConnect`, `mutualTLS`, `http` basic) cannot be
  satisfied: named in the summary, and the operations it protects are only sent requests without
  credentials (auth_required).
- An operation is protected when its `security` (else the document's) has no empty requirement.
- `x-contracts-owner: <claim>` on a response property (nested: `author.id`): it holds that claim
  of the caller's ID token (`name` falls back to `cognito:username`, as Cognito's own names do).
- `x-contracts-filter: <dotted path>` on a listing's query parameter: given identity A's value
  for that path, every listed item has it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

CLAIM = re.compile(r"[A-Za-z_][A-Za-z0-9_:.-]*")
TOKEN_KINDS = ("token",)


class SecurityError(Exception):
    """An unusable declaration; the message names its place in the spec."""


@dataclass(frozen=True, slots=True)
class Scheme:
    name: str
    kind: str  # token | api-key | unsupported
    header: str = "Authorization"
    prefix: str = ""  # "Bearer " for http bearer
    why: str = ""  # unsupported: what it is


@dataclass(frozen=True, slots=True)
class Access:
    schemes: dict[str, Scheme] = field(default_factory=dict)
    protected: dict[str, tuple[str, ...]] = field(default_factory=dict)  # op -> scheme names
    # "METHOD /path" -> (dotted property path, claim) of its 2xx replies
    owners: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # "METHOD /path" of a listing -> (query parameter, dotted path in each item)
    filters: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def token_scheme(self) -> Scheme | None:
        """The scheme identities' tokens are sent for (the first one the spec uses)."""
        for names in self.protected.values():
            for name in names:
                if self.schemes[name].kind == "token":
                    return self.schemes[name]
        return None

    def needs(self, operation: str, kind: str) -> bool:
        return any(self.schemes[n].kind == kind for n in self.protected.get(operation, ()))

    def unsupported(self) -> list[str]:
        """One line per scheme the harness cannot satisfy, with what it protects."""
        lines = []
        for name, scheme in self.schemes.items():
            ops = [op for op, names in self.protected.items() if name in names]
            if scheme.kind == "unsupported" and ops:
                lines.append(f"{name} ({scheme.why}) cannot be satisfied here: {len(ops)} "
                             "operation(s) only checked to refuse requests without credentials")
        return lines


def read(raw: dict[str, Any], resolve: Any, methods: tuple[str, ...]) -> Access:
    """The access rules of a spec (`resolve` follows $refs)."""
    declared = (raw.get("components") or {}).get("securitySchemes") or {}
    schemes = {name: _scheme(name, resolve(s)) for name, s in declared.items()}
    default = raw.get("security")
    protected: dict[str, tuple[str, ...]] = {}
    owners: dict[str, tuple[tuple[str, str], ...]] = {}
    filters: dict[str, tuple[tuple[str, str], ...]] = {}
    for path, item in (raw.get("paths") or {}).items():
        for method, op in item.items():
            if method not in methods or not isinstance(op, dict):
                continue
            where, key = f"paths.{path}.{method}", f"{method.upper()} {path}"
            names = _requirement(where, op.get("security", default), schemes)
            if names:
                protected[key] = names
            found = tuple(_owners(where, op, resolve))
            if found:
                owners[key] = found
            params = [resolve(p) for p in [*(item.get("parameters") or []),
                                            *(op.get("parameters") or [])]]
            wanted = tuple(_filters(where, params))
            if wanted:
                filters[key] = wanted
    return Access(schemes, protected, owners, filters)


def _scheme(name: str, scheme: dict[str, Any]) -> Scheme:
    kind, where = scheme.get("type"), scheme.get("in")
    authtype = str(scheme.get("x-amazon-apigateway-authtype", "")).lower()
    header = str(scheme.get("name", "Authorization"))
    if kind == "apiKey" and where == "header" and (
        authtype == "cognito_user_pools" or header.lower() == "authorization"
    ):
        return Scheme(name, "token", header)
    if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
        return Scheme(name, "token", "Authorization", "Bearer ")
    if kind == "apiKey":
        return Scheme(name, "api-key", header)
    return Scheme(name, "unsupported", why=f"{kind} {scheme.get('scheme', '')}".strip())


def _requirement(where: str, security: Any, schemes: dict[str, Scheme]) -> tuple[str, ...]:
    """The scheme names an operation needs; () when it is public (or auth is optional)."""
    if not security:
        return ()
    if not isinstance(security, list) or not all(isinstance(r, dict) for r in security):
        raise SecurityError(f"{where}.security: expected a list of requirement objects")
    if any(not r for r in security):
        return ()  # `{}` among the alternatives: callable without credentials
    names = tuple(dict.fromkeys(n for r in security for n in r))
    unknown = [n for n in names if n not in schemes]
    if unknown:
        raise SecurityError(f"{where}.security: {unknown[0]!r} is not in "
                            "components.securitySchemes")
    return names


def _owners(where: str, op: dict[str, Any], resolve: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for code, response in (op.get("responses") or {}).items():
        if not str(code).startswith("2"):
            continue
        media = (resolve(response).get("content") or {}).get("application/json") or {}
        found += _walk_owner(f"{where}.responses.{code}", resolve(media.get("schema")) or {},
                             "", resolve)
    return list(dict.fromkeys(found))


def _walk_owner(where: str, schema: dict[str, Any], prefix: str,
                resolve: Any) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if prefix.count(".") > 4:
        return found
    for name, declared in (schema.get("properties") or {}).items():
        prop = resolve(declared) or {}
        path = f"{prefix}{name}"
        claim = prop.get("x-contracts-owner")
        for part in prop.get("allOf") or []:
            claim = claim or (resolve(part) or {}).get("x-contracts-owner")
        if claim is not None:
            if not isinstance(claim, str) or not CLAIM.fullmatch(claim):
                raise SecurityError(f"{where}: {path}: x-contracts-owner: expected a token "
                                    f"claim name (sub, name, email...), got {claim!r}")
            found.append((path, claim))
        found += _walk_owner(where, prop, f"{path}.", resolve)
    return found


def _filters(where: str, params: list[dict[str, Any]]) -> list[tuple[str, str]]:
    found = []
    for param in params:
        path = param.get("x-contracts-filter")
        if path is None:
            continue
        if param.get("in") != "query" or not isinstance(path, str) or not re.fullmatch(
                r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*", path):
            raise SecurityError(f"{where}.parameters.{param.get('name')}: x-contracts-filter: "
                                f"expected a dotted property path (author.id) on a query "
                                f"parameter, got {path!r}")
        found.append((str(param["name"]), path))
    return found


def dotted(value: Any, path: str) -> Any:
    """`author.id` of a JSON object; None where it does not exist."""
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
