"""One test per resolution rule and source (emulator.config.variables / sources)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from emulator.config.errors import ConfigError
from emulator.config.variables import MAX_DEPTH, resolve
from emulator.config.yamlfile import read_yaml


def run(document: dict[str, Any], tmp_path: Path, *, notes: list[str] | None = None,
        **inputs: Any) -> dict[str, Any]:
    inputs.setdefault("options", {})
    inputs.setdefault("env", {})
    return resolve(document, file=tmp_path / "serverless.yml", notes=notes, **inputs)


@pytest.mark.parametrize(
    ("value", "options", "env", "expected"),
    [
        ("${opt:stage, self:provider.stage}", {}, {}, "beta"),
        ("${opt:stage, self:provider.stage}", {"stage": "prod"}, {}, "prod"),
        ("${opt:a, env:B, 'c'}", {}, {}, "c"),
        ("${opt:a, env:B, 'c'}", {}, {"B": "from-env"}, "from-env"),
        ("${opt:a, env:B, 'c'}", {"a": "from-opt"}, {"B": "x"}, "from-opt"),
        ("${self:custom.${opt:stage, 'dev'}.size}", {}, {}, 1),
        ("${self:custom.${opt:stage, 'dev'}.size}", {"stage": "prod"}, {}, 9),
        ("${env:N, 3}", {}, {}, 3),
        ("${env:N, false}", {}, {}, False),
        ("size-${env:N, 2.0}", {}, {}, "size-2"),
    ],
)
def test_defaults_chains_and_nested_addresses(value: str, options: dict[str, str],
                                              env: dict[str, str], expected: Any,
                                              tmp_path: Path) -> None:
    document = {"provider": {"stage": "beta"}, "x": value,
                "custom": {"dev": {"size": 1}, "prod": {"size": 9}}}
    assert run(document, tmp_path, options=options, env=env)["x"] == expected


@pytest.mark.parametrize(
    ("cli", "stage", "expected"),
    [
        ({}, "dev", "dev-table"),
        ({}, "prod", "prod-table"),
        ({}, "qa", "shared-table"),  # no params.qa: params.default
        ({"table": "cli-table"}, "prod", "cli-table"),  # --param wins
    ],
)
def test_param_reads_cli_then_stage_then_default(cli: dict[str, str], stage: str,
                                                 expected: str, tmp_path: Path) -> None:
    document = {"params": {"default": {"table": "shared-table"},
                           "dev": {"table": "dev-table"}, "prod": {"table": "prod-table"}},
                "x": "${param:table}"}
    resolved = run(document, tmp_path, options={"stage": stage}, params=cli)
    assert resolved["x"] == expected


def test_a_missing_param_says_where_to_put_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        run({"provider": {"environment": {"K": "${param:key}"}}}, tmp_path,
            options={"stage": "qa"})
    assert raised.value.key == "provider.environment.K"
    assert ("add it under params.qa.key or params.default.key in serverless.yml, or pass "
            "--param 'key=value'") in raised.value.detail


@pytest.mark.parametrize(
    ("value", "expected"),
    [("${strToBool(true)}", True), ("${strToBool(0)}", False),
     ("${strToBool(${env:FLAG})}", True), ("${strToBool( False )}", False)],
)
def test_str_to_bool(value: str, expected: bool, tmp_path: Path) -> None:
    assert run({"x": value}, tmp_path, env={"FLAG": "1"})["x"] is expected


def test_str_to_bool_refuses_other_words(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match='invalid "strToBool" input'):
        run({"x": "${strToBool(yes)}"}, tmp_path)


def test_sls_instance_id_is_one_value_per_run(tmp_path: Path) -> None:
    resolved = run({"a": "${sls:instanceId}", "b": "id-${sls:instanceId}"}, tmp_path)
    assert resolved["a"].isdigit()
    assert resolved["b"] == f"id-{resolved['a']}"


@pytest.mark.parametrize(
    ("key", "value"),
    [("stage", "dev"), ("region", "us-east-1")],
)
def test_unset_provider_stage_and_region_get_v1_v2_defaults_with_a_note(
        key: str, value: str, tmp_path: Path) -> None:
    notes: list[str] = []
    document = {"provider": {"name": "aws"}, "a": f"${{self:provider.{key}}}",
                "b": f"x-${{self:provider.{key}}}"}
    resolved = run(document, tmp_path, notes=notes)
    assert (resolved["a"], resolved["b"]) == (value, f"x-{value}")
    assert notes == [f"provider.{key} is not set: {value!r}, the default of framework v1/v2 "
                     "(v3 stops with 'Value not found')"]


def test_a_later_fallback_wins_over_the_v1_v2_default(tmp_path: Path) -> None:
    notes: list[str] = []
    resolved = run({"x": "${self:provider.stage, 'qa'}"}, tmp_path, notes=notes)
    assert resolved["x"] == "qa"
    assert notes == []


def test_legacy_nested_fallback_resolves_with_a_note(tmp_path: Path) -> None:
    notes: list[str] = []
    document = {"provider": {"stage": "${opt:stage, ${self:custom.stage}}"},
                "custom": {"stage": "beta"}}
    assert run(document, tmp_path, notes=notes)["provider"]["stage"] == "beta"
    assert "v1/v2 syntax" in notes[0] and notes[0].startswith("provider.stage: ")


def test_values_from_sources_are_resolved_in_turn(tmp_path: Path) -> None:
    resolved = run({"service": "shop", "x": "${env:TEMPLATE}"}, tmp_path,
                   env={"TEMPLATE": "${self:service}-table"})
    assert resolved["x"] == "shop-table"


def test_nesting_deeper_than_max_depth_is_an_error(tmp_path: Path) -> None:
    env = {f"V{i}": f"${{env:V{i + 1}}}" for i in range(MAX_DEPTH + 2)}
    with pytest.raises(ConfigError, match=f"nested more than {MAX_DEPTH} levels"):
        run({"x": "${env:V0}"}, tmp_path, env=env)


def test_file_source_reads_text_and_walks_through_strings(tmp_path: Path) -> None:
    (tmp_path / "secret.txt").write_text("token-1\n", encoding="utf-8")
    (tmp_path / "conf.yml").write_text("all: ${file(./inner.yml)}\n", encoding="utf-8")
    (tmp_path / "inner.yml").write_text("name: ${self:service}\n", encoding="utf-8")
    document = {"service": "shop", "t": "${file(./secret.txt)}",
                "n": "${file(./conf.yml):all.name}"}
    resolved = run(document, tmp_path)
    assert resolved == {**document, "t": "token-1\n", "n": "shop"}


def test_file_source_names_a_broken_file(tmp_path: Path) -> None:
    (tmp_path / "bad.yml").write_text("a: [1,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cannot parse bad.yml: "):
        run({"x": "${file(bad.yml)}"}, tmp_path)


def test_file_path_may_hold_variables(tmp_path: Path) -> None:
    (tmp_path / "config.prod.json").write_text('{"size": 3}', encoding="utf-8")
    resolved = run({"x": "${file(./config.${opt:stage}.json):size}"}, tmp_path,
                   options={"stage": "prod"})
    assert resolved["x"] == 3


VALUES = """\
ssm:
  /prod/token: s3cret
  /prod/hosts: [a, b]
cf:
  network-prod:
    VpcId: vpc-123
s3:
  my-bucket/config.txt: hello
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${ssm:/prod/token}", "s3cret"),
        ("${ssm(eu-west-1):/prod/token}", "s3cret"),
        ("${ssm:/prod/hosts}", ["a", "b"]),
        ("${ssm(raw):/prod/hosts}", "a,b"),
        ("${cf:network-prod.VpcId}", "vpc-123"),
        ("${s3:my-bucket/config.txt}", "hello"),
        ("${ssm:/prod/missing, 'fallback'}", "fallback"),
    ],
)
def test_remote_sources_read_the_values_file(value: str, expected: Any, tmp_path: Path) -> None:
    (tmp_path / ".emulator").mkdir()
    (tmp_path / ".emulator" / "values.yml").write_text(VALUES, encoding="utf-8")
    assert run({"x": value}, tmp_path)["x"] == expected


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ("${ssm:/prod/db}", "`ssm: {'/prod/db': <value>}`"),
        ("${cf:other.Url}", "`cf: {'other': {'Url': <value>}}`"),
        ("${s3:b/k.json}", "`s3: {'b/k.json': <value>}`"),
    ],
)
def test_a_missing_remote_value_says_exactly_where_to_put_it(value: str, where: str,
                                                             tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        resolve({"custom": {"v": value}}, options={}, env={}, file=tmp_path / "serverless.yml",
                lines={("custom", "v"): 7})
    text = str(raised.value)
    assert text.startswith(f"{tmp_path / 'serverless.yml'}:7: custom.v: cannot resolve {value}")
    assert f"put the value in .emulator/values.yml as {where}" in text
    assert "--placeholder-remote" in text and "\n" not in text


def test_placeholder_remote_runs_with_a_visible_placeholder(tmp_path: Path) -> None:
    notes: list[str] = []
    resolved = run({"custom": {"v": "${ssm:/prod/db}"}}, tmp_path, notes=notes,
                   placeholder_remote=True)
    assert resolved["custom"]["v"] == "placeholder(ssm:/prod/db)"
    assert notes == ["custom.v: ${ssm:/prod/db} has no local value: using "
                     "'placeholder(ssm:/prod/db)' (--placeholder-remote)"]


def test_a_bad_values_file_is_named(tmp_path: Path) -> None:
    (tmp_path / ".emulator").mkdir()
    (tmp_path / ".emulator" / "values.yml").write_text("secrets: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown section; expected one of ssm, cf, s3"):
        run({"x": "${ssm:/a}"}, tmp_path)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("${cf:no-dot}", 'expected "<stack-name>.<output-id>"'),
        ("${s3:no-slash}", 'expected "<bucket-name>/<key>"'),
        ("${opt:nope}", "the emulator takes only --stage, --region and --param"),
        ("${env:NOPE}", "set NOPE in the shell that starts the emulator"),
        ("${self:custom.nope}", "set custom.nope in serverless.yml"),
    ],
)
def test_each_failure_says_what_to_do(value: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message):
        run({"custom": {"x": value}}, tmp_path)


def test_a_plugin_source_is_an_error_or_with_the_flag_a_placeholder(tmp_path: Path) -> None:
    document = {"custom": {"q": "${vault:secret/db}"}}
    with pytest.raises(ConfigError, match='unknown variable source "vault"') as raised:
        run(document, tmp_path)
    assert "--placeholder-remote" in raised.value.detail
    notes: list[str] = []
    resolved = run(document, tmp_path, notes=notes, placeholder_remote=True)
    assert resolved["custom"]["q"] == "placeholder(vault:secret/db)"
    assert notes[0].startswith("custom.q: ${vault:secret/db} has no local value")


def test_non_string_yaml_keys_are_found_as_javascript_names_them(tmp_path: Path) -> None:
    document = {"custom": {True: "yes", 2: "two"},
                "a": "${self:custom.${env:FLAG, 'true'}}", "b": "${self:custom.2}"}
    assert run(document, tmp_path) == {**document, "a": "yes", "b": "two"}


def test_the_same_values_as_serverless_v3_print(monkeypatch: pytest.MonkeyPatch) -> None:
    """Golden: what `serverless print` 3.40.0 resolved for the fixture, recorded as JSON."""
    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "services" / "variables"
    monkeypatch.setenv("JSON_IN_ENV", "${self:custom.n}")
    raw, lines = read_yaml(fixture / "serverless.yml")
    resolved = resolve(raw, options={"stage": "dev"}, env=dict(os.environ),
                       file=fixture / "serverless.yml", lines=lines)
    expected = json.loads((fixture / "v3-print-custom.json").read_text(encoding="utf-8"))
    assert resolved["custom"] == expected
