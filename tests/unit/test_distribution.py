"""The wheel holds every package: setuptools' `packages.find` (not a namespace search) finds a
folder only through its __init__.py, so a new subpackage without one would be left out of the
wheel while every test, run from the checkout, still passed (nox -s installed runs the wheel)."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_folder_of_python_modules_is_a_package() -> None:
    missing = [str(folder.relative_to(ROOT))
               for top in ("emulator", "contracts")
               for folder in sorted({p.parent for p in (ROOT / top).rglob("*.py")})
               if "__pycache__" not in folder.parts and not (folder / "__init__.py").is_file()]
    assert missing == []


def test_packages_are_found_not_listed_and_the_handlers_stay_out() -> None:
    setuptools = PYPROJECT["tool"]["setuptools"]
    assert not isinstance(setuptools["packages"], list)  # a hand-kept list lost emulator.aws
    assert setuptools["packages"]["find"] == {"include": ["emulator*", "contracts*"],
                                              "exclude": ["api*", "tests*"]}


def test_the_files_the_runtime_runs_by_path_are_modules_of_its_package() -> None:
    runtime = ROOT / "emulator" / "runtime"
    for name in ("bootstrap.py", "bootstrap_py36.py", "sdk_endpoints.py", "wsgi_handler.py"):
        assert (runtime / name).is_file(), name


def test_the_metadata_is_complete() -> None:
    project = PYPROJECT["project"]
    assert project["readme"] == "README.md" and project["license"] == "MIT"
    assert (ROOT / "LICENSE").is_file() and project["license-files"] == ["LICENSE"]
    assert project["requires-python"] == ">=3.11"
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])
    assert any(c.startswith("Programming Language :: Python :: 3.1") for c in
               project["classifiers"])
    assert set(project["scripts"]) == {"review-api-emulator", "review-api-contracts"}
