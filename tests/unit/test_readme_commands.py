"""The two set-up commands at the top of README.md: a virtualenv of their own, and what CI runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def readme_commands() -> list[str]:
    """Return the commands of README.md's first code block, without their comments."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", text, re.DOTALL)
    assert block is not None, "README.md starts without a bash block"
    return [line.split("   #", 1)[0].strip() for line in block.group(1).splitlines()]


def test_the_readme_starts_with_exactly_two_commands() -> None:
    commands = readme_commands()
    assert len(commands) == 2, commands
    assert commands[0].endswith("-m emulator")
    assert commands[1].endswith("nox")


def test_both_commands_install_only_into_their_own_virtualenv() -> None:
    # PEP 668: a system Python (Debian, Ubuntu, Homebrew) refuses `pip install`; a venv accepts.
    for command in readme_commands():
        steps = [shlex.split(step) for step in command.split("&&")]
        assert steps[0] == ["python3", "-m", "venv", ".venv"], command
        for step in steps[1:]:
            assert step[0].startswith(".venv/bin/"), f"{step} runs outside .venv"


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in ci if line.strip() and not line.lstrip().startswith("#")]
    assert commands[-1] == readme_commands()[1]
