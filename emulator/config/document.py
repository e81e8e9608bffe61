"""The resolved serverless.yml being read: errors naming file, line and key; what is unsupported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from emulator.config.errors import ConfigError
from emulator.config.yamlfile import KeyPath, format_path


class Document:
    """The resolved document, its file and key lines, and what reading it found unsupported."""

    def __init__(self, document: dict[str, Any], path: Path, lines: dict[KeyPath, int]) -> None:
        self.doc, self.path, self.file, self.lines = document, path, str(path), lines
        self.unsupported: list[str] = []
        self.layer_paths: dict[str, Path] = {}  # --layer ARN=PATH
        self.provider = self.mapping(document.get("provider"), ("provider",))

    def error(self, key: KeyPath, message: str) -> ConfigError:
        """A ConfigError naming this file, the key path and its line."""
        return ConfigError(message, file=self.file, key=format_path(key) or None,
                           line=self.lines.get(key))

    def note(self, key: KeyPath, what: str = "") -> None:
        """Record a setting the emulator does not emulate (named once in the start warning)."""
        self.unsupported.append(format_path(key) + (f" ({what})" if what else ""))

    def mapping(self, value: Any, key: KeyPath) -> dict[Any, Any]:
        """The value as a mapping ({} when absent), or a ConfigError."""
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(key, "must be a mapping")
        return value
