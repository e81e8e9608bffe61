"""Local answers for the variable sources that would call AWS: `${ssm:}`, `${cf:}`, `${s3:}`.

On deploy the Serverless Framework reads them from SSM Parameter Store, CloudFormation stack
outputs and S3 objects. The emulator never calls AWS: it reads them from a values file beside
serverless.yml (`.emulator/values.yml`, git-ignored like the rest of `.emulator/`):

    ssm:
      /prod/db-password: s3cret          # ${ssm:/prod/db-password}
      /prod/hosts: [a, b]                # a StringList (a YAML list)
    cf:
      network-prod:                      # ${cf:network-prod.VpcId}
        VpcId: vpc-123
    s3:
      my-bucket/config/key.txt: hello    # ${s3:my-bucket/config/key.txt}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.config.errors import ConfigError
from emulator.config.yamlfile import read_yaml

VALUES_FILE = Path(".emulator") / "values.yml"
KINDS = ("ssm", "cf", "s3")


@dataclass(frozen=True, slots=True)
class Lookup:
    """Where a remote value lives in the values file: `kind:` then these keys."""

    kind: str
    keys: tuple[str, ...]

    def example(self) -> str:
        """A YAML flow mapping showing where the value goes."""
        inner = "<value>"
        for key in reversed(self.keys):
            inner = f"{{'{key}': {inner}}}"
        return f"{self.kind}: {inner}"


class RemoteValues:
    """The values file, read on first use (a project without remote variables needs none)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: Mapping[str, Any] | None = None

    def data(self) -> Mapping[str, Any]:
        if self._data is None:
            self._data = self._read()
        return self._data

    def _read(self) -> Mapping[str, Any]:
        if not self.path.is_file():
            return {}
        data, lines = read_yaml(self.path)
        for kind, section in data.items():
            if kind not in KINDS:
                raise ConfigError(f"unknown section; expected one of {', '.join(KINDS)}",
                                  file=str(self.path), key=str(kind), line=lines.get((kind,)))
            if not isinstance(section, dict):
                raise ConfigError("must be a mapping", file=str(self.path), key=str(kind),
                                  line=lines.get((kind,)))
        return data

    def get(self, lookup: Lookup) -> Any:
        """The value, or None when the file does not have it."""
        node: Any = self.data().get(lookup.kind)
        for key in lookup.keys:
            if not isinstance(node, dict):
                return None
            node = node.get(key)
        return node
