"""Runtimes older than the tools (runtime/old_pythons.py, runtime/bootstrap_py36.py): uv is asked
to compile bytecode only where its compile script runs, and bootstrap.py runs on python3.6."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

import pytest

from emulator.config.loader import load_service
from emulator.runtime import bootstrap_py36, old_pythons
from emulator.runtime.dependencies import Dependencies
from emulator.runtime.environments import BOOTSTRAP_PATH

PY = Path("/venv/bin/python")
LISTING = Path("/venv/requirements.txt")


@pytest.mark.parametrize(("version", "compiles"), [
    ("3.6.15", False),  # py_compile.PycInvalidationMode is 3.7's: uv's script fails here
    ("3.7.16", True),
    ("3.8.18", True),
    ("3.12.1", True),
    ("3.13.0", True),
])
def test_uv_compiles_bytecode_only_where_its_script_runs(version: str, compiles: bool) -> None:
    args = old_pythons.uv_install_args(PY, LISTING, version)
    assert ("--compile-bytecode" in args) is compiles
    assert args[:2] == ("pip", "install")
    assert args[args.index("--python") + 1] == str(PY)
    assert args[args.index("-r") + 1] == str(LISTING)
    own = old_pythons.compile_command(PY, Path("/venv"), version)
    assert (own is None) is compiles  # where uv does not compile, the interpreter does


def test_extra_install_flags_follow_the_listing() -> None:
    args = old_pythons.uv_install_args(PY, LISTING, "3.6.15", "--no-deps")
    assert args[-3:] == ("-r", str(LISTING), "--no-deps")


def test_the_interpreters_own_compileall_covers_the_virtualenvs_lib() -> None:
    assert old_pythons.compile_command(PY, Path("/venv"), "3.6.15") == [
        str(PY), "-m", "compileall", "-q", "-j", "0", "/venv/lib"]


@pytest.mark.parametrize(("version", "launcher"), [
    ("3.6.15", (str(old_pythons.PY36_LAUNCHER),)),
    ("3.7.16", ()),
    ("3.12.1", ()),
    (None, ()),  # --python PATH: run as it is
])
def test_only_python36_runs_bootstrap_through_the_launcher(
        version: str | None, launcher: tuple[str, ...]) -> None:
    assert old_pythons.launcher(version) == launcher


def test_the_launcher_ships_beside_bootstrap() -> None:
    assert old_pythons.PY36_LAUNCHER.parent == BOOTSTRAP_PATH.parent
    assert old_pythons.PY36_LAUNCHER.is_file()


def test_the_launcher_drops_annotations_and_the_future_import(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from __future__ import annotations\n"
        "import os\n"
        "LIMIT: int | None = 3\n"
        "class A:\n"
        "    name: str\n"
        "    def f(self, a: list[str] | None = None, *b: dict[str, int], **c: X) -> Y:\n"
        "        return [LIMIT, a, b, c]\n"
        "async def g(x: Z) -> None: pass\n", encoding="utf-8")
    code = bootstrap_py36.compile_file(str(source))
    namespace: dict[str, object] = {}
    exec(code, namespace)  # X, Y, Z are undefined: nothing evaluates an annotation
    assert namespace["LIMIT"] == 3
    assert inspect.get_annotations(namespace["A"]) == {}  # type: ignore[arg-type]
    assert code.co_filename == str(source)  # tracebacks name the file itself
    assert not code.co_flags & 0x1000000  # CO_FUTURE_ANNOTATIONS is not inherited


def test_load_module_imports_a_file_by_path(tmp_path: Path) -> None:
    source = tmp_path / "side.py"
    source.write_text("from __future__ import annotations\n"
                      "def install() -> list[str] | None:\n    return [__name__]\n",
                      encoding="utf-8")
    module = bootstrap_py36.load_module("_test_side_module", str(source))
    try:
        assert module.install() == ["_test_side_module"]
        assert sys.modules["_test_side_module"] is module
    finally:
        sys.modules.pop("_test_side_module", None)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for Python")
@pytest.mark.parametrize(("prints", "launcher"), [
    ("3.6.15", (str(old_pythons.PY36_LAUNCHER),)),
    ("3.12.1", ()),
])
def test_a_python_given_with_its_path_is_asked_its_version(
        tmp_path: Path, prints: str, launcher: tuple[str, ...]) -> None:
    """--python /path/to/python3.6: nothing is built, but bootstrap still needs the launcher."""
    python = tmp_path / "python"
    python.write_text(f"#!/bin/sh\necho {prints}\n", encoding="utf-8")
    python.chmod(0o755)
    config = tmp_path / "serverless.yml"
    config.write_text("service: s\nprovider: {name: aws, runtime: python3.6}\n"
                      "functions:\n  f: {handler: h.f}\n", encoding="utf-8")
    service = load_service(config, env={})
    deps = Dependencies(tmp_path / "venvs", python=str(python), echo=lambda _: None)
    assert deps.runtime_for(service, service.functions["f"]).launcher == launcher
