"""The schemathesis configuration of a contract run, written as a schemathesis.toml for its CLI.

Kept here rather than as a schemathesis.toml at the repository root, which schemathesis (and
its pytest plugin) would load for every command run there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contracts.checks import CHECK_NAMES

# Stock checks that fit this API. Replaced: unsupported_method (expects 405; API Gateway answers
# 403: see undeclared_method_is_gateway_403) and positive_data_acceptance (see
# valid_data_accepted). Not applicable: auth checks (the spec declares no security scheme).
STOCK_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "use_after_free",
    "ensure_resource_availability",
)
# Undeclared methods the coverage phase sends to each path; read-only runs send only safe ones.
PROBE_METHODS = ("get", "put", "post", "delete", "patch", "trace")
SAFE_PROBE_METHODS = ("trace",)


def settings(*, read_only: bool) -> dict[str, Any]:
    """The configuration as a dict with schemathesis.toml's keys."""
    no_response_data = {"extra-data-sources": {"responses": False}}
    checks: dict[str, Any] = {"enabled": False}
    checks.update({name: {"enabled": True} for name in (*STOCK_CHECKS, *CHECK_NAMES)})
    # Invalid data gets a 400 (a 404 for an id that is not a UUID), never anything else.
    checks["negative_data_rejection"]["expected-statuses"] = ["400", "404"]
    # Valid data gets a 2xx, or a 404 for an id that does not exist.
    checks["positive_data_acceptance"] = {"enabled": False, "expected-statuses": ["2xx", "404"]}
    return {
        "workers": 1,  # the run state's before/after snapshots assume one request at a time
        "cache": {"enabled": False},  # nothing written to the working directory
        "generation": {"database": "none"},
        "checks": checks,
        "phases": {
            # Ids read from list replies could be reviews this run does not own (on a real
            # stage): values come only from the spec's links, never from any response.
            "examples": no_response_data,
            "fuzzing": no_response_data,
            "coverage": {
                **no_response_data,
                "unexpected-methods": list(SAFE_PROBE_METHODS if read_only else PROBE_METHODS),
            },
            "stateful": {"inference": {"algorithms": []}},
        },
    }


def to_toml(data: Mapping[str, Any], prefix: str = "") -> str:
    """Render nested dicts of strings, numbers, booleans and lists as TOML."""
    scalars, tables = [], []
    for key, value in data.items():
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            tables.append(to_toml(value, name))
        else:
            # JSON's strings, numbers and arrays are valid TOML; booleans are the same words.
            scalars.append(f"{json.dumps(key)} = {json.dumps(value)}")
    header = [f"[{prefix}]"] if prefix and scalars else []
    return "\n".join([*header, *scalars, "", *tables]).strip() + "\n"


def write(directory: Path, *, read_only: bool) -> Path:
    """Write the configuration into `directory`; return the file's path."""
    path = directory / "schemathesis.toml"
    path.write_text(to_toml(settings(read_only=read_only)), encoding="utf-8")
    return path
