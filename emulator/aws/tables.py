"""The local AWS side: moto's server on loopback, the tables from `resources:`, and the
environment that points every boto3 client of a function at it with fake credentials.

Nothing here can reach a real AWS account: endpoints are loopback only, credentials are fake,
and the shared config/credentials files are pointed at paths that do not exist.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from emulator.aws.iam import CONTROL_PATH, IamSettings, policy_warnings
from emulator.aws.moto_process import MotoSettings
from emulator.config.errors import ConfigError
from emulator.config.service import FunctionConfig, ServiceConfig, TableConfig

log = logging.getLogger(__name__)

FAKE_SECRET = "emulator-fake-secret-access-key"
STOP_TIMEOUT_S = 10.0
_NOWHERE = "/nonexistent/review-api-emulator/aws-config"

# CloudFormation table properties create_table takes as they are.
_PASSED_AS_IS = ("AttributeDefinitions", "KeySchema", "BillingMode", "ProvisionedThroughput",
                 "LocalSecondaryIndexes", "GlobalSecondaryIndexes", "TableClass",
                 "DeletionProtectionEnabled", "Tags")
# Properties that change nothing a handler can observe locally.
_IGNORED = ("PointInTimeRecoverySpecification", "ContributorInsightsSpecification",
            "KinesisStreamSpecification", "SSESpecification", "ImportSourceSpecification",
            "ResourcePolicy", "OnDemandThroughput", "WarmThroughput")


@dataclass(slots=True)
class MotoServer:
    """moto in a child process of ours (see emulator/aws/moto_process.py).

    The emulator binds moto's loopback socket itself and hands it to the child, so the endpoint
    is known at once: requests made before moto serves wait in the socket's backlog, and moto
    serves only once its tables exist. Start-up thus overlaps moto's ~1 s import with the
    emulator's own start and the first environment's cold start.
    """

    process: subprocess.Popen[bytes]
    endpoint: str
    control_token: str = field(default_factory=lambda: secrets.token_hex(16))
    ready: threading.Event = field(default_factory=threading.Event)
    stopping: threading.Event = field(default_factory=threading.Event)

    @classmethod
    def start(cls, host: str = "127.0.0.1", settings: MotoSettings | None = None) -> MotoServer:
        """Start moto on a free loopback port and return once it serves (tables loaded)."""
        moto = cls.spawn(host)
        moto.configure(settings or MotoSettings())
        moto.wait_ready()
        return moto

    @classmethod
    def spawn(cls, host: str = "127.0.0.1") -> MotoServer:
        """Start the process now, on a socket bound here; it imports moto meanwhile."""
        with socket.create_server((host, 0), backlog=512) as listener:
            proc = subprocess.Popen(
                [sys.executable, "-m", "emulator.aws.moto_process", "--fd", str(listener.fileno())],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, pass_fds=(listener.fileno(),),
                env=scrubbed_env(os.environ),
            )
            port = listener.getsockname()[1]
        return cls(proc, f"http://{host}:{port}")

    def configure(self, settings: MotoSettings) -> None:
        """Send the settings (never in argv); a thread then waits for moto to serve."""
        assert self.process.stdin is not None
        settings = replace(settings, control_token=self.control_token)
        self.process.stdin.write(settings.to_line())
        self.process.stdin.flush()
        threading.Thread(target=self._watch_start, name="moto-start", daemon=True).start()

    def _watch_start(self) -> None:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().decode().strip()
        if line.startswith("PORT "):
            self.ready.set()
        elif not self.stopping.is_set():  # else stopped (Ctrl-C) before it served: no error
            log.error("moto did not start (exit code %s): DynamoDB calls will fail",
                      self.process.poll())

    def wait_ready(self, timeout: float = 60) -> None:
        """Block until moto serves; raise RuntimeError when it does not."""
        if not self.ready.wait(timeout):
            raise RuntimeError(f"moto did not start within {timeout:.0f} s")

    def update_iam(self, iam: IamSettings | None) -> None:
        """Enforce another role from now on (a serverless.yml change); None: stop enforcing."""
        if iam is not None:
            for warning in policy_warnings(iam.statements):
                log.warning("%s", warning)
        url = urllib.parse.urlsplit(self.endpoint)
        connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
        try:  # straight to loopback: never through a proxy of the environment
            connection.request("POST", CONTROL_PATH,
                               body=json.dumps({"iam": iam.to_json() if iam else None}),
                               headers={"X-Emulator-Token": self.control_token})
            status = connection.getresponse().status
        finally:
            connection.close()
        if status != 204:
            raise RuntimeError(f"moto refused the IAM update (HTTP {status})")

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        """Stop moto (SIGTERM: it writes its final snapshot first) and reap the process."""
        self.stopping.set()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("moto did not stop within %.0f s; killed", timeout)
                self.process.kill()
        self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def require_loopback(url: str, *, option: str) -> str:
    """Refuse an endpoint that is not on this machine: the emulator never reaches AWS."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        local = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = False
    if not local or not url.startswith(("http://", "https://")):
        raise ConfigError(f"{url!r} is not a loopback http(s) URL; the emulator only talks to "
                          "endpoints on this machine (e.g. http://127.0.0.1:8000)", key=option)
    return url.rstrip("/")


def scrubbed_env(shell: Mapping[str, str]) -> dict[str, str]:
    """The shell's environment without anything of AWS's, plus fake keys and no config files.

    For moto's process: a profile of the developer's (`AWS_PROFILE=work`) made moto fail at
    start, and real keys or a `credential_process` have no business in a local child.
    """
    env = {name: value for name, value in shell.items()
           if not name.upper().startswith(("AWS_", "BOTO_"))}
    env.update({"AWS_ACCESS_KEY_ID": "emulator", "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
                "AWS_CONFIG_FILE": _NOWHERE, "AWS_SHARED_CREDENTIALS_FILE": _NOWHERE,
                "AWS_EC2_METADATA_DISABLED": "true"})
    return env


def local_boto3_session() -> Any:
    """A boto3 Session that reads nothing of the developer's: no profile, config or keys file.

    boto3's default session reads `AWS_PROFILE` even when keys are passed explicitly, so
    `AWS_PROFILE=work` (a profile that does not exist here) broke every hot reload.
    """
    import boto3
    import botocore.session

    # (config name, environment variables, default, conversion): no variable, a path to nowhere
    core = botocore.session.Session(session_vars={
        "profile": (None, None, None, None),
        "config_file": (None, None, _NOWHERE, None),
        "credentials_file": (None, None, _NOWHERE, None)})
    return boto3.session.Session(botocore_session=core)


def access_key_for(function: FunctionConfig) -> str:
    """Return the fake access key of one function: distinct per function, stable across runs."""
    digest = hashlib.sha256(function.full_name.encode()).hexdigest().upper()
    return "ASIA" + "".join(c for c in digest if c in "ABCDEF0123456789")[:16]


def function_aws_env(function: FunctionConfig, *, endpoint: str,
                     dynamodb_endpoint: str | None = None,
                     lambda_endpoint: str | None = None) -> dict[str, str]:
    """Return the AWS settings of one function's environment: fake keys, local endpoints."""
    env = {
        "AWS_ACCESS_KEY_ID": access_key_for(function),
        "AWS_SECRET_ACCESS_KEY": FAKE_SECRET,
        "AWS_SESSION_TOKEN": f"emulator-session-{function.name}",
        "AWS_ENDPOINT_URL": endpoint,  # every service: a local endpoint, never AWS
        "AWS_CONFIG_FILE": _NOWHERE,  # no profile of the developer's can leak in
        "AWS_SHARED_CREDENTIALS_FILE": _NOWHERE,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    env["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb_endpoint or endpoint
    if lambda_endpoint:  # the emulator's own Invoke API: a function can invoke another
        env["AWS_ENDPOINT_URL_LAMBDA"] = lambda_endpoint
    return env


def table_request(table: TableConfig) -> tuple[dict[str, Any], list[str]]:
    """Turn a table's CloudFormation properties into create_table arguments and warnings."""
    props = table.properties
    request: dict[str, Any] = {"TableName": table.name}
    request.update({key: props[key] for key in _PASSED_AS_IS if key in props})
    request.setdefault("BillingMode", "PROVISIONED" if "ProvisionedThroughput" in props
                       else "PAY_PER_REQUEST")
    stream = props.get("StreamSpecification")
    if isinstance(stream, Mapping) and "StreamViewType" in stream:
        # CloudFormation enables the stream by naming a view type; the API wants both.
        request["StreamSpecification"] = {"StreamEnabled": True,
                                          "StreamViewType": stream["StreamViewType"]}
    known = {*_PASSED_AS_IS, *_IGNORED, "TableName", "StreamSpecification",
             "TimeToLiveSpecification"}
    warnings = [f"resources.Resources.{table.logical_id}.Properties.{key} is not emulated"
                for key in props if key not in known]
    warnings += [f"resources.Resources.{table.logical_id}.Properties.{key} has no local effect"
                 for key in props if key in _IGNORED]
    return request, warnings


def table_warnings(service: ServiceConfig) -> list[str]:
    """Name the table properties of `resources:` that are not emulated."""
    return [warning for table in service.tables for warning in table_request(table)[1]]


def create_tables(service: ServiceConfig, endpoint: str) -> None:
    """Create every table of `resources:` that does not exist yet at a DynamoDB endpoint."""
    # boto3 only for --dynamodb-endpoint and reloads: not on the start-up path
    client = local_boto3_session().client(
        "dynamodb", endpoint_url=endpoint, region_name=service.region,
        aws_access_key_id="emulator", aws_secret_access_key=FAKE_SECRET,
    )
    existing = set(client.list_tables().get("TableNames", []))
    for table in service.tables:
        if table.name in existing:
            continue
        started = time.perf_counter()
        setup = table_setup(table)
        client.create_table(**setup["CreateTable"])
        if "UpdateTimeToLive" in setup:
            client.update_time_to_live(**setup["UpdateTimeToLive"])
        log.debug("table %s created in %.0f ms", table.name,
                  (time.perf_counter() - started) * 1000)


def table_setup(table: TableConfig) -> dict[str, Any]:
    """The API calls that create one table of `resources:` (CreateTable, then its TTL)."""
    request, _ = table_request(table)
    setup: dict[str, Any] = {"CreateTable": request}
    ttl = table.properties.get("TimeToLiveSpecification")
    if isinstance(ttl, Mapping) and ttl.get("Enabled"):
        setup["UpdateTimeToLive"] = {
            "TableName": table.name,
            "TimeToLiveSpecification": {"Enabled": True,
                                        "AttributeName": str(ttl["AttributeName"])}}
    return setup


def iam_settings(service: ServiceConfig) -> IamSettings:
    """The role the Serverless Framework creates for the service, and who signs as which key."""
    return IamSettings(
        account_id=service.account_id, region=service.region,
        role_name=f"{service.service}-{service.stage}-{service.region}-lambdaRole",
        statements=service.iam_statements,
        functions={access_key_for(f): f.full_name for f in service.functions.values()},
        statements_key=service.iam_key)


def moto_settings(service: ServiceConfig, *, enforce_iam: bool, state_file: Path | None,
                  seed_file: Path | None, serve_dynamodb: bool, verbose: bool) -> MotoSettings:
    """What the moto process needs: tables, role, state file, seed data (read and checked)."""
    from emulator.aws.state import load_seed

    if not serve_dynamodb:  # --dynamodb-endpoint: DynamoDB calls never reach moto
        if enforce_iam and service.iam_statements:
            log.warning("--dynamodb-endpoint: the role statements are not enforced on DynamoDB "
                        "calls, which go straight to that endpoint (it keeps its own state)")
        return MotoSettings(region=service.region, verbose=verbose)
    for warning in policy_warnings(service.iam_statements) if enforce_iam else ():
        log.warning("%s", warning)
    seed = load_seed(seed_file, service.tables) if seed_file is not None else {}
    return MotoSettings(
        region=service.region, tables=tuple(table_setup(t) for t in service.tables),
        iam=iam_settings(service) if enforce_iam else None,
        # No table in resources: nothing of this service to keep (and no folder to create).
        state_file=str(state_file) if state_file is not None and service.tables else None,
        seed=seed, seed_source=str(seed_file or ""), verbose=verbose)
