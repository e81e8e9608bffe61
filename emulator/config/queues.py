"""The SQS queues and S3 buckets of `resources:`, and what their Ref / Fn::GetAtt answer.

CloudFormation return values ("AWS::SQS::Queue", "AWS::S3::Bucket" in the CloudFormation
User Guide, sections "Return values"): a queue's Ref is its URL and Fn::GetAtt gives Arn,
QueueName and QueueUrl; a bucket's Ref is its name and Fn::GetAtt gives Arn, DomainName,
RegionalDomainName (and DualStackDomainName, WebsiteURL).
"""

from __future__ import annotations

import json
import re
from typing import Any

from emulator.config.document import Document
from emulator.config.intrinsics import CfnContext, resolve_intrinsics, unresolved_intrinsics
from emulator.config.service import BucketConfig, QueueConfig
from emulator.config.yamlfile import KeyPath

QUEUE = "AWS::SQS::Queue"
BUCKET = "AWS::S3::Bucket"
TYPES = frozenset({QUEUE, BUCKET})
_KEY = ("resources", "Resources")
# Queue properties create_queue takes as Attributes (CloudFormation names them the same).
_ATTRIBUTES = ("DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod",
               "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "FifoQueue",
               "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit",
               "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId",
               "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled")
# Bucket properties a handler cannot observe through moto: accepted without a note.
_BUCKET_NO_LOCAL_EFFECT = frozenset({
    "BucketName", "Tags", "BucketEncryption", "PublicAccessBlockConfiguration",
    "OwnershipControls", "LoggingConfiguration", "MetricsConfigurations",
    "AnalyticsConfigurations", "InventoryConfigurations", "IntelligentTieringConfigurations"})
_BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_QUEUE_NAME = re.compile(r"[A-Za-z0-9_-]{1,80}")


def queue_url(region: str, account_id: str, name: str) -> str:
    return f"https://sqs.{region}.amazonaws.com/{account_id}/{name}"


def with_queues_and_buckets(doc: Document, context: CfnContext, service: str, stage: str
                            ) -> CfnContext:
    """`context` plus the Ref / Fn::GetAtt values of the queues and buckets of `resources:`."""
    refs, attributes = dict(context.refs), dict(context.attributes)
    region, account = context.region, context.account_id
    for logical_id, kind, name, _ in _named(doc, context, service, stage):
        if kind == QUEUE:
            url = queue_url(region, account, name)
            refs[logical_id] = url
            attributes.update({f"{logical_id}.Arn": f"arn:aws:sqs:{region}:{account}:{name}",
                               f"{logical_id}.QueueName": name, f"{logical_id}.QueueUrl": url})
        else:
            refs[logical_id] = name
            attributes.update({
                f"{logical_id}.Arn": f"arn:aws:s3:::{name}",
                f"{logical_id}.DomainName": f"{name}.s3.amazonaws.com",
                f"{logical_id}.RegionalDomainName": f"{name}.s3.{region}.amazonaws.com",
                f"{logical_id}.DualStackDomainName": f"{name}.s3.dualstack.{region}.amazonaws.com",
                f"{logical_id}.WebsiteURL": f"http://{name}.s3-website-{region}.amazonaws.com"})
    return CfnContext(region, account, context.stack_name, refs, attributes)


def read_queues_and_buckets(doc: Document, context: CfnContext, service: str, stage: str
                            ) -> tuple[tuple[QueueConfig, ...], tuple[BucketConfig, ...]]:
    """The queues (dead-letter targets first) and buckets, properties resolved in `context`."""
    queues: list[QueueConfig] = []
    buckets: list[BucketConfig] = []
    for logical_id, kind, name, props in _named(doc, context, service, stage):
        key = (*_KEY, logical_id, "Properties")
        if kind == BUCKET:
            for prop in props:
                if prop not in _BUCKET_NO_LOCAL_EFFECT:
                    doc.note((*key, prop))
            buckets.append(BucketConfig(logical_id, name))
            continue
        queues.append(_queue(doc, logical_id, name, resolve_intrinsics(props, context), key))
    targets = {q.dead_letter_target for q in queues}
    queues.sort(key=lambda q: q.name not in targets)  # a RedrivePolicy names an existing queue
    return tuple(queues), tuple(buckets)


def _named(doc: Document, context: CfnContext, service: str, stage: str
           ) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(logical id, type, name, raw Properties) of each queue and bucket, in file order."""
    resources = doc.mapping(doc.mapping(doc.doc.get("resources"), _KEY[:1]).get(_KEY[1]), _KEY)
    found = []
    for logical_id, raw in resources.items():
        resource = doc.mapping(raw, (*_KEY, logical_id))
        kind = resource.get("Type")
        if kind not in TYPES:
            continue
        key = (*_KEY, str(logical_id), "Properties")
        props = doc.mapping(resource.get("Properties"), key)
        if kind == QUEUE:
            name = _queue_name(doc, props, context, key, f"{service}-{stage}-{logical_id}")
        else:
            name = _bucket_name(doc, props, context, key, f"{service}-{stage}-{logical_id}")
        found.append((str(logical_id), str(kind), name, props))
    return found


def _queue_name(doc: Document, props: dict[str, Any], context: CfnContext, key: KeyPath,
                generated: str) -> str:
    fifo = resolve_intrinsics(props.get("FifoQueue"), context) in (True, "true")
    given = resolve_intrinsics(props.get("QueueName"), context)
    if given is None:
        # CloudFormation generates "{stack}-{LogicalId}-{random}" (".fifo" added for a FIFO
        # queue); the emulator's name is stable across restarts.
        base = generated[:75] if fifo else generated[:80]
        return base + ".fifo" if fifo else base
    if not isinstance(given, str):
        raise doc.error((*key, "QueueName"), "QueueName must resolve to a string")
    stem = given.removesuffix(".fifo")
    if not _QUEUE_NAME.fullmatch(stem) or len(given) > 80:
        raise doc.error((*key, "QueueName"), "a queue name is 1-80 characters of "
                                              "[A-Za-z0-9_-] (a FIFO queue's ends in .fifo)")
    if fifo != given.endswith(".fifo"):
        raise doc.error((*key, "QueueName"), "the name of a FIFO queue (FifoQueue: true) must "
                                              "end in .fifo, and only a FIFO queue's may")
    return given


def _bucket_name(doc: Document, props: dict[str, Any], context: CfnContext, key: KeyPath,
                 generated: str) -> str:
    given = resolve_intrinsics(props.get("BucketName"), context)
    if given is None:  # lower case, [a-z0-9.-], 3-63 characters, as S3 requires
        name = re.sub(r"[^a-z0-9-]+", "-", generated.lower())[:63].strip("-")
        return name if len(name) >= 3 else f"{name}-bucket"
    if not isinstance(given, str) or not _BUCKET_NAME.fullmatch(given):
        raise doc.error((*key, "BucketName"), "a bucket name is 3-63 characters of lower-case "
                                               "letters, digits, '.' and '-'")
    return given


def _queue(doc: Document, logical_id: str, name: str, props: dict[str, Any], key: KeyPath
           ) -> QueueConfig:
    attributes: dict[str, str] = {}
    target = None
    for prop, value in props.items():
        where = (*key, prop)
        if prop in ("QueueName", "Tags"):
            continue
        if prop not in _ATTRIBUTES:
            doc.note(where)
            continue
        if unresolved := unresolved_intrinsics(value, where):
            doc.note(*unresolved[0])
            continue
        if prop == "RedrivePolicy":
            target = _dead_letter_target(doc, value, where)
        attributes[prop] = _attribute(value)
    return QueueConfig(logical_id, name, attributes, target)


def _dead_letter_target(doc: Document, policy: Any, key: KeyPath) -> str:
    if isinstance(policy, str):
        try:
            policy = json.loads(policy)
        except ValueError:
            raise doc.error(key, "RedrivePolicy must be a mapping or JSON text") from None
    arn = policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None
    count = policy.get("maxReceiveCount") if isinstance(policy, dict) else None
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        raise doc.error(key, "RedrivePolicy needs deadLetterTargetArn, a queue ARN")
    if isinstance(count, bool) or not isinstance(count, int | str) or not str(count).isdigit():
        raise doc.error(key, "RedrivePolicy needs maxReceiveCount, a positive integer")
    return arn.rsplit(":", 1)[-1]


def _attribute(value: Any) -> str:
    """create_queue Attributes are strings: booleans lower case, policies as JSON text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value)
    return str(value)
