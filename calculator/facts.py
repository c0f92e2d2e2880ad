"""The one bridge from the database to the rules: policy figures → `RegionFacts`.

Every period of every figure for the region, its province and the nation comes in one query, so
the rules can price each arrear month with the figures of that month and look up a cover year's
fee and window for the year a payment is for.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping

from django.utils import timezone

from guides.figures import REGISTRY
from guides.models import PolicyEntry, Region, lineage_entries

from .rules import Fact, RegionFacts


def facts_for(region: Region, entries: list[PolicyEntry] | None = None) -> RegionFacts:
    """All figures of `region` and the regions it falls back to, nearest region first and newest
    period first within a region. One query (none when `entries` holding the lineage's are passed in)."""
    today = timezone.localdate()
    chain = region.lineage()
    depth = {r.pk: i for i, r in enumerate(chain)}
    if entries is None:
        entries = lineage_entries(chain)
    periods: dict[str, list[PolicyEntry]] = {}
    mine = (e for e in entries if e.region_id in depth)  # entries may hold other regions' periods too
    ordered = sorted(mine, key=lambda e: (depth[e.region_id], -e.effective_from.toordinal()))
    for entry in ordered:
        if entry.key in REGISTRY:
            periods.setdefault(entry.key, []).append(entry)
    return RegionFacts(region=region.name, series=FactSeries(periods, today, region))


class FactSeries(Mapping[str, list[Fact]]):
    """Each key's periods as Facts, made on first reading: a case reads a few of the figures a
    region has, and turning every period into a Fact took a tenth of the estimator's time."""

    def __init__(self, periods: dict[str, list[PolicyEntry]], today: datetime.date, place: Region) -> None:
        self.periods, self.today, self.place = periods, today, place
        self.made: dict[str, list[Fact]] = {}

    def __getitem__(self, key: str) -> list[Fact]:
        facts = self.made.get(key)
        if facts is None:
            facts = self.made[key] = [e.as_fact(self.today, self.place) for e in self.periods[key]]
        return facts

    def __iter__(self) -> Iterator[str]:
        return iter(self.periods)

    def __len__(self) -> int:
        return len(self.periods)
