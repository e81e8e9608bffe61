"""custom.serverless-offline and its flags (emulator.config.offline, emulator.config.flags)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator import cli_auth
from emulator.config.errors import ConfigError
from emulator.config.flags import listen_address, parse_params, with_offline_flags
from emulator.config.loader import load_service
from emulator.config.offline import OfflineSettings, base_path
from emulator.config.service import ServiceConfig
from emulator.options import build_parser

HEAD = "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\n"


def load(tmp_path: Path, custom: str) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text(HEAD + "custom:\n  serverless-offline:\n" + textwrap.indent(custom, "    "),
                    encoding="utf-8")
    return load_service(path, env={})


def test_honoured_settings_are_read_and_the_others_named(tmp_path: Path) -> None:
    service = load(tmp_path, "httpPort: '4000'\nhost: 0.0.0.0\nnoPrependStageInUrl: true\n"
                             "prefix: api\nnoAuth: true\nuseChildProcesses: true\n")
    declared = ("httpPort=4000", "host=0.0.0.0", "noPrependStageInUrl", "prefix=api", "noAuth")
    assert service.offline == OfflineSettings(4000, "0.0.0.0", True, "api", True, declared)
    assert "custom.serverless-offline.useChildProcesses" in service.unsupported
    assert service.base_path == "/api"


@pytest.mark.parametrize(
    ("custom", "message"),
    [("httpPort: lots\n", "must be a port number"), ("noAuth: 'yes'\n", "must be true or false"),
     ("httpport: 4000\n", "unknown setting; did you mean httpPort?")],
)
def test_bad_settings_are_one_line_naming_the_key(custom: str, message: str,
                                                  tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=message) as raised:
        load(tmp_path, custom)
    assert raised.value.key is not None
    assert raised.value.key.startswith("custom.serverless-offline.")
    assert raised.value.line == 7


@pytest.mark.parametrize(
    ("settings", "path"),
    [(OfflineSettings(), "/dev"), (OfflineSettings(no_prepend_stage=True), ""),
     (OfflineSettings(prefix="api"), "/api/dev"),
     (OfflineSettings(prefix="api", no_prepend_stage=True), "/api")],
)
def test_base_path_as_serverless_offline_builds_it(settings: OfflineSettings, path: str) -> None:
    assert base_path("dev", settings) == path


def test_flags_win_over_custom_which_wins_over_defaults(tmp_path: Path) -> None:
    service = load(tmp_path, "httpPort: 4000\nprefix: api\n")
    assert listen_address(service) == ("127.0.0.1", 4000)
    args = build_parser().parse_args(["--httpPort", "0", "--noPrependStageInUrl", "--noAuth"])
    flagged = with_offline_flags(service, args)
    assert listen_address(flagged) == ("127.0.0.1", 0)
    assert (flagged.base_path, flagged.offline.no_auth) == ("/api", True)
    plain = with_offline_flags(load(tmp_path, "{}\n"), build_parser().parse_args([]))
    assert listen_address(plain) == ("127.0.0.1", 3000)


def test_param_flags_parse_as_the_framework_parses_them() -> None:
    assert parse_params(["a=b", "url=http://x?y=z ", "k=="]) == {
        "a": "b", "url": "http://x?y=z", "k": "="}
    with pytest.raises(ConfigError, match="is not key=value"):
        parse_params(["novalue"])


@pytest.mark.parametrize(("custom", "flags", "disabled"), [
    ("noAuth: true\n", [], True),  # the file's setting, as serverless-offline reads it
    ("httpPort: 4000\n", ["--noAuth"], True),
    ("httpPort: 4000\n", ["--no-auth"], True),
    ("httpPort: 4000\n", [], False),
])
def test_no_auth_from_the_file_or_a_flag_turns_authorization_off(
        tmp_path: Path, custom: str, flags: list[str], disabled: bool) -> None:
    args = build_parser().parse_args(flags)
    service = with_offline_flags(load(tmp_path, custom), args)
    assert cli_auth.auth_settings(args, service).disabled is disabled
