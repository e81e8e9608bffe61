"""Hostile serverless.yml files fail fast with one line and exit 2 (issue 16, item 7).

Each file is read by the real CLI in a child process with its address space capped, so a
regression shows as a failed assertion, not as a machine out of memory.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.config.variables import MAX_REFERENCE_CHAIN, resolve
from emulator.config.yamlfile import MAX_NESTING, read_yaml

HEAD = "service: x\nprovider: {name: aws, runtime: python3.11}\n"
LOL = ",".join(['"lol"'] * 9)


def alias_bomb() -> str:
    """The "billion laughs" of YAML: nine levels of nine aliases, ~650 bytes, 387 M strings."""
    lines = [f"  a: &a [{LOL}]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"  {name}: &{name} [{','.join([f'*{prev}'] * 9)}]")
    return HEAD + "custom:\n" + "\n".join(lines) + "\n"


def reference_chain(length: int) -> str:
    """custom.v0 -> v1 -> ... -> v<length-1>: each refers to the next one down the file."""
    lines = [f"  v{i}: ${{self:custom.v{i + 1}}}" for i in range(length - 1)]
    return HEAD + "custom:\n" + "\n".join(lines) + f"\n  v{length - 1}: end\n"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GiB


def run_cli(tmp_path: Path, text: str) -> subprocess.CompletedProcess[str]:
    config = tmp_path / "serverless.yml"
    config.write_text(text)
    return subprocess.run(  # `reset` reads the config and exits: no server to stop
        [sys.executable, "-m", "emulator", "reset", "--config", str(config),
         "--state-dir", str(tmp_path / "state")],
        capture_output=True, text=True, timeout=60, preexec_fn=_limit_memory, check=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (alias_bomb(), "custom.i: aliases expand to"),
        (HEAD + "custom: " + "[" * 600 + "]" * 600 + "\n", "nested deeper than 100 levels"),
        (reference_chain(200), f"more than {MAX_REFERENCE_CHAIN} self: references"),
    ],
    ids=["alias-bomb", "600-deep", "200-chained-self"],
)
def test_hostile_config_is_one_line_and_exit_2(tmp_path: Path, text: str, expected: str) -> None:
    result = run_cli(tmp_path, text)
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1, result.stderr[-2000:]  # one line, no traceback
    assert result.stderr.startswith(f"error: {tmp_path / 'serverless.yml'}:")
    assert expected in result.stderr


def test_the_alias_bomb_is_small() -> None:
    assert len(alias_bomb()) < 700


def test_nesting_up_to_the_bound_and_ordinary_aliases_still_load(tmp_path: Path) -> None:
    depth = MAX_NESTING - 4  # the document, `custom`, `deep` and the scalar are levels too
    text = (HEAD + "base: &base {timeout: 6, memorySize: 512}\n"
            "custom: {a: *base, b: {<<: *base, timeout: 9}, deep: "
            + "[" * depth + "1" + "]" * depth + "}\n")
    config = tmp_path / "serverless.yml"
    config.write_text(text)
    data, _ = read_yaml(config)
    assert data["custom"]["b"] == {"timeout": 9, "memorySize": 512}
    value = data["custom"]["deep"]
    for _ in range(depth):
        value = value[0]
    assert value == 1


def test_a_reference_chain_within_the_bound_resolves(tmp_path: Path) -> None:
    config = tmp_path / "serverless.yml"
    config.write_text(reference_chain(MAX_REFERENCE_CHAIN - 10))
    data, lines = read_yaml(config)
    resolved = resolve(data, options={}, env={}, file=config, lines=lines)
    assert resolved["custom"]["v0"] == "end"


def test_an_alias_bomb_in_an_included_file_is_one_line_too(tmp_path: Path) -> None:
    (tmp_path / "bomb.yml").write_text(alias_bomb().replace(HEAD + "custom:\n", "bombs:\n"))
    result = run_cli(tmp_path, HEAD + "custom: ${file(./bomb.yml):bombs}\n")
    assert result.returncode == 2, result.stderr[-2000:]
    assert result.stderr.count("\n") == 1, result.stderr[-2000:]
    assert "bomb.yml: bombs.i: aliases expand to" in result.stderr
