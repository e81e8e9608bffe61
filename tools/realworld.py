"""The real-world corpus (tests/realworld/<project>/): how much of each project a tool serves.

    python tools/realworld.py                 # the emulator on every project
    python tools/realworld.py --peer          # + serverless-offline 13 and `serverless print`
    python tools/realworld.py aws-python-rest-api mangum-fastapi   # some projects only

Each tool is started on each project with no inputs beyond `--stage dev`; every declared
`http` / `httpApi` route is requested once (parameters filled with a dummy value); the table
counts the routes declared, served (not the gateway's "no such route" answer) and answered by
the handler (not a reply the gateway made itself: 5xx integration error, auth denial), and the
first line of each start error.

The measurement runs in a network namespace of its own when `unshare` allows it (Linux): the
tools, their handlers and the framework's SDK calls can reach 127.0.0.1 and nothing else, so a
project's handler that calls a third-party API (a chat bot, a hosted database) cannot send
anything off this machine. npm installs happen before, outside it, and so does one start of the
emulator per project that only builds the handlers' virtualenv from PyPI (kept in the
project's `.emulator/venvs/`, so the measured start reuses it).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # run as a script: `tools` and `bench` import from the checkout
    sys.path.insert(0, str(REPO))

from tools import realworld_peer  # noqa: E402
from tools.realworld_routes import find_config  # noqa: E402
from tools.realworld_run import run_emulator, warm_emulator  # noqa: E402
from tools.realworld_table import Results, progress_line, render, to_json  # noqa: E402

CORPUS = REPO / "tests" / "realworld"
_ISOLATED = "REALWORLD_ISOLATED"


def corpus_projects(names: Sequence[str] = ()) -> list[Path]:
    """Return the corpus's project folders (those holding a serverless config), by name."""
    found = sorted(p for p in CORPUS.iterdir() if p.is_dir() and find_config(p))
    if not names:
        return found
    unknown = sorted(set(names) - {p.name for p in found})
    if unknown:
        raise SystemExit(f"not in {CORPUS}: {', '.join(unknown)}")
    return [p for p in found if p.name in names]


def _can_isolate() -> bool:
    if not (shutil.which("unshare") and shutil.which("ip")):
        return False
    probe = subprocess.run(["unshare", "-rn", "ip", "link", "set", "lo", "up"],
                           capture_output=True, check=False)
    return probe.returncode == 0


def _measure_isolated(argv: list[str]) -> int:
    """Run this script's measurement again inside a fresh network namespace (loopback only)."""
    env = {**os.environ, _ISOLATED: "1"}
    script = 'ip link set lo up && exec "$0" "$@"'
    command = ["unshare", "-rn", "sh", "-c", script, sys.executable, __file__, *argv]
    return subprocess.run(command, env=env, check=False).returncode


def measure(projects: list[Path], peer: bool, progress: bool = True) -> Results:
    """Run the emulator (and with `peer`, serverless print and serverless-offline) on each."""
    results = Results()
    scratch = realworld_peer.scratch() if peer else None
    for project in projects:
        outcomes = [run_emulator(project)]
        if scratch is not None:
            copy = realworld_peer.prepare(scratch, project)
            results.printed.append(realworld_peer.serverless_print(scratch, copy))
            outcomes.append(realworld_peer.run_offline(scratch, project, copy))
        for outcome in outcomes:
            results.add(outcome)
            if progress:
                print(progress_line(outcome), file=sys.stderr, flush=True)
    return results


def header(peer: bool) -> str:
    """Return one line naming when and with what the table was measured."""
    commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True, check=False).stdout.strip()
    line = (f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, emulator at {commit or '?'}, Python "
            f"{platform.python_version()}, {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} cores, network isolation: "
            f"{'yes' if os.environ.get(_ISOLATED) else 'no'}")
    if peer:
        folder = realworld_peer.scratch()
        versions = [f"{name} {realworld_peer.package_version(folder, name)}"
                    for name in ("serverless", "serverless-offline")]
        line += f"; {', '.join(versions)}, node {realworld_peer.node_version()}"
    return line


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("projects", nargs="*", help="project folder names (default: all)")
    parser.add_argument("--peer", action="store_true",
                        help="also serverless-offline 13 and `serverless print` (npm; slow)")
    parser.add_argument("--json", type=Path, help="also write the full results here")
    parser.add_argument("--no-isolation", action="store_true",
                        help="do not run in a network namespace (handlers may reach the "
                             "internet)")
    args = parser.parse_args(argv)
    projects = corpus_projects(args.projects)
    if args.peer and not os.environ.get(_ISOLATED):
        realworld_peer.setup(projects)  # npm needs the network: before the namespace
    if not os.environ.get(_ISOLATED) and not args.no_isolation:
        if _can_isolate():
            for project in projects:  # PyPI is out of reach inside the namespace
                warm_emulator(project)
            return _measure_isolated(list(argv if argv is not None else sys.argv[1:]))
        print("note: unshare -rn is not available: running without network isolation",
              file=sys.stderr)
    results = measure(projects, args.peer)
    if args.json:
        args.json.write_text(json.dumps(to_json(results), indent=1), encoding="utf-8")
    print(header(args.peer), render(results), sep="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
