"""The schemathesis configuration of a contract run, written as a schemathesis.toml for its CLI.

Kept here rather than as a schemathesis.toml at the repository root, which schemathesis (and
its pytest plugin) would load for every command run there.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from contracts import authz, checks, lifecycle, listing, semantics
from contracts.project import Project

# Every stock check runs, except four that ours replace for a reason (each calls or covers it):
# unsupported_method expects 405 where API Gateway REST answers 403 (gateway = "rest":
# undeclared_method_is_gateway_403), and positive_data_acceptance rejects an API that refuses
# a page token it never issued (valid_data_accepted: the same check otherwise). ignored_auth (a
# request without credentials is refused) is auth_required's first case, and schemathesis's
# object_level_authorization (reads replayed across identities of its own configuration) is
# replaced by ours of that name (contracts.authz: writes and reads across the project's).
STOCK_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "missing_required_header",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
)
# Ours, by the project setting that turns each on (None: always on).
OWN_CHECKS: dict[str, str | None] = {
    **checks.CHECKS, **semantics.CHECKS, **lifecycle.CHECKS, **listing.CHECKS, **authz.CHECKS
}
# Undeclared methods the coverage phase sends to each path; read-only runs send only safe ones.
PROBE_METHODS = ("get", "put", "post", "delete", "patch", "trace")
SAFE_PROBE_METHODS = ("trace",)


def own_checks(project: Project) -> list[str]:
    """Our checks this project runs: not disabled, and their setting (if any) given."""
    wanted = {
        "gateway": project.gateway == "rest",
        "cors-origin": project.cors_origin is not None,
        None: True,
    }
    return [n for n, need in OWN_CHECKS.items() if wanted[need] and n not in project.disabled]


def enabled_checks(project: Project) -> list[str]:
    """Every check the run performs: the stock ones and ours."""
    stock = list(STOCK_CHECKS)
    if project.gateway != "rest" or "undeclared_method_is_gateway_403" in project.disabled:
        stock.append("unsupported_method")
    return stock + own_checks(project)


def settings(project: Project, *, read_only: bool) -> dict[str, Any]:
    """The configuration as a dict with schemathesis.toml's keys."""
    no_response_data = {"extra-data-sources": {"responses": False}}
    config: dict[str, Any] = {"enabled": False}
    config.update({name: {"enabled": True} for name in enabled_checks(project)})
    config.setdefault("negative_data_rejection", {"enabled": True})
    config["negative_data_rejection"]["expected-statuses"] = list(project.rejected_statuses)
    # Off as a check of its own; valid_data_accepted calls it with these statuses.
    config["positive_data_acceptance"] = {
        "enabled": False, "expected-statuses": list(project.accepted_statuses)
    }
    return {
        "workers": 1,  # the run state's before/after snapshots assume one request at a time
        "cache": {"enabled": False},  # nothing written to the working directory
        "generation": {"database": "none"},
        "checks": config,
        "phases": {
            # Ids read from list replies could be resources this run does not own (on a real
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


def write(directory: Path, project: Project, *, read_only: bool) -> Path:
    """Write the configuration into `directory`; return the file's path."""
    path = directory / "schemathesis.toml"
    path.write_text(to_toml(settings(project, read_only=read_only)), encoding="utf-8")
    return path
