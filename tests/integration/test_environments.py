"""Execution environments over the real Lambda Runtime API, with our client and AWS's.

Every behavioural test runs twice (`runtime_client` fixture): with the portable client in
emulator/runtime/bootstrap.py and with AWS's awslambdaric, to show ours behaves like AWS's.
"""

from __future__ import annotations

import http.client
import importlib.util
import json
import logging
import os
import re
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime.environments import EnvironmentPool
from emulator.runtime.inprocess import InProcessInvoker
from emulator.runtime.invocations import (
    MAX_RESPONSE_BYTES,
    RESPONSE_TOO_LARGE_ERROR,
    Invocation,
    RuntimeChannel,
)
from emulator.runtime.invoker import Invoker, InvokeResult, Outcome, RuntimeSettings
from emulator.runtime.runtime_api import RuntimeApiServer

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES_ROOT = REPO_ROOT / "tests" / "fixtures"  # the task root: handlers/*.py
HAS_AWSLAMBDARIC = importlib.util.find_spec("awslambdaric") is not None
RUNTIME_CLIENTS = [
    "builtin",
    pytest.param(
        "awslambdaric",
        marks=pytest.mark.skipif(not HAS_AWSLAMBDARIC, reason="awslambdaric not installed"),
    ),
]
NOWHERE = "http://127.0.0.1:9"  # nothing listens there: a stray AWS call fails fast, locally


def lambda_function(name: str, handler: str, **options: Any) -> FunctionConfig:
    """Return a function of the `envtest` service (full name `envtest-dev-<name>`)."""
    settings: dict[str, Any] = {"timeout_s": 6.0, "memory_mb": 256, "environment": {}, **options}
    return FunctionConfig(name=name, full_name=f"envtest-dev-{name}", handler=handler, **settings)


def lambda_service(*functions: FunctionConfig) -> ServiceConfig:
    """Return a service whose task root holds tests/fixtures/handlers."""
    return ServiceConfig(
        service="envtest",
        stage="dev",
        region="eu-west-3",
        root=FIXTURES_ROOT,
        config_path=FIXTURES_ROOT / "serverless.yml",
        functions={f.name: f for f in functions},
        routes=(),
    )


def fake_aws_env(function: FunctionConfig) -> Mapping[str, str]:
    """Per-function fake credentials and a dead local endpoint: never a real AWS account."""
    return {
        "AWS_ACCESS_KEY_ID": f"AKIAENVTEST{function.name.upper()}",
        "AWS_SECRET_ACCESS_KEY": f"secret-{function.name}",
        "AWS_SESSION_TOKEN": f"token-{function.name}",
        "AWS_ENDPOINT_URL": NOWHERE,
        "AWS_CONFIG_FILE": "/nonexistent/envtest/config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/envtest/credentials",
    }


PoolFactory = Callable[..., EnvironmentPool]


@pytest.fixture(params=RUNTIME_CLIENTS)
def runtime_client(request: pytest.FixtureRequest) -> str:
    """Each behavioural test runs once with our client and once with AWS's awslambdaric."""
    client: str = request.param
    return client


@pytest.fixture
def environment_pool_factory(runtime_client: str) -> Iterator[PoolFactory]:
    """Build pools of `functions` on the parametrized client; every pool is closed after."""
    pools: list[EnvironmentPool] = []

    def build(*functions: FunctionConfig, **settings: Any) -> EnvironmentPool:
        options = {"runtime_client": runtime_client, **settings}
        pool = EnvironmentPool(lambda_service(*functions), RuntimeSettings(**options), fake_aws_env)
        pools.append(pool)
        return pool

    yield build
    for pool in pools:
        pool.close()


ECHO = lambda_function("echo", "handlers/echo.handler")


def invoke(
    pool: Invoker, function: str, event: Any = None, *, wait_s: float = 30.0
) -> tuple[InvokeResult, str]:
    request_id = str(uuid.uuid4())
    payload = json.dumps({} if event is None else event).encode()
    return pool.invoke(function, payload, request_id, wait_s), request_id


def result_body(result: InvokeResult) -> Any:
    assert result.outcome is Outcome.OK, result
    return json.loads(result.payload)


def is_running(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for_exit(pid: int, timeout_s: float = 15.0) -> bool:
    """Wait (bounded) until `pid` ends: a pidfd where Linux has one, else a polling loop."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    except (AttributeError, OSError):
        deadline = time.monotonic() + timeout_s
        while is_running(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        return not is_running(pid)
    try:
        readable, _, _ = select.select([fd], [], [], timeout_s)
        return bool(readable) or not is_running(pid)
    finally:
        os.close(fd)


class Gate:
    """A loopback socket the `gate` handler reports to, then waits on until released."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.port: int = self.listener.getsockname()[1]
        self.waiting: list[socket.socket] = []

    def arrival(self) -> int:
        """Wait until one handler runs; return its pid."""
        conn, _ = self.listener.accept()
        conn.settimeout(30)
        self.waiting.append(conn)
        return int(conn.makefile("rb").readline())

    def release_all(self) -> None:
        for conn in self.waiting:
            conn.sendall(b"go")
            conn.close()
        self.waiting.clear()


@contextmanager
def gate() -> Iterator[Gate]:
    g = Gate()
    try:
        yield g
    finally:
        g.release_all()
        g.listener.close()


GATED = lambda_function("gated", "handlers/gate.handler")

# --- the context object and results ---------------------------------------------------------


def test_context_has_the_attributes_of_the_aws_context(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(ECHO)
    result, request_id = invoke(pool, "echo", {"greeting": "héllo"})
    body = result_body(result)
    context = body["context"]
    assert body["event"] == {"greeting": "héllo"}
    assert context["type"] == "LambdaContext"
    assert context["function_name"] == "envtest-dev-echo"
    assert context["function_version"] == "$LATEST"
    arn = "arn:aws:lambda:eu-west-3:123456789012:function:envtest-dev-echo"
    assert context["invoked_function_arn"] == arn
    assert context["memory_limit_in_mb"] == "256"  # a string, as in the real runtime
    assert context["aws_request_id"] == request_id
    assert context["log_group_name"] == "/aws/lambda/envtest-dev-echo"
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}", context["log_stream_name"])
    assert context["identity"] == {"cognito_identity_id": None, "cognito_identity_pool_id": None}
    assert context["client_context"] is None
    first, second = body["remaining"]
    assert 6000 >= first > second > 0  # counts down from the 6 s timeout


def test_module_state_survives_between_invocations(environment_pool_factory: PoolFactory) -> None:
    pool = environment_pool_factory(ECHO)
    first, _ = invoke(pool, "echo")
    second, _ = invoke(pool, "echo")
    assert (first.cold, second.cold) == (True, False)
    assert first.init_duration_ms > 0
    assert result_body(second)["pid"] == result_body(first)["pid"]
    assert [result_body(r)["invocations"] for r in (first, second)] == [1, 2]


def test_handler_exception_is_reported_and_does_not_poison_the_environment(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(lambda_function("raises", "handlers/failing.raise_error"))
    failed, request_id = invoke(pool, "raises", {"detail": "x"})
    ok, _ = invoke(pool, "raises", {"raise": False})
    assert failed.outcome is Outcome.ERROR
    assert failed.error is not None
    assert set(failed.error) == {"errorMessage", "errorType", "requestId", "stackTrace"}
    assert failed.error["errorType"] == "ValueError"
    assert failed.error["errorMessage"] == "boom: x"
    assert failed.error["requestId"] == request_id
    trace = failed.error["stackTrace"]
    assert isinstance(trace, list)
    assert all(isinstance(line, str) for line in trace)
    assert trace[0].startswith('  File "') and "failing.py" in trace[0]  # no runtime frames
    assert "in raise_error" in trace[0]
    assert ok.outcome is Outcome.OK and not ok.cold


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        (
            "handlers/import_error.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'handlers/import_error': "
            "No module named 'module_that_does_not_exist_xyz'",
        ),
        (
            "handlers/missing.handler",
            "Runtime.ImportModuleError",
            "Unable to import module 'handlers/missing': No module named 'handlers.missing'",
        ),
        (
            "handlers/echo.nope",
            "Runtime.HandlerNotFound",
            "Handler 'nope' missing on module 'handlers/echo'",
        ),
    ],
)
def test_bad_handler_is_an_init_error_and_each_request_retries_init(
    environment_pool_factory: PoolFactory, handler: str, error_type: str, message: str
) -> None:
    pool = environment_pool_factory(lambda_function("bad", handler))
    first, _ = invoke(pool, "bad")
    second, _ = invoke(pool, "bad")
    for result in (first, second):
        assert result.outcome is Outcome.ERROR and result.cold
        assert result.error == {
            "errorMessage": message,
            "errorType": error_type,
            "requestId": "",
            "stackTrace": [],
        }
    assert pool.environment_pids("bad") == []


@pytest.mark.parametrize(
    ("handler", "error_type", "message"),
    [
        (
            "handlers/failing.not_serializable",
            "Runtime.MarshalError",
            "Unable to marshal response: Object of type set is not JSON serializable",
        ),
    ],
)
def test_unserializable_result_is_a_runtime_error(
    environment_pool_factory: PoolFactory, handler: str, error_type: str, message: str
) -> None:
    pool = environment_pool_factory(lambda_function("fn", handler))
    result, request_id = invoke(pool, "fn")
    assert result.outcome is Outcome.ERROR
    assert result.error == {
        "errorMessage": message,
        "errorType": error_type,
        "requestId": request_id,
        "stackTrace": [],
    }


def test_decimal_result_keeps_its_exact_digits(environment_pool_factory: PoolFactory) -> None:
    pool = environment_pool_factory(lambda_function("dec", "handlers/failing.decimal_result"))
    result, _ = invoke(pool, "dec")
    assert result.payload == b'{"price": 10.10, "big": 12345678901234567890.5}'


# --- timeouts and crashes -----------------------------------------------------------------


def test_timeout_kills_the_environment_and_the_next_request_cold_starts(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(
        lambda_function("sleepy", "handlers/failing.sleep", timeout_s=1.0)
    )
    warm, _ = invoke(pool, "sleepy")
    timed_out, request_id = invoke(pool, "sleepy", {"seconds": 60})
    after, _ = invoke(pool, "sleepy")
    assert timed_out.outcome is Outcome.TIMEOUT
    assert timed_out.error == {
        "errorType": "Sandbox.Timedout",
        "errorMessage": f"RequestId: {request_id} Error: Task timed out after 1.00 seconds",
    }
    assert not is_running(result_body(warm)["pid"])
    assert after.cold and result_body(after)["pid"] != result_body(warm)["pid"]


@pytest.mark.parametrize(
    ("handler", "status"),
    [
        ("handlers/failing.exit_process", "exit status 3"),
        ("handlers/failing.system_exit", "exit status 2"),
    ],
)
def test_process_exit_is_a_crash_and_the_next_request_works(
    environment_pool_factory: PoolFactory, handler: str, status: str
) -> None:
    pool = environment_pool_factory(
        lambda_function("exits", handler), lambda_function("ok", "handlers/failing.exit_process")
    )
    crashed, request_id = invoke(pool, "exits")
    assert crashed.outcome is Outcome.CRASH
    assert crashed.error == {
        "errorType": "Runtime.ExitError",
        "errorMessage": f"RequestId: {request_id} Error: Runtime exited with error: {status}",
    }
    assert pool.environment_pids("exits") == []
    next_one, _ = invoke(pool, "ok", {"exit": False})
    assert next_one.outcome is Outcome.OK


def test_crashed_environment_is_replaced(environment_pool_factory: PoolFactory) -> None:
    pool = environment_pool_factory(lambda_function("exits", "handlers/failing.exit_process"))
    before, _ = invoke(pool, "exits", {"exit": False})
    crashed, _ = invoke(pool, "exits", {"exit": True})
    after, _ = invoke(pool, "exits", {"exit": False})
    assert crashed.outcome is Outcome.CRASH
    assert after.cold and result_body(after)["pid"] != result_body(before)["pid"]


# --- concurrency --------------------------------------------------------------------------


def test_parallel_requests_get_separate_environments(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(GATED, max_concurrency=2)
    with gate() as g, ThreadPoolExecutor(2) as executor:
        futures = [executor.submit(invoke, pool, "gated", {"port": g.port}) for _ in range(2)]
        running = {g.arrival(), g.arrival()}  # both handlers run at the same time
        g.release_all()
        pids = {result_body(f.result()[0])["pid"] for f in futures}
    assert len(running) == 2 and pids == running


def test_requests_beyond_the_cap_queue_for_a_free_environment(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(GATED, max_concurrency=1)
    with gate() as g, ThreadPoolExecutor(2) as executor:
        first = executor.submit(invoke, pool, "gated", {"port": g.port})
        first_pid = g.arrival()
        second = executor.submit(invoke, pool, "gated", {"port": g.port})
        g.release_all()
        second_pid = g.arrival()  # ran only once the first finished, in the same environment
        g.release_all()
        results = [first.result()[0], second.result()[0]]
    assert [r.outcome for r in results] == [Outcome.OK, Outcome.OK]
    assert first_pid == second_pid and pool.environment_pids("gated") == [first_pid]
    assert [r.cold for r in results] == [True, False]


def test_zero_reserved_concurrency_always_throttles(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(lambda_function("off", ECHO.handler, reserved_concurrency=0))
    result, _ = invoke(pool, "off")
    assert result.outcome is Outcome.THROTTLED
    assert pool.environment_pids() == []


def test_requests_beyond_reserved_concurrency_are_throttled(
    environment_pool_factory: PoolFactory,
) -> None:
    one = lambda_function("gated", GATED.handler, reserved_concurrency=1)
    pool = environment_pool_factory(one, max_concurrency=4)
    with gate() as g, ThreadPoolExecutor(1) as executor:
        running = executor.submit(invoke, pool, "gated", {"port": g.port})
        g.arrival()
        throttled, _ = invoke(pool, "gated", {"port": g.port})
        g.release_all()
        assert running.result()[0].outcome is Outcome.OK
    assert throttled.outcome is Outcome.THROTTLED
    assert throttled.error == {
        "errorType": "TooManyRequestsException",
        "errorMessage": "Rate Exceeded.",
    }


def test_integration_timeout_returns_while_the_invocation_runs_on(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(GATED, max_concurrency=1)
    with gate() as g:
        result, _ = invoke(pool, "gated", {"port": g.port}, wait_s=0.2)
        pid = g.arrival()
        assert result.outcome is Outcome.INTEGRATION_TIMEOUT
        assert is_running(pid)  # the handler is still running: API Gateway gave up, not Lambda
        with ThreadPoolExecutor(1) as executor:
            later = executor.submit(invoke, pool, "gated", {"port": g.port})
            g.release_all()  # the first invocation finishes and its environment is reused
            assert g.arrival() == pid
            g.release_all()
            assert later.result()[0].outcome is Outcome.OK and not later.result()[0].cold


def test_function_timeout_still_applies_after_an_integration_timeout(
    environment_pool_factory: PoolFactory,
) -> None:
    pool = environment_pool_factory(lambda_function("gated", GATED.handler, timeout_s=1.0))
    with gate() as g:
        result, _ = invoke(pool, "gated", {"port": g.port}, wait_s=0.1)
        pid = g.arrival()
        assert result.outcome is Outcome.INTEGRATION_TIMEOUT
        assert wait_for_exit(pid)  # killed at the function's own 1 s timeout
        with ThreadPoolExecutor(1) as executor:
            after = executor.submit(invoke, pool, "gated", {"port": g.port})
            assert g.arrival() != pid
            g.release_all()
            assert after.result()[0].cold


# --- environment variables and logs -------------------------------------------------------


def test_environment_variables_are_isolated(
    environment_pool_factory: PoolFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVTEST_SHELL_ONLY", "leak")
    a = lambda_function("a", "handlers/env_dump.handler", environment={"ONLY_A": "1"})
    b = lambda_function("b", "handlers/env_dump.handler")
    pool = environment_pool_factory(a, b, shell_env=dict(os.environ))
    env_a, env_b = (result_body(invoke(pool, name)[0]) for name in ("a", "b"))
    assert env_a["ONLY_A"] == "1" and "ONLY_A" not in env_b
    assert "ENVTEST_SHELL_ONLY" not in env_a and "ENVTEST_SHELL_ONLY" not in env_b
    assert env_a["AWS_ACCESS_KEY_ID"] != env_b["AWS_ACCESS_KEY_ID"]
    assert env_a["AWS_ENDPOINT_URL"] == NOWHERE
    assert env_a["AWS_LAMBDA_FUNCTION_NAME"] == "envtest-dev-a"
    assert env_a["_HANDLER"] == "handlers/env_dump.handler"
    assert env_a["LAMBDA_TASK_ROOT"] == str(lambda_service().root)
    assert env_a["AWS_EXECUTION_ENV"] == "AWS_Lambda_python3.12"
    assert re.fullmatch(r"127\.0\.0\.1:\d+", env_a["AWS_LAMBDA_RUNTIME_API"])
    expected = set(b.environment) | set(fake_aws_env(b))
    # what the interpreter or the runtime add themselves (locale coercion, the X-Ray header)
    added_by_runtime = {"LC_CTYPE", "_X_AMZN_TRACE_ID"}
    lambda_names = {k for k in env_b if k.startswith(("AWS_", "LAMBDA_", "_HANDLER"))}
    assert set(env_b) - expected - added_by_runtime - lambda_names == {"LANG", "PATH", "TZ"}


def test_passthrough_names_come_from_the_shell(
    environment_pool_factory: PoolFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ENVTEST_PASSED", "yes")
    dump = lambda_function("dump", "handlers/env_dump.handler")
    pool = environment_pool_factory(
        dump, shell_env=dict(os.environ), env_passthrough=("ENVTEST_PASSED",)
    )
    assert result_body(invoke(pool, "dump")[0])["ENVTEST_PASSED"] == "yes"


def test_handler_output_is_logged_with_the_request_id_and_never_the_result(
    environment_pool_factory: PoolFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="emulator.lambda")
    pool = environment_pool_factory(lambda_function("output", "handlers/output.handler"))
    result, rid = invoke(pool, "output")
    pool.close()  # joins the log pumps: every line has been logged
    assert result_body(result) == {"printed": True}
    lines = [r.getMessage() for r in caplog.records if r.name == "emulator.lambda"]
    assert f"[output] START RequestId: {rid} Version: $LATEST" in lines
    assert f"[output] {rid} to stdout: héllo" in lines
    assert f"[output] {rid} to stderr" in lines
    assert any(line.startswith(f"[output] {rid} [WARNING]\t") for line in lines)
    assert f"[output] END RequestId: {rid}" in lines
    report = next(line for line in lines if line.startswith("[output] REPORT"))
    assert re.fullmatch(
        rf"\[output\] REPORT RequestId: {rid}\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms"
        r"\tMemory Size: 256 MB(\tMax Memory Used: \d+ MB)?\tInit Duration: \d+\.\d\d ms",
        report,
    )


# --- no process outlives the emulator -----------------------------------------------------


def test_close_leaves_no_process_and_no_thread(environment_pool_factory: PoolFactory) -> None:
    threads_before = set(threading.enumerate())
    pool = environment_pool_factory(ECHO, lambda_function("other", ECHO.handler))
    invoke(pool, "echo")
    invoke(pool, "other")
    pids = pool.environment_pids()
    assert len(pids) == 2 and all(is_running(pid) for pid in pids)
    pool.close()
    assert not any(is_running(pid) for pid in pids)
    assert [t for t in threading.enumerate() if t not in threads_before and t.is_alive()] == []


DRIVER = """
import json, sys
from pathlib import Path
sys.path[:0] = [sys.argv[2]]
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime.environments import EnvironmentPool
from emulator.runtime.invoker import RuntimeSettings
root = Path(sys.argv[2]) / "tests" / "fixtures"
echo = FunctionConfig("echo", "envtest-dev-echo", "handlers/echo.handler", {})
service = ServiceConfig("envtest", "dev", "eu-west-3", root, root, {"echo": echo}, ())
pool = EnvironmentPool(service, RuntimeSettings(runtime_client=sys.argv[1]), lambda f: {})
result = pool.invoke("echo", b"{}", "driver-request", 30.0)
print(json.loads(result.payload)["pid"], flush=True)
sys.stdin.read()  # until killed
"""


def test_environments_die_when_the_emulator_is_killed(runtime_client: str) -> None:
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, runtime_client, str(REPO_ROOT)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert driver.stdout is not None and driver.stdin is not None
    try:
        pid = int(driver.stdout.readline())
        assert is_running(pid)
        driver.send_signal(signal.SIGKILL)
        driver.wait()
        assert wait_for_exit(pid)
    finally:
        driver.kill()
        driver.wait()
        driver.stdin.close()
        driver.stdout.close()


def test_bootstrap_exits_when_the_parent_pipe_closes() -> None:
    env = {"PATH": os.defpath, "LAMBDA_TASK_ROOT": str(REPO_ROOT)}  # never reaches its handler
    bootstrap = REPO_ROOT / "emulator" / "runtime" / "bootstrap.py"
    with subprocess.Popen(
        [sys.executable, str(bootstrap), "--parent-pid", str(os.getpid())],
        stdin=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**env, "_HANDLER": "x.y", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9"},
    ) as child:
        assert child.stdin is not None
        child.stdin.close()
        assert child.wait(timeout=30) != 0


# --- the interpreter (--python) ------------------------------------------------------------


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """An interpreter without the emulator's packages: a venv without site-packages or pip."""
    venv = tmp_path_factory.mktemp("bare-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    return str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def test_builtin_client_runs_under_another_interpreter(bare_python: str) -> None:
    pool = EnvironmentPool(lambda_service(ECHO), RuntimeSettings(python=bare_python), fake_aws_env)
    try:
        result, request_id = invoke(pool, "echo")
    finally:
        pool.close()
    assert result_body(result)["context"]["aws_request_id"] == request_id


@pytest.mark.parametrize(
    ("python", "client"),
    [("/nonexistent/bin/python", "builtin"), ("<bare>", "awslambdaric")],
)
def test_a_runtime_that_cannot_start_is_an_error(
    bare_python: str, python: str, client: str
) -> None:
    settings = RuntimeSettings(python=python.replace("<bare>", bare_python), runtime_client=client)
    pool = EnvironmentPool(lambda_service(ECHO), settings, fake_aws_env)
    try:
        result, _ = invoke(pool, "echo")
    finally:
        pool.close()
    assert result.outcome is Outcome.ERROR
    assert result.error is not None and result.error["errorType"] == "Runtime.InvalidEntrypoint"


# --- our client and AWS's give the same answers -------------------------------------------

PARITY_CASES = [
    (ECHO.handler, {"text": "héllo", "n": [1, 2.5, None]}),
    ("handlers/failing.raise_error", {"detail": "parity"}),
    ("handlers/failing.not_serializable", {}),
    ("handlers/failing.decimal_result", {}),
    ("handlers/failing.system_exit", {}),
    ("handlers/import_error.handler", {}),
    ("handlers/missing.handler", {}),
    ("handlers/echo.nope", {}),
    ("handlers/malformed", {}),
]


def _normalized(result: InvokeResult, request_id: str) -> Any:
    """The result without what differs per run (ids, pids, clock readings)."""
    text = (result.payload or json.dumps(result.error).encode()).decode()
    text = text.replace(request_id, "<request-id>")
    if '"context"' not in text:
        return result.outcome, text  # byte for byte (number formats, non-ASCII, key order)
    data = json.loads(text)
    del data["context"]["log_stream_name"], data["remaining"], data["pid"]
    return result.outcome, data


@pytest.mark.skipif(not HAS_AWSLAMBDARIC, reason="awslambdaric not installed")
def test_our_client_answers_like_awslambdaric() -> None:
    functions = [lambda_function(f"f{i}", h) for i, (h, _) in enumerate(PARITY_CASES)]
    answers = {}
    for client in ("builtin", "awslambdaric"):
        pool = EnvironmentPool(
            lambda_service(*functions), RuntimeSettings(runtime_client=client), fake_aws_env
        )
        try:
            answers[client] = [
                _normalized(*invoke(pool, f.name, event))
                for f, (_, event) in zip(functions, PARITY_CASES, strict=True)
            ]
        finally:
            pool.close()
    assert answers["builtin"] == answers["awslambdaric"]


# --- the Runtime API itself ---------------------------------------------------------------

ARN = "arn:aws:lambda:eu-west-3:123456789012:function:envtest-dev-api"
NEXT = "/2018-06-01/runtime/invocation/next"
INVALID_ID = {"errorMessage": "Invalid request ID", "errorType": "InvalidRequestID"}


@contextmanager
def runtime_api() -> Iterator[tuple[RuntimeChannel, http.client.HTTPConnection]]:
    server = RuntimeApiServer(RuntimeChannel())
    server.start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        yield server.channel, conn
    finally:
        conn.close()
        server.close()


def call(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, Any]:
    conn.request(method, path, body=body, headers=dict(headers or {}))
    response = conn.getresponse()
    data = response.read()
    is_json = response.headers.get("Content-Type") == "application/json" and data
    return response.status, response.headers, json.loads(data) if is_json else data


def delivered(channel: RuntimeChannel, conn: http.client.HTTPConnection) -> Invocation:
    invocation = Invocation("rid-1", b'{"k": 1}', 3.0, ARN)
    channel.assign(invocation)
    assert call(conn, "GET", NEXT)[0] == 200
    return invocation


def test_next_returns_the_event_with_the_runtime_headers() -> None:
    with runtime_api() as (channel, conn):
        channel.assign(Invocation("rid-1", b'{"k": 1}', 3.0, ARN))
        before_ms = int(time.time() * 1000)
        status, headers, body = call(conn, "GET", NEXT)
        after_ms = int(time.time() * 1000)
    assert (status, body) == (200, {"k": 1})
    assert headers["Lambda-Runtime-Aws-Request-Id"] == "rid-1"
    assert headers["Lambda-Runtime-Invoked-Function-Arn"] == ARN
    assert before_ms + 3000 <= int(headers["Lambda-Runtime-Deadline-Ms"]) <= after_ms + 3000
    trace = r"Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0"
    assert re.fullmatch(trace, headers["Lambda-Runtime-Trace-Id"])


@pytest.mark.parametrize("kind", ["response", "error"])
def test_a_reply_is_accepted_once_on_a_kept_alive_connection(kind: str) -> None:
    with runtime_api() as (channel, conn):
        invocation = delivered(channel, conn)
        sock = conn.sock
        path = f"/2018-06-01/runtime/invocation/rid-1/{kind}"
        first = call(conn, "POST", path, b'{"errorType": "E", "errorMessage": "m"}')
        again = call(conn, "POST", path, b"{}")
        assert conn.sock is sock  # one connection for every call (HTTP/1.1 keep-alive)
    assert (first[0], first[2]) == (202, {"status": "OK"})
    assert (again[0], again[2]) == (400, INVALID_ID)
    assert invocation.reply is not None and invocation.reply.kind == kind


@pytest.mark.parametrize(
    "path",
    [
        "/2018-06-01/runtime/invocation/unknown/response",
        "/2018-06-01/runtime/invocation/rid-1/error",  # assigned but not delivered yet
    ],
)
def test_a_reply_for_no_invocation_in_progress_is_refused(path: str) -> None:
    with runtime_api() as (channel, conn):
        channel.assign(Invocation("rid-1", b"{}", 3.0, ARN))
        status, _, body = call(conn, "POST", path, b"{}")
    assert (status, body) == (400, INVALID_ID)


@pytest.mark.parametrize(
    ("body", "header", "error"),
    [
        (b'{"errorMessage": "m"}', "Custom", {"errorMessage": "m", "errorType": "Custom"}),
        (b'{"errorType": "Body"}', "Header", {"errorType": "Body"}),
        (b"not json", "Custom", {"errorType": "Custom", "errorMessage": "not json"}),
        (b"", None, {"errorType": "Runtime.Unknown", "errorMessage": ""}),
    ],
)
def test_error_payload_takes_its_type_from_the_body_then_the_header(
    body: bytes, header: str | None, error: dict[str, str]
) -> None:
    headers = {"Lambda-Runtime-Function-Error-Type": header} if header else {}
    with runtime_api() as (channel, conn):
        invocation = delivered(channel, conn)
        call(conn, "POST", "/2018-06-01/runtime/invocation/rid-1/error", body, headers)
    assert invocation.reply is not None and invocation.reply.error == error


def test_init_error_is_accepted_during_init_only() -> None:
    path = "/2018-06-01/runtime/init/error"
    with runtime_api() as (channel, conn):
        invocation = Invocation("rid-1", b"{}", 3.0, ARN)
        channel.assign(invocation)
        first = call(conn, "POST", path, b'{"errorType": "Runtime.ImportModuleError"}')
        second = call(conn, "POST", path, b"{}")
    assert (first[0], first[2]) == (202, {"status": "OK"})
    assert second[0] == 403 and second[2]["errorType"] == "InvalidStateTransition"
    assert invocation.reply is not None and invocation.reply.kind == "init_error"


def test_chunked_body_is_decoded() -> None:
    with runtime_api() as (channel, conn):
        invocation = delivered(channel, conn)
        conn.request(
            "POST",
            "/2018-06-01/runtime/invocation/rid-1/response",
            body=iter([b'{"a"', b": 1}"]),
            encode_chunked=True,
        )
        assert conn.getresponse().status == 202
    assert invocation.reply is not None and invocation.reply.body == b'{"a": 1}'


@pytest.mark.parametrize("length", ["abc", "-1", "1e3"])
def test_malformed_content_length_is_a_400_that_closes_the_connection(length: str) -> None:
    with runtime_api() as (channel, conn):
        delivered(channel, conn)
        with socket.create_connection(("127.0.0.1", conn.port), timeout=30) as raw:
            raw.sendall(
                b"POST /2018-06-01/runtime/invocation/rid-1/response HTTP/1.1\r\n"
                + f"Host: x\r\nContent-Length: {length}\r\n\r\n".encode()
            )
            reply = b""
            while chunk := raw.recv(4096):  # until the server closes the connection
                reply += chunk
    assert reply.startswith(b"HTTP/1.1 400 ")
    assert b"\r\nConnection: close\r\n" in reply


def test_response_over_the_lambda_limit_fails_the_invocation() -> None:
    with runtime_api() as (channel, conn):
        invocation = delivered(channel, conn)
        path = "/2018-06-01/runtime/invocation/rid-1/response"
        status, _, body = call(conn, "POST", path, b"x" * (MAX_RESPONSE_BYTES + 1))
    assert status == 413 and body["errorType"] == "RequestEntityTooLarge"
    assert invocation.reply is not None and invocation.reply.error == RESPONSE_TOO_LARGE_ERROR


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/2018-06-01/runtime/nothing", 404),
        ("POST", "/2018-06-01/runtime/invocation/next", 405),
        ("GET", "/2018-06-01/runtime/init/error", 405),
    ],
)
def test_unknown_routes_are_refused(method: str, path: str, status: int) -> None:
    with runtime_api() as (_, conn):
        assert call(conn, method, path, b"" if method == "POST" else None)[0] == status


# --- in-process invoker (--inprocess) -----------------------------------------------------


@contextmanager
def in_process(*functions: FunctionConfig) -> Iterator[InProcessInvoker]:
    invoker = InProcessInvoker(lambda_service(*functions), fake_aws_env)
    try:
        yield invoker
    finally:
        invoker.close()


def test_in_process_gives_the_same_context_and_restores_the_environment() -> None:
    environ_before = dict(os.environ)
    fn = lambda_function("inproc", "handlers/env_dump.handler", environment={"ONLY_HERE": "1"})
    with in_process(ECHO, fn) as invoker:
        echo, rid = invoke(invoker, "echo")
        dumped, _ = invoke(invoker, "inproc")
    context = result_body(echo)["context"]
    assert context["aws_request_id"] == rid
    assert context["function_name"] == "envtest-dev-echo"
    assert context["memory_limit_in_mb"] == "256"
    assert result_body(dumped)["ONLY_HERE"] == "1"
    assert result_body(dumped)["AWS_ENDPOINT_URL"] == NOWHERE
    assert dict(os.environ) == environ_before


@pytest.mark.parametrize(
    ("handler", "error_type"),
    [
        ("handlers/failing.raise_error", "ValueError"),
        ("handlers/failing.not_serializable", "Runtime.MarshalError"),
        ("handlers/echo.nope", "Runtime.HandlerNotFound"),
    ],
)
def test_in_process_errors_have_the_runtime_shapes(handler: str, error_type: str) -> None:
    with in_process(lambda_function("fn", handler)) as invoker:
        result, _ = invoke(invoker, "fn")
    assert result.outcome is Outcome.ERROR
    assert result.error is not None and result.error["errorType"] == error_type
    trace = result.error["stackTrace"]
    assert all("inprocess.py" not in line and "bootstrap.py" not in line for line in trace)


def test_in_process_system_exit_is_a_crash_not_an_exit() -> None:
    with in_process(lambda_function("fn", "handlers/failing.system_exit")) as invoker:
        result, _ = invoke(invoker, "fn")
    assert result.outcome is Outcome.CRASH
