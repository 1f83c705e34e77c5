"""The staff workspace for reports: queues, the triage queue, the work page, bulk actions, templates.

Thin, as everywhere: selectors read, one life-cycle service per action writes. Who may see a
report is decided by `reports.rules.can_handle_report`; a ReportsError from a service is
shown as a message and the service's transaction leaves nothing half-saved.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicloop.accounts.enums import Role
from civicloop.accounts.models import RoleAssignment
from civicloop.accounts.rules import is_agency_manager
from civicloop.core.enums import Channel
from civicloop.core.models import Agency, Area, Jurisdiction
from civicloop.reports.enums import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    REOPENABLE_STATUSES,
    ReporterVisibility,
    ReportStatus,
    UpdateKind,
)
from civicloop.reports.forms.staff import (
    BULK_ACKNOWLEDGE,
    BULK_ASSIGN,
    BULK_TRANSFER,
    AcknowledgeForm,
    ActionForm,
    AssignForm,
    BulkForm,
    CloseForm,
    DuplicateForm,
    FixForm,
    MessageForm,
    NoteForm,
    QueueFilterForm,
    ReopenForm,
    ResponseTemplateForm,
    StatusForm,
    TransferForm,
    language_name,
    reference_choices,
)
from civicloop.reports.models import Category, Report, ReportUpdate, ResponseTemplate
from civicloop.reports.rules import can_handle_report, can_view_triage
from civicloop.reports.selectors.staff import (
    STATUS_ALL,
    StaffScope,
    agency_colleagues,
    report_duplicate_candidates,
    report_get_for_staff,
    report_queue_base,
    report_queue_filter,
    report_queue_rows,
    report_status_counts,
    report_timeline_for_staff,
    report_triage_list,
    response_template_list_for,
    response_template_list_manageable,
    staff_scope,
)
from civicloop.reports.services import (
    ReportsError,
    report_acknowledge,
    report_assign,
    report_close_without_fix,
    report_comment,
    report_fix,
    report_mark_duplicate,
    report_reopen,
    report_status_set,
    report_transfer,
)
from civicloop.reports.services.templates import response_template_create, response_template_update

QUEUE_PAGE_SIZE = 50


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    if request.jurisdiction is None:
        raise Http404(_("No jurisdiction is configured for this address."))
    return request.jurisdiction


def _scope(request: HttpRequest, jurisdiction: Jurisdiction) -> StaffScope:
    scope = staff_scope(user=request.user, jurisdiction=jurisdiction)  # type: ignore[arg-type]
    if not scope.has_access:
        raise PermissionDenied(_("The report queues are for agency staff, supervisors and administrators."))
    return scope


def _nav(request: HttpRequest, jurisdiction: Jurisdiction) -> dict[str, Any]:
    """What the workspace's sub-navigation offers this person."""
    user: Any = request.user
    can_triage = bool(can_view_triage(user, jurisdiction))
    return {
        "can_triage": can_triage,
        "can_manage_templates": can_triage or bool(user.is_superuser) or bool(is_agency_manager(user, jurisdiction)),
    }


def _query(request: HttpRequest, **changes: str) -> str:
    """The current query string with some parameters changed (empty: removed), page dropped."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        if value:
            params[name] = value
        else:
            params.pop(name, None)
    return params.urlencode()


def _mark_overdue(reports: list[Report], now: dt.datetime) -> list[Report]:
    for report in reports:
        is_open = report.status in OPEN_STATUSES
        report.ack_overdue = is_open and report.acknowledged_at is None and report.acknowledge_due_at < now  # type: ignore[attr-defined]
        report.resolve_overdue = is_open and report.resolve_due_at < now  # type: ignore[attr-defined]
    return reports


def _transfer_agencies(jurisdiction: Jurisdiction, *, exclude: Agency | None = None) -> QuerySet[Agency]:
    agencies = Agency.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("name", "pk")
    return agencies.exclude(pk=exclude.pk) if exclude is not None else agencies


# --- The queue ----------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    scope = _scope(request, jurisdiction)
    form = QueueFilterForm(
        request.GET or None,
        agencies=scope.agencies,
        categories=Category.objects.filter(jurisdiction=jurisdiction).order_by("name", "pk"),
        areas=Area.objects.filter(jurisdiction=jurisdiction).order_by("name", "pk"),
        sees_all=scope.sees_all,
    )
    filters = form.values()
    if filters["agency"] is not None:
        agency_ids: list[int] | None = [filters["agency"].pk]
    else:
        agency_ids = None if scope.sees_all else sorted(scope.agency_ids)
    now = timezone.now()
    reports = report_queue_filter(
        report_queue_base(jurisdiction=jurisdiction, agency_ids=agency_ids),
        status=STATUS_ALL,
        category_id=filters["category"].pk if filters["category"] else None,
        area_id=filters["area"].pk if filters["area"] else None,
        overdue=filters["overdue"],
        assigned=filters["assigned"],
        user=request.user,  # type: ignore[arg-type]
        now=now,
    )
    counts = report_status_counts(reports)
    status_links = [
        {
            "status": status,
            "label": status.label,
            "count": counts.get(status.value, 0),
            "query": _query(request, status=status.value),
            "current": filters["status"] == status.value,
        }
        for status in ReportStatus
    ]
    rows = report_queue_rows(report_queue_filter(reports, status=filters["status"], now=now), sort=filters["sort"])
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    bulk = BulkForm(
        colleagues=agency_colleagues(agency_ids=sorted(scope.agency_ids)),
        agencies=_transfer_agencies(jurisdiction),
        references=[],
    )
    return render(
        request,
        "reports/staff/queue.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "reports": _mark_overdue(list(page.object_list), now),
            "status_links": status_links,
            "total": sum(counts.values()),
            "page_query": _query(request),
            "bulk": bulk,
            "scope": scope,
            **_nav(request, jurisdiction),
        },
    )


@login_required
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    if not can_view_triage(request.user, jurisdiction):
        raise PermissionDenied(_("The triage queue is for supervisors and administrators."))
    now = timezone.now()
    page = Paginator(report_triage_list(jurisdiction=jurisdiction), QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    bulk = BulkForm(
        colleagues=agency_colleagues(agency_ids=[]),
        agencies=_transfer_agencies(jurisdiction),
        references=[],
        initial={"action": BULK_TRANSFER},
    )
    return render(
        request,
        "reports/staff/triage.html",
        {
            "page": page,
            "reports": _mark_overdue(list(page.object_list), now),
            "bulk": bulk,
            **_nav(request, jurisdiction),
        },
    )


@dataclass
class BulkResult:
    reference: str
    ok: bool
    message: str
    report: Report | None = None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@login_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """One action for several reports. Each report goes through its own service call in its own
    transaction: one refusal does not undo the others, and the page says which did what."""
    jurisdiction = _jurisdiction(request)
    scope = _scope(request, jurisdiction)
    back = _safe_next(request, reverse("reports:queue"))
    references = reference_choices(request.POST.getlist("reports"))
    form = BulkForm(
        request.POST,
        colleagues=agency_colleagues(agency_ids=sorted(scope.agency_ids)),
        agencies=_transfer_agencies(jurisdiction),
        references=references,
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action = form.cleaned_data["action"]
    found = {
        report.reference: report
        for report in Report.objects.filter(jurisdiction=jurisdiction, reference__in=form.cleaned_data["reports"])
        .select_related("category", "owner", "jurisdiction")
        .prefetch_related("agencies")
    }
    results = []
    for reference in form.cleaned_data["reports"]:
        report = found.get(reference)
        if report is None or not can_handle_report(request.user, report):
            results.append(BulkResult(reference, False, _("Not found among the reports you handle.")))
            continue
        try:
            if action == BULK_ACKNOWLEDGE:
                report = report_acknowledge(report=report, by=request.user, channel=Channel.WEB)  # type: ignore[arg-type]
                message = _("Acknowledged.")
            elif action == BULK_ASSIGN:
                to = form.cleaned_data["assign_to"]
                report = report_assign(report=report, to=to, by=request.user, channel=Channel.WEB)  # type: ignore[arg-type]
                message = _("Assigned to %(person)s.") % {"person": to.name or to.email}
            else:
                to_agency = form.cleaned_data["to_agency"]
                report = report_transfer(
                    report=report,
                    to_agency=to_agency,
                    by=request.user,  # type: ignore[arg-type]
                    reason=form.cleaned_data["reason"],
                    channel=Channel.WEB,
                )
                message = _("Transferred to %(agency)s.") % {"agency": to_agency.display_name}
        except ReportsError as error:
            results.append(BulkResult(reference, False, str(error), report))
        else:
            results.append(BulkResult(reference, True, message, report))
    return render(
        request,
        "reports/staff/bulk_result.html",
        {
            "results": results,
            "succeeded": sum(1 for result in results if result.ok),
            "failed": sum(1 for result in results if not result.ok),
            "back": back,
            **_nav(request, jurisdiction),
        },
    )


# --- One report ---------------------------------------------------------------------------


def _report_or_403(request: HttpRequest, reference: str) -> Report:
    jurisdiction = _jurisdiction(request)
    report = report_get_for_staff(jurisdiction=jurisdiction, reference=reference)
    if report is None:
        # Only staff learn whether a reference exists.
        _scope(request, jurisdiction)
        raise Http404(_("No report has the reference %(reference)s.") % {"reference": reference})
    if not can_handle_report(request.user, report):
        raise PermissionDenied(
            _("Only the staff of the agencies handling this report, supervisors and administrators may open it.")
        )
    return report


@dataclass(frozen=True)
class Action:
    """One thing staff can do to a report from its work page: a form and the one service it calls."""

    name: str
    title: str | Promise
    button: str | Promise
    form: type[ActionForm]
    allowed: Callable[[Report], bool]


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            "acknowledge",
            gettext_lazy("Acknowledge"),
            gettext_lazy("Acknowledge"),
            AcknowledgeForm,
            lambda r: r.status == ReportStatus.SUBMITTED,
        ),
        Action(
            "status",
            gettext_lazy("In progress or scheduled"),
            gettext_lazy("Set status"),
            StatusForm,
            lambda r: r.status in OPEN_STATUSES,
        ),
        Action("fix", gettext_lazy("Fixed"), gettext_lazy("Mark fixed"), FixForm, lambda r: r.status in OPEN_STATUSES),
        Action(
            "close",
            gettext_lazy("Close without fix"),
            gettext_lazy("Close without fix"),
            CloseForm,
            lambda r: r.status in OPEN_STATUSES,
        ),
        Action(
            "duplicate",
            gettext_lazy("Duplicate"),
            gettext_lazy("Mark as duplicate"),
            DuplicateForm,
            lambda r: r.status in OPEN_STATUSES or r.status == ReportStatus.UNVERIFIED,
        ),
        Action(
            "transfer",
            gettext_lazy("Transfer to another agency"),
            gettext_lazy("Transfer"),
            TransferForm,
            lambda r: r.status in OPEN_STATUSES or r.status == ReportStatus.UNVERIFIED,
        ),
        Action(
            "assign",
            gettext_lazy("Assign"),
            gettext_lazy("Assign"),
            AssignForm,
            lambda r: r.owner_id is not None and (r.status in OPEN_STATUSES or r.status == ReportStatus.UNVERIFIED),
        ),
        Action(
            "reopen",
            gettext_lazy("Reopen"),
            gettext_lazy("Reopen"),
            ReopenForm,
            lambda r: r.status in REOPENABLE_STATUSES,
        ),
        Action("message", gettext_lazy("Public message"), gettext_lazy("Send message"), MessageForm, lambda _r: True),
        Action("note", gettext_lazy("Internal note"), gettext_lazy("Add note"), NoteForm, lambda _r: True),
    ]
}


def _templates_for(report: Report, form_class: type[ActionForm]) -> QuerySet[ResponseTemplate] | None:
    if form_class.template_statuses is None:
        return None
    return response_template_list_for(
        jurisdiction=report.jurisdiction,
        agency=report.owner,
        statuses=list(form_class.template_statuses),
        language=get_language() or report.jurisdiction.default_language,
    )


def _make_form(request: HttpRequest, report: Report, action: Action, **kwargs: Any) -> ActionForm:
    extra: dict[str, Any] = {"prefix": action.name, "templates": _templates_for(report, action.form)}
    if action.form is TransferForm:
        extra["agencies"] = _transfer_agencies(report.jurisdiction, exclude=report.owner)
    if action.form is AssignForm:
        extra["colleagues"] = agency_colleagues(agency_ids=[report.owner_id] if report.owner_id else [])
    return action.form(**kwargs, **extra)


def _do_acknowledge(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_acknowledge(report=report, by=user, text=data["text"], channel=Channel.WEB)
    return _("Report %(reference)s is acknowledged.")


def _do_status(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_status_set(report=report, by=user, status=data["status"], text=data["text"], channel=Channel.WEB)
    return _("Report %(reference)s is now %(status)s.")


def _do_fix(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_fix(report=report, by=user, text=data["text"], channel=Channel.WEB)
    return _("Report %(reference)s is marked fixed; the reporter is asked whether it really is.")


def _do_close(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_close_without_fix(report=report, by=user, reason=data["reason"], text=data["text"], channel=Channel.WEB)
    return _("Report %(reference)s is closed without a fix.")


def _do_duplicate(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    original = (
        Report.objects.filter(jurisdiction=report.jurisdiction, reference=data["original"])
        .select_related("duplicate_of")
        .first()
    )
    if original is None or not can_handle_report(user, original):
        raise ReportsError(_("No report you handle has the reference %(original)s.") % {"original": data["original"]})
    report_mark_duplicate(report=report, original=original, by=user, text=data["text"], channel=Channel.WEB)
    return _("Report %(reference)s is marked as a duplicate.")


def _do_transfer(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_transfer(
        report=report,
        to_agency=data["to_agency"],
        by=user,
        reason=data["text"],
        not_ours=data["not_ours"],
        channel=Channel.WEB,
    )
    return _("Report %(reference)s is transferred.")


def _do_assign(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    to = user if "to_me" in post else data["to"]
    report_assign(report=report, to=to, by=user, channel=Channel.WEB)
    return _("Report %(reference)s is assigned.") if to is not None else _("Report %(reference)s is unassigned.")


def _do_reopen(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_reopen(report=report, by=user, text=data["text"], channel=Channel.WEB)
    return _("Report %(reference)s is reopened.")


def _do_message(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_comment(report=report, by=user, text=data["text"], internal=False, channel=Channel.WEB)
    return _("Your message on report %(reference)s is published.")


def _do_note(report: Report, data: dict[str, Any], user: Any, post: Any) -> str:
    report_comment(report=report, by=user, text=data["text"], internal=True, channel=Channel.WEB)
    return _("Your internal note on report %(reference)s is saved.")


#: Each action calls exactly one service; the returned text is the success message.
PERFORM: dict[str, Callable[[Report, dict[str, Any], Any, Any], str]] = {
    "acknowledge": _do_acknowledge,
    "status": _do_status,
    "fix": _do_fix,
    "close": _do_close,
    "duplicate": _do_duplicate,
    "transfer": _do_transfer,
    "assign": _do_assign,
    "reopen": _do_reopen,
    "message": _do_message,
    "note": _do_note,
}


@dataclass
class TimelineRow:
    update: ReportUpdate
    who: str


def _timeline(report: Report) -> list[TimelineRow]:
    """The full timeline. Staff see which colleague acted; an anonymous reporter stays hidden,
    and people who said "me too" are not named (they are citizens, not staff)."""
    rows = []
    for update in report_timeline_for_staff(report=report):
        if update.by_id is None:
            who = update.agency.display_name if update.agency else "—"
        elif update.by_id == report.reporter_id:
            who = (
                _("The reporter")
                if report.visibility == ReporterVisibility.ANONYMOUS
                else _("The reporter (%(name)s)") % {"name": update.by.name or update.by.email}  # type: ignore[union-attr]
            )
        elif update.kind in {UpdateKind.SUPPORTED, UpdateKind.FEEDBACK}:
            who = _("A member of the public")
        else:
            who = update.by.name or update.by.email  # type: ignore[union-attr]
            if update.agency:
                who = f"{who} ({update.agency.display_name})"
        rows.append(TimelineRow(update=update, who=who))
    return rows


def _render_work(
    request: HttpRequest, report: Report, *, forms: dict[str, ActionForm] | None = None, status: int = 200
) -> HttpResponse:
    forms = forms or {}
    actions = []
    template_texts: dict[str, str] = {}
    for action in ACTIONS.values():
        if not action.allowed(report):
            continue
        form = forms.get(action.name) or _make_form(request, report, action)
        field = form.fields.get("template")
        if field is not None:
            for template in field.queryset:  # type: ignore[attr-defined]
                template_texts[str(template.pk)] = template.text
        item: dict[str, Any] = {"action": action, "form": form}
        if action.form is AssignForm:
            # "Assign to me" only for people who work for the owner (the service would refuse others).
            item["can_take"] = form.fields["to"].queryset.filter(pk=request.user.pk).exists()  # type: ignore[attr-defined]
        actions.append(item)
    contact = getattr(report, "contact", None)
    now = timezone.now()
    _mark_overdue([report], now)
    duplicate_candidates = (
        report_duplicate_candidates(report=report)
        if any(item["action"].name == "duplicate" for item in actions)
        else []
    )
    return render(
        request,
        "reports/staff/work.html",
        {
            "report": report,
            "anonymous": report.visibility == ReporterVisibility.ANONYMOUS,
            "contact": contact,
            "timeline": _timeline(report),
            "actions": actions,
            "template_texts": template_texts,
            "duplicate_candidates": duplicate_candidates,
            "is_closed": report.status in CLOSED_STATUSES,
            **_nav(request, report.jurisdiction),
        },
        status=status,
    )


@login_required
@require_GET
def work(request: HttpRequest, reference: str) -> HttpResponse:
    report = _report_or_403(request, reference)
    return _render_work(request, report)


@login_required
@require_POST
def act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    """One action on one report. "Use template" re-renders the form with the template's text
    (for browsers without JavaScript); otherwise the form is validated and its service called."""
    report = _report_or_403(request, reference)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404(_("Unknown action."))
    if not spec.allowed(report):
        messages.error(
            request,
            _("Report %(reference)s is %(status)s; that cannot be done now.")
            % {"reference": report.reference, "status": report.get_status_display().lower()},
        )
        return redirect("reports:work", reference=report.reference)
    form = _make_form(request, report, spec, data=request.POST)
    if "use_template" in request.POST:
        return _render_work(request, report, forms={spec.name: _with_template(request, report, spec, form)})
    if not form.is_valid():
        return _render_work(request, report, forms={spec.name: form})
    try:
        message = PERFORM[spec.name](report, form.cleaned_data, request.user, request.POST)
    except ReportsError as error:
        messages.error(request, str(error))
        return _render_work(request, report, forms={spec.name: form})
    fresh = report_get_for_staff(jurisdiction=report.jurisdiction, reference=report.reference)
    messages.success(
        request,
        message % {"reference": report.reference, "status": fresh.get_status_display().lower() if fresh else ""},
    )
    if fresh is None or not can_handle_report(request.user, fresh):
        # Transferred out of the agencies this person works for: back to their queue.
        return redirect("reports:queue")
    return redirect("reports:work", reference=report.reference)


def _with_template(request: HttpRequest, report: Report, spec: Action, form: ActionForm) -> ActionForm:
    """The form again, unbound (no errors yet), with what was typed and the template's text."""
    initial = {name: form[name].value() for name in form.fields}
    field = form.fields.get("template")
    chosen = request.POST.get(form.add_prefix("template"), "")
    template = field.queryset.filter(pk=chosen).first() if field is not None and chosen.isdigit() else None  # type: ignore[attr-defined]
    if template is None:
        messages.error(request, _("Choose a template first."))
    else:
        initial["text"] = template.text
    return _make_form(request, report, spec, initial=initial)


@login_required
@require_GET
def staff_photo(request: HttpRequest, reference: str, photo_id: int) -> FileResponse:
    """A photo of a report for the staff handling it, public or not; never cached by shared caches."""
    report = _report_or_403(request, reference)
    photo = get_object_or_404(report.photos.all(), pk=photo_id)
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Response templates -------------------------------------------------------------------


@dataclass
class TemplateScope:
    """Which templates one may manage: managers their agencies', supervisors and administrators all."""

    agencies: list[Agency]
    jurisdiction_wide: bool


def _template_scope(request: HttpRequest, jurisdiction: Jurisdiction) -> TemplateScope:
    user: Any = request.user
    if user.is_superuser or can_view_triage(user, jurisdiction):
        return TemplateScope(
            agencies=list(Agency.objects.filter(jurisdiction=jurisdiction).order_by("name", "pk")),
            jurisdiction_wide=True,
        )
    managed = RoleAssignment.objects.filter(
        user=user, jurisdiction=jurisdiction, role=Role.AGENCY_MANAGER, agency__isnull=False
    ).values_list("agency_id", flat=True)
    agencies = list(Agency.objects.filter(pk__in=list(managed)).order_by("name", "pk"))
    if not agencies:
        raise PermissionDenied(_("Response templates are managed by agency managers, supervisors and administrators."))
    return TemplateScope(agencies=agencies, jurisdiction_wide=False)


@login_required
@require_GET
def templates(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    scope = _template_scope(request, jurisdiction)
    items = response_template_list_manageable(
        jurisdiction=jurisdiction,
        agency_ids=None if scope.jurisdiction_wide else [agency.pk for agency in scope.agencies],
    )
    return render(
        request,
        "reports/staff/templates.html",
        {
            "templates": items,
            "scope": scope,
            "language_names": dict(_languages(jurisdiction)),
            **_nav(request, jurisdiction),
        },
    )


def _languages(jurisdiction: Jurisdiction) -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in (jurisdiction.languages or [jurisdiction.default_language])]


def _template_form(
    request: HttpRequest, jurisdiction: Jurisdiction, scope: TemplateScope, **kwargs: Any
) -> ResponseTemplateForm:
    return ResponseTemplateForm(
        **kwargs, jurisdiction=jurisdiction, agencies=scope.agencies, may_use_wide=scope.jurisdiction_wide
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    scope = _template_scope(request, jurisdiction)
    if request.method == "POST":
        form = _template_form(request, jurisdiction, scope, data=request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                template = response_template_create(
                    jurisdiction=jurisdiction,
                    agency=data["agency"],
                    by=request.user,  # type: ignore[arg-type]
                    channel=Channel.WEB,
                    title=data["title"],
                    status=data["status"],
                    language=data["language"],
                    text=data["text"],
                    is_active=data["is_active"],
                )
            except ReportsError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The template “%(title)s” was created.") % {"title": template.title})
                return redirect("reports:templates")
    else:
        form = _template_form(
            request,
            jurisdiction,
            scope,
            initial={
                "language": get_language() if get_language() in (jurisdiction.languages or []) else None,
                "agency": "" if scope.jurisdiction_wide else str(scope.agencies[0].pk),
            },
        )
    return render(
        request, "reports/staff/template_form.html", {"form": form, "template": None, **_nav(request, jurisdiction)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    scope = _template_scope(request, jurisdiction)
    manageable = response_template_list_manageable(
        jurisdiction=jurisdiction,
        agency_ids=None if scope.jurisdiction_wide else [agency.pk for agency in scope.agencies],
    )
    template = get_object_or_404(manageable, pk=pk)
    if request.method == "POST":
        form = _template_form(request, jurisdiction, scope, data=request.POST)
        form.fields.pop("agency")  # who uses a template is fixed when it is created
        if form.is_valid():
            data = form.cleaned_data
            try:
                response_template_update(
                    template=template,
                    by=request.user,  # type: ignore[arg-type]
                    channel=Channel.WEB,
                    **{name: data[name] for name in ("title", "status", "language", "text", "is_active")},
                )
            except ReportsError as error:
                template.refresh_from_db()
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The template “%(title)s” was saved.") % {"title": template.title})
                return redirect("reports:templates")
    else:
        form = _template_form(
            request,
            jurisdiction,
            scope,
            initial={name: getattr(template, name) for name in ("title", "status", "language", "text", "is_active")},
        )
        form.fields.pop("agency")
    return render(
        request, "reports/staff/template_form.html", {"form": form, "template": template, **_nav(request, jurisdiction)}
    )
