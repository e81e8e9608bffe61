"""The `sqs` events of functions: event source mappings, as the Serverless Framework v3 reads them.

`sqs: arn:aws:sqs:...` or a mapping {arn, batchSize, maximumBatchingWindow,
functionResponseType, enabled, filterPatterns, maximumConcurrency}; the arn may be an
intrinsic (`Fn::GetAtt: [Queue, Arn]`), resolved against the queues of `resources:`. The
limits are the framework's schema (lib/plugins/aws/package/compile/events/sqs.js).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from emulator.config.document import Document
from emulator.config.events.base import Scope
from emulator.config.events.filters import FilterError, parse_patterns
from emulator.config.intrinsics import resolve_intrinsics, unresolved_intrinsics
from emulator.config.yamlfile import KeyPath, format_path

_KNOWN = frozenset({"arn", "batchSize", "maximumBatchingWindow", "functionResponseType",
                    "enabled", "filterPatterns", "maximumConcurrency"})
# name -> (minimum, maximum), as the framework's schema validates them
_LIMITS = {"batchSize": (1, 10000), "maximumBatchingWindow": (0, 300),
           "maximumConcurrency": (2, 1000)}


@dataclass(frozen=True, slots=True)
class SqsEvent:
    """One `sqs` event of a function: an event source mapping Lambda polls the queue for."""

    kind: ClassVar[str] = "sqs"
    function: str  # key under `functions:`
    arn: str  # the queue's ARN (intrinsics resolved)
    key: str  # where it is in serverless.yml, e.g. "functions.worker.events[0].sqs"
    batch_size: int = 10
    maximum_batching_window_s: int = 0
    report_batch_item_failures: bool = False  # functionResponseType: ReportBatchItemFailures
    enabled: bool = True
    maximum_concurrency: int | None = None
    filter_patterns: tuple[str, ...] = ()  # JSON texts (config/events/filters.py)

    @property
    def queue_name(self) -> str:
        return self.arn.rsplit(":", 1)[-1]


def read_sqs(scope: Scope, function: str, raw: Any, key: KeyPath) -> SqsEvent | None:
    """One event; None when its arn names something the emulator cannot resolve (noted)."""
    doc = scope.doc
    options: dict[str, Any] = {"arn": raw} if isinstance(raw, str) else raw
    if not isinstance(options, dict):
        raise doc.error(key, "sqs must be a queue ARN or a mapping with arn:")
    if any(str(name) == "Ref" or str(name).startswith("Fn::") for name in options):
        raise doc.error(key, "the framework takes an intrinsic under arn: "
                             "(sqs: {arn: !GetAtt Queue.Arn})")
    if "arn" not in options:
        raise doc.error(key, "arn is required (the queue's ARN, or Fn::GetAtt: [Queue, Arn])")
    for name in options:
        if name not in _KNOWN:  # the framework warns (configValidationMode: warn)
            doc.note((*key, str(name)), "unknown sqs setting")
    arn = resolve_intrinsics(options["arn"], scope.cfn)
    where = (*key, "arn") if isinstance(raw, dict) else key
    if unresolved := unresolved_intrinsics(arn, where):
        doc.note(*unresolved[0])
        return None
    if not isinstance(arn, str) or not arn.startswith("arn:") or len(arn.split(":")) != 6:
        raise doc.error(where, f"expected a queue ARN (arn:aws:sqs:REGION:ACCOUNT:NAME), "
                               f"got {arn!r}")
    response_type = options.get("functionResponseType")
    if response_type not in (None, "ReportBatchItemFailures"):
        raise doc.error((*key, "functionResponseType"), "the only value is "
                                                        "ReportBatchItemFailures")
    enabled = options.get("enabled", True)
    if not isinstance(enabled, bool):
        raise doc.error((*key, "enabled"), "must be true or false")
    patterns = read_filter_patterns(doc, options.get("filterPatterns"),
                                    (*key, "filterPatterns"))
    batch_size = _integer(doc, options, key, "batchSize", 10)
    window = _integer(doc, options, key, "maximumBatchingWindow", 0)
    if batch_size > 10 and window < 1:  # Lambda's CreateEventSourceMapping refuses it
        raise doc.error((*key, "batchSize"), "a batchSize over 10 needs "
                                             "maximumBatchingWindow of at least 1 second")
    return SqsEvent(
        function=function, arn=arn, key=format_path(key), batch_size=batch_size,
        maximum_batching_window_s=window,
        report_batch_item_failures=response_type is not None, enabled=enabled,
        maximum_concurrency=_integer(doc, options, key, "maximumConcurrency", None),
        filter_patterns=patterns)


def read_filter_patterns(doc: Document, raw: Any, key: KeyPath) -> tuple[str, ...]:
    """`filterPatterns`, checked as CreateEventSourceMapping checks them; () when absent."""
    if raw is None:
        return ()
    try:
        return parse_patterns(raw)
    except FilterError as exc:
        raise doc.error(key, str(exc)) from None


def _integer(doc: Document, options: dict[str, Any], key: KeyPath, name: str,
             default: int | None) -> Any:
    value = options.get(name)
    if value is None:
        return default
    low, high = _LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise doc.error((*key, name), f"{name} must be an integer from {low} to {high}")
    return value
