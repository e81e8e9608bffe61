"""The DynamoDB tables of `resources:`, with the CloudFormation intrinsics the emulator answers."""

from __future__ import annotations

from typing import Any

from emulator.config.cognito import TYPES as COGNITO_TYPES
from emulator.config.document import Document
from emulator.config.intrinsics import CfnContext, resolve_intrinsics, unresolved_intrinsics
from emulator.config.queues import TYPES as QUEUE_TYPES
from emulator.config.queues import with_queues_and_buckets
from emulator.config.service import TableConfig
from emulator.config.variables import ACCOUNT_ID


def read_tables(doc: Document, service: str, stage: str, region: str
           ) -> tuple[CfnContext, tuple[TableConfig, ...]]:
    key = ("resources", "Resources")
    resources = doc.mapping(doc.mapping(doc.doc.get("resources"), key[:1]).get(key[1]), key)
    base = CfnContext(region, ACCOUNT_ID, f"{service}-{stage}")
    found: list[tuple[str, str, dict[str, Any]]] = []
    for logical_id, raw in resources.items():
        rkey = (*key, logical_id)
        resource = doc.mapping(raw, rkey)
        if resource.get("Type") != "AWS::DynamoDB::Table":
            if resource.get("Type") not in {*COGNITO_TYPES, *QUEUE_TYPES,  # cognito.py, queues.py
                                            "AWS::ApiGateway::GatewayResponse"}:
                doc.note(rkey, str(resource.get("Type")))
            continue
        props = doc.mapping(resource.get("Properties"), (*rkey, "Properties"))
        # Without TableName CloudFormation generates "{stack}-{LogicalId}-{random}"; the
        # emulator uses "{service}-{stage}-{LogicalId}" (stable across restarts).
        name = resolve_intrinsics(props.get("TableName"), base) or (
            f"{service}-{stage}-{logical_id}")
        if not isinstance(name, str):
            raise doc.error((*rkey, "Properties", "TableName"),
                             "TableName must resolve to a string")
        found.append((str(logical_id), name, props))
    context = with_queues_and_buckets(doc, _stack_context(base, found), service, stage)
    tables = []
    for logical_id, name, props in found:
        properties = resolve_intrinsics({**props, "TableName": name}, context)
        for where, what in unresolved_intrinsics(properties, (*key, logical_id, "Properties")):
            doc.note(where, what)
        tables.append(TableConfig(logical_id, name, properties))
    return context, tuple(tables)


def _stack_context(base: CfnContext, tables: list[tuple[str, str, dict[str, Any]]]
                   ) -> CfnContext:
    """Ref of a table is its name; Fn::GetAtt Arn its ARN (StreamArn: any stream of it)."""
    refs = {logical_id: name for logical_id, name, _ in tables}
    attributes: dict[str, str] = {}
    for logical_id, name, _ in tables:
        arn = f"arn:aws:dynamodb:{base.region}:{base.account_id}:table/{name}"
        attributes[f"{logical_id}.Arn"] = arn
        attributes[f"{logical_id}.StreamArn"] = f"{arn}/stream/*"
    return CfnContext(base.region, base.account_id, base.stack_name, refs, attributes)
