"""Service channels as articles and pages name them: the nearest channel with a key, looked up
city → province → national, so an article writes {{ channel yibao_hotline }} once and every
page shows the reader's own city's number."""

from __future__ import annotations

import functools

from django.db.models import QuerySet

from .models import Region, ServiceChannel
from .prepared import Param, Prepared


def lineage_channels(region: Region) -> list[ServiceChannel]:
    """Every channel of the region, its province and the nation, nearest region first (one query)."""
    lineage = region.lineage()
    depth = {r.pk: i for i, r in enumerate(lineage)}
    # No join to the regions: the lineage's own Region objects are put in place.
    channels = channels_query(len(depth)).run(**{f"r{i}": pk for i, pk in enumerate(depth)})
    for channel in channels:
        channel.region = lineage[depth[channel.region_id]]
    channels.sort(key=lambda c: (depth[c.region_id], c.order, c.pk))
    return channels


@functools.cache
def channels_query(size: int) -> Prepared:
    """`ServiceChannel.objects.filter(region__in=<size region ids>).order_by()`, compiled once per process."""
    field = ServiceChannel._meta.get_field("region")

    def build(**ids: int) -> QuerySet:
        return ServiceChannel.objects.filter(region__in=list(ids.values())).order_by()

    return Prepared(build, *(Param(f"r{i}", field, -7_100_001 - i) for i in range(size)))


def nearest_by_key(channels: list[ServiceChannel]) -> dict[str, ServiceChannel]:
    """Of channels sorted nearest first, the nearest one for each key."""
    found: dict[str, ServiceChannel] = {}
    for channel in channels:
        if channel.key:
            found.setdefault(channel.key, channel)
    return found


def missing_channel_keys(region: Region, keys: list[str]) -> list[str]:
    """The keys among `keys` that no channel of the region's lineage carries."""
    if not keys:
        return []
    known = set(
        ServiceChannel.objects.filter(region__in=[r.pk for r in region.lineage()], key__in=keys).values_list(
            "key", flat=True
        )
    )
    return [k for k in keys if k not in known]


def hotline_for(region: Region) -> ServiceChannel | None:
    """The medical-insurance hotline nearest to the region (its own, else its province's or the nation's)."""
    lineage = region.lineage()
    depth = {r.pk: i for i, r in enumerate(lineage)}
    lines = ServiceChannel.objects.filter(region__in=[r.pk for r in lineage], key="yibao_hotline").select_related(
        "region"
    )
    return min(lines, key=lambda c: depth[c.region_id], default=None)
