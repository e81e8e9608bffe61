"""`python -m contracts diff`: each rule on its own, on a small spec changed one way at a time."""

from __future__ import annotations

import copy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from contracts import diff, plan

REPO = Path(__file__).resolve().parents[2]
BASE: dict[str, Any] = yaml.safe_load("""
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    get:
      parameters:
        - {name: limit, in: query, schema: {type: integer, maximum: 100}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: {$ref: "#/components/schemas/Thing"}}
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/ThingInput"}
      responses:
        "201": {description: created}
        "400": {description: bad}
components:
  schemas:
    Thing:
      type: object
      required: [id, kind]
      properties:
        id: {type: string}
        kind: {type: string, enum: [a, b]}
    ThingInput:
      type: object
      required: [kind]
      properties:
        kind: {type: string, enum: [a, b]}
        note: {type: string, maxLength: 50}
""")
Edit = Callable[[dict[str, Any]], None]
THING = ("components", "schemas", "Thing")
INPUT = ("components", "schemas", "ThingInput")


def at(spec: dict[str, Any], *keys: str) -> Any:
    node = spec
    for key in keys:
        node = node[key]
    return node


def changes_after(edit: Edit) -> list[diff.Change]:
    new = copy.deepcopy(BASE)
    edit(new)
    return diff.compare(BASE, new)


BREAKING: dict[str, tuple[Edit, str]] = {
    "operation removed": (lambda s: at(s, "paths", "/things").pop("post"), "operation removed"),
    "response removed": (lambda s: at(s, "paths", "/things", "post", "responses").pop("400"),
                         "response 400 removed"),
    "success status changed": (
        lambda s: at(s, "paths", "/things", "post", "responses").update(
            {"200": at(s, "paths", "/things", "post", "responses").pop("201")}),
        "success status 201 -> 200"),
    "new required parameter": (
        lambda s: at(s, "paths", "/things", "get", "parameters").append(
            {"name": "owner", "in": "query", "required": True, "schema": {"type": "string"}}),
        "query parameter owner is now required"),
    "new required body property": (lambda s: at(s, *INPUT, "required").append("note"),
                                   "note is now required"),
    "parameter retyped": (
        lambda s: at(s, "paths", "/things", "get", "parameters")[0].update(
            schema={"type": "string"}),
        "type integer -> string"),
    "request enum narrowed": (lambda s: at(s, *INPUT, "properties", "kind")["enum"].pop(),
                              "enum lost ['b']"),
    "bound tightened": (lambda s: at(s, *INPUT, "properties", "note").update(maxLength=10),
                        "maxLength 50 -> 10"),
    "reply field removed": (lambda s: at(s, *THING, "properties").pop("kind"),
                            "field kind removed"),
    "reply field retyped": (lambda s: at(s, *THING, "properties", "id").update(type="integer"),
                            "type string -> integer"),
    "reply field optional": (lambda s: at(s, *THING, "required").remove("kind"),
                             "field kind no longer always present"),
    "reply enum widened": (lambda s: at(s, *THING, "properties", "kind")["enum"].append("c"),
                           "reply enum gained ['c']"),
    "security added": (lambda s: at(s, "paths", "/things", "get").update(
        security=[{"key": []}]), "security added"),
}


@pytest.mark.parametrize("name", sorted(BREAKING))
def test_each_breaking_change_is_reported_as_breaking(name: str) -> None:
    edit, what = BREAKING[name]
    changes = changes_after(edit)
    assert [c.what for c in changes if c.breaking] == [what], [c.line() for c in changes]


NOT_BREAKING: dict[str, tuple[Edit, str]] = {
    "operation added": (lambda s: at(s, "paths").update(
        {"/other": {"get": {"responses": {"200": {"description": "ok"}}}}}), "operation added"),
    "optional parameter added": (
        lambda s: at(s, "paths", "/things", "get", "parameters").append(
            {"name": "q", "in": "query", "schema": {"type": "string"}}),
        "optional query parameter q added"),
    "reply field added": (lambda s: at(s, *THING, "properties").update(extra={"type": "string"}),
                          "field extra added"),
    "request enum widened": (lambda s: at(s, *INPUT, "properties", "kind")["enum"].append("c"),
                             None),
    "bound loosened": (lambda s: at(s, *INPUT, "properties", "note").update(maxLength=500), None),
}


@pytest.mark.parametrize("name", sorted(NOT_BREAKING))
def test_compatible_changes_are_not_breaking(name: str) -> None:
    edit, what = NOT_BREAKING[name]
    changes = changes_after(edit)
    assert not [c for c in changes if c.breaking], [c.line() for c in changes]
    assert [c.what for c in changes] == ([what] if what else [])


def test_the_same_spec_has_no_changes() -> None:
    assert diff.compare(BASE, copy.deepcopy(BASE)) == []


def test_the_command_exits_1_on_breaking_changes_and_reads_git_refs(tmp_path: Path) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    changed = copy.deepcopy(BASE)
    at(changed, "paths", "/things").pop("post")
    new.write_text(yaml.safe_dump(changed), encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "contracts", "diff", *args], cwd=REPO,
                              capture_output=True, text=True, check=False)  # fmt: skip

    done = run(str(old), str(new))
    assert done.returncode == 1
    assert done.stdout.splitlines()[0].startswith("contracts diff FAILED: 1 breaking")
    assert "BREAKING  POST /things: operation removed" in done.stdout
    assert run(str(old), str(old)).returncode == 0
    same = run("HEAD:openapi.yaml", "openapi.yaml")
    assert same.stdout.startswith("contracts diff PASSED"), same.stdout + same.stderr
    bad = run("no-such-ref-xyz:openapi.yaml", "openapi.yaml")
    assert bad.returncode == 2 and bad.stdout.startswith("contracts diff: no-such-ref-xyz")


def test_a_baseline_is_the_spec_at_a_revision_and_what_broke_since(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    spec = tmp_path / "openapi.yaml"
    spec.write_text(yaml.safe_dump(BASE), encoding="utf-8")
    git("init", "-q")
    git("add", "openapi.yaml")
    git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "v1")
    changed = copy.deepcopy(BASE)
    at(changed, "paths", "/things").pop("post")
    spec.write_text(yaml.safe_dump(changed), encoding="utf-8")

    old, breaking = plan.baseline("HEAD", spec)

    assert yaml.safe_load(old.read_text(encoding="utf-8")) == BASE
    assert breaking == ("BREAKING  POST /things: operation removed",)
    with pytest.raises(plan.UsageError, match="--baseline nope"):
        plan.baseline("nope", spec)
