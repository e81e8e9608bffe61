"""The `stream` events of functions: DynamoDB Streams event source mappings.

Read as the Serverless Framework v3 compiles them (lib/plugins/aws/package/compile/events/
stream.js): `stream: ARN` or a mapping {arn, type (dynamodb | kinesis), batchSize (1-10000,
default 100), startingPosition (LATEST | TRIM_HORIZON, default TRIM_HORIZON), enabled,
maximumBatchingWindow (0-300 s), maximumRetryAttempts (-1 = until the record expires, up to
10000), bisectBatchOnFunctionError, functionResponseType (ReportBatchItemFailures),
filterPatterns, ...}. The arn is usually `Fn::GetAtt: [Table, StreamArn]`: a table of
`resources:` without a StreamSpecification has no StreamArn, and CloudFormation refuses the
deploy, so that is a config error here. Kinesis streams are named as not emulated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from emulator.config.events.base import Scope
from emulator.config.events.sqs import read_filter_patterns
from emulator.config.intrinsics import resolve_intrinsics, unresolved_intrinsics
from emulator.config.yamlfile import KeyPath, format_path

_KNOWN = frozenset({"arn", "type", "batchSize", "startingPosition", "enabled",
                    "maximumBatchingWindow", "maximumRetryAttempts", "bisectBatchOnFunctionError",
                    "functionResponseType", "filterPatterns", "maximumRecordAgeInSeconds",
                    "parallelizationFactor", "destinations", "tumblingWindowInSeconds",
                    "startingPositionTimestamp", "consumer"})
_NOT_EMULATED = ("maximumRecordAgeInSeconds", "parallelizationFactor", "destinations",
                 "tumblingWindowInSeconds")
_LIMITS = {"batchSize": (1, 10000), "maximumBatchingWindow": (0, 300),
           "maximumRetryAttempts": (-1, 10000)}


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One `stream` event of type dynamodb: a mapping Lambda polls the table's stream for."""

    kind: ClassVar[str] = "stream"
    function: str
    key: str
    arn: str  # arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL (LABEL may be *)
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    enabled: bool = True
    maximum_batching_window_s: int = 0
    maximum_retry_attempts: int = -1  # -1: until the record expires (24 h)
    bisect_on_error: bool = False
    report_batch_item_failures: bool = False
    filter_patterns: tuple[str, ...] = ()

    @property
    def table_name(self) -> str:
        return self.arn.split(":table/", 1)[1].split("/", 1)[0]


def read_stream(scope: Scope, function: str, raw: Any, key: KeyPath) -> StreamEvent | None:
    """One event; None for a kinesis stream or an arn the emulator cannot resolve (noted)."""
    doc = scope.doc
    options: dict[str, Any] = {"arn": raw} if not isinstance(raw, dict) or (
        any(str(k) == "Ref" or str(k).startswith("Fn::") for k in raw)) else raw
    for name in options:
        if name not in _KNOWN:
            doc.note((*key, str(name)), "unknown stream setting")
    where = (*key, "arn") if options is raw else key
    arn = resolve_intrinsics(options.get("arn"), scope.cfn)
    kind = options.get("type") or ("kinesis" if ":kinesis:" in str(arn) else "dynamodb")
    if kind not in ("dynamodb", "kinesis"):
        raise doc.error((*key, "type"), "type must be dynamodb or kinesis")
    if kind == "kinesis":
        doc.note(key, "a Kinesis stream")
        return None
    if unresolved := unresolved_intrinsics(arn, where):
        doc.note(*unresolved[0])
        return None
    if not isinstance(arn, str) or ":dynamodb:" not in arn or "/stream/" not in arn:
        raise doc.error(where, "expected a table's stream ARN (Fn::GetAtt: [Table, StreamArn] "
                               f"or arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/stream/LABEL), "
                               f"got {arn!r}")
    _check_stream_enabled(scope, arn, where)
    for name in _NOT_EMULATED:
        if options.get(name) is not None:
            doc.note((*key, name))
    return StreamEvent(
        function=function, key=format_path(key), arn=arn,
        batch_size=_integer(scope, options, key, "batchSize", 100),
        starting_position=_position(scope, options.get("startingPosition"), key),
        enabled=_flag(scope, options, key, "enabled", True),
        maximum_batching_window_s=_integer(scope, options, key, "maximumBatchingWindow", 0),
        maximum_retry_attempts=_integer(scope, options, key, "maximumRetryAttempts", -1),
        bisect_on_error=_flag(scope, options, key, "bisectBatchOnFunctionError", False),
        report_batch_item_failures=_response_type(scope, options, key),
        filter_patterns=read_filter_patterns(doc, options.get("filterPatterns"),
                                             (*key, "filterPatterns")))


def _check_stream_enabled(scope: Scope, arn: str, key: KeyPath) -> None:
    """A table of `resources:` must declare a StreamSpecification (CloudFormation's rule)."""
    name = arn.split(":table/", 1)[1].split("/", 1)[0]
    tables: Mapping[str, Mapping[str, Any]] = scope.extra.get("tables", {})
    if name in tables and not isinstance(tables[name].get("StreamSpecification"), dict):
        raise scope.doc.error(key, f"table {name} has no StreamSpecification in resources: "
                                   "it has no stream (add StreamSpecification: "
                                   "{StreamViewType: NEW_AND_OLD_IMAGES})")


def _position(scope: Scope, value: Any, key: KeyPath) -> str:
    if value is None:
        return "TRIM_HORIZON"
    if value not in ("LATEST", "TRIM_HORIZON"):
        raise scope.doc.error((*key, "startingPosition"), "startingPosition of a DynamoDB "
                                                          "stream is LATEST or TRIM_HORIZON")
    return str(value)


def _response_type(scope: Scope, options: dict[str, Any], key: KeyPath) -> bool:
    value = options.get("functionResponseType")
    if value not in (None, "ReportBatchItemFailures"):
        raise scope.doc.error((*key, "functionResponseType"),
                              "the only value is ReportBatchItemFailures")
    return value is not None


def _flag(scope: Scope, options: dict[str, Any], key: KeyPath, name: str, default: bool
          ) -> bool:
    value = options.get(name, default)
    if not isinstance(value, bool):
        raise scope.doc.error((*key, name), "must be true or false")
    return value


def _integer(scope: Scope, options: dict[str, Any], key: KeyPath, name: str,
             default: int) -> int:
    value = options.get(name)
    if value is None:
        return default
    low, high = _LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise scope.doc.error((*key, name), f"{name} must be an integer from {low} to {high}")
    return value
