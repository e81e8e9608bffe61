"""Hot reload (emulator.reload): which files count, what a config change means, how it applies."""

from __future__ import annotations

import dataclasses
import logging
import shutil
import textwrap
import threading
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

from emulator import reload
from emulator.config.api_keys import ApiKeyConfig
from emulator.config.cognito import UserPoolConfig
from emulator.config.events.sqs import SqsEvent
from emulator.config.loader import load_service
from emulator.config.service import BucketConfig, QueueConfig, ServiceConfig
from emulator.gateway.http import HttpRequest
from emulator.gateway.rest import Gateway
from emulator.reload import Kind, Reloader, classify, compare
from emulator.runtime.invoker import InvokeResult, Outcome
from emulator.watcher import Watcher, watched_dirs

BASE = """\
service: svc
provider:
  name: aws
  runtime: python3.12
  stage: dev
  environment:
    SHARED: "1"
functions:
  one:
    handler: src/h.one
    events:
      - http: GET one
  two:
    handler: src/h.two
    events:
      - http: GET two
resources:
  Resources:
    Items:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: items
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
"""
EXTRA_TABLE = """\
    Extra:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: extra
        AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
        KeySchema: [{AttributeName: id, KeyType: HASH}]
"""


def service_from(folder: Path, text: str) -> ServiceConfig:
    path = folder / "serverless.yml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return load_service(path, env={})


# --- which changed files matter ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("serverless.yml", Kind.CONFIG),
        ("src/handlers.py", Kind.CODE),
        ("handler.py", Kind.CODE),
        ("lib/deep/util.py", Kind.CODE),
        ("config/stage.yml", Kind.CONFIG),  # may be read by ${file(...)}
        ("config/values.json", Kind.CONFIG),
        ("README.md", None),
        ("src/data.txt", None),
        ("requirements.txt", Kind.CODE),  # the handlers' virtualenv is rebuilt on next start
        ("fn/requirements-prod.txt", Kind.CODE),
        ("Pipfile.lock", Kind.CODE),
        ("pyproject.toml", Kind.CODE),
        ("src/__pycache__/handlers.cpython-311.pyc", None),
        ("src/__pycache__/x.py", None),
        (".emulator/svc-dev.json", None),
        (".git/index", None),
        (".nox/tests/lib/site.py", None),
        (".venv/lib/python3.11/site-packages/boto3/session.py", None),
        ("node_modules/serverless/lib/plugin.py", None),
        (".serverless/cloudformation-template-update-stack.json", None),
        ("src/.#handlers.py", None),  # emacs lock
        ("src/#handlers.py#", None),  # emacs autosave
        ("src/.handlers.py.swp", None),  # vim swap
        ("src/handlers.py~", None),  # backup
        ("src/handlers.py.tmp", None),  # atomic-save temporary
    ],
)
def test_classify_tells_code_config_and_noise_apart(
        tmp_path: Path, relative: str, kind: Kind | None) -> None:
    config = tmp_path / "serverless.yml"
    assert classify(tmp_path / relative, tmp_path, config) is kind


def test_classify_skips_virtualenvs_of_any_name_and_given_folders(tmp_path: Path) -> None:
    (tmp_path / "myenv").mkdir()
    (tmp_path / "myenv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    config = tmp_path / "serverless.yml"
    assert classify(tmp_path / "myenv" / "lib" / "x.py", tmp_path, config) is None
    state = tmp_path / "state"
    assert classify(state / "dump.json", tmp_path, config, ignore=[state]) is None
    assert classify(tmp_path / "elsewhere.py", tmp_path / "sub", config) is None


def test_watched_dirs_are_the_top_level_folders_that_may_hold_code(tmp_path: Path) -> None:
    for name in ("src", "lib", "node_modules", ".git", ".emulator", "__pycache__", "venv2",
                 "state"):
        (tmp_path / name).mkdir()
    (tmp_path / "venv2" / "pyvenv.cfg").write_text("")
    (tmp_path / "handler.py").write_text("")
    assert watched_dirs(tmp_path, ignore=[tmp_path / "state"]) == [tmp_path / "lib",
                                                                   tmp_path / "src"]


def test_drop_bytecode_removes_the_cached_modules_of_every_interpreter(tmp_path: Path) -> None:
    cache = tmp_path / "src" / "__pycache__"
    cache.mkdir(parents=True)
    for name in ("h.cpython-311.pyc", "h.cpython-312.pyc", "other.cpython-311.pyc"):
        (cache / name).write_bytes(b"")
    reload.drop_bytecode(tmp_path, ["src/h.py"])
    assert [p.name for p in cache.iterdir()] == ["other.cpython-311.pyc"]


# --- what a serverless.yml change means -------------------------------------------------------


@pytest.mark.parametrize(
    ("old_text", "new_text", "parts", "retire"),
    [
        (BASE, BASE, (), set()),
        (BASE, BASE.replace("      - http: GET two", "      - http: GET two\n"
                            "      - http: POST two"),
         ("+1 route (POST /two)",), set()),
        (BASE, BASE.replace("http: GET two", "http: GET zwei"),
         ("+1 route (GET /zwei)", "-1 route (GET /two)"), set()),
        (BASE, BASE.replace("http: GET two", "{http: {path: two, method: get, cors: true}}"),
         ("1 route (GET /two) changed",), set()),
        (BASE, BASE.replace('SHARED: "1"', 'SHARED: "2"'),
         ("env changed for 2 functions (one, two)",), {"one", "two"}),
        (BASE, BASE.replace("handler: src/h.two", "handler: src/h.two\n    timeout: 3"),
         ("settings changed for 1 function (two)",), {"two"}),
        (BASE, BASE.replace("  two:\n    handler: src/h.two\n    events:\n"
                            "      - http: GET two\n", ""),
         ("-1 route (GET /two)", "-1 function (two)"), {"two"}),
        (BASE, BASE + EXTRA_TABLE, ("+1 table (extra)",), set()),
        (BASE, BASE.replace("stage: dev", "stage: prod"),
         ("stage dev -> prod", "settings changed for 2 functions (one, two)"),  # full names
         {"one", "two"}),
    ],
    ids=["same", "route-added", "route-moved", "route-cors", "env", "timeout",
         "function-removed", "table-added", "stage"],
)
def test_compare_names_what_changed_and_the_functions_to_retire(
        tmp_path: Path, old_text: str, new_text: str, parts: tuple[str, ...],
        retire: set[str]) -> None:
    (tmp_path / "old").mkdir()
    old = service_from(tmp_path / "old", old_text)
    new = service_from(tmp_path / "old", new_text)
    change = compare(old, new)
    assert change.parts == parts
    assert change.retire == retire


def test_compare_names_serverless_offline_path_and_port_changes(tmp_path: Path) -> None:
    old = service_from(tmp_path, BASE)
    new = service_from(tmp_path, BASE + "custom:\n  serverless-offline:\n    prefix: api\n"
                                        "    httpPort: 4000\n")
    change = compare(old, new)
    assert change.parts == ("routes now under /api/dev",)
    assert change.warnings == ("custom.serverless-offline host/httpPort changed: restart the "
                               "emulator to listen there",)


def test_compare_keeps_removed_and_changed_tables_and_says_so(tmp_path: Path) -> None:
    old = service_from(tmp_path, BASE + EXTRA_TABLE)
    new = service_from(tmp_path, BASE.replace(
        "TableName: items", "TableName: items\n        BillingMode: PAY_PER_REQUEST"))
    change = compare(old, new)
    assert change.parts == ("-1 table (extra)",)
    assert change.warnings == (
        "table extra: no longer in serverless.yml; kept, with its data",
        "table items: definition changed; the table is kept as it was created (restart the "
        "emulator with fresh state to recreate it)",
    )


def test_compare_names_queue_bucket_and_sqs_event_changes(tmp_path: Path) -> None:
    old = service_from(tmp_path, BASE)
    new = dataclasses.replace(old, queues=(QueueConfig("Jobs", "svc-dev-Jobs", {}),),
                              buckets=(BucketConfig("Files", "svc-dev-files"),),
                              events=(SqsEvent("list", "arn:aws:sqs:r:1:svc-dev-Jobs",
                                                   "functions.list.events[1].sqs"),))
    assert compare(old, new).parts == ("+1 queue (svc-dev-Jobs)", "+1 bucket (svc-dev-files)",
                                       "+1 sqs event")
    assert compare(new, old).parts == ("-1 queue (svc-dev-Jobs)", "-1 bucket (svc-dev-files)",
                                       "-1 sqs event")
    bigger = dataclasses.replace(new, events=(dataclasses.replace(new.events[0],
                                                                  batch_size=5),))
    assert compare(new, bigger).parts == ("1 sqs event changed",)


# --- applying a batch -------------------------------------------------------------------------


def test_compare_names_api_key_and_user_pool_changes(tmp_path: Path) -> None:
    old = service_from(tmp_path, BASE)
    new = dataclasses.replace(old, api_keys=(ApiKeyConfig("k", "k" * 20),),
                              user_pools=(UserPoolConfig("Users", "people"),))
    change = compare(old, new)
    assert change.parts == ("API keys changed", "user pools changed")
    assert change.warnings == ("user pools are created at start: restart the emulator to "
                               "create new ones (until then their routes answer 401)",)


class FakePool:
    """An Invoker that records what the reloader asked of it and answers every invoke."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls
        self.invoked: list[str] = []

    def invoke(self, function: str, event: bytes, request_id: str, wait_s: float) -> InvokeResult:
        self.invoked.append(function)
        return InvokeResult(Outcome.OK, b'{"statusCode": 200, "body": "ok"}')

    def close(self) -> None:
        pass

    def retire(self, functions: Collection[str]) -> int:
        self.calls.append(f"retire {','.join(sorted(functions))}")
        return 1

    def replace_service(self, service: ServiceConfig, *, retire: Collection[str] = ()) -> int:
        self.calls.append(f"replace_service retire={','.join(sorted(retire))}")
        return 0


def get(gateway: Gateway, path: str) -> int:
    return gateway.handle(HttpRequest("GET", path, (), (), b"")).status


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Reloader, Gateway, list[str]]]:
    service = service_from(tmp_path, BASE)
    calls: list[str] = []
    pool = FakePool(calls)
    gateway = Gateway(service, pool)

    def create_tables(new: ServiceConfig) -> None:
        calls.append(f"create_tables {','.join(t.name for t in new.tables)}")

    def load() -> ServiceConfig:
        return load_service(tmp_path / "serverless.yml", env={})

    yield Reloader(service, load=load, gateway=gateway, invoker=pool,
                   create_tables=create_tables), gateway, calls


def test_code_change_retires_every_function_and_logs_one_line(
        setup: tuple[Reloader, Gateway, list[str]], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    reloader, _, calls = setup
    with caplog.at_level(logging.INFO, logger="emulator.reload"):
        reloader.on_change([str(tmp_path / "src" / "h.py"), str(tmp_path / "README.md")])
    assert calls == ["retire one,two"]
    assert caplog.messages == [
        "Reloaded: src/h.py changed -> 2 functions will cold-start (1 environment retired)"]


def test_config_change_creates_tables_then_swaps_functions_then_routes(
        setup: tuple[Reloader, Gateway, list[str]], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    reloader, gateway, calls = setup
    assert get(gateway, "/dev/three") == 403
    (tmp_path / "serverless.yml").write_text((BASE + EXTRA_TABLE).replace(
        "functions:\n", "functions:\n  three:\n    handler: src/h.three\n    events:\n"
        "      - http: GET three\n"))
    with caplog.at_level(logging.INFO, logger="emulator.reload"):
        reloader.on_change([str(tmp_path / "serverless.yml")])
    assert calls == ["create_tables items,extra", "replace_service retire="]
    assert caplog.messages == [
        "Reloaded serverless.yml: +1 route (GET /three), +1 function (three), "
        "+1 table (extra)"]
    assert get(gateway, "/dev/three") == 200
    assert get(gateway, "/dev/one") == 200
    assert "three" in reloader.service.functions


def test_broken_config_is_reported_and_nothing_changes(
        setup: tuple[Reloader, Gateway, list[str]], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    reloader, gateway, calls = setup
    before = reloader.service
    (tmp_path / "serverless.yml").write_text(BASE.replace("http: GET two", "http: FETCH two"))
    reloader.on_change([str(tmp_path / "serverless.yml")])
    assert calls == []
    assert reloader.service is before
    assert gateway.service is before
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith(
        "serverless.yml not reloaded (still serving the previous config): ")
    assert "FETCH" in record.getMessage()


def test_unchanged_config_is_quiet_unless_serverless_yml_itself_was_saved(
        setup: tuple[Reloader, Gateway, list[str]], tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    reloader, _, calls = setup
    with caplog.at_level(logging.INFO, logger="emulator.reload"):
        reloader.on_change([str(tmp_path / "fixtures" / "event.json")])
        assert caplog.messages == []
        reloader.on_change([str(tmp_path / "serverless.yml")])
    assert caplog.messages == [
        "Reloaded serverless.yml: no change to routes, functions or tables"]
    assert calls == []


def test_gateway_reload_swaps_routes_and_stage_for_the_next_request(tmp_path: Path) -> None:
    pool = FakePool([])
    gateway = Gateway(service_from(tmp_path, BASE), pool)
    assert get(gateway, "/dev/one") == 200
    gateway.reload(service_from(tmp_path, BASE.replace("stage: dev", "stage: prod")))
    assert get(gateway, "/dev/one") == 403
    assert get(gateway, "/prod/one") == 200
    assert pool.invoked == ["one", "one"]


def test_start_declines_an_invoker_that_cannot_reload(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    service = service_from(tmp_path, BASE)
    gateway = Gateway(service, FakePool([]))
    hot = reload.start(service, load=lambda: service, gateway=gateway, invoker=object(),
                       create_tables=lambda _: None)
    assert hot is None
    assert "hot reload is off with --inprocess" in caplog.text


# --- the watcher ------------------------------------------------------------------------------


class Seen:
    """Collects the paths a Watcher reports; `wait_for` blocks until one matches."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self._cond = threading.Condition()

    def __call__(self, paths: list[str]) -> None:
        with self._cond:
            self.paths += paths
            self._cond.notify_all()

    def wait_for(self, path: Path) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: str(path) in self.paths, timeout=10)


def test_watcher_reports_saves_in_subfolders_and_in_new_or_replaced_folders(
        tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "node_modules").mkdir()
    seen = Seen()
    watcher = Watcher(tmp_path, seen).start()
    try:
        (tmp_path / "node_modules" / "dep.py").write_text("Z = 1\n")
        (tmp_path / "src" / "h.py").write_text("X = 1\n")
        assert seen.wait_for(tmp_path / "src" / "h.py")
        (tmp_path / "lib").mkdir()
        (tmp_path / "lib" / "util.py").write_text("Y = 1\n")
        assert seen.wait_for(tmp_path / "lib" / "util.py")
        (tmp_path / "serverless.yml").write_text("service: x\n")
        assert seen.wait_for(tmp_path / "serverless.yml")
        shutil.rmtree(tmp_path / "src")  # a folder replaced: its old watch is dead
        (tmp_path / "src").mkdir()
        (tmp_path / "src" / "again.py").write_text("X = 2\n")
        assert seen.wait_for(tmp_path / "src" / "again.py")
        (tmp_path / "src" / "later.py").write_text("X = 3\n")
        assert seen.wait_for(tmp_path / "src" / "later.py")
    finally:
        watcher.stop()
    assert not any("node_modules" in p for p in seen.paths)


def test_settle_names_what_does_not_compile_and_passes_what_does(tmp_path: Path) -> None:
    """Issue 29 item 9: the previous code keeps serving while a changed file does not compile."""
    from emulator.reload import settle

    (tmp_path / "good.py").write_text("def main(event, context):\n    return 1\n")
    (tmp_path / "half.py").write_text("def main(event, context):\n    return (\n")
    assert settle(tmp_path, ["good.py", "gone.py", "requirements.txt"], limit_s=0.2) == []
    assert settle(tmp_path, ["good.py", "half.py"], limit_s=0.2) == [
        "half.py line 2: '(' was never closed"]
