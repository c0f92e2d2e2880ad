"""Moving insurance between two cities: /zhuanyi/?from=<region>&to=<region>&scheme=<scheme>.

A plain GET form; when the three answers are valid the page shows the transfer worked out by
`calculator.rules.transfer` from both places' figures, and both places' service channels. Three
queries whatever the regions: the regions (with parents), the figures of both lineages, and the
channels of both lineages.

A parameter that is absent has not been asked yet (the region guide links here with `from` only);
one sent empty is missing (200, with a message); a wrong value is invalid (400, with a message).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from calculator.facts import facts_for
from calculator.rules.core import EMPLOYEE, FLEXIBLE, RESIDENT
from calculator.rules.transfer import transfer_plan
from config.pagecache import public_page

from ..models import PolicyEntry, Region, ServiceChannel
from .pages import breadcrumbs_ld, home_crumbs

PARAMS = ("from", "to", "scheme")  # the canonical order
SCHEME_CHOICES = [
    ("", "请选择"),
    (EMPLOYEE, "职工医保（单位给交）"),
    (FLEXIBLE, "灵活就业人员医保（自己交）"),
    (RESIDENT, "城乡居民医保"),
]
DISCLAIMER = "仅供参考，以当地医保部门为准。"
MISSING = "required"  # the error code of an answer sent empty; every other code is an invalid value


def province_of(region: Region) -> Region | None:
    return next((r for r in region.lineage() if r.kind == Region.PROVINCE), None)


def region_choices(regions: list[Region]) -> list:
    """Select options grouped by province: the province's cities, then "<province>其他地方"
    (a city the site has no page for, whose figures fall back to the province)."""
    provinces = [r for r in regions if r.kind == Region.PROVINCE]
    groups = []
    for province in provinces:
        cities = [(r.slug, r.name) for r in regions if r.kind == Region.CITY and r.parent_id == province.pk]
        groups.append(
            (province.name, [*cities, (province.slug, f"{province.name}其他地方" if cities else province.name)])
        )
    loose = [(r.slug, r.name) for r in regions if r.kind == Region.CITY and province_of(r) is None]
    if loose:
        groups.append(("其他地区", loose))
    return [("", "请选择"), *groups]


class TransferForm(forms.Form):
    """from / to / scheme. `from` is a Python keyword, so the fields are added in __init__."""

    def __init__(self, data=None, *, regions: list[Region], **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.regions = {r.slug: r for r in regions}
        options = region_choices(regions)
        self.fields["from"] = forms.CharField(
            label="从哪里转出（原来参保的地方）", required=False, widget=forms.Select(choices=options)
        )
        self.fields["to"] = forms.CharField(
            label="转到哪里（新的参保地）", required=False, widget=forms.Select(choices=options)
        )
        self.fields["scheme"] = forms.CharField(
            label="参加的是哪种医保", required=False, widget=forms.Select(choices=SCHEME_CHOICES)
        )
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"err-{name}"  # the error line under the field

    def _place(self, name: str, what: str) -> Region | None:
        slug = (self.cleaned_data.get(name) or "").strip()
        if name not in self.data:
            return None  # not asked yet
        if not slug:
            raise forms.ValidationError(f"请选择{what}。", code=MISSING)
        region = self.regions.get(slug)
        if region is None:
            raise forms.ValidationError(f"没有“{slug[:20]}”这个地区，请从列表中选择。", code="invalid")
        if region.is_national:
            raise forms.ValidationError("请选一个具体的省或城市，不能选“全国”。", code="national")
        return region

    def clean_from(self) -> Region | None:
        return self._place("from", "转出地")

    def clean_to(self) -> Region | None:
        return self._place("to", "转入地")

    def clean_scheme(self) -> str | None:
        value = (self.cleaned_data.get("scheme") or "").strip()
        if "scheme" not in self.data:
            return None
        if not value:
            raise forms.ValidationError("请选择医保类型。", code=MISSING)
        if value not in dict(SCHEME_CHOICES):
            raise forms.ValidationError("医保类型只能是职工医保、灵活就业人员医保或城乡居民医保。", code="invalid")
        return value

    def clean(self):
        super().clean()
        data = self.cleaned_data
        origin, destination = data.get("from"), data.get("to")
        if origin is not None and origin == destination:
            self.add_error(
                "to",
                forms.ValidationError("转出地和转入地是同一个地方，请选两个不同的地方。", code="same"),
            )
        return data

    @property
    def complete(self) -> bool:
        return self.is_valid() and all(self.cleaned_data.get(p) for p in PARAMS)

    @property
    def invalid(self) -> bool:
        """A wrong value (400), as opposed to answers not given yet or sent empty (200)."""
        return any(e.code != MISSING for errors in self.errors.as_data().values() for e in errors)


def channel_groups(channels: list[ServiceChannel], origin: Region, destination: Region) -> list:
    """Each place's channels nearest first (city → province), then those both places share
    (the nation, or the province when both are in it), each shown once."""
    from_chain, to_chain = origin.lineage(), destination.lineage()
    shared = {r.pk for r in from_chain} & {r.pk for r in to_chain}

    def of(chain: list[Region], *, common: bool) -> list[ServiceChannel]:
        depth = {r.pk: i for i, r in enumerate(chain) if (r.pk in shared) == common}
        return sorted((c for c in channels if c.region_id in depth), key=lambda c: (depth[c.region_id], c.order, c.pk))

    return [
        (f"{origin.name}（转出地）", origin, of(from_chain, common=False)),
        (f"{destination.name}（转入地）", destination, of(to_chain, common=False)),
        ("两地都能用", destination, of(to_chain, common=True)),
    ]


def canonical_path(form: TransferForm) -> str:
    path = reverse("guides:transfer")
    if not form.complete:
        return path
    data = form.cleaned_data
    return f"{path}?{urlencode({'from': data['from'].slug, 'to': data['to'].slug, 'scheme': data['scheme']})}"


@public_page
@require_safe
def transfer(request: HttpRequest) -> HttpResponse:
    regions = list(Region.objects.select_related("parent__parent"))
    asked = any(p in request.GET for p in PARAMS)
    form = TransferForm(request.GET if asked else None, regions=regions)
    crumbs = [*home_crumbs(), ("医保转移接续", reverse("guides:transfer"))]
    context: dict = {"form": form, "disclaimer": DISCLAIMER, "crumbs": crumbs}
    if form.complete:
        origin, destination, scheme = (form.cleaned_data[p] for p in PARAMS)
        chains = {r.pk for r in origin.lineage()} | {r.pk for r in destination.lineage()}
        entries = list(PolicyEntry.objects.live().filter(region__in=chains).select_related("region"))
        channels = list(ServiceChannel.objects.filter(region__in=chains).select_related("region"))

        def lineage_entries(place: Region) -> list[PolicyEntry]:
            pks = {r.pk for r in place.lineage()}
            return [e for e in entries if e.region_id in pks]

        home, away = province_of(origin), province_of(destination)
        plan = transfer_plan(
            facts_for(origin, lineage_entries(origin)),
            facts_for(destination, lineage_entries(destination)),
            scheme,
            timezone.localdate(),
            shared_province=home.name if home is not None and home == away else "",
        )
        groups = channel_groups(channels, origin, destination)
        to_hotlines = [c for _, _, group in groups[1:] for c in group if c.kind == "hotline"]
        crumbs.append((f"从{origin.name}转到{destination.name}", canonical_path(form)))
        context.update(
            {
                "plan": plan,
                "origin": origin,
                "destination": destination,
                "moves": plan.moves + plan.stays,
                "steps": plan.steps,
                "gap": plan.gap,
                "notes": plan.notes,
                "channel_groups": [g for g in groups if g[2]],
                "hotline": to_hotlines[0] if to_hotlines else None,
                "search_region": destination,
            }
        )
    context["canonical"] = canonical_path(form)
    context["jsonld"] = [breadcrumbs_ld(request, crumbs)]
    status = 400 if form.is_bound and form.invalid else 200
    return render(request, "guides/transfer.html", context, status=status)
