"""The local AWS side: moto's server on loopback, the tables from `resources:`, and the
environment that points every boto3 client of a function at it with fake credentials.

Nothing here can reach a real AWS account: endpoints are loopback only, credentials are fake,
and the shared config/credentials files are pointed at paths that do not exist.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from emulator.aws.authn import INTERNAL, Credentials, KeyRing
from emulator.aws.iam import IamSettings, policy_warnings
from emulator.aws.moto_process import MotoSettings
from emulator.config.errors import ConfigError
from emulator.config.service import FunctionConfig, ServiceConfig, TableConfig

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


def local_client(service_name: str, endpoint: str, region: str,
                 key: Credentials = INTERNAL) -> Any:
    """A boto3 client of a local endpoint, signed with the emulator's own key (no function's
    role applies; its secret never leaves the emulator) unless another process's `key` is
    given (the developer's), reading nothing of the developer's AWS configuration."""
    return local_boto3_session().client(
        service_name, endpoint_url=endpoint, region_name=region,
        aws_access_key_id=key.access_key, aws_secret_access_key=key.secret)


def access_key_for(function: FunctionConfig) -> str:
    """Return the fake access key of one function: distinct per function, stable across runs."""
    digest = hashlib.sha256(function.full_name.encode()).hexdigest().upper()
    return "ASIA" + "".join(c for c in digest if c in "ABCDEF0123456789")[:16]


def function_aws_env(function: FunctionConfig, *, endpoint: str,
                     dynamodb_endpoint: str | None = None,
                     lambda_endpoint: str | None = None,
                     keys: KeyRing | None = None) -> dict[str, str]:
    """Return the AWS settings of one function's environment: its key, local endpoints.

    The secret is the function's own for this run (authn.KeyRing), so its calls are known as
    its own; without a KeyRing (--no-iam: nothing is checked) a fixed fake one."""
    key = access_key_for(function)
    env = {
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": keys.function_secret(key) if keys else FAKE_SECRET,
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
    client = local_client("dynamodb", endpoint, service.region)
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
                  seed_file: Path | None, serve_dynamodb: bool, verbose: bool,
                  keys: KeyRing | None = None) -> MotoSettings:
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
        seed=seed, seed_source=str(seed_file or ""), verbose=verbose, keys=keys)
