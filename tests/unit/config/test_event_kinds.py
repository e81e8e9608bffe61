"""The event-kind table: the loader walks it, reload asks it, runners mirror it (issue 22)."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import pytest

from emulator.config.events import table
from emulator.config.events.base import EventKind, Scope
from emulator.config.loader import load_service
from emulator.config.yamlfile import KeyPath, format_path
from emulator.reload import compare
from emulator.sources.table import RUNNERS


@dataclasses.dataclass(frozen=True, slots=True)
class PingEvent:
    kind: ClassVar[str] = "ping"
    function: str
    key: str
    every: int
    enabled: bool = True


def read_ping(scope: Scope, function: str, raw: Any, key: KeyPath) -> PingEvent:
    if not isinstance(raw, int):
        raise scope.doc.error(key, "ping takes a number")
    return PingEvent(function, format_path(key), raw)


def write(tmp_path: Path, events: str) -> Path:
    path = tmp_path / "serverless.yml"
    path.write_text("service: svc\nprovider: {runtime: python3.12}\nfunctions:\n  a:\n"
                    "    handler: app.main\n    events:\n"
                    + textwrap.indent(textwrap.dedent(events), "      "), encoding="utf-8")
    return path


def test_every_kind_run_outside_the_gateway_has_a_runner() -> None:
    served = {row.name for row in table.KINDS.values() if row.into == "events"}
    assert served == set(RUNNERS)
    assert {row.into for row in table.KINDS.values()} <= set(table.INTO)


def test_a_new_kind_is_one_row_read_in_file_order_and_compared_on_reload(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(table.KINDS, "ping", EventKind("ping", read_ping))
    path = write(tmp_path, "- ping: 5\n- http: GET a\n- ping: 7\n")
    config = load_service(path, env={})
    assert config.events == (PingEvent("a", "functions.a.events[0].ping", 5),
                             PingEvent("a", "functions.a.events[2].ping", 7))
    assert [r.resource for r in config.routes] == ["/a"]
    assert not any("ping" in u for u in config.unsupported)
    fewer = dataclasses.replace(config, events=config.events[:1])
    assert compare(config, fewer).parts == ("-1 ping event",)


def test_a_kind_without_a_row_is_named_not_dropped(tmp_path: Path) -> None:
    config = load_service(write(tmp_path, "- alexaSmartHome: amzn1.ask.skill.x\n"), env={})
    assert config.events == ()
    assert any("functions.a.events[0].alexaSmartHome" in u for u in config.unsupported)


def test_a_reader_error_names_file_line_and_key(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(table.KINDS, "ping", EventKind("ping", read_ping))
    path = write(tmp_path, "- http: GET a\n- ping: soon\n")
    with pytest.raises(Exception) as raised:
        load_service(path, env={})
    assert str(raised.value).startswith(f"{path}:8: functions.a.events[1].ping: ")
