"""The handlers' virtualenv: what goes in, when it is rebuilt, how failures read
(runtime/dependencies.py, runtime/pythons.py)."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from emulator.config.loader import load_service
from emulator.config.service import ServiceConfig
from emulator.runtime import dependencies, pythons
from emulator.runtime.dependencies import Dependencies, DependencyError, describe_failure
from emulator.runtime.pythons import Interpreter
from emulator.runtime.requirements import Requirements
from emulator.runtime.venv_spec import LAMBDA_SDK, SERVERLESS_WSGI, Spec

PINS = tuple(f"{name}=={version}" for name, version in LAMBDA_SDK)
IMAGE = ("pip",)  # what python3.12's image carries besides the SDK


def spec(*lines: str, python: str = "3.12", **kwargs: bool | str) -> Spec:
    return Spec(python, Requirements(lines, (), json.dumps(lines)), **kwargs)  # type: ignore[arg-type]


def test_lambdas_sdk_is_pinned_unless_the_project_brings_its_own() -> None:
    assert spec("requests").install_lines() == ("requests", *PINS, *IMAGE)
    assert spec("Boto3>=1.35").install_lines() == ("Boto3>=1.35", "botocore", *IMAGE)
    assert spec(wsgi=True).install_lines() == (*PINS, *IMAGE)
    assert spec(runtime_client="awslambdaric").install_lines()[-1].startswith("awslambdaric")


def test_serverless_wsgi_goes_in_as_the_plugin_copies_it_without_its_dependencies() -> None:
    # The plugin copies serverless_wsgi.py into the package; werkzeug comes from requirements.
    pinned = spec("Flask==1.1.2", "werkzeug==1.0.1", wsgi=True)
    assert pinned.install_lines() == ("Flask==1.1.2", "werkzeug==1.0.1", *PINS, *IMAGE)
    assert pinned.without_dependencies() == (SERVERLESS_WSGI,)
    assert spec("requests").without_dependencies() == ()


def test_runtimes_older_than_the_pinned_sdk_get_an_sdk_that_installs_on_them() -> None:
    # boto3 1.38 needs Python 3.9+: a python3.7 project would not resolve with the pin.
    assert spec("requests", python="3.7").install_lines() == (
        "requests", "boto3", "botocore", "pip", "setuptools")
    assert spec(python="3.9").install_lines() == (*PINS, "pip", "setuptools==65.5.0")


@pytest.mark.parametrize(("python", "image"), [
    ("3.7", ("pip", "setuptools")),
    ("3.8", ("pip", "setuptools==65.5.0")),
    ("3.11", ("pip", "setuptools==65.5.0")),
    ("3.12", ("pip",)),
    ("3.13", ("pip",)),
])
def test_the_venv_carries_what_the_runtimes_image_carries(python: str,
                                                           image: tuple[str, ...]) -> None:
    # pkg_resources (setuptools) is importable on Lambda up to python3.11, not from 3.12 on.
    assert spec(python=python).runtime_packages() == image


def test_a_project_that_names_setuptools_or_pip_gets_its_own() -> None:
    lines = spec("setuptools<60", "pip==21.0", python="3.9").install_lines()
    assert lines == ("setuptools<60", "pip==21.0", *PINS)


def test_the_key_changes_with_every_input_and_only_then() -> None:
    base = spec("requests")
    assert base.key() == spec("requests").key()
    others = [spec("requests", python="3.11"), spec("requests==2"), spec("requests", wsgi=True),
              spec("requests", runtime_client="awslambdaric")]
    assert len({base.key(), *(s.key() for s in others)}) == 5


@pytest.mark.parametrize(("runtime", "version"), [("python3.12", "3.12"), ("python3.9", "3.9")])
def test_requested_version(runtime: str, version: str) -> None:
    assert pythons.requested_version(runtime) == version


def test_a_runtime_that_is_not_python_asks_for_this_interpreters_version() -> None:
    assert pythons.requested_version("nodejs20.x") == "{}.{}".format(*sys.version_info[:2])


@pytest.mark.parametrize(("requested", "available", "chosen"), [
    ("3.12", ["3.11.7", "3.13.0", "3.9.18"], "3.13.0"),  # a tie goes to the newer
    ("3.12", ["3.11.7", "3.10.13"], "3.11.7"),
    ("3.9", ["3.12.1", "3.10.2", "3.10.13"], "3.10.13"),
    ("3.12", [], None),
])
def test_the_closest_interpreter(requested: str, available: list[str],
                                 chosen: str | None) -> None:
    found = pythons.closest(requested, [Interpreter(f"/py/{v}", v) for v in available])
    assert (found.version if found else None) == chosen


def test_pyenv_versions_are_found_newest_first(tmp_path: Path) -> None:
    for version in ("3.12.1", "3.12.8", "3.11.7", "3.12-dev"):
        python = tmp_path / "versions" / version / "bin" / f"python{version[:4]}"
        python.parent.mkdir(parents=True)
        python.touch()
    found = pythons._pyenv_pythons({"PYENV_ROOT": str(tmp_path)}, "3.12")
    assert [Path(p).parts[-3] for p in found] == ["3.12.8", "3.12.1"]


@pytest.mark.parametrize(("stderr", "says"), [
    ("error: Failed to fetch: `https://pypi.org/simple/flask/`\n  Caused by: dns error\n",
     "the package index is unreachable (Failed to fetch"),
    ("  x No solution found when resolving dependencies:\n  `-> Because flask==99 ...\n",
     "No solution found when resolving dependencies"),
])
def test_failures_are_one_line_naming_the_way_out(stderr: str, says: str) -> None:
    message = describe_failure(stderr, "requirements.txt")
    assert "\n" not in message
    assert says in message
    assert "--python PATH" in message


def service(tmp_path: Path) -> ServiceConfig:
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n"
                    "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    return load_service(path, env={})


def fake_uv(tmp_path: Path, script: str) -> str:
    uv = tmp_path / "uv"
    uv.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    uv.chmod(uv.stat().st_mode | stat.S_IXUSR)
    return str(uv)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for uv")
def test_an_unreachable_index_stops_the_start_with_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    uv = fake_uv(tmp_path, 'case "$1" in venv) mkdir -p "$7/bin"; exit 0;; esac\n'
                           'echo "error: Failed to fetch: https://pypi.org/simple/boto3/" >&2\n'
                           'echo "  Caused by: dns error" >&2; exit 2\n')
    monkeypatch.setattr(dependencies, "find_uv", lambda: uv)
    monkeypatch.setattr(pythons, "find", lambda *_: Interpreter(sys.executable, "3.12.1"))
    svc = service(tmp_path)
    deps = Dependencies(tmp_path / "venvs", echo=lambda _: None)
    with pytest.raises(DependencyError, match=r"unreachable .*--python PATH"):
        deps.prepare(svc)
    assert list((tmp_path / "venvs").iterdir()) == []  # nothing half-built is left


def test_a_built_venv_is_reused_without_uv(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    svc = service(tmp_path)
    deps = Dependencies(tmp_path / "venvs", echo=lambda _: None)
    folder = tmp_path / "venvs" / deps.spec(svc, svc.functions["f"]).key()
    python = dependencies.venv_python(folder)
    python.parent.mkdir(parents=True)
    python.touch()
    marker = {"format": dependencies.FORMAT, "requested": "3.12", "version": "3.12.1"}
    (folder / dependencies.MARKER).write_text(json.dumps(marker), encoding="utf-8")

    def no_uv() -> str:
        raise AssertionError("uv was called for a venv that exists")

    monkeypatch.setattr(dependencies, "find_uv", no_uv)
    where = deps.runtime_for(svc, svc.functions["f"])
    assert where.python == str(python)
    assert where.task_root == str(tmp_path.resolve())


def test_a_given_interpreter_builds_nothing_but_keeps_layers_and_module_roots(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "layer" / "python").mkdir(parents=True)
    (tmp_path / "fn").mkdir()
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.11}\n"
                    "plugins: [serverless-python-requirements]\npackage: {individually: true}\n"
                    "layers:\n  shared: {path: layer}\n"
                    "functions:\n  f: {handler: h.f, module: fn,"
                    " layers: [{Ref: SharedLambdaLayer}]}\n",
                    encoding="utf-8")
    svc = load_service(path, env={})
    monkeypatch.setattr(dependencies, "find_uv", lambda: pytest.fail("uv was called"))
    deps = Dependencies(tmp_path / "venvs", python="/my/python", echo=lambda _: None)
    deps.prepare(svc)
    where = deps.runtime_for(svc, svc.functions["f"])
    layer = (tmp_path / "layer").resolve()
    assert where.python == "/my/python"
    assert where.import_paths == (str(layer / "python"),
                                  str(layer / "python" / "lib" / "python3.11" / "site-packages"))
    assert where.task_root == str((tmp_path / "fn").resolve())
    assert not (tmp_path / "venvs").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for uv")
def test_requirements_that_do_not_build_stop_only_their_functions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # python3.8 gets an unpinned boto3 (older runtimes), python3.12 the pinned one: two venvs.
    # The fake uv fails to install the unpinned listing, as a pin that no longer builds does.
    uv = fake_uv(tmp_path, 'echo "$@" >> "$0.calls"\n'
                           'case "$1" in venv) mkdir -p "$7/bin"; touch "$7/bin/python"; exit 0;; '
                           'esac\n'
                           'while [ $# -gt 0 ]; do [ "$1" = -r ] && listing=$2; shift; done\n'
                           'grep -q "boto3==" "$listing" && exit 0\n'
                           'echo "  x Failed to build markupsafe==1.0" >&2; exit 1\n')
    monkeypatch.setattr(dependencies, "find_uv", lambda: uv)
    monkeypatch.setattr(pythons, "find", lambda version, *_: Interpreter(sys.executable,
                                                                         f"{version}.1"))
    path = tmp_path / "serverless.yml"
    path.write_text("service: s\nprovider: {name: aws, runtime: python3.12}\n"
                    "functions:\n  new: {handler: h.f}\n"
                    "  old: {handler: h.f, runtime: python3.8}\n"
                    "  older: {handler: h.f, runtime: python3.8}\n", encoding="utf-8")
    svc = load_service(path, env={})
    deps = Dependencies(tmp_path / "venvs", echo=lambda _: None)

    broken = deps.prepare(svc)

    assert sorted(broken) == ["old", "older"]
    assert "Failed to build markupsafe==1.0" in broken["old"]
    assert deps.runtime_for(svc, svc.functions["new"]).python.endswith("python")
    calls = Path(uv + ".calls").read_text(encoding="utf-8").count("\n")
    with pytest.raises(dependencies.BuildError, match="markupsafe"):
        deps.runtime_for(svc, svc.functions["old"])  # an invocation: the same one line ...
    assert Path(uv + ".calls").read_text(encoding="utf-8").count("\n") == calls  # ... no retry


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for uv")
def test_offline_with_everything_cached_a_build_failure_stops_only_its_functions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # No index (the first install fails to connect); uv's cache has the sdist, which fails to
    # build: that is the requirement's failure, not the network's.
    uv = fake_uv(tmp_path, 'case "$1" in venv) mkdir -p "$7/bin"; exit 0;; esac\n'
                           'case "$*" in *--offline*) '
                           'echo "  x Failed to build markupsafe==1.0" >&2; exit 1;; esac\n'
                           'echo "error: Failed to fetch: https://pypi.org/simple/boto3/" >&2\n'
                           'echo "  Caused by: dns error" >&2; exit 2\n')
    monkeypatch.setattr(dependencies, "find_uv", lambda: uv)
    monkeypatch.setattr(pythons, "find", lambda *_: Interpreter(sys.executable, "3.12.1"))
    svc = service(tmp_path)
    broken = Dependencies(tmp_path / "venvs", echo=lambda _: None).prepare(svc)
    assert "Failed to build markupsafe==1.0" in broken["f"]
