"""Hot reload: a saved file is what the next request runs, with no per-request cost.

Emulates a redeploy, without its wait. A file watcher (watchfiles' Rust watcher: inotify,
FSEvents, ReadDirectoryChangesW) follows the service's folder. A changed Python file retires
the environments of every function (any handler may import any module of the service, and
Lambda runs the code of the deployment package as a whole): idle ones stop at once, busy ones
after their in-flight request, and the next request cold-starts on the new code, as the first
invoke after `serverless deploy function` does. A changed serverless.yml is read again: routes,
environment and settings are swapped in at once (functions whose settings changed are retired,
the gateway's routes are replaced like a stage redeploy), new tables are created and existing
tables keep their data. A broken serverless.yml is reported and the previous config goes on
serving. Each reload is logged as one line starting with `Reloaded`.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from emulator.config.events.table import KINDS
from emulator.config.service import Route, ServiceConfig
from emulator.watcher import Watcher, ignored_dir

log = logging.getLogger(__name__)

CONFIG_SUFFIXES = (".yml", ".yaml", ".json")  # serverless.yml and what ${file(...)} reads
# What the handlers' virtualenv is built from (runtime/requirements.py): a change retires every
# environment, and the next cold start builds the new virtualenv.
DEPENDENCY_FILES = ("Pipfile", "Pipfile.lock", "pyproject.toml", "poetry.lock")


class Kind(enum.Enum):
    CODE = "code"  # a Python module: environments must import it afresh
    CONFIG = "config"  # serverless.yml, or a file it may include: read the service again


@runtime_checkable
class Reloadable(Protocol):
    """An Invoker that can swap its config and retire environments (EnvironmentPool)."""

    def retire(self, functions: Collection[str]) -> int: ...

    def replace_service(self, service: ServiceConfig, *, retire: Collection[str] = ()) -> int: ...


class Redeployable(Protocol):
    """What serves the routes (gateway/front.py's Front, a REST Gateway): swapped on change."""

    def reload(self, service: ServiceConfig) -> None: ...


@dataclass(frozen=True, slots=True)
class ConfigChange:
    parts: tuple[str, ...]  # what changed, as the Reloaded line names it; () = nothing
    retire: frozenset[str]  # functions whose environments must not serve again
    warnings: tuple[str, ...] = ()


def compare(old: ServiceConfig, new: ServiceConfig) -> ConfigChange:
    """Describe what serving `new` instead of `old` changes; pure."""
    ids = ("service", "stage", "region", "account_id")
    moved = [f"{a} {getattr(old, a)} -> {getattr(new, a)}" for a in ids
             if getattr(old, a) != getattr(new, a)]
    routes = _keyed(old.routes), _keyed(new.routes)
    parts = moved + _delta("route", *routes)
    parts += _delta("httpApi route", {r.route_key: r for r in old.http_api_routes},
                    {r.route_key: r for r in new.http_api_routes})
    parts += _delta("function", dict(old.functions), dict(new.functions), changed=False)
    common = [k for k in new.functions if k in old.functions]
    env = [k for k in common if old.functions[k].environment != new.functions[k].environment]
    settings = [k for k in common if dataclasses.replace(
        old.functions[k], environment=new.functions[k].environment) != new.functions[k]]
    parts += [f"{what} changed for {_counted('function', keys)}"
              for what, keys in (("env", env), ("settings", settings)) if keys]
    tables = {t.name: t for t in old.tables}, {t.name: t for t in new.tables}
    parts += _delta("table", *tables, changed=False)
    warnings = [f"table {n}: no longer in serverless.yml; kept, with its data"
                for n in tables[0] if n not in tables[1]]
    warnings += [f"table {n}: definition changed; the table is kept as it was created "
                 "(restart the emulator with fresh state to recreate it)"
                 for n, t in tables[1].items() if n in tables[0] and tables[0][n] != t]
    parts += _delta("queue", {q.name: q for q in old.queues}, {q.name: q for q in new.queues})
    parts += _delta("bucket", {b.name: b for b in old.buckets},
                    {b.name: b for b in new.buckets}, changed=False)
    for kind in KINDS.values():  # each event kind says what changed (config/events/table.py)
        parts += kind.describe_changes(old.events_of(kind.name), new.events_of(kind.name))
    if old.iam_statements != new.iam_statements:
        parts.append("IAM statements changed")
    if old.binary_media_types != new.binary_media_types:
        parts.append("binaryMediaTypes changed")
    if old.base_path != new.base_path and old.stage == new.stage:
        parts.append(f"routes now under {new.base_path or '/'}")
    if (old.offline.host, old.offline.http_port) != (new.offline.host, new.offline.http_port):
        warnings.append("custom.serverless-offline host/httpPort changed: restart the emulator "
                        "to listen there")
    parts += _delta("gateway response", {r.response_type: r for r in old.gateway_responses},
                    {r.response_type: r for r in new.gateway_responses})
    if old.api_keys != new.api_keys:
        parts.append("API keys changed")
    if old.user_pools != new.user_pools:
        parts.append("user pools changed")
        warnings.append("user pools are created at start: restart the emulator to create new "
                        "ones (until then their routes answer 401)")
    retire = {k for k in old.functions if k not in new.functions} | set(env) | set(settings)
    if moved:  # every environment's variables and ARNs name these
        retire |= set(new.functions)
    return ConfigChange(tuple(parts), frozenset(retire), tuple(warnings))


def _keyed(routes: Iterable[Route]) -> dict[str, Route]:
    return {f"{r.method} {r.resource}": r for r in routes}


def _delta(noun: str, old: Mapping[str, object], new: Mapping[str, object],
           changed: bool = True) -> list[str]:
    """["+1 route (GET /a)", "-2 routes (...)", "1 route (...) changed"] between two dicts."""
    added = [k for k in new if k not in old]
    removed = [k for k in old if k not in new]
    altered = [k for k in new if changed and k in old and old[k] != new[k]]
    return ([f"+{_counted(noun, added)}"] if added else []) + (
        [f"-{_counted(noun, removed)}"] if removed else []) + (
        [f"{_counted(noun, altered)} changed"] if altered else [])


def _counted(noun: str, keys: Sequence[str]) -> str:
    """'1 route (GET /a)', '3 functions (a, b, c)', '5 functions'."""
    names = f" ({', '.join(keys)})" if len(keys) <= 3 else ""
    return f"{len(keys)} {noun}{_s(keys)}{names}"


def classify(path: Path, root: Path, config_path: Path,
             ignore: Collection[Path] = ()) -> Kind | None:
    """Return what a change of `path` means to the service in `root`; None: nothing."""
    if path == config_path:
        return Kind.CONFIG
    if not path.is_relative_to(root) or any(path.is_relative_to(p) for p in ignore):
        return None
    rel = path.relative_to(root)
    name = rel.name
    if ignored_dir(root, rel.parts[:-1]) or name.startswith((".", "#", "~")):
        return None  # editors' lock, swap and backup files: .#a.py, #a.py#, a.py~, .a.py.swp
    if name.endswith(".py") or name in DEPENDENCY_FILES or (
            name.startswith("requirements") and name.endswith(".txt")):
        return Kind.CODE
    return Kind.CONFIG if name.endswith(CONFIG_SUFFIXES) else None


class Reloader:
    """Applies a batch of changed paths to the running emulator, one batch at a time."""

    def __init__(self, service: ServiceConfig, *, load: Callable[[], ServiceConfig],
                 gateway: Redeployable, invoker: Reloadable,
                 create_tables: Callable[[ServiceConfig], None],
                 ignore: Collection[Path] = (),
                 listeners: Sequence[Callable[[ServiceConfig], None]] = ()) -> None:
        self.service = service
        self._listeners = tuple(listeners)  # others that follow the config (e.g. IAM)
        self._load = load  # reads serverless.yml again with the CLI's stage/region/env
        self._gateway = gateway
        self._invoker = invoker
        self._create_tables = create_tables
        self.ignore = tuple(p.resolve() for p in ignore)
        self._lock = threading.Lock()

    def on_change(self, paths: Iterable[str]) -> None:
        """Reload what the changed `paths` affect; log one line per reload."""
        root, config_path = self.service.root, self.service.config_path
        found: dict[Kind, set[str]] = {}
        for raw in paths:
            path = Path(raw)
            kind = classify(path, root, config_path, self.ignore)
            if kind is not None:
                name = path.relative_to(root).as_posix() if path.is_relative_to(root) else raw
                found.setdefault(kind, set()).add(name)
        with self._lock:
            if Kind.CONFIG in found:
                self._reload_config(found[Kind.CONFIG])
            if Kind.CODE in found:
                self._reload_code(found[Kind.CODE])

    def _reload_code(self, names: set[str]) -> None:
        broken = settle(self.service.root, names)
        if broken:
            log.error("Not reloaded: %s (still serving the previous code; saving a fix "
                      "reloads)", "; ".join(broken))
            return
        drop_bytecode(self.service.root, names)
        functions = list(self.service.functions)
        retired = self._invoker.retire(functions)
        count = f"{len(functions)} function{_s(functions)}"
        log.info("Reloaded: %s changed -> %s will cold-start (%d environment%s retired)",
                 _names(names), count, retired, "" if retired == 1 else "s")

    def _reload_config(self, names: set[str]) -> None:
        config_name = self.service.config_path.name
        own = config_name in names
        try:
            new = self._load()
        except Exception as exc:  # ConfigError, or anything a half-saved file causes
            log.error("%s not reloaded (still serving the previous config): %s", config_name, exc)
            return
        change = compare(self.service, new)
        if not change.parts:
            if own:
                log.info("Reloaded %s: no change to routes, functions or tables", config_name)
            return
        try:
            self._apply(new, change)
        except Exception:
            log.exception("%s not reloaded (still serving the previous config)", config_name)
            return
        why = "" if own else f" ({_names(names)} changed)"
        log.info("Reloaded %s%s: %s", config_name, why, ", ".join(change.parts))

    def _apply(self, new: ServiceConfig, change: ConfigChange) -> None:
        """Create new tables, then hand functions, then routes over to the new config."""
        self._create_tables(new)
        self._invoker.replace_service(new, retire=change.retire)
        self._gateway.reload(new)  # after the invoker: a new route's function exists by now
        for listener in self._listeners:
            listener(new)
        if new.iam_statements != self.service.iam_statements and not self._listeners:
            log.warning("IAM statements changed: they apply from the next start")
        self.service = new
        for warning in change.warnings:
            log.warning("%s", warning)


SETTLE_S = 1.0  # how long a save may take to complete
_LOOK_S = 0.05


def settle(root: Path, names: Iterable[str], limit_s: float = SETTLE_S) -> list[str]:
    """Wait until the changed Python files are complete; return those that do not compile.

    A file is complete when two looks `_LOOK_S` apart see the same size and mtime and it
    compiles: an editor writing in place (truncate, then write) is not caught half-way. Past
    `limit_s` what still does not compile is named, and the previous code keeps serving.
    """
    sources = [root / n for n in names if n.endswith(".py")]
    deadline = time.monotonic() + limit_s
    while True:
        before = [_stamp(p) for p in sources]
        time.sleep(_LOOK_S)
        problems = [p for p in (_compiles(s) for s in sources) if p]
        steady = before == [_stamp(p) for p in sources]
        if (steady and not problems) or time.monotonic() > deadline:
            return problems


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


def _compiles(path: Path) -> str | None:
    """None when the file compiles (or is gone); else "name line N: why"."""
    try:
        compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
    except OSError:
        return None
    except SyntaxError as exc:
        return f"{path.name} line {exc.lineno}: {exc.msg}"
    except ValueError as exc:  # null bytes
        return f"{path.name}: {exc}"
    return None


def drop_bytecode(root: Path, names: Iterable[str]) -> None:
    """Delete the cached bytecode of changed modules, for every interpreter version.

    Python reuses a .pyc whose recorded source mtime (whole seconds) and size still match:
    a same-size save within the second of the last compile would run the old code.
    """
    for name in names:
        source = root / name
        for cached in source.parent.joinpath("__pycache__").glob(f"{source.stem}.*.pyc"):
            cached.unlink(missing_ok=True)


def _s(items: Collection[object]) -> str:
    return "" if len(items) == 1 else "s"


def _names(names: Collection[str], shown: int = 3) -> str:
    ordered = sorted(names)
    more = f" and {len(ordered) - shown} more" if len(ordered) > shown else ""
    return ", ".join(ordered[:shown]) + more


class HotReload:
    """The watcher and the reloader of one emulator run (see `start`)."""

    def __init__(self, reloader: Reloader) -> None:
        self.reloader = reloader
        service = reloader.service
        self.watcher = Watcher(service.root, reloader.on_change, reloader.ignore).start()

    def stop(self) -> None:
        self.watcher.stop()


def start(service: ServiceConfig, *, load: Callable[[], ServiceConfig], gateway: Redeployable,
          invoker: object, create_tables: Callable[[ServiceConfig], None],
          ignore: Collection[Path] = (),
          listeners: Sequence[Callable[[ServiceConfig], None]] = ()) -> HotReload | None:
    """Watch the service's folder and reload on change; None when `invoker` cannot reload."""
    if not isinstance(invoker, Reloadable):
        log.warning("hot reload is off with --inprocess: modules stay imported in this "
                    "process; restart the emulator to run changed code")
        return None
    reloader = Reloader(service, load=load, gateway=gateway, invoker=invoker,
                        create_tables=create_tables, ignore=ignore, listeners=listeners)
    hot = HotReload(reloader)
    log.info("Hot reload: watching %s (--no-reload to turn off)", service.root)
    return hot
