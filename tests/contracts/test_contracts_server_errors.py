"""A server error found by the harness names what the server answered and what the emulator's
console said about that reply; `--emulator-args` goes to the emulator the run starts."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from contracts import cli, report, runner, target
from contracts.cleanup import CleanupReport

ACCESS_LINE = "GET /dev/reviews/42 502 3.1 ms get warm"


def test_the_console_lines_before_a_5xx_access_line_belong_to_it() -> None:
    lines = target.ServerErrorLines()
    for line in ("warning: unrelated, taken by the 200 below",
                 "GET /dev/reviews 200 1.0 ms list warm",
                 "[get] 5f0c START RequestId: 5f0c Version: $LATEST",
                 "error: get failed: TypeError: Object of type Decimal is not JSON serializable",
                 ACCESS_LINE,
                 "POST /dev/reviews 201 2.0 ms create warm"):
        lines.feed(line)
    assert lines.about("get", "/dev/reviews/42", 502) == (
        "error: get failed: TypeError: Object of type Decimal is not JSON serializable",
        ACCESS_LINE)
    assert lines.about("GET", "/dev/reviews", 200) == ()  # only 5xx replies are kept
    assert lines.about("GET", "/dev/reviews/43", 502) == ()


def _response(status: int, body: bytes, url: str = "http://127.0.0.1:5/dev/reviews/42?x=1"
              ) -> SimpleNamespace:
    return SimpleNamespace(status_code=status, content=body,
                           request=SimpleNamespace(method="GET", url=url))


@dataclass(frozen=True)
class _Failure:
    """schemathesis's ServerError as the runner reads it (hashable: it keys a dict)."""

    title: str
    message: str
    operation: str


def test_a_server_error_without_a_message_shows_the_reply() -> None:
    failure = _Failure("Server error", "", "GET /reviews/{id}")
    group = SimpleNamespace(failures=[failure], code_sample="curl -X GET ...",
                            response=_response(502, b'{"message":\n "Internal server error"}'))
    stats = SimpleNamespace(observed_failures={"k": (failure, "not_a_server_error")},
                            failures={"GET /reviews/{id}": {"case": group}})
    [found] = runner.findings(stats)
    assert found.message == 'Server error: 502 {"message": "Internal server error"}'
    assert found.reply == ("GET", "/dev/reviews/42", 502)


def test_an_empty_reply_body_is_named() -> None:
    assert runner.reply_text(_response(500, b"")) == "500 (empty body)"


def test_the_summary_and_junit_show_the_emulators_lines(tmp_path: Path) -> None:
    finding = runner.Finding("not_a_server_error", "GET /reviews/{id}",
                             'Server error: 502 {"message": "Internal server error"}',
                             "curl -X GET http://127.0.0.1:5/dev/reviews/42",
                             ("GET", "/dev/reviews/42", 502), ("error: get failed: TypeError: x",
                                                               ACCESS_LINE))
    done = report.Outcome(result=runner.RunResult(exit_code=1, operations=1, examples=1,
                                                  findings=[finding]),
                          cleanup=CleanupReport(), drift=None, coverage=None,
                          checks=("not_a_server_error",), url="http://127.0.0.1:5/dev", seed=1)
    text = "\n".join(report.summary(done))
    assert ('    GET /reviews/{id}: Server error: 502 {"message": "Internal server error"}\n'
            "      curl -X GET http://127.0.0.1:5/dev/reviews/42\n"
            "      emulator: error: get failed: TypeError: x\n"
            f"      emulator: {ACCESS_LINE}") in text
    report.write_junit(done, tmp_path / "junit.xml")
    assert f"emulator: {ACCESS_LINE}" in (tmp_path / "junit.xml").read_text(encoding="utf-8")


def test_findings_get_the_console_lines_of_their_reply() -> None:
    emulator = target.Emulator(Path("serverless.yml"))
    for line in ("error: get failed: boom", ACCESS_LINE):
        emulator.console.feed(line)
    result = runner.RunResult(findings=[
        runner.Finding("not_a_server_error", "GET /reviews/{id}", "Server error: 502",
                       reply=("GET", "/dev/reviews/42", 502)),
        runner.Finding("status_code_conformance", "GET /reviews", "Undocumented status",
                       reply=("GET", "/dev/reviews", 418))])
    cli.with_console(result, emulator)
    assert result.findings[0].console == ("error: get failed: boom", ACCESS_LINE)
    assert result.findings[1].console == ()


def test_emulator_args_are_split_like_a_shell_and_follow_the_fixed_flags() -> None:
    args = cli.build_parser().parse_args(
        ["--emulator-args", "--stage qa --python '/opt/my python/bin/python3.12'",
         "--emulator-args=--no-iam"])
    words = [w for text in args.emulator_args for w in shlex.split(text)]
    emulator = target.Emulator(Path("serverless.yml"), extra_args=words)
    assert emulator.command[-6:] == ["--no-reload", "--stage", "qa", "--python",
                                     "/opt/my python/bin/python3.12", "--no-iam"]


def test_emulator_args_without_an_emulator_are_refused(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    code = cli.main(["--base-url", "http://127.0.0.1:9/dev", "--emulator-args=--no-iam"])
    assert code == report.EXIT_USAGE
    assert "--emulator-args: no emulator is started with --base-url" in capsys.readouterr().err
