"""Handlers naming a missing module or function, found at start without importing anything."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from emulator.runtime.handler_check import check_handler

MODULE = """\
import json
from os import path as ospath
from typing import *  # noqa
CONSTANT = 1
annotated: int = 2
a, (b, c) = 1, (2, 3)
def handler(event, context): local_only = 1
async def async_handler(event, context): ...
class Handler: ...
if True:
    def in_if(event, context): ...
try:
    import fancy as in_try
except ImportError:
    in_except = None
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "mod.py").write_text(MODULE.replace("from typing import *  # noqa\n",
                                                            ""), encoding="utf-8")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("def f(e, c): ...\n", "utf-8")
    (tmp_path / "star.py").write_text("from x import *\n", encoding="utf-8")
    (tmp_path / "broken.py").write_text("def f(:\n", encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize("handler", [
    "pkg/mod.handler", "pkg.mod.handler", "pkg/mod.async_handler", "pkg/mod.Handler",
    "pkg/mod.CONSTANT", "pkg/mod.annotated", "pkg/mod.c", "pkg/mod.json", "pkg/mod.ospath",
    "pkg/mod.in_if", "pkg/mod.in_try", "pkg/mod.in_except", "pkg/sub.f", "star.anything",
])
def test_handlers_that_exist(root: Path, handler: str) -> None:
    assert check_handler(handler, [root]) is None


@pytest.mark.parametrize(("handler", "problem"), [
    ("pkg/mod.local_only", "defines no 'local_only' (invoking it gives a 502 with "
                           "Runtime.HandlerNotFound)"),
    ("pkg/nope.handler", "no file {root}/pkg/nope.py (invoking it gives a 502 with "
                         "Runtime.ImportModuleError)"),
    ("broken.f", "{root}/broken.py:1: syntax error (Runtime.UserCodeSyntaxError)"),
    ("handler", "not in the form module.function (Runtime.MalformedHandlerName)"),
])
def test_handlers_that_do_not(root: Path, handler: str, problem: str) -> None:
    found = check_handler(handler, [root])
    assert found is not None
    assert found.endswith(problem.format(root=root)), found


def test_a_module_in_a_layer_counts(tmp_path: Path) -> None:
    layer = tmp_path / "layer" / "python"
    layer.mkdir(parents=True)
    (layer / "shared.py").write_text(textwrap.dedent("def f(e, c): ...\n"), encoding="utf-8")
    assert check_handler("shared.f", [tmp_path, layer]) is None
