"""The peer benchmark's setup: serverless-offline from npm, a scratch project both tools serve,
and a moto server of the benchmark's own for serverless-offline.

The scratch project is the project's serverless.yml and api/ with these changes only:
`runtime: python3.11` (serverless-offline 13 checks the runtime name, then runs `python3`
anyway), the `serverless-offline` plugin, a trivial function (`GET /ping`, no AWS call) for the
tools' own overhead, and the real `get` handler once more under `GET /cold/reviews/{id}` (a
function nothing warms, for the burst). Both tools serve that one folder: the same files.

    python bench/peer_setup.py serve-moto --port N   # the moto process (used by peer.py)
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import yaml

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CACHE = REPO / ".nox" / ".cache" / "peer"  # .nox is git-ignored; reused when present
NPM_SPECS = ("serverless@3", "serverless-offline@13")
RUNTIME = "python3.11"  # serverless-offline 13 runs the local `python3` whatever the minor
ACCOUNT_ID = "123456789012"  # moto's default account
FAKE_KEY, FAKE_SECRET = "AKIAPEERBENCHFAKE000", "peer-bench-fake-secret"
NOWHERE = "/nonexistent/review-api-peer-bench/aws"
PING_FUNCTION, PING_MODULE, PING_PATH = "ping", "bench_ping", "ping"
# The real GET handler once more, as a function of its own that nothing warms: the burst's.
COLD_FUNCTION, COLD_PATH = "coldget", "cold/reviews/{id}"

PING_SOURCE = '''"""Trivial handler, no AWS call (written by bench/peer_setup.py)."""

VERSION = {version}


def handler(event, context):
    return {{"statusCode": 200, "headers": {{"Content-Type": "application/json"}},
            "body": '{{"ok": true, "version": %d}}' % VERSION}}
'''

# Loaded with `node --require` before the framework: any AWS SDK (v2) client it builds talks
# to the benchmark's moto server, never to AWS (the same guard as tools/package_check.py).
PRELOAD_JS = """'use strict';
const endpoint = process.env.PEER_BENCH_AWS_ENDPOINT;
const root = process.env.PEER_BENCH_SERVERLESS_ROOT;
if (endpoint && root) {
  const resolve = (name) => require.resolve(name, { paths: [root] });
  try { require(resolve('aws-sdk/lib/maintenance_mode_message')).suppress = true; } catch {}
  require(resolve('aws-sdk')).config.update({ endpoint });
}
"""


@dataclass(frozen=True, slots=True)
class Scratch:
    """Where the peer benchmark keeps its npm install and the project both tools serve."""

    root: Path

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def project(self) -> Path:
        return self.root / "project"

    @property
    def config(self) -> Path:
        return self.project / "serverless.yml"

    @property
    def ping_file(self) -> Path:
        return self.project / f"{PING_MODULE}.py"

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    @property
    def logs(self) -> Path:
        return self.root / "logs"


# --- npm -------------------------------------------------------------------------------------


def package_version(scratch: Scratch, name: str) -> str | None:
    """Return the version of an npm package installed in the scratch folder, or None."""
    manifest = scratch.node_modules / name / "package.json"
    if not manifest.is_file():
        return None
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    return version if isinstance(version, str) else None


def ensure_npm_packages(scratch: Scratch, extra: tuple[str, ...] = ()) -> dict[str, str]:
    """Install serverless@3 and serverless-offline@13 (and `extra` `name@major` specs, e.g.
    the plugins tools/realworld_peer.py needs) unless present; return their versions."""
    specs = (*NPM_SPECS, *extra)
    wanted = {spec.rsplit("@", 1)[0]: spec.rsplit("@", 1)[1] for spec in specs}
    found = {name: package_version(scratch, name) for name in wanted}
    if any(v is None or not v.startswith(f"{major}.") for (name, major), v
           in zip(wanted.items(), found.values(), strict=True)):
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("npm not found: the peer benchmark needs Node.js 18+ and npm")
        scratch.root.mkdir(parents=True, exist_ok=True)
        print(f"installing {' '.join(specs)} into {scratch.root} ...", flush=True)
        subprocess.run([npm, "install", "--prefix", str(scratch.root), "--no-audit", "--no-fund",
                        "--loglevel=error", *specs], check=True)
        found = {name: package_version(scratch, name) for name in wanted}
    return {name: version or "?" for name, version in found.items()}


# --- the scratch project ---------------------------------------------------------------------


def prepare_project(scratch: Scratch) -> dict[str, Any]:
    """(Re)write the scratch project from the checkout; return its parsed serverless.yml."""
    if scratch.project.exists():
        shutil.rmtree(scratch.project)
    shutil.copytree(REPO / "api", scratch.project / "api",
                    ignore=shutil.ignore_patterns("__pycache__"))
    config = yaml.safe_load((REPO / "serverless.yml").read_text(encoding="utf-8"))
    config["provider"]["runtime"] = RUNTIME
    config["plugins"] = ["serverless-offline"]
    config["functions"][PING_FUNCTION] = {
        "handler": f"{PING_MODULE}.handler",
        "events": [{"http": {"path": PING_PATH, "method": "get"}}],
    }
    config["functions"][COLD_FUNCTION] = {
        "handler": config["functions"]["get"]["handler"],
        "events": [{"http": {"path": COLD_PATH, "method": "get", "cors": True}}],
    }
    text = yaml.safe_dump(config, sort_keys=False)
    # No STS call to resolve the account id: moto's fixed account, written in.
    text = text.replace("${aws:accountId}", ACCOUNT_ID)
    scratch.config.write_text(text, encoding="utf-8")
    write_ping(scratch, 0)
    # No node_modules in the project: Node finds the plugin in the parent folder's, and the
    # emulator's file watcher has no dependency tree to walk.
    return dict(config)


def write_ping(scratch: Scratch, version: int) -> None:
    """Write the trivial handler answering `{"version": version}`."""
    scratch.ping_file.write_text(PING_SOURCE.format(version=version), encoding="utf-8")


def python_shim(scratch: Scratch) -> Path:
    """Write bin/python3 running this interpreter: serverless-offline spawns `python3` by PATH.

    A wrapper that execs, not a symlink: a symlinked venv interpreter would lose its venv.
    Both tools then run the handlers with the same interpreter (no pyenv shim in the way).
    """
    scratch.bin_dir.mkdir(parents=True, exist_ok=True)
    shim = scratch.bin_dir / "python3"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    return shim


def table_definitions(config: Mapping[str, Any], name: str) -> list[dict[str, Any]]:
    """Return create_table arguments for every DynamoDB table in `resources:`, named `name`."""
    resources = config.get("resources", {}).get("Resources", {})
    tables = []
    for resource in resources.values():
        if resource.get("Type") != "AWS::DynamoDB::Table":
            continue
        props = resource["Properties"]
        tables.append({"TableName": name, "KeySchema": props["KeySchema"],
                       "AttributeDefinitions": props["AttributeDefinitions"],
                       "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST")})
    return tables


# --- environments of the processes -----------------------------------------------------------


def clean_env() -> dict[str, str]:
    """Return this process's environment without AWS or Serverless settings.

    PYTHONDONTWRITEBYTECODE is dropped too: with it (set on some CI machines) every process
    recompiles boto3 and moto at each start, which the benchmark would measure instead of the
    tools; the warm-up start writes the bytecode caches, as any first run on a laptop does.
    """
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("AWS_", "SLS_")) and k != "PYTHONDONTWRITEBYTECODE"}


def offline_env(scratch: Scratch, moto_endpoint: str) -> dict[str, str]:
    """Environment of serverless-offline: fake credentials, every AWS endpoint on loopback."""
    env = clean_env()
    home = scratch.root / "home"
    home.mkdir(exist_ok=True)
    preload = scratch.root / "aws-local.js"
    preload.write_text(PRELOAD_JS, encoding="utf-8")
    env.update(
        # serverless-offline copies every AWS_* variable into the handlers' environment.
        AWS_ACCESS_KEY_ID=FAKE_KEY, AWS_SECRET_ACCESS_KEY=FAKE_SECRET,
        AWS_ENDPOINT_URL=moto_endpoint, AWS_ENDPOINT_URL_DYNAMODB=moto_endpoint,
        AWS_CONFIG_FILE=NOWHERE, AWS_SHARED_CREDENTIALS_FILE=NOWHERE,
        AWS_EC2_METADATA_DISABLED="true",
        HOME=str(home), SLS_TELEMETRY_DISABLED="1", SLS_NOTIFICATIONS_MODE="off",
        SLS_INTERACTIVE_SETUP_DISABLE="1", SLS_DEPRECATION_DISABLE="*",
        PEER_BENCH_AWS_ENDPOINT=moto_endpoint,
        PEER_BENCH_SERVERLESS_ROOT=str(scratch.node_modules / "serverless"),
        NODE_OPTIONS=f'{env.get("NODE_OPTIONS", "")} --require "{preload}"'.strip(),
        PATH=f"{scratch.bin_dir}{os.pathsep}{env.get('PATH', os.defpath)}",
    )
    env.pop("VIRTUAL_ENV", None)  # else serverless-offline puts the venv's bin before our shim
    return env


# --- moto ------------------------------------------------------------------------------------


class Moto:
    """The benchmark's moto server (werkzeug, threaded, access log off): a process of its own,
    the same kind as the emulator's embedded one (emulator/aws/moto_process.py)."""

    def __init__(self, port: int, log_file: Path) -> None:
        self.endpoint = f"http://127.0.0.1:{port}"
        with log_file.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, __file__, "serve-moto", "--port", str(port)],
                stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, env=clean_env())
        deadline = time.monotonic() + 30
        while not self._ready():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise SystemExit(f"moto did not start; see {log_file}")
            time.sleep(0.05)

    def _ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=2):
                return True
        except OSError:
            return False

    def reset(self, tables: list[dict[str, Any]], region: str) -> None:
        """Wipe every service, then create the tables."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass
        client = dynamodb_client(self.endpoint, region)
        for table in tables:
            client.create_table(**table)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdin is not None:
            self.process.stdin.close()


def dynamodb_client(endpoint: str, region: str) -> Any:
    """Return a DynamoDB client for a local endpoint, with fake credentials."""
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id=FAKE_KEY, aws_secret_access_key=FAKE_SECRET)


def serve_moto(port: int) -> None:
    """Serve moto on 127.0.0.1:port until stdin closes (the benchmark went away)."""
    import threading

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access log per AWS call
    server = make_server("127.0.0.1", port, DomainDispatcherApplication(create_backend_app),
                         threaded=True)
    os.environ["MOTO_PORT"] = str(port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.buffer.read()  # EOF: the parent is gone


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve-moto")
    serve.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    serve_moto(args.port)


if __name__ == "__main__":
    main()
