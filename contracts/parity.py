"""`python -m contracts parity --local URL --live URL`: the same requests to two stages, compared.

One deterministic sequence derived from the spec runs against both, step by step: for each
collection create, read, list, update, read, delete, read again (404), an invalid create, a
method the path lacks, and the CORS preflight. Each reply is compared on its status, the
headers that matter to a client (Content-Type's media type, Access-Control-*), and its body's
shape (keys and value types, not values: ids and timestamps differ by nature). This is the proof
that the emulator tells the truth about a stage. Exit status: 0 same, 1 differences, 2 usage.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from contracts import model, target
from contracts.model import Collection, Model, resolve

TIMEOUT_S = 30.0
COMPARED_HEADERS = ("content-type", "access-control-allow-origin",
                    "access-control-allow-methods", "access-control-allow-headers",
                    "access-control-allow-credentials")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    method: str
    path: str  # may hold {id}: the id the create step returned
    body: Any = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Seen:
    status: int
    headers: dict[str, str]
    shape: Any


def shape(value: Any) -> Any:
    """The JSON value's shape: objects by key, arrays by their first item, scalars by type."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if value is None:
        return "null"
    return type(value).__name__


def example(raw: dict[str, Any], schema: Any, depth: int = 0) -> Any:
    """A value the schema accepts: its example, default or first enum value, else a plain one."""
    schema = resolve(raw, schema) or {}
    for key in ("example", "default"):
        if key in schema:
            return schema[key]
    if schema.get("enum"):
        return schema["enum"][0]
    if "allOf" in schema and depth < 10:
        return example(raw, schema["allOf"][0], depth + 1)
    kind = schema.get("type")
    if kind == "object" and depth < 10:
        props = schema.get("properties") or {}
        return {k: example(raw, props[k], depth + 1) for k in schema.get("required", props)}
    if kind == "array":
        return []
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return "parity".ljust(schema.get("minLength", 1), "x")


def request_example(raw: dict[str, Any], op: dict[str, Any]) -> Any:
    body = resolve(raw, op.get("requestBody")) or {}
    media = (body.get("content") or {}).get("application/json") or {}
    for sample in (media.get("examples") or {}).values():
        return resolve(raw, sample).get("value")
    return media.get("example", example(raw, media.get("schema")))


def steps(api: Model) -> list[Step]:
    """The sequence, derived from the spec: the same for every target."""
    found: list[Step] = []
    for c in api.collections:
        ops = {"list": model.operations(api.raw, c.path),
               "item": model.operations(api.raw, c.item_path)}
        item = c.item_path.replace("{" + c.id_param + "}", "{id}")
        create = ops["list"].get("POST")
        if create is not None:
            found.append(Step(f"create {c.path}", "POST", c.path, request_example(api.raw, create)))
            found.append(Step(f"invalid create {c.path}", "POST", c.path, []))
        if "GET" in ops["item"]:
            found.append(Step(f"read {item}", "GET", item))
        if "GET" in ops["list"]:
            found.append(Step(f"list {c.path}", "GET", c.path))
        for method in ("PUT", "PATCH"):
            if method in ops["item"]:
                body = request_example(api.raw, ops["item"][method])
                found.append(Step(f"update {item}", method, item, body))
        if "DELETE" in ops["item"]:
            found.append(Step(f"delete {item}", "DELETE", item))
            found.append(Step(f"read deleted {item}", "GET", item))
        missing = next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in ops["list"])
        found.append(Step(f"undeclared {missing} {c.path}", missing, c.path))
        preflight = (("Origin", "https://example.com"), ("Access-Control-Request-Method", "GET"))
        found.append(Step(f"preflight {c.path}", "OPTIONS", c.path, headers=preflight))
    return found


def run(base_url: str, api: Model, sequence: list[Step]) -> list[Seen]:
    """Send the sequence to one target; the create step's id fills {id} in later steps."""
    session = requests.Session()
    ids: dict[str, str] = {}
    seen = []
    for step in sequence:
        collection = api.collection_of(step.path) or _by_item(api, step.path)
        path = step.path.replace("{id}", ids.get(collection.path if collection else "", "none"))
        reply = session.request(
            step.method, base_url.rstrip("/") + path, timeout=TIMEOUT_S,
            json=step.body if step.body is not None else None, headers=dict(step.headers),
        )  # fmt: skip
        try:
            body = reply.json()
        except ValueError:
            body = "<not JSON>" if reply.content else "<empty>"
        if step.name.startswith("create") and collection and isinstance(body, dict):
            ids[collection.path] = str(body.get(collection.id_property, "none"))
        headers = {k: reply.headers[k] for k in COMPARED_HEADERS if k in reply.headers}
        if "content-type" in headers:
            headers["content-type"] = headers["content-type"].split(";")[0].strip()
        seen.append(Seen(reply.status_code, headers, shape(body)))
    session.close()
    return seen


def _by_item(api: Model, path: str) -> Collection | None:
    for c in api.collections:
        if c.item_path.replace("{" + c.id_param + "}", "{id}") == path:
            return c
    return None


def differences(sequence: list[Step], local: list[Seen], live: list[Seen]) -> list[str]:
    """One line per difference, naming the step and both sides."""
    found = []
    for step, a, b in zip(sequence, local, live, strict=True):
        where = f"{step.name} ({step.method})"
        if a.status != b.status:
            found.append(f"{where}: status local {a.status}, live {b.status}")
        for name in sorted(a.headers.keys() | b.headers.keys()):
            if a.headers.get(name) != b.headers.get(name):
                found.append(f"{where}: {name} local {a.headers.get(name)!r}, "
                             f"live {b.headers.get(name)!r}")
        if a.shape != b.shape:
            found.append(f"{where}: body local {json.dumps(a.shape)[:120]}, "
                         f"live {json.dumps(b.shape)[:120]}")
    return found


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m contracts parity",
        description="Send the same spec-derived requests to two targets and report every "
        "difference in status, CORS and content-type headers, and body shape.",
    )
    parser.add_argument("--local", required=True, metavar="URL", help="e.g. the emulator")
    parser.add_argument("--live", required=True, metavar="URL", help="e.g. a deployed stage")
    parser.add_argument("--spec", type=Path, default=Path("openapi.yaml"))
    parser.add_argument("--allow-writes", action="store_true",
                        help="allow a target whose stage is prod or production")
    args = parser.parse_args(argv)
    protected = [u for u in (args.local, args.live) if target.refuses_writes(u)]
    if protected and not args.allow_writes:
        print(f"contracts parity: {protected[0]} is a protected stage and parity creates and "
              "deletes a resource there: pass --allow-writes")
        return 2
    try:
        api = model.load(args.spec)
    except (OSError, ValueError, model.SpecError) as exc:
        print(f"contracts parity: --spec {args.spec}: {exc}")
        return 2
    sequence = steps(api)
    try:
        local, live = run(args.local, api, sequence), run(args.live, api, sequence)
    except requests.RequestException as exc:
        print(f"contracts parity: {exc}")
        return 2
    found = differences(sequence, local, live)
    print(f"contracts parity {'FAILED' if found else 'PASSED'}: {len(sequence)} steps, "
          f"{len(found)} difference(s) between {args.local} and {args.live}")
    for line in found:
        print(f"  {line}")
    return 1 if found else 0
