"""The queues and buckets of `resources:`, created in moto (in its memory only).

Created with boto3 at start and on each reload, as create_tables does for --dynamodb-endpoint.
A queue that exists already keeps its messages and gets the attributes of the new definition
(CloudFormation updates those in place; FifoQueue cannot change); a bucket that exists is left
as it is. Dead-letter targets come first (config/queues.py orders them): a RedrivePolicy names
a queue that must exist. A definition moto refuses is a ConfigError naming the resource.
"""

from __future__ import annotations

import logging
from typing import Any

from emulator.aws.tables import local_client
from emulator.config.errors import ConfigError
from emulator.config.service import QueueConfig, ServiceConfig

log = logging.getLogger(__name__)


def create_queues_and_buckets(service: ServiceConfig, endpoint: str) -> None:
    """Create (or update) the queues, and create the buckets, of `resources:` at moto."""
    from botocore.exceptions import ClientError

    if service.queues:
        sqs = local_client("sqs", endpoint, service.region)
        existing = {url.rsplit("/", 1)[-1]: url
                    for url in sqs.list_queues().get("QueueUrls", [])}
        for queue in service.queues:
            try:
                _create_or_update(sqs, queue, existing.get(queue.name))
            except ClientError as exc:
                raise ConfigError(str(exc.response.get("Error", {}).get("Message") or exc),
                                  key=f"resources.Resources.{queue.logical_id}") from None
    if service.buckets:
        s3 = local_client("s3", endpoint, service.region)
        present = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        for bucket in service.buckets:
            if bucket.name in present:
                continue
            # S3 refuses a LocationConstraint of us-east-1 (the default region needs none)
            where = ({} if service.region == "us-east-1" else
                     {"CreateBucketConfiguration": {"LocationConstraint": service.region}})
            s3.create_bucket(Bucket=bucket.name, **where)
            log.debug("bucket %s created", bucket.name)


def _create_or_update(sqs: Any, queue: QueueConfig, url: str | None) -> None:
    attributes = dict(queue.attributes)
    if url is None:
        sqs.create_queue(QueueName=queue.name, Attributes=attributes)
        log.debug("queue %s created", queue.name)
        return
    attributes.pop("FifoQueue", None)  # fixed at creation (the name says it too)
    if attributes:
        sqs.set_queue_attributes(QueueUrl=url, Attributes=attributes)
