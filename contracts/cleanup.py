"""Delete every review a run created, so a run against a real stage leaves nothing behind."""

from __future__ import annotations

from dataclasses import dataclass, field

import requests

from contracts.client import ApiClient


@dataclass(slots=True)
class CleanupReport:
    deleted: int = 0  # 204: deleted now
    gone: int = 0  # 404: the run had already deleted it
    left: list[str] = field(default_factory=list)  # could not be deleted: named for the user


def delete_all(client: ApiClient, ids: list[str]) -> CleanupReport:
    """DELETE each id; 404 counts as already gone; anything else is reported, not raised."""
    report = CleanupReport()
    for review_id in ids:
        try:
            status = client.delete_review(review_id)
        except requests.RequestException:
            status = 0
        if status == 204:
            report.deleted += 1
        elif status == 404:
            report.gone += 1
        else:
            report.left.append(review_id)
    return report
