"""Public pages and the staff workspace. Thin: selectors read, services write."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from civicloop.accounts.enums import AGENCY_ROLES, Role
from civicloop.accounts.models import RoleAssignment
from civicloop.core import selectors
from civicloop.core.audit import PERSONAL_KEYS
from civicloop.core.enums import Channel
from civicloop.core.forms import AgencyForm
from civicloop.core.health import run_checks
from civicloop.core.models import Agency, AuditEvent, Jurisdiction
from civicloop.core.services import CoreError, agency_update

AUDIT_PAGE_SIZE = 50
STAFF_HOME_EVENTS = 10


def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    if request.jurisdiction is None:
        raise Http404(_("No jurisdiction is configured for this address."))
    return request.jurisdiction


def working_hours_summary(working_hours: dict[str, list[list[str]]]) -> list[str]:
    """Working hours in plain words: ["Monday–Friday 08:00–16:00", "Saturday 09:00–12:00"].

    Consecutive weekdays with the same hours are joined into one range.
    """
    groups: list[tuple[int, int, tuple[tuple[str, str], ...]]] = []
    for day in range(7):
        intervals = tuple((start, end) for start, end in working_hours.get(str(day)) or [])
        if not intervals:
            continue
        if groups and groups[-1][1] == day - 1 and groups[-1][2] == intervals:
            groups[-1] = (groups[-1][0], day, intervals)
        else:
            groups.append((day, day, intervals))
    lines = []
    for first, last, intervals in groups:
        days = str(WEEKDAYS[first]) if first == last else f"{WEEKDAYS[first]}–{WEEKDAYS[last]}"
        hours = ", ".join(f"{start}–{end}" for start, end in intervals)
        lines.append(f"{days} {hours}")
    return lines


def home(request: HttpRequest) -> HttpResponse:
    jurisdiction = request.jurisdiction
    if jurisdiction is None:
        jurisdictions = list(selectors.jurisdiction_list())
        if not jurisdictions:
            return render(request, "core/no_jurisdiction.html")
        return render(request, "core/jurisdiction_list.html", {"jurisdictions": jurisdictions})
    return render(
        request,
        "core/home.html",
        {
            "agencies": selectors.agency_list_for_reader(jurisdiction=jurisdiction),
            "areas": selectors.area_list(jurisdiction=jurisdiction).filter(parent__isnull=True),
            "holidays": selectors.holiday_list_upcoming(jurisdiction=jurisdiction),
            "working_hours": working_hours_summary(jurisdiction.working_hours or {}),
        },
    )


def agency_list(request: HttpRequest) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    return render(
        request, "core/agency_list.html", {"agencies": selectors.agency_list_for_reader(jurisdiction=jurisdiction)}
    )


def agency_detail(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    agency = get_object_or_404(selectors.agency_list_public(jurisdiction=jurisdiction), slug=slug)
    can_edit = request.user.is_authenticated and request.user.has_perm("core.change_agency", agency)
    return render(request, "core/agency_detail.html", {"agency": agency, "can_edit": can_edit})


# --- Staff workspace ----------------------------------------------------------------------


@dataclass
class AuditRow:
    """An audit event prepared for display: who (if the reader may know), what changed."""

    event: AuditEvent
    actor: str
    object_label: str
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    changes_hidden: bool = False


def _short(value: Any, limit: int = 80) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def audit_rows(events: list[AuditEvent], *, show_actor: bool) -> list[AuditRow]:
    rows = []
    for event in events:
        if event.actor_id is None:
            actor = "—"
        elif show_actor:
            actor = str(event.actor)
        else:
            actor = _("hidden")
        if event.is_about_people and not show_actor:
            # People, roles and tokens are named after people: show only the kind of object and
            # hide the values, as the API does for the same readers.
            rows.append(
                AuditRow(
                    event=event,
                    actor=actor,
                    object_label=str(event.content_type.model_class()._meta.verbose_name),
                    changes_hidden=True,
                )
            )
            continue
        before = event.before if isinstance(event.before, dict) else {}
        after = event.after if isinstance(event.after, dict) else {}
        changes = []
        for key in sorted(set(before) | set(after)):
            if key in PERSONAL_KEYS and not show_actor:
                changes.append((key, _("hidden"), _("hidden")))
            else:
                changes.append((key, _short(before.get(key)), _short(after.get(key))))
        rows.append(AuditRow(event=event, actor=actor, object_label=event.object_repr, changes=changes))
    return rows


@dataclass
class StaffSection:
    role: str
    title: str
    assignment: RoleAssignment | None = None
    agency: Agency | None = None
    jurisdiction: Jurisdiction | None = None
    can_edit: bool = False
    colleagues: list[RoleAssignment] = field(default_factory=list)
    events: list[AuditRow] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)


def _staff_sections(request: HttpRequest) -> list[StaffSection]:
    user = request.user
    assignments = list(
        user.role_assignments.select_related("agency", "agency__jurisdiction", "jurisdiction").order_by(
            "jurisdiction__name", "role", "agency__name"
        )
    )
    show_actor = user.has_perm("core.view_auditevent_actor")
    sections = []
    for assignment in assignments:
        role_label = Role(assignment.role).label
        if assignment.role in AGENCY_ROLES and assignment.agency is not None:
            agency = assignment.agency
            events = list(selectors.audit_event_list(agency=agency)[:STAFF_HOME_EVENTS])
            sections.append(
                StaffSection(
                    role=assignment.role,
                    title=f"{role_label} — {agency.display_name}",
                    assignment=assignment,
                    agency=agency,
                    jurisdiction=assignment.jurisdiction,
                    can_edit=user.has_perm("core.change_agency", agency),
                    colleagues=list(selectors.agency_member_list(agency=agency)),
                    events=audit_rows(events, show_actor=show_actor),
                )
            )
        elif assignment.role == Role.SUPERVISOR:
            sections.append(
                StaffSection(
                    role=assignment.role,
                    title=f"{role_label} — {assignment.jurisdiction.name}",
                    assignment=assignment,
                    jurisdiction=assignment.jurisdiction,
                    agencies=list(selectors.agency_list_with_staff_counts(jurisdiction=assignment.jurisdiction)),
                )
            )
        else:
            sections.append(
                StaffSection(
                    role=assignment.role,
                    title=f"{role_label} — {assignment.jurisdiction.name}",
                    assignment=assignment,
                    jurisdiction=assignment.jurisdiction,
                )
            )
    if user.is_superuser and not any(section.role == Role.ADMINISTRATOR for section in sections):
        sections.append(StaffSection(role=Role.ADMINISTRATOR, title=_("Site administrator")))
    return sections


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_staff_home"):
        raise PermissionDenied(_("The staff pages are for agency staff, supervisors, monitors and administrators."))
    return render(
        request,
        "core/staff_home.html",
        {
            "sections": _staff_sections(request),
            "can_view_audit": request.user.has_perm("core.view_auditevent"),
            "show_actor": request.user.has_perm("core.view_auditevent_actor"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def agency_edit(request: HttpRequest, slug: str) -> HttpResponse:
    jurisdiction = _jurisdiction(request)
    agency = get_object_or_404(Agency.objects.select_related("jurisdiction"), jurisdiction=jurisdiction, slug=slug)
    if not request.user.has_perm("core.change_agency", agency):
        raise PermissionDenied(_("Only the agency's managers and administrators can change its details."))
    if request.method == "POST":
        form = AgencyForm(request.POST, agency=agency)
        if form.is_valid():
            changes = form.changes()
            changed = any(getattr(agency, name) != value for name, value in changes.items())
            try:
                agency_update(agency=agency, by=request.user, channel=Channel.WEB, **changes)
            except ValidationError as exc:
                # The model's own rules (full_clean) caught something the form did not.
                agency.refresh_from_db()
                if hasattr(exc, "error_dict"):
                    for name, errors in exc.message_dict.items():
                        form.add_error(name if name in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            except CoreError as exc:
                agency.refresh_from_db()
                form.add_error(None, str(exc))
            else:
                if changed:
                    messages.success(request, _("The details of %(agency)s were saved.") % {"agency": agency.name})
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("core:agency_detail", slug=agency.slug)
    else:
        form = AgencyForm(agency=agency)
    return render(request, "core/agency_edit.html", {"agency": agency, "form": form})


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("core.view_auditevent"):
        raise PermissionDenied(_("The audit trail is for supervisors, monitors, managers and administrators."))
    scope = selectors.audit_event_list_visible(user=request.user, jurisdiction=request.jurisdiction)
    actions = list(scope.order_by("action").values_list("action", flat=True).distinct())
    action = request.GET.get("action", "")
    events = scope.filter(action=action) if action else scope
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    show_actor = request.user.has_perm("core.view_auditevent_actor")
    return render(
        request,
        "core/audit_list.html",
        {
            "page": page,
            "rows": audit_rows(list(page.object_list), show_actor=show_actor),
            "actions": actions,
            "action": action,
            "show_actor": show_actor,
        },
    )


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, checks = run_checks()
    return JsonResponse({"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503)


@never_cache
@require_GET
def livez(request: HttpRequest) -> JsonResponse:
    """Liveness: this web process is up and answers HTTP. Nothing else is checked.

    For a container orchestrator's liveness probe (Kubernetes `livenessProbe`: restart the
    container when it fails). It reads no database, session, user or jurisdiction, so a database
    outage never gets healthy web processes restarted in a loop; whether the installation can
    serve (database, migrations, task worker) is /healthz's job, the readiness probe. Being the
    cheapest view there is, it is also the baseline of bench/reports_load.py.
    """
    return JsonResponse({"status": "ok"})
