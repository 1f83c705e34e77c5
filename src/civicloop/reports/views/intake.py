"""The citizen's web intake: the report form, its thank-you page, the confirmation link and "me too".

Thin, like every view: the selectors in reports/selectors/intake.py read, report_submit,
photo_attach, report_confirm and report_support write — the same services the Open311 API
calls. Everything works without JavaScript; report-map.js adds the map.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from civicloop.core.enums import Channel
from civicloop.core.models import Jurisdiction
from civicloop.core.services import email_enqueue
from civicloop.reports import tokens
from civicloop.reports.enums import ReportStatus
from civicloop.reports.forms.intake import CategoryChoiceForm, ReportForm, SupportForm
from civicloop.reports.models import Category, Report, ReportPhoto
from civicloop.reports.selectors.intake import (
    area_choices,
    category_get_for_intake,
    category_groups,
    report_contact_has_email,
    report_get_for_confirm,
    report_get_submitted,
    report_get_supportable,
    report_list_nearby_open,
    report_reference_for_idempotency_key,
)
from civicloop.reports.services import ReportsError, report_confirm, report_submit, report_support
from civicloop.reports.services.photos import photo_attach, photo_files_delete

#: The references a browser filed recently: only those thank-you pages open in this session.
SESSION_FILED = "civicloop_reports_filed"
SESSION_FILED_KEEP = 20
#: How much of a description the duplicate list shows.
NEARBY_DESCRIPTION_CHARS = 160


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    if request.jurisdiction is None:
        raise Http404(_("No jurisdiction is configured for this address."))
    return request.jurisdiction


def _remember_filed(request: HttpRequest, reference: str) -> None:
    filed = [ref for ref in request.session.get(SESSION_FILED, []) if ref != reference]
    request.session[SESSION_FILED] = [*filed, reference][-SESSION_FILED_KEEP:]


def _report_url(report: Report) -> str | None:
    """The public page of a report, when there is one and the public may open it."""
    if not report.is_public:
        return None
    try:
        return reverse("reports:detail", kwargs={"reference": report.reference})
    except NoReverseMatch:
        return None


def _map_config(request: HttpRequest, jurisdiction: Jurisdiction, category: Category) -> dict[str, Any]:
    """What report-map.js needs, handed over in a json_script (no inline script)."""
    return {
        "areasUrl": reverse("api:area_list", kwargs={"slug": jurisdiction.slug}),
        "nearbyUrl": reverse("reports:nearby"),
        "category": category.code,
        "tilesUrl": settings.CIVICLOOP_MAP_TILES_URL,
        "tilesAttribution": settings.CIVICLOOP_MAP_TILES_ATTRIBUTION,
        "text": {
            "map": _(
                "Map: click or tap where the problem is to place a pin; with the keyboard, move the map "
                "with the arrow keys and press Enter to place the pin at its centre."
            ),
            "placed": _("Pin placed. You can move it by clicking or tapping elsewhere."),
            "remove": _("Remove the pin"),
            "nearbyTitle": _("Already reported near this place"),
            "nearbyIntro": _(
                "These open reports of the same problem are close to your pin. If one is yours, "
                "say “me too” instead of filing it again."
            ),
            "nearbyNone": _("No open report of this problem near your pin."),
            "meToo": _("Me too"),
            "metres": _("%(distance)s m away"),
            "failed": _("The map could not be loaded; choose an area or give an address instead."),
        },
    }


@never_cache
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Step one picks the category (its questions differ); step two is the report itself."""
    jurisdiction = _jurisdiction(request)
    code = (request.GET.get("category") or "").strip()
    category = category_get_for_intake(jurisdiction=jurisdiction, code=code) if code else None
    if category is None:
        if request.method == "POST":
            return redirect("reports:new")
        groups = category_groups(jurisdiction=jurisdiction)
        chooser = CategoryChoiceForm(request.GET if code else None, groups=groups)
        if code:
            chooser.is_valid()
        return render(request, "reports/intake/choose_category.html", {"form": chooser, "groups": groups})

    areas = area_choices(jurisdiction=jurisdiction)
    form_args: dict[str, Any] = {"jurisdiction": jurisdiction, "category": category, "areas": areas}
    if request.method == "GET":
        form = ReportForm(user=request.user, **form_args)
        return _render_form(request, form, category=category)

    form = ReportForm(request.POST, request.FILES, user=request.user, **form_args)
    if not form.is_valid():
        return _render_form(request, form, category=category)
    data = form.cleaned_data
    lon, lat = data.get("lon"), data.get("lat")
    if lon is not None and lat is not None and not data.get("duplicates_checked"):
        nearby = report_list_nearby_open(category=category, lon=lon, lat=lat)
        if nearby:
            return _render_form(request, form, category=category, nearby=nearby)
    return _submit(request, form, jurisdiction=jurisdiction, category=category)


def _submit(request: HttpRequest, form: ReportForm, *, jurisdiction: Jurisdiction, category: Category) -> HttpResponse:
    """File the report and attach its photos in one transaction: all of it, or nothing."""
    data = form.cleaned_data
    user = request.user if request.user.is_authenticated else None
    key = (data.get("idempotency_key") or "").strip() or None
    earlier = report_reference_for_idempotency_key(jurisdiction=jurisdiction, key=key) if key else None
    contact = form.contact()
    stored: list[ReportPhoto] = []
    try:
        with transaction.atomic():
            report = report_submit(
                jurisdiction=jurisdiction,
                category_code=category.code,
                category=category,  # already read with its questions: not read again
                kind=data["kind"],
                title=data.get("title") or "",
                description=data["description"],
                lon=data.get("lon"),
                lat=data.get("lat"),
                address_string=data.get("address") or "",
                area_slug=data.get("area") or None,
                attributes=form.answers(),
                visibility=data["visibility"],
                reporter=user,
                contact={name: value for name, value in contact.items() if value},
                channel=Channel.WEB,
                idempotency_key=key,
            )
            if earlier is None:  # a retried POST got the first report back: it has its photos and e-mail
                for prepared in form.prepared_photos:
                    stored.append(photo_attach(report=report, upload=prepared, by=user))
                if report.status == ReportStatus.UNVERIFIED and contact["email"]:
                    _confirmation_email(request, report, name=contact["name"], email=contact["email"])
    except ReportsError as error:
        photo_files_delete(stored)
        message = str(error)
        if earlier is not None:
            message = _(
                "You already sent a report from this page (reference %(reference)s). "
                "To file another report, check the form and submit it again."
            ) % {"reference": earlier}
        return _render_form(request, form, category=category, problems=[message])
    except BaseException:
        photo_files_delete(stored)
        raise
    _remember_filed(request, report.reference)
    return redirect("reports:submitted", reference=report.reference)


def _render_form(
    request: HttpRequest,
    form: ReportForm,
    *,
    category: Category,
    nearby: list[Report] | None = None,
    problems: list[str] | None = None,
) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    email = ""
    if form.is_bound and not form.errors.get("email"):
        email = (form.data.get("email") or "").strip()
    return render(
        request,
        "reports/intake/new.html",
        {
            "form": form,
            "category": category,
            "error_links": form.error_links(extra=problems) if form.is_bound else [],
            "nearby": [_nearby_item(report) for report in nearby or []],
            "nearby_email": email,
            # A fresh key per page shown: a retry of this page's POST is recognised, a new one is not.
            "idempotency_key": uuid.uuid4().hex,
            "duplicates_checked": bool(nearby) or (form.is_bound and form.data.get("duplicates_checked") == "True"),
            "photos_lost": form.is_bound and form.has_photos(),
            "photos_max": settings.CIVICLOOP_PHOTOS_PER_REPORT,
            "map_config": _map_config(request, jurisdiction, category),
            "signed_in": request.user.is_authenticated,
        },
    )


def _nearby_item(report: Report) -> dict[str, Any]:
    """A nearby report with public fields only: no reporter, no contact, no public name."""
    return {
        "reference": report.reference,
        "title": report.title or Truncator(report.description).chars(80),
        "description": Truncator(report.description).chars(NEARBY_DESCRIPTION_CHARS),
        "status": report.status,
        "status_label": str(report.get_status_display()),
        "category": report.category.display_name,
        "area": report.area.name if report.area is not None else "",
        "lon": report.lon,
        "lat": report.lat,
        "distance_m": getattr(report, "distance_m", None),
        "supporter_count": report.supporter_count,
        "submitted_at": report.submitted_at.isoformat(),
        "support_url": reverse("reports:support", kwargs={"reference": report.reference}),
        "url": _report_url(report),
    }


def _confirmation_email(request: HttpRequest, report: Report, *, name: str, email: str) -> None:
    """Ask someone who is not signed in to confirm the report (sent after the transaction commits)."""
    link = request.build_absolute_uri(
        reverse(
            "reports:confirm",
            kwargs={"reference": report.reference, "token": tokens.make("confirm", report.reference)},
        )
    )
    context = {
        "report": report,
        "name": name,
        "link": link,
        "days": tokens.CONFIRM_MAX_AGE // (24 * 60 * 60),
        "jurisdiction": report.jurisdiction,
    }
    subject = " ".join(render_to_string("reports/intake/email_confirm_subject.txt", context).split())
    body = render_to_string("reports/intake/email_confirm.txt", context)
    email_enqueue(subject=subject, body=body, to=[email])


@never_cache
@require_GET
def report_submitted(request: HttpRequest, reference: str) -> HttpResponse:
    """Thank you: the reference, what happens next and when. Only in the session that filed it
    (or confirmed it): a confidential report must not be readable by whoever has its reference."""
    jurisdiction = _jurisdiction(request)
    if reference not in request.session.get(SESSION_FILED, []):
        raise Http404(_("No report %(reference)s was filed from this browser.") % {"reference": reference})
    report = report_get_submitted(jurisdiction=jurisdiction, reference=reference)
    if report is None:
        raise Http404(_("No report %(reference)s was filed from this browser.") % {"reference": reference})
    unverified = report.status == ReportStatus.UNVERIFIED
    return render(
        request,
        "reports/intake/submitted.html",
        {
            "report": report,
            "unverified": unverified,
            "confirmation_sent": unverified and report_contact_has_email(report=report),
            "report_url": _report_url(report),
            "confirm_days": tokens.CONFIRM_MAX_AGE // (24 * 60 * 60),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def report_confirm_link(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    """The link in the confirmation e-mail. GET only shows a button (mail scanners open links);
    POST confirms."""
    jurisdiction = _jurisdiction(request)
    if tokens.read("confirm", token) != reference:
        return render(
            request,
            "reports/intake/confirm_invalid.html",
            {"reference": reference, "days": tokens.CONFIRM_MAX_AGE // (24 * 60 * 60)},
            status=400,
        )
    report = report_get_for_confirm(jurisdiction=jurisdiction, reference=reference)
    if report is None:
        raise Http404(_("There is no report %(reference)s here.") % {"reference": reference})
    if request.method == "POST":
        if report.status == ReportStatus.UNVERIFIED:
            try:
                report_confirm(report=report, channel=Channel.WEB)
            except ReportsError as error:
                return render(
                    request, "reports/intake/confirm.html", {"report": report, "problem": str(error)}, status=400
                )
            messages.success(
                request,
                _("Thank you: report %(reference)s is confirmed and on its way to the people who handle it.")
                % {"reference": report.reference},
            )
        else:
            messages.info(request, _("Report %(reference)s was already confirmed.") % {"reference": report.reference})
        url = _report_url(report)
        if url is not None:
            return redirect(url)
        _remember_filed(request, report.reference)
        return redirect("reports:submitted", reference=report.reference)
    return render(
        request,
        "reports/intake/confirm.html",
        {"report": report, "already": report.status != ReportStatus.UNVERIFIED},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def report_support_me_too(request: HttpRequest, reference: str) -> HttpResponse:
    """ "Me too": count someone with the same problem and keep them informed, instead of a new report."""
    jurisdiction = _jurisdiction(request)
    report = report_get_supportable(jurisdiction=jurisdiction, reference=reference)
    if report is None:
        raise Http404(_("There is no public report %(reference)s here.") % {"reference": reference})
    signed_in = request.user.is_authenticated
    form = None if signed_in else SupportForm(request.POST if request.method == "POST" else None)
    problem = ""
    if request.method == "POST":
        email = ""
        if signed_in:
            email = request.user.email
        elif form is not None and form.is_valid():
            email = form.cleaned_data["email"]
        if email:
            try:
                subscription = report_support(report=report, email=email, user=request.user if signed_in else None)
            except ReportsError as error:
                problem = str(error)
            else:
                if subscription.confirmed_at is not None:
                    message = _(
                        "Thank you: we counted you among the people with this problem (report %(reference)s)."
                    ) % {"reference": report.reference}
                else:
                    message = _(
                        "Thank you. We sent a link to %(email)s: follow it to be counted among the people with "
                        "this problem (report %(reference)s) and to get its updates."
                    ) % {"email": email, "reference": report.reference}
                messages.success(request, message)
                return redirect(_report_url(report) or reverse("reports:support", kwargs={"reference": reference}))
    return render(
        request,
        "reports/intake/support.html",
        {
            "report": report,
            "form": form,
            "problem": problem,
            "report_url": _report_url(report),
        },
        status=400 if problem else 200,
    )


@require_GET
def report_nearby(request: HttpRequest) -> JsonResponse:
    """Open public reports of a category near a point, for report-map.js (public fields only)."""
    jurisdiction = _jurisdiction(request)
    code = (request.GET.get("category") or "").strip()
    try:
        lon = float(request.GET.get("lon", ""))
        lat = float(request.GET.get("lat", ""))
    except ValueError:
        return JsonResponse({"error": _("Give lon and lat as numbers, e.g. lon=-70.65&lat=-33.45.")}, status=400)
    category = category_get_for_intake(jurisdiction=jurisdiction, code=code) if code else None
    if category is None:
        return JsonResponse({"error": _("There is no category %(code)s here.") % {"code": code}}, status=404)
    reports = report_list_nearby_open(category=category, lon=lon, lat=lat)
    return JsonResponse(
        {"radius_m": category.duplicate_radius_m, "reports": [_nearby_item(report) for report in reports]}
    )
