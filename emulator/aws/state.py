"""DynamoDB state that survives restarts: the snapshot file, seed data, reset.

moto keeps tables in memory only; DynamoDB keeps them until deleted. The emulator snapshots
every table's items to one JSON file per service, stage and region, in DynamoDB's own typed
wire format (`{"N": "1.50"}` keeps a number's exact digits, `{"B": "<base64>"}` binary), so
items round-trip exactly. The file is replaced atomically (temporary file in the same folder,
fsync, rename, fsync of the folder): a crash mid-write leaves the previous snapshot intact.
A snapshot that cannot be loaded as it is (a table's key schema changed, a table left
serverless.yml, the file is unreadable, an item is not a valid DynamoDB item) is moved aside
under a new name, never deleted.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import yaml

from emulator.aws.wire_items import item_problem
from emulator.config.errors import ConfigError
from emulator.config.service import ServiceConfig, TableConfig

FORMAT = "review-api-emulator/dynamodb-snapshot/1"
DEFAULT_STATE_DIR = ".emulator"  # beside serverless.yml; git-ignored, never packaged
KeyShape = tuple[tuple[str, str, str], ...]  # (attribute, HASH|RANGE, S|N|B)


class SnapshotError(Exception):
    """A snapshot file that is not one this emulator wrote."""


@dataclass(frozen=True, slots=True)
class TableState:
    """One table of a snapshot: its key schema and its items in wire format."""

    name: str
    key_schema: tuple[Mapping[str, str], ...]
    attribute_definitions: tuple[Mapping[str, str], ...]
    items: tuple[Mapping[str, Any], ...]

    @property
    def key_shape(self) -> KeyShape:
        return key_shape(self.key_schema, self.attribute_definitions)


def key_shape(key_schema: Iterable[Mapping[str, str]],
              attribute_definitions: Iterable[Mapping[str, str]]) -> KeyShape:
    """Return the table key as (name, HASH|RANGE, type) triples: what items must fit."""
    types = {d["AttributeName"]: d["AttributeType"] for d in attribute_definitions}
    return tuple((k["AttributeName"], k["KeyType"], types.get(k["AttributeName"], "?"))
                 for k in key_schema)


def snapshot_path(service: ServiceConfig, state_dir: Path | None = None) -> Path:
    """The one snapshot file of this service, stage and region (--state-dir, or the default
    folder beside serverless.yml)."""
    folder = state_dir if state_dir is not None else service.root / DEFAULT_STATE_DIR
    return folder.absolute() / f"{service.service}-{service.stage}-{service.region}.json"


def reset(path: Path, echo: Callable[[str], None]) -> None:
    """Remove the snapshot, its set-aside copies and temporary files, naming each first."""
    held = lock(path)
    if held is None:
        raise ConfigError("an emulator using this state is running; stop it first",
                          file=str(path))
    with held:
        files = [f for f in state_files(path) if f.name != f"{path.name}.lock"]
        if not files:
            echo(f"Nothing to remove: no saved state at {path}")
        for file in files:
            echo(f"Removing {file}")
        for file in files:
            file.unlink(missing_ok=True)


def describe_kept(path: Path | None, has_tables: bool = True,
                  reset_command: str = "python -m emulator reset") -> str:
    """Say what the snapshot at path holds once the emulator has stopped (its last line);
    `reset_command` is the command line that removes it (emulator/commands.py)."""
    if path is None:
        return "Nothing saved (--in-memory)."
    if not has_tables:
        return "Nothing to save: serverless.yml defines no tables."
    shown = _relative(path)
    if path.parent.is_dir():
        held = lock(path)
        if held is None:
            return f"Nothing saved by this emulator: another one using {shown} keeps that state."
        held.close()
    try:
        tables = decode_snapshot(path.read_bytes())
    except FileNotFoundError:
        return f"Nothing saved: no table was written to (state file: {shown})."
    except (OSError, SnapshotError) as exc:
        return f"The saved state {shown} cannot be read: {exc}"
    total = sum(len(t.items) for t in tables.values())
    each = ", ".join(f"{t.name}: {len(t.items)}" for t in tables.values())
    return (f"Kept {_count(total, 'item')} in {_count(len(tables), 'table')} ({each}) in "
            f"{shown}: loaded again on the next start; `{reset_command}` removes them.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def encode_snapshot(tables: Iterable[TableState], journal_seq: int = 0) -> bytes:
    """Serialize tables to the snapshot file's bytes (one item per line, for readable diffs);
    `journal_seq` is the last write journal entry they contain (journal.py)."""
    parts = []
    for table in tables:
        head = json.dumps({"KeySchema": list(table.key_schema),
                           "AttributeDefinitions": list(table.attribute_definitions)})
        items = ",\n".join(json.dumps(item, ensure_ascii=False, separators=(",", ":"))
                           for item in table.items)
        parts.append(f'{json.dumps(table.name)}: {head[:-1]}, "Items": [\n{items}\n]}}')
    saved = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return (f'{{"format": "{FORMAT}", "savedAt": "{saved}", "journalSeq": {journal_seq:d}, '
            '"tables": {\n'
            + ",\n".join(parts) + "\n}}\n").encode()


def decode_snapshot(data: bytes) -> dict[str, TableState]:
    """Parse a snapshot file; raise SnapshotError when it is not a valid one."""
    return read_snapshot(data)[0]


def read_snapshot(data: bytes) -> tuple[dict[str, TableState], int]:
    """Parse a snapshot file into its tables and the last journal entry they contain."""
    try:
        document = json.loads(data)
    except ValueError as exc:
        raise SnapshotError(f"not JSON: {exc}") from None
    except RecursionError:  # nested deeper than any snapshot this emulator writes
        raise SnapshotError("nested too deeply to be a snapshot") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotError(f"not a snapshot of this emulator (format {FORMAT!r})")
    tables: dict[str, TableState] = {}
    for name, table in (document.get("tables") or {}).items():
        try:
            tables[name] = TableState(
                name, tuple(table["KeySchema"]), tuple(table["AttributeDefinitions"]),
                tuple(table["Items"]))
            shape = tables[name].key_shape  # validates the key schema's shape
        except (KeyError, TypeError, AttributeError) as exc:
            raise SnapshotError(f"table {name}: malformed ({exc!r})") from None
        for index, item in enumerate(tables[name].items):
            if (problem := item_problem(item, shape)) is not None:
                raise SnapshotError(f"table {name}: item {index}: {problem}")
    seq = document.get("journalSeq", 0)
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 <= seq < 2**63:
        raise SnapshotError(f"journalSeq {seq!r} is not a whole number")
    return tables, seq


def write_atomic(path: Path, data: bytes) -> None:
    """Replace path with data so that a reader sees the old file or the new one, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def lock(path: Path) -> IO[bytes] | None:
    """Take the snapshot's lock (held while the returned file stays open, released however the
    process ends); None when another process holds it. Without fcntl (Windows) no check."""
    path.parent.mkdir(parents=True, exist_ok=True)
    file = open(path.with_name(f"{path.name}.lock"), "a+b")  # noqa: SIM115 - the caller holds it
    try:
        import fcntl

        fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except ImportError:  # pragma: no cover - Windows
        pass
    except OSError:
        file.close()
        return None
    return file


def set_aside(path: Path, reason: str) -> Path:
    """Rename the snapshot out of the way (never delete it); return its new name."""
    stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
    aside = path.with_name(f"{path.name}.{reason}-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.{reason}-{stamp}-{n}")
    os.replace(path, aside)
    return aside


def state_files(path: Path) -> list[Path]:
    """The snapshot, the copies set aside and unfinished temporary files: what reset removes."""
    if not path.parent.is_dir():
        return []
    return sorted(p for p in path.parent.iterdir() if p.is_file() and (
        p.name == path.name or p.name.startswith(f"{path.name}.")
        or (p.name.startswith(f".{path.name}.") and p.name.endswith(".tmp"))))


def wire_value(value: Mapping[str, Any]) -> dict[str, Any]:
    """Return a typed attribute value with binary as base64 text, as on DynamoDB's wire."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {kind: _base64(inner)}
    if kind == "BS":
        return {kind: [_base64(v) for v in inner]}
    if kind == "M":
        return {kind: {k: wire_value(v) for k, v in inner.items()}}
    if kind == "L":
        return {kind: [wire_value(v) for v in inner]}
    return {kind: inner}


def _base64(value: Any) -> str:
    if isinstance(value, str):
        return value  # already wire text
    raw = getattr(value, "value", value)  # boto3's Binary wraps bytes
    return base64.b64encode(bytes(raw)).decode("ascii")


def load_seed(path: Path, tables: Iterable[TableConfig]) -> dict[str, list[dict[str, Any]]]:
    """Read --seed-data (JSON or YAML: table -> list of plain items) into wire-format items.

    A table is named by its TableName or its logical id in `resources:`. Errors name the file,
    the table and the item's index.
    """
    from boto3.dynamodb.types import TypeSerializer

    document = _read_seed(path)
    by_name = {t.name: t for t in tables} | {t.logical_id: t for t in tables}
    serializer = TypeSerializer()
    seed: dict[str, list[dict[str, Any]]] = {}
    for name, items in document.items():
        table = by_name.get(str(name))
        if table is None:
            raise ConfigError(f"no table {name!r} in serverless.yml (tables: "
                              f"{', '.join(t.name for t in tables) or 'none'})", file=str(path))
        if not isinstance(items, list):
            raise ConfigError("must be a list of items", file=str(path), key=str(name))
        seed[table.name] = [_seed_item(serializer, item, table, f"{name}[{i}]", path)
                            for i, item in enumerate(items)]
    return seed


def _read_seed(path: Path) -> dict[Any, Any]:
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() in (".yml", ".yaml"):
            document = _decimals(yaml.safe_load(text))
        else:
            document = json.loads(text, parse_float=Decimal)
    except FileNotFoundError:
        raise ConfigError("file not found", file=str(path), key="--seed-data") from None
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise ConfigError(f"cannot read seed data: {exc}", file=str(path)) from None
    if not isinstance(document, dict):
        raise ConfigError("seed data must map table names to lists of items", file=str(path))
    return document


def _decimals(value: Any) -> Any:
    """YAML floats to Decimal (DynamoDB numbers are decimal; boto3 refuses floats)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    if isinstance(value, set):
        return {_decimals(v) for v in value}
    return value


def _seed_item(serializer: Any, item: Any, table: TableConfig, where: str, path: Path
               ) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigError("an item must be a mapping of attributes", file=str(path), key=where)
    try:
        wire = {str(k): wire_value(serializer.serialize(v)) for k, v in item.items()}
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"not a DynamoDB item: {exc}", file=str(path), key=where) from None
    props = table.properties
    for name, _, kind in key_shape(props.get("KeySchema") or (),
                                   props.get("AttributeDefinitions") or ()):
        if name not in wire:
            raise ConfigError(f"missing key attribute {name!r}", file=str(path), key=where)
        if kind not in wire[name]:
            raise ConfigError(f"key attribute {name!r} must be of type {kind}",
                              file=str(path), key=where)
    return wire
