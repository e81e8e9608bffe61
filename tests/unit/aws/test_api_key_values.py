"""Generated API key values: 40 alphanumerics, kept in the state folder across restarts."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from emulator.aws.api_key_values import fill, keys_path
from emulator.config.api_keys import ApiKeyConfig
from emulator.config.service import ServiceConfig


def service(*keys: ApiKeyConfig) -> ServiceConfig:
    return ServiceConfig("svc", "dev", "us-east-1", Path("."), Path("serverless.yml"), {}, (),
                         api_keys=keys)


def test_generated_values_are_kept_and_fixed_ones_untouched(tmp_path: Path) -> None:
    path = keys_path(tmp_path / "svc-dev-us-east-1.json")
    assert path.name == "svc-dev-us-east-1.api-keys.json"
    declared = service(ApiKeyConfig("fixed", "f" * 20), ApiKeyConfig("gen", None))
    first, created = fill(declared, path)
    assert created == ["gen"]
    value = first.api_keys[1].value
    assert value is not None and len(value) == 40 and value.isalnum()
    assert first.api_keys[0].value == "f" * 20
    again, created = fill(declared, path)
    assert (again.api_keys, created) == (first.api_keys, [])


def test_in_memory_and_unreadable_files_generate_afresh(tmp_path: Path) -> None:
    declared = service(ApiKeyConfig("gen", None))
    a, _ = fill(declared, None)
    b, _ = fill(declared, None)
    assert a.api_keys[0].value != b.api_keys[0].value
    path = tmp_path / "k.api-keys.json"
    path.write_text("{not json")
    c, created = fill(declared, path)
    assert created == ["gen"] and c.api_keys[0].value
    assert fill(dataclasses.replace(declared, api_keys=()), path) == (
        dataclasses.replace(declared, api_keys=()), [])
