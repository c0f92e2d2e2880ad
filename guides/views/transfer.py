"""Moving insurance between two cities: /zhuanyi/?from=<region>&to=<region>&scheme=<scheme>.

A plain GET form; when the three answers are valid the page shows the transfer worked out by
`calculator.rules.transfer` from both places' figures, and both places' service channels. Each
place is chosen in two steps like the estimator's (`from_province` then `from`, `to_province` then
`to`; calculator.forms.PlaceChoiceMixin), so the page lists only the chosen provinces' cities; a
city named alone (old links, region guides, articles) is enough. Four queries for an answer,
whatever the regions: both places (with parents), the provinces and the chosen ones' cities, the
figures of both lineages, and the channels of both lineages. With htmx, a new province asks for its
city list alone (the `#from-choice` or `#to-choice` fragment, one query).

A parameter that is absent has not been asked yet (the region guide links here with `from` only);
one sent empty is missing, and a city of another province than the one chosen is asked again (200,
with a message); a wrong value is invalid (400, with a message).
"""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlencode

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers

from calculator.facts import facts_for
from calculator.forms import PlaceChoiceMixin, PlacePair, province_of
from calculator.rules.core import EMPLOYEE, FLEXIBLE, RESIDENT
from calculator.rules.transfer import transfer_plan
from config.pagecache import public_page

from ..htmx import HtmxHttpRequest
from ..models import Region, ServiceChannel, lineage_entries
from .pages import breadcrumbs_ld, home_crumbs

PARAMS = ("from", "to", "scheme")  # the canonical order
ASKED = ("from_province", "from", "to_province", "to", "scheme")
CITY_LISTS = {"from-choice": "from", "to-choice": "to"}  # htmx targets → their city fields
SCHEME_CHOICES = [
    ("", "请选择"),
    (EMPLOYEE, "职工医保（单位给交）"),
    (FLEXIBLE, "灵活就业人员医保（自己交）"),
    (RESIDENT, "城乡居民医保"),
]
DISCLAIMER = "仅供参考，以当地医保部门为准。"
MISSING = "required"  # the error code of an answer sent empty (or a city asked for, calculator.forms)


FROM = PlacePair(
    "from_province",
    "from",
    ask="请选择转出地。",
    ask_in="请选择从{province}哪个城市转出。",
    unknown="没有“{slug}”这个地区，请从列表中选择。",
    national="请选一个具体的省或城市，不能选“全国”。",
)
TO = replace(
    FROM, province_field="to_province", city_field="to", ask="请选择转入地。", ask_in="请选择转到{province}哪个城市。"
)
QUESTIONS = (MISSING, "other_province")  # the codes of answers still to give: the page asks (200)


class TransferForm(PlaceChoiceMixin, forms.Form):
    """from_province / from, to_province / to (each place in two steps, calculator.forms.PlaceChoiceMixin:
    the city alone is enough), and scheme. `from` is a Python keyword, so the fields are added in __init__."""

    place_pairs = (FROM, TO)

    def __init__(self, data=None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        for pair, where in ((FROM, "转出"), (TO, "转入")):
            self.fields[pair.province_field] = forms.CharField(
                label=f"{where}省份", required=False, widget=forms.Select
            )
            self.fields[pair.city_field] = forms.CharField(label=f"{where}城市", required=False, widget=forms.Select)
            # With htmx, a new province swaps in its cities (#from-choice, #to-choice); without, the button does.
            self.fields[pair.province_field].widget.attrs.update(
                {
                    "hx-get": reverse("guides:transfer"),
                    "hx-target": f"#{pair.city_field}-choice",
                    "hx-swap": "outerHTML",
                    "hx-sync": "this:replace",
                }
            )
        self.fields["scheme"] = forms.CharField(
            label="参加的是哪种医保", required=False, widget=forms.Select(choices=SCHEME_CHOICES)
        )
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"err-{name}"  # the error line under the field
        self.setup_place()

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
        # A place neither of whose parameters was sent has not been asked yet (a link naming one place).
        asked = tuple(p for p in self.place_pairs if p.province_field in self.data or p.city_field in self.data)
        for pair in self.place_pairs:
            if pair not in asked:
                data[pair.city_field] = None
        self.clean_places(data, asked)
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
        return any(e.code not in QUESTIONS for errors in self.errors.as_data().values() for e in errors)


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


def city_list(request: HtmxHttpRequest, name: str) -> HttpResponse:
    """The city list of the province just chosen for one place, nothing chosen and nothing to correct yet."""
    form = TransferForm()
    form.chosen[name].province_slug = request.GET.get(f"{name}_province", "")[:40]
    return render(request, "calculator/place.html#city-choice", {"city": form[name]})


@public_page
@require_safe
@vary_on_headers("HX-Request")
def transfer(request: HtmxHttpRequest) -> HttpResponse:
    if request.htmx and not request.htmx.history_restore_request and request.htmx.target in CITY_LISTS:
        return city_list(request, CITY_LISTS[request.htmx.target])
    asked = any(p in request.GET for p in ASKED)
    form = TransferForm(request.GET if asked else None)
    crumbs = [*home_crumbs(), ("医保转移接续", reverse("guides:transfer"))]
    context: dict = {"form": form, "disclaimer": DISCLAIMER, "crumbs": crumbs}
    if form.complete:
        origin, destination, scheme = (form.cleaned_data[p] for p in PARAMS)
        chains = {r.pk for r in origin.lineage()} | {r.pk for r in destination.lineage()}
        entries = lineage_entries([*origin.lineage(), *destination.lineage()])  # both places' figures, one query
        channels = list(ServiceChannel.objects.filter(region__in=chains).select_related("region"))
        home, away = province_of(origin), province_of(destination)
        plan = transfer_plan(
            facts_for(origin, entries),
            facts_for(destination, entries),
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
