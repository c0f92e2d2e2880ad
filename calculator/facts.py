"""The one bridge from the database to the rules: policy figures → `RegionFacts`.

Every period of every figure for the region, its province and the nation comes in one query, so
the rules can price each arrear month with the figures of that month and look up a cover year's
fee and window for the year a payment is for.
"""

from __future__ import annotations

from django.utils import timezone

from guides.figures import REGISTRY
from guides.models import PolicyEntry, Region

from .rules import Fact, RegionFacts


def facts_for(region: Region, entries: list[PolicyEntry] | None = None) -> RegionFacts:
    """All figures of `region` and the regions it falls back to, nearest region first and newest
    period first within a region. One query (none when `entries` of the lineage are passed in)."""
    today = timezone.localdate()
    chain = region.lineage()
    depth = {r.pk: i for i, r in enumerate(chain)}
    if entries is None:
        entries = PolicyEntry.objects.for_lineage(region)
    series: dict[str, list[Fact]] = {}
    ordered = sorted(entries, key=lambda e: (depth[e.region_id], -e.effective_from.toordinal()))
    for entry in ordered:
        if entry.key in REGISTRY:
            series.setdefault(entry.key, []).append(entry.as_fact(today, region))
    return RegionFacts(region=region.name, series=series)
