"""Entry point of one Lambda execution environment: a portable Lambda runtime client.

Emulates AWS's Python runtime interface client (awslambdaric 4.2.2, what Lambda's python3.x
images run): it imports the handler once (cold start), then loops on the Lambda Runtime API
(`GET .../invocation/next`, `POST .../response|error`, `POST .../init/error`) with the same
context object, error shapes, error messages and log lines. Results travel on the Runtime API,
never on stdout; the handler's prints stay the process's logs.

STANDALONE and stdlib only: run as `python /abs/bootstrap.py --parent-pid N [--client awslambdaric]
[--import-path DIRS]` by any interpreter (the handlers' virtualenv, `--python`); it never imports
the emulator. With `--client awslambdaric` it
runs AWS's own client instead, after the same parent-death watchdog.
"""

from __future__ import annotations

import decimal
import importlib
import json
import logging
import math
import os
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from typing import IO, Any, NoReturn

# awslambdaric's FaultException types (lambda_runtime_exception.py).
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"
INVALID_ENTRYPOINT = "Runtime.InvalidEntrypoint"

ERROR_LOG_LINE_TERMINATE = "\r"
ERROR_LOG_IDENT = "\u00a0"  # awslambdaric indents traceback lines with NO-BREAK SPACEs
UNHANDLED_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. "
    "For functions using managed runtimes, runtime updates can be triggered by a function "
    "change, or can be applied automatically. To determine if the runtime has been updated, "
    "check the runtime version in the INIT_START log entry. If this error correlates with a "
    "change in the runtime version, you may be able to mitigate this error by temporarily "
    "rolling back to the previous runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)
# awslambdaric encodes results with ensure_ascii=False on these runtimes only.
_NON_ASCII_RUNTIMES = {f"AWS_Lambda_python3.{minor}" for minor in (12, 13, 14, 15)}
PR_SET_PDEATHSIG = 1
SIGKILL = 9
API_PREFIX = "/2018-06-01/runtime"


# --- parent-death watchdog -------------------------------------------------------------------


def start_watchdog(parent_pid: int) -> None:
    """Exit this process as soon as the emulator (the parent) dies, even by SIGKILL.

    The parent holds the write end of our stdin; EOF on it means the parent is gone. On Linux the
    kernel also sends SIGKILL on parent death (PR_SET_PDEATHSIG), which works even while the
    handler holds the GIL. The handler then sees /dev/null as stdin, as on Lambda.
    """
    if sys.platform.startswith("linux"):
        _set_parent_death_signal()
    if os.name == "posix" and os.getppid() != parent_pid and not _is_alive(parent_pid):
        os._exit(1)  # the parent died before we could watch it (a wrapper may sit in between)
    watch_fd = os.dup(0)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    if os.name == "posix" and os.getpgid(0) == os.getpid():
        _start_group_guard(watch_fd)
    threading.Thread(target=_exit_on_eof, args=(watch_fd,), daemon=True).start()


def _start_group_guard(watch_fd: int) -> None:
    """Fork a guard that SIGKILLs this environment's whole process group once the pipe closes.

    The parent-death signal kills the runtime only: a process the handler started would live
    on (parent PID 1) after the emulator is SIGKILLed, or after the runtime crashed. The guard
    is a member of the group (the environment is its leader), sees EOF when the emulator dies
    or closes the environment, and takes the whole group down with it. A handler's child that
    leaves the group (setsid) escapes, as it would escape any process-group kill.
    """
    if os.fork() != 0:
        return
    try:  # the guard: no Python threads exist yet (called before any is started)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (1, 2):  # hold no log pipe open: the emulator reads them until EOF
            os.dup2(devnull, fd)
        while os.read(watch_fd, 4096):
            pass
    finally:
        os.killpg(0, SIGKILL)  # the group, this guard included
        os._exit(0)


def _set_parent_death_signal() -> None:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # an exotic libc: the stdin pipe still watches
        pass


def _is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # POSIX only: on Windows this would terminate the process
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exit_on_eof(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    finally:
        os._exit(1)


# --- errors, as awslambdaric's bootstrap.py builds them -------------------------------------


class FaultError(Exception):
    """awslambdaric's FaultException: a runtime-level error with a fixed errorType."""

    def __init__(self, error_type: str, msg: str, trace: list[str] | None = None,
                 source: str | None = None) -> None:
        super().__init__(msg)
        self.error_type = error_type
        self.msg = msg
        self.trace = trace
        self.source = source  # the file to blame, when one is known (not awslambdaric's)


def make_error(
    message: str | None, error_type: str | None, trace: list[str] | None, request_id: str | None
) -> dict[str, Any]:
    """Return Lambda's error payload (awslambdaric's make_error)."""
    return {
        "errorMessage": message or "",
        "errorType": error_type or "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": trace or [],
    }


def _is_bootstrap_frame(filename: str) -> bool:
    return filename.replace("\\", "/").endswith("/bootstrap.py")


def error_from_exception(exc: BaseException, request_id: str | None = None) -> dict[str, Any]:
    """Return the payload for an exception, without the runtime's own leading frames."""
    if isinstance(exc, FaultError):
        return make_error(exc.msg, exc.error_type, exc.trace, request_id)
    frames = list(traceback.extract_tb(exc.__traceback__))
    for index, frame in enumerate(frames):
        if not _is_bootstrap_frame(frame.filename):
            frames = frames[index:]
            break
    trace = traceback.format_list(frames)
    return make_error(str(exc), type(exc).__name__, trace, request_id)


# --- handler loading --------------------------------------------------------------------------


def load_handler(handler: str) -> Callable[..., Any]:
    """Import `path/module.function` from sys.path (the task root first), as awslambdaric does."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultError(MALFORMED_HANDLER_NAME, f"Bad handler '{handler}': {e}") from None
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            msg = f"Cannot use built-in module {modname} as a handler module"
            raise FaultError(BUILT_IN_MODULE_CONFLICT, msg)
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        msg = f"Unable to import module '{modname}': {e}"
        raise FaultError(IMPORT_MODULE_ERROR, msg, source=e.path) from None
    except SyntaxError as e:
        trace = [f'  File "{e.filename}" Line {e.lineno}\n    {e.text}']
        msg = f"Syntax error in module '{modname}': {e}"
        raise FaultError(USER_CODE_SYNTAX_ERROR, msg, trace, source=e.filename) from None
    try:
        function: Callable[..., Any] = getattr(module, fname)
    except AttributeError:
        msg = f"Handler '{fname}' missing on module '{modname}'"
        raise FaultError(HANDLER_NOT_FOUND, msg, source=getattr(module, "__file__", None)
                         ) from None
    return function


SETTLE_S = 1.0  # a file saved this recently may still be being written
SETTLE_MAX_S = 5.0  # within Lambda's 10 s init limit


def load_settled(handler: str) -> Callable[..., Any]:
    """load_handler, retried while the failure lies in a file saved moments ago.

    An editor saving in place truncates the file, then writes it: an environment importing it
    in between sees a syntax error, or a module without its handler, that the saved file does
    not have. Such a failure is retried (the modules it imported forgotten) until the file
    loads or has been still for SETTLE_S; a file that stays broken fails as before.
    """
    before = set(sys.modules)
    deadline = time.monotonic() + SETTLE_MAX_S
    while True:
        try:
            return load_handler(handler)
        except FaultError as e:
            if not _changed_lately(e.source) or time.monotonic() > deadline:
                raise
        _forget_user_modules(before)
        importlib.invalidate_caches()
        time.sleep(0.05)


def _forget_user_modules(before: set[str]) -> None:
    """Drop the modules of the task root imported since `before` (not libraries)."""
    root = os.getcwd() + os.sep  # the runtime starts in the task root
    for name in set(sys.modules) - before:
        where = getattr(sys.modules[name], "__file__", None) or ""
        if where.startswith(root) and "site-packages" not in where:
            del sys.modules[name]


def _changed_lately(path: str | None) -> bool:
    try:
        return path is not None and time.time() - os.stat(path).st_mtime < SETTLE_S
    except OSError:
        return False


# --- marshalling (awslambdaric's lambda_runtime_marshaller.py, with stdlib json) -----------


class _Encoder(json.JSONEncoder):
    """JSON like awslambdaric's simplejson encoder: Decimals as exact numbers, NaN allowed."""

    def __init__(self) -> None:
        ascii_only = os.environ.get("AWS_EXECUTION_ENV") not in _NON_ASCII_RUNTIMES
        super().__init__(ensure_ascii=ascii_only, allow_nan=True)
        self._decimals: list[str] = []
        self._nonce = os.urandom(8).hex()

    def default(self, o: Any) -> Any:
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            self._decimals.append(str(o))  # a placeholder, replaced by the exact digits below
            return f"\x00{self._nonce}:{len(self._decimals) - 1}\x00"
        return super().default(o)

    def encode(self, o: Any) -> str:
        text = super().encode(o)
        for index, digits in enumerate(self._decimals):
            text = text.replace(f'"\\u0000{self._nonce}:{index}\\u0000"', digits)
        return text


def to_json(obj: Any) -> str:
    """Serialize like awslambdaric's to_json."""
    return _Encoder().encode(obj)


def marshal_response(response: Any) -> tuple[bytes, str]:
    """Return the result body and content type; bytes go through as they are."""
    if isinstance(response, bytes):
        return response, "application/unknown"
    try:
        return to_json(response).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultError(MARSHAL_ERROR, f"Unable to marshal response: {e}") from None


def unmarshal_event(body: bytes, content_type: str | None) -> Any:
    """Return the event: parsed JSON for application/json, else the raw bytes."""
    if content_type != "application/json":
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise FaultError(UNMARSHAL_ERROR, f"Unable to unmarshal input: {e}") from None


# --- the context object (awslambdaric's lambda_context.py) ----------------------------------


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client:
    __slots__ = [
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    ]


class ClientContext:
    __slots__ = ["client", "custom", "env"]


def make_obj_from_dict(cls: type[Any], values: dict[str, Any] | None) -> Any:
    """Return an instance of a __slots__ class with every slot set from `values` (else None)."""
    if values is None:
        return None
    obj = cls()
    for name in cls.__slots__:
        setattr(obj, name, values.get(name))
    return obj


class LambdaContext:
    """The `context` argument: awslambdaric's LambdaContext, attribute for attribute."""

    def __init__(  # noqa: PLR0917 - awslambdaric's positional signature
        self,
        invoke_id: str,
        client_context: dict[str, Any] | None,
        cognito_identity: dict[str, Any] | None,
        epoch_deadline_time_in_ms: int,
        invoked_function_arn: str | None = None,
        tenant_id: str | None = None,
    ) -> None:
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self._w3c_fields = _extract_w3c(client_context)
        self.client_context = make_obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = make_obj_from_dict(Client, self.client_context.client)
        self.identity = make_obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            pool_id = cognito_identity.get("cognitoIdentityPoolId")
            self.identity.cognito_identity_pool_id = pool_id
        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self) -> int:
        delta_ms = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta_ms if delta_ms > 0 else 0

    def w3c(self) -> dict[str, str]:
        return dict(self._w3c_fields)

    def log(self, msg: object) -> None:
        sys.stdout.write(str(msg))

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(["
            f"aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},"
            f"log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},"
            f"memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},"
            f"identity={self.identity},"
            f"tenant_id={self.tenant_id}"
            "])"
        )


def _extract_w3c(client_context: dict[str, Any] | None) -> dict[str, str]:
    if not isinstance(client_context, dict) or "w3c" not in client_context:
        return {}
    raw = client_context.pop("w3c")
    if not isinstance(raw, dict):
        return {}
    keys = ("traceparent", "tracestate", "baggage")
    return {k: raw[k] for k in keys if isinstance(raw.get(k), str)}


# --- logging (awslambdaric's text log format) -----------------------------------------------


class Unbuffered:
    """A stream wrapper that flushes on every write, so logs reach the emulator line by line."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def __getattr__(self, attr: str) -> Any:
        return getattr(self.stream, attr)

    def write(self, msg: str) -> int:
        written = self.stream.write(msg)
        self.stream.flush()
        return written

    def writelines(self, msgs: list[str]) -> None:
        self.stream.writelines(msgs)
        self.stream.flush()


_CURRENT_REQUEST_ID: list[str] = [""]


class _RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.aws_request_id = _CURRENT_REQUEST_ID[0]
        record.tenant_id = None
        return True


class _StdoutHandler(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        sys.stdout.write(self.format(record))


def setup_logging() -> None:
    """Install awslambdaric's root log handler: `[LEVEL]\\ttime\\trequest-id\\tmessage`."""
    logging.Formatter.converter = time.gmtime
    handler = _StdoutHandler()
    fmt = "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n"
    handler.setFormatter(logging.Formatter(fmt, "%Y-%m-%dT%H:%M:%S"))
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    level = {"TRACE": "DEBUG"}.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", ""), "").upper()
    if level and isinstance(logging.getLevelName(level), int):
        root.setLevel(level)
    root.addHandler(handler)


def log_error(error: dict[str, Any]) -> None:
    """Write an error as awslambdaric does: one entry, lines joined by carriage returns."""
    description = "[ERROR]"
    if error.get("errorType"):
        description += " " + error["errorType"]
    if error.get("errorMessage"):
        description += (":" if error.get("errorType") else "") + " " + error["errorMessage"]
    lines = [description]
    trace = error.get("stackTrace")
    if trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append(ERROR_LOG_IDENT * (len(line) - len(stripped)) + stripped)
    sys.stdout.write(ERROR_LOG_LINE_TERMINATE.join(lines) + "\n")


# --- the Runtime API client ------------------------------------------------------------------


class Invocation:
    """One event from `GET .../invocation/next`."""

    def __init__(self, body: bytes, headers: Mapping[str, str]) -> None:
        self.body = body
        self.request_id = headers.get("lambda-runtime-aws-request-id", "")
        self.deadline_ms = int(headers.get("lambda-runtime-deadline-ms", "0"))
        self.function_arn = headers.get("lambda-runtime-invoked-function-arn")
        self.trace_id = headers.get("lambda-runtime-trace-id")
        self.client_context = headers.get("lambda-runtime-client-context")
        self.cognito_identity = headers.get("lambda-runtime-cognito-identity")
        self.tenant_id = headers.get("lambda-runtime-aws-tenant-id")
        self.content_type = headers.get("content-type")


class RuntimeClient:
    """A minimal HTTP/1.1 keep-alive client of the Runtime API (AWS_LAMBDA_RUNTIME_API).

    Plain sockets rather than http.client, which imports email.* and ssl: a cold start cost.
    """

    def __init__(self, address: str) -> None:
        host, _, port = address.rpartition(":")
        self._address = address
        self._host, self._port = host, int(port)
        self._sock: socket.socket | None = None
        self._rfile: IO[bytes] | None = None

    def _close(self) -> None:
        if self._rfile is not None:
            self._rfile.close()
        if self._sock is not None:
            self._sock.close()
        self._sock = self._rfile = None

    def _call(
        self, method: str, path: str, body: bytes = b"", headers: Mapping[str, str] = {}
    ) -> tuple[int, dict[str, str], bytes]:
        lines = [f"{method} {API_PREFIX}{path} HTTP/1.1", f"Host: {self._address}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        for attempt in (1, 2):  # one retry on a connection the server closed meanwhile
            try:
                if self._sock is None:
                    self._sock = socket.create_connection((self._host, self._port))
                    self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self._rfile = self._sock.makefile("rb")
                self._sock.sendall(request)
                return self._read_response()
            except OSError:
                self._close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _read_response(self) -> tuple[int, dict[str, str], bytes]:
        assert self._rfile is not None
        status_line = self._rfile.readline(65536)
        if not status_line:
            raise ConnectionError("the Runtime API closed the connection")
        headers = {}
        while True:
            line = self._rfile.readline(65536)
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        data = self._rfile.read(length)
        if len(data) != length:
            raise ConnectionError("the Runtime API closed the connection")
        if headers.get("connection", "").lower() == "close":
            self._close()
        return int(status_line.split()[1]), headers, data

    def next(self) -> Invocation:
        status, headers, body = self._call("GET", "/invocation/next")
        if status != 200:
            raise RuntimeError(f"Runtime API /invocation/next failed: {status} {body!r}")
        return Invocation(body, headers)

    def post(self, path: str, body: bytes, headers: Mapping[str, str]) -> None:
        status, _, data = self._call("POST", path, body, headers)
        if status != 202:
            raise RuntimeError(f"Runtime API {path} failed: {status} {data!r}")

    def post_error(self, path: str, error: dict[str, Any]) -> None:
        headers = {
            "Content-Type": "application/json",
            "Lambda-Runtime-Function-Error-Type": str(error.get("errorType", "")),
        }
        self.post(path, to_json(error).encode("utf-8"), headers)


# --- the runtime loop --------------------------------------------------------------------------


def handle_invocation(
    client: RuntimeClient, handler: Callable[..., Any], invocation: Invocation
) -> None:
    """Run the handler on one event and post its result or error."""
    request_id = invocation.request_id
    try:
        context = LambdaContext(
            request_id,
            _parse_json_header(invocation.client_context, "Client Context"),
            _parse_json_header(invocation.cognito_identity, "Cognito Identity"),
            invocation.deadline_ms,
            invocation.function_arn,
            invocation.tenant_id,
        )
        event = unmarshal_event(invocation.body, invocation.content_type)
        result, content_type = marshal_response(handler(event, context))
    except Exception as e:  # as awslambdaric: SystemExit/KeyboardInterrupt end the process
        error = error_from_exception(e, request_id)
        log_error(error)
        client.post_error(f"/invocation/{request_id}/error", error)
        return
    headers = {"Content-Type": content_type}
    client.post(f"/invocation/{request_id}/response", result, headers)


def _parse_json_header(value: str | None, name: str) -> dict[str, Any] | None:
    if not value:
        return None
    try:
        parsed: dict[str, Any] = json.loads(value)
    except Exception as e:
        msg = f"Unable to parse {name} JSON: {e}"
        raise FaultError(LAMBDA_CONTEXT_UNMARSHAL_ERROR, msg) from None
    return parsed


def run_builtin(handler_name: str, api_address: str) -> None:
    """Initialize (import the handler once), then serve invocations until the process ends."""
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)
    setup_logging()
    client = RuntimeClient(api_address)
    try:
        handler = load_settled(handler_name)
    except Exception as e:
        init_failed(client, error_from_exception(e))
    while True:
        invocation = client.next()
        _CURRENT_REQUEST_ID[0] = invocation.request_id
        if invocation.trace_id is not None:
            os.environ["_X_AMZN_TRACE_ID"] = invocation.trace_id
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        handle_invocation(client, handler, invocation)


def init_failed(client: RuntimeClient, error: dict[str, Any]) -> NoReturn:
    """Report an init failure on /init/error and exit 1, as awslambdaric does."""
    logging.warning(UNHANDLED_WARNING)
    log_error(error)
    client.post_error("/init/error", error)
    sys.exit(1)


def run_awslambdaric(handler_name: str, api_address: str) -> None:
    """Run AWS's own runtime interface client (`python -m awslambdaric <handler>`)."""
    try:
        from awslambdaric.__main__ import main as ric_main
    except ImportError as e:
        msg = f"awslambdaric is not installed for {sys.executable}: {e}"
        sys.stderr.write(msg + "\n")
        init_failed(RuntimeClient(api_address), make_error(msg, INVALID_ENTRYPOINT, None, None))
    ric_main(["awslambdaric", handler_name])


def _prepare_imports(task_root: str, import_paths: str = "") -> None:
    """Import handlers from the task root (Lambda's /var/task), then the layers' folders (as
    /opt/python), never from the emulator's folder."""
    own_dir = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != own_dir]
    extra = [p for p in import_paths.split(os.pathsep) if p]
    sys.path[0:0] = [task_root, *extra]
    os.chdir(task_root)


def _local_endpoints_for_old_sdks() -> None:
    """sdk_endpoints.py, loaded by path (this folder is not on the handler's sys.path)."""
    import importlib.util

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sdk_endpoints.py")
    legacy = globals().get("_load_legacy_module")  # set by bootstrap_py36.py on Python 3.6
    if legacy is not None:
        legacy("_emulator_sdk_endpoints", path).install()
        return
    spec = importlib.util.spec_from_file_location("_emulator_sdk_endpoints", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()


def main(argv: list[str]) -> None:
    """Parse `--parent-pid N [--client builtin|awslambdaric] [--import-path DIRS]`, start the
    watchdog, run a client."""
    options = {argv[i]: argv[i + 1] for i in range(1, len(argv) - 1, 2)}
    start_watchdog(int(options["--parent-pid"]))
    _local_endpoints_for_old_sdks()
    _prepare_imports(os.environ["LAMBDA_TASK_ROOT"], options.get("--import-path", ""))
    handler, api = os.environ["_HANDLER"], os.environ["AWS_LAMBDA_RUNTIME_API"]
    if options.get("--client", "builtin") == "awslambdaric":
        run_awslambdaric(handler, api)
    else:
        run_builtin(handler, api)


if __name__ == "__main__":
    main(sys.argv)
