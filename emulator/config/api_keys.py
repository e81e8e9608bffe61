"""`provider.apiGateway.apiKeys` and `usagePlan`, as the Serverless Framework v3 reads them.

Keys are names (API Gateway generates the value), mappings with `name`, `value`, `description`,
`customerId`, `enabled`, or lists grouped under a usage plan's name (`- free: [keyA]`). A fixed
`value` must have at least 20 characters (API Gateway's CreateApiKey refuses shorter ones).
Usage plans (quotas, throttles) are read and named as not enforced.
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
    usage_plan: str | None = None

    @property
    def key_id(self) -> str:
        """A stable 10-character id shaped like API Gateway's apiKeyId."""
        digest = hashlib.sha256(f"apikey/{self.name}".encode()).digest()
        alphabet = string.ascii_lowercase + string.digits
        return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


def read_api_keys(doc: Document) -> tuple[ApiKeyConfig, ...]:
    """Read provider.apiGateway.apiKeys (and name usagePlan as not enforced)."""
    base: KeyPath = ("provider", "apiGateway")
    api_gateway = doc.mapping(doc.provider.get("apiGateway"), base)
    if api_gateway.get("usagePlan"):
        doc.note((*base, "usagePlan"), "read, not enforced: no quotas or throttling locally")
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
            keys += [_key(doc, m, (*key, str(plan), j), str(plan)) for j, m in enumerate(members)]
        else:
            keys.append(_key(doc, entry, key, None))
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
