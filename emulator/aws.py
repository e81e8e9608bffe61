"""The local AWS side: moto's server on loopback, the tables from `resources:`, and the
environment that points every boto3 client of a function at it with fake credentials.

Nothing here can reach a real AWS account: endpoints are loopback only, credentials are fake,
and the shared config/credentials files are pointed at paths that do not exist.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from emulator.config import FunctionConfig, ServiceConfig, TableConfig
from emulator.errors import ConfigError

log = logging.getLogger(__name__)

FAKE_SECRET = "emulator-fake-secret-access-key"
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
    """moto in a child process of ours (see emulator/moto_process.py)."""

    process: subprocess.Popen[bytes]
    endpoint: str

    @classmethod
    def start(cls, host: str = "127.0.0.1") -> MotoServer:
        """Start moto on a free loopback port and return once it listens."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "emulator.moto_process", "--host", host],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().strip()
        if not line.startswith("PORT "):
            proc.kill()
            raise RuntimeError(f"moto did not start (it printed {line!r})")
        return cls(proc, f"http://{host}:{int(line.split()[1])}")

    def stop(self) -> None:
        """Stop moto and reap the process."""
        if self.process.poll() is None:
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


def access_key_for(function: FunctionConfig) -> str:
    """Return the fake access key of one function: distinct per function, stable across runs."""
    digest = hashlib.sha256(function.full_name.encode()).hexdigest().upper()
    return "ASIA" + "".join(c for c in digest if c in "ABCDEF0123456789")[:16]


def function_aws_env(function: FunctionConfig, *, endpoint: str,
                     dynamodb_endpoint: str | None = None) -> dict[str, str]:
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


def create_tables(service: ServiceConfig, endpoint: str) -> list[str]:
    """Create every table of `resources:` that does not exist yet; return warnings."""
    client = boto3.client(
        "dynamodb", endpoint_url=endpoint, region_name=service.region,
        aws_access_key_id="emulator", aws_secret_access_key=FAKE_SECRET,
    )
    existing = set(client.list_tables().get("TableNames", []))
    warnings: list[str] = []
    for table in service.tables:
        request, table_warnings = table_request(table)
        warnings += table_warnings
        if table.name in existing:
            continue
        started = time.perf_counter()
        client.create_table(**request)
        ttl = table.properties.get("TimeToLiveSpecification")
        if isinstance(ttl, Mapping) and ttl.get("Enabled"):
            client.update_time_to_live(
                TableName=table.name,
                TimeToLiveSpecification={"Enabled": True,
                                         "AttributeName": str(ttl["AttributeName"])})
        log.debug("table %s created in %.0f ms", table.name,
                  (time.perf_counter() - started) * 1000)
    return warnings
