"""The one bridge from the database to the rules: policy figures → `RegionFacts`."""

from __future__ import annotations

import datetime

from django.utils import timezone

from guides.models import PolicyEntry, Region

from .rules import Fact, RegionFacts


def fact_from_entry(entry: PolicyEntry, today: datetime.date) -> Fact:
    source = entry.source_title if not entry.source_issuer else f"{entry.source_title}（{entry.source_issuer}）"
    return Fact(
        key=entry.key,
        label=entry.spec.label,
        value=entry.typed_value,
        display=entry.display_value,
        source=source,
        verified_on=entry.verified_on,
        status=entry.status,
        overdue=entry.is_overdue(today),
    )


def facts_for(region: Region, as_of: datetime.date) -> RegionFacts:
    """Every figure in force for `region` on `as_of` (the payment date), with fallback to its
    province and the nation. One query when `region` comes with its parents loaded."""
    today = timezone.localdate()
    entries = PolicyEntry.objects.for_region(region, as_of)
    return RegionFacts(region=region.name, figures={key: fact_from_entry(e, today) for key, e in entries.items()})
