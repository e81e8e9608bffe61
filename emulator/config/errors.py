"""ConfigError: a user mistake in serverless.yml or on the command line."""

from __future__ import annotations


class ConfigError(Exception):
    """A user mistake in serverless.yml or the CLI: rendered as one clear line, exit code 2."""

    def __init__(self, message: str, *, file: str | None = None, key: str | None = None,
                 line: int | None = None) -> None:
        self.file, self.key, self.line, self.detail = file, key, line, message
        where = ":".join(p for p in (file, str(line) if line else None) if p)
        prefix = f"{where}: " if where else ""
        at = f"{key}: " if key else ""
        super().__init__(f"{prefix}{at}{message}")
