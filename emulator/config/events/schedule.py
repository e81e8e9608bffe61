"""The `schedule` events of functions: EventBridge rules that run a function on a schedule.

Read as the Serverless Framework v3 compiles them (lib/plugins/aws/package/compile/events/
schedule.js): `schedule: rate(10 minutes)` or a mapping {rate (one expression or a list:
one rule each), enabled, input, inputPath, inputTransformer {inputPathsMap, inputTemplate},
name, description, method, timezone}; at most one of input, inputPath and inputTransformer
(the framework's own error). Expressions are checked as EventBridge checks them at deploy
(emulator/config/events/cron.py). A rule without `name` gets CloudFormation's generated name,
"{stack}-{LogicalId}" without its random suffix; the logical id is the framework's
"{Function}EventsRuleSchedule{n}".
"""

from __future__ import annotations

import json
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any, ClassVar

from emulator.config.document import Document
from emulator.config.events.base import Scope
from emulator.config.events.cron import Schedule, ScheduleError, parse
from emulator.config.yamlfile import KeyPath, format_path

_KNOWN = frozenset({"rate", "enabled", "input", "inputPath", "inputTransformer", "name",
                    "description", "method", "timezone"})
_ONE_OF = ("input", "inputPath", "inputTransformer")
_PATH = re.compile(r"\$(\.[A-Za-z0-9_-]+|\[\d+\])*")  # the JSONPath EventBridge takes


@dataclass(frozen=True, slots=True)
class ScheduleEvent:
    """One rule: its expression, what the target gets, and the rule it is deployed as."""

    kind: ClassVar[str] = "schedule"
    function: str  # key under `functions:`
    key: str  # where the expression is in serverless.yml
    expression: str  # rate(...) or cron(...), as written
    rule_arn: str
    enabled: bool = True
    input: str | None = None  # JSON text: the target gets this instead of the event
    input_path: str | None = None  # JSONPath: the target gets this part of the event
    paths_map: tuple[tuple[str, str], ...] = ()  # inputTransformer.inputPathsMap
    template: str | None = None  # inputTransformer.inputTemplate
    timezone: str | None = None  # method: scheduler's timezone (UTC when None)

    @property
    def schedule(self) -> Schedule:
        return parse(self.expression)


def logical_function_name(name: str) -> str:
    """The framework's normalizeName(WithoutDash): first letter up, - and _ spelled out."""
    text = name.replace("-", "Dash").replace("_", "Underscore")
    return text[:1].upper() + text[1:]


def read_schedules(scope: Scope, function: str, raw: Any, key: KeyPath
                   ) -> tuple[ScheduleEvent, ...]:
    """The rules of one `schedule` event (several when `rate` is a list)."""
    doc = scope.doc
    options: dict[str, Any] = {"rate": raw} if isinstance(raw, str) else raw
    if not isinstance(options, dict):
        raise doc.error(key, "schedule must be an expression (rate(...) or cron(...)) or a "
                             "mapping with rate:")
    for name in options:
        if name not in _KNOWN:
            doc.note((*key, str(name)), "unknown schedule setting")
    if options.get("method") not in (None, "eventBus", "scheduler"):
        raise doc.error((*key, "method"), "method must be eventBus or scheduler")
    given = [name for name in _ONE_OF if options.get(name) is not None]
    if len(given) > 1:
        raise doc.error((*key, given[1]), "You can only set one of input, inputPath, or "
                                          "inputTransformer properties at the same time for "
                                          "schedule events")
    enabled = options.get("enabled", True)
    if not isinstance(enabled, bool):
        raise doc.error((*key, "enabled"), "must be true or false")
    rates = options.get("rate")
    where = key if isinstance(raw, str) or rates is None else (*key, "rate")
    listed = rates if isinstance(rates, list) else [rates]
    paths_map, template = _transformer(doc, options.get("inputTransformer"),
                                       (*key, "inputTransformer"))
    found = []
    for j, rate in enumerate(listed):
        rkey = (*where, j) if isinstance(rates, list) else where
        expression = _expression(doc, rate, rkey)
        name = _rule_name(scope, function, options.get("name"), key)
        found.append(ScheduleEvent(
            function=function, key=format_path(rkey), expression=expression,
            rule_arn=f"arn:aws:events:{scope.cfn.region}:{scope.cfn.account_id}:rule/{name}",
            enabled=enabled, input=_input(doc, options.get("input"), (*key, "input")),
            input_path=_input_path(doc, options.get("inputPath"), (*key, "inputPath")),
            paths_map=paths_map, template=template,
            timezone=_timezone(doc, options.get("timezone"), (*key, "timezone"))))
    return tuple(found)


def _expression(doc: Document, rate: Any, key: KeyPath) -> str:
    if not isinstance(rate, str):
        raise doc.error(key, "rate is required: rate(10 minutes) or cron(0 12 * * ? *)")
    try:
        parse(rate)
    except ScheduleError as exc:
        raise doc.error(key, f"invalid schedule expression: {exc}") from None
    return rate.strip()


def _rule_name(scope: Scope, function: str, name: Any, key: KeyPath) -> str:
    if name is not None:
        return str(name)
    index = int(key[-2]) + 1 if isinstance(key[-2], int) else 1
    return (f"{scope.cfn.stack_name}-{logical_function_name(function)}"
            f"EventsRuleSchedule{index}")[:64]


def _input(doc: Document, value: Any, key: KeyPath) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        return json.dumps(value)  # the framework stringifies an object
    try:
        json.loads(value)
    except ValueError:
        raise doc.error(key, "input must be valid JSON (EventBridge refuses other text)") \
            from None
    return value


def _input_path(doc: Document, value: Any, key: KeyPath) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _PATH.fullmatch(value):
        raise doc.error(key, "inputPath must be a JSONPath such as $.detail")
    return value


def _transformer(doc: Document, value: Any, key: KeyPath
                 ) -> tuple[tuple[tuple[str, str], ...], str | None]:
    if value is None:
        return (), None
    options = doc.mapping(value, key)
    template = options.get("inputTemplate")
    if not isinstance(template, str):
        raise doc.error((*key, "inputTemplate"), "inputTemplate is required (a string)")
    paths = doc.mapping(options.get("inputPathsMap"), (*key, "inputPathsMap"))
    for name, path in paths.items():
        if not isinstance(path, str) or not _PATH.fullmatch(path):
            raise doc.error((*key, "inputPathsMap", str(name)),
                            "each path must be a JSONPath such as $.detail")
    return tuple((str(n), str(p)) for n, p in paths.items()), template


def _timezone(doc: Document, value: Any, key: KeyPath) -> str | None:
    if value is None:
        return None
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise doc.error(key, f"unknown time zone {value!r} (an IANA name such as "
                             "Europe/Paris)") from None
    return str(value)
