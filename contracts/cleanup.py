"""Delete every resource a run created, so a run against a real stage leaves nothing behind.

What deletes a resource is the spec's DELETE on its collection's item path (contracts.model);
a collection without one cannot be cleaned up, and what the run created there is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import requests

from contracts.model import Collection


class Deleter(Protocol):
    def delete_item(self, collection: Collection, resource_id: str) -> int: ...


@dataclass(slots=True)
class CleanupReport:
    deleted: int = 0  # 2xx: deleted now
    gone: int = 0  # 404: the run had already deleted it
    left: list[str] = field(default_factory=list)  # could not be deleted: named for the user


def delete_all(client: Deleter, created: list[tuple[Collection, str]]) -> CleanupReport:
    """DELETE each resource; 404 counts as already gone; anything else is reported, not raised."""
    report = CleanupReport()
    for collection, resource_id in created:
        if f"DELETE {collection.item_path}" not in collection.operations:
            report.left.append(f"{collection.path}/{resource_id} (no DELETE declared)")
            continue
        try:
            status = client.delete_item(collection, resource_id)
        except requests.RequestException:
            status = 0
        if 200 <= status < 300:
            report.deleted += 1
        elif status == 404:
            report.gone += 1
        else:
            report.left.append(resource_id)
    return report
