"""What serverless-lift's constructs deploy: CloudFormation resources, variables, permissions.

Follows lift's src/constructs/aws/{Queue,Storage,DatabaseDynamoDBSingleTable}.ts: each
construct is a CDK construct in the service's stack, so its resources carry CDK's logical ids
(`makeUniqueId`: "jobsQueueCEDBAE3E"), its `${construct:id.name}` variables are CloudFormation
intrinsics on those ids (`variable`, the source emulator/config/sources.py registers), and its
permissions are IAM statements lift appends to the role. Pure functions of a construct's
settings; validating them and extending the document is emulator/config/lift.py's.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any

from emulator.config.errors import ConfigError
from emulator.config.yamlfile import KeyPath

PLUGIN = "serverless-lift"
QUEUE, STORAGE, DATABASE = "queue", "storage", "database/dynamodb-single-table"
# Lift's other construct types and the variables they expose (none of them is emulated).
NOT_EMULATED: Mapping[str, tuple[str, ...]] = {
    "webhook": ("busName",),
    "static-website": ("cname", "assetsBucketName"),
    "single-page-app": ("cname", "assetsBucketName"),
    "server-side-website": ("url", "cname", "assetsBucketName"),
    "vpc": (),
}
DLQ_RETENTION_S = 1_209_600  # 14 days, "the maximum" (Queue.ts)
STORAGE_ACTIONS = (  # Storage.ts STORAGE_IAM_ACTIONS
    "s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetObjectAcl",
    "s3:PutObjectAcl", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:DeleteObjectTagging",
    "s3:GetObjectAttributes", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts",
    "s3:ListBucketMultipartUploads", "s3:RestoreObject")
TABLE_ACTIONS = (  # DatabaseDynamoDBSingleTable.ts permissions()
    "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
    "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
    "dynamodb:UpdateItem", "dynamodb:ConditionCheckItem")


def lift_enabled(plugins: Any) -> bool:
    """Whether `plugins:` (a list, or v1's {modules: [...]}) loads serverless-lift."""
    if isinstance(plugins, dict):
        plugins = plugins.get("modules")
    return isinstance(plugins, list) and PLUGIN in [str(p) for p in plugins]


def cdk_logical_id(*path: str) -> str:
    """CDK's `makeUniqueId` of a construct path: ("jobs", "Queue", "Resource") -> "jobsQueue<hash>".

    The human part drops "Resource" and any component the previous one ends with; the hash is
    the first 8 hex digits of the MD5 of the path joined with "/" (aws-cdk-lib uniqueid.ts).
    """
    human: list[str] = []
    for part in path:
        if not human or not human[-1].endswith(part):
            human.append(part)
    text = "".join(re.sub(r"[^A-Za-z0-9]", "", p) for p in human if p != "Resource")
    return text[:240] + hashlib.md5("/".join(path).encode()).hexdigest()[:8].upper()


def logical_id(construct_id: str, child: str) -> str:
    """The logical id of a construct's resource (child "Queue", "Dlq", "Bucket", "Table")."""
    return cdk_logical_id(construct_id, child, "Resource")


def _get_att(logical: str, attribute: str) -> dict[str, Any]:
    return {"Fn::GetAtt": [logical, attribute]}


def _join(delimiter: str, *items: Any) -> dict[str, Any]:
    return {"Fn::Join": [delimiter, list(items)]}


def variables(construct_id: str, settings: Mapping[str, Any]) -> dict[str, Any]:
    """What lift's `variables()` returns for an emulated construct ({} for the others)."""
    kind = settings.get("type")
    if kind == QUEUE:
        queue, dlq = logical_id(construct_id, "Queue"), logical_id(construct_id, "Dlq")
        return {"queueUrl": {"Ref": queue}, "queueArn": _get_att(queue, "Arn"),
                "dlqUrl": {"Ref": dlq}, "dlqArn": _get_att(dlq, "Arn")}
    if kind == STORAGE:
        bucket = logical_id(construct_id, "Bucket")
        found = {"bucketArn": _get_att(bucket, "Arn"), "bucketName": {"Ref": bucket}}
        if settings.get("publicPath") is not None:
            found["publicUrl"] = _join("", "https://", _get_att(bucket, "RegionalDomainName"))
        return found
    if kind == DATABASE:
        table = logical_id(construct_id, "Table")
        return {"tableName": {"Ref": table}, "tableArn": _get_att(table, "Arn"),
                "tableStreamArn": _get_att(table, "StreamArn")}
    return {}


def variable_names(settings: Mapping[str, Any]) -> tuple[str, ...]:
    """The variables a construct of any lift type exposes (emulated or not)."""
    kind = str(settings.get("type"))
    return tuple(variables("x", settings)) or NOT_EMULATED.get(kind, ())


def queue_resources(construct_id: str, stack: str, *, visibility_timeout: float,
                    max_retries: int, fifo: bool, delay: float | None,
                    kms_managed: bool) -> dict[str, Any]:
    """The queue and its dead-letter queue, as Queue.ts declares them (DLQ first)."""
    base = f"{stack}-{construct_id}"
    queue, dlq = logical_id(construct_id, "Queue"), logical_id(construct_id, "Dlq")
    common: dict[str, Any] = {"FifoQueue": True} if fifo else {}
    if kms_managed:
        common["KmsMasterKeyId"] = "alias/aws/sqs"  # CDK's QueueEncryption.KMS_MANAGED
    dlq_props = {"QueueName": f"{base}-dlq.fifo" if fifo else f"{base}-dlq",
                 "MessageRetentionPeriod": DLQ_RETENTION_S, **common}
    props: dict[str, Any] = {
        "QueueName": f"{base}.fifo" if fifo else base,
        "VisibilityTimeout": _number(visibility_timeout),
        "RedrivePolicy": {"deadLetterTargetArn": _get_att(dlq, "Arn"),
                          "maxReceiveCount": max_retries},
        **common}
    if fifo:
        props["ContentBasedDeduplication"] = True
    if delay is not None:
        props["DelaySeconds"] = _number(delay)
    removal = {"UpdateReplacePolicy": "Delete", "DeletionPolicy": "Delete"}
    return {dlq: {"Type": "AWS::SQS::Queue", "Properties": dlq_props, **removal},
            queue: {"Type": "AWS::SQS::Queue", "Properties": props, **removal}}


def queue_event(construct_id: str, *, batch_size: int, window: float,
                concurrency: int | None) -> dict[str, Any]:
    """The `sqs` event lift subscribes the worker with (Queue.ts appendFunctions)."""
    event: dict[str, Any] = {
        "arn": _get_att(logical_id(construct_id, "Queue"), "Arn"), "batchSize": batch_size,
        "maximumBatchingWindow": _number(window),
        "functionResponseType": "ReportBatchItemFailures"}
    if concurrency is not None:
        event["maximumConcurrency"] = concurrency
    return {"sqs": event}


def queue_permissions(construct_id: str) -> list[dict[str, Any]]:
    queue = _get_att(logical_id(construct_id, "Queue"), "Arn")
    return [_allow(["sqs:SendMessage", "sqs:ChangeMessageVisibility"], [queue])]


def bucket_name(construct_id: str, stack: str) -> str:
    """A stable local bucket name, "{service}-{stage}-{id}-<hash>" (S3's rules: lowercase, <=63).

    CloudFormation would name the unnamed bucket "{stack}-{logicalid}-{random}"; the hash keeps
    the name unique to this service and construct, and the same on every start.
    """
    digest = hashlib.sha256(f"{stack}/{construct_id}".encode()).hexdigest()[:8]
    prefix = re.sub(r"[^a-z0-9-]+", "-", f"{stack}-{construct_id}".lower()).strip("-")
    return f"{prefix[:54].rstrip('-')}-{digest}"


def bucket_resources(construct_id: str, stack: str, settings: Mapping[str, Any]
                     ) -> dict[str, Any]:
    """The bucket of Storage.ts: versioned, encrypted, with lift's lifecycle rules and CORS."""
    algorithm = "aws:kms" if settings.get("encryption") == "kms" else "AES256"
    rules: list[Any] = [
        {"Status": "Enabled",
         "Transitions": [{"StorageClass": "INTELLIGENT_TIERING", "TransitionInDays": 0}]},
        {"Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 30}}]
    for rule in settings.get("lifecycleRules") or []:
        rules.append({"Status": "Enabled", **_capitalized(rule)})
    props: dict[str, Any] = {
        "BucketName": bucket_name(construct_id, stack),
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": algorithm}}]},
        "VersioningConfiguration": {"Status": "Enabled"},
        "LifecycleConfiguration": {"Rules": rules}}
    cors = settings.get("cors")
    if isinstance(cors, str):
        props["CorsConfiguration"] = {"CorsRules": [
            {"AllowedOrigins": [cors], "AllowedMethods": ["GET", "PUT", "DELETE"],
             "AllowedHeaders": ["*"]}]}
    elif isinstance(cors, list):
        props["CorsConfiguration"] = {"CorsRules": [_capitalized(rule) for rule in cors]}
    removal = {"UpdateReplacePolicy": "Retain", "DeletionPolicy": "Retain"}
    return {logical_id(construct_id, "Bucket"): {"Type": "AWS::S3::Bucket",
                                                  "Properties": props, **removal}}


def bucket_permissions(construct_id: str) -> list[dict[str, Any]]:
    arn = _get_att(logical_id(construct_id, "Bucket"), "Arn")
    return [_allow(list(STORAGE_ACTIONS), [arn, _join("/", arn, "*")])]


def table_resources(construct_id: str, *, gsi_count: int, local_indexes: bool
                    ) -> dict[str, Any]:
    """The single table of DatabaseDynamoDBSingleTable.ts: PK/SK, LSI-1..5, GSI-1..n."""
    keys = ["PK", "SK"]
    props: dict[str, Any] = {
        "KeySchema": [_key("PK", "HASH"), _key("SK", "RANGE")],
        "BillingMode": "PAY_PER_REQUEST",
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
        "TimeToLiveSpecification": {"AttributeName": "TimeToLive", "Enabled": True}}
    if local_indexes:
        props["LocalSecondaryIndexes"] = [
            {"IndexName": f"LSI-{n}", "KeySchema": [_key("PK", "HASH"),
                                                    _key(f"LSI-{n}-SK", "RANGE")],
             "Projection": {"ProjectionType": "ALL"}} for n in range(1, 6)]
        keys += [f"LSI-{n}-SK" for n in range(1, 6)]
    if gsi_count:
        props["GlobalSecondaryIndexes"] = [
            {"IndexName": f"GSI-{n}", "KeySchema": [_key(f"GSI-{n}-PK", "HASH"),
                                                    _key(f"GSI-{n}-SK", "RANGE")],
             "Projection": {"ProjectionType": "ALL"}} for n in range(1, gsi_count + 1)]
        keys += [k for n in range(1, gsi_count + 1) for k in (f"GSI-{n}-PK", f"GSI-{n}-SK")]
    props["AttributeDefinitions"] = [{"AttributeName": k, "AttributeType": "S"} for k in keys]
    removal = {"UpdateReplacePolicy": "Retain", "DeletionPolicy": "Retain"}
    return {logical_id(construct_id, "Table"): {"Type": "AWS::DynamoDB::Table",
                                                 "Properties": props, **removal}}


def table_permissions(construct_id: str) -> list[dict[str, Any]]:
    arn = _get_att(logical_id(construct_id, "Table"), "Arn")
    return [_allow(list(TABLE_ACTIONS), [arn, _join("/", arn, "index", "*")])]


def _allow(actions: list[str], resources: list[Any]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}  # CloudFormation.ts


def _key(name: str, kind: str) -> dict[str, str]:
    return {"AttributeName": name, "KeyType": kind}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _capitalized(value: Any) -> Any:
    """Storage.ts capitalizeKeys: lifecycle and CORS rules are written in camelCase."""
    if isinstance(value, dict):
        return {str(k)[:1].upper() + str(k)[1:]: _capitalized(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_capitalized(v) for v in value]
    return value


# --- ${construct:<id>.<name>} ---------------------------------------------------------------

class LiftVariableError(ValueError):
    """A `${construct:...}` that names no construct or no variable of it."""


def variable(address: str, config: Callable[[KeyPath], Any]) -> Any:
    """The intrinsic lift gives `${construct:<address>}`; None for a construct not emulated.

    `config` reads one resolved key of the document. Only the construct's `type` (and a
    storage's `publicPath`) is read, so a worker may use its own queue's variables.
    """
    cid, _, name = address.partition(".")
    if not lift_enabled(config(("plugins",))):
        raise LiftVariableError(f'the "construct" source is {PLUGIN}\'s, which is not in '
                                "plugins:")
    kind = config(("constructs", cid, "type"))
    if kind is None:
        raise LiftVariableError(f"no construct named {cid!r} (constructs: "
                                f"{_construct_ids(config)})")
    settings = {"type": kind, "publicPath": config(("constructs", cid, "publicPath"))}
    names = variable_names(settings)
    if not isinstance(kind, str) or (kind not in NOT_EMULATED and not names):
        raise LiftVariableError(f"constructs.{cid} has an unknown type {kind!r}")
    if name not in names:
        has = f"has {', '.join(names)}" if names else "exposes no variable"
        raise LiftVariableError(f"{cid} ({kind}) has no variable {name!r}: it {has}")
    return variables(cid, settings).get(name)


def variable_hint(address: str, config: Callable[[KeyPath], Any]) -> str:
    """What to do about a variable of a construct that is not emulated."""
    cid, _, name = address.partition(".")
    kind = config(("constructs", cid, "type"))
    return (f"lift's {kind} construct is not emulated, so {cid}.{name} has no local value: "
            "write the value instead, or start with --placeholder-remote")


def _construct_ids(config: Callable[[KeyPath], Any]) -> str:
    try:
        constructs = config(("constructs",))
    except ConfigError:  # a construct that cannot resolve (it is reported where it is used)
        return "?"
    return ", ".join(map(str, constructs)) if isinstance(constructs, dict) and constructs \
        else "none"
