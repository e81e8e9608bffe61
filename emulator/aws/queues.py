"""The queues and buckets of `resources:`, created in moto (in its memory only).

Created with boto3 at start and on each reload, as create_tables does for --dynamodb-endpoint:
a queue or bucket that exists already is left as it is (with its messages or objects).
Dead-letter targets come first (config/queues.py orders them): a RedrivePolicy names a queue
that must exist.
"""

from __future__ import annotations

import logging
from typing import Any

from emulator.aws.tables import FAKE_SECRET, local_boto3_session
from emulator.config.service import ServiceConfig

log = logging.getLogger(__name__)


def local_client(service_name: str, endpoint: str, region: str) -> Any:
    """A boto3 client of moto's, signed with the emulator's own key (no IAM role applies)."""
    return local_boto3_session().client(
        service_name, endpoint_url=endpoint, region_name=region,
        aws_access_key_id="emulator", aws_secret_access_key=FAKE_SECRET)


def create_queues_and_buckets(service: ServiceConfig, endpoint: str) -> None:
    """Create the queues and buckets of `resources:` that do not exist yet at moto."""
    if service.queues:
        sqs = local_client("sqs", endpoint, service.region)
        existing = {url.rsplit("/", 1)[-1] for url in sqs.list_queues().get("QueueUrls", [])}
        for queue in service.queues:
            if queue.name not in existing:
                sqs.create_queue(QueueName=queue.name, Attributes=dict(queue.attributes))
                log.debug("queue %s created", queue.name)
    if service.buckets:
        s3 = local_client("s3", endpoint, service.region)
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        for bucket in service.buckets:
            if bucket.name in existing:
                continue
            # S3 refuses a LocationConstraint of us-east-1 (the default region needs none)
            where = ({} if service.region == "us-east-1" else
                     {"CreateBucketConfiguration": {"LocationConstraint": service.region}})
            s3.create_bucket(Bucket=bucket.name, **where)
            log.debug("bucket %s created", bucket.name)
