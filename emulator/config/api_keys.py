"""`provider.apiGateway.apiKeys` and `usagePlan`, as the Serverless Framework v3 reads them.

Keys are names (API Gateway generates the value), mappings with `name`, `value`, `description`,
`customerId`, `enabled`, or lists grouped under a usage plan's name (`- free: [keyA]`). A fixed
`value` must have at least 20 characters (API Gateway's CreateApiKey refuses shorter ones).

`usagePlan` is one plan (a mapping: every key is in it, the framework's "default" plan) or a
list of `- name: {quota, throttle}` matched to the keys grouped under the same name; a key group
whose name no plan has stops the deploy ("API key "x" has no usage plan defined", serverless@3
usage-plan-keys.js), and so it stops the start here. `throttle: {rateLimit, burstLimit}` and
`quota: {limit, offset, period: DAY|WEEK|MONTH}` as the framework's schema allows them
(integers >= 0; aws/provider.js).
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass
from typing import Any

from emulator.config.document import Document
from emulator.config.yamlfile import KeyPath

MIN_VALUE_LENGTH = 20  # API Gateway: "API Key value should be at least 20 characters"
MAX_VALUE_LENGTH = 128


@dataclass(frozen=True, slots=True)
class ApiKeyConfig:
    name: str
    value: str | None  # None: generated (the CLI fills it, stable across restarts)
    enabled: bool = True
    usage_plan: str | None = None  # the plan's name ("default" for a single usagePlan:)

    @property
    def key_id(self) -> str:
        """A stable 10-character id shaped like API Gateway's apiKeyId."""
        digest = hashlib.sha256(f"apikey/{self.name}".encode()).digest()
        alphabet = string.ascii_lowercase + string.digits
        return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


@dataclass(frozen=True, slots=True)
class UsagePlanConfig:
    """One usage plan: per-key throttling (a token bucket) and quota."""

    name: str
    rate: int | None = None  # throttle.rateLimit: requests per second, steady
    burst: int | None = None  # throttle.burstLimit: the bucket's size
    quota_limit: int | None = None  # quota.limit per period
    quota_period: str | None = None  # DAY, WEEK or MONTH
    quota_offset: int = 0  # requests subtracted from the limit in the first period

    @property
    def enforced(self) -> bool:
        return self.rate is not None or self.quota_limit is not None

    @property
    def bucket_size(self) -> int:
        """The token bucket's size: burstLimit; without one, a second's worth (at least 1)."""
        return self.burst if self.burst is not None else max(self.rate or 0, 1)


def read_usage_plans(doc: Document) -> tuple[UsagePlanConfig, ...]:
    """Read provider.apiGateway.usagePlan: one plan (named "default") or a list of them."""
    key: KeyPath = ("provider", "apiGateway", "usagePlan")
    api_gateway = doc.mapping(doc.provider.get("apiGateway"), key[:2])
    raw = api_gateway.get("usagePlan")
    if raw is None:
        return ()
    if isinstance(raw, dict):
        return (_plan(doc, "default", raw, key),)
    if not isinstance(raw, list):
        raise doc.error(key, "must be a mapping (quota, throttle) or a list of named plans")
    plans = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict) or len(entry) != 1:
            raise doc.error((*key, i), "each plan is `- name: {quota: ..., throttle: ...}`")
        ((name, spec),) = entry.items()
        plans.append(_plan(doc, str(name), spec, (*key, i, str(name))))
    return tuple(plans)


def _plan(doc: Document, name: str, spec: Any, key: KeyPath) -> UsagePlanConfig:
    spec = doc.mapping(spec, key)
    throttle = doc.mapping(spec.get("throttle"), (*key, "throttle"))
    quota = doc.mapping(spec.get("quota"), (*key, "quota"))
    numbers = {
        "rate": _count(doc, throttle.get("rateLimit"), (*key, "throttle", "rateLimit")),
        "burst": _count(doc, throttle.get("burstLimit"), (*key, "throttle", "burstLimit")),
        "quota_limit": _count(doc, quota.get("limit"), (*key, "quota", "limit")),
    }
    offset = _count(doc, quota.get("offset"), (*key, "quota", "offset")) or 0
    period = quota.get("period")
    if period is not None and period not in ("DAY", "WEEK", "MONTH"):
        raise doc.error((*key, "quota", "period"), "must be DAY, WEEK or MONTH")
    if period is None and numbers["quota_limit"] is not None:
        doc.note((*key, "quota"), "a limit without a period: not enforced")
        numbers["quota_limit"] = None
    return UsagePlanConfig(name, quota_offset=offset,
                           quota_period=str(period) if period else None, **numbers)


def _count(doc: Document, value: Any, key: KeyPath) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise doc.error(key, "must be a whole number, 0 or more")
    return value


def read_api_keys(doc: Document,
                  plans: tuple[UsagePlanConfig, ...] = ()) -> tuple[ApiKeyConfig, ...]:
    """Read provider.apiGateway.apiKeys, each in its usage plan."""
    base: KeyPath = ("provider", "apiGateway")
    api_gateway = doc.mapping(doc.provider.get("apiGateway"), base)
    names = {p.name for p in plans}
    default = "default" if names == {"default"} else None
    raw = api_gateway.get("apiKeys")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise doc.error((*base, "apiKeys"), "must be a list of key names or mappings")
    keys: list[ApiKeyConfig] = []
    for i, entry in enumerate(raw):
        key = (*base, "apiKeys", i)
        if isinstance(entry, dict) and len(entry) == 1 and isinstance(
                next(iter(entry.values())), list):  # `- planName: [keys]`
            ((plan, members),) = entry.items()
            if names - {"default"} and str(plan) not in names:
                raise doc.error((*key, str(plan)), f"API key \"{plan}\" has no usage plan "
                                                   "defined (provider.apiGateway.usagePlan)")
            keys += [_key(doc, m, (*key, str(plan), j), str(plan)) for j, m in enumerate(members)]
        else:
            keys.append(_key(doc, entry, key, default))
    _check_unique(doc, keys)
    return tuple(keys)


def _key(doc: Document, entry: Any, key: KeyPath, plan: str | None) -> ApiKeyConfig:
    if isinstance(entry, str) and entry:
        return ApiKeyConfig(entry, None, usage_plan=plan)
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise doc.error(key, "an API key is a name or a mapping with `name` (and `value`)")
    value = entry.get("value")
    if value is not None and (not isinstance(value, str)
                              or not MIN_VALUE_LENGTH <= len(value) <= MAX_VALUE_LENGTH):
        length = len(value) if isinstance(value, str) else 0
        raise doc.error((*key, "value"), f"API Gateway needs {MIN_VALUE_LENGTH} to "
                                         f"{MAX_VALUE_LENGTH} characters (got {length})")
    enabled = entry.get("enabled", True)
    if not isinstance(enabled, bool):
        raise doc.error((*key, "enabled"), "must be true or false")
    return ApiKeyConfig(entry["name"], value, enabled, plan)


def _check_unique(doc: Document, keys: list[ApiKeyConfig]) -> None:
    seen: set[str] = set()
    for i, api_key in enumerate(keys):
        if api_key.name in seen:
            raise doc.error(("provider", "apiGateway", "apiKeys", i),
                            f"API key {api_key.name!r} is declared twice")
        seen.add(api_key.name)
    values = [k.value for k in keys if k.value]
    if len(values) != len(set(values)):
        raise doc.error(("provider", "apiGateway", "apiKeys"),
                        "two API keys have the same value (API Gateway refuses duplicates)")
