"""serverless.yml parses and names every handler in api/, and every handler it names exists."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def functions() -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "serverless.yml").read_text())
    assert isinstance(config, dict)
    found: dict[str, Any] = config["functions"]
    return found


def split_handler(handler: str) -> tuple[str, str]:
    """`api/reviews.create` -> (`api/reviews`, `create`), as the Python runtime reads it."""
    module_path, _, attribute = handler.rpartition(".")
    return module_path, attribute


@pytest.mark.parametrize("function", sorted(functions()))
def test_each_function_handler_resolves_to_a_callable(function: str) -> None:
    module_path, attribute = split_handler(functions()[function]["handler"])

    assert (ROOT / f"{module_path}.py").is_file()
    module = importlib.import_module(module_path.replace("/", "."))
    assert callable(getattr(module, attribute))


def test_every_handler_in_api_is_deployed() -> None:
    reviews = importlib.import_module("api.reviews")
    wired = {split_handler(f["handler"]) for f in functions().values()}

    assert {("api/reviews", name) for name in reviews.__all__} == wired
