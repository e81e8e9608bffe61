"""Pre-deploy check: package serverless.yml offline, lint the CloudFormation, check the zip.

`python tools/package_check.py [--stage dev] [--region R] [--update-fixture] [--keep-scratch]`

1. Installs `serverless@3` with npm into a cache folder (reused when present; v4 needs a login).
2. Copies the project into a scratch folder without tool caches and virtualenvs (.git, .nox,
   node_modules, ...): packaging globs `**` over the whole folder, and a 24k-file .nox adds
   6-9 s. It could run in place (it writes only `.serverless/`, git-ignored); the copy is faster
   and lets concurrent runs not clash. Everything else is copied (tests/, .emulator/,
   __pycache__/), so the zip check below sees what a packaging of the checkout would see.
3. Runs `serverless package --stage <stage>` in the copy. `${aws:accountId}` is an STS
   GetCallerIdentity call even when packaging, so the framework's AWS SDK (v2) is pointed at a
   moto server on loopback (a `node --require` preload), with dummy credentials and a scratch
   HOME: nothing can reach AWS; the account is moto's 123456789012 (the emulator's too).
4. Lints `.serverless/cloudformation-template-update-stack.json` with cfn-lint (this
   interpreter's) and fails on any error or warning.
5. Checks the deployment zip holds only `api/**` (the package patterns) and every handler module.
6. Compares the template, with volatile values normalised (artifact folder, code hashes,
   deployment timestamp), to the committed fixture in tests/fixtures/packaged/<stage>/;
   `--update-fixture` rewrites it instead.

Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = PROJECT / ".nox" / ".cache" / "serverless3"  # nox's session.cache_dir
SCRATCH_SKIP = (".git", ".nox", ".tox", ".venv", "venv", "node_modules", ".serverless")
SCRATCH_SKIP_CACHES = (".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis")
FIXTURES = PROJECT / "tests" / "fixtures" / "packaged"
SERVERLESS_SPEC = "serverless@3"
TEMPLATE_NAME = "cloudformation-template-update-stack.json"
META_NAME = "package-meta.json"
PACKAGED_PREFIX = "api/"  # package.patterns: "!**", "api/**", "!api/**/__pycache__/**"
MOTO_ACCOUNT_ID = "123456789012"
FAILING_LEVELS = frozenset({"Error", "Warning"})

# Loaded with `node --require` before the framework: every AWS SDK v2 client it builds talks to
# the local moto server instead of AWS.
PRELOAD_JS = """'use strict';
// Written by tools/package_check.py: point the framework's AWS SDK (v2) at a local moto server.
const endpoint = process.env.PACKAGE_CHECK_AWS_ENDPOINT;
const root = process.env.PACKAGE_CHECK_SERVERLESS_ROOT;
if (endpoint && root) {
  const resolve = (name) => require.resolve(name, { paths: [root] });
  require(resolve('aws-sdk/lib/maintenance_mode_message')).suppress = true;
  require(resolve('aws-sdk')).config.update({ endpoint });
}
"""


class CheckError(Exception):
    """A step that cannot go on (npm missing, packaging failed, no template)."""


@dataclass(frozen=True, slots=True)
class Options:
    stage: str
    region: str | None
    cache_dir: Path
    keep_scratch: bool
    update_fixture: bool


@dataclass(frozen=True, slots=True)
class Packaged:
    """What `serverless package` produced, read from `.serverless/serverless-state.json`."""

    service: str
    stage: str
    region: str
    template: Path
    artifact: Path
    artifact_directory: str  # the S3 folder name: "serverless/<svc>/<stage>/<ms>-<iso time>"


def parse_args(argv: Sequence[str] | None) -> Options:
    """Read the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--region", default=None, help="default: serverless.yml's")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="npm install here")
    parser.add_argument("--keep-scratch", action="store_true", help="keep the scratch copy")
    parser.add_argument("--update-fixture", action="store_true", help="rewrite the fixture")
    args = parser.parse_args(argv)
    return Options(
        stage=args.stage,
        region=args.region,
        cache_dir=args.cache_dir.resolve(),
        keep_scratch=args.keep_scratch,
        update_fixture=args.update_fixture,
    )


# --- serverless --------------------------------------------------------------------------------


def serverless_root(cache_dir: Path) -> Path:
    """Return the folder of the cached `serverless` npm package."""
    return cache_dir / "node_modules" / "serverless"


def installed_version(cache_dir: Path) -> str | None:
    """Return the cached framework's version, or None when it is missing."""
    manifest = serverless_root(cache_dir) / "package.json"
    if not manifest.is_file():
        return None
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    return version if isinstance(version, str) else None


def ensure_serverless(cache_dir: Path) -> str:
    """Install serverless@3 into cache_dir unless a 3.x is already there; return its version."""
    version = installed_version(cache_dir)
    if version is not None and version.startswith("3."):
        print(f"serverless {version}: cached in {cache_dir}")
        return version
    npm = shutil.which("npm")
    if npm is None:
        raise CheckError("npm not found: install Node.js 18+ (serverless@3 needs it)")
    cache_dir.mkdir(parents=True, exist_ok=True)
    print(f"installing {SERVERLESS_SPEC} into {cache_dir} ...", flush=True)
    command = [npm, "install", "--prefix", str(cache_dir), "--no-audit", "--no-fund"]
    subprocess.run([*command, "--loglevel=error", SERVERLESS_SPEC], check=True)
    version = installed_version(cache_dir)
    if version is None:
        raise CheckError(f"npm install {SERVERLESS_SPEC} left no serverless in {cache_dir}")
    return version


@contextlib.contextmanager
def local_aws() -> Iterator[str]:
    """Run moto on loopback for the framework's AWS calls; yield its endpoint URL."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def serverless_env(scratch: Path, cache_dir: Path, endpoint: str) -> dict[str, str]:
    """Build the framework's environment: dummy credentials, scratch HOME, no AWS profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLS_"))}
    home = scratch / "home"
    home.mkdir(exist_ok=True)
    preload = scratch / "aws-local.js"
    preload.write_text(PRELOAD_JS, encoding="utf-8")
    env.update(
        AWS_ACCESS_KEY_ID="AKIAFAKEPACKAGECHECK",
        AWS_SECRET_ACCESS_KEY="fake-secret-access-key",
        AWS_CONFIG_FILE=str(scratch / "no-aws-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(scratch / "no-aws-credentials"),
        HOME=str(home),
        USERPROFILE=str(home),
        SLS_TELEMETRY_DISABLED="1",
        SLS_NOTIFICATIONS_MODE="off",
        SLS_INTERACTIVE_SETUP_DISABLE="1",
        PACKAGE_CHECK_AWS_ENDPOINT=endpoint,
        PACKAGE_CHECK_SERVERLESS_ROOT=str(serverless_root(cache_dir)),
        NODE_OPTIONS=f'{env.get("NODE_OPTIONS", "")} --require "{preload}"'.strip(),
    )
    return env


def copy_project(scratch: Path) -> Path:
    """Copy the project into scratch, without VCS, virtualenvs, node_modules and tool caches.

    Files that vanish during the copy (a test run's temp files) are skipped; other errors raise.
    """
    ignore = shutil.ignore_patterns(*SCRATCH_SKIP, *SCRATCH_SKIP_CACHES)
    target = scratch / PROJECT.name
    try:
        shutil.copytree(PROJECT, target, symlinks=True, ignore=ignore)
    except shutil.Error as exc:
        lasting = [error for error in exc.args[0] if Path(error[0]).exists()]
        if lasting:
            raise CheckError(f"copying the project failed: {lasting}") from exc
    return target


def run_package(options: Options, service_dir: Path, env: Mapping[str, str]) -> float:
    """Run `serverless package` in service_dir; return the seconds it took."""
    node = shutil.which("node")
    if node is None:
        raise CheckError("node not found: install Node.js 18+")
    entry = serverless_root(options.cache_dir) / "bin" / "serverless.js"
    command = [node, str(entry), "package", "--stage", options.stage]
    if options.region:
        command += ["--region", options.region]
    print("$ serverless " + " ".join(command[2:]), flush=True)
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=service_dir, env=dict(env), check=False)
    elapsed = time.perf_counter() - started
    if completed.returncode != 0:
        raise CheckError(f"serverless package failed (exit {completed.returncode})")
    return elapsed


def read_packaged(project: Path, options: Options) -> Packaged:
    """Locate the template and the zip through the framework's own state file.

    The state file keeps serverless.yml's `provider.stage`/`region`, not the CLI options.
    """
    out = project / ".serverless"
    state_file = out / "serverless-state.json"
    if not state_file.is_file():
        raise CheckError(f"{state_file} missing: did serverless package run?")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    service, package = state["service"], state["package"]
    return Packaged(
        service=service["service"],
        stage=options.stage,
        region=options.region or service["provider"]["region"],
        template=out / TEMPLATE_NAME,
        artifact=out / package["artifact"],
        artifact_directory=package["artifactDirectoryName"],
    )


# --- cfn-lint ----------------------------------------------------------------------------------


def run_cfn_lint(template: Path, region: str) -> list[dict[str, Any]]:
    """Run this interpreter's cfn-lint on template; return its findings (all levels)."""
    code = "import sys; from cfnlint.runner import main; sys.exit(main())"
    command = [sys.executable, "-c", code, "--format", "json", "--regions", region, "--"]
    completed = subprocess.run(
        [*command, str(template)], capture_output=True, text=True, check=False
    )
    try:
        findings = json.loads(completed.stdout or "[]")
    except json.JSONDecodeError as exc:
        raise CheckError(f"cfn-lint failed:\n{completed.stdout}{completed.stderr}") from exc
    if completed.returncode & 1:  # cfn-lint's exit bits: 1 fatal, 2 error, 4 warning, 8 info
        raise CheckError(f"cfn-lint could not run:\n{completed.stderr}")
    return list(findings)


def format_finding(finding: Mapping[str, Any]) -> str:
    """Render one cfn-lint finding as `W3011 Resources/ReviewsTable (line 955): message`."""
    location = finding.get("Location", {})
    path = "/".join(str(part) for part in location.get("Path") or [])
    line = location.get("Start", {}).get("LineNumber", "?")
    return f"{finding['Rule']['Id']} {path} (line {line}): {finding['Message']}"


# Findings about what the framework itself generates, which no serverless.yml can change: one
# (rule, path pattern) a row, with why. Anything else fails the check.
FRAMEWORK_OUTPUT = (
    # serverless@3 gives a method with an authorizer both `AuthorizerId: {Ref: ...}` and a
    # `DependsOn` on the same authorizer (seen in its packaged template for this
    # serverless.yml): redundant, harmless.
    ("W3005", re.compile(r"Resources/ApiGatewayMethod\w+/DependsOn/\d+")),
)


def framework_output(finding: Mapping[str, Any]) -> bool:
    """Whether a finding is about the framework's own generated output (FRAMEWORK_OUTPUT)."""
    path = "/".join(str(p) for p in finding.get("Location", {}).get("Path") or [])
    rule = finding.get("Rule", {}).get("Id")
    return any(rule == r and pattern.fullmatch(path) for r, pattern in FRAMEWORK_OUTPUT)


def lint_problems(template: Path, region: str) -> list[str]:
    """Print every cfn-lint finding; return the errors and warnings (but FRAMEWORK_OUTPUT's)."""
    findings = run_cfn_lint(template, region)
    problems = []
    for finding in findings:
        text = f"{finding.get('Level', '?')}: {format_finding(finding)}"
        known = framework_output(finding)
        print(f"  cfn-lint {text}{' (the framework output: not failed)' if known else ''}")
        if finding.get("Level") in FAILING_LEVELS and not known:
            problems.append(f"cfn-lint {text}")
    if not findings:
        print("  cfn-lint: no findings")
    return problems


# --- the deployment zip ------------------------------------------------------------------------


def handler_modules(template: Mapping[str, Any]) -> set[str]:
    """Return the file of each function's handler: `api/reviews.create` -> `api/reviews.py`."""
    modules = set()
    for resource in template.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Lambda::Function":
            handler = str(resource["Properties"]["Handler"])
            modules.add(handler.rsplit(".", 1)[0] + ".py")
    return modules


def zip_problems(names: Sequence[str], modules: set[str]) -> list[str]:
    """Return what is wrong with the zip's member names: strays, bytecode, missing handlers."""
    problems = [
        f"zip: {name} is outside {PACKAGED_PREFIX}**"
        for name in names
        if not name.startswith(PACKAGED_PREFIX)
    ]
    problems += [
        f"zip: {name} is bytecode"
        for name in names
        if "__pycache__/" in name or name.endswith(".pyc")
    ]
    problems += [f"zip: handler module {module} missing" for module in sorted(modules - set(names))]
    return problems


def check_zip(artifact: Path, template: Mapping[str, Any]) -> list[str]:
    """Print the zip's size and return its problems."""
    with zipfile.ZipFile(artifact) as archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
    print(f"  {artifact.name}: {len(names)} files, {artifact.stat().st_size} bytes")
    return zip_problems(names, handler_modules(template))


# --- the fixture -------------------------------------------------------------------------------


def volatile_ids(resources: Mapping[str, Any]) -> dict[str, str]:
    """Map logical ids that embed a code hash or a timestamp to stable ones."""
    renames = {}
    for logical_id, resource in resources.items():
        kind = resource.get("Type")
        if kind == "AWS::Lambda::Version" and "LambdaVersion" in logical_id:
            prefix = logical_id[: logical_id.index("LambdaVersion") + len("LambdaVersion")]
            renames[logical_id] = prefix + "CodeHash"
        elif kind == "AWS::ApiGateway::Deployment":
            renames[logical_id] = logical_id.rstrip("0123456789") + "Timestamp"
    return renames


def replace_strings(value: Any, renames: Mapping[str, str], artifact_dir: str) -> Any:
    """Rename ids (keys and values) and the artifact folder throughout a JSON value."""
    if isinstance(value, dict):
        return {
            renames.get(k, k): replace_strings(v, renames, artifact_dir) for k, v in value.items()
        }
    if isinstance(value, list):
        return [replace_strings(item, renames, artifact_dir) for item in value]
    if isinstance(value, str):
        stable = value.replace(artifact_dir, artifact_dir.rsplit("/", 1)[0] + "/ARTIFACT-DIR")
        return renames.get(stable, stable)
    return value


def normalise_template(template: Mapping[str, Any], artifact_dir: str) -> dict[str, Any]:
    """Replace what changes on every run (artifact folder, code hashes, deployment id)."""
    renames = volatile_ids(template.get("Resources", {}))
    stable: dict[str, Any] = replace_strings(template, renames, artifact_dir)
    for resource in stable.get("Resources", {}).values():
        if resource.get("Type") == "AWS::Lambda::Version":
            resource["Properties"]["CodeSha256"] = "CODE-SHA256"
    return stable


def fixture_files(packaged: Packaged, version: str) -> dict[str, str]:
    """Return the fixture's file names and texts for this packaging run."""
    raw = json.loads(packaged.template.read_text(encoding="utf-8"))
    template = normalise_template(raw, packaged.artifact_directory)
    meta = {
        "service": packaged.service,
        "stage": packaged.stage,
        "region": packaged.region,
        "account_id": MOTO_ACCOUNT_ID,
        "serverless": version,
        "generated_by": "python tools/package_check.py --update-fixture",
    }
    return {
        TEMPLATE_NAME: json.dumps(template, indent=2) + "\n",
        META_NAME: json.dumps(meta, indent=2) + "\n",
    }


def sync_fixture(files: Mapping[str, str], folder: Path, update: bool) -> list[str]:
    """Write the fixture (update) or return how the committed one differs."""
    if update:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (folder / name).write_text(text, encoding="utf-8")
        print(f"  fixture written: {folder.relative_to(PROJECT)}")
        return []
    if not folder.is_dir():
        print(f"  no fixture for this stage in {folder.relative_to(PROJECT)}: not compared")
        return []
    problems = []
    for name, text in files.items():
        path = folder / name
        committed = path.read_text(encoding="utf-8") if path.is_file() else ""
        if committed != text:
            diff = difflib.unified_diff(
                committed.splitlines(), text.splitlines(), str(path), "generated", lineterm=""
            )
            print("\n".join(list(diff)[:60]))
            problems.append(f"fixture {path.relative_to(PROJECT)} is stale: run --update-fixture")
    if not problems:
        print(f"  fixture up to date: {folder.relative_to(PROJECT)}")
    return problems


# --- main --------------------------------------------------------------------------------------


def package(options: Options, scratch: Path) -> tuple[Packaged, str]:
    """Install the framework and package a copy of the project; return the output, version."""
    version = ensure_serverless(options.cache_dir)
    service_dir = copy_project(scratch)
    with local_aws() as endpoint:
        env = serverless_env(scratch, options.cache_dir, endpoint)
        elapsed = run_package(options, service_dir, env)
    print(f"serverless package: {elapsed:.1f} s")
    return read_packaged(service_dir, options), version


def check(packaged: Packaged, version: str, update_fixture: bool) -> list[str]:
    """Run the checks on the packaging output; return every problem found."""
    template = json.loads(packaged.template.read_text(encoding="utf-8"))
    print(f"checking {packaged.template} ({packaged.region})")
    problems = lint_problems(packaged.template, packaged.region)
    problems += check_zip(packaged.artifact, template)
    files = fixture_files(packaged, version)
    return problems + sync_fixture(files, FIXTURES / packaged.stage, update_fixture)


def main(argv: Sequence[str] | None = None) -> int:
    """Package, lint and check; print the problems; return the exit status."""
    options = parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="package-check-"))
    try:
        packaged, version = package(options, scratch)
        problems = check(packaged, version, options.update_fixture)
    except (CheckError, subprocess.CalledProcessError) as exc:
        print(f"package check failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if options.keep_scratch:
            print(f"scratch kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    print("package check: " + ("FAILED" if problems else "OK"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
