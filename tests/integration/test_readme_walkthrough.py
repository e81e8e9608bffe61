"""The README's curl walk-through, run as written against the real emulator.

Every `$ ` command of the walk-through section is run with bash (only the base URL changes: the
emulator listens on a free port here) and its output compared with the README's. Ids, times and
`nextToken`s differ from run to run: each value the README shows is paired with the value this
run produced, one to one, so a later command uses this run's id and a value that must repeat
(an id, `createdAt` across an update) must repeat here too. List pages may come in another
order (DynamoDB's Scan order depends on the ids): their items are compared as a whole.
A step `NAME=$(command)` (a user's ID token from `python -m emulator token`) prints nothing: its
output is kept as the shell variable NAME for the later steps, as in one terminal; tokens and
users' subs differ from run to run too (a sub is an id, paired like the others).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest
from emulator_harness import REPO, REVIEW_API, EmulatorProcess

pytestmark = pytest.mark.integration

SECTION = "## Walk-through: the API with curl"
README_BASE = "http://127.0.0.1:3000/dev"
README_PYTHON = ".venv/bin/python"
ASSIGNMENT = re.compile(r"([A-Z][A-Z0-9_]*)=\$\((.*)\)", re.DOTALL)
VARIABLE = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"  # an id
    r"|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"  # createdAt, updatedAt
    r'|(?<="nextToken": ")[A-Za-z0-9_-]+|(?<=nextToken=)[A-Za-z0-9_-]+')  # a page token


@dataclass(frozen=True, slots=True)
class Step:
    command: str  # as in the README, `\` continuation lines included
    output: str  # what the README shows, newline-terminated lines


def walkthrough(readme: str) -> tuple[str, list[Step]]:
    """Return the section's text and its `$ ` commands with the output shown under each."""
    assert SECTION in readme, f"README.md has no section {SECTION!r}"
    section = readme.split(SECTION, 1)[1].split("\n## ", 1)[0]
    steps: list[Step] = []
    for block in re.findall(r"```console\n(.*?)```", section, re.DOTALL):
        lines = block.splitlines()
        while lines:
            assert lines[0].startswith("$ "), f"output without a command: {lines[0]!r}"
            command = [lines.pop(0)[2:]]
            while command[-1].endswith("\\"):
                command.append(lines.pop(0))
            output: list[str] = []
            while lines and not lines[0].startswith("$ "):
                output.append(lines.pop(0) + "\n")
            steps.append(Step("\n".join(command), "".join(output)))
    return section, steps


class Pairs:
    """The README's ids, times and tokens paired one to one with this run's."""

    def __init__(self) -> None:
        self.ours: dict[str, str] = {}
        self._theirs: dict[str, str] = {}

    def pair(self, shown: str, actual: str) -> None:
        assert self.ours.get(shown, actual) == actual, f"{shown} stood for {self.ours[shown]}"
        assert self._theirs.get(actual, shown) == shown, f"{actual} was {self._theirs[actual]}"
        self.ours[shown], self._theirs[actual] = actual, shown

    def translate(self, text: str) -> str:
        """Replace every value the README shows with this run's; each must have appeared."""
        def ours(match: re.Match[str]) -> str:
            assert match.group() in self.ours, f"{match.group()} is used before it was shown"
            return self.ours[match.group()]
        return VARIABLE.sub(ours, text)

    def match(self, shown: str, actual: str) -> None:
        """Assert actual is shown with other ids, times and tokens; pair those."""
        assert VARIABLE.split(actual) == VARIABLE.split(shown), (
            f"README shows:\n{shown}\nthis run printed:\n{actual}")
        for one, other in zip(VARIABLE.findall(shown), VARIABLE.findall(actual), strict=True):
            self.pair(one, other)


def check_page(shown: str, actual: str, pairs: Pairs, items: tuple[list[Any], list[Any]]
               ) -> None:
    """A list page: the same number of items, a token when the README shows one, same status."""
    (shown_body, shown_rest), (body, rest) = (text.split("\n", 1) for text in (shown, actual))
    assert rest == shown_rest, f"README shows {shown_rest!r}, this run printed {rest!r}"
    page, expected = json.loads(body), json.loads(shown_body)
    assert len(page["items"]) == len(expected["items"]), actual
    assert (page["nextToken"] is None) == (expected["nextToken"] is None), actual
    if expected["nextToken"] is not None:
        pairs.pair(expected["nextToken"], page["nextToken"])
    items[0].extend(json.loads(pairs.translate(json.dumps(expected["items"]))))
    items[1].extend(page["items"])


def run(command: str, base_url: str, variables: dict[str, str]) -> str:
    """Run one step in the repository (this interpreter for the README's `.venv/bin/python`);
    `NAME=$(...)` keeps its output in `variables` and prints nothing, as a shell would."""
    env = {**os.environ, "NO_PROXY": "*", "no_proxy": "*", **variables}  # straight to the emulator
    assignment = ASSIGNMENT.fullmatch(command)
    line = assignment.group(2) if assignment else command
    line = line.replace(README_BASE, base_url).replace(README_PYTHON, sys.executable)
    done = subprocess.run(["bash", "-c", line], env=env, cwd=REPO, text=True,
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, f"{command}\n{done.stderr}"
    if assignment:
        variables[assignment.group(1)] = done.stdout.strip()
        return ""
    return done.stdout


def test_the_readme_walkthrough_runs_as_written() -> None:
    if shutil.which("curl") is None:
        if os.environ.get("CI"):
            pytest.fail("curl is needed to run the README's walk-through")
        pytest.skip("curl is not installed")
    section, steps = walkthrough((REPO / "README.md").read_text(encoding="utf-8"))
    assert "-m emulator --in-memory\n" in section  # the walk-through starts on empty tables
    assert len(steps) >= 9 and all(s.command.startswith("curl ") or ASSIGNMENT.fullmatch(
        s.command) for s in steps), steps
    emu = EmulatorProcess(REVIEW_API, "--in-memory").start(timeout=90)
    pairs, listed, variables = Pairs(), ([], []), dict[str, str]()
    try:
        for step in steps:
            actual = run(pairs.translate(step.command), emu.base_url, variables)
            if step.output.startswith('{"items": '):
                check_page(step.output, actual, pairs, listed)
            else:
                pairs.match(step.output, actual)
    finally:
        emu.stop()
    assert sorted(listed[0], key=str) == sorted(listed[1], key=str)  # every page, all items
