"""The reviews table in DynamoDB: conditional writes, strongly consistent reads, pagination.

The boto3 Table is created lazily, once per execution environment (Lambda reuses module
state between invocations), from the table name in `DYNAMODB_TABLE`. A review's author is
stored as top-level `authorId` / `authorName` (a GSI key must be a top-level attribute); the
index `DYNAMODB_AUTHOR_INDEX` (authorId, createdAt) serves one author's reviews. Only the
author may change or delete a review: the author check is part of the write's condition, so
check and write are one atomic operation and no concurrent request slips between them.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import os
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeGuard

import boto3
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.service_resource import Table

Item = dict[str, Any]
Key = dict[str, str]

_CONDITION_FAILED = "ConditionalCheckFailedException"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
_UPDATE_ATTEMPTS = 10
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,4096}")
# DynamoDB's limit on a partition key value.
_KEY_MAX_BYTES = 2048


class NotFound(Enum):
    """The outcome of a read or conditional write that found no review with that id."""

    NOT_FOUND = "not found"


class NotAuthor(Enum):
    """The outcome of a conditional write refused because the caller is not the author."""

    NOT_AUTHOR = "not the author"


NOT_FOUND = NotFound.NOT_FOUND
NOT_AUTHOR = NotAuthor.NOT_AUTHOR
# The stored fields `author` is shown from; `name` is the free text of reviews stored before
# authors existed (api/authors.py).
AUTHOR_FIELDS = ("authorId", "authorName", "name")
_BY_AUTHOR_KEY = ("authorId", "createdAt", "id")


@dataclass(frozen=True, slots=True)
class Author:
    """A signed-in user: `id` is the user pool's `sub`."""

    id: str
    name: str


class InvalidToken(ValueError):
    """A `nextToken` this API did not produce."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing; `next_token` is None when no item follows."""

    items: list[Item]
    next_token: str | None


@dataclass(frozen=True, slots=True)
class _Stale:
    """A conditional update refused because the stored `updatedAt` is not older."""

    updated_ms: int


@functools.cache
def table() -> Table:
    """Return the reviews Table, created on first use in this execution environment."""
    return boto3.resource("dynamodb").Table(os.environ["DYNAMODB_TABLE"])


def reset() -> None:
    """Forget the Table (a new execution environment, as far as this module knows)."""
    table.cache_clear()


def now_ms() -> int:
    """Return the current time in milliseconds since the epoch."""
    return time.time_ns() // 1_000_000


def timestamp(ms: int) -> str:
    """Format epoch milliseconds as RFC 3339 UTC with milliseconds: 2026-11-27T20:35:32.123Z."""
    moment = _EPOCH + timedelta(milliseconds=ms)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def parse_timestamp(text: str) -> int:
    """Parse a timestamp written by `timestamp` back to epoch milliseconds."""
    moment = datetime.strptime(text, _TIMESTAMP_FORMAT).replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def author_index() -> str:
    """The name of the (authorId, createdAt) index."""
    return os.environ.get("DYNAMODB_AUTHOR_INDEX", "byAuthor")


def create(review: str, author: Author) -> Item:
    """Store a new review by `author`; createdAt and updatedAt are the same instant."""
    stamp = timestamp(now_ms())
    item: Item = {
        "id": str(uuid.uuid4()),
        "review": review,
        "authorId": author.id,
        "authorName": author.name,
        "createdAt": stamp,
        "updatedAt": stamp,
    }
    table().put_item(
        Item=item,
        ConditionExpression="attribute_not_exists(#id)",
        ExpressionAttributeNames={"#id": "id"},
    )
    return item


def get(review_id: str) -> Item | NotFound:
    """Read a review, strongly consistent so a write is visible right after it."""
    reply = table().get_item(Key={"id": review_id}, ConsistentRead=True)
    item: Item | None = reply.get("Item")
    return NOT_FOUND if item is None else item


def delete(review_id: str, author_id: str) -> NotFound | NotAuthor | None:
    """Delete a review of `author_id`; a missing id is NOT_FOUND, another's NOT_AUTHOR."""
    try:
        table().delete_item(
            Key={"id": review_id},
            ConditionExpression="attribute_exists(#id) AND #authorId = :authorId",
            ExpressionAttributeNames={"#id": "id", "#authorId": "authorId"},
            ExpressionAttributeValues={":authorId": author_id},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if _code(exc) != _CONDITION_FAILED:
            raise
        return NOT_AUTHOR if exc.response.get("Item") else NOT_FOUND
    return None


def update(review_id: str, review: str, author: Author) -> Item | NotFound | NotAuthor:
    """Change the text of a review of `author` (and its author name, to the current one);
    never creates: a missing id is NOT_FOUND, another's review NOT_AUTHOR.

    `updatedAt` must strictly increase on every update, also for two updates in the same
    millisecond and for concurrent writers in other execution environments. So the write is
    conditional on the stored `updatedAt` being older than the new value; when it is not,
    DynamoDB returns the stored item with the failure (ReturnValuesOnConditionCheckFailure)
    and we retry with max(now, stored + 1 ms). Check and write are one atomic operation, so
    no interleaving stores a value that is not greater than the one it replaces, and a retry
    happens only after another writer succeeded (the bound guards against a livelock).
    """
    changes = {"review": review, "authorName": author.name}
    stamp = now_ms()
    for _ in range(_UPDATE_ATTEMPTS):
        outcome = _update_if_older(review_id, changes, author.id, timestamp(stamp))
        if not isinstance(outcome, _Stale):
            return outcome
        stamp = max(now_ms(), outcome.updated_ms + 1)
    raise RuntimeError(f"updatedAt of {review_id} kept changing; gave up after retries")


_UPDATE_CONDITION = (
    "attribute_exists(#id) AND #authorId = :authorId"
    " AND (attribute_not_exists(#updatedAt) OR #updatedAt < :updatedAt)"
)


def _update_if_older(
    review_id: str, changes: dict[str, str], author_id: str, updated_at: str
) -> Item | NotFound | NotAuthor | _Stale:
    values = {**changes, "updatedAt": updated_at}
    try:
        reply = table().update_item(
            Key={"id": review_id},
            UpdateExpression="SET " + ", ".join(f"#{name} = :{name}" for name in values),
            ConditionExpression=_UPDATE_CONDITION,
            ExpressionAttributeNames={"#id": "id", "#authorId": "authorId",
                                      **{f"#{name}": name for name in values}},
            ExpressionAttributeValues={":authorId": author_id,
                                       **{f":{name}": value for name, value in values.items()}},
            ReturnValues="ALL_NEW",
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    except ClientError as exc:
        if _code(exc) != _CONDITION_FAILED:
            raise
        return _refusal(exc, author_id)
    attributes: Item = reply["Attributes"]
    return attributes


def _refusal(exc: ClientError, author_id: str) -> NotFound | NotAuthor | _Stale:
    # The item comes back in DynamoDB's wire format: the resource layer does not
    # deserialize error replies.
    old: dict[str, Any] | None = exc.response.get("Item")  # type: ignore[assignment]
    if not old:
        return NOT_FOUND
    if old.get("authorId") != {"S": author_id}:  # another's, or stored before authors
        return NOT_AUTHOR
    return _Stale(parse_timestamp(old["updatedAt"]["S"]))


def list_page(limit: int, start: Key | None, author_id: str | None = None) -> Page:
    """Return up to `limit` items after `start`, with a token only when more items follow:
    every review (a Scan), or those of one author (a Query of the author index).

    A Scan or Query page ends at `Limit` items or 1 MB, and can be short or even empty while
    more items exist, so pages are read until there are limit + 1 items (the extra one shows
    that more exist) or no LastEvaluatedKey. The token is the key of the last item returned
    (for the index: its index key and table key, what DynamoDB's ExclusiveStartKey takes), so
    the next page starts exactly after it: nothing is lost or repeated.
    """
    fields = ("id",) if author_id is None else _BY_AUTHOR_KEY
    items: list[Item] = []
    while True:
        reply = _read(limit + 1 - len(items), start, author_id)
        items.extend(reply.get("Items", []))
        last_key = reply.get("LastEvaluatedKey")
        if len(items) > limit or not last_key:
            break
        start = {name: str(last_key[name]) for name in fields}
    if len(items) <= limit:
        return Page(items, None)
    return Page(items[:limit], encode_token({f: str(items[limit - 1][f]) for f in fields}))


def _read(limit: int, start: Key | None, author_id: str | None) -> dict[str, Any]:
    after: dict[str, Any] = {} if start is None else {"ExclusiveStartKey": start}
    if author_id is None:
        return dict(table().scan(ConsistentRead=True, Limit=limit, **after))
    # A GSI has no strongly consistent reads (AWS, "Using Global Secondary Indexes in
    # DynamoDB"): a review appears in its author's listing once the index has it.
    return dict(table().query(
        IndexName=author_index(), KeyConditionExpression="#authorId = :authorId",
        ExpressionAttributeNames={"#authorId": "authorId"},
        ExpressionAttributeValues={":authorId": author_id}, Limit=limit, **after))


def encode_token(key: Key) -> str:
    """Encode an ExclusiveStartKey as an opaque, URL-safe token."""
    data = json.dumps(key, separators=(",", ":"), sort_keys=True).encode("utf-8")
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_token(token: str) -> Key:
    """Decode a token made by `encode_token`; anything else raises InvalidToken."""
    if _TOKEN.fullmatch(token) is None:
        raise InvalidToken("not URL-safe base64")
    padded = token + "=" * (-len(token) % 4)
    try:
        key = json.loads(base64.b64decode(padded, altchars=b"-_", validate=True))
    except (binascii.Error, ValueError) as exc:
        raise InvalidToken("not base64-encoded JSON") from exc
    if not _is_key(key) or encode_token(key) != token:
        raise InvalidToken("not a key of this table")
    return key


def _is_key(value: object) -> TypeGuard[Key]:
    """A table key {"id"} or an author index key {"authorId", "createdAt", "id"}."""
    if not isinstance(value, dict) or set(value) not in ({"id"}, set(_BY_AUTHOR_KEY)):
        return False
    return all(isinstance(v, str) and 1 <= len(v.encode("utf-8")) <= _KEY_MAX_BYTES
               for v in value.values())
