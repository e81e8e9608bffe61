"""The subcommands can be found (--help lists each, and each answers --help), and the hints the
emulator prints repeat the options it was started with (emulator/commands.py)."""

from __future__ import annotations

import argparse
import shlex
from pathlib import Path

import pytest

from emulator import cli, commands
from emulator.options import build_parser


def _args(tmp_path: Path, *argv: str) -> argparse.Namespace:
    args = build_parser().parse_args(list(argv))
    args.config = tmp_path / "serverless.yml"  # as cli.main leaves it (config.project.locate)
    return args


def test_help_lists_every_subcommand_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    text = capsys.readouterr().out
    assert "[invoke | reset | token | web-config]" in text
    for name, line in commands.SUBCOMMANDS:
        assert f"  {name:<7} {line}\n" in text


@pytest.mark.parametrize("name", [n for n, _ in commands.SUBCOMMANDS if n != "(none)"])
def test_every_listed_subcommand_is_dispatched(name: str, capsys: pytest.CaptureFixture[str]
                                               ) -> None:
    with pytest.raises(SystemExit) as stopped:
        cli.main([name, "--help"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.startswith("usage: ")


@pytest.mark.parametrize(("argv0", "name"), [
    ("/home/me/.local/bin/review-api-emulator", "review-api-emulator"),
    ("/x/emulator/__main__.py", "python -m emulator"),
])
def test_the_program_is_named_as_it_was_started(monkeypatch: pytest.MonkeyPatch, argv0: str,
                                                name: str) -> None:
    monkeypatch.setattr("sys.argv", [argv0])
    assert commands.program() == name


def test_a_hint_repeats_the_service_file_as_an_absolute_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["emulator/__main__.py"])
    monkeypatch.chdir(tmp_path)
    args = _args(tmp_path)
    args.config = Path("serverless.yml")  # relative, as --config serverless.yml leaves it
    assert commands.again(args, "reset") == (
        f"python -m emulator reset --config {shlex.quote(str(tmp_path / 'serverless.yml'))}")


def test_a_hint_repeats_stage_region_and_state_dir_when_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.argv", ["review-api-emulator"])
    monkeypatch.chdir(tmp_path)
    args = _args(tmp_path, "--stage", "qa", "--region", "eu-west-1", "--state-dir", "my state",
                 "--port", "4000", "--no-iam")
    hint = commands.again(args, "token")
    assert shlex.split(hint) == [
        "review-api-emulator", "token", "--config", str(tmp_path / "serverless.yml"),
        "--stage", "qa", "--region", "eu-west-1", "--state-dir", str(tmp_path / "my state")]


def test_the_pasted_hint_parses_as_the_subcommands_own_options(tmp_path: Path) -> None:
    from emulator.cli_auth import token_parser

    args = _args(tmp_path, "--stage", "qa", "--state-dir", str(tmp_path / "s"))
    words = shlex.split(commands.again(args, "token"))[4:]  # after `python -m emulator token`
    parsed = token_parser().parse_args([*words, "--user", "alice"])
    assert (parsed.config, parsed.stage, parsed.state_dir) == (
        tmp_path / "serverless.yml", "qa", tmp_path / "s")
