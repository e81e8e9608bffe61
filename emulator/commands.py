"""The subcommands of `python -m emulator`, its name, and the command lines it prints as hints.

A hint (`python -m emulator token ...` at start, `... reset` when it stops) repeats the options
this emulator was started with (the service file's absolute path, and --stage, --region and
--state-dir when given), so that it works pasted into a shell in another folder.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

# The subcommands, one line each: --help lists them from here, and cli.main dispatches them.
SUBCOMMANDS: tuple[tuple[str, str], ...] = (
    ("(none)", "serve until Ctrl-C; tables are saved and loaded on the next start"),
    ("invoke", "call one function once, like `serverless invoke local` (invoke --help)"),
    ("reset", "remove this stage's saved tables and handler virtualenvs, and exit"),
    ("token", "print an ID token of a user of a local user pool (token --help)"),
    ("web-config", "write a web page's config.json from a deployed stack's outputs"),
)
CONSOLE_SCRIPT = "review-api-emulator"


def program() -> str:
    """How this emulator was started: its console script, else `python -m emulator`."""
    return CONSOLE_SCRIPT if Path(sys.argv[0]).name == CONSOLE_SCRIPT else "python -m emulator"


def again(args: argparse.Namespace, subcommand: str) -> str:
    """`subcommand` for the service this emulator serves, as a command line that works from
    any folder: the service file's absolute path, and --stage, --region and --state-dir when
    they were given."""
    parts = [subcommand, "--config", str(Path(args.config).absolute())]
    for flag, value in (("--stage", args.stage), ("--region", args.region),
                        ("--state-dir", args.state_dir and Path(args.state_dir).absolute())):
        if value:
            parts += [flag, str(value)]
    return f"{program()} {shlex.join(parts)}"


