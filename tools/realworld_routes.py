"""The routes a Serverless Framework project declares, read without the emulator's config reader.

`nox -s realworld` counts a project's routes even when a tool cannot start on it, so this
module reads `serverless.yml` on its own, minimally: YAML with CloudFormation tags accepted,
`functions:` as a mapping or a list of fragments, and `${file(path)}` / `${file(path):a.b}`
fragments with a literal path. Every other variable stays as written (a route whose path holds
one is still counted, and requested with the variable replaced by a dummy segment).

    >>> Route("rest", "GET", "/todos/{id}", "get").request_path("dev")
    '/dev/todos/dummy'
    >>> Route("rest", "ANY", "/", "app").request_path("dev")
    '/dev/'
    >>> Route("http", "ANY", "*", "app").request_path("dev")
    '/'
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

CONFIG_NAMES = ("serverless.yml", "serverless.yaml", "serverless.json")
DUMMY = "dummy"
_FILE_REF = re.compile(r"^\$\{file\(([^()${}]+)\)(?::([\w.\-]+))?\}$")
_PATH_PARAM = re.compile(r"\{[^{}/]+\}")
_VARIABLE = re.compile(r"\$\{[^{}]*\}")
_HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Route:
    """One declared route: `rest` (an `http` event) or `http` (an `httpApi` event)."""

    api: str
    method: str  # upper case; ANY for `any` / `*`
    path: str  # as declared, with a leading slash ("*" for the HTTP API catch-all)
    function: str

    def request_method(self) -> str:
        """Return the method to request the route with (GET for ANY)."""
        return self.method if self.method in _HTTP_METHODS else "GET"

    def request_path(self, stage: str) -> str:
        """Return the path to request: parameters and variables filled with a dummy value.

        REST routes live under `/<stage>`; HTTP API routes (the `$default` stage) at the root.
        """
        path = "/" if self.path == "*" else self.path
        path = _PATH_PARAM.sub(DUMMY, _VARIABLE.sub(DUMMY, path))
        if self.api == "rest":
            return f"/{stage}{path}"
        return path

    def label(self) -> str:
        return f"{'REST' if self.api == 'rest' else 'HTTP'} {self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class Declared:
    """What a project declares: its routes, plus what could not be read (one line each)."""

    routes: tuple[Route, ...]
    problems: tuple[str, ...]


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads CloudFormation's short tags (!Ref, !GetAtt, !Sub ...) as values."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("!", _any_tag)


def find_config(project: Path) -> Path | None:
    """Return the project's serverless.yml / .yaml / .json, as the framework looks them up."""
    for name in CONFIG_NAMES:
        if (project / name).is_file():
            return project / name
    return None


def load_document(path: Path) -> Any:
    """Read a YAML or JSON file, CloudFormation tags allowed."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_TolerantLoader)  # a SafeLoader subclass


def _file_fragment(value: Any, base: Path) -> tuple[Any, str | None]:
    """Resolve a `${file(path)}` / `${file(path):a.b}` string; other values come back as is."""
    if not isinstance(value, str) or not (match := _FILE_REF.match(value.strip())):
        return value, None
    target = base / match.group(1).strip().strip("'\"")
    if not target.is_file():
        return None, f"{value}: no such file"
    try:
        data = load_document(target)
    except (yaml.YAMLError, ValueError) as exc:
        return None, f"{value}: {str(exc).splitlines()[0]}"
    for key in match.group(2).split(".") if match.group(2) else ():
        data = data.get(key) if isinstance(data, Mapping) else None
    return data, None


def _functions(document: Mapping[str, Any], base: Path) -> tuple[dict[str, Any], list[str]]:
    """Return name -> function mapping from `functions:` (mapping, list of fragments, file)."""
    problems: list[str] = []
    raw, problem = _file_fragment(document.get("functions"), base)
    problems += [problem] if problem else []
    parts = raw if isinstance(raw, list) else [raw]
    merged: dict[str, Any] = {}
    for part in parts:
        value, problem = _file_fragment(part, base)
        if problem:
            problems.append(problem)
        elif isinstance(value, Mapping):
            merged.update(value)
        elif value is not None:
            problems.append(f"functions: cannot read {str(value)[:60]!r}")
    return merged, problems


def _http_route(name: str, spec: Any) -> Route | None:
    if isinstance(spec, str):
        method, _, path = spec.strip().partition(" ")
    elif isinstance(spec, Mapping):
        method, path = str(spec.get("method", "")), str(spec.get("path", ""))
    else:
        return None
    return Route("rest", _method(method), "/" + path.strip().lstrip("/"), name)


def _http_api_route(name: str, spec: Any) -> Route | None:
    if isinstance(spec, str):
        method, _, path = spec.strip().partition(" ")
        method, path = ("*", "*") if spec.strip() == "*" else (method, path)
    elif isinstance(spec, Mapping):
        method, path = str(spec.get("method", "*")), str(spec.get("path", ""))
    else:
        return None
    path = path.strip()
    return Route("http", _method(method), path if path == "*" else "/" + path.lstrip("/"), name)


def _method(method: str) -> str:
    method = method.strip().upper()
    return "ANY" if method in ("*", "ANY", "") else method


def _events(name: str, function: Any) -> Iterator[Route]:
    events = function.get("events") if isinstance(function, Mapping) else None
    for event in events if isinstance(events, list) else ():
        if not isinstance(event, Mapping):
            continue
        route = (_http_route(name, event["http"]) if "http" in event
                 else _http_api_route(name, event["httpApi"]) if "httpApi" in event else None)
        if route is not None:
            yield route


def declared_routes(project: Path) -> Declared:
    """Return every http / httpApi route the project's serverless.yml declares."""
    config = find_config(project)
    if config is None:
        return Declared((), ("no serverless.yml / .yaml / .json",))
    try:
        document = load_document(config)
    except (yaml.YAMLError, ValueError) as exc:
        return Declared((), (f"{config.name}: {str(exc).splitlines()[0]}",))
    if not isinstance(document, Mapping):
        return Declared((), (f"{config.name}: not a mapping",))
    functions, problems = _functions(document, config.parent)
    routes = [route for name, fn in functions.items() for route in _events(str(name), fn)]
    return Declared(tuple(routes), tuple(problems))
