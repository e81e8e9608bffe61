"""README.md is the front door: short, and every relative link in it leads to a file that exists.

The documentation site (`nox -s docs`, strict) checks the links between its own pages; the
README is outside the site, so its links into `docs/` are checked here.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r"\]\(([^)\s]+)\)")
MAX_LINES = 300  # issue 21: the reference lives in docs/, the README stays a front door


def readme() -> str:
    return (REPO / "README.md").read_text(encoding="utf-8")


def test_the_readme_stays_under_300_lines() -> None:
    assert len(readme().splitlines()) < MAX_LINES


def test_every_relative_link_of_the_readme_exists() -> None:
    targets = [t for t in LINK.findall(readme()) if not re.match(r"[a-z]+:|#", t)]
    assert targets, "the README links into docs/"
    missing = [t for t in targets if not (REPO / t.split("#", 1)[0]).exists()]
    assert not missing, f"README.md links to missing files: {missing}"


def test_every_docs_page_the_readme_names_is_in_the_site_nav() -> None:
    nav = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    pages = {t.split("#", 1)[0].removeprefix("docs/") for t in LINK.findall(readme())
             if t.startswith("docs/") and t.split("#", 1)[0].endswith(".md")}  # not images
    assert pages <= set(re.findall(r":\s*([\w-]+\.md)\s*$", nav, re.MULTILINE)), pages
