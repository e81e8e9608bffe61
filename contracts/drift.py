"""Drift: the routes serverless.yml deploys are exactly the operations openapi.yaml describes.

serverless.yml `http` events come in two spellings, `http: GET reviews` and
`http: {path: reviews, method: get}`; paths are compared with a leading slash and no trailing
one, methods in upper case. An `ANY` route matches nothing in the spec and is reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Route = tuple[str, str]  # (METHOD, /path/{param})
SPEC_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})


@dataclass(frozen=True, slots=True)
class Drift:
    only_deployed: frozenset[Route]  # in serverless.yml, not in openapi.yaml
    only_specified: frozenset[Route]  # in openapi.yaml, not in serverless.yml

    @property
    def ok(self) -> bool:
        return not self.only_deployed and not self.only_specified

    def describe(self, deployed: Path, spec: Path) -> str:
        """One line per mismatched route, naming the file that has it and the one that lacks it."""
        lines = [
            f"{m} {p}: in {deployed.name}, missing from {spec.name}"
            for m, p in sorted(self.only_deployed)
        ]
        lines += [
            f"{m} {p}: in {spec.name}, missing from {deployed.name}"
            for m, p in sorted(self.only_specified)
        ]
        return "\n".join(lines)


def normalise(path: str) -> str:
    """`reviews/{id}/` -> `/reviews/{id}`."""
    return "/" + path.strip().strip("/")


def _http_event(event: Any) -> Route | None:
    spec = event.get("http") if isinstance(event, dict) else None
    if isinstance(spec, str):  # "GET reviews/{id}"
        method, _, path = spec.strip().partition(" ")
        return method.upper(), normalise(path)
    if isinstance(spec, dict) and "path" in spec and "method" in spec:
        return str(spec["method"]).upper(), normalise(str(spec["path"]))
    return None


def deployed_routes(serverless_yml: Path) -> set[Route]:
    """(METHOD, path) of every `http` event of every function in serverless.yml."""
    with serverless_yml.open(encoding="utf-8") as f:
        config = yaml.safe_load(f) or {}
    routes: set[Route] = set()
    for function in (config.get("functions") or {}).values():
        for event in (function or {}).get("events") or []:
            route = _http_event(event)
            if route is not None:
                routes.add(route)
    return routes


def specified_routes(openapi_yaml: Path) -> set[Route]:
    """(METHOD, path) of every operation in openapi.yaml."""
    with openapi_yaml.open(encoding="utf-8") as f:
        spec = yaml.safe_load(f) or {}
    return {
        (method.upper(), normalise(path))
        for path, item in (spec.get("paths") or {}).items()
        for method in item
        if method.upper() in SPEC_METHODS
    }


def compare(serverless_yml: Path, openapi_yaml: Path) -> Drift:
    """Compare the two route sets."""
    deployed, specified = deployed_routes(serverless_yml), specified_routes(openapi_yaml)
    return Drift(frozenset(deployed - specified), frozenset(specified - deployed))
