"""`functions:` and `resources:` given as lists of fragments, merged as the framework merges them.

Serverless Framework v3 (`Service.mergeArrays` in lib/classes/service.js) accepts both keys as
a list, typically of `${file(...)}` fragments, and folds the list with lodash's `_.merge`:
mappings merge key by key and deeply (so `Resources`, `Outputs` and `Conditions` of several
fragments add up, and a later fragment's value wins on the same key), lists merge index by
index, empty items are skipped, and any other item is an error.
"""

from __future__ import annotations

from typing import Any

from emulator.config.errors import ConfigError
from emulator.config.yamlfile import KeyPath, format_path

MERGED_KEYS = ("functions", "resources")


def merge_fragments(document: dict[str, Any], lines: dict[KeyPath, int], file: str
                    ) -> dict[str, Any]:
    """The document with list-valued `functions`/`resources` merged into one mapping each.

    Keys that came from a fragment take the line of the list item they came from.
    """
    out = dict(document)
    for name in MERGED_KEYS:
        fragments = document.get(name)
        if not isinstance(fragments, list):
            continue
        merged: dict[str, Any] = {}
        for i, fragment in enumerate(fragments):
            if fragment is None:
                continue
            if not isinstance(fragment, dict):
                shape = ("function name -> settings" if name == "functions"
                         else "Resources, Outputs, Conditions")
                raise ConfigError(
                    f"a fragment must be a mapping ({shape}), got {_shown(fragment)}; "
                    "check what its ${file(...)} points at",
                    file=file, key=format_path((name, i)), line=lines.get((name, i)))
            for key in fragment:
                if (name, i) in lines:
                    lines.setdefault((name, key), lines[(name, i)])
            merged = merge(merged, fragment)
        out[name] = merged
    return out


def merge(target: Any, source: Any) -> Any:
    """lodash `_.merge(target, source)` on JSON values, without mutating either."""
    if isinstance(source, dict):
        base = target if isinstance(target, dict) else {}
        out = dict(base)
        for key, value in source.items():
            out[key] = merge(base.get(key), value) if isinstance(value, dict | list) else value
        return out
    if isinstance(source, list):
        items = list(target) if isinstance(target, list) else []
        for i, value in enumerate(source):
            old = items[i] if i < len(items) else None
            new = merge(old, value) if isinstance(value, dict | list) else value
            if i < len(items):
                items[i] = new
            else:
                items.append(new)
        return items
    return source


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
