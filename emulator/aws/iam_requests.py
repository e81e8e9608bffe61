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
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Check:
    """One IAM authorization: an action on a resource ARN."""

    action: str
    resource: str


# Operations whose IAM action takes no resource ARN (the resource is "*").
_NO_RESOURCE = frozenset({
    "ListTables", "DescribeLimits", "DescribeEndpoints", "ListBackups", "ListGlobalTables",
    "ListExports", "ListImports", "ListContributorInsights", "DescribeReservedCapacity",
    "DescribeReservedCapacityOfferings", "PurchaseReservedCapacityOfferings",
})
_TRANSACT_ACTIONS = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                     "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
_ARN_FIELDS = ("ResourceArn", "TableArn", "BackupArn", "ExportArn", "ImportArn")
_NAME = r'(?:"(?P<{0}q>[^"]+)"|(?P<{0}u>[A-Za-z_]\w*))'
_PARTIQL = re.compile(
    r"^\s*(?:(?P<verb>select)\b.*?\bfrom|(?P<verb2>insert)\s+into|(?P<verb3>update)"
    r"|(?P<verb4>delete)\s+from)\s+" + _NAME.format("t") + r"(?:\." + _NAME.format("i") + ")?",
    re.IGNORECASE | re.DOTALL)


def dynamodb_checks(operation: str, body: Any, region: str, account_id: str
                    ) -> list[Check] | None:
    """Return every authorization the request needs; None when it cannot be told."""
    if not isinstance(body, Mapping):
        return None
    arns = _Arns(region, account_id)
    if operation in _NO_RESOURCE:
        return [Check(f"dynamodb:{operation}", "*")]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        tables = body.get("RequestItems")
        if not isinstance(tables, Mapping):
            return None
        return [Check(f"dynamodb:{operation}", arns.table(str(t))) for t in tables]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return _transact_checks(body.get("TransactItems"), arns)
    if operation in ("ExecuteStatement", "BatchExecuteStatement", "ExecuteTransaction"):
        return _partiql_checks(operation, body, arns)
    return _single_checks(operation, body, arns)


def _single_checks(operation: str, body: Mapping[str, Any], arns: _Arns) -> list[Check]:
    action = f"dynamodb:{operation}"
    table = body.get("TableName")
    if isinstance(table, str):
        index = body.get("IndexName")
        if isinstance(index, str) and operation in ("Query", "Scan"):
            return [Check(action, arns.index(table, index))]
        return [Check(action, arns.table(table))]
    for name in _ARN_FIELDS:
        if isinstance(body.get(name), str):
            return [Check(action, body[name])]
    return [Check(action, "*")]


def _transact_checks(items: Any, arns: _Arns) -> list[Check] | None:
    if not isinstance(items, list):
        return None
    checks = []
    for item in items:
        if not isinstance(item, Mapping) or len(item) != 1:
            return None
        ((kind, request),) = item.items()
        if kind not in _TRANSACT_ACTIONS or not isinstance(request, Mapping):
            return None
        checks.append(Check(f"dynamodb:{_TRANSACT_ACTIONS[kind]}",
                            arns.table(str(request.get("TableName")))))
    return checks


def _partiql_checks(operation: str, body: Mapping[str, Any], arns: _Arns
                    ) -> list[Check] | None:
    if operation == "ExecuteStatement":
        statements = [body.get("Statement")]
    else:
        entries = body.get("Statements" if operation == "BatchExecuteStatement"
                           else "TransactStatements")
        if not isinstance(entries, list):
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
    """`SELECT * FROM "T"."I"` -> dynamodb:PartiQLSelect on the index; None if not parsed."""
    match = _PARTIQL.match(statement)
    if match is None:
        return None
    verb = next(v for v in match.group("verb", "verb2", "verb3", "verb4") if v)
    table = match.group("tq") or match.group("tu")
    index = match.group("iq") or match.group("iu")
    resource = arns.index(table, index) if index else arns.table(table)
    return Check(f"dynamodb:PartiQL{verb.capitalize()}", resource)


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
