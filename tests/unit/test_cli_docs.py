"""docs/cli.md and `--help` name the same flags, command by command, and every subcommand has
its section: an option added to a parser and not to the page (or the reverse) fails here."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from contracts import cli as contracts_cli
from emulator import cli as emulator_cli
from emulator.commands import SUBCOMMANDS

PAGE = Path(__file__).resolve().parents[2] / "docs" / "cli.md"
HEADING = re.compile(r"^## `(python -m [^`]+)`$", re.MULTILINE)
FLAG = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
HELP_OPTION = re.compile(r"^  (-[^ ].*?)(?:  |$)")  # "  --port PORT, --httpPort PORT   port ..."

# command -> how to print its --help
COMMANDS: dict[str, tuple[Callable[[list[str]], int], list[str]]] = {
    "python -m emulator": (emulator_cli.main, ["--help"]),
    "python -m emulator invoke": (emulator_cli.main, ["invoke", "--help"]),
    "python -m emulator token": (emulator_cli.main, ["token", "--help"]),
    "python -m contracts": (contracts_cli.main, ["--help"]),
    "python -m contracts diff": (contracts_cli.main, ["diff", "--help"]),
    "python -m contracts parity": (contracts_cli.main, ["parity", "--help"]),
}


def sections() -> dict[str, str]:
    """The page's sections by command: `## \\`python -m emulator invoke\\`` -> its text."""
    text = PAGE.read_text(encoding="utf-8")
    found = list(HEADING.finditer(text))
    return {m.group(1): text[m.end(): found[i + 1].start() if i + 1 < len(found) else None]
            for i, m in enumerate(found)}


def documented_flags(section: str) -> set[str]:
    """The flags in the first column of the section's option table."""
    rows = [line.split("|")[1] for line in section.splitlines()
            if line.startswith("| `-")]
    return {flag for row in rows for flag in FLAG.findall(row)}


def help_flags(run: Callable[[list[str]], int], argv: list[str],
               capsys: pytest.CaptureFixture[str]) -> set[str]:
    with pytest.raises(SystemExit) as stopped:
        run(argv)
    assert stopped.value.code == 0
    lines = capsys.readouterr().out.splitlines()
    found = {flag for line in lines if (m := HELP_OPTION.match(line))
             for flag in FLAG.findall(m.group(1))}
    assert found, "\n".join(lines)
    return found


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_page_and_help_name_the_same_flags(command: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    run, argv = COMMANDS[command]
    in_help = help_flags(run, argv, capsys)
    on_page = documented_flags(sections()[command])
    assert sorted(in_help - on_page) == [], f"in {command} --help, not in docs/cli.md"
    assert sorted(on_page - in_help) == [], f"in docs/cli.md, not in {command} --help"


def test_every_subcommand_has_its_section_and_its_line() -> None:
    text = PAGE.read_text(encoding="utf-8")
    names = [f"python -m emulator {n}" for n, _ in SUBCOMMANDS if n != "(none)"]
    names += ["python -m contracts diff", "python -m contracts parity"]
    for name in ["python -m emulator", "python -m contracts", *names]:
        assert name in sections(), f"docs/cli.md has no section for {name}"
        assert re.search(rf"^\| `{re.escape(name)}[ `]", text, re.MULTILINE), (
            f"docs/cli.md's subcommand table has no line for {name}")


def test_the_flag_reader_sees_aliases_and_short_forms() -> None:
    assert documented_flags("| `--port PORT`, `--httpPort PORT` | port |\n"
                            "| `-v`, `--verbose` | debug |\n") == {
        "--port", "--httpPort", "-v", "--verbose"}
