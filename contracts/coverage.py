"""Coverage: which declared responses of each operation a run produced.

A declared 5xx counts as reached when produced but is not required: no client request can
provoke a fault in a correct implementation, so it is left out of the percentage (and listed
as "not provokable"). `default` and `4XX`-style ranges match any status of their kind.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

AUTH_CODES = ("401", "403")


@dataclass(frozen=True, slots=True)
class Row:
    operation: str
    declared: tuple[str, ...]
    produced: dict[int, int]  # status -> responses

    def reached(self, code: str) -> bool:
        return any(_matches(code, status) for status in self.produced)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c for c in self.declared if not c.startswith("5") and c != "default")

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(c for c in self.required if not self.reached(c))

    @property
    def undeclared(self) -> tuple[int, ...]:
        return tuple(
            s for s in sorted(self.produced) if not any(_matches(c, s) for c in self.declared)
        )


def _matches(code: str, status: int) -> bool:
    if code == "default":
        return True
    if code.upper().endswith("XX"):
        return str(status)[0] == code[0]
    return code == str(status)


@dataclass(frozen=True, slots=True)
class Coverage:
    rows: tuple[Row, ...]

    @property
    def required(self) -> int:
        return sum(len(r.required) for r in self.rows)

    @property
    def reached(self) -> int:
        return sum(len(r.required) - len(r.missing) for r in self.rows)

    @property
    def auth(self) -> tuple[int, int]:
        """Declared 401/403 responses: (reached, declared), the auth outcomes of the run."""
        codes = [(r, c) for r in self.rows for c in r.declared if c in AUTH_CODES]
        return sum(1 for r, c in codes if r.reached(c)), len(codes)

    @property
    def percent(self) -> float:
        return 100.0 if self.required == 0 else 100.0 * self.reached / self.required

    def table(self) -> list[str]:
        """The coverage table, one line per operation."""
        cells = [("operation", "declared", "reached", "missing")] + [
            (
                r.operation,
                ",".join(r.declared),
                ",".join(c for c in r.declared if r.reached(c)) or "-",
                ",".join(r.missing) or "-",
            )
            for r in self.rows
        ]
        widths = [max(len(row[i]) for row in cells) for i in range(3)]
        lines = []
        for row, r in zip(cells, (None, *self.rows), strict=True):
            text = "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
            odd = ",".join(map(str, r.undeclared)) if r else ""
            extra = f"  (undeclared: {odd})" if odd else ""
            lines.append(f"  {text}  {row[3]}{extra}")
        return lines

    def as_json(self) -> dict[str, Any]:
        return {
            "percent": round(self.percent, 1),
            "reached": self.reached,
            "required": self.required,
            "note": "declared 5xx and default responses are not required (not provokable)",
            "auth": {"reached": self.auth[0], "declared": self.auth[1]},
            "operations": [
                {
                    "operation": r.operation,
                    "declared": list(r.declared),
                    "produced": {str(k): v for k, v in sorted(r.produced.items())},
                    "missing": list(r.missing),
                    "undeclared": list(r.undeclared),
                }
                for r in self.rows
            ],
        }

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.as_json(), indent=2) + "\n", encoding="utf-8")


def measure(declared: dict[str, frozenset[str]], produced: dict[str, Counter[int]]) -> Coverage:
    """Compare the spec's responses with the statuses a run saw, operation by operation."""
    rows = tuple(
        Row(op, tuple(sorted(codes)), dict(produced.get(op, Counter())))
        for op, codes in sorted(declared.items(), key=lambda item: _order(item[0]))
    )
    return Coverage(rows)


def _order(operation: str) -> tuple[str, int]:
    method, _, path = operation.partition(" ")
    rank = ["POST", "GET", "PUT", "PATCH", "DELETE"]
    return path, rank.index(method) if method in rank else len(rank)
