"""Which IAM actions on which resources a DynamoDB request needs, as AWS authorizes it.

Sources: AWS, "Actions, resources, and condition keys for Amazon DynamoDB" (the action is
`dynamodb:<Operation>`; the resource is the table, or the index a Query/Scan names; listing
operations have no resource, `*`), "Using IAM with DynamoDB transactions" (each item of a
transaction is authorized as its underlying PutItem / UpdateItem / DeleteItem / GetItem /
ConditionCheckItem) and the PartiQL operations (`dynamodb:PartiQLSelect`, ...Insert, ...Update,
...Delete). Batch operations need their action on every table they touch.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Check:
    """One IAM authorization: an action on a resource ARN."""

    action: str
    resource: str


_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
_NAME = r'(?:"(?P<{0}q>[^"]+)"|(?P<{0}u>[A-Za-z_]\w*))'
# The PartiQL shapes whose one table can be told for sure; anything else is refused. A
# projection holds no string literal and no second FROM, the table is followed by the end or
# by the clause its verb allows (no `FROM a, b`).
_PARTIQL = re.compile(
    r"^\s*(?:(?P<select>select)\s+(?P<projection>(?:[^'\"]|\"[^\"]*\")*?)\s+from"
    r"|(?P<insert>insert)\s+into|(?P<update>update)|(?P<delete>delete)\s+from)\s+"
    + _NAME.format("t") + r"(?:\." + _NAME.format("i") + r")?"
    r"(?:\s*;?\s*$|\s+(?P<clause>where|value|set|remove)\b)", re.IGNORECASE | re.DOTALL)
_CLAUSES = {"select": ("where",), "insert": ("value",), "update": ("set", "remove", "where"),
            "delete": ("where",)}

Checks = list[Check] | None  # None: the request cannot be told, so it is refused
Checker = Callable[[str, Mapping[str, Any], "_Arns"], Checks]


def dynamodb_checks(operation: str, body: Any, region: str, account_id: str) -> Checks:
    """Return every authorization the request needs; None when it cannot be told (refuse it).

    `operation` is the part of `X-Amz-Target` after `DynamoDB_20120810.` (or
    `DynamoDBStreams_20120810.`); moto's router serves only exact names, and an operation
    missing from OPERATIONS gets None too.
    """
    checker = OPERATIONS.get(operation)
    if checker is None or not isinstance(body, Mapping):
        return None
    return checker(f"dynamodb:{operation}", body, _Arns(region, account_id))


def _nothing(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
    return [Check(action, "*")]  # listing operations take no resource ARN


def _fields(*fields: str, index: bool = False) -> Checker:
    """The action on every table or ARN the body names in `fields` (all must be there)."""
    def checks(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
        values = [body.get(name) for name in fields]
        if not all(isinstance(v, str) and v for v in values):
            return None
        index_name = body.get("IndexName") if index else None
        if index_name is not None and not isinstance(index_name, str):
            return None
        return [Check(action, arns.index(v, index_name) if index_name else arns.table(v))
                for v in values if isinstance(v, str)]
    return checks


def _one_of(*fields: str) -> Checker:
    """The action on the first of `fields` the body names (a name or an ARN)."""
    def checks(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
        named = next((name for name in fields if name in body), None)
        return _fields(named)(action, body, arns) if named else None
    return checks


def _restore_to_point_in_time(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
    source = _one_of("SourceTableName", "SourceTableArn")(action, body, arns)
    target = _fields("TargetTableName")(action, body, arns)
    return source + target if source is not None and target is not None else None


def _import_table(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
    creation = body.get("TableCreationParameters")
    return _fields("TableName")(action, creation, arns) if isinstance(creation, Mapping) \
        else None


def _batch(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
    """Batch operations need their action on every table they touch."""
    tables = body.get("RequestItems")
    if not isinstance(tables, Mapping) or not tables:
        return None
    return [Check(action, arns.table(str(t))) for t in tables]


def _transact(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
    """Each item as its own action, on every table it names: an item with two keys (`{"Put":
    {...}, "Update": {...}}`) is checked for both, and one whose keys name no table is refused."""
    items = body.get("TransactItems")
    if not isinstance(items, list) or not items:
        return None
    checks: list[Check] = []
    for item in items:
        if not isinstance(item, Mapping) or not item:
            return None
        for kind, request in item.items():
            table = request.get("TableName") if isinstance(request, Mapping) else None
            if kind not in _TRANSACT_ACTIONS or not isinstance(table, str) or not table:
                return None
            checks.append(Check(f"dynamodb:{_TRANSACT_ACTIONS[kind]}", arns.table(table)))
    return checks


def _partiql(action: str, body: Mapping[str, Any], arns: _Arns) -> Checks:
    if action == "dynamodb:ExecuteStatement":
        statements = [body.get("Statement")]
    else:
        entries = body.get("Statements" if action == "dynamodb:BatchExecuteStatement"
                           else "TransactStatements")
        if not isinstance(entries, list) or not entries:
            return None
        statements = [e.get("Statement") if isinstance(e, Mapping) else None for e in entries]
    checks = []
    for statement in statements:
        check = partiql_check(statement, arns) if isinstance(statement, str) else None
        if check is None:
            return None
        checks.append(check)
    return checks


def partiql_check(statement: str, arns: _Arns) -> Check | None:
    """`SELECT * FROM "T"."I"` -> dynamodb:PartiQLSelect on the index; None if not told."""
    match = _PARTIQL.match(statement)
    if match is None:
        return None
    verb = next(v for v in match.group("select", "insert", "update", "delete") if v).lower()
    clause = (match.group("clause") or "").lower()
    projection = match.group("projection") or ""
    if (clause and clause not in _CLAUSES[verb]) or re.search(r"\bfrom\b", projection, re.I):
        return None
    table = match.group("tq") or match.group("tu")
    index = match.group("iq") or match.group("iu")
    resource = arns.index(table, index) if index else arns.table(table)
    return Check(f"dynamodb:PartiQL{verb.capitalize()}", resource)


_TABLE = _fields("TableName")
# Every DynamoDB (and DynamoDB Streams) operation moto 5.2 serves, and how its authorization is
# told (AWS, "Actions, resources, and condition keys for Amazon DynamoDB"). An operation not
# listed here is refused to a function's key. docs/security.md lists the same table.
OPERATIONS: dict[str, Checker] = {
    **dict.fromkeys((
        "GetItem", "PutItem", "UpdateItem", "DeleteItem", "CreateTable", "DeleteTable",
        "DescribeTable", "UpdateTable", "DescribeTimeToLive", "UpdateTimeToLive",
        "DescribeContinuousBackups", "UpdateContinuousBackups", "CreateBackup"), _TABLE),
    "Query": _fields("TableName", index=True),
    "Scan": _fields("TableName", index=True),
    **dict.fromkeys(("ListTables", "DescribeLimits", "DescribeEndpoints", "ListBackups",
                     "ListExports", "ListStreams"), _nothing),
    "BatchGetItem": _batch, "BatchWriteItem": _batch,
    "TransactGetItems": _transact, "TransactWriteItems": _transact,
    "ExecuteStatement": _partiql, "BatchExecuteStatement": _partiql,
    "ExecuteTransaction": _partiql,
    **{op: _fields("ResourceArn") for op in (
        "TagResource", "UntagResource", "ListTagsOfResource", "GetResourcePolicy",
        "PutResourcePolicy", "DeleteResourcePolicy")},
    "DescribeBackup": _fields("BackupArn"), "DeleteBackup": _fields("BackupArn"),
    "RestoreTableFromBackup": _fields("TargetTableName", "BackupArn"),
    "RestoreTableToPointInTime": _restore_to_point_in_time,
    "ExportTableToPointInTime": _fields("TableArn"),
    "DescribeExport": _fields("ExportArn"),
    "ImportTable": _import_table,
    "DescribeImport": _fields("ImportArn"),
    # DynamoDB Streams: the stream's ARN; GetRecords names only an opaque shard iterator, so
    # which stream it reads cannot be told: refused.
    "DescribeStream": _fields("StreamArn"), "GetShardIterator": _fields("StreamArn"),
}
REFUSED = ("GetRecords",)  # served by moto, never allowed to a function's key


@dataclass(frozen=True, slots=True)
class _Arns:
    region: str
    account_id: str

    def table(self, name: str) -> str:
        if name.startswith("arn:"):  # DynamoDB accepts a table ARN wherever a name goes
            return name
        return f"arn:aws:dynamodb:{self.region}:{self.account_id}:table/{name}"

    def index(self, table: str, index: str) -> str:
        return f"{self.table(table)}/index/{index}"
