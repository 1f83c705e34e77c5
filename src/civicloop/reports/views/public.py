"""The public side of reports: the list and map, a report's page and photos, area and category
pages, e-mail alerts, and the reporter's "was it fixed?" answer. Thin: selectors read, services write."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from civicloop.core.enums import Channel
from civicloop.core.models import Area, Jurisdiction
from civicloop.reports import services, tokens
from civicloop.reports.enums import REOPENABLE_STATUSES, ReporterVisibility, ReportStatus
from civicloop.reports.forms.public import FeedbackForm, ReportFilterForm, SubscribeForm
from civicloop.reports.models import Category, Report, Subscription
from civicloop.reports.selectors.catalogue import report_get_public
from civicloop.reports.selectors.public import (
    DueState,
    area_get,
    category_get_public,
    filter_choices,
    report_due_states,
    report_list_filtered,
    report_page_public,
    report_photo_public,
    report_points,
)
from civicloop.reports.services import ReportsError
from civicloop.reports.services.subscriptions import subscription_confirm, subscription_create, subscription_delete

PAGE_SIZE = 25
PHOTO_CACHE_SECONDS = 300  # short: staff may hide a photo later, and caches must let go of it soon


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    if request.jurisdiction is None:
        raise Http404(_("No jurisdiction is configured for this address."))
    return request.jurisdiction


@dataclass(frozen=True)
class ReportRow:
    report: Report
    acknowledge: DueState
    resolve: DueState

    @property
    def overdue(self) -> bool:
        return "overdue" in (self.acknowledge.state, self.resolve.state)


def _filter_form(request: HttpRequest, jurisdiction: Jurisdiction, fixed: dict[str, str]) -> ReportFilterForm:
    categories, areas, agencies = filter_choices(jurisdiction=jurisdiction)
    data = request.GET.copy()
    for name, value in fixed.items():
        data[name] = value
    form = ReportFilterForm(data, categories=categories, areas=areas, agencies=agencies)
    form.is_valid()
    return form


def _report_list(
    request: HttpRequest,
    *,
    template: str = "reports/public/report_list.html",
    fixed: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    fixed = fixed or {}
    form = _filter_form(request, jurisdiction, fixed)
    reports = report_list_filtered(jurisdiction=jurisdiction, filters=form.filters())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [ReportRow(report, *report_due_states(report, now=now)) for report in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    for name, value in fixed.items():
        query[name] = value
    return render(
        request,
        template,
        {
            "form": form,
            "fixed": fixed,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "points_url": reverse("reports:list_points") + ("?" + query.urlencode() if query else ""),
            "areas_url": f"/api/v1/jurisdictions/{jurisdiction.slug}/areas",
            "tiles_url": settings.CIVICLOOP_MAP_TILES_URL,
            "tiles_attribution": settings.CIVICLOOP_MAP_TILES_ATTRIBUTION,
            **(extra or {}),
        },
    )


@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return _report_list(request)


@require_GET
def report_list_points(request: HttpRequest) -> JsonResponse:
    """The list's reports (same filters) as GeoJSON points with public fields only, for the map."""
    jurisdiction = _jurisdiction(request)
    form = _filter_form(request, jurisdiction, {})
    reports = report_list_filtered(jurisdiction=jurisdiction, filters=form.filters())
    features = report_points(reports=reports)
    for feature in features:
        feature["properties"]["url"] = reverse(
            "reports:detail", kwargs={"reference": feature["properties"]["reference"]}
        )
    return JsonResponse({"type": "FeatureCollection", "features": features})


@require_GET
def area_reports(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    area = area_get(jurisdiction=jurisdiction, slug=slug)
    if area is None:
        raise Http404(_("There is no such area."))
    return _report_list(
        request,
        template="reports/public/area.html",
        fixed={"area": area.slug},
        extra={"area": area, "subscribe_form": SubscribeForm(initial={"area": area.slug})},
    )


@require_GET
def category_reports(request: HttpRequest, code: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    category = category_get_public(jurisdiction=jurisdiction, code=code)
    if category is None:
        raise Http404(_("There is no such category."))
    return _report_list(
        request,
        template="reports/public/category.html",
        fixed={"category": category.code},
        extra={"category": category, "subscribe_form": SubscribeForm(initial={"category": category.code})},
    )


@require_GET
def report_detail(request: HttpRequest, reference: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    page = report_page_public(jurisdiction=jurisdiction, reference=reference)
    if page is None:
        raise Http404(_("There is no public report with this reference."))
    report = page.report
    acknowledge, resolve = report_due_states(report)
    return render(
        request,
        "reports/public/report_detail.html",
        {
            "report": report,
            "updates": page.updates,
            "photos": page.photos,
            "original": page.original,
            "acknowledge": acknowledge,
            "resolve": resolve,
            "show_name": report.visibility == ReporterVisibility.PUBLIC and report.public_name,
            "unverified": report.status == ReportStatus.UNVERIFIED,
            "subscribe_form": SubscribeForm(initial={"report": report.reference})
            if report.status != ReportStatus.UNVERIFIED
            else None,
        },
    )


@require_GET
def report_photo(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """A public photo of a public report; everything else is the same 404 as an unknown photo."""
    jurisdiction = _jurisdiction(request)
    photo = report_photo_public(jurisdiction=jurisdiction, reference=reference, pk=pk)
    if photo is None or not photo.image:
        raise Http404(_("There is no such photo."))
    try:
        handle = photo.image.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("There is no such photo.")) from error
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    patch_cache_control(response, public=True, max_age=PHOTO_CACHE_SECONDS)
    return response


# --- E-mail alerts -----------------------------------------------------------------------------
@dataclass(frozen=True)
class _Target:
    report: Report | None = None
    area: Area | None = None
    category: Category | None = None

    @property
    def url(self) -> str:
        if self.report is not None:
            return reverse("reports:detail", kwargs={"reference": self.report.reference})
        if self.area is not None:
            return reverse("reports:area", kwargs={"slug": self.area.slug})
        if self.category is not None:
            return reverse("reports:category", kwargs={"code": self.category.code})
        return reverse("reports:list")

    @property
    def label(self) -> str:
        if self.report is not None:
            return _("report %(reference)s") % {"reference": self.report.reference}
        if self.area is not None:
            return _("reports in %(area)s") % {"area": self.area.name}
        if self.category is not None:
            return _("reports about %(category)s") % {"category": self.category.display_name}
        return ""


def _target(jurisdiction: Jurisdiction, data: Any) -> _Target | None:
    """The report, area or category named in the form or query, if the public may follow it."""
    if data.get("report"):
        report = report_get_public(jurisdiction=jurisdiction, reference=str(data["report"]))
        return _Target(report=report) if report is not None and report.status != ReportStatus.UNVERIFIED else None
    if data.get("area"):
        area = area_get(jurisdiction=jurisdiction, slug=str(data["area"]))
        return _Target(area=area) if area is not None else None
    if data.get("category"):
        category = category_get_public(jurisdiction=jurisdiction, code=str(data["category"]))
        return _Target(category=category) if category is not None else None
    return None


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """Ask for e-mail alerts (the forms on report, area and category pages post here)."""
    jurisdiction = _jurisdiction(request)
    target = _target(jurisdiction, request.POST if request.method == "POST" else request.GET)
    if target is None:
        raise Http404(_("There is nothing to follow here."))
    initial = {
        "report": target.report.reference if target.report else "",
        "area": target.area.slug if target.area else "",
        "category": target.category.code if target.category else "",
    }
    if request.method == "POST":
        form = SubscribeForm(request.POST, initial=initial)
        if form.is_valid():
            user = request.user if request.user.is_authenticated else None
            try:
                subscription = subscription_create(
                    jurisdiction=jurisdiction,
                    email=form.cleaned_data["email"],
                    user=user,
                    report=target.report,
                    area=target.area,
                    category=target.category,
                )
            except ReportsError as error:
                form.add_error("email", str(error))
            else:
                if user is not None and subscription.user_id == user.pk and subscription.confirmed_at:
                    messages.success(
                        request, _("Done: you will get e-mail about %(target)s.") % {"target": target.label}
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Check your e-mail: unless this address already gets them, we have sent it a link "
                            "to confirm alerts about %(target)s."
                        )
                        % {"target": target.label},
                    )
                return redirect(target.url)
    else:
        email = request.user.email if request.user.is_authenticated else ""
        form = SubscribeForm(initial={**initial, "email": email})
    return render(request, "reports/public/subscribe.html", {"form": form, "target": target})


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/public/link_invalid.html", status=404)


def _subscription_from(jurisdiction: Jurisdiction, purpose: str, token: str) -> tuple[bool, Subscription | None]:
    """(whether the token is good, the subscription it names or None when it no longer exists)."""
    value = tokens.read(purpose, token)
    if value is None or not value.isdigit():
        return False, None
    subscription = (
        Subscription.objects.filter(pk=int(value), jurisdiction=jurisdiction)
        .select_related("report__category", "area", "category", "jurisdiction")
        .first()
    )
    return True, subscription


def _subscription_target(subscription: Subscription) -> _Target:
    return _Target(report=subscription.report, area=subscription.area, category=subscription.category)


@require_http_methods(["GET", "POST"])
def subscription_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links; only a person confirms); POST confirms."""
    jurisdiction = _jurisdiction(request)
    valid, subscription = _subscription_from(jurisdiction, "subscription", token)
    if not valid or subscription is None:
        return _invalid_link(request)
    target = _subscription_target(subscription)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        subscription_confirm(subscription=subscription, user=user)
        messages.success(request, _("Thank you: you will get e-mail about %(target)s.") % {"target": target.label})
        return redirect(target.url)
    return render(request, "reports/public/subscription_confirm.html", {"subscription": subscription, "target": target})


@csrf_exempt  # one-click unsubscribe (RFC 8058) posts from the mail client; the signed token is the proof
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; POST ends the alerts. A link used twice says so instead of failing."""
    jurisdiction = _jurisdiction(request)
    valid, subscription = _subscription_from(jurisdiction, "unsubscribe", token)
    if not valid:
        return _invalid_link(request)
    if subscription is None:
        return render(request, "reports/public/unsubscribe.html", {"done": True, "target": None})
    target = _subscription_target(subscription)
    if request.method == "POST":
        user = request.user if request.user.is_authenticated else None
        subscription_delete(subscription=subscription, user=user)
        return render(request, "reports/public/unsubscribe.html", {"done": True, "target": target})
    return render(request, "reports/public/unsubscribe.html", {"done": False, "target": target})


# --- "Was it fixed?" ---------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """The reporter's answer, reached from the link in the "fixed" or "closed" e-mail.

    The signed token is the reporter's proof, so confidential reports are answered here too;
    the page shows nothing the reporter did not write or the public could not see.
    """
    jurisdiction = _jurisdiction(request)
    if tokens.read("feedback", token) != reference:
        return _invalid_link(request)
    report = Report.objects.filter(jurisdiction=jurisdiction, reference=reference).select_related("category").first()
    if report is None:
        return _invalid_link(request)
    can_answer = report.status in REOPENABLE_STATUSES
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and can_answer and form.is_valid():
        try:
            services.report_feedback_submit(
                report=report,
                fixed=form.cleaned_data["fixed"],
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                channel=Channel.WEB,
            )
        except ReportsError as error:
            form.add_error(None, str(error))
        else:
            report.refresh_from_db()
            if form.cleaned_data["fixed"]:
                outcome = "thanks"
            elif report.status in REOPENABLE_STATUSES:
                outcome = "too_late"
            else:
                outcome = "reopened"
            return render(request, "reports/public/feedback_done.html", {"report": report, "outcome": outcome})
    return render(
        request,
        "reports/public/feedback.html",
        {"report": report, "form": form, "can_answer": can_answer},
    )
