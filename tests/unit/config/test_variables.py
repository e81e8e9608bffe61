"""Serverless Framework v3 variables and CloudFormation intrinsics (emulator.variables)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from emulator.config.errors import ConfigError
from emulator.config.intrinsics import CfnContext, resolve_intrinsics, unresolved_intrinsics
from emulator.config.variables import format_path, resolve

CONFIG = Path("/project/serverless.yml")


def run(document: dict[str, Any], *, options: dict[str, str] | None = None,
        env: dict[str, str] | None = None, file: Path = CONFIG) -> dict[str, Any]:
    return resolve(document, options=options or {}, env=env or {}, file=file)


@pytest.mark.parametrize(
    ("document", "options", "env", "expected"),
    [
        ({"a": {"b": {"c": 7}}, "x": "${self:a.b.c}"}, {}, {}, 7),
        ({"l": ["p", "q"], "x": "${self:l.1}"}, {}, {}, "q"),
        ({"x": "${opt:stage}"}, {"stage": "prod"}, {}, "prod"),
        ({"x": "${opt:region}"}, {"region": "ap-south-1"}, {}, "ap-south-1"),
        ({"x": "${opt:custom-flag}"}, {"custom-flag": "on"}, {}, "on"),
        ({"x": "${sls:stage}"}, {"stage": "qa"}, {}, "qa"),
        ({"provider": {"stage": "beta"}, "x": "${sls:stage}"}, {}, {}, "beta"),
        ({"x": "${sls:stage}"}, {}, {}, "dev"),
        ({"provider": {"stage": "${opt:stage, 'stg'}"}, "x": "${sls:stage}"}, {}, {}, "stg"),
        ({"x": "${aws:region}"}, {"region": "eu-north-1"}, {}, "eu-north-1"),
        ({"provider": {"region": "sa-east-1"}, "x": "${aws:region}"}, {}, {}, "sa-east-1"),
        ({"x": "${aws:region}"}, {}, {}, "us-east-1"),
        ({"x": "${aws:accountId}"}, {}, {}, "123456789012"),
        ({"x": "${env:TOKEN}"}, {}, {"TOKEN": "s3cret"}, "s3cret"),
    ],
)
def test_each_source_resolves(document: dict[str, Any], options: dict[str, str],
                              env: dict[str, str], expected: Any) -> None:
    assert run(document, options=options, env=env)["x"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${opt:stage, 'dev'}", "dev"),
        ('${env:MISSING, "fallback"}', "fallback"),
        ("${self:custom.missing, 5}", 5),
        ("${self:custom.missing, 2.5}", 2.5),
        ("${self:custom.missing, true}", True),
        ("${opt:stage, ${self:provider.stage}}", "from-provider"),
        ("${env:A, ${env:B}, 'third'}", "third"),
        ("${env:A, ${env:PRESENT}, 'third'}", "here"),
        ("${opt:stage, 'a, b'}", "a, b"),
    ],
)
def test_defaults_apply_in_order_when_a_value_is_missing(value: str, expected: Any) -> None:
    document = {"provider": {"stage": "from-provider"}, "custom": {}, "x": value}
    assert run(document, env={"PRESENT": "here"})["x"] == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${self:service}-${sls:stage}", "shop-dev"),
        ("n=${self:custom.n}", "n=5"),
        ("flag=${self:custom.flag}", "flag=false"),
        ("${self:custom.n}", 5),
        ("${self:custom.obj}", {"k": "v"}),
        ("${self:custom.list}", ["a", "b"]),
        ("plain text", "plain text"),
    ],
)
def test_lone_variables_keep_their_type_and_embedded_ones_become_text(
        value: str, expected: Any) -> None:
    document = {"service": "shop", "x": value,
                "custom": {"n": 5, "flag": False, "obj": {"k": "v"}, "list": ["a", "b"]}}
    assert run(document)["x"] == expected


def test_references_to_values_holding_variables_resolve_through_the_chain() -> None:
    document = {
        "service": "shop",
        "custom": {"table": "${self:service}-${sls:stage}", "alias": "${self:custom.table}"},
        "provider": {"environment": {"TABLE": "${self:custom.alias}"}},
    }
    assert run(document, options={"stage": "prod"})["provider"]["environment"] == {
        "TABLE": "shop-prod"}


def test_a_variable_inside_an_address_is_resolved_first() -> None:
    document = {"custom": {"sizes": {"dev": 1, "prod": 9}},
                "x": "${self:custom.sizes.${sls:stage}}"}
    assert run(document, options={"stage": "prod"})["x"] == 9


def test_a_reference_into_a_resolved_mapping_indexes_its_value() -> None:
    document = {"custom": {"all": "${self:custom.base}", "base": {"k": "v"}},
                "x": "${self:custom.all.k}"}
    assert run(document)["x"] == "v"


@pytest.mark.parametrize(
    "value",
    [
        "arn:aws:s3:::${AWS::Region}-bucket",
        "${MyTable}",
        "${MyTable.Arn}/index/*",
        "${!Literal}",
    ],
)
def test_cloudformation_sub_placeholders_are_left_alone(value: str) -> None:
    assert run({"x": value})["x"] == value


@pytest.mark.parametrize(
    ("document", "key", "chain"),
    [
        ({"a": "${self:b}", "b": "${self:a}"}, "b", "a -> b -> a"),
        ({"a": {"b": "${self:a}"}}, "a.b", "a -> a.b -> a"),
        ({"provider": {"stage": "${sls:stage}"}}, "provider.stage",
         "provider.stage -> provider.stage"),
    ],
)
def test_circular_references_are_an_error_naming_the_key_and_the_loop(
        document: dict[str, Any], key: str, chain: str) -> None:
    with pytest.raises(ConfigError, match="circular") as raised:
        run(document)
    assert raised.value.key == key
    assert chain in raised.value.detail


@pytest.mark.parametrize(
    ("value", "source"),
    [
        ("${vault:prod/token}", "vault"),
        ("${foo(1):x}", "foo"),
        ("prefix-${outputs:svc.key, 'default'}", "outputs"),
    ],
)
def test_unknown_sources_are_an_error_naming_the_key_path_and_source(value: str,
                                                                    source: str) -> None:
    document = {"provider": {"environment": {"TOKEN": value}}}
    with pytest.raises(ConfigError) as raised:
        run(document)
    assert raised.value.key == "provider.environment.TOKEN"
    assert f'unknown variable source "{source}"' in raised.value.detail
    assert str(CONFIG) in str(raised.value)


@pytest.mark.parametrize(
    "value",
    ["${self:custom.missing}", "${opt:stage}", "${env:NOT_SET}", "x-${self:nothing.here}"],
)
def test_unresolvable_references_without_default_name_key_and_reference(value: str) -> None:
    document = {"custom": {}, "functions": {"f": {"environment": {"V": value}}}}
    with pytest.raises(ConfigError) as raised:
        run(document)
    assert raised.value.key == "functions.f.environment.V"
    inner = value[value.index("${"):]
    assert inner in raised.value.detail


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("${sls:region}", 'unsupported "region" address in variable "sls" source'),
        ("${aws:partition}", 'unsupported "partition" address in variable "aws" source'),
        ("a-${self:custom.obj}", "cannot be part of a string"),
        ("${opt:stage, dev}", "quote strings"),
        ("${self:custom.obj", "Missing variable closing bracket"),
        ("${file(./handler.js)}", "needs Node"),
        ("${file(./settings.ts):x}", "needs Node"),
        ("${env:}", 'missing address argument in variable "env" source'),
    ],
)
def test_malformed_or_unsupported_variables_are_errors(value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        run({"custom": {"obj": {"k": 1}}, "x": value})


def test_errors_carry_the_line_of_the_key() -> None:
    with pytest.raises(ConfigError) as raised:
        resolve({"x": "${env:NOPE}"}, options={}, env={}, file=CONFIG, lines={("x",): 12})
    assert raised.value.line == 12
    assert str(raised.value).startswith(f"{CONFIG}:12: x: ")


def test_file_source_reads_yaml_and_json_with_a_key(tmp_path: Path) -> None:
    (tmp_path / "settings.yml").write_text(
        "tables:\n  main: ${self:service}-main\n  size: 4\n", encoding="utf-8")
    (tmp_path / "extra.json").write_text('{"flag": true}', encoding="utf-8")
    document = {
        "service": "shop",
        "all": "${file(./settings.yml)}",
        "name": "${file(./settings.yml):tables.main}",
        "flag": "${file(extra.json):flag}",
        "fallback": "${file(./missing.yml):x, 'none'}",
    }
    resolved = run(document, file=tmp_path / "serverless.yml")
    assert resolved["all"] == {"tables": {"main": "shop-main", "size": 4}}
    assert resolved["name"] == "shop-main"
    assert resolved["flag"] is True
    assert resolved["fallback"] == "none"


def test_missing_file_without_default_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"create missing.yml \(paths are relative"):
        run({"x": "${file(./missing.yml)}"}, file=tmp_path / "serverless.yml")


def test_unused_parts_of_the_document_are_resolved_too() -> None:
    with pytest.raises(ConfigError) as raised:
        run({"custom": {"unused": ["ok", "${env:NOT_SET}"]}})
    assert raised.value.key == "custom.unused[1]"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("provider", "environment", "A"), "provider.environment.A"),
        (("functions", "f", "events", 0, "http"), "functions.f.events[0].http"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


STACK = CfnContext(
    region="eu-west-1", account_id="123456789012", stack_name="shop-dev",
    refs={"Table": "shop-dev"},
    attributes={"Table.Arn": "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev"},
)
TABLE_ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/shop-dev"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"Ref": "Table"}, "shop-dev"),
        ({"Ref": "AWS::Region"}, "eu-west-1"),
        ({"Ref": "AWS::AccountId"}, "123456789012"),
        ({"Ref": "AWS::Partition"}, "aws"),
        ({"Ref": "AWS::StackName"}, "shop-dev"),
        ({"Fn::GetAtt": ["Table", "Arn"]}, TABLE_ARN),
        ({"Fn::GetAtt": "Table.Arn"}, TABLE_ARN),
        ({"Fn::Join": ["/", [{"Fn::GetAtt": ["Table", "Arn"]}, "index", "*"]]},
         f"{TABLE_ARN}/index/*"),
        ({"Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/"
                     "${Table}"}, TABLE_ARN),
        ({"Fn::Sub": "${Table.Arn}/stream/*"}, f"{TABLE_ARN}/stream/*"),
        ({"Fn::Sub": ["${Name}-${AWS::Region}", {"Name": {"Ref": "Table"}}]},
         "shop-dev-eu-west-1"),
        ({"Fn::Sub": "${!Literal}-x"}, "${Literal}-x"),
        (["a", {"Ref": "Table"}], ["a", "shop-dev"]),
        ({"Resource": {"Ref": "Table"}, "Effect": "Allow"},
         {"Resource": "shop-dev", "Effect": "Allow"}),
    ],
)
def test_known_intrinsics_are_evaluated(value: Any, expected: Any) -> None:
    assert resolve_intrinsics(value, STACK) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"Ref": "Bucket"},
        {"Fn::GetAtt": ["Queue", "Arn"]},
        {"Fn::Sub": "${Bucket}-x"},
        {"Fn::Join": ["", [{"Ref": "Bucket"}]]},
        {"Fn::ImportValue": "shared-table"},
    ],
)
def test_unknown_intrinsics_are_kept_and_reported(value: Any) -> None:
    resolved = resolve_intrinsics({"Resource": [value]}, STACK)
    assert resolved == {"Resource": [value]}
    assert [where for where, _ in unresolved_intrinsics(resolved, ("S",))] == [("S", "Resource", 0)]
