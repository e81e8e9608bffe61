"""The corpus harness's pure parts: declared routes, reply classification, errors, table."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from pathlib import Path

import pytest

from tools.realworld_peer import npm_specs, project_plugins, with_offline_plugin
from tools.realworld_probe import Kind, Probe, classify_aws, classify_offline, probe
from tools.realworld_routes import Declared, Route, declared_routes
from tools.realworld_run import Outcome, first_error, last_traceback, run_tool
from tools.realworld_table import Printed, Results, render


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- declared routes -------------------------------------------------------------------------


def test_routes_are_read_from_every_event_form(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yml", """\
        service: s
        functions:
          a:
            handler: h.a
            events:
              - http: GET items/{id}
              - http: {path: /items, method: post, cors: true}
              - httpApi: '*'
              - httpApi: PATCH /things/{id}
              - httpApi: {path: '*'}
              - schedule: rate(1 minute)
          b:
            handler: h.b
        resources:
          Resources:
            T: {Type: AWS::DynamoDB::Table, Properties: {TableName: !Ref Name}}
        """)
    assert declared_routes(tmp_path) == Declared((
        Route("rest", "GET", "/items/{id}", "a"), Route("rest", "POST", "/items", "a"),
        Route("http", "ANY", "*", "a"), Route("http", "PATCH", "/things/{id}", "a"),
        Route("http", "ANY", "*", "a")), ())


def test_functions_given_as_file_fragments_are_merged(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yaml", """\
        functions:
          - ${file(fns/one.yml)}
          - ${file(fns/two.yml):more}
          - ${file(fns/missing.yml)}
        """)
    write(tmp_path, "fns/one.yml", "one: {handler: h.one, events: [{http: GET one}]}\n")
    write(tmp_path, "fns/two.yml", "more:\n  two: {handler: h.two, events: [{http: GET two}]}\n")
    declared = declared_routes(tmp_path)
    assert [r.function for r in declared.routes] == ["one", "two"]
    assert declared.problems == ("${file(fns/missing.yml)}: no such file",)


def test_a_project_without_config_or_with_bad_yaml_declares_nothing(tmp_path: Path) -> None:
    assert declared_routes(tmp_path).problems == ("no serverless.yml / .yaml / .json",)
    write(tmp_path, "serverless.yml", "functions: [unclosed\n")
    assert declared_routes(tmp_path).routes == ()
    assert declared_routes(tmp_path).problems[0].startswith("serverless.yml: ")


@pytest.mark.parametrize(("route", "method", "path"), [
    (Route("rest", "GET", "/", "f"), "GET", "/dev/"),
    (Route("rest", "ANY", "/{proxy+}", "f"), "GET", "/dev/dummy"),
    (Route("rest", "DELETE", "/a/{id}/b/{key}", "f"), "DELETE", "/dev/a/dummy/b/dummy"),
    (Route("rest", "GET", "/${self:custom.base}/x", "f"), "GET", "/dev/dummy/x"),
    (Route("http", "ANY", "*", "f"), "GET", "/"),
    (Route("http", "PUT", "/todos/{id}", "f"), "PUT", "/todos/dummy"),
])
def test_requests_fill_parameters_with_a_dummy_value(route: Route, method: str,
                                                     path: str) -> None:
    assert (route.request_method(), route.request_path("dev")) == (method, path)


# --- replies ---------------------------------------------------------------------------------

MAT = b'{"message":"Missing Authentication Token"}'


@pytest.mark.parametrize(("api", "status", "body", "kind"), [
    ("rest", 403, MAT, Kind.NO_ROUTE),
    ("http", 403, MAT, Kind.NO_ROUTE),  # a REST stage answering for an unserved HTTP API route
    ("http", 404, b'{"message":"Not Found"}', Kind.NO_ROUTE),
    ("rest", 404, b'{"message":"no such todo"}', Kind.HANDLER),
    ("rest", 502, b'{"message": "Internal server error"}', Kind.GATEWAY_ERROR),
    ("rest", 504, b'{"message": "Endpoint request timed out"}', Kind.GATEWAY_ERROR),
    ("rest", 500, b'{"message": "database down"}', Kind.HANDLER),
    ("rest", 500, b"oops", Kind.HANDLER),
    ("rest", 401, b'{"message":"Unauthorized"}', Kind.DENIED),
    ("rest", 403, b'{"message":"Forbidden"}', Kind.DENIED),
    ("rest", 200, b"", Kind.HANDLER),
])
def test_api_gateway_replies_are_told_from_the_handlers(api: str, status: int, body: bytes,
                                                       kind: Kind) -> None:
    assert classify_aws(api, status, body) is kind


@pytest.mark.parametrize(("status", "body", "kind"), [
    (404, {"currentRoute": "get - /x", "error": "Serverless-offline: route not found.",
           "existingRoutes": [], "statusCode": 404}, Kind.NO_ROUTE),
    (502, {"errorMessage": "boom", "errorType": "Error", "stackTrace": []},
     Kind.GATEWAY_ERROR),
    (200, {"errorMessage": "[504] - Lambda timeout.", "errorType": "LambdaTimeoutError",
           "stackTrace": []}, Kind.GATEWAY_ERROR),
    (401, {"statusCode": 401, "error": "Unauthorized", "message": "Unauthorized"}, Kind.DENIED),
    (502, "", Kind.GATEWAY_ERROR),
    (504, "", Kind.GATEWAY_ERROR),
    (404, {"message": "todo not found"}, Kind.HANDLER),
    (201, {"id": "1"}, Kind.HANDLER),
])
def test_serverless_offline_replies_are_told_from_the_handlers(status: int, body: object,
                                                              kind: Kind) -> None:
    data = json.dumps(body).encode() if body else b""
    assert classify_offline("rest", status, data) is kind


def test_requests_go_to_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        probe("http://192.0.2.1:80", Route("rest", "GET", "/", "f"), "dev", "emulator")


# --- start errors ----------------------------------------------------------------------------


def test_the_first_error_line_names_why_a_tool_did_not_start(tmp_path: Path) -> None:
    lines = ["warning: not emulated (ignored): x",
             f"error: {tmp_path}/p/serverless.yml:3: provider.stage: bad"]
    assert first_error(lines, tmp_path) == "error: p/serverless.yml:3: provider.stage: bad"
    assert first_error(["", "something odd"]) == "something odd"
    framework = ["Environment: linux, node 20.20.2, framework 3.40.0 (local)", "", "Error:",
                 "Cannot resolve serverless.yml: Variables resolution errored with:",
                 '  - Cannot resolve variable at "provider.stage": Value not found', ""]
    assert first_error(framework) == ("Cannot resolve serverless.yml: Variables resolution "
                                      'errored with: - Cannot resolve variable at '
                                      '"provider.stage": Value not found')
    assert first_error([]) == "exited without output"


def test_the_last_traceback_is_summarised_by_its_exception_and_place() -> None:
    lines = ["Traceback (most recent call last):", '  File "a.py", line 1, in <module>',
             "    x()", '  File "b.py", line 9, in x', "KeyError: 'functions'"]
    assert last_traceback(lines) == "KeyError: 'functions' (File \"b.py\", line 9, in x)"
    assert last_traceback(["all fine"]) is None


# --- the runner, on a stand-in tool ----------------------------------------------------------

FAKE_TOOL = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"ok": true}' if self.path == '/dev/hello' else \\
            b'{"message":"Missing Authentication Token"}'
        self.send_response(200 if self.path == '/dev/hello' else 403)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args): pass
server = http.server.HTTPServer(('127.0.0.1', 0), H)
print('Ready: http://127.0.0.1:%d/dev' % server.server_port, flush=True)
server.serve_forever()
"""


def test_a_tool_is_started_probed_and_stopped(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yml",
          "functions:\n  f: {handler: h.f, events: [{http: GET hello}, {http: GET missing}]}\n")
    outcome = run_tool(tmp_path, "emulator", [sys.executable, "-c", FAKE_TOOL],
                       re.compile(r"^Ready: (\S+)"), {}, cwd=tmp_path, start_timeout=30)
    assert outcome.start_error is None
    assert [(p.route.path, p.status, p.kind) for p in outcome.probes] == [
        ("/hello", 200, Kind.HANDLER), ("/missing", 403, Kind.NO_ROUTE)]
    assert (outcome.served, outcome.answered) == (1, 1)


def test_a_tool_that_exits_is_a_start_error(tmp_path: Path) -> None:
    write(tmp_path, "serverless.yml", "functions:\n  f: {handler: h.f, events: [{http: GET a}]}\n")
    script = "import sys; print('error: serverless.yml:1: nope'); sys.exit(2)"
    outcome = run_tool(tmp_path, "emulator", [sys.executable, "-c", script],
                       re.compile(r"^Ready: (\S+)"), {}, cwd=tmp_path, start_timeout=30)
    assert outcome.start_error == "error: serverless.yml:1: nope"
    assert (len(outcome.declared.routes), outcome.served) == (1, 0)


# --- serverless-offline set-up ---------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("service: s\nplugins:\n  - serverless-wsgi\n",
     "service: s\nplugins:\n  - serverless-offline\n  - serverless-wsgi\n"),
    ("service: s\n", "service: s\n\nplugins:\n  - serverless-offline\n"),
    ("plugins:\n  - serverless-offline\n", "plugins:\n  - serverless-offline\n"),
])
def test_serverless_offline_is_added_to_the_plugins(text: str, expected: str) -> None:
    assert with_offline_plugin(text) == expected


def test_known_plugins_are_installed_at_their_framework_v3_major(tmp_path: Path) -> None:
    write(tmp_path / "a", "serverless.yml",
          "plugins: [serverless-wsgi, serverless-python-requirements, ./local.js]\n")
    write(tmp_path / "b", "serverless.yml", "plugins: {modules: [serverless-wsgi]}\n")
    assert project_plugins(tmp_path / "b") == ["serverless-wsgi"]
    assert npm_specs([tmp_path / "a", tmp_path / "b"]) == (
        "serverless-python-requirements@6", "serverless-wsgi@3")


# --- the table -------------------------------------------------------------------------------


def _outcome(tool: str, project: str, kinds: list[Kind], error: str | None = None) -> Outcome:
    routes = tuple(Route("rest", "GET", f"/r{i}", "f") for i in range(len(kinds)))
    probes = tuple(Probe(r, 200, k, "") for r, k in zip(routes, kinds, strict=True))
    return Outcome(project, tool, Declared(routes, ()), error, None,
                   () if error else probes)


def test_the_table_puts_the_tools_side_by_side_with_totals() -> None:
    results = Results()
    results.add(_outcome("emulator", "p1", [Kind.HANDLER, Kind.GATEWAY_ERROR]))
    results.add(_outcome("emulator", "p2", [Kind.HANDLER], error="error: bad"))
    results.add(_outcome("offline", "p1", [Kind.NO_ROUTE, Kind.HANDLER]))
    results.add(_outcome("offline", "p2", [Kind.DENIED]))
    results.printed += [Printed("p1", True, None), Printed("p2", False, "Error: x")]
    text = render(results)
    rows = [line.split() for line in text.splitlines()[:4]]
    assert rows[1] == ["p1", "2", "2", "1", "ok", "1", "1", "ok", "yes"]
    assert rows[2] == ["p2", "1", "0", "0", "ERROR", "1", "0", "ok", "no"]
    assert rows[3] == ["TOTAL", "3", "2", "1", "1/2", "2", "1", "2/2", "1/2"]
    assert "resolves: emulator serves 2/2 routes" in text
    assert "emulator / serverless-offline: 1.00x" in text
    assert "  p2: error: bad" in text and "  p2: Error: x" in text


def test_only_the_emulators_own_tracebacks_are_listed() -> None:
    results = Results()
    crashed = _outcome("emulator", "p1", [], error="Traceback (most recent call last):")
    results.add(Outcome("p1", "emulator", crashed.declared, crashed.start_error,
                        "KeyError: 'x' (File \"emulator/cli.py\", line 3)"))
    results.add(Outcome("p1", "offline", crashed.declared, None, "ModuleNotFoundError: x"))
    text = render(results)
    assert "emulator crashed with a traceback:\n  p1: KeyError: 'x'" in text
    assert "ModuleNotFoundError" not in text
