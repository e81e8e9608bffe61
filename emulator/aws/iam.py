"""The functions' IAM role enforced on their DynamoDB calls, as AWS evaluates it.

On AWS every call a Lambda function makes is signed with its execution role's credentials and
evaluated against the role's identity-based policy (for the Serverless Framework: the statements
of `provider.iam.role.statements` / `provider.iamRoleStatements`, in one role named
`{service}-{stage}-{region}-lambdaRole`). A call no statement allows, or one a Deny statement
matches, fails with DynamoDB's own `AccessDeniedException` (HTTP 400, JSON). Here each function
signs with its own fake access key (aws.access_key_for), so a WSGI layer in front of moto knows
the caller, derives the IAM action and resource ARNs from the request (AWS, "Actions, resources,
and condition keys for Amazon DynamoDB"; "Using IAM with DynamoDB transactions") and answers a
denial exactly as DynamoDB does. A request whose tables cannot be told (an operation not in
iam_requests.OPERATIONS, a transaction item naming no table, PartiQL outside the plain shapes) is
refused the same way. Who signed is established first (authn.py: only keys the emulator issued,
with valid signatures); calls signed with the emulator's own key or the developer's, and a
function's calls to other services, are not checked against the role.
"""

from __future__ import annotations

import io
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from emulator.aws.iam_requests import Check, dynamodb_checks
from emulator.config import untrusted_json

log = logging.getLogger(__name__)

__all__ = ["Check", "Decision", "IamMiddleware", "IamSettings", "Policy", "Verdict",
           "first_denial", "policy_warnings"]

_ACCESS_DENIED = "com.amazon.coral.service#AccessDeniedException"
CONTROL_PATH = "/_emulator/iam"
DEFAULT_STATEMENTS_KEY = "provider.iam.role.statements"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]*/[^/]*/([^/,\s]+)/")
DYNAMODB_TARGETS = ("DynamoDB_20120810", "DynamoDBStreams_20120810")
CALLER = "emulator.caller"  # environ key: (function name or None, signed service), authn.py
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Decision(Enum):
    ALLOWED = "allowed"
    IMPLICIT_DENY = "no statement allows it"
    EXPLICIT_DENY = "an explicit Deny matches"
    UNCHECKABLE = "the emulator cannot tell which resources the request touches"


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    statement: int | None = None  # index of the deciding statement, when there is one


class _Patterns:
    """IAM wildcard patterns (`*`: any run of characters, `?`: one character), whole string.

    What moto's IAMPolicy matcher does (`*` -> `.*`, anchored), with its flaws fixed: there
    every other regex character stayed live, so `?` and `.` meant something else. Compiled
    here, without importing moto (its import took ~1 s of CPU in the emulator's process on the
    first Invoke API check). An empty list matches nothing (moto treats a missing Resource as
    matching everything).
    """

    def __init__(self, patterns: tuple[str, ...], *, fold_case: bool) -> None:
        self._fold = fold_case
        regex = "|".join(f"(?:{_escape(p.lower() if fold_case else p)})" for p in patterns)
        self._regex = re.compile(regex) if patterns else None

    def match(self, value: str) -> bool:
        if self._regex is None:
            return False
        return self._regex.fullmatch(value.lower() if self._fold else value) is not None


def _escape(pattern: str) -> str:
    return "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)


@dataclass(frozen=True, slots=True)
class _Statement:
    index: int
    deny: bool
    actions: _Patterns
    not_action: bool
    resources: _Patterns
    not_resource: bool
    conditional: bool

    def applies(self, check: Check) -> bool:
        action = self.actions.match(check.action) != self.not_action
        return action and self.resources.match(check.resource) != self.not_resource


class Policy:
    """A role's statements; `evaluate` gives AWS's decision for one action on one resource.

    Action names match case-insensitively, ARNs case-sensitively (IAM JSON policy reference).
    Condition blocks are not evaluated: never silently stricter than AWS, an Allow with a
    Condition counts as matching and a Deny with a Condition never denies.
    """

    def __init__(self, statements: Iterable[Mapping[str, Any]]) -> None:
        self.statements = tuple(statements)
        self._compiled = tuple(filter(None, (_compile(i, s)
                                             for i, s in enumerate(self.statements))))

    def evaluate(self, check: Check) -> Verdict:
        """Explicit Deny wins over any Allow; no matching Allow is an implicit deny."""
        allowed: int | None = None
        for statement in self._compiled:
            if not statement.applies(check):
                continue
            if statement.deny and not statement.conditional:
                return Verdict(Decision.EXPLICIT_DENY, statement.index)
            if not statement.deny and allowed is None:
                allowed = statement.index
        if allowed is None:
            return Verdict(Decision.IMPLICIT_DENY)
        return Verdict(Decision.ALLOWED, allowed)


def _compile(index: int, raw: Mapping[str, Any]) -> _Statement | None:
    effect = str(raw.get("Effect", "")).capitalize()
    if effect not in ("Allow", "Deny"):
        return None
    deny = effect == "Deny"
    action_key = "NotAction" if "NotAction" in raw else "Action"
    resource_key = "NotResource" if "NotResource" in raw else "Resource"
    return _Statement(
        index=index, deny=deny,
        actions=_Patterns(_strings(raw.get(action_key), deny), fold_case=True),
        not_action=action_key == "NotAction",
        resources=_Patterns(_strings(raw.get(resource_key, "*"), deny), fold_case=False),
        not_resource=resource_key == "NotResource",
        conditional=bool(raw.get("Condition")))


def _strings(value: Any, deny: bool) -> tuple[str, ...]:
    """Patterns of one element; one that is not a string (an unresolved intrinsic) is `*` in an
    Allow and dropped from a Deny, so an unknown value never makes the emulator stricter."""
    values = value if isinstance(value, list) else [value]
    return tuple(v if isinstance(v, str) else "*" for v in values
                 if isinstance(v, str) or not deny)


def first_denial(policy: Policy, checks: Iterable[Check]) -> tuple[Check, Verdict] | None:
    """A request is allowed only when every check is (a batch over two tables needs both)."""
    for check in checks:
        verdict = policy.evaluate(check)
        if verdict.decision is not Decision.ALLOWED:
            return check, verdict
    return None


def policy_warnings(statements: Iterable[Mapping[str, Any]]) -> list[str]:
    """Return one line per statement the emulator cannot evaluate as AWS would."""
    warnings = []
    for i, raw in enumerate(statements):
        where = f"IAM statement [{i}]"
        if str(raw.get("Effect", "")) not in ("Allow", "Deny"):
            warnings.append(f"{where}: Effect must be Allow or Deny (AWS rejects the policy)")
        if raw.get("Condition"):
            keys = ", ".join(sorted(str(k) for k in raw["Condition"]))
            treated = "never denies" if raw.get("Effect") == "Deny" else "counts as met"
            warnings.append(f"{where}: Condition ({keys}) is not evaluated locally; "
                            f"it {treated} (the emulator is never stricter than AWS)")
        if "Resource" not in raw and "NotResource" not in raw:
            warnings.append(f"{where}: no Resource (AWS rejects the policy); treated as *")
        for key in ("Action", "NotAction", "Resource", "NotResource"):
            values = raw.get(key)
            for value in values if isinstance(values, list) else [values]:
                if value is not None and not isinstance(value, str):
                    warnings.append(f"{where}: {key} {value!r} is not resolved locally; "
                                    "it matches everything in an Allow, nothing in a Deny")
    return warnings


@dataclass(frozen=True, slots=True)
class IamSettings:
    """What the moto process needs to enforce the role: passed to it as JSON."""

    account_id: str
    region: str
    role_name: str  # as the Serverless Framework names it
    statements: tuple[Mapping[str, Any], ...]
    functions: Mapping[str, str]  # access key -> the function's deployed name
    statements_key: str = DEFAULT_STATEMENTS_KEY  # where serverless.yml keeps them

    def to_json(self) -> dict[str, Any]:
        return {"account_id": self.account_id, "region": self.region,
                "role_name": self.role_name, "statements": list(self.statements),
                "functions": dict(self.functions), "statements_key": self.statements_key}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IamSettings:
        return cls(str(data["account_id"]), str(data["region"]), str(data["role_name"]),
                   tuple(data["statements"]), dict(data["functions"]),
                   str(data.get("statements_key") or DEFAULT_STATEMENTS_KEY))


class IamMiddleware:
    """WSGI layer in front of moto: a denied DynamoDB call never reaches moto.

    `POST /_emulator/iam` with the run's control token replaces the role (None: enforcement
    off), so a serverless.yml change applies without a restart.
    """

    def __init__(self, app: WsgiApp, settings: IamSettings | None, token: str = "") -> None:
        self.app, self._token = app, token
        self._role = (settings, Policy(settings.statements)) if settings else None
        self._noticed: set[str] = set()

    def update(self, settings: IamSettings | None) -> None:
        self._role = (settings, Policy(settings.statements)) if settings else None

    def functions(self) -> Mapping[str, str]:
        """Access key -> function name, for the role in force (none when not enforced)."""
        role = self._role
        return role[0].functions if role else {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == CONTROL_PATH:
            return self._control(environ, start_response)
        role = self._role
        caller, service = _caller(environ, self.functions())
        if role is None or caller is None:
            return self.app(environ, start_response)  # not a function's call: not enforced
        target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
        if service != "dynamodb" and not target.startswith("DynamoDB"):
            self._notice(service or target.split(".", maxsplit=1)[0])
            return self.app(environ, start_response)
        settings, policy = role
        prefix, _, operation = target.partition(".")
        checks = dynamodb_checks(operation, _json_body(environ), settings.region,
                                 settings.account_id) \
            if prefix in DYNAMODB_TARGETS and not environ.get("QUERY_STRING") else None
        if checks is None:  # which tables it touches cannot be told: refused, never let through
            return self._deny(role, caller, (Check(f"dynamodb:{operation or target}", "*"),
                                             Verdict(Decision.UNCHECKABLE)), start_response)
        denial = first_denial(policy, checks)
        if denial is not None:
            return self._deny(role, caller, denial, start_response)
        return self.app(environ, start_response)

    def _control(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> list[bytes]:
        body = _json_body(environ)
        if not self._token or environ.get("HTTP_X_EMULATOR_TOKEN") != self._token \
                or not isinstance(body, dict):
            start_response("403 Forbidden", [("Content-Length", "0")])
            return []
        self.update(IamSettings.from_json(body["iam"]) if body.get("iam") else None)
        log.info("IAM: role statements reloaded (%s)",
                 "enforced" if self._role else "not enforced")
        start_response("204 No Content", [])
        return []

    def _notice(self, what: str) -> None:
        if what not in self._noticed:
            self._noticed.add(what)
            log.info("IAM: calls to %s are not checked against the role (only DynamoDB's are)",
                     what)

    @staticmethod
    def _deny(role: tuple[IamSettings, Policy], caller: str, denial: tuple[Check, Verdict],
              start_response: Callable[..., Any]) -> list[bytes]:
        (settings, policy), (check, verdict) = role, denial
        log.warning("%s", denial_report(policy, caller, check, verdict, settings.role_name,
                                        key=settings.statements_key))
        principal = (f"arn:aws:sts::{settings.account_id}:assumed-role/"
                     f"{settings.role_name}/{caller}")
        body = json.dumps({"__type": _ACCESS_DENIED,
                           "Message": denial_message(principal, check, verdict)}).encode()
        start_response("400 Bad Request", [
            ("Content-Type", "application/x-amz-json-1.0"),
            ("Content-Length", str(len(body))),
            ("x-amzn-RequestId", str(uuid.uuid4())),
        ])
        return [body]


def _caller(environ: Mapping[str, Any], functions: Mapping[str, str]
            ) -> tuple[str | None, str]:
    """(the calling function's name or None, the service it signed for).

    Set by authn.AuthMiddleware once the signature is verified; without that layer (moto
    started without a KeyRing, as some tests do) the key named in the header is believed.
    """
    known = environ.get(CALLER)
    if known is not None:
        return known  # type: ignore[no-any-return]
    match = _CREDENTIAL.search(str(environ.get("HTTP_AUTHORIZATION", "")))
    if match is None:
        return None, ""
    return functions.get(match.group(1)), match.group(2)


def denial_message(principal: str, check: Check, verdict: Verdict) -> str:
    """Return AWS's AccessDeniedException message, word for word."""
    if verdict.decision is Decision.UNCHECKABLE:
        return (f"User: {principal} is not authorized to perform: {check.action} "
                "(the emulator refuses a request whose resources it cannot tell)")
    head = (f"User: {principal} is not authorized to perform: {check.action} "
            f"on resource: {check.resource}")
    if verdict.decision is Decision.EXPLICIT_DENY:
        return f"{head} with an explicit deny in an identity-based policy"
    return f"{head} because no identity-based policy allows the {check.action} action"


def denial_report(policy: Policy, caller: str, check: Check, verdict: Verdict,
                  role: str = "the role", *, key: str = DEFAULT_STATEMENTS_KEY) -> str:
    """Return the console lines of a denial: what, the statements checked, the fix."""
    lines = [f"IAM: {check.action} denied to {caller} on {check.resource}: "
             f"{verdict.decision.value}", f"  statements of {role}:"]
    lines += [f"    [{i}] {json.dumps(s, sort_keys=True)}"
              for i, s in enumerate(policy.statements)] or ["    (none)"]
    if verdict.decision is Decision.EXPLICIT_DENY:
        lines.append(f"  fix: statement [{verdict.statement}] denies it; narrow or remove it")
    elif verdict.decision is Decision.UNCHECKABLE:
        lines.append("  refused whatever the role says: the request's shape does not name its "
                     "tables the way AWS's API defines it (see docs/security.md)")
    else:
        lines.append(f"  fix: add {check.action} to {key}, in an Allow "
                     f"statement whose Resource covers {check.resource}")
    return "\n".join(lines)


def _json_body(environ: dict[str, Any]) -> Any:
    """Read the request body (and put it back for moto); None when it is not JSON."""
    length = str(environ.get("CONTENT_LENGTH") or "")
    stream = environ["wsgi.input"]
    if length.isdigit():
        body = stream.read(int(length))
    elif environ.get("wsgi.input_terminated"):
        body = stream.read()
    else:
        return None
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    try:
        return untrusted_json.loads(body or b"{}")
    except ValueError:
        return None
