"""serverless-lift's `constructs:`, applied to the resolved serverless.yml as lift applies them.

Lift (getlift/lift, src/plugin.ts) extends the service's definition: at `initialize` it builds
each construct, appends the constructs' IAM statements to the role (unless
`lift.automaticPermissions: false`), adds a queue's worker function with its `sqs` event, and
later adds the constructs' CloudFormation resources. The emulator does the same on the resolved
document, so the resources, functions and role statements that result are read like any
others: `queue` -> two AWS::SQS::Queue, `storage` -> an AWS::S3::Bucket,
`database/dynamodb-single-table` -> an AWS::DynamoDB::Table. The website, webhook and vpc
constructs are named as not emulated. `${construct:<id>.<name>}` is lift_constructs.variable.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from emulator.config import lift_constructs as built
from emulator.config.document import Document
from emulator.config.fragments import merge
from emulator.config.lift_constructs import PLUGIN, lift_enabled
from emulator.config.yamlfile import KeyPath

_ID = re.compile(r"[a-zA-Z0-9-_]+")  # lift's CONSTRUCT_ID_PATTERN
_COMMON_KEYS = frozenset({"type", "extensions", "provider"})
_KEYS = {  # each construct's schema (additionalProperties: false)
    built.QUEUE: {"worker", "maxRetries", "alarm", "batchSize", "maxBatchingWindow",
                  "maxConcurrency", "fifo", "delay", "encryption", "encryptionKey"},
    built.STORAGE: {"archive", "encryption", "allowAcl", "publicPath", "cors", "lifecycleRules"},
    built.DATABASE: {"localSecondaryIndexes", "gsiCount"},
}
_EXTENSIONS = {built.QUEUE: ("queue", "Queue", "dlq", "Dlq"), built.STORAGE: ("bucket", "Bucket"),
               built.DATABASE: ("table", "Table")}


def apply_constructs(document: dict[str, Any], path: Path, lines: dict[KeyPath, int],
                     stage: str | None = None) -> tuple[dict[str, Any], list[str]]:
    """The document as lift extends it, and the settings it found not emulated.

    `stage` is the CLI's --stage (else provider.stage, else "dev"): lift names the queues
    after the stack, "{service}-{stage}".
    """
    lift = _Lift(document, path, lines)
    return lift.apply(stage), lift.unsupported


class _Lift(Document):
    def apply(self, stage: str | None) -> dict[str, Any]:
        if self.doc.get("constructs") is None:
            return self.doc
        if not lift_enabled(self.doc.get("plugins")):
            self.note(("constructs",), f"{PLUGIN} is not in plugins:")
            return self.doc
        self.out = copy.deepcopy(self.doc)
        service = self.out.get("service")
        if isinstance(service, dict):  # the legacy `service: {name: ...}` form
            service = service.get("name")
        self.stack = f"{service}-{stage or self.provider.get('stage') or 'dev'}"
        statements: list[Any] = []
        for cid, raw in self.mapping(self.doc["constructs"], ("constructs",)).items():
            statements += self.construct(str(cid), raw, ("constructs", str(cid)))
        lift = self.mapping(self.doc.get("lift"), ("lift",))
        automatic = lift.get("automaticPermissions", True)
        if not isinstance(automatic, bool):
            raise self.error(("lift", "automaticPermissions"), "must be true or false")
        if statements and automatic:
            self.add_statements(statements)
        return self.out

    def construct(self, cid: str, raw: Any, key: KeyPath) -> list[Any]:
        """Add one construct's resources (and worker); its role statements."""
        settings = self.mapping(raw, key)
        kind = settings.get("type")
        if not _ID.fullmatch(cid):
            raise self.error(key, "a construct id may hold only letters, digits, - and _ "
                                  "(lift's pattern ^[a-zA-Z0-9-_]+$)")
        if isinstance(kind, str) and kind in built.NOT_EMULATED:
            self.note(key, kind)  # named in the start warning's "not emulated" list
            return []
        if not isinstance(kind, str) or kind not in _KEYS:
            known = ", ".join([*_KEYS, *built.NOT_EMULATED])
            raise self.error((*key, "type") if "type" in settings else key,
                             f"unknown construct type {kind!r}: lift knows {known}")
        if settings.get("provider") not in (None, "aws"):
            self.note((*key, "provider"), "a lift provider other than aws")
            return []
        for name in settings:
            if name not in _KEYS[kind] | _COMMON_KEYS:
                self.note((*key, str(name)), f"not a {kind} setting lift knows")
        if kind == built.QUEUE:
            resources, statements = self.queue(cid, settings, key)
        elif kind == built.STORAGE:
            resources, statements = self.storage(cid, settings, key)
        else:
            resources, statements = self.database(cid, settings, key)
        self.extend(resources, settings, kind, key)
        self.add_resources(resources)
        return statements

    # --- the three emulated constructs ------------------------------------------------------

    def queue(self, cid: str, settings: dict[str, Any], key: KeyPath
              ) -> tuple[dict[str, Any], list[Any]]:
        worker, fifo = settings.get("worker"), self.flag(settings, key, "fifo")
        functions = self.out.get("functions")
        functions = self.out["functions"] = dict(functions) if isinstance(functions, dict) else {}
        if worker is None:
            raise self.error(key, "no 'worker' defined: a queue needs a worker function "
                                  "(worker: {handler: file.function}, or a function's name)")
        if isinstance(worker, str):
            existing = functions.get(worker)
            if not isinstance(existing, dict):
                raise self.error((*key, "worker"), f"'worker' must name a function of "
                                 f"functions: (there are: {', '.join(functions) or 'none'})")
            name, timeout = worker, existing.get("timeout")
        elif isinstance(worker, dict):
            name, timeout = f"{cid}Worker", worker.get("timeout")
            functions[name] = merge(functions.get(name), worker)  # lift's addFunction
        else:
            raise self.error((*key, "worker"), "must be a function's settings or its name")
        if timeout is not None and (isinstance(timeout, bool) or
                                    not isinstance(timeout, int | float) or timeout <= 0):
            raise self.error((*key, "worker", "timeout"), "must be a positive number")
        window = self.number(settings, key, "maxBatchingWindow", 0, 300) or 0
        batch = self.number(settings, key, "batchSize", 1, 10000)
        if batch is not None and batch > 10 and (fifo or not window):
            raise self.error((*key, "batchSize"), "must be between 1 and 10 for a FIFO queue"
                             if fifo else "over 10 needs maxBatchingWindow greater than 0")
        delay = self.number(settings, key, "delay", 0, 900)
        retries = self.number(settings, key, "maxRetries", 0, None)
        concurrency = self.number(settings, key, "maxConcurrency", 2, 1000)
        if settings.get("alarm") is not None:
            self.note((*key, "alarm"), "the DLQ alarm e-mail")
        # "6 times the lambda function's timeout + MaximumBatchingWindowInSeconds" (Queue.ts;
        # AWS: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). Lift reads the
        # worker's own `timeout` only, else the framework's default of 6 s.
        resources = built.queue_resources(
            cid, self.stack, visibility_timeout=float(timeout or 6) * 6 + window,
            max_retries=int(3 if retries is None else retries), fifo=fifo,
            delay=delay, kms_managed=self.encryption(settings, key))
        spec = functions[name] = dict(functions[name])
        events = spec.get("events")
        spec["events"] = [*(events if isinstance(events, list) else []), built.queue_event(
            cid, batch_size=int(batch or 1), window=window,
            concurrency=None if concurrency is None else int(concurrency))]
        return resources, built.queue_permissions(cid)

    def encryption(self, settings: dict[str, Any], key: KeyPath) -> bool:
        """Whether the queue is KMS_MANAGED; `kms` with its own key is noted as not emulated."""
        mode = settings.get("encryption")
        if mode in (None, ""):
            return False
        if mode == "kmsManaged":
            return True
        if mode != "kms":
            raise self.error((*key, "encryption"), f"must be one of kms, kmsManaged, null; "
                                                   f"{mode!r} given")
        if not settings.get("encryptionKey"):
            raise self.error((*key, "encryptionKey"), "must be set when encryption is kms")
        self.note((*key, "encryption"), "a KMS key of its own")
        return False

    def storage(self, cid: str, settings: dict[str, Any], key: KeyPath
                ) -> tuple[dict[str, Any], list[Any]]:
        self.number(settings, key, "archive", 30, None)
        self.flag(settings, key, "allowAcl")
        if settings.get("encryption", "s3") not in ("s3", "kms"):
            raise self.error((*key, "encryption"), "must be s3 or kms")
        for name, kinds, shape in (("publicPath", str, "a path prefix"),
                                   ("cors", str | list, "an origin or a list of CORS rules"),
                                   ("lifecycleRules", list, "a list of lifecycle rules")):
            if settings.get(name) is not None and not isinstance(settings[name], kinds):
                raise self.error((*key, name), f"must be {shape}")
        if settings.get("publicPath") is not None:
            self.note((*key, "publicPath"), "public reads need a bucket policy")
        return (built.bucket_resources(cid, self.stack, settings),
                built.bucket_permissions(cid))

    def database(self, cid: str, settings: dict[str, Any], key: KeyPath
                 ) -> tuple[dict[str, Any], list[Any]]:
        count = self.number(settings, key, "gsiCount", 1, 20, integer=True)
        local = self.flag(settings, key, "localSecondaryIndexes")
        return (built.table_resources(cid, gsi_count=int(count or 0), local_indexes=local),
                built.table_permissions(cid))

    # --- settings ---------------------------------------------------------------------------

    def number(self, settings: dict[str, Any], key: KeyPath, name: str, low: float,
               high: float | None, *, integer: bool = False) -> float | None:
        """A numeric setting within lift's schema bounds (None when absent)."""
        value = settings.get(name)
        if value is None:
            return None
        wanted = "an integer" if integer else "a number"
        bounds = f"from {low:g}" + ("" if high is None else f" to {high:g}")
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or (integer and not float(value).is_integer())
                or value < low or (high is not None and value > high)):
            raise self.error((*key, name), f"must be {wanted} {bounds}, got {value!r}")
        return float(value)

    def flag(self, settings: dict[str, Any], key: KeyPath, name: str) -> bool:
        value = settings.get(name, False)
        if not isinstance(value, bool):
            raise self.error((*key, name), f"must be true or false, got {value!r}")
        return value

    # --- what lift adds to the service ------------------------------------------------------

    def extend(self, resources: dict[str, Any], settings: dict[str, Any], kind: str,
               key: KeyPath) -> None:
        """Apply `extensions:` (lift's escape hatch) to the construct's CloudFormation."""
        names = _EXTENSIONS[kind]
        available = dict(zip(names[::2], names[1::2], strict=True))
        cid = key[-1]
        for name, override in self.mapping(settings.get("extensions"),
                                           (*key, "extensions")).items():
            if name not in available:
                raise self.error((*key, "extensions", str(name)), f"no extension {name!r} "
                                 f"on a {kind}: there are {', '.join(available)}")
            target = built.logical_id(str(cid), available[name])
            resources[target] = _override(resources[target], self.mapping(
                override, (*key, "extensions", str(name))))

    def add_resources(self, resources: dict[str, Any]) -> None:
        section = self.out.get("resources")
        section = self.out["resources"] = dict(section) if isinstance(section, dict) else {}
        existing = section.get("Resources")
        section["Resources"] = {**(existing if isinstance(existing, dict) else {}), **resources}

    def add_statements(self, statements: list[Any]) -> None:
        """Where lift puts them: provider.iam.role.statements if the file has that key."""
        provider = self.out["provider"] = dict(self.mapping(self.out.get("provider"),
                                                            ("provider",)))
        iam = provider.get("iam")
        role = iam.get("role") if isinstance(iam, dict) else None
        if isinstance(iam, dict) and isinstance(role, dict) and "statements" in role:
            provider["iam"] = {**iam, "role": {**role, "statements": [
                *(role["statements"] or []), *statements]}}
        else:
            provider["iamRoleStatements"] = [*(provider.get("iamRoleStatements") or []),
                                             *statements]


def _override(target: Any, override: dict[str, Any]) -> Any:
    """CDK addOverride per leaf path: mappings merge, lists and scalars replace."""
    out = dict(target) if isinstance(target, dict) else {}
    for name, value in override.items():
        out[name] = _override(out.get(name), value) if isinstance(value, dict) else value
    return out
