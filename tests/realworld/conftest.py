"""The corpus folders hold other people's projects, not tests: pytest collects only the
harness's own test files here (their `test_*.py` / `*_test.py` files are theirs)."""

from __future__ import annotations

from pathlib import Path

collect_ignore_glob = [f"{p.name}/*" for p in Path(__file__).parent.iterdir() if p.is_dir()]
