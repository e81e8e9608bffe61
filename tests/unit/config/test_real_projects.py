"""What public projects rely on: fragments, service file names, framework versions, IAM keys."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.aws.tables import iam_settings
from emulator.config.errors import ConfigError
from emulator.config.fragments import merge
from emulator.config.loader import load_service
from emulator.config.project import framework_version_note, locate, satisfies


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


HEAD = """\
service: svc
provider:
  name: aws
  runtime: python3.12
"""


def test_functions_and_resources_as_lists_of_file_fragments_are_merged(tmp_path: Path) -> None:
    write(tmp_path, "fns/a.yml", "a:\n  handler: a.main\n  events: [{http: GET a}]\n")
    write(tmp_path, "fns/b.yml", "b:\n  handler: b.main\n  events: [{http: GET b}]\n")
    write(tmp_path, "res/table.yml", """\
        Resources:
          Items:
            Type: AWS::DynamoDB::Table
            Properties:
              TableName: ${self:service}-items
              KeySchema: [{AttributeName: id, KeyType: HASH}]
              AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
              BillingMode: PAY_PER_REQUEST
        """)
    write(tmp_path, "res/outputs.yml", "Outputs:\n  Name: {Value: x}\n")
    config = write(tmp_path, "serverless.yml", HEAD + textwrap.dedent("""\
        functions:
          - ${file(fns/a.yml)}
          - ${file(fns/b.yml)}
        resources:
          - ${file(res/table.yml)}
          - ${file(res/outputs.yml)}
          - Conditions: {IsProd: {Fn::Equals: [a, b]}}
        """))
    service = load_service(config, env={})
    assert sorted(service.functions) == ["a", "b"]
    assert [(r.method, r.resource) for r in service.routes] == [("GET", "/a"), ("GET", "/b")]
    assert [t.name for t in service.tables] == ["svc-items"]


def test_merge_is_lodash_merge() -> None:
    merged = merge(merge({}, {"Resources": {"A": {"Type": "x", "P": [1, 2]}}}),
                   {"Resources": {"A": {"P": [9]}, "B": {}}, "Outputs": {"O": 1}})
    assert merged == {"Resources": {"A": {"Type": "x", "P": [9, 2]}, "B": {}},
                      "Outputs": {"O": 1}}


def test_a_fragment_that_is_not_a_mapping_is_one_line_naming_its_item(tmp_path: Path) -> None:
    write(tmp_path, "list.yml", "- a\n- b\n")
    config = write(tmp_path, "serverless.yml", HEAD + textwrap.dedent("""\
        functions:
          - f: {handler: f.main}
        resources:
          - ${file(list.yml)}
        """))
    with pytest.raises(ConfigError) as raised:
        load_service(config, env={})
    assert (raised.value.key, raised.value.line) == ("resources[0]", 8)
    assert "a fragment must be a mapping (Resources, Outputs, Conditions)" in str(raised.value)


@pytest.mark.parametrize(
    ("present", "found"),
    [
        (["serverless.yml", "serverless.json"], "serverless.yml"),
        (["serverless.yaml"], "serverless.yaml"),
        (["serverless.json"], "serverless.json"),
    ],
)
def test_service_file_is_found_as_v3_finds_it(present: list[str], found: str,
                                              tmp_path: Path) -> None:
    for name in present:
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert locate(None, tmp_path) == tmp_path / found
    assert locate(tmp_path, Path("/elsewhere")) == tmp_path / found


def test_a_json_service_file_loads(tmp_path: Path) -> None:
    (tmp_path / "serverless.json").write_text(
        '{"service": "svc", "provider": {"name": "aws", "runtime": "python3.12"},'
        ' "functions": {"f": {"handler": "f.main", "events": [{"http": "GET f"}]}}}',
        encoding="utf-8")
    assert load_service(locate(None, tmp_path), env={}).service == "svc"


@pytest.mark.parametrize("name", ["serverless.ts", "serverless.js"])
def test_node_only_service_files_are_a_one_line_error(name: str, tmp_path: Path) -> None:
    (tmp_path / name).write_text("module.exports = {}", encoding="utf-8")
    with pytest.raises(ConfigError, match="needs Node to evaluate"):
        locate(None, tmp_path)


def test_no_service_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="pass --config PATH"):
        locate(None, tmp_path)


@pytest.mark.parametrize(
    ("spec", "ok"),
    [("3", True), ("^3.0.0", True), (">=1.0.0", True), ("2.x || 3.x", True), ("*", True),
     ("2", False), ("^2.0.0", False), (">=1.0.0 <2.0.0", False), ("=1.26.0", False),
     ("1.0.0 - 2.0.0", False), ("~3.1", False)],
)
def test_framework_version_ranges(spec: str, ok: bool) -> None:
    assert satisfies(spec, (3, 40, 0)) is ok


def test_any_framework_version_loads_and_one_not_3_is_noted(tmp_path: Path) -> None:
    config = write(tmp_path, "serverless.yml", "frameworkVersion: '>=1.0.0 <2.0.0'\n" + HEAD)
    service = load_service(config, env={})
    assert service.notes[0].startswith("frameworkVersion '>=1.0.0 <2.0.0' is not 3")
    assert framework_version_note({"frameworkVersion": "3"}) is None


def test_v1_project_without_stage_or_region_loads_with_notes(tmp_path: Path) -> None:
    config = write(tmp_path, "serverless.yml", HEAD + textwrap.dedent("""\
          environment:
            TABLE: ${self:service}-${opt:stage, self:provider.stage}
            REGION: ${opt:region, self:provider.region}
        """))
    service = load_service(config, env={})
    assert (service.stage, service.region) == ("dev", "us-east-1")
    assert [n.split(" is not set")[0] for n in service.notes] == [
        "provider.stage", "provider.region"]


@pytest.mark.parametrize(
    ("iam", "key"),
    [
        ("  iamRoleStatements:\n    - {Effect: Allow, Action: 'dynamodb:*', Resource: '*'}\n",
         "provider.iamRoleStatements"),
        ("  iam:\n    role:\n      statements:\n"
         "        - {Effect: Allow, Action: 'dynamodb:*', Resource: '*'}\n",
         "provider.iam.role.statements"),
        ("", "provider.iam.role.statements"),
    ],
)
def test_iam_hints_name_the_key_the_file_uses(iam: str, key: str, tmp_path: Path) -> None:
    service = load_service(write(tmp_path, "serverless.yml", HEAD + iam), env={})
    assert service.iam_key == key
    assert iam_settings(service).statements_key == key


def test_a_bare_string_event_is_named_not_refused(tmp_path: Path) -> None:
    service = load_service(write(tmp_path, "serverless.yml", HEAD + textwrap.dedent("""\
        functions:
          skill:
            handler: h.main
            events:
              - alexaSkill
        """)), env={})
    assert service.unsupported == ("functions.skill.events[0] (alexaSkill)",)


def test_a_container_image_function_is_named_not_refused(tmp_path: Path) -> None:
    service = load_service(write(tmp_path, "serverless.yml", HEAD + textwrap.dedent("""\
        functions:
          img:
            image: 000000000000.dkr.ecr.us-east-1.amazonaws.com/fn@sha256:abc
            events: [{http: GET img}]
          f: {handler: f.main}
        """)), env={})
    assert list(service.functions) == ["f"] and service.routes == ()
    assert "functions.img.image (a container image function is not run)" in service.unsupported
