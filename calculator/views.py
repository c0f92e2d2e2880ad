"""The estimator page (full page or htmx fragment from one view) and its JSON API."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from config.pagecache import public_page
from guides.channels import hotline_for
from guides.figures import REGISTRY
from guides.htmx import HtmxHttpRequest
from guides.models import Region

from .facts import facts_for
from .forms import EstimateForm, unknown_region
from .rules import HEADLINES, Estimate, Fact, MissingFigure, NeedsAnswer, add_months, estimate

DISCLAIMER = "仅供参考，以当地医保部门为准。"


@dataclass(frozen=True)
class Outcome:
    estimate: Estimate | None
    missing: str | None = None

    @property
    def figures(self) -> tuple[Fact, ...]:
        return self.estimate.figures if self.estimate else ()

    @property
    def figures_by_source(self) -> list[Fact]:
        """The figures with those citing the same document side by side (the list says 来源同上)."""
        return sorted(self.figures, key=lambda f: f.source)


def work_out(form: EstimateForm) -> Outcome | None:
    """Run a valid form through the rules with every period of the region's figures.

    None when the rules need an answer the data cannot give: the question is added to the form as
    an error on its field, so the page asks it and the API answers 400.
    """
    region, case = form.cleaned_data["region"], form.to_case()
    try:
        result = estimate(case, facts_for(region))
    except MissingFigure as exc:
        spec = REGISTRY.get(exc.key)
        return Outcome(None, missing=spec.label if spec else exc.key)
    except NeedsAnswer as question:
        form.add_error(question.field, question.message)
        return None
    return Outcome(result)


def timeline(form: EstimateForm, result: Estimate) -> list[dict]:
    """Points for the small lapse → payment → cover diagram, spread over 300 units.

    Labels near an edge are anchored to that edge, and points alternate between two label rows,
    so close dates stay readable on a phone.
    """
    data, case = form.cleaned_data, form.to_case()
    events = []
    start = case.lapse_start
    if start is None and case.scheme == "resident" and case.lapsed_years:
        start = add_months(case.paid_on, -12 * case.lapsed_years)
    if case.switch_from and case.gap_months:
        start = case.gap_start
    if case.newborn and case.born_on:
        events.append(("出生", case.born_on))
    elif start is not None:
        events.append(
            ("断缴（之后可补报）" if result.gap_covered and result.benefits_from > start else "断缴开始", start)
        )
    events += [("缴费" if case.scheme == "resident" else "补缴", data["paid_on"]), ("开始报销", result.benefits_from)]
    first = min(day for _, day in events)
    span = max((max(day for _, day in events) - first).days, 1)
    points = []
    for i, (label, day) in enumerate(events):
        x = 10 + round(300 * (day - first).days / span)
        anchor = "start" if x < 90 else "end" if x > 230 else "middle"
        points.append({"label": label, "date": day, "x": x, "y": 42 if i % 2 == 0 else 58, "anchor": anchor})
    return points


def repair_rows(result: Estimate) -> list:
    """The repair table as shown: every row when short; else the first two and the last two with
    a gap between (None), so a decades-long lapse keeps a small page. The API lists every row."""
    rows = list(result.repair_options)
    return rows if len(rows) <= 5 else [*rows[:2], None, *rows[-2:]]


@public_page
@require_safe
@vary_on_headers("HX-Request")
def estimate_page(request: HtmxHttpRequest, region_slug: str | None = None) -> HttpResponse:
    region = None
    if region_slug:  # with its province and the nation, which the choice of place and the figures read
        regions = Region.objects.exclude(kind=Region.NATIONAL).select_related("parent__parent")
        region = get_object_or_404(regions, slug=region_slug)
    submitted = "scheme" in request.GET
    if submitted:
        data = request.GET.copy()
        # The address names the city unless the form does; a province sent without its city is a
        # question still open (the province was just changed), not the address's city.
        if region is not None and not data.get("region") and not data.get("province"):
            data["region"] = region.slug
        form = EstimateForm(data)
    else:
        form = EstimateForm(
            initial={
                "region": region,
                "province": request.GET.get("province", ""),
                "scheme": "employee",
                "cause": "personal",
                "paid_on": timezone.localdate(),
            }
        )
    outcome = work_out(form) if submitted and form.is_valid() else None
    # Ask whether the payment is inside the collection window only when the data cannot tell.
    ask_window = "in_window" in form.errors or bool(form["in_window"].value())
    # A city chosen in the form that differs from the city in the address: the address follows
    # the form, so a shared or reloaded link names the right city.
    moved_to = None
    if outcome is not None and region is not None and form.cleaned_data["region"] != region:
        moved_to = f"{reverse('calculator:region_estimate', args=[form.cleaned_data['region'].slug])}?{request.GET.urlencode()}"
        if not request.htmx:
            return HttpResponseRedirect(moved_to)
    place = form.cleaned_data.get("region") if form.is_bound and not form.errors.get("region") else region
    context = {
        "form": form,
        "region": region,
        "search_region": region,
        # read only by the footer and the "missing figure" message, so a fragment costs no query for it
        "hotline": SimpleLazyObject(lambda: hotline_for(place)) if place else None,
        "submitted": submitted,
        "outcome": outcome,
        "result": outcome.estimate if outcome else None,
        "timeline": timeline(form, outcome.estimate) if outcome and outcome.estimate else [],
        "repair_rows": repair_rows(outcome.estimate) if outcome and outcome.estimate else [],
        "disclaimer": DISCLAIMER,
        "ask_window": ask_window,
        # the messages beside the fields a fragment refills, in the fields' order (the window question
        # comes with its field, and a city asked for with the new province's list)
        "field_errors": [
            (name, form.errors[name])
            for name in form.fields
            if name in form.errors and name != "in_window" and not (name == "region" and form.ask_city)
        ],
        "flags": {h: h in outcome.estimate.unverified for h in HEADLINES} if outcome and outcome.estimate else {},
    }
    template_name = "calculator/estimate.html"
    # htmx asks for the whole page again when it restores history without a snapshot.
    if request.htmx and not request.htmx.history_restore_request:
        template_name += "#estimator"
    response = render(request, template_name, context)
    return push_url(response, moved_to) if moved_to and request.htmx else response


def fact_json(fact: Fact) -> dict:
    return {
        "key": fact.key,
        "label": fact.label,
        "value": "unknown"
        if fact.value is None
        else str(fact.value).lower()
        if isinstance(fact.value, bool)
        else str(fact.value),
        "display": fact.display,
        "source": fact.source,
        "source_url": fact.source_url,
        "verified_on": fact.verified_on.isoformat(),
        "status": fact.status,
        "overdue": fact.possibly_outdated,
        "stale": fact.stale_note or None,
        "region": fact.region,
    }


def money(value) -> str | None:
    return None if value is None else str(value)


def estimate_json(result: Estimate, region: Region, paid_on: datetime.date) -> dict:
    return {
        "region": region.slug,
        "paid_on": paid_on.isoformat(),
        "can_backpay": result.can_backpay,
        "amount": {
            "total": str(result.amount_total),
            "employer": str(result.amount_employer),
            "personal": str(result.amount_personal),
            "items": [{"label": i.label, "amount": str(i.amount)} for i in result.items],
        },
        "late_fee": {
            "amount": str(result.late_fee),
            "payer": result.late_fee_payer,
            "possible": money(result.late_fee_possible),
        },
        "waiting_months": result.waiting_months,
        "benefits_from": result.benefits_from.isoformat(),
        "continuous_reset": result.continuous_reset,
        "gap_covered": result.gap_covered,
        "incentive_lost": money(result.incentive_lost),
        "useful_repaid_years": result.useful_repaid_years,
        "repair_options": [
            {"years": o.years, "waiting_months": o.waiting_months, "cost": str(o.cost)} for o in result.repair_options
        ],
        "advice": result.advice,
        "depends_on_unverified": result.depends_on_unverified,
        "unverified": sorted(result.unverified),
        "steps": [{"rule": s.rule, "text": s.text, "source": s.source} for s in result.steps],
        "figures": [fact_json(f) for f in result.figures],
        "disclaimer": DISCLAIMER,
    }


def errors_json(form: EstimateForm) -> dict:
    return {"errors": {field: [e["message"] for e in errs] for field, errs in form.errors.get_json_data().items()}}


@require_safe
def estimate_api(request: HttpRequest) -> JsonResponse:
    form = EstimateForm(request.GET)
    params: dict[str, Any] = {"json_dumps_params": {"ensure_ascii": False}}
    if not form.is_valid():
        return JsonResponse(errors_json(form), status=404 if unknown_region(form) else 400, **params)
    outcome = work_out(form)
    if outcome is None:
        return JsonResponse(errors_json(form), status=400, **params)
    if outcome.estimate is None:
        return JsonResponse(
            {"errors": {"region": [f"当地缺少“{outcome.missing}”数据，暂时无法估算。"]}}, status=422, **params
        )
    body = estimate_json(outcome.estimate, form.cleaned_data["region"], form.cleaned_data["paid_on"])
    return JsonResponse(body, **params)
