"""serverless-offline 13 and `serverless print` on the corpus (the peer's side of the table).

What a user of serverless-offline does on a fresh clone, and no more: install the framework,
serverless-offline and the npm plugins the project names, add `serverless-offline` to its
`plugins:`, run `serverless offline start --stage dev`. Each project is copied into the peer
benchmark's scratch folder (bench/peer_setup.py), so Node finds the plugins in the scratch
folder's node_modules and the corpus is never written to.

AWS calls are kept local: fake credentials, and every AWS endpoint is a closed loopback port
(the framework's SDK calls, e.g. `${ssm:}`, fail at once instead of reaching AWS).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import yaml

BENCH = Path(__file__).resolve().parents[1] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))  # bench/'s modules import each other as siblings

import peer_setup  # noqa: E402

from tools.realworld_routes import declared_routes, find_config, load_document  # noqa: E402
from tools.realworld_run import (  # noqa: E402
    STAGE,
    START_TIMEOUT_S,
    Outcome,
    first_error,
    run_tool,
)
from tools.realworld_table import Printed  # noqa: E402

CLOSED_ENDPOINT = "http://127.0.0.1:9"  # discard port, nothing listens: AWS calls fail fast
PRINT_TIMEOUT_S = 90.0
# npm plugins the corpus names, at the major that supports framework v3.
PLUGIN_SPECS = {
    "serverless-python-requirements": "6", "serverless-wsgi": "3",
    "serverless-dotenv-plugin": "6", "serverless-lift": "1",
    "serverless-iam-roles-per-function": "3", "serverless-domain-manager": "7",
    "serverless-prune-plugin": "2",
}
OFFLINE_READY = re.compile(r"Server ready: (https?://\S+)")
# With no http / httpApi event serverless-offline starts no HTTP server, only its Lambda one.
OFFLINE_LAMBDA_READY = re.compile(r"Offline \[http for lambda\] listening on (https?://\S+)")
_PLUGINS_LINE = re.compile(r"^plugins:[ \t]*(#.*)?$", re.MULTILINE)


def project_plugins(project: Path) -> list[str]:
    """Return the plugin names a project's serverless.yml lists (either form of `plugins:`)."""
    config = find_config(project)
    try:
        document = load_document(config) if config else None
    except (yaml.YAMLError, ValueError):
        return []
    plugins = document.get("plugins") if isinstance(document, dict) else None
    if isinstance(plugins, dict):
        plugins = plugins.get("modules")
    return [str(p) for p in plugins] if isinstance(plugins, list) else []


def npm_specs(projects: Iterable[Path]) -> tuple[str, ...]:
    """Return `name@major` for every known npm plugin the projects name."""
    names = {name for project in projects for name in project_plugins(project)}
    return tuple(sorted(f"{n}@{PLUGIN_SPECS[n]}" for n in names if n in PLUGIN_SPECS))


def with_offline_plugin(text: str) -> str:
    """Return serverless.yml text with `serverless-offline` added to a block `plugins:` list."""
    if re.search(r"^\s*-\s*['\"]?serverless-offline['\"]?\s*$", text, re.MULTILINE):
        return text
    if match := _PLUGINS_LINE.search(text):
        return f"{text[:match.end()]}\n  - serverless-offline{text[match.end():]}"
    return text.rstrip("\n") + "\n\nplugins:\n  - serverless-offline\n"


def prepare(scratch: peer_setup.Scratch, project: Path) -> Path:
    """Copy the project into the scratch folder with serverless-offline added; return it."""
    copy = scratch.root / "realworld" / project.name
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__", ".emulator"))
    config = find_config(copy)
    if config is not None and config.suffix != ".json":
        config.write_text(with_offline_plugin(config.read_text(encoding="utf-8")),
                          encoding="utf-8")
    return copy


def _lambda_python(scratch: peer_setup.Scratch) -> Path:
    return scratch.root / "realworld-python"


def _env(scratch: peer_setup.Scratch) -> dict[str, str]:
    env = peer_setup.offline_env(scratch, CLOSED_ENDPOINT)
    # serverless-offline runs handlers with `python3` from PATH: a Python with only boto3, as
    # Lambda's runtime provides it (not this tool's packages, not the project's requirements).
    env["PATH"] = f"{_lambda_python(scratch) / 'bin'}{os.pathsep}{env['PATH']}"
    env["SLS_OFFLINE_SILENT"] = "1"
    return env


def ensure_lambda_python(scratch: peer_setup.Scratch) -> None:
    """Create the scratch folder's Python 3.11 virtualenv holding boto3 only (uv, once)."""
    venv = _lambda_python(scratch)
    if (venv / "bin" / "python3").exists():
        return
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit("uv not found: the serverless-offline side needs it for its Python")
    print(f"creating {venv} (Python 3.11 + boto3) ...", flush=True)
    subprocess.run([uv, "venv", "-q", "-p", "3.11", str(venv)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(venv / "bin" / "python"),
                    "boto3"], check=True)


def _serverless(scratch: peer_setup.Scratch) -> list[str]:
    node = shutil.which("node") or "node"
    return [node, str(scratch.node_modules / "serverless" / "bin" / "serverless.js")]


def package_version(folder: peer_setup.Scratch, name: str) -> str:
    """Return the version of an npm package installed in the scratch folder."""
    return peer_setup.package_version(folder, name) or "?"


def node_version() -> str:
    node = shutil.which("node")
    if node is None:
        return "?"
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip().lstrip("v") or "?"


def serverless_print(scratch: peer_setup.Scratch, copy: Path) -> Printed:
    """Run `serverless print --stage dev` with no other input; did it resolve?"""
    try:
        done = subprocess.run([*_serverless(scratch), "print", "--stage", STAGE], cwd=copy,
                              env=_env(scratch), capture_output=True, text=True,
                              errors="replace", timeout=PRINT_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return Printed(copy.name, False, f"no answer in {PRINT_TIMEOUT_S:.0f} s")
    if done.returncode == 0:
        return Printed(copy.name, True, None)
    return Printed(copy.name, False, first_error((done.stderr + done.stdout).splitlines()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_offline(scratch: peer_setup.Scratch, project: Path, copy: Path,
                start_timeout: float = START_TIMEOUT_S) -> Outcome:
    """Start `serverless offline start --stage dev` in the copy; probe the project's routes."""
    ports = {flag: _free_port() for flag in ("--httpPort", "--lambdaPort", "--websocketPort",
                                             "--albPort")}
    argv = [*_serverless(scratch), "offline", "start", "--stage", STAGE, "--host", "127.0.0.1",
            *(item for flag, port in ports.items() for item in (flag, str(port)))]
    declared = declared_routes(project)  # the original's routes: the same set for both tools
    ready = OFFLINE_READY if declared.routes else OFFLINE_LAMBDA_READY
    return run_tool(copy, "offline", argv, ready, _env(scratch), cwd=copy, declared=declared,
                    start_timeout=start_timeout)


def scratch() -> peer_setup.Scratch:
    """Return the peer benchmark's scratch folder (where setup() installed the packages)."""
    return peer_setup.Scratch(peer_setup.DEFAULT_CACHE)


def setup(projects: Iterable[Path]) -> peer_setup.Scratch:
    """Install serverless@3, serverless-offline@13 and the corpus's plugins (npm, once)."""
    folder = scratch()
    peer_setup.ensure_npm_packages(folder, extra=npm_specs(projects))
    ensure_lambda_python(folder)
    return folder
