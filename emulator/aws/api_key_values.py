"""Values of API keys declared without `value`: generated once, kept in the state folder.

API Gateway generates a 40-character alphanumeric value for a key created without one, and it
stays until the key is deleted. Locally the value is written beside the table snapshot
(`.emulator/{service}-{stage}-{region}.api-keys.json`) so it survives restarts and scripts that
saved it keep working; `--in-memory` generates fresh values each run and saves nothing.
"""

from __future__ import annotations

import dataclasses
import json
import secrets
import string
from pathlib import Path

from emulator.aws.state import write_atomic
from emulator.config.service import ServiceConfig

GENERATED_LENGTH = 40  # what API Gateway generates
_ALPHABET = string.ascii_letters + string.digits


def keys_path(snapshot: Path) -> Path:
    """The API key file beside a table snapshot file."""
    return snapshot.with_name(snapshot.stem + ".api-keys.json")


def fill(service: ServiceConfig, path: Path | None) -> tuple[ServiceConfig, list[str]]:
    """The service with every key's value set, and the names of keys generated just now."""
    missing = [k.name for k in service.api_keys if k.value is None]
    if not missing:
        return service, []
    saved = _read(path)
    created = [name for name in missing if name not in saved]
    for name in created:
        saved[name] = "".join(secrets.choice(_ALPHABET) for _ in range(GENERATED_LENGTH))
    if created and path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(saved, indent=2, sort_keys=True).encode() + b"\n")
    keys = tuple(k if k.value is not None else dataclasses.replace(k, value=saved[k.name])
                 for k in service.api_keys)
    return dataclasses.replace(service, api_keys=keys), created


def _read(path: Path | None) -> dict[str, str]:
    if path is None or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}  # unreadable: new values are generated (and printed) again
    if not isinstance(data, dict):
        return {}
    return {str(k): v for k, v in data.items() if isinstance(v, str) and len(v) >= 20}
