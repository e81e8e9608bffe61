"""Drift: the routes serverless.yml deploys are exactly the operations openapi.yaml describes,
and the same ones are protected.

serverless.yml `http` events come in two spellings, `http: GET reviews` and
`http: {path: reviews, method: get}`; paths are compared with a leading slash and no trailing
one, methods in upper case. An `ANY` route matches nothing in the spec and is reported as such.

A route is protected in serverless.yml when its event names an `authorizer` or is `private`
(an API key); an operation is protected in openapi.yaml when its `security` (or the
document's, when it has none of its own) names a scheme: `security: []` or none is public.
A route protected on one side and public on the other is drift, named on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

Route = tuple[str, str]  # (METHOD, /path/{param})
SPEC_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"})


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation short forms (`!GetAtt Pool.Arn`) as plain values."""


_Loader.add_multi_constructor("!", lambda loader, _suffix, node: (
    loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
    else loader.construct_sequence(node) if isinstance(node, yaml.SequenceNode)
    else loader.construct_mapping(node)))


@dataclass(frozen=True, slots=True)
class Drift:
    only_deployed: frozenset[Route]  # in serverless.yml, not in openapi.yaml
    only_specified: frozenset[Route]  # in openapi.yaml, not in serverless.yml
    protected_only_deployed: frozenset[Route] = frozenset()  # authorizer; spec: no security
    protected_only_specified: frozenset[Route] = frozenset()  # security; no authorizer

    @property
    def ok(self) -> bool:
        return not (self.only_deployed or self.only_specified or self.protected_only_deployed
                    or self.protected_only_specified)

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
        lines += [
            f"{m} {p}: protected in {deployed.name} (authorizer or private), public in "
            f"{spec.name} (no security)" for m, p in sorted(self.protected_only_deployed)
        ]
        lines += [
            f"{m} {p}: protected in {spec.name} (security), public in {deployed.name} (no "
            "authorizer, not private)" for m, p in sorted(self.protected_only_specified)
        ]
        return "\n".join(lines)


def normalise(path: str) -> str:
    """`reviews/{id}/` -> `/reviews/{id}`."""
    return "/" + path.strip().strip("/")


def _http_event(event: Any) -> tuple[Route, bool] | None:
    """The route of an `http` event and whether it is protected."""
    spec = event.get("http") if isinstance(event, dict) else None
    if isinstance(spec, str):  # "GET reviews/{id}"
        method, _, path = spec.strip().partition(" ")
        return (method.upper(), normalise(path)), False
    if isinstance(spec, dict) and "path" in spec and "method" in spec:
        protected = bool(spec.get("authorizer")) or spec.get("private") is True
        return (str(spec["method"]).upper(), normalise(str(spec["path"]))), protected
    return None


def deployed(serverless_yml: Path) -> dict[Route, bool]:
    """Every `http` event's (METHOD, path) of every function in serverless.yml, and whether
    it is protected."""
    with serverless_yml.open(encoding="utf-8") as f:
        config = yaml.load(f, Loader=_Loader) or {}  # a SafeLoader
    routes: dict[Route, bool] = {}
    for function in (config.get("functions") or {}).values():
        for event in (function or {}).get("events") or []:
            found = _http_event(event)
            if found is not None:
                routes[found[0]] = routes.get(found[0], False) or found[1]
    return routes


def deployed_routes(serverless_yml: Path) -> set[Route]:
    """(METHOD, path) of every `http` event of every function in serverless.yml."""
    return set(deployed(serverless_yml))


def specified(openapi_yaml: Path) -> dict[Route, bool]:
    """Every operation's (METHOD, path) in openapi.yaml, and whether its security names a
    scheme (its own `security`, else the document's)."""
    with openapi_yaml.open(encoding="utf-8") as f:
        spec = yaml.safe_load(f) or {}
    default = spec.get("security") or []
    return {
        (method.upper(), normalise(path)): bool(op.get("security", default)
                                                if isinstance(op, dict) else default)
        for path, item in (spec.get("paths") or {}).items()
        for method, op in item.items()
        if method.upper() in SPEC_METHODS
    }


def specified_routes(openapi_yaml: Path) -> set[Route]:
    """(METHOD, path) of every operation in openapi.yaml."""
    return set(specified(openapi_yaml))


def compare(serverless_yml: Path, openapi_yaml: Path) -> Drift:
    """Compare the two route sets, and which of the shared routes are protected."""
    ours, theirs = deployed(serverless_yml), specified(openapi_yaml)
    both = ours.keys() & theirs.keys()
    return Drift(frozenset(ours.keys() - theirs.keys()), frozenset(theirs.keys() - ours.keys()),
                 frozenset(r for r in both if ours[r] and not theirs[r]),
                 frozenset(r for r in both if theirs[r] and not ours[r]))
