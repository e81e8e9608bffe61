"""The handlers' virtualenv: Lambda's Python, the runtime's boto3, the project's requirements.

On Lambda a handler imports from its package (/var/task: the code, plus what
serverless-python-requirements installed into it), its layers (/opt/python) and the runtime
(the Python standard library, boto3 and botocore) — nothing else. Locally each distinct set of
inputs (Python version, requirements, SDK pin, runtime client) gets one virtualenv, built with
uv under the state folder (`.emulator/venvs/<hash>`) and reused until an input changes, so
nothing of the emulator's own environment (moto, PyYAML, schemathesis, ...) is importable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from emulator.config.packaging import WSGI_HANDLERS
from emulator.config.service import FunctionConfig, ServiceConfig
from emulator.runtime import old_pythons, pythons
from emulator.runtime.invoker import FunctionRuntime
from emulator.runtime.requirements import RequirementsFileError, function_requirements
from emulator.runtime.venv_spec import FORMAT, Spec

MARKER = "emulator-venv.json"  # written last: a folder without it is an unfinished build
WSGI_SHIM = Path(__file__).resolve().with_name("wsgi_handler.py")
logger = logging.getLogger(__name__)
_UNREACHABLE = ("dns error", "failed to fetch", "connect", "network", "timed out",
                "error sending request", "unreachable")


class DependencyError(Exception):
    """The virtualenv cannot be built; the message is one line and names the way out."""


class BuildError(DependencyError):
    """These requirements do not install (a pin that no longer builds, a typo): only the
    functions that need them cannot run. An unreachable index or a missing uv or Python stays
    a DependencyError, which stops the start: nothing could be built."""


@dataclass(frozen=True, slots=True)
class Venv:
    path: Path
    python: str  # the interpreter inside the virtualenv
    version: str  # its version, "3.12.1"
    requested: str  # what the runtime asked for, "3.12"


def venv_python(folder: Path) -> Path:
    return folder / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def find_uv() -> str:
    """The uv binary the `uv` package installed beside the emulator (else one on PATH)."""
    try:
        from uv import find_uv_bin

        return str(find_uv_bin())
    except (ImportError, FileNotFoundError):
        found = shutil.which("uv")
        if found is None:
            raise DependencyError("uv is not installed (pip install uv), or run with "
                                  "--python PATH / --no-venv") from None
        return found


class Dependencies:
    """Builds and reuses the handlers' virtualenvs; answers `RuntimeSettings.runtime_for`."""

    def __init__(self, folder: Path, *, runtime_client: str = "builtin",
                 env: Mapping[str, str] | None = None, python: str | None = None,
                 echo: Callable[[str], None] | None = None,
                 reset_command: str = "python -m emulator reset") -> None:
        """`python`: an interpreter to use as it is (--python, --no-venv): nothing is built, but
        layers, `module:` roots and serverless-wsgi's handler still apply. `reset_command`:
        the command line the warnings name (emulator/commands.py)."""
        self.folder = folder.absolute()
        self._python = python
        self._client = runtime_client
        self._env = dict(os.environ if env is None else env)
        self._echo = echo or logger.info  # progress lines
        self._reset = reset_command
        self._lock = threading.Lock()
        self._venvs: dict[str, Venv] = {}
        self._broken: dict[str, BuildError] = {}  # spec key -> why it did not build (once)
        self._warned: set[str] = set()
        self._versions: dict[str, str | None] = {}  # --python PATH -> its version

    def prepare(self, service: ServiceConfig) -> dict[str, str]:
        """Build (or find) every function's virtualenv now, so problems show at start.

        Returns {function: why} for the functions whose requirements do not install; the
        others run. Raises DependencyError when nothing can be built (no index, uv, Python)."""
        broken: dict[str, str] = {}
        if service.packaging.requirements.rules == "v4":
            self._echo("Handler requirements: Serverless Framework v4's rules (built-in Python "
                       "support, " + ("on: custom.pythonRequirements" if
                                      service.packaging.requirements.enabled else
                                      "off: no custom.pythonRequirements block") + ")")
        for function in service.functions.values():
            try:
                self.runtime_for(service, function)
            except BuildError as exc:
                broken[function.name] = str(exc)
        return broken

    def runtime_for(self, service: ServiceConfig, function: FunctionConfig) -> FunctionRuntime:
        """The interpreter, import path and task root of one function's environments."""
        spec = self.spec(service, function)
        venv = None if self._python else self._venv(service, function, spec)
        python = venv.python if venv is not None else str(self._python)
        version = venv.version if venv is not None else self._fixed_version()
        paths = [str(p) for folder in service.packaging.layers.get(function.name, ())
                 for p in (folder / "python", folder / "python" / "lib" /
                           f"python{spec.python}" / "site-packages")]
        if spec.wsgi:
            paths.append(str(self._wsgi_folder(service)))
        root = service.root / service.packaging.module(function.name)
        return FunctionRuntime(python=python, import_paths=tuple(paths),
                               task_root=str(root.resolve()),
                               launcher=old_pythons.launcher(version))

    def _fixed_version(self) -> str | None:
        """The version of --python's interpreter (run once; None when it does not start)."""
        if self._python not in self._versions:
            probed = pythons.probe(str(self._python))
            self._versions[str(self._python)] = probed.version if probed else None
        return self._versions[str(self._python)]

    def _venv(self, service: ServiceConfig, function: FunctionConfig, spec: Spec) -> Venv:
        with self._lock:
            key = spec.key()
            if key in self._broken:  # tried once: not again on every request
                raise BuildError(str(self._broken[key]))  # a fresh one: no growing traceback
            venv = self._venvs.get(key)
            if venv is None:
                try:
                    venv = self._venvs[key] = self._ensure(spec)
                except BuildError as exc:
                    self._broken[key] = exc
                    raise
        self._warn(service, function, spec, venv)
        return venv

    def spec(self, service: ServiceConfig, function: FunctionConfig) -> Spec:
        wsgi = function.handler in WSGI_HANDLERS and service.packaging.wsgi is not None
        try:
            requirements = function_requirements(service, function)
        except RequirementsFileError as exc:  # only the functions that need the file stop
            raise BuildError(f"cannot read the handlers' requirements: {exc}") from None
        return Spec(pythons.requested_version(function.runtime), requirements, self._client,
                    wsgi)

    def _warn(self, service: ServiceConfig, function: FunctionConfig, spec: Spec,
              venv: Venv) -> None:
        notes = []
        if not venv.version.startswith(venv.requested + "."):
            notes.append(f"runtime python{venv.requested} asks for Python {venv.requested}, "
                         f"which is not installed here: handlers run on Python {venv.version} "
                         f"(`uv python install {venv.requested}`, then `{self._reset}`, to "
                         "match)")
        unused = spec.requirements.unused
        if unused is not None:
            notes.append(f"{unused} is not installed: no plugin under plugins: installs it on "
                         "deploy (serverless-python-requirements does), so neither does the "
                         "emulator")
        for note in notes:
            if note not in self._warned:
                self._warned.add(note)
                logger.warning("function %s: %s", function.name, note)
        for layer in service.packaging.layer_twins.get(function.name, ()):
            if layer.why not in self._warned:  # once per layer, not per function
                self._warned.add(layer.why)
                logger.info("public layer: %s", layer.why)

    # --- building ---------------------------------------------------------------------------

    def _ensure(self, spec: Spec) -> Venv:
        folder = self.folder / spec.key()
        found = _read_marker(folder)
        if found is not None:
            return found
        return self._build(spec, folder)

    def _build(self, spec: Spec, folder: Path) -> Venv:
        uv = find_uv()
        interpreter = (pythons.find(spec.python, uv, self._env)
                       or pythons.find_closest(spec.python, uv, self._env))
        if interpreter is None:
            raise DependencyError(f"no Python interpreter found for python{spec.python}; "
                                  "run with --python PATH")
        sources = ", ".join(str(s) for s in spec.requirements.sources) or "no requirements file"
        self._echo(f"Building the handlers' virtualenv: Python {interpreter.version}, "
                   f"{len(spec.install_lines())} requirements ({sources}) -> {folder} ...")
        started = time.monotonic()
        tmp = folder.with_name(f"{folder.name}.tmp-{os.getpid()}")
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            self._uv(uv, "venv", "--quiet", "--relocatable", "--no-project", "--python",
                     interpreter.path, str(tmp), sources=sources)
            listing = tmp / "requirements.txt"
            listing.write_text("\n".join(spec.install_lines()) + "\n", encoding="utf-8")
            version = interpreter.version
            self._install(uv, old_pythons.uv_install_args(venv_python(tmp), listing, version),
                          sources)
            if spec.without_dependencies():
                loose = tmp / "requirements-no-deps.txt"
                loose.write_text("\n".join(spec.without_dependencies()) + "\n", encoding="utf-8")
                self._install(uv, old_pythons.uv_install_args(venv_python(tmp), loose, version,
                                                              "--no-deps"), sources)
            old_pythons.compile_bytecode(venv_python(tmp), tmp, version)
            _write_marker(tmp, spec, interpreter)
            try:
                tmp.rename(folder)
            except OSError:  # another emulator finished the same build first: use that one
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self._echo(f"Built in {time.monotonic() - started:.1f} s")
        venv = _read_marker(folder)
        if venv is None:
            raise DependencyError(f"the virtualenv at {folder} is incomplete; remove it")
        return venv

    def _install(self, uv: str, args: tuple[str, ...], sources: str) -> None:
        """Install as a fresh `pip install` would: resolved against the package index (uv's
        cache answers what it can). Only when the index cannot be reached, from uv's cache
        alone, with a warning: a range like `pynamodb>=3.1.0` may then get an older cached
        version than the index's newest (which is why the cache is not tried first).

        Bytecode is compiled now, once, as Lambda's runtime ships it: otherwise the first cold
        starts after a build each compile boto3 (~1 s more here, past short timeouts on a busy
        machine; old_pythons.uv_install_args says where uv cannot)."""
        try:
            self._uv(uv, *args, sources=sources)
        except BuildError:
            raise
        except DependencyError as unreachable:
            try:
                self._uv(uv, *args, "--offline", sources=sources)
            except BuildError:
                raise  # the cache has every file, and they do not build: no index would help
            except DependencyError:
                raise unreachable from None
            logger.warning("the package index is unreachable: the handlers' requirements (%s) "
                           "were installed from uv's cache, whose versions may be older than "
                           "the index's; `%s` once it is reachable", sources, self._reset)

    def _uv(self, uv: str, *args: str, sources: str) -> None:
        env = {k: v for k, v in self._env.items() if k not in ("VIRTUAL_ENV", "UV_PYTHON")}
        try:
            done = subprocess.run([uv, *args], env=env, capture_output=True, text=True,
                                  timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DependencyError(f"uv failed: {exc}; run with --python PATH") from None
        if done.returncode != 0:
            unreachable = any(word in done.stderr.lower() for word in _UNREACHABLE)
            error = DependencyError if unreachable else BuildError
            raise error(describe_failure(done.stderr, sources))

    def _wsgi_folder(self, service: ServiceConfig) -> Path:
        """serverless-wsgi's wsgi_handler.py and its `.serverless-wsgi` config, as deployed."""
        wsgi = service.packaging.wsgi
        assert wsgi is not None
        config: dict[str, object] = {"app": wsgi.app}
        if wsgi.text_mime_types:
            config["text_mime_types"] = list(wsgi.text_mime_types)
        text = json.dumps(config)
        shim = WSGI_SHIM.read_text(encoding="utf-8")
        digest = hashlib.sha256((text + shim).encode()).hexdigest()[:12]
        folder = self.folder / f"wsgi-{digest}"
        if not (folder / ".serverless-wsgi").is_file():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "wsgi_handler.py").write_text(shim, encoding="utf-8")
            (folder / ".serverless-wsgi").write_text(text, encoding="utf-8")
        return folder


def describe_failure(stderr: str, sources: str) -> str:
    """uv's error output as one line that says what to do."""
    lines = [line.strip().removeprefix("error: ").removeprefix("Caused by: ")
             for line in stderr.splitlines()
             if line.strip() and not line.strip().startswith(("hint:", "help:"))]
    if any(word in stderr.lower() for word in _UNREACHABLE):
        cause = "; ".join(dict.fromkeys(lines[:1] + lines[-1:]))  # what failed, and why
        return (f"cannot install the handlers' requirements ({sources}): the package index is "
                f"unreachable ({cause}); run with --python PATH to use an interpreter that "
                "already has them, or --no-venv")
    return (f"cannot install the handlers' requirements ({sources}): {'; '.join(lines)[:400]}; "
            "fix them, or run with --python PATH")


def _write_marker(folder: Path, spec: Spec, interpreter: pythons.Interpreter) -> None:
    marker = {"format": FORMAT, "requested": spec.python, "version": interpreter.version,
              "base": interpreter.path, "requirements": list(spec.install_lines()),
              "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    (folder / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")


def _read_marker(folder: Path) -> Venv | None:
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    python = venv_python(folder)
    if marker.get("format") != FORMAT or not python.exists():
        return None
    return Venv(folder, str(python), str(marker["version"]), str(marker["requested"]))
